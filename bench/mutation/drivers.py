"""Independent drivers: the public API of each family exercised the way the books' and the course's examples
do, to tell a variant that behaves like the correct code from one that does not.

Run in a fresh process per variant (`python -m bench.mutation.drivers FAMILY FILE OUT`), never in the
sweep's own: writes one JSON object to OUT (a variant may print anything), scenario -> {"ok": {name: value}}
or {"error": exception type}. The drivers share no code with the grader's cases or adapters: they are what a
student's own test script would do.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
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


# The quiz stages (add, linear, transform): forward only, through topological_sort and forward_pass.
def _mf_forward(m: ModuleType, out: Any, feed: dict[Any, Any]) -> Any:
    graph = m.topological_sort(feed)
    m.forward_pass(out, graph)
    return out.value


def mfq_add(m: ModuleType) -> dict[str, Any]:
    """The first quiz: Add of two Inputs, an Add of an Add (a node with two consumers), Mul where defined."""
    x, y, z = m.Input(), m.Input(), m.Input()
    s = m.Add(x, y)
    t = m.Add(s, z)
    u = m.Add(s, t)
    feed = {x: 10.0, y: 5.0, z: -3.5}
    out = {"s": _mf_forward(m, s, feed), "u": _mf_forward(m, u, feed)}
    out["arrays"] = _mf_forward(m, m.Add(x, y), {x: np.array([1.0, -2.0]), y: np.array([0.5, 4.0])})
    if hasattr(m, "Mul"):
        out["mul"] = _mf_forward(m, m.Mul(x, z), feed)
    return out


def mfq_linear(m: ModuleType) -> dict[str, Any]:
    """The Linear quiz: three Inputs fed plain lists (the course's 12.7), then lists whose values differ."""
    inputs, weights, bias = m.Input(), m.Input(), m.Input()
    f = m.Linear(inputs, weights, bias)
    quiz = {inputs: [6, 14, 3], weights: [0.5, 0.25, 1.4], bias: 2}
    other = {inputs: [-1.5, 2.0, 7.0, 0.5], weights: [3.0, -0.75, 0.1, 8.0], bias: -4.0}
    return {"quiz": _mf_forward(m, f, quiz), "other": _mf_forward(m, f, other)}


def mfq_transform(m: ModuleType) -> dict[str, Any]:
    """The Linear transform quiz: X @ W + b on matrices (the quiz's values and a (4, 3) by (3, 2)), and the
    Sigmoid quiz's forward where Sigmoid is defined."""
    r = _rng(17)
    X, W, b = m.Input(), m.Input(), m.Input()
    f = m.Linear(X, W, b)
    quiz = {X: np.array([[-1.0, -2], [-1, -2]]), W: np.array([[2.0, -3], [2, -3]]), b: np.array([-3.0, -5])}
    out = {"quiz": _mf_forward(m, f, quiz)}
    feed = {X: r.normal(size=(4, 3)), W: r.normal(size=(3, 2)), b: r.normal(size=2)}
    out["drawn"] = _mf_forward(m, f, feed)
    if hasattr(m, "Sigmoid"):
        g = m.Sigmoid(f)
        out["sigmoid"] = _mf_forward(m, g, feed)
    return out


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


# ------------------------------------------------------------------------------------- DeZero, steps 20-42
# The module is a single step file (step22.py) or the folder's `dezero` package; the step-35+ functions are
# looked up in its `functions` module when there is one. A scenario a step has no API for raises in both the
# original and the variant, which is equal.
def _d(v: Any) -> Any:
    """A value or gradient as an array: from step 33 on, grads are Variables."""
    return v if isinstance(v, np.ndarray) else getattr(v, "data", v)


def _F(m: ModuleType) -> Any:
    return getattr(m, "functions", m)


def ds_operators(m: ModuleType) -> dict[str, Any]:
    """Steps 20-22: every overloaded operator, reflected ones with a float and an ndarray on the left."""
    out: dict[str, Any] = {}
    x, y = _V(m, 2.0), _V(m, 3.0)
    z = x * y + x - y / x + (-x) + x**3
    z.backward()
    out.update(z=_d(z.data), gx=_d(x.grad), gy=_d(y.grad))
    a = _V(m, 1.5)
    w = 2.0 - a + 3.0 / a + np.array(4.0) * a + 1.0 + (a - 1.0) / 2.0 + np.array([1.0, 2.0]) - a
    w.backward()
    out.update(w=_d(w.data), ga=_d(a.grad), is_variable=isinstance(w, m.Variable))
    return out


def _goldstein(x: Any, y: Any) -> Any:
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    return a * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2))


