"""NumPy's shape errors said as the likely mistake; the messages are NumPy's own, raised here."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from grader.inside import numpy_errors
from grader.inside.failures import ErrorInfo, from_error


def _raised(action: Callable[[], object]) -> str:
    with pytest.raises(ValueError) as info:
        action()
    return f"ValueError: {info.value}"


def _add_into(left: np.ndarray, right: np.ndarray) -> None:
    left += right


def test_keepdims_into_a_1d_bias() -> None:
    message = _raised(lambda: _add_into(np.zeros(3), np.ones((1, 3))))
    clause = numpy_errors.explain(message)
    assert clause is not None and "(3,), and the value on the right makes it (1, 3)" in clause
    assert "keepdims=True" in clause


def test_a_gradient_not_summed_over_the_batch() -> None:
    message = _raised(lambda: _add_into(np.zeros(4), np.ones((5, 4))))
    clause = numpy_errors.explain(message)
    assert clause is not None and "not summed over the batch (np.sum(..., axis=0))?" in clause


def test_another_shape_gets_the_general_clause() -> None:
    """Negative control of the two guesses: (1,) grown to (2,) is neither an extra axis nor a batch."""
    clause = numpy_errors.explain(_raised(lambda: _add_into(np.zeros(1), np.ones(2))))
    assert clause is not None and "keepdims" not in clause and "batch" not in clause
    assert "a gradient has the shape of the value it belongs to" in clause


def test_a_bias_gradient_summed_over_the_wrong_axis() -> None:
    """db += np.sum(grad, axis=1): (4,) into a (2,) bias; NumPy names three shapes, not 'output operand'."""
    grad = np.ones((4, 2))
    message = _raised(lambda: _add_into(np.zeros(2), np.sum(grad, axis=1)))
    clause = numpy_errors.explain(message)
    assert clause is not None and "(2,), and the value on the right, (4,), cannot be stretched" in clause
    assert "wrong axis" in clause and "axis=0" in clause


def test_two_arrays_that_do_not_broadcast_are_no_in_place_mistake() -> None:
    """Negative control: a + b (not in place) of (2,) and (4,) names no in-place operation."""
    message = _raised(lambda: np.zeros(2) + np.ones(4))
    clause = numpy_errors.explain(message)
    assert clause is None or "in-place" not in clause


def test_np_dot_missing_transpose_of_either_side() -> None:
    second = numpy_errors.explain(_raised(lambda: np.dot(np.ones((4, 2)), np.ones((3, 2)))))
    assert second is not None and "the second transposed, (4, 2) by (2, 3), would fit" in second
    first = numpy_errors.explain(_raised(lambda: np.dot(np.ones((4, 3)), np.ones((4, 2)))))
    assert first is not None and "the first transposed, (3, 4) by (4, 2), would fit" in first


def test_no_clause_where_no_transpose_fits_or_for_other_errors() -> None:
    """Negative controls: (2, 3) by (4, 5) fits no transpose; a broadcast error of `+` and an unrelated
    ValueError are NumPy's words alone."""
    assert numpy_errors.explain(_raised(lambda: np.dot(np.ones((2, 3)), np.ones((4, 5))))) is None
    assert numpy_errors.explain(_raised(lambda: np.ones(3) + np.ones(4))) is None
    assert numpy_errors.explain("ValueError: math domain error") is None


def test_broadcast_to_of_a_summed_axis_says_to_put_it_back() -> None:
    """DeZero's Sum.backward broadcasting gy (2,) of a sum over axis 1 straight to x (2, 3) (sample
    dezero/book_step40_sum_no_reshape): NumPy names two shapes; the clause names the axis to restore."""
    message = _raised(lambda: np.broadcast_to(np.ones(2), (2, 3)))
    clause = numpy_errors.explain(message)
    assert clause is not None and "(2,) cannot become (2, 3)" in clause
    assert "(2,) reshaped to (2, 1)" in clause and "keepdims=True" in clause
    inner = numpy_errors.explain(_raised(lambda: np.broadcast_to(np.ones((4, 2)), (4, 3, 2))))
    assert inner is not None and "(4, 2) reshaped to (4, 1, 2)" in inner


