"""Why a DeZero operator case stopped with an error (steps 20-22): an operator method that is missing.

`2.0 - x` first asks float.__sub__, which cannot subtract a Variable, then the Variable's `__rsub__`; without
it Python raises "unsupported operand type(s) for -: 'float' and 'Variable'". With the Variable on the left
(`x / 2.0`) the missing method is the plain one, `__truediv__`: a file written for Python 2 defines `__div__`
and `__rdiv__`, which Python 3 never calls. The message is the student's process's (normalised in
grader.model.Failure); only the operator symbol and the operands' types are read from it, and the hint is
built from this module's own words.
"""

from __future__ import annotations

import re

from grader.judge.diagnose import Finding
from grader.model import Failure

REFLECTED_OPERATOR = "reflected_operator"
# Operator symbol as Python's TypeError prints it -> the reflected method and the book's helper.
REFLECTED: dict[str, tuple[str, str]] = {
    "+": ("__radd__", "Variable.__radd__ = add (step 21: add(x0, x1) turns x1 into an array with as_array)"),
    "*": ("__rmul__", "Variable.__rmul__ = mul (step 21: mul(x0, x1) turns x1 into an array with as_array)"),
    "-": (
        "__rsub__",
        "Variable.__rsub__ = rsub, where rsub(x0, x1) returns Sub()(as_array(x1), x0) (step 22)",
    ),
    "/": (
        "__rtruediv__",
        "Variable.__rtruediv__ = rdiv, where rdiv(x0, x1) returns Div()(as_array(x1), x0) (step 22)",
    ),
}
# Operator symbol -> the method a Variable on the left needs and the book's line that attaches it.
PLAIN: dict[str, tuple[str, str]] = {
    "+": ("__add__", "Variable.__add__ = add (step 20)"),
    "*": ("__mul__", "Variable.__mul__ = mul (step 20)"),
    "-": ("__sub__", "Variable.__sub__ = sub (step 22)"),
    "/": ("__truediv__", "Variable.__truediv__ = div (step 22)"),
}
# Python 2's names, which Python 3 never calls: said whenever the operator is one they stood for.
PYTHON2_NAMES = {"/": " (Python 2's __div__ and __rdiv__ are never called by Python 3)"}
MISSING_OPERATOR = "not_implemented"
_PLAIN_LEFT = ("float", "int", "numpy.ndarray", "ndarray")
# A right operand of a built-in type is not the student's Variable (numpy's memoryview `.data`, a float):
# that TypeError has another cause.
_NOT_A_VARIABLE = (*_PLAIN_LEFT, "bool", "complex", "str", "list", "tuple", "dict", "NoneType", "memoryview")
_UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for ([-+*/]): '([\w.]+)' and '(\w+)'")


def reflected_missing(failure: Failure) -> Finding | None:
    """The finding for `2.0 - x` or `x / 2.0` (a number or array on one side) Python could not run."""
    if failure.code != "exception":
        return None
    found = _UNSUPPORTED.search(failure.message)
    if found is None or found.group(1) not in REFLECTED:
        return None
    symbol, left, right = found.groups()
    if left in _PLAIN_LEFT and right not in _NOT_A_VARIABLE:
        method, fix = REFLECTED[symbol]
        return Finding(
            REFLECTED_OPERATOR,
            f"Variable has no {method}: for {left} {symbol} Variable, Python calls the "
            f"Variable's {method} with the left operand as the second argument; define {fix}"
            f"{PYTHON2_NAMES.get(symbol, '')}.",
        )
    if left not in _NOT_A_VARIABLE and (right in _PLAIN_LEFT or right == left):
        method, fix = PLAIN[symbol]
        return Finding(
            MISSING_OPERATOR,
            f"Variable has no {method}: for Variable {symbol} {right}, Python calls the Variable's {method}; "
            f"define {fix}{PYTHON2_NAMES.get(symbol, '')}.",
        )
    return None


# `3 + t` reaches add(t, 3) through __radd__; without step 21's `x1 = as_array(x1)` the number goes on to
# as_variable, whose Variable(3) refuses it (step 9's type check): the TypeError comes from Variable.__init__.
_NUMBER_REFUSED = re.compile(r"^evaluating .*TypeError: .*<class '(int|float)'>.* in Variable\.__init__")


# The adapter's context for a reflected operator: "evaluating 2.0 - x (Python calls Variable.__rsub__ when
# 2.0 cannot)" (grader/inside/adapters/dezero.py, DeZeroAdapter._operate).
_REFLECTED_CALL = re.compile(r"^evaluating (\S+) ([-+*/]) (\S+) \(Python calls Variable\.(__r\w+__) when ")
# The reflected methods whose operand order matters: the number must end up as the Function's first input.
_ORDERED = {"__rsub__": "sub", "__rtruediv__": "div"}


