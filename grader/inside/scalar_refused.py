"""A NumPy scalar refused by a student's Variable: DeZero's step-9 check meeting `x ** 2` on a 0-d array.

Arithmetic on a 0-d ndarray returns a NumPy scalar (`np.array(2.0) ** 2` is a numpy.float64), not an ndarray,
so every Function whose forward gets one hands Variable a scalar that `isinstance(data, np.ndarray)` refuses.
The book wraps each result with `as_array`, whose `np.isscalar(x)` is True for NumPy scalars (step 9). A
student who leaves as_array out, or writes it as `type(x) in (int, float)` (False for numpy.float64), read
only Python's "TypeError: <class 'numpy.float64'> is not supported" from their own check (samples
submissions/dezero/step09_no_as_array.py, step24_as_array_type_check.py).
Reads text only (the student's process's claim), to say one clause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NUMPY_SCALAR = re.compile(r"<class 'numpy\.((?:float|int|uint|complex)\d*|bool_?)'>")
_AS_ARRAY_CALL = re.compile(r"\bas_array\s*\(")


def clause(description: str, frames: Sequence[tuple[str, str]]) -> str | None:
    """What to say when a TypeError naming a NumPy scalar type was raised in an `__init__`, or None.

    `frames` are the student's (qualified function, source line) pairs, innermost last: the line that called
    Variable() says whether the scalar went through as_array, or came straight from Function.__call__."""
    found = _NUMPY_SCALAR.search(description)
    if found is None or not description.startswith("TypeError") or not frames:
        return None
    if not frames[-1][0].endswith("__init__"):
        return None
    scalar = f"numpy.{found.group(1)}"
    caller_function, caller_line = frames[-2] if len(frames) > 1 else ("", "")
    if _AS_ARRAY_CALL.search(caller_line):
        return (
            f"a forward on 0-d arrays returns a NumPy scalar ({scalar}), and your as_array handed it back "
            "unchanged: test it with np.isscalar(x), True for NumPy scalars too, then return np.array(x) "
            "(step 9; type(x) in (int, float) is False for them)"
        )
    if "__call__" in caller_function:
        return (
            f"a forward on 0-d arrays returns a NumPy scalar ({scalar}), not an ndarray: Function.__call__ "
            "must wrap each result, Variable(as_array(y)), with as_array(x) returning np.array(x) when "
            "np.isscalar(x) (step 9)"
        )
    return (
        f"arithmetic on 0-d arrays returns a NumPy scalar ({scalar}), not an ndarray: wrap it with "
        "as_array before Variable gets it (step 9)"
    )
