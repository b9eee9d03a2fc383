"""Independent drivers: the public API of each family exercised the way the books' and the course's examples
do, to tell a variant that behaves like the correct code from one that does not.

Run in a fresh process per variant (`python -m bench.mutation.drivers FAMILY FILE OUT`), never in the
sweep's own: writes one JSON object to OUT (a variant may print anything), scenario -> {"ok": {name: value}}
or {"error": exception type}. The drivers share no code with the grader's cases or adapters: they are what a
student's own test script would do.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

Scenario = Callable[[ModuleType], dict[str, Any]]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------------------------------------------ MiniFlow
def _mf_run(m: ModuleType, feed: dict[Any, Any]) -> list[Any]:
    graph = m.topological_sort(feed)
    if hasattr(m, "forward_and_backward"):
        m.forward_and_backward(graph)
    else:
        m.forward_pass(graph)
        m.backward_pass(graph)
    return graph


def mf_quiz(m: ModuleType) -> dict[str, Any]:
    """The course's Sigmoid-backward quiz, fed through topological_sort as the course does."""
    X, W, b, y = m.Input(), m.Input(), m.Input(), m.Input()
    f = m.Linear(X, W, b)
    a = m.Sigmoid(f)
    cost = m.MSE(y, a)
    feed = {
        X: np.array([[-1.0, -2.0], [-1, -2]]),
        W: np.array([[2.0], [3.0]]),
        b: np.array([-3.0]),
        y: np.array([1, 2]),
    }
    _mf_run(m, feed)
    return {"cost": cost.value, **{k: n.gradients[n] for k, n in (("X", X), ("y", y), ("W", W), ("b", b))}}


def mf_linear_two_consumers(m: ModuleType) -> dict[str, Any]:
    """A Linear whose output feeds a Sigmoid and another Linear; one MSE between the two heads."""
    r = _rng(1)
    X, W1, b1, W2, b2, W3, b3 = (m.Input() for _ in range(7))
    h = m.Linear(X, W1, b1)
    s = m.Sigmoid(h)
    o1 = m.Linear(s, W2, b2)
    o2 = m.Linear(h, W3, b3)
    cost = m.MSE(o1, o2)
    shapes = {X: (5, 3), W1: (3, 4), b1: (4,), W2: (4, 1), b2: (1,), W3: (4, 1), b3: (1,)}
    feed = {n: r.normal(size=s_) for n, s_ in shapes.items()}
    _mf_run(m, feed)
    names = ("X", "W1", "b1", "W2", "b2", "W3", "b3")
    return {"cost": cost.value, **{k: n.gradients[n] for k, n in zip(names, shapes, strict=True)}}


def mf_training(m: ModuleType) -> dict[str, Any]:
    """The course's training loop: a few epochs of forward_and_backward and sgd_update on fresh batches."""
    r = _rng(2)
    X, y, W1, b1, W2, b2 = (m.Input() for _ in range(6))
    cost = m.MSE(y, m.Linear(m.Sigmoid(m.Linear(X, W1, b1)), W2, b2))
    params = {W1: r.normal(size=(3, 4)), b1: np.zeros(4), W2: r.normal(size=(4, 1)), b2: np.zeros(1)}
    costs = []
    for _ in range(3):
        feed = {X: r.normal(size=(6, 3)), y: r.normal(size=6), **params}
        _mf_run(m, feed)
        m.sgd_update(list(params), 0.1)
        params = {t: t.value for t in params}
        costs.append(cost.value)
    return {"costs": np.array(costs, dtype=float), **{f"p{i}": v for i, v in enumerate(params.values())}}


# ------------------------------------------------------------------------------------------------ DeZero
def _V(m: ModuleType, v: Any) -> Any:
    return m.Variable(np.array(v))


def dz_documented(m: ModuleType) -> dict[str, Any]:
    """Step 14's add(x, x) with cleargrad, step 16's diamond, the sum of squares: helper functions only."""
    x = _V(m, 2.0)
    y = m.add(x, x)
    y.backward()
    g1 = x.grad
    x.cleargrad()
    y = m.add(m.add(x, x), x)
    y.backward()
    g2 = x.grad
    x = _V(m, 2.0)
    a = m.square(x)
    y = m.add(m.square(a), m.square(a))
    y.backward()
    u, v = _V(m, 2.0), _V(m, 3.0)
    z = m.add(m.square(u), m.square(v))
    z.backward()
    return {"g1": g1, "g2": g2, "y": y.data, "gx": x.grad, "z": z.data, "gu": u.grad, "gv": v.grad}