# The same TypeError raised inside the student's own function (step 24's goldstein, `19 - 14 * x`), whose
# message names no operator: the staff traceback's frames say which reflected method the number went through,
# a lambda attached to Variable (`Variable.__rsub__ = lambda self, other: sub(other, self)`) or a method of
# Variable. Only the method's name, one of REFLECTED's, is read from it; the hint is this module's words.
# Read line by line with find and one pattern of no repetition: `TypeError: .*<class '(int|float)'>.* in
# Variable\.__init__` over a student's 4,000-character message of repeated "TypeError: <class 'int'>" took
# 0.14 s of the parent's CPU a failure, and `^\s+` (newlines included) over a 400-line traceback 0.09 s
# (review of s30-realdz).
_REFUSED_TYPE = re.compile(r"<class '(int|float)'>")
_IN_INIT = " in Variable.__init__"
_REFLECTED_NAME = r"(__r(?:add|mul|sub|truediv)__)"
_THROUGH = re.compile(
    rf"^[ \t]+Variable\.{_REFLECTED_NAME} = lambda\b|, in Variable\.{_REFLECTED_NAME}$", re.MULTILINE
)


def _refused_type(message: str) -> str | None:
    """The Python type (int or float) a line of `message` says Variable.__init__ refused after
    "TypeError: ", the last such before the line's last " in Variable.__init__"; None for none."""
    for line in message.splitlines():
        start, end = line.find("TypeError: "), line.rfind(_IN_INIT)
        if start < 0 or end < start:
            continue
        found = [m.group(1) for m in _REFUSED_TYPE.finditer(line, start, end)]
        if found:
            return found[-1]
    return None


_SYMBOL = {method: symbol for symbol, (method, _) in REFLECTED.items()}


def number_through_reflected(failure: Failure) -> Finding | None:
    """The finding for a function of the student's (goldstein) whose plain number reached Variable()
    through a reflected operator method that hands it on unconverted."""
    if failure.code != "exception" or failure.message.startswith("evaluating "):
        return None
    refused = _refused_type(failure.message)
    through = _THROUGH.search(failure.detail) if refused is not None else None
    if refused is None or through is None:
        return None
    method = through.group(1) or through.group(2)
    symbol = _SYMBOL[method]
    helper = _ORDERED.get(method)
    order = (
        f", as a {method} that hands the number on as the first operand, {helper}(other, self), does: "
        f"{helper} converts only its second operand, x1"
        if helper
        else ""
    )
    return Finding(
        MISSING_OPERATOR,
        f"a Python {refused} reached Variable() through Variable.{method}, which Python calls for "
        f"number {symbol} Variable (Variable.{method}(x, number), the number second): it reached a Function "
        f"unconverted{order}; define {REFLECTED[symbol][1]}.",
    )


def number_not_wrapped(failure: Failure) -> Finding | None:
    """The finding for an operator case whose plain number reached Variable() unconverted."""
    if failure.code != "exception":
        return None
    found = _NUMBER_REFUSED.search(failure.message)
    if found is None:
        return None
    reflected = _REFLECTED_CALL.search(failure.message)
    if reflected is not None and reflected.group(2) in REFLECTED:
        # `2.0 - x` reaches the student's __rsub__ as (x, 2.0): the helper's `x1 = as_array(x1)` is right, but
        # `__rsub__ = lambda self, other: sub(other, self)` hands the number to sub's x0, never converted.
        number, symbol, variable, method = reflected.groups()
        helper = _ORDERED.get(method)
        order = (
            f" A {method} that hands the number on as the first operand, {helper}(other, self), passes it to "
            f"{helper}'s x0, which {helper} does not convert."
            if helper
            else ""
        )
        return Finding(
            MISSING_OPERATOR,
            f"a Python {found.group(1)} reached Variable(), which accepts only ndarrays: for {number} "
            f"{symbol} {variable}, Python calls Variable.{method}({variable}, {number}), the number as the "
            "second argument x1, which must become an array (x1 = as_array(x1)) before a Function gets it; "
            f"define {REFLECTED[symbol][1]}.{order}",
        )
    return Finding(
        MISSING_OPERATOR,
        f"a Python {found.group(1)} reached Variable(), which accepts only ndarrays: the helper behind the "
        "operator (add, mul, sub, div) must turn its second operand into an array first, x1 = as_array(x1) "
        "(step 21), before Function.__call__ wraps it with as_variable.",
    )
