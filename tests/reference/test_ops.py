"""reference.ops: every op's vjp equals central finite differences of its forward (no torch needed)."""

from __future__ import annotations

import numpy as np
import pytest

from reference.ops import OPS, class_labels, one_hot, unbroadcast

RNG = np.random.default_rng(42)
# op -> inputs that keep Relu away from its kink and labels as integers.
INPUTS = {
    "linear": [RNG.normal(size=(3, 2, 2)), RNG.normal(size=(4, 5)), RNG.normal(size=(5,))],
    "sigmoid": [RNG.normal(size=(3, 4))],
    "relu": [np.array([[0.5, -0.7, 1.2], [-0.2, 0.9, -1.5]])],
    "mse": [RNG.normal(size=(4,)), RNG.normal(size=(4, 1))],
    "softmax_ce": [RNG.normal(size=(4, 3)), np.array([0.0, 2.0, 1.0, 2.0])],
    "mul": [RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))],
    "add": [RNG.normal(size=(2, 3)), RNG.normal(size=(3,))],
    "square": [RNG.normal(size=(2, 3))],
    "exp": [RNG.normal(size=(2, 3))],
    "neg": [RNG.normal(size=(2, 3))],
    "sub": [RNG.normal(size=(2, 3)), RNG.normal(size=(1, 3))],
    "div": [RNG.normal(size=(2, 3)), RNG.uniform(0.5, 2.0, size=(2, 3))],
    "pow": [RNG.uniform(0.5, 2.0, size=(2, 3))],  # exponent: the default c = 2 (the settings test: c = 3)
    "sin": [RNG.normal(size=(2, 3))],  # DeZero steps 27 to 35
    "cos": [RNG.normal(size=(2, 3))],
    "tanh": [RNG.normal(size=(2, 3))],
    "reshape": [RNG.normal(size=(2, 3))],  # DeZero steps 37 to 41, with SETTINGS below
    "transpose": [RNG.normal(size=(2, 3))],
    "sum": [RNG.normal(size=(2, 3))],
    "broadcast_to": [RNG.normal(size=(3,))],
    "sum_to": [RNG.normal(size=(2, 3))],
    "matmul": [RNG.normal(size=(2, 3)), RNG.normal(size=(3, 4))],
    "mean_squared_error": [RNG.normal(size=(4, 1)), RNG.normal(size=(4, 1))],  # step 42
    # step 47: the index [0, 0, 2] takes row 0 twice (its gradient is the sum of both), labels as floats
    "get_item": [RNG.normal(size=(3, 2)), np.array([0.0, 0.0, 2.0])],
    "softmax": [RNG.normal(size=(4, 3))],
    "softmax_cross_entropy": [RNG.normal(size=(4, 3)), np.array([0.0, 2.0, 1.0, 2.0])],
    "dezero_dropout": [RNG.normal(size=(4, 5))],  # step 54: training, the mask of np.random.seed(5)
    # step 57: x (N, C, H, W) = (2, 2, 5, 4), overlapping windows (stride 1 or 2 under a 3-wide kernel), a pad
    "im2col": [RNG.normal(size=(2, 2, 5, 4))],
    "conv2d": [RNG.normal(size=(2, 2, 5, 4)), RNG.normal(size=(3, 2, 3, 2)), RNG.normal(size=(3,))],
    # distinct values, so each window's maximum is away from a tie (central differences move one element)
    "dezero_pooling": [RNG.permutation(40).reshape(2, 2, 5, 2) / 7.0],
    # x, W1, b1, W2, b2: x @ W1 + b1 is [[0.5, -0.5], [0.75, 0.5], [-2.0, 3.0]], away from Relu's kink
    "two_layer_predict": [
        np.array([[1.0, 0.0], [2.0, 1.5], [0.0, 3.0]]),
        np.array([[1.0, -0.5], [-0.5, 1.0]]),
        np.array([-0.5, 0.0]),
        RNG.normal(size=(2, 3)),
        RNG.normal(size=(3,)),
    ],
}
# The apply step's settings of the ops that take them (a shape, an axis).
SETTINGS = {
    "reshape": {"shape": [3, 2]},
    "sum": {"axis": 1, "keepdims": False},
    "broadcast_to": {"shape": [2, 3]},
    "sum_to": {"shape": [1, 3]},
    "im2col": {"kernel_size": [3, 2], "stride": 1, "pad": 1},
    "conv2d": {"stride": [2, 1], "pad": 1},
    "dezero_pooling": {"kernel_size": 2, "stride": 1, "pad": 0},
    "dezero_dropout": {"dropout_ratio": 0.3, "seed": 5, "train": True},
}
# Ops with no gradient at all (a count of right answers), checked by value below.
NOT_DIFFERENTIABLE = {"two_layer_accuracy", "accuracy"}  # DeZero step 50: a count


def numeric_vjp(op, g, xs, i, h=1e-6, **settings):
    """Central differences of sum(g * forward) with respect to input i."""
    out = np.zeros_like(xs[i])
    for idx in np.ndindex(xs[i].shape):
        plus = [x.copy() for x in xs]
        minus = [x.copy() for x in xs]
        plus[i][idx] += h
        minus[i][idx] -= h
        out[idx] = (
            np.sum(g * op.forward(*plus, **settings)) - np.sum(g * op.forward(*minus, **settings))
        ) / (2 * h)
    return out


