"""DeZero step 19's properties as the reference computes them (reference/properties.py)."""

from __future__ import annotations

import numpy as np

from reference.evaluate import run_case
from reference.properties import book_repr


def test_book_repr_indents_continuation_lines_under_the_first():
    """The book's step 19: variable([1 2 3]), variable(None), and rows lined up 9 spaces in."""
    assert book_repr(np.array([1, 2, 3])) == "variable([1 2 3])"
    assert book_repr(None) == "variable(None)"
    assert book_repr(np.array([[1, 2, 3], [4, 5, 6]])) == "variable([[1 2 3]\n          [4 5 6]])"


def test_property_records_of_a_2x3_variable():
    """shape (2, 3), ndim 2, size 6, len 2 (the first axis), dtype float64 as its character codes."""
    props = ("shape", "ndim", "size", "len", "dtype")
    steps = [{"do": "record", "key": p, "value_of": "x", "property": p} for p in props]
    r = run_case("dezero", {"x": np.zeros((2, 3))}, steps)
    assert r["shape"].tolist() == [2.0, 3.0]
    assert [float(r[p]) for p in ("ndim", "size", "len")] == [2.0, 6.0, 2.0]
    assert "".join(chr(int(c)) for c in r["dtype"]) == "float64"
