"""reference.layers: buy-apple, apples-and-oranges, the layers' backward and TwoLayerNet's gradient check."""

from __future__ import annotations

import numpy as np

from reference.evaluate import run_case
from reference.layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss, TwoLayerNet


def test_buy_apple():
    """Buy apple: price 220.00000000000003, dApple 2.2, dApple_num 110, dTax 200 (DLFS 5.4)."""
    mul_apple, mul_tax = MulLayer(), MulLayer()
    price = mul_tax.forward(mul_apple.forward(100, 2), 1.1)
    dapple_price, dtax = mul_tax.backward(1)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert price == 220.00000000000003
    np.testing.assert_allclose([dapple, dapple_num, dtax], [2.2, 110, 200], rtol=1e-15)


def test_apples_and_oranges():
    """Apples and oranges: price 715, dApple 2.2, dApple_num 110, dOrange 3.3000000000000003, 165, 650."""
    ma, mo, add, mt = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    price = mt.forward(add.forward(ma.forward(100, 2), mo.forward(150, 3)), 1.1)
    dall, dtax = mt.backward(1)
    da_price, do_price = add.backward(dall)
    dorange, dorange_num = mo.backward(do_price)
    dapple, dapple_num = ma.backward(da_price)
    np.testing.assert_allclose(price, 715, rtol=1e-15)
    assert dorange == 3.3000000000000003
    np.testing.assert_allclose([dapple, dapple_num, dorange_num, dtax], [2.2, 110, 165, 650], rtol=1e-15)


def test_relu_sigmoid_affine_backward():
    """Relu zeroes dout where x <= 0 without touching dout; Sigmoid uses out; Affine keeps x's 4-D shape."""
    x = np.array([[1.0, -0.5], [-2.0, 0.3]])
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    relu = Relu()
    relu.forward(x)
    np.testing.assert_array_equal(relu.backward(dout.copy()), [[1.0, 0.0], [0.0, 4.0]])
    sig = Sigmoid()
    out = sig.forward(x)
    np.testing.assert_allclose(sig.backward(dout), dout * out * (1 - out), rtol=1e-15)
    rng = np.random.default_rng(0)
    xi, W, b = rng.normal(size=(2, 3, 2, 2)), rng.normal(size=(12, 4)), rng.normal(size=4)
    aff = Affine(W, b)
    g = rng.normal(size=(2, 4))
    aff.forward(xi)
    dx = aff.backward(g)
    assert dx.shape == (2, 3, 2, 2)
    np.testing.assert_allclose(aff.dW, xi.reshape(2, 12).T @ g, rtol=1e-15)
    np.testing.assert_allclose(aff.db, g.sum(axis=0), rtol=1e-15)


def test_softmax_with_loss_labels_and_one_hot():
    """SoftmaxWithLoss.backward is (y - t) / batch for one-hot and for labels alike."""
    x = np.array([[0.2, 1.0, -0.3], [0.5, 0.1, 0.0]])
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    la, lb = a.forward(x, np.array([1, 0])), b.forward(x, np.eye(3)[[1, 0]])
    assert la == lb
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(a.backward(), (p - np.eye(3)[[1, 0]]) / 2, rtol=1e-12)
    np.testing.assert_allclose(a.backward(), b.backward(), rtol=1e-15)


def test_two_layer_net_gradient_check_and_engine():
    """TwoLayerNet: backprop vs numerical gradient mean abs difference tiny; equals run_case's gradients."""
    net = TwoLayerNet(4, 6, 3, weight_init_std=0.1)
    x, t = np.random.default_rng(3).normal(size=(5, 4)), np.eye(3)[[0, 2, 1, 1, 0]]
    # Central differences break at the Relu kink: this seed keeps every pre-activation 5e-3 away from it.
    assert np.abs(x @ net.params["W1"] + net.params["b1"]).min() > 5e-3
    grad = net.gradient(x, t)
    numeric = net.numerical_gradient(x, t)
    for k in ("W1", "b1", "W2"):
        assert np.mean(np.abs(grad[k] - numeric[k])) < 1e-8, k
        assert np.mean(np.abs(2 * grad[k] - numeric[k])) > 1e-4, k  # negative control: a wrong grad shows
    assert np.mean(np.abs(grad["b2"] - numeric["b2"])) < 1e-6  # the 1e-7 inside the log shows up here
    steps = [
        {"do": "apply", "op": "TwoLayerNet", "args": ["x", "t", "W1", "b1", "W2", "b2"], "out": "loss"},
        {"do": "backward", "of": "loss"},
        *({"do": "record", "key": k, "grad_of": k} for k in ("W1", "b1", "W2", "b2")),
    ]
    r = run_case("layers", {"x": x, "t": t, **net.params}, steps)
    for k in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(grad[k], r[k], rtol=1e-12, err_msg=k)
    assert 0.0 <= net.accuracy(x, t) <= 1.0
