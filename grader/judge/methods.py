"""Why a DeZero case that calls a Variable method stopped with an error (steps 38 and 39).

Two known mistakes, both code `variable_method`: a reshape that does not unpack its one tuple, and a method
that returns the Variable it was called on (`T` returning self): the adapter names that one in its message
(grader/inside/adapters/dezero.py `RETURNED_ITSELF`).

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
_ITSELF = re.compile(r"\b\w+ = ((\w+)\.(\w+)(?:\([^)]*\))?) returned the Variable it was called on")


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
