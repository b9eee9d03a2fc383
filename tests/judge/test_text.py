"""DeZero step 19's text records (grader/judge/text.py): shown as text, the repr's indent explained."""

from __future__ import annotations

import numpy as np

from grader.judge.text import WRONG_TEXT, as_text, text_check
from reference.properties import book_repr, text_codes

MATRIX = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
REPR = {"property": "repr"}


def test_codes_read_back_as_the_text_they_spell() -> None:
    """Character codes decode to their text; numbers that are no character (or not numbers) give None."""
    assert as_text(text_codes("variable(None)")) == "variable(None)"
    assert as_text(np.array([65.5])) is None and as_text(np.array([-1.0])) is None
    assert as_text(None) is None and as_text(True) is None


def test_a_repr_without_the_nine_space_indent_is_told_so() -> None:
    """'variable(' + str(data) + ')' on two rows: the message shows both texts, the hint the 9 spaces."""
    got = text_codes("variable(" + str(MATRIX) + ")")
    message, finding = text_check(REPR, got, text_codes(book_repr(MATRIX)), "Variable.repr: repr(m)")
    assert "got 'variable([[1. 2. 3.]\\n [4. 5. 6.]])'" in message
    assert finding is not None and finding.code == WRONG_TEXT and "9 spaces" in finding.hint


def test_a_repr_without_the_prefix_is_told_what_the_book_writes() -> None:
    """Negative control of the indent hint: numpy's own str (no 'variable(') gets the prefix hint."""
    _, finding = text_check(REPR, text_codes(str(MATRIX)), text_codes(book_repr(MATRIX)), "repr(m)")
    assert finding is not None and "9 spaces" not in finding.hint and "variable(<str" in finding.hint


def test_a_dtype_name_is_shown_with_the_expected_one() -> None:
    """x.dtype giving float32's name: the hint says float64 was expected."""
    dtype = {"property": "dtype"}
    message, finding = text_check(dtype, text_codes("float32"), text_codes("float64"), "x.dtype")
    assert "got 'float32'" in message and finding is not None and "float64" in finding.hint
