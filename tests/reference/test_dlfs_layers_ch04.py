"""Chapter 4's TwoLayerNet as dlfs-layers' own op (fixtures/dlfs-layers/ops.py): its loss and gradient against
torch autograd in float64, and its known mistakes worked out by hand, each beside the right gradient."""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from module_files import load_module

OPS = Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-layers" / "ops.py"
SIZES = {"input_size": 3, "hidden_size": 4, "output_size": 3, "weight_init_std": 0.01}


def _ops() -> ModuleType:
    return load_module(OPS, "dlfs_layers_ops")


def _net(seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(5, 3))
    t = np.eye(3)[rng.integers(0, 3, size=5)]
    w1, b1 = rng.normal(0, 0.6, (3, 4)), rng.normal(0, 0.3, 4)
    return x, t, w1, b1, rng.normal(0, 0.6, (4, 3)), rng.normal(0, 0.3, 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loss_and_gradient_agree_with_torch_autograd(seed: int) -> None:
    """The book's value (1e-7 inside the log) and (y - t) / N back through a sigmoid hidden layer: torch's
    autograd of sigmoid, softmax and the cross-entropy, in float64, gives the same to 1e-12."""
    torch = pytest.importorskip("torch")
    ops = _ops()
    arrays = _net(seed)
    loss = ops.ch04_forward(*arrays, **SIZES)
    grads = ops.ch04_vjp(1.0, *arrays, y=loss, **SIZES)
    x, t, *params = (torch.tensor(a, dtype=torch.float64) for a in arrays)
    for p in params:
        p.requires_grad_(True)
    w1, b1, w2, b2 = params
    y = torch.softmax(torch.sigmoid(x @ w1 + b1) @ w2 + b2, dim=1)
    book = -torch.log((y * t).sum(dim=1) + 1e-7).sum() / x.shape[0]
    exact = -(t * torch.log(y)).sum() / x.shape[0]
    exact.backward()
    assert grads[:2] == (None, None)
    np.testing.assert_allclose(loss, book.item(), rtol=1e-12)
    for got, p in zip(grads[2:], params, strict=True):
        assert p.grad is not None
        np.testing.assert_allclose(got, p.grad.numpy(), rtol=1e-10, atol=1e-14)
    # the torch oracle the fixtures use reports the same value
    np.testing.assert_allclose(
        ops.ch04_torch(torch, *(torch.tensor(a, dtype=torch.float64) for a in arrays), **SIZES).item(),
        book.item(),
        rtol=1e-12,
    )


def _one_unit() -> tuple[np.ndarray, ...]:
    """One sample, one input, one hidden unit, two classes: x = 1, W1 = 0, b1 = 0, so a1 = 0 and
    z1 = sigmoid(0) = 0.5; W2 = [1, -1], b2 = 0, t = [1, 0]. Scores [0.5, -0.5]: y0 = 1 / (1 + e^-1)."""
    return (
        np.array([[1.0]]),
        np.array([[1.0, 0.0]]),
        np.zeros((1, 1)),
        np.zeros(1),
        np.array([[1.0, -1.0]]),
        np.zeros(2),
    )


def test_the_known_mistakes_scale_the_hidden_derivative_as_worked_by_hand() -> None:
    """dy = y - t = [y0 - 1, 1 - y0], da1 = dy @ W2.T = 2 (y0 - 1). The book's dz1 = sigmoid_grad(a1) da1 with
    sigmoid_grad(0) = 0.25; sigmoid_grad(z1) = s(0.5) (1 - s(0.5)) ~ 0.2350 (the derivative at the output);
    dz1 = da1 leaves the factor out (1). x = 1: dW1 = db1 = dz1. dW2 and db2 are the same in all three."""
    ops = _ops()
    arrays = _one_unit()
    y0 = 1.0 / (1.0 + math.exp(-1.0))
    da1 = 2.0 * (y0 - 1.0)
    s_half = 1.0 / (1.0 + math.exp(-0.5))
    right = ops.ch04_vjp(1.0, *arrays, y=None, **SIZES)
    at_output = ops._sigmoid_grad_of_output(1.0, *arrays, y=None, **SIZES)
    left_out = ops._hidden_derivative_left_out(1.0, *arrays, y=None, **SIZES)
    for grads, factor in ((right, 0.25), (at_output, s_half * (1.0 - s_half)), (left_out, 1.0)):
        np.testing.assert_allclose(grads[2], [[factor * da1]], rtol=1e-12)
        np.testing.assert_allclose(grads[3], [factor * da1], rtol=1e-12)
        np.testing.assert_allclose(grads[4], [[0.5 * (y0 - 1.0), 0.5 * (1.0 - y0)]], rtol=1e-12)
        np.testing.assert_allclose(grads[5], [y0 - 1.0, 1.0 - y0], rtol=1e-12)


def test_class_labels_are_read_as_their_one_hot_rows() -> None:
    """Chapter 4's cases feed one-hot t; the op reads labels as those rows, so an instructor's case with
    labels computes the same network."""
    ops = _ops()
    x, t, *params = _net(3)
    labels = t.argmax(axis=1).astype(np.float64)
    np.testing.assert_allclose(ops.ch04_forward(x, labels, *params), ops.ch04_forward(x, t, *params))
    by_labels = ops.ch04_vjp(1.0, x, labels, *params, y=None)[2:]
    for a, b in zip(by_labels, ops.ch04_vjp(1.0, x, t, *params, y=None)[2:], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-15)


def test_the_numerical_mistake_is_the_support_files_numerical_gradient_of_the_books_loss() -> None:
    """`ch04_gradient_numerical` (gradient returning numerical_gradient) gives what the support files'
    common/gradient.py numerical_gradient gives for the book's loss (1e-7 in the log): about 1e-7 off the
    exact gradient, which is what makes it `precision` and not right."""
    ops = _ops()
    support = load_module(OPS.parent / "support" / "common" / "gradient.py", "dlfs_layers_support_gradient")
    x, t, *params = _net(4)
    wrong = ops._numerical(1.0, x, t, *params, y=None)[2:]
    right = ops.ch04_vjp(1.0, x, t, *params, y=None)[2:]
    held = [np.array(p) for p in params]
    for i, got in enumerate(wrong):
        np.testing.assert_allclose(
            got, support.numerical_gradient(lambda _: ops.ch04_forward(x, t, *held), held[i])
        )
        np.testing.assert_allclose(got, right[i], atol=1e-5)
    assert max(float(np.abs(w - r).max()) for w, r in zip(wrong, right, strict=True)) > 1e-9
