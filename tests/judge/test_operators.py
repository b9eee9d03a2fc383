"""A DeZero operator case that stopped on a missing reflected method (grader/judge/operators.py)."""

from __future__ import annotations

import time

import pytest

from grader.judge.operators import (
    MISSING_OPERATOR,
    REFLECTED_OPERATOR,
    number_not_wrapped,
    number_through_reflected,
    reflected_missing,
)
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
    ("symbol", "right", "method"),
    [
        ("/", "float", "__truediv__"),
        ("/", "Variable", "__truediv__"),
        ("*", "float", "__mul__"),
        ("+", "int", "__add__"),
    ],
)
def test_a_variable_on_the_left_names_the_plain_method(symbol: str, right: str, method: str) -> None:
    """Variable / 2.0 (or Variable / Variable), no __truediv__: the hint names it, not a reflection."""
    message = f"TypeError: unsupported operand type(s) for {symbol}: 'Variable' and '{right}'"
    finding = reflected_missing(Failure("exception", message))
    assert finding is not None and finding.code == MISSING_OPERATOR
    assert f"Variable has no {method}" in finding.hint and "reflected" not in finding.hint


def test_division_says_python3_never_calls_python2_div() -> None:
    """A Python 2 file defines __div__ / __rdiv__: both division hints say Python 3 never calls them."""
    for left, right in (("Variable", "float"), ("float", "Variable")):
        message = f"TypeError: unsupported operand type(s) for /: '{left}' and '{right}'"
        finding = reflected_missing(Failure("exception", message))
        assert (
            finding is not None and "__div__" in finding.hint and "never called by Python 3" in finding.hint
        )
    minus = reflected_missing(
        Failure("exception", "TypeError: unsupported operand type(s) for -: 'Variable' and 'float'")
    )
    assert minus is not None and "__div__" not in minus.hint


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


def test_a_number_refused_by_variable_in_an_operator_case_names_as_array() -> None:
    """3 + t without as_array in add(): Variable(3) raises in __init__; the hint names x1 = as_array(x1)."""
    message = (
        "evaluating 3 + t1 (Python calls Variable.__radd__ when 3 cannot): TypeError: <class 'int'> is not "
        "supported (step21.py line 30, in Variable.__init__: `raise TypeError(...)`)"
    )
    finding = number_not_wrapped(Failure("exception", message))
    assert finding is not None and finding.code == MISSING_OPERATOR
    assert "x1 = as_array(x1)" in finding.hint and "Python int" in finding.hint


@pytest.mark.parametrize(
    "message",
    [
        "TypeError: <class 'float'> is not supported (step09.py line 8, in Variable.__init__: `raise ...`)",
        "evaluating 3 + t1: TypeError: unsupported operand type(s) for +: 'int' and 'Variable'",
        "evaluating x * 2.0: AttributeError: 'float' object has no attribute 'generation'",
    ],
)
def test_other_errors_are_no_number_refused(message: str) -> None:
    """Negative controls: Variable(1.0) outside an operator case (step 9's own check), a missing __radd__,
    another error."""
    assert number_not_wrapped(Failure("exception", message)) is None


REFUSED_IN_REFLECTED = (
    "evaluating {n} {s} x (Python calls Variable.{m} when {n} cannot): TypeError: <class 'float'> is not "
    "supported (hw.py line 31, in Variable.__init__: `raise TypeError(...)`)"
)


@pytest.mark.parametrize(
    ("symbol", "method", "helper"), [("-", "__rsub__", "sub"), ("/", "__rtruediv__", "div")]
)
def test_a_number_refused_in_an_ordered_reflected_operator_names_the_operand_order(
    symbol: str, method: str, helper: str
) -> None:
    """2.0 - x refused in Variable(): Python called x.__rsub__(2.0); the hint says so, names the book's rsub
    and that __rsub__ handing the number to sub's x0 (sub(other, self)) is never converted; the as_array
    line is still there."""
    message = REFUSED_IN_REFLECTED.format(n="2.0", s=symbol, m=method)
    finding = number_not_wrapped(Failure("exception", message))
    assert finding is not None and finding.code == MISSING_OPERATOR
    assert f"Variable.{method}(x, 2.0)" in finding.hint and f"{helper}(other, self)" in finding.hint
    assert "x1 = as_array(x1)" in finding.hint and "Python float" in finding.hint


