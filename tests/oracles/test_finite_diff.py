"""Vectorised per-element finite differences: equal a plain loop, catch one wrong element."""

from __future__ import annotations

import numpy as np
import pytest

from grader.oracles import finite_diff as fd


def linear_unit(rows=5, n_in=40, n_out=25, seed=0):
    """A MiniFlow Linear unit case whose W has n_in * n_out elements (1,000 by default)."""
    rng = np.random.default_rng(seed)
    inputs = {
        "X": rng.standard_normal((rows, n_in)),
        "W": rng.standard_normal((n_in, n_out)) * 0.2,
        "b": rng.standard_normal(n_out),
        "G": rng.standard_normal((rows, n_out)),
    }
    steps = [
        {"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"},
        {"do": "backward_local", "of": "f", "upstream": "G"},
        {"do": "record", "key": "dX", "grad_of": "X", "via": "f"},
        {"do": "record", "key": "dW", "grad_of": "W", "via": "f"},
        {"do": "record", "key": "db", "grad_of": "b", "via": "f"},
    ]
    # Hand-derived vector-Jacobian products of sum(G * (X @ W + b)).
    X, W, G = inputs["X"], inputs["W"], inputs["G"]
    analytic = {"dX": G @ W.T, "dW": X.T @ G, "db": G.sum(axis=0)}
    return inputs, steps, analytic


def test_correct_gradients_of_1000_elements_pass():
    """Hand-derived gradients (dW has 1,000 elements) all agree with finite differences."""
    inputs, steps, analytic = linear_unit()
    assert analytic["dW"].size == 1000
    checks = fd.check_case(inputs, steps, analytic)
    assert [c.key for c in checks] == ["dW", "dX", "db"]
    assert all(c.ok for c in checks), [c.message for c in checks]


@pytest.mark.parametrize("flat_index", [0, 517, 999])
def test_one_wrong_element_among_1000_is_caught(flat_index):
    """One element of dW off by 1e-3 (relative) anywhere is caught, with its index and both numbers."""
    inputs, steps, analytic = linear_unit()
    wrong = analytic["dW"].copy()
    idx = np.unravel_index(flat_index, wrong.shape)
    wrong[idx] *= 1.001
    checks = {c.key: c for c in fd.check_case(inputs, steps, {**analytic, "dW": wrong})}
    bad = checks["dW"]
    assert not bad.ok and bad.mismatches == 1
    assert bad.worst_index == tuple(int(i) for i in idx)
    assert bad.analytic == wrong[idx]
    assert bad.numeric == pytest.approx(analytic["dW"][idx], rel=1e-7)
    assert f"worst at {list(bad.worst_index)}" in bad.message and repr(bad.analytic) in bad.message
    assert checks["dX"].ok and checks["db"].ok  # the other gradients are untouched


def test_batched_differences_equal_a_plain_loop():
    """Per-element exactness: the stacked evaluation gives the same numbers as one graph call per element."""
    inputs, steps, _ = linear_unit(rows=3, n_in=4, n_out=3)
    objective = fd.objective_of(inputs, steps)
    h_rel = fd.TOLERANCES["step"]
    W = inputs["W"]
    loop = np.empty_like(W)
    for i in np.ndindex(W.shape):  # the naive oracle: one objective call per perturbed element
        h = h_rel * max(1.0, abs(W[i]))
        plus, minus = W.copy(), W.copy()
        plus[i] += h
        minus[i] -= h
        batch = {k: v[None] for k, v in inputs.items() if k != "W"}
        lp = objective({**batch, "W": plus[None]})[0]
        lm = objective({**batch, "W": minus[None]})[0]
        loop[i] = (lp - lm) / (plus[i] - minus[i])
    np.testing.assert_array_equal(fd.numeric_gradient(objective, inputs, "W"), loop)


def test_chunking_does_not_change_the_result():
    """Evaluating the perturbations in small chunks gives the same gradient as one big batch."""
    inputs, steps, _ = linear_unit(rows=3, n_in=6, n_out=5)
    objective = fd.objective_of(inputs, steps)
    np.testing.assert_array_equal(
        fd.numeric_gradient(objective, inputs, "W", chunk=7), fd.numeric_gradient(objective, inputs, "W")
    )


def test_relative_error_is_cs231n():
    """|a - n| / max(|a| + |n|, tiny): hand values, and 0 for two exact zeros."""
    err = fd.relative_error(np.array([1.0, 0.0, -2.0]), np.array([1.5, 0.0, 2.0]))
    np.testing.assert_allclose(err, [0.2, 0.0, 1.0])


