"""Why a DeZero operator case stopped with an error (steps 21-22): a reflected method that is missing.

`2.0 - x` first asks float.__sub__, which cannot subtract a Variable, then the Variable's `__rsub__`; without
it Python raises "unsupported operand type(s) for -: 'float' and 'Variable'". The message is the student's
process's (normalised in grader.model.Failure); only the operator symbol and the left operand's type are read
from it, and the hint is built from this module's own words.
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
_PLAIN_LEFT = ("float", "int", "numpy.ndarray", "ndarray")
# A right operand of a built-in type is not the student's Variable (numpy's memoryview `.data`, a float):
# that TypeError has another cause.
_NOT_A_VARIABLE = (*_PLAIN_LEFT, "bool", "complex", "str", "list", "tuple", "dict", "NoneType", "memoryview")
_UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for ([-+*/]): '([\w.]+)' and '(\w+)'")


def reflected_missing(failure: Failure) -> Finding | None:
    """The finding for `2.0 - x` (any plain number or array on the left) that Python could not evaluate."""
    if failure.code != "exception":
        return None
    found = _UNSUPPORTED.search(failure.message)
    if found is None or found.group(1) not in REFLECTED:
        return None
    if found.group(2) not in _PLAIN_LEFT or found.group(3) in _NOT_A_VARIABLE:
        return None
    method, fix = REFLECTED[found.group(1)]
    return Finding(
        REFLECTED_OPERATOR,
        f"Variable has no {method}: for {found.group(2)} {found.group(1)} Variable, Python calls the "
        f"Variable's {method} with the left operand as the second argument; define {fix}.",
    )