def ds_documented(m: ModuleType) -> dict[str, Any]:
    """Step 24's test functions at (1, 1): sphere, matyas, Goldstein-Price."""
    out: dict[str, Any] = {}
    for name, f in (
        ("sphere", lambda x, y: x**2 + y**2),
        ("matyas", lambda x, y: 0.26 * (x**2 + y**2) - 0.48 * x * y),
        ("goldstein", _goldstein),
    ):
        x, y = _V(m, 1.0), _V(m, 1.0)
        z = f(x, y)
        z.backward()
        out.update({name: _d(z.data), name + "_gx": _d(x.grad), name + "_gy": _d(y.grad)})
    return out


def _codes(text: str) -> Any:
    return np.array([ord(c) for c in text], dtype=float)


def ds_properties(m: ModuleType) -> dict[str, Any]:
    """Step 19: shape, ndim, size, len, dtype and repr (as character codes) of a (2, 3) Variable."""
    x = m.Variable(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    return {
        "shape": np.array(x.shape, dtype=float), "ndim": x.ndim, "size": x.size, "len": len(x),
        "dtype": _codes(str(x.dtype)), "repr": _codes(repr(x)),
        "repr_v": _codes(repr(m.Variable(np.array([1.0, 2.0])))),
    }  # fmt: skip


def ds_square_exp(m: ModuleType) -> dict[str, Any]:
    """Square and Exp, which some later files keep (step 27's core_simple.py): values and gradients."""
    r = _rng(16)
    out: dict[str, Any] = {}
    for name in ("Square", "Exp"):
        x = m.Variable(r.normal(size=(2, 3)))
        # a package keeps them in its core module without exporting them
        cls = next(getattr(mod, name) for mod in (m, getattr(m, "core", m), getattr(m, "core_simple", m))
                   if hasattr(mod, name))  # fmt: skip
        y = cls()(x) * np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
        out.update({f"{name}_{k}": v for k, v in _grads(m, [x], y).items()})  # backward seeds ones
    return out


def ds_second_order(m: ModuleType) -> dict[str, Any]:
    """Step 33: Newton's method on x**4 - 2x**2 from 2.0, two iterations, through create_graph."""
    x = _V(m, 2.0)
    seen = []
    for _ in range(2):
        y = x**4 - 2 * x**2
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        gx2 = x.grad
        seen += [_d(y.data), _d(gx.data), _d(gx2.data)]
        x.data = x.data - _d(gx.data) / _d(gx2.data)
    return {"seen": np.array(seen, dtype=float), "x": _d(x.data)}


def ds_trig(m: ModuleType) -> dict[str, Any]:
    """Steps 34-35: sin, cos and tanh on an array, first and second derivatives (and tanh's third)."""
    F = _F(m)
    out: dict[str, Any] = {}
    for name in ("sin", "cos", "tanh"):
        x = m.Variable(np.array([-1.2, 0.3, 2.0]))
        y = getattr(F, name)(x)
        y.backward(create_graph=True)
        seen = [_d(y.data), _d(x.grad.data)]
        for _ in range(2 if name == "tanh" else 1):
            gx = x.grad
            x.cleargrad()
            gx.backward(create_graph=True)
            seen.append(_d(x.grad.data))
        out[name] = np.array(seen, dtype=float)
    return out


def ds_double_backprop(m: ModuleType) -> dict[str, Any]:
    """Step 36: y = x**2, gx = dy/dx kept as a Variable, z = gx**3 + y, z.backward() (the book's 100.0 at 2),
    and the same pattern through * and / (x * x, x / c), so each Function's backward is built of Variables."""
    out: dict[str, Any] = {}
    for name, f in (("pow", lambda x: x**2), ("mul", lambda x: x * x * 1.5), ("div", lambda x: x * x / 3.0)):
        x = _V(m, 2.0)
        y = f(x)
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        z = gx**3 + y
        z.backward()
        out.update({name + "_gx": _d(gx.data), name + "_z": _d(z.data), name + "_x_grad": _d(x.grad)})
    return out


def ds_get_item_softmax(m: ModuleType) -> dict[str, Any]:
    """Step 47: get_item (an int, a repeated index list, a slice; Variable's [] too) with a non-uniform
    upstream and a second derivative through GetItemGrad; softmax and its _simple form;
    softmax_cross_entropy and its _simple form, under a loss gradient not 1."""
    F = _F(m)
    r = _rng(47)
    out: dict[str, Any] = {}
    for key, slices in (("int", 1), ("repeat", np.array([0, 0, 2, 1])), ("slice", np.s_[:, 1:])):
        x = m.Variable(r.normal(size=(3, 4)))
        y = F.get_item(x, slices)
        c = m.Variable(r.normal(size=y.shape))
        z = F.sum(y**2 * c)
        z.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        F.sum(gx * m.Variable(r.normal(size=(3, 4)))).backward()
        out.update({f"get_{key}": _d(y.data), f"get_{key}_gx": _d(gx.data), f"get_{key}_ggx": _d(x.grad)})
    x = m.Variable(r.normal(size=(3, 4)))
    y = x[np.array([2, 2])]
    (F.sum(y * m.Variable(r.normal(size=(2, 4))))).backward()
    out.update({"bracket": _d(y.data), "bracket_gx": _d(x.grad)})
    for name in ("softmax", "softmax_simple"):
        if not hasattr(F, name):
            continue
        x = m.Variable(r.normal(size=(3, 4)))
        p = getattr(F, name)(x)
        F.sum(p * m.Variable(r.normal(size=(3, 4)))).backward()
        out.update({name: _d(p.data), name + "_gx": _d(x.grad)})
    t = np.array([2, 0, 1, 3, 0])
    for name in ("softmax_cross_entropy", "softmax_cross_entropy_simple"):
        if not hasattr(F, name):
            continue
        x = m.Variable(r.normal(size=(5, 4)) * 3.0)
        loss = getattr(F, name)(x, t)
        (loss * 0.4).backward()
        out.update({name: _d(loss.data), name + "_gx": _d(x.grad)})
    return out


def _grads(m: ModuleType, xs: list[Any], y: Any) -> dict[str, Any]:
    y.backward()
    return {"y": _d(y.data), **{f"g{i}": _d(x.grad) for i, x in enumerate(xs)}}


def ds_reshape(m: ModuleType) -> dict[str, Any]:
    """Step 38: reshape and transpose, as functions and as Variable methods, with a non-uniform upstream."""
    r = _rng(7)
    F = _F(m)
    x0, x1 = m.Variable(r.normal(size=(2, 3))), m.Variable(r.normal(size=(2, 3)))
    c = m.Variable(r.normal(size=(6,)))
    y = F.reshape(x0, (6,)) * c + x1.reshape(3, 2).reshape((6,)) * c
    t = m.Variable(r.normal(size=(3, 2)))
    z = F.transpose(x0) * t + x1.T * t + x0.transpose() * t
    out = {"y": _d(y.data), "z": _d(z.data)}
    y.backward()
    z.backward()
    return {**out, "g0": _d(x0.grad), "g1": _d(x1.grad)}


def ds_sum_broadcast(m: ModuleType) -> dict[str, Any]:
    """Steps 39-40: sum with axis and keepdims, broadcast_to, sum_to, and broadcasting + - * / grads."""
    r = _rng(8)
    F = _F(m)
    out: dict[str, Any] = {}
    # Each function on fresh variables: summed into one graph, a gradient of the wrong shape would be
    # broadcast back into the right one by the accumulation of another part's gradient.
    parts = {
        "sum": (lambda x: F.sum(x * x), (2, 3)),
        "sum_axis": (lambda x: F.sum(F.sum(x, axis=0) * np.arange(3.0)), (2, 3)),
        "sum_axis1": (lambda x: F.sum(F.sum(x, axis=1) * np.array([2.0, -1.0])), (2, 3)),
        "sum_keepdims": (lambda x: F.sum(x.sum(axis=1, keepdims=True) * np.array([[2.0], [-1.0]])), (2, 3)),
        "broadcast_to": (lambda w: F.sum(F.broadcast_to(w, (3, 4)) * np.arange(12.0).reshape(3, 4)), (3, 1)),
        "sum_to": (lambda x: F.sum(F.sum_to(x, (1, 3)) * np.array([[1.0, -2.0, 0.5]])), (2, 3)),
    }
    for key, (f, shape) in parts.items():
        x = m.Variable(r.normal(size=shape))
        out.update({f"{key}_{k}": v for k, v in _grads(m, [x], f(x)).items()})
    a, b = m.Variable(r.normal(size=(2, 3))), m.Variable(r.normal(size=(3,)))
    c = m.Variable(np.array(1.5))
    y = F.sum((a + b) * b - a / (c + 2.0) + (b - a) * c)
    out.update({"b" + k: v for k, v in _grads(m, [a, b, c], y).items()})
    return out


def ds_matmul(m: ModuleType) -> dict[str, Any]:
    """Step 41: matmul of (2, 3) by (3, 4) and a vector by a matrix, with an upstream of different values."""
    r = _rng(9)
    F = _F(m)
    x, W = m.Variable(r.normal(size=(2, 3))), m.Variable(r.normal(size=(3, 4)))
    up = r.normal(size=(2, 4))
    y = F.sum(F.matmul(x, W) * up)
    return _grads(m, [x, W], y)


def ds_regression(m: ModuleType) -> dict[str, Any]:
    """Step 42: mean_squared_error's value and grads, and 3 steps of the book's linear regression."""
    r = _rng(10)
    F = _F(m)
    x0, x1 = m.Variable(r.normal(size=(5, 1))), m.Variable(r.normal(size=(5, 1)))
    out = _grads(m, [x0, x1], F.mean_squared_error(x0, x1))
    x, t = r.normal(size=(20, 1)), r.normal(size=(20, 1))
    W, b = m.Variable(np.zeros((1, 1))), m.Variable(np.zeros(1))
    losses = []
    for _ in range(3):
        loss = F.mean_squared_error(F.matmul(x, W) + b, t)
        W.cleargrad()
        b.cleargrad()
        loss.backward()
        W.data -= 0.1 * _d(W.grad)
        b.data -= 0.1 * _d(b.grad)
        losses.append(float(_d(loss.data)))
    return {**out, "losses": np.array(losses), "W": W.data, "b": b.data}


def ds_graph(m: ModuleType) -> dict[str, Any]:
    """Steps 16-18 on the later code: a diamond, retain_grad off and on, no_grad, Variable(1.0) refused."""
    x = _V(m, 2.0)
    a = x**2
    y = a**2 + a**2
    y.backward()
    out: dict[str, Any] = {"y": _d(y.data), "gx": _d(x.grad), "a_grad_none": a.grad is None}
    x.cleargrad()
    y = (x * x) * x
    y.backward(retain_grad=True)
    out["kept"] = _d(y.creator.inputs[0].grad)
    with m.no_grad():
        out["creator_inside"] = (x * 2.0).creator is not None
    out["creator_outside"] = (x * 2.0).creator is not None
    try:
        m.Variable(1.0)
        out["refused"] = False
    except TypeError:
        out["refused"] = True
    return out


# ------------------------------------------------------------------------------------- DeZero, steps 43-46
# Steps 44-46 live in the package's submodules (dezero.layers, dezero.models, dezero.optimizers): looked up by
# name, so a step without them raises ModuleNotFoundError in the original and the variant alike. Layers draw
# their W with np.random.randn, so each scenario seeds numpy's global generator first. `params()` yields from
# a set of attribute names, whose order changes with the interpreter's hash seed: params are recorded by the
# attribute that holds them, and what params() yields as a set of those attribute paths.
def _sub(m: ModuleType, name: str) -> ModuleType:
    return importlib.import_module(f"{m.__name__}.{name}")


def _param_paths(layer: Any, yielded: Any) -> Any:
    """The attribute paths ("l0.W") of what `yielded` holds, sorted, as character codes: a value that is no
    attribute of the layer tree is "?", a repeat is listed twice."""
    where: dict[int, str] = {}

    def walk(obj: Any, prefix: str) -> None:
        for name, value in sorted(vars(obj).items()):
            if name.startswith("_") or name in ("inputs", "outputs"):
                continue
            if hasattr(value, "data") and hasattr(value, "grad"):
                where.setdefault(id(value), prefix + name)
            elif hasattr(value, "params") and hasattr(value, "__dict__") and value is not obj:
                walk(value, f"{prefix}{name}.")

    walk(layer, "")
    return _codes(",".join(sorted(where.get(id(p), "?") for p in yielded)))


def _layer_values(layer: Any, prefix: str = "") -> dict[str, Any]:
    """Every Parameter's data and grad under the layer (nested layers by attribute), by attribute path."""
    out: dict[str, Any] = {}
    for name, value in sorted(vars(layer).items()):
        if name.startswith("_") or name in ("inputs", "outputs"):
            continue
        if hasattr(value, "data") and hasattr(value, "grad"):
            out[f"{prefix}{name}"] = value.data
            out[f"{prefix}{name}_grad"] = None if value.grad is None else _d(value.grad)
        elif hasattr(value, "params") and hasattr(value, "__dict__") and value is not layer:
            out.update(_layer_values(value, f"{prefix}{name}."))
    return out


def ds_linear_sigmoid(m: ModuleType) -> dict[str, Any]:
    """Step 43: linear with and without a bias, linear_simple, sigmoid (values and grads, a non-uniform
    upstream), and 3 steps of the book's two-layer regression on a sine."""
    r = _rng(17)
    F = _F(m)
    out: dict[str, Any] = {}
    up = r.normal(size=(4, 3))
    for key, f in (
        ("linear", lambda x, W, b: F.linear(x, W, b)),
        ("linear_nobias", lambda x, W, b: F.linear(x, W)),
        ("linear_simple", lambda x, W, b: F.linear_simple(x, W, b)),
    ):
        x, W, b = (
            m.Variable(r.normal(size=(4, 2))),
            m.Variable(r.normal(size=(2, 3))),
            m.Variable(r.normal(size=3)),
        )
        y = F.sum(f(x, W, b) * up)
        out.update({f"{key}_{k}": v for k, v in _grads(m, [x, W, b], y).items()})
    x = m.Variable(r.normal(size=(3, 4)) * 2)
    y = F.sigmoid(x)
    out["sigmoid"] = _d(y.data)
    F.sum(y * r.normal(size=(3, 4))).backward()
    out["sigmoid_gx"] = _d(x.grad)
    x, t = r.random(size=(20, 1)), r.normal(size=(20, 1))
    W1, b1 = m.Variable(0.5 * r.normal(size=(1, 5))), m.Variable(np.zeros(5))
    W2, b2 = m.Variable(0.5 * r.normal(size=(5, 1))), m.Variable(np.zeros(1))
    losses = []
    for _ in range(3):
        loss = F.mean_squared_error(t, F.linear(F.sigmoid(F.linear(x, W1, b1)), W2, b2))
        for p in (W1, b1, W2, b2):
            p.cleargrad()
        loss.backward()
        for p in (W1, b1, W2, b2):
            p.data -= 0.2 * _d(p.grad)
        losses.append(float(_d(loss.data)))
    out.update(losses=np.array(losses), W1=W1.data, b1=b1.data, W2=W2.data, b2=b2.data)
    return out


def ds_layer(m: ModuleType) -> dict[str, Any]:
    """Step 44: L.Linear built lazily (W drawn at the first call), with in_size, and without a bias; params(),
    cleargrads(), and 3 steps of the book's sine regression with two Linear layers updated by hand."""
    L, F = _sub(m, "layers"), _F(m)
    r = _rng(18)
    np.random.seed(18)
    out: dict[str, Any] = {}
    lazy = L.Linear(3)
    out["lazy_W_before"] = lazy.W.data is None
    x = r.normal(size=(4, 2))
    y = lazy(x)
    up = r.normal(size=(4, 3))
    F.sum(y * up).backward()
    out.update(lazy_y=_d(y.data), **{f"lazy_{k}": v for k, v in _layer_values(lazy).items()})
    out["lazy_params"] = _param_paths(lazy, lazy.params())
    lazy.cleargrads()
    out["lazy_cleared"] = all(p.grad is None for p in (lazy.W, lazy.b))
    sized = L.Linear(2, in_size=3)
    out["sized_W"] = sized.W.data
    nob = L.Linear(2, nobias=True)
    yn = nob(m.Variable(r.normal(size=(5, 3))))
    F.sum(yn * r.normal(size=(5, 2))).backward()
    out.update(
        nobias_y=_d(yn.data), nobias_b_none=nob.b is None, nobias_params=_param_paths(nob, nob.params())
    )
    out.update({f"nobias_{k}": v for k, v in _layer_values(nob).items()})
    xs, ts = r.random(size=(20, 1)), r.normal(size=(20, 1))
    l1, l2 = L.Linear(6), L.Linear(1)
    losses = []
    for _ in range(3):
        loss = F.mean_squared_error(ts, l2(F.sigmoid(l1(xs))))
        l1.cleargrads()
        l2.cleargrads()
        loss.backward()
        for layer in (l1, l2):
            for p in layer.params():
                p.data -= 0.2 * p.grad.data
        losses.append(float(_d(loss.data)))
    out["losses"] = np.array(losses)
    out.update({f"l1_{k}": v for k, v in _layer_values(l1).items()})
    out.update({f"l2_{k}": v for k, v in _layer_values(l2).items()})
    return out


def _two_layer(m: ModuleType) -> Any:
    """Step 45's TwoLayerNet: a Model holding two L.Linear."""
    L, F = _sub(m, "layers"), _F(m)

    class TwoLayerNet(m.Model):  # type: ignore[name-defined,misc]
        def __init__(self, hidden: int, out: int) -> None:
            super().__init__()
            self.l1 = L.Linear(hidden)
            self.l2 = L.Linear(out)

        def forward(self, x: Any) -> Any:
            return self.l2(F.sigmoid(self.l1(x)))

    return TwoLayerNet


def ds_model(m: ModuleType) -> dict[str, Any]:
    """Step 45: a Layer holding Layers (params() recursive, cleargrads() of all), a Model subclass as the
    book's TwoLayerNet, and MLP with its default sigmoid and with tanh over three layers."""
    F, models = _F(m), _sub(m, "models")
    r = _rng(19)
    np.random.seed(19)
    out: dict[str, Any] = {}
    x = r.normal(size=(4, 3))
    nets = {
        "two": _two_layer(m)(5, 2),
        "mlp": models.MLP((5, 2)),
        "mlp_tanh": models.MLP((4, 3, 2), activation=F.tanh),
    }
    for key, net in nets.items():
        y = net(x)
        F.sum(y * r.normal(size=(4, 2))).backward()
        out[f"{key}_y"] = _d(y.data)
        out.update({f"{key}_{k}": v for k, v in _layer_values(net).items()})
        out[f"{key}_params"] = _param_paths(net, net.params())
        net.cleargrads()
        out[f"{key}_cleared"] = all(p.grad is None for p in net.params())
    return out


def ds_optimizers(m: ModuleType) -> dict[str, Any]:
    """Step 46: SGD and MomentumSGD (3 updates, so the velocity carries) on an MLP, the book's loop (model
    cleargrads, backward, update); a layer the loss does not reach (grad None) is left alone; a hook runs on
    the params before the update."""
    F, models, opt = _F(m), _sub(m, "models"), _sub(m, "optimizers")
    r = _rng(20)
    out: dict[str, Any] = {}
    xs, ts = r.random(size=(10, 1)), r.normal(size=(10, 1))
    for key, make in (
        ("sgd", lambda: opt.SGD(0.2)),
        ("momentum", lambda: opt.MomentumSGD(0.1, momentum=0.8)),
        ("momentum_default", lambda: opt.MomentumSGD()),
    ):
        np.random.seed(20)
        model = models.MLP((4, 1))
        model.unused = _sub(m, "layers").Linear(2, in_size=2)
        optimizer = make().setup(model)
        seen: list[int] = []
        optimizer.add_hook(lambda params, seen=seen: seen.append(len(params)))
        losses = []
        for _ in range(3):
            loss = F.mean_squared_error(ts, model(xs))
            model.cleargrads()
            loss.backward()
            optimizer.update()
            losses.append(float(_d(loss.data)))
        out[f"{key}_losses"] = np.array(losses)
        out[f"{key}_hook"] = np.array(seen, dtype=float)
        out.update({f"{key}_{k}": v for k, v in _layer_values(model).items() if not k.endswith("_grad")})
    return out


# ------------------------------------------------------------------------------------- layers, chapters 6-7
def ad_dropout(m: ModuleType) -> dict[str, Any]:
    """Dropout: training (seeded mask) forward and backward, then test-time forward."""
    r = _rng(11)
    x, dout = r.normal(size=(4, 6)), r.normal(size=(4, 6))
    layer = m.Dropout(0.3)
    np.random.seed(11)
    out = {"train": layer.forward(x, train_flg=True), "dx": layer.backward(dout)}
    out["test"] = layer.forward(x, train_flg=False)
    return out


def ad_batchnorm(m: ModuleType) -> dict[str, Any]:
    """BatchNormalization: two training batches (running stats), backward, then inference; 2-D and 4-D."""
    r = _rng(12)
    out: dict[str, Any] = {}
    for key, shape, d in (("2d", (5, 4), 4), ("4d", (3, 2, 2, 2), 8)):
        bn = m.BatchNormalization(r.normal(size=d), r.normal(size=d))
        bn.forward(r.normal(size=shape) * 2 + 1, train_flg=True)
        x = r.normal(size=shape) * 3 - 1
        out[key] = bn.forward(x, train_flg=True)
        out[key + "_dx"] = bn.backward(r.normal(size=shape))
        out[key + "_dgamma"], out[key + "_dbeta"] = bn.dgamma, bn.dbeta
        out[key + "_test"] = bn.forward(r.normal(size=shape), train_flg=False)
    return out


def ad_convolution(m: ModuleType) -> dict[str, Any]:
    """Convolution with stride 1 and pad 1, stride 2 and pad 0, and a 3x2 filter over a 7x10 input at stride 2
    pad 1 (the size convolution-rect-unit grades; at 6x9 out_w from FH equalled the right one, (9+2-3)//2+1 =
    5 = (9+2-2)//2+1: review of s21-mut, 3) and over a 5x6 input at stride 1 (where out_h from FW differs
    too): out, dx, dW, db."""
    r = _rng(13)
    out: dict[str, Any] = {}
    for key, stride, pad, fhw, hw in (
        ("s1p1", 1, 1, (3, 3), (5, 5)),
        ("s2p0", 2, 0, (3, 3), (5, 5)),
        ("rect", 2, 1, (3, 2), (7, 10)),
        ("rect_s1", 1, 0, (3, 2), (5, 6)),
    ):
        W, b = r.normal(size=(3, 2, *fhw)), r.normal(size=3)
        conv = m.Convolution(W, b, stride=stride, pad=pad)
        x = r.normal(size=(2, 2, *hw))
        y = conv.forward(x)
        out[key] = y
        out[key + "_dx"] = conv.backward(r.normal(size=np.shape(y)))
        out[key + "_dW"], out[key + "_db"] = conv.dW, conv.db
    return out


def ad_pooling(m: ModuleType) -> dict[str, Any]:
    """Max pooling 2x2 stride 2, 3x3 stride 1 (overlapping windows; the book's Pooling ignores pad in its
    output size), and a 3x2 window over a 7x10 input at stride 2 (the size pooling-rect-unit grades; at 6x9
    out_w from pool_h equalled the right one, (9-3)//2+1 = 4 = (9-2)//2+1: review of s21-mut, 3) and over a
    5x6 input at stride 1 (where out_h from pool_w differs too, 4 against 3): out and dx."""
    r = _rng(14)
    out: dict[str, Any] = {}
    for key, (ph, pw, stride, pad), hw in (
        ("2x2", (2, 2, 2, 0), (4, 4)),
        ("3x3", (3, 3, 1, 0), (4, 4)),
        ("rect", (3, 2, 2, 0), (7, 10)),
        ("rect_s1", (3, 2, 1, 0), (5, 6)),
    ):
        pool = m.Pooling(ph, pw, stride=stride, pad=pad)
        y = pool.forward(r.normal(size=(2, 3, *hw)))
        out[key] = y
        out[key + "_dx"] = pool.backward(r.normal(size=np.shape(y)))
    return out


def ad_simple_conv_net(m: ModuleType) -> dict[str, Any]:
    """SimpleConvNet on 8x8 inputs: loss, then gradient on a fresh batch (as train_convnet.py does)."""
    np.random.seed(15)
    conv = {"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1}
    net = m.SimpleConvNet(
        input_dim=(1, 8, 8), conv_param=conv, hidden_size=5, output_size=4, weight_init_std=0.3
    )
    r = _rng(15)
    x1, t1 = r.normal(size=(3, 1, 8, 8)), np.array([0, 1, 3])
    x2, t2 = r.normal(size=(3, 1, 8, 8)), np.array([2, 2, 1])
    out: dict[str, Any] = {"loss": net.loss(x1, t1)}
    grads = net.gradient(x2, t2)
    out.update({k: grads[k] for k in sorted(grads)})
    return out


def ad_multi_layer_net_extend(m: ModuleType) -> dict[str, Any]:
    """MultiLayerNetExtend with batch normalization (relu and sigmoid, weight decay): the params replaced in
    place with drawn values, gradient on two training batches (running statistics move), then loss and
    predict at test time, as the book's batch_norm_test.py and overfit_weight_decay.py do; use_batchNorm
    spelt either way."""
    r = _rng(18)
    out: dict[str, Any] = {}
    for key, act, sizes, decay in (("relu", "relu", [6, 5], 0.1), ("sigmoid", "sigmoid", [4, 6, 3], 0.0)):
        kwargs = {"activation": act, "weight_decay_lambda": decay}
        try:
            net = m.MultiLayerNetExtend(5, sizes, 3, use_batchnorm=True, **kwargs)
        except TypeError:
            net = m.MultiLayerNetExtend(5, sizes, 3, use_batchNorm=True, **kwargs)
        for name in sorted(net.params):
            value = net.params[name]
            value[...] = r.normal(size=value.shape) * (1.0 if name[0] in "Wg" else 0.5) + (name[0] == "g")
        for step in range(2):
            x, t = r.normal(size=(8, 5)) * 2.0, r.integers(0, 3, size=8)
            grads = net.gradient(x, t)
            out.update({f"{key}_{step}_{k}": v for k, v in sorted(grads.items())})
        x, t = r.normal(size=(6, 5)), np.eye(3)[r.integers(0, 3, size=6)]
        out[f"{key}_test_loss"] = net.loss(x, t)
        out[f"{key}_test_predict"] = net.predict(x, train_flg=False)
        out[f"{key}_train_loss"] = net.loss(x, t, train_flg=True)
    return out


# ------------------------------------------------------------------------------ DLFS chapter 6: optimizers
def op_updates(m: ModuleType) -> dict[str, Any]:
    """common/optimizer.py: each optimizer with its defaults and with chosen arguments, 3 updates of a
    params dict (grads new each step, one entry exactly zero as a dead ReLU gives), as train_neuralnet.py
    does: the arrays are updated where they are (the layers hold them), the grads are left alone."""
    r = _rng(21)
    out: dict[str, Any] = {}
    chosen = {
        "SGD": {"lr": 0.1},
        "Momentum": {"lr": 0.1, "momentum": 0.8},
        "Nesterov": {"lr": 0.1, "momentum": 0.8},
        "AdaGrad": {"lr": 0.1},
        "RMSprop": {"lr": 0.1, "decay_rate": 0.9},
        "Adam": {"lr": 0.1, "beta1": 0.8, "beta2": 0.9},
    }
    for name, kwargs in chosen.items():
        for key, args in (("default", {}), ("chosen", kwargs)):
            optimizer = getattr(m, name)(**args)
            params = {"W1": r.normal(size=(3, 4)), "b1": r.normal(size=4)}
            held = dict(params)  # what the layers hold
            seen = []
            for _ in range(3):
                grads = {"W1": r.normal(size=(3, 4)), "b1": r.normal(size=4)}
                grads["b1"][1] = 0.0
                kept = {k: v.copy() for k, v in grads.items()}
                optimizer.update(params, grads)
                seen += [params["W1"].copy(), params["b1"].copy()]
                out[f"{name}_{key}_grads_kept"] = all(np.array_equal(kept[k], grads[k]) for k in kept)
            out[f"{name}_{key}"] = np.concatenate([np.ravel(v) for v in seen])
            out[f"{name}_{key}_held"] = np.concatenate([np.ravel(held["W1"]), np.ravel(held["b1"])])
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
    "dezero-steps": {
        "operators": ds_operators,
        "documented": ds_documented,
        "graph": ds_graph,
        "properties": ds_properties,
        "square_exp": ds_square_exp,
        "second_order": ds_second_order,
        "trig": ds_trig,
        "reshape": ds_reshape,
        "sum_broadcast": ds_sum_broadcast,
        "matmul": ds_matmul,
        "regression": ds_regression,
        "linear_sigmoid": ds_linear_sigmoid,
        "layer": ds_layer,
        "model": ds_model,
        "optimizers": ds_optimizers,
        "double_backprop": ds_double_backprop,
        "get_item_softmax": ds_get_item_softmax,
    },
    "dlfs-advanced": {
        "dropout": ad_dropout,
        "batchnorm": ad_batchnorm,
        "convolution": ad_convolution,
        "pooling": ad_pooling,
        "simple_conv_net": ad_simple_conv_net,
    },
    "dlfs-optimizers": {"updates": op_updates},
    "mf-quiz": {"add": mfq_add, "linear": mfq_linear, "transform": mfq_transform},
    "dlfs-mlnx": {"multi_layer_net_extend": ad_multi_layer_net_extend},
}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | np.bool_):
        return None if value is None else bool(value)
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return {"unreadable": type(value).__name__}
    return {"shape": list(a.shape), "data": [repr(float(v)) for v in a.ravel()]}