def test_broadcast_to_of_other_shapes_gets_the_general_clause() -> None:
    """Negative control: (2, 4) to (2, 3) is no summed axis; the clause says what broadcast_to can do, and
    no reshape is suggested."""
    clause = numpy_errors.explain(_raised(lambda: np.broadcast_to(np.ones((2, 4)), (2, 3))))
    assert clause is not None and "(2, 4) cannot become (2, 3)" in clause and "reshaped" not in clause


def test_the_failure_message_ends_with_the_clause() -> None:
    """Before, a shape error in a student's backward was NumPy's words and the place alone."""
    message = _raised(lambda: _add_into(np.zeros(2), np.ones((1, 2))))
    failure = from_error(ErrorInfo(description=message), "backward from cost")
    assert failure.code == "exception" and failure.message.startswith(f"backward from cost: {message}; ")
    assert failure.message.endswith("a (1, n) array where a 1-D one belongs?)")


def test_an_in_place_product_is_not_called_a_sum() -> None:
    """`dout *= self.mask` with a mask of another shape raises the same NumPy error as `+=`: the clause
    named "an in-place += or -=", an operator the student's line does not have."""

    def multiply_into(left: np.ndarray, right: np.ndarray) -> None:
        left *= right

    clause = numpy_errors.explain(_raised(lambda: multiply_into(np.zeros(3), np.ones((2, 3)))))
    assert clause is not None and "+= or -=" not in clause
    assert clause.startswith(
        "an in-place operation (+=, -=, *=, /=) keeps the shape of the array on its left"
    )


def test_a_line_that_transposes_already_is_asked_about_a_t_too_many() -> None:
    """`np.dot(X, W.T)` with W fed (in, out) raised "not aligned" and was asked "a missing .T?" (real-file
    sweep s26-realmf, sample linear_forward_w_t.py); a line with no transpose keeps that question."""
    message = _raised(lambda: np.dot(np.ones((2, 2)), np.ones((2, 1)).T))
    extra = numpy_errors.explain(message, forward=True, source="self.value = np.dot(X, W.T) + b")
    assert extra is not None
    assert extra.endswith("a .T too many, or on the wrong array (the line already transposes)?")
    plain = numpy_errors.explain(message, forward=True, source="self.value = np.dot(X, W) + b")
    assert plain is not None and plain.endswith("a missing .T?")


def _im2col_slice(pad_width: object) -> None:
    """The book's im2col filling its (N, C, out_h, out_w) window from a padded (2, 2, 5, 5) batch."""
    img = np.pad(np.zeros((2, 2, 5, 5)), pad_width)
    col = np.zeros((2, 2, 3, 3, 5, 5))
    col[:, :, 0, 0, :, :] = img[:, :, 0:5, 0:5]


def test_a_batch_padded_on_every_axis_is_told_to_pad_height_and_width_only() -> None:
    """np.pad(x, 1) on (N, C, H, W): NumPy's own 'could not broadcast input array from shape (4,4,5,5) into
    shape (2,2,5,5)', said as the padding of every axis."""
    clause = numpy_errors.explain(_raised(lambda: _im2col_slice(1)))
    assert clause is not None and "grew by 2, as a padding of 1" in clause
    assert "np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])" in clause


def test_other_failed_fills_are_no_padding_mistake() -> None:
    """Negative controls: fills whose image axes differ, or whose leading axes grew unequally or by an odd
    amount (NumPy's own messages), get no padding clause; NumPy's words stand."""
    for have, wanted in [
        ((4, 4, 6, 5), (2, 2, 5, 5)),
        ((4, 3, 5, 5), (2, 2, 5, 5)),
        ((3, 3, 5, 5), (2, 2, 5, 5)),
    ]:
        message = _raised(lambda: np.zeros(wanted).__setitem__(slice(None), np.zeros(have)))  # noqa: B023
        assert "could not broadcast input array" in message
        assert numpy_errors.explain(message) is None
        assert numpy_errors.explain(message, forward=True) is None
