"""Why a DeZero case that calls a Variable method stopped with an error (steps 38 and 39).

Three known mistakes, all code `variable_method`: a reshape that does not unpack its one tuple, a method
that returns the Variable it was called on (`T` returning self), and one that wraps the data in a new Variable
with no creator (`return Variable(self.data.reshape(shape))`): the adapter names the last two in its message
(grader/inside/adapters/dezero.py `RETURNED_ITSELF`, `NO_CREATOR`).

`x.reshape((3, 2))` hands Variable.reshape(self, *shape) the single tuple `((3, 2),)`; a method that passes it
on without unpacking it makes numpy raise "'tuple' object cannot be interpreted as an integer". The case's
expression comes from the adapter's own words ("evaluating a = x.reshape((3, 2)) ..."), numpy's sentence from
the student's process (normalised in grader.model.Failure); the hint is this module's own.
"""

from __future__ import annotations

import re

from grader.judge.diagnose import Finding
from grader.model import Failure

VARIABLE_METHOD = "variable_method"
_RESHAPE_TUPLE = re.compile(r"evaluating \w+ = (\w+\.reshape\(\([\d, ]+\)\))")
_NOT_AN_INTEGER = "'tuple' object cannot be interpreted as an integer"
# `y = x.T`, `y = x.reshape(6)`, `a = x.reshape((3, 2))` (its call may hold parentheses of its own)
_CALLED = r"\b\w+ = ((\w+)\.(\w+)(?:\(.*?\))?) "
_ITSELF = re.compile(_CALLED + "returned the Variable it was called on")
_NO_CREATOR = re.compile(_CALLED + r"returned a Variable the graph does not know \(no creator\)")
# method -> the function call step 38 / 39 returns (what the method must hand its work to)
_FUNCTION_CALL = {
    "reshape": "reshape(self, shape)",
    "transpose": "transpose(self)",
    "T": "transpose(self)",
    "sum": "sum(self, axis, keepdims)",
}


def reshape_tuple_kept(failure: Failure) -> Finding | None:
    """The finding for `x.reshape((3, 2))` whose Variable.reshape passed `((3, 2),)` on to numpy."""
    if failure.code != "exception" or _NOT_AN_INTEGER not in failure.message:
        return None
    found = _RESHAPE_TUPLE.search(failure.message)
    if found is None:
        return None
    return Finding(
        VARIABLE_METHOD,
        f"Variable.reshape did not unpack its one tuple: {found.group(1)} gives shape as a tuple holding the "
        "tuple; before calling reshape(self, shape), unpack it as step 38 does: "
        "if len(shape) == 1 and isinstance(shape[0], (tuple, list)): shape = shape[0].",
    )


def returned_itself(failure: Failure) -> Finding | None:
    """The finding for `x.T` (or `x.transpose()`, ...) that handed back `x` itself."""
    found = _ITSELF.search(failure.message) if failure.code == "exception" else None
    if found is None:
        return None
    expression, name, method = found.groups()
    return Finding(
        VARIABLE_METHOD,
        f"Variable.{method} returns self: {expression} must be a new Variable made by the function, so "
        f"that {name} keeps its own data and the result has a creator; return the function's output, as step "
        f"38 does (T and transpose(): return dezero.functions.transpose(self)).",
    )


def no_creator(failure: Failure) -> Finding | None:
    """The finding for a method that wrapped the data in a new Variable (`return Variable(self.data.T)`)."""
    found = _NO_CREATOR.search(failure.message) if failure.code == "exception" else None
    if found is None:
        return None
    expression, name, method = found.groups()
    call = _FUNCTION_CALL.get(method, f"{method}(self, ...)")
    return Finding(
        VARIABLE_METHOD,
        f"Variable.{method} returns a Variable the graph does not know (no creator): {expression} made a new "
        f"Variable from the data, so backward stops there; call the function, return "
        f"dezero.functions.{call}, so backward reaches {name}.",
    )