def dz_arrays(m: ModuleType) -> dict[str, Any]:
    """Array-valued outputs: x1 reaches y only through add, exp and square on a (2, 3) array, classes too."""
    r = _rng(3)
    x0 = m.Variable(r.normal(size=(2, 3)))
    x1 = m.Variable(r.normal(size=(2, 3)))
    y = m.add(m.exp(m.square(x0)), x1)
    y.backward()
    w = m.Variable(r.normal(size=(3,)) * 0.5)
    z = m.Exp()(m.Square()(w))
    z.backward()
    return {"y": y.data, "g0": x0.grad, "g1": x1.grad, "z": z.data, "gw": w.grad}


def dz_backward_twice(m: ModuleType) -> dict[str, Any]:
    """Two backward calls accumulate; a variable used on two paths sums them."""
    x = _V(m, 3.0)
    y = m.square(x)
    y.backward()
    first = x.grad
    y.backward()
    x2 = m.Variable(np.array([0.5, -1.0]))
    z = m.add(m.square(x2), m.add(x2, m.exp(x2)))
    z.backward()
    return {"first": first, "second": x.grad, "z": z.data, "gz": x2.grad}


def dz_retain_and_no_grad(m: ModuleType) -> dict[str, Any]:
    """Step 18: intermediate grads dropped, `with no_grad():` as the book writes it."""
    x0, x1 = _V(m, 1.0), _V(m, 1.0)
    t = m.add(x0, x1)
    y = m.add(x0, t)
    y.backward()
    out = {"y_grad_none": y.grad is None, "t_grad_none": t.grad is None, "g0": x0.grad, "g1": x1.grad}
    with m.no_grad():
        n = m.square(_V(m, 2.0))
    out["creator_inside"] = n.creator is not None
    out["creator_outside"] = m.square(_V(m, 2.0)).creator is not None
    return out


def dz_types(m: ModuleType) -> dict[str, Any]:
    """Variable refuses what is not an ndarray; a Function's output data is always an ndarray."""
    try:
        m.Variable(1.0)
        refused = False
    except TypeError:
        refused = True
    y = m.square(_V(m, 3.0))
    return {"refused": refused, "is_array": isinstance(y.data, np.ndarray)}


# ------------------------------------------------------------------------------------------------ layers
def ly_buy_apple(m: ModuleType) -> dict[str, Any]:
    """buy_apple.py and buy_apple_orange.py."""
    apple_layer, tax_layer = m.MulLayer(), m.MulLayer()
    price = tax_layer.forward(apple_layer.forward(100, 2), 1.1)
    d_apple_price, d_tax = tax_layer.backward(1)
    d_apple, d_num = apple_layer.backward(d_apple_price)
    mul_a, mul_o, add, tax = m.MulLayer(), m.MulLayer(), m.AddLayer(), m.MulLayer()
    total = tax.forward(add.forward(mul_a.forward(100, 2), mul_o.forward(150, 3)), 1.1)
    d_all, d_tax2 = tax.backward(1)
    d_ap, d_op = add.backward(d_all)
    d_o, d_on = mul_o.backward(d_op)
    d_a2, d_an2 = mul_a.backward(d_ap)
    vals = [price, d_apple, d_num, d_tax, total, d_tax2, d_o, d_on, d_a2, d_an2]
    return {"values": np.array(vals, dtype=float)}


