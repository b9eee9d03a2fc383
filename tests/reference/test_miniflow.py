"""reference.miniflow: the course's quiz output and the API's behaviour, used as a student's module is."""

from __future__ import annotations

import numpy as np

from reference.documented import DOCUMENTED
from reference.miniflow import (
    MSE,
    Input,
    Linear,
    Sigmoid,
    forward_and_backward,
    gradient_descent_update,
    sgd_update,
    topological_sort,
)


def _quiz():
    X, y, W, b = Input(), Input(), Input(), Input()
    cost = MSE(y, Sigmoid(Linear(X, W, b)))
    ins = DOCUMENTED["quiz-documented"].inputs
    feed = {X: ins["X"].copy(), y: ins["y"].copy(), W: ins["W"].copy(), b: ins["b"].copy()}
    return (X, y, W, b), cost, topological_sort(feed)


def test_quiz_documented_gradients():
    """The Sigmoid backward quiz prints X, y, W, b gradients as documented (y's has shape (2, 1))."""
    nodes, _, graph = _quiz()
    forward_and_backward(graph)
    expected = DOCUMENTED["quiz-documented"].expected
    for node, key in zip(nodes, ("dX", "dy", "dW", "db"), strict=True):
        want = np.array(expected[key])
        assert node.gradients[node].shape == want.shape, key
        np.testing.assert_allclose(node.gradients[node], want, rtol=1e-7, atol=0, err_msg=key)


def test_quiz_check_rejects_a_sign_flip():
    """Negative control: the documented comparison fails on a gradient with its sign flipped."""
    (X, *_), _, graph = _quiz()
    forward_and_backward(graph)
    want = np.array(DOCUMENTED["quiz-documented"].expected["dX"])
    assert not np.allclose(-X.gradients[X], want, rtol=1e-7, atol=0)


def test_sgd_update_and_gradient_descent():
    """sgd_update moves each trainable by -lr * its gradient; gradient_descent_update returns x - lr * g."""
    (_, _, W, b), _, graph = _quiz()
    forward_and_backward(graph)
    w0, dw = W.value.copy(), W.gradients[W].copy()
    sgd_update([W, b], learning_rate=0.5)
    np.testing.assert_array_equal(W.value, w0 - 0.5 * dw)
    assert gradient_descent_update(10.0, 4.0, 0.25) == 9.0


def test_two_consumers_sum_and_topological_order():
    """An Input feeding two Linear nodes sums both gradients; topological_sort puts inputs before users."""
    rng = np.random.default_rng(0)
    X, W1, W2, b = Input(), Input(), Input(), Input()
    o1, o2 = Linear(X, W1, b), Linear(X, W2, b)
    cost = MSE(o1, o2)
    vals = {X: rng.normal(size=(3, 2)), W1: rng.normal(size=(2, 1)), W2: rng.normal(size=(2, 1))}
    graph = topological_sort({**vals, b: np.zeros(1)})
    assert all(graph.index(n) < graph.index(m) for m in graph for n in m.inbound_nodes)
    forward_and_backward(graph)
    g = 2 / 3 * (o1.value - o2.value)  # hand-derived d cost / d o1
    np.testing.assert_allclose(X.gradients[X], g @ vals[W1].T - g @ vals[W2].T, rtol=1e-12)
    assert isinstance(cost.value, float)