def test_graph_case_with_shared_input_sums_both_paths():
    """A DeZero graph y = add(square(x), add(x, exp(x))): d/dx = 2x + 1 + exp(x) (hand-derived) passes."""
    x = np.array([[0.3, -1.2, 0.5], [2.0, -0.1, 0.7]])
    steps = [
        {"do": "apply", "op": "Square", "args": ["x"], "out": "a"},
        {"do": "apply", "op": "Exp", "args": ["x"], "out": "e"},
        {"do": "apply", "op": "Add", "args": ["x", "e"], "out": "s"},
        {"do": "apply", "op": "Add", "args": ["a", "s"], "out": "y"},
        {"do": "backward", "of": "y"},
        {"do": "record", "key": "dx", "grad_of": "x"},
    ]
    (good,) = fd.check_case({"x": x}, steps, {"dx": 2 * x + 1 + np.exp(x)})
    (bad,) = fd.check_case({"x": x}, steps, {"dx": 2 * x + np.exp(x)})  # one path forgotten
    assert good.ok and not bad.ok and bad.mismatches == x.size


def test_softmax_with_labels_matches_hand_gradient():
    """SoftmaxWithLoss with labels: (softmax(x) - onehot(t)) / N passes; the sign-flipped one fails."""
    x = np.array([[0.2, -0.5, 1.0], [0.3, 0.1, -0.4]])
    t = np.array([2.0, 0.0])
    steps = [
        {"do": "apply", "op": "SoftmaxWithLoss", "args": ["x", "t"], "out": "loss"},
        {"do": "backward_local", "of": "loss"},
        {"do": "record", "key": "dx", "grad_of": "x", "via": "loss"},
    ]
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    right = (p - np.eye(3)[[2, 0]]) / 2
    assert fd.check_case({"x": x, "t": t}, steps, {"dx": right})[0].ok
    assert not fd.check_case({"x": x, "t": t}, steps, {"dx": -right})[0].ok


def test_two_layer_net_predict_gradients_are_checkable():
    """TwoLayerNet.predict has a batched forward: the vjp of the reference op passes, one with W2's gradient
    doubled fails."""
    from reference.ops import OPS

    rng = np.random.default_rng(5)
    inputs = {
        "x": np.array([[1.0, 0.0], [2.0, 1.5], [0.0, 3.0]]),  # x @ W1 + b1 stays 0.5 or more from Relu's kink
        "W1": np.array([[1.0, -0.5], [-0.5, 1.0]]),
        "b1": np.array([-0.5, 0.0]),
        "W2": rng.normal(size=(2, 3)),
        "b2": rng.normal(size=(3,)),
        "g": rng.normal(size=(3, 3)),
    }
    params = ["W1", "b1", "W2", "b2"]
    steps = [
        {"do": "apply", "op": "TwoLayerNet.predict", "args": ["x", *params], "out": "s"},
        {"do": "backward", "of": "s", "upstream": "g"},
        *({"do": "record", "key": "d" + k, "grad_of": k} for k in ("x", *params)),
    ]
    xs = [inputs[k] for k in ("x", *params)]
    op = OPS["two_layer_predict"]
    vjp = op.vjp(inputs["g"], *xs, y=op.forward(*xs))
    grads = dict(zip(["dx", "dW1", "db1", "dW2", "db2"], vjp, strict=True))
    assert all(c.ok for c in fd.check_case(inputs, steps, grads))
    bad = [c for c in fd.check_case(inputs, steps, {**grads, "dW2": 2 * grads["dW2"]}) if not c.ok]
    assert [c.key for c in bad] == ["dW2"]


def test_shape_mismatch_is_reported():
    """An analytic gradient with a different number of elements fails with both shapes in the message."""
    inputs, steps, analytic = linear_unit(rows=3, n_in=4, n_out=3)
    (check,) = [
        c for c in fd.check_case(inputs, steps, {**analytic, "dW": analytic["dW"][:2]}) if c.key == "dW"
    ]
    assert not check.ok and "(2, 3)" in check.message and "(4, 3)" in check.message


def test_two_backwards_are_not_checkable():
    """A behaviour program with two backward calls is refused, not silently half-checked."""
    steps = [
        {"do": "apply", "op": "Square", "args": ["x"], "out": "y"},
        {"do": "backward", "of": "y"},
        {"do": "backward", "of": "y"},
        {"do": "record", "key": "dx", "grad_of": "x"},
    ]
    with pytest.raises(fd.NotCheckable, match="exactly one backward"):
        fd.objective_of({"x": np.ones(3)}, steps)