def ly_layers(m: ModuleType) -> dict[str, Any]:
    """Relu, Sigmoid, Affine (2-D and 4-D), each forward then backward with a non-trivial dout."""
    r = _rng(4)
    out: dict[str, Any] = {}
    x = r.normal(size=(4, 5))
    x = np.where(np.abs(x) < 0.1, 0.5, x)
    dout = r.normal(size=(4, 5))
    kept = dout.copy()
    relu = m.Relu()
    out["relu"] = relu.forward(x.copy())
    out["relu_dx"] = relu.backward(dout)
    out["dout_unchanged"] = bool(np.array_equal(dout, kept))
    sig = m.Sigmoid()
    out["sig"] = sig.forward(x)
    out["sig_dx"] = sig.backward(dout)
    for shape, w_in in (((4, 3), 3), ((2, 3, 2, 2), 12)):
        W, b = r.normal(size=(w_in, 5)), r.normal(size=5)
        xa = r.normal(size=shape)
        aff = m.Affine(W, b)
        key = f"affine{len(shape)}"
        out[key] = aff.forward(xa)
        out[key + "_dx"] = aff.backward(r.normal(size=(shape[0], 5)))
        out[key + "_dW"], out[key + "_db"] = aff.dW, aff.db
    return out


def ly_softmax(m: ModuleType) -> dict[str, Any]:
    """SoftmaxWithLoss with labels, one-hot targets, and the book's large logits [1010, 1000, 990]."""
    r = _rng(5)
    out: dict[str, Any] = {}
    x = r.normal(size=(4, 5))
    labels = np.array([0, 3, 1, 4])
    for key, t in (("labels", labels), ("onehot", np.eye(5)[labels])):
        layer = m.SoftmaxWithLoss()
        out[key] = layer.forward(x, t)
        out[key + "_dx"] = layer.backward()
    big = m.SoftmaxWithLoss()
    out["big"] = big.forward(np.array([[1010.0, 1000.0, 990.0], [990.0, 1000.0, 1010.0]]), np.array([0, 2]))
    out["big_dx"] = big.backward()
    return out


def ly_two_layer_net(m: ModuleType) -> dict[str, Any]:
    """TwoLayerNet: loss on one batch, then gradient on a fresh batch (as train_neuralnet.py does)."""
    np.random.seed(6)
    net = m.TwoLayerNet(input_size=4, hidden_size=6, output_size=3)
    r = _rng(6)
    for k in ("W1", "b1", "W2", "b2"):
        net.params[k][...] = r.normal(size=net.params[k].shape) * 0.5
    x1, t1 = r.normal(size=(5, 4)), np.eye(3)[[0, 1, 2, 1, 0]]
    x2, t2 = r.normal(size=(5, 4)), np.eye(3)[[2, 2, 0, 1, 1]]
    out: dict[str, Any] = {"loss": net.loss(x1, t1)}
    grads = net.gradient(x2, t2)
    out.update({k: grads[k] for k in ("W1", "b1", "W2", "b2")})
    return out


DRIVERS: dict[str, dict[str, Scenario]] = {
    "miniflow": {
        "quiz": mf_quiz,
        "linear_two_consumers": mf_linear_two_consumers,
        "training": mf_training,
    },
    "dezero": {
        "documented": dz_documented,
        "arrays": dz_arrays,
        "backward_twice": dz_backward_twice,
        "retain_and_no_grad": dz_retain_and_no_grad,
        "types": dz_types,
    },
    "layers": {
        "buy_apple": ly_buy_apple,
        "layers": ly_layers,
        "softmax": ly_softmax,
        "two_layer_net": ly_two_layer_net,
    },
}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | np.bool_):
        return None if value is None else bool(value)
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return {"unreadable": type(value).__name__}
    return {"shape": list(a.shape), "data": [repr(float(v)) for v in a.ravel()]}


def run(family: str, path: str) -> dict[str, Any]:
    """Import the file as a fresh module and run every scenario of the family, each on its own."""
    spec = importlib.util.spec_from_file_location("variant", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except BaseException as err:
        return {"import": {"error": type(err).__name__}}
    results: dict[str, Any] = {}
    with np.errstate(all="ignore"):
        for name, scenario in DRIVERS[family].items():
            try:
                results[name] = {"ok": {k: _plain(v) for k, v in scenario(module).items()}}
            except BaseException as err:
                results[name] = {"error": type(err).__name__}
    return results


if __name__ == "__main__":
    sys.setrecursionlimit(3000)
    result = json.dumps(run(sys.argv[1], sys.argv[2]))
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        out.write(result)
