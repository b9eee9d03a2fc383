"""expected_in_own_shape(): a gradient in the shape of the input it belongs to is compared in that shape."""

from __future__ import annotations

import numpy as np

from grader.judge.own_shape import expected_in_own_shape

Y_FLAT = np.array([1.0, 2.0])
COLUMN = np.array([[0.5], [-0.25]])  # the course's MSE: (m, 1) whatever y's shape
STEP = {"do": "record", "key": "dy", "grad_of": "y"}


def test_a_gradient_of_its_inputs_own_shape_is_compared_in_that_shape() -> None:
    """y fed as (2,), the answer (2, 1), the student's (2,): the answer is read as (2,), values unchanged."""
    got = COLUMN.reshape(2)
    out = expected_in_own_shape({"y": Y_FLAT}, STEP, got, COLUMN)
    assert out.shape == (2,) and np.array_equal(out, got)


def test_any_other_shape_keeps_the_answers_shape() -> None:
    """Not the input's shape (a bias kept with keepdims), another size, a forward value, an unknown input,
    or the answer's own shape: the answer is handed back as it is."""
    b = np.array([1.0, 2.0, 3.0])
    db = np.array([0.1, 0.2, 0.3])
    keepdims = db.reshape(1, 3)
    assert expected_in_own_shape({"b": b}, {"grad_of": "b"}, keepdims, db) is db
    assert expected_in_own_shape({"y": Y_FLAT}, STEP, np.zeros(3), COLUMN) is COLUMN
    assert expected_in_own_shape({"y": Y_FLAT}, {"value_of": "y"}, COLUMN.reshape(2), COLUMN) is COLUMN
    assert expected_in_own_shape({}, STEP, COLUMN.reshape(2), COLUMN) is COLUMN
    assert expected_in_own_shape({"y": COLUMN}, STEP, COLUMN.copy(), COLUMN) is COLUMN
    # the same size in another arrangement is no unit axis: (2, 3) for (3, 2)
    w = np.arange(6.0).reshape(3, 2)
    assert expected_in_own_shape({"w": np.zeros((2, 3))}, {"grad_of": "w"}, np.zeros((2, 3)), w) is w