# The book's common/functions.py and common/util.py, which a chapter-7 layers file imports: written here so
# the drivers need neither the grader's stand-ins nor a sample's copy.
def _softmax(x: Any) -> Any:
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def _cross_entropy_error(y: Any, t: Any) -> Any:
    if y.ndim == 1:
        t, y = t.reshape(1, t.size), y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    return -np.sum(np.log(y[np.arange(y.shape[0]), t] + 1e-7)) / y.shape[0]


def _out_size(n: int, f: int, stride: int, pad: int) -> int:
    return (n + 2 * pad - f) // stride + 1


def _im2col(x: Any, fh: int, fw: int, stride: int = 1, pad: int = 0) -> Any:
    N, C, H, W = x.shape
    oh, ow = _out_size(H, fh, stride, pad), _out_size(W, fw, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((N, C, fh, fw, oh, ow))
    for i in range(fh):
        for j in range(fw):
            col[:, :, i, j] = img[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * oh * ow, -1)


def _col2im(col: Any, shape: Any, fh: int, fw: int, stride: int = 1, pad: int = 0) -> Any:
    N, C, H, W = shape
    oh, ow = _out_size(H, fh, stride, pad), _out_size(W, fw, stride, pad)
    col = col.reshape(N, oh, ow, C, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for i in range(fh):
        for j in range(fw):
            img[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride] += col[:, :, i, j]
    return img[:, :, pad : H + pad, pad : W + pad]


class _Sigmoid:
    """The book's chapter-5 Sigmoid (correct.py has none), for MultiLayerNetExtend's sigmoid activation."""

    def forward(self, x: Any) -> Any:
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout: Any) -> Any:
        return dout * (1.0 - self.out) * self.out


def _install_book_common(layers: bool = False) -> None:
    common, functions, util = (ModuleType(n) for n in ("common", "common.functions", "common.util"))
    functions.softmax, functions.cross_entropy_error = _softmax, _cross_entropy_error  # type: ignore[attr-defined]
    util.im2col, util.col2im = _im2col, _col2im  # type: ignore[attr-defined]
    common.functions, common.util = functions, util  # type: ignore[attr-defined]
    common.__path__ = []  # a package, so that `from common.util import ...` is looked up in sys.modules
    sys.modules.update({"common": common, "common.functions": functions, "common.util": util})
    if layers:  # a network file's common.layers: the unmutated dlfs-advanced sample, with a Sigmoid
        spec = importlib.util.spec_from_file_location(
            "common.layers", Path(__file__).resolve().parents[2] / "submissions/dlfs-advanced/correct.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.Sigmoid = _Sigmoid  # type: ignore[attr-defined]
        gradient = ModuleType("common.gradient")
        gradient.numerical_gradient = lambda f, x: np.zeros_like(x)  # type: ignore[attr-defined]
        common.layers, common.gradient = module, gradient  # type: ignore[attr-defined]
        sys.modules.update({"common.layers": module, "common.gradient": gradient})


def _load(path: str, package: str | None) -> ModuleType:
    """The variant as a module: the file, or the folder's package (with its `functions` when it has one)."""
    if package is not None:
        sys.path.insert(0, path)
        if package.startswith("common."):  # the folder's own common/ modules, the drivers' for the rest
            folder = Path(path) / "common"
            for name in [n for n in sys.modules if n.startswith("common.")]:
                if (folder / f"{name.removeprefix('common.')}.py").exists():
                    del sys.modules[name]
            sys.modules["common"].__path__ = [str(folder)]
        module = importlib.import_module(package)
        with contextlib.suppress(ImportError):  # before step 35 there is none
            importlib.import_module(f"{package}.functions")
        return module
    spec = importlib.util.spec_from_file_location("variant", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(family: str, path: str, package: str | None = None) -> dict[str, Any]:
    """Import the variant as a fresh module and run every scenario of the family, each on its own."""
    _install_book_common(layers=family == "dlfs-mlnx")
    try:
        module = _load(path, package)
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
    result = json.dumps(run(sys.argv[1], sys.argv[2], *sys.argv[4:5]))
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        out.write(result)