def test_registry_covers_every_op():
    """OPS holds exactly the thirty-three ops (nine, DeZero step 22's four, Sin, Cos and Tanh of steps 27 to
    35, the six tensor functions of steps 37 to 41, step 42's mean_squared_error, step 47's get_item, softmax
    and softmax_cross_entropy, step 50's accuracy, step 54's dropout, step 57's im2col, conv2d and pooling,
    TwoLayerNet's predict and accuracy), each under its own name."""
    assert set(OPS) == set(INPUTS) | NOT_DIFFERENTIABLE
    assert all(op.name == name for name, op in OPS.items())


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_vjp_matches_finite_differences(name):
    """Each differentiable input's vjp equals central differences; labels get None."""
    op, xs, settings = OPS[name], INPUTS[name], SETTINGS.get(name, {})
    y = op.forward(*xs, **settings)
    g = RNG.normal(size=np.shape(y))
    grads = op.vjp(g, *xs, y=y, **settings)
    assert len(grads) == len(xs)
    for i, gx in enumerate(grads):
        if name in ("softmax_ce", "get_item", "softmax_cross_entropy") and i == 1:
            assert gx is None
            continue
        want = numeric_vjp(op, g, xs, i, **settings)
        if name == "mse":
            want = want.reshape(-1, 1)  # MiniFlow hands back (m, 1) gradients
        assert gx.shape == want.shape
        # softmax_ce's backward is the book's (y - t) / N, which ignores the 1e-7 inside the log.
        np.testing.assert_allclose(gx, want, rtol=1e-5, atol=1e-6 if name == "softmax_ce" else 1e-8)


def test_pow_takes_its_exponent_as_a_setting():
    """Pow(c=3) at 2.0: the book's 8.0 and 12.0; the exponent gets no gradient of its own."""
    op = OPS["pow"]
    y = op.forward(np.array(2.0), c=3)
    assert float(y) == 8.0
    (gx,) = op.vjp(np.array(1.0), np.array(2.0), y=y, c=3)
    assert float(gx) == 12.0


def test_finite_difference_check_catches_a_wrong_vjp():
    """Negative control: a sigmoid vjp computed from the input disagrees with central differences."""
    x = INPUTS["sigmoid"][0]
    g = np.ones_like(x)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(g * x * (1 - x), numeric_vjp(OPS["sigmoid"], g, [x], 0), rtol=1e-5)


def test_helpers():
    """unbroadcast sums a gradient back to a broadcast input's shape; one_hot expands labels."""
    np.testing.assert_array_equal(unbroadcast(np.ones((2, 3)), (3,)), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(unbroadcast(np.ones((2, 3)), (2, 1)), [[3.0], [3.0]])
    np.testing.assert_array_equal(one_hot(np.array([2.0, 0.0]), np.zeros((2, 3))), [[0, 0, 1], [1, 0, 0]])
    assert OPS["sigmoid"].forward(np.array([-800.0]))[0] == 0.0  # no overflow warning (pytest -W error)


# predict's scores for the accuracy tests: W1 = I, b1 = 0, so Relu(x) = [[2, 0], [0, 3], [1, 0.5]]; W2 copies
# the two columns and adds a third, b2 = 0.1 only there: argmax per row 0, 1, 0, every margin at least 0.5.
_X = np.array([[2.0, -1.0], [-1.0, 3.0], [1.0, 0.5]])
_NET = [np.eye(2), np.zeros(2), np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), np.array([0.0, 0.0, 0.1])]


def test_predict_is_the_scores_before_softmax():
    """two_layer_predict: Affine, Relu, Affine by hand; rows do not sum to 1 (no softmax)."""
    y = OPS["two_layer_predict"].forward(_X, *_NET)
    np.testing.assert_array_equal(y, [[2.0, 0.0, 0.1], [0.0, 3.0, 0.1], [1.0, 0.5, 0.1]])


def test_accuracy_with_labels_and_one_hot_targets():
    """two_layer_accuracy: guesses 0, 1, 0; targets 0, 1, 2 give 2/3 as labels and as one-hot rows; no
    input has a gradient."""
    op = OPS["two_layer_accuracy"]
    labels = np.array([0.0, 1.0, 2.0])
    assert float(op.forward(_X, labels, *_NET)) == 2 / 3
    assert float(op.forward(_X, np.eye(3), *_NET)) == 2 / 3
    assert float(op.forward(_X, np.array([1.0, 0.0, 2.0]), *_NET)) == 0.0
    y = op.forward(_X, labels, *_NET)
    assert op.vjp(np.array(1.0), _X, labels, *_NET, y=y) == (None,) * 6


def test_class_labels():
    """class_labels: one-hot rows by argmax, float labels rounded to integers."""
    np.testing.assert_array_equal(class_labels(np.array([[0.0, 1.0], [1.0, 0.0]])), [1, 0])
    np.testing.assert_array_equal(class_labels(np.array([2.0, 0.0])), [2, 0])


@pytest.mark.parametrize(
    "xs",
    [
        [np.array([6.0, 14.0, 3.0]), np.array([0.5, 0.25, 1.4]), np.array(2.0)],  # the Linear quiz's neuron
        [RNG.normal(size=(3,)), RNG.normal(size=(3, 2)), RNG.normal(size=(2,))],  # a vector through a layer
    ],
    ids=["vector-vector", "vector-matrix"],
)
def test_linear_of_one_sample_as_a_vector(xs):
    """Linear on a 1-D x is x @ W + b (the quiz's 6*0.5 + 14*0.25 + 3*1.4 + 2 = 12.7), and its vjp equals
    central differences for every input."""
    op = OPS["linear"]
    y = op.forward(*xs)
    if xs[1].ndim == 1:
        assert float(y) == pytest.approx(12.7)
    g = RNG.normal(size=np.shape(y))
    for i, gx in enumerate(op.vjp(g, *xs, y=y)):
        want = numeric_vjp(op, g, xs, i)
        assert np.shape(gx) == want.shape
        np.testing.assert_allclose(gx, want, rtol=1e-5, atol=1e-8)