def test_a_number_refused_in_radd_names_add_without_operand_order() -> None:
    """3.0 + x refused: __radd__ = add, whose x1 = as_array(x1) is missing; order does not matter for +, so
    nothing about sub(other, self)."""
    finding = number_not_wrapped(
        Failure("exception", REFUSED_IN_REFLECTED.format(n="3.0", s="+", m="__radd__"))
    )
    assert finding is not None and "Variable.__radd__(x, 3.0)" in finding.hint
    assert "Variable.__radd__ = add" in finding.hint and "(other, self)" not in finding.hint


_REFUSED = (
    "goldstein applied to x, y: TypeError: <class 'int'> is not supported (hw.py line 32, in "
    "Variable.__init__: `raise TypeError('{} is not supported'.format(type(data)))`)"
)
_LAMBDA = (
    'Traceback (student frames only):\n  File "hw.py", line 269, in goldstein\n    return 19 - 14 * x\n'
    '  File "hw.py", line 254, in <lambda>\n    Variable.__rsub__ = lambda self, other: sub(other, self)\n'
    '  File "hw.py", line 32, in Variable.__init__\n    raise TypeError()\n'
    "TypeError: <class 'int'> is not supported"
)


def test_a_number_refused_inside_the_students_own_function_names_the_reflected_method() -> None:
    """goldstein's `19 - 14 * x` through a lambda __rsub__ handing the int to sub's x0: the message names no
    operator, the traceback's frames do; a method of Variable (no lambda) is named the same way."""
    found = number_through_reflected(Failure("exception", _REFUSED, _LAMBDA))
    assert found is not None and found.code == MISSING_OPERATOR
    assert "reached Variable() through Variable.__rsub__" in found.hint and "sub(other, self)" in found.hint
    method = _LAMBDA.replace("in <lambda>", "in Variable.__rtruediv__")
    method = method.replace("Variable.__rsub__ = lambda", "return div(other, self)  #")
    found = number_through_reflected(Failure("exception", _REFUSED, method))
    assert (
        found is not None
        and "through Variable.__rtruediv__" in found.hint
        and "div(other, self)" in found.hint
    )


def test_no_reflected_method_in_the_frames_is_no_finding() -> None:
    """Controls: no reflected method among the frames, another error, or an operator case (which has its
    own finding)."""
    plain = _LAMBDA.replace("Variable.__rsub__ = lambda", "y = lambda").replace("in <lambda>", "in f")
    assert number_through_reflected(Failure("exception", _REFUSED, plain)) is None
    other = _REFUSED.replace("TypeError: <class 'int'>", "ValueError: <class 'int'>")
    assert number_through_reflected(Failure("exception", other, _LAMBDA)) is None
    case = (
        "evaluating 2.0 - x (Python calls Variable.__rsub__ when 2.0 cannot): " + _REFUSED.split(": ", 1)[1]
    )
    assert number_through_reflected(Failure("exception", case, _LAMBDA)) is None


def test_a_students_repeated_type_errors_are_read_in_linear_time() -> None:
    """Review of s30-realdz: a message of 4,000 characters repeating "TypeError: <class 'int'> " (the
    student's own exception text) took 0.14 s of the parent's CPU a failure, and a 400-line traceback of
    blank lines then spaces 0.09 s, both read by backtracking patterns. Four times the text must cost about
    four times the CPU (a ratio, not a time: the backtracking patterns cost sixteen times), and the same
    finding is read from a real message beside them."""

    def cost(scale: int) -> float:
        flood = Failure(
            "exception",
            "f applied to x: " + "TypeError: <class 'int'> " * (40 * scale),
            "\n" * (40 * scale) + " " * (2_000 * scale),
        )
        refused = Failure("exception", _REFUSED, "\n" * (40 * scale) + " " * (2_000 * scale) + "x")
        times = []
        for _ in range(3):
            start = time.process_time()
            for _ in range(10):
                assert number_through_reflected(flood) is None and number_through_reflected(refused) is None
            times.append(time.process_time() - start)
        return min(times)

    assert cost(8) < 10 * max(cost(2), 1e-4)
    found = number_through_reflected(Failure("exception", "TypeError: x " * 100 + "\n" + _REFUSED, _LAMBDA))
    assert found is not None and "a Python int reached Variable() through Variable.__rsub__" in found.hint
