"""A DeZero operator case that stopped on a missing reflected method (grader/judge/operators.py)."""

from __future__ import annotations

import pytest

from grader.judge.operators import REFLECTED_OPERATOR, reflected_missing
from grader.model import Failure

TYPE_ERROR = "evaluating 2.0 - x (...): TypeError: unsupported operand type(s) for -: '{}' and 'Variable'"


@pytest.mark.parametrize("left", ["float", "int", "numpy.ndarray"])
def test_a_number_or_array_on_the_left_names_rsub_and_its_fix(left: str) -> None:
    """float/int/ndarray - Variable: the hint names __rsub__ and the book's rsub (Sub()(as_array(x1), x0))."""
    finding = reflected_missing(Failure("exception", TYPE_ERROR.format(left)))
    assert finding is not None and finding.code == REFLECTED_OPERATOR
    assert "__rsub__" in finding.hint and "Sub()(as_array(x1), x0)" in finding.hint


def test_each_operator_names_its_own_reflected_method() -> None:
    """+ -> __radd__, * -> __rmul__, / -> __rtruediv__ (from Python's own symbol in the message)."""
    for symbol, method in (("+", "__radd__"), ("*", "__rmul__"), ("/", "__rtruediv__")):
        message = f"TypeError: unsupported operand type(s) for {symbol}: 'float' and 'Variable'"
        finding = reflected_missing(Failure("exception", message))
        assert finding is not None and method in finding.hint


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("exception", "TypeError: unsupported operand type(s) for -: 'Variable' and 'str'"),  # not reflected
        ("exception", "TypeError: unsupported operand type(s) for ** or pow(): 'float' and 'Variable'"),
        ("exception", "AttributeError: 'float' object has no attribute 'data'"),
        ("exception", "TypeError: unsupported operand type(s) for *: 'float' and 'memoryview'"),
        ("timeout", "unsupported operand type(s) for -: 'float' and 'Variable'"),
    ],
)
def test_anything_else_gets_no_reflected_diagnosis(code: str, message: str) -> None:
    """Negative controls: a Variable on the left, an operator DeZero never reflects, another error."""
    assert reflected_missing(Failure(code, message)) is None
