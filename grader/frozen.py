"""Deep read-only copies of plain data (dicts, lists, numpy arrays, scalars), for values one submission's
grading shares with another's: a known-mistakes entry outlives the case that made it (grader/cases.py), so
nothing that holds that case's `steps` or `expected` may change what a later submission is compared with.

A mapping becomes a read-only dict of its own copy, a list a read-only list, a tuple a tuple, an array a copy
that cannot be written; any other value (a number, a string, None) is kept as it is, being immutable already.
The containers keep their kinds: the known mistakes' engine and a course's ops module read the copies as the
case's expected values were made from the originals. Made into a tuple and a mapping view, a course's list
setting (`hidden_size_list`, which the book's MultiLayerNet adds to a list) raised in the ops module's
forward under every mutation, and the case lost its known mistakes unsaid (review of session 36).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import numpy as np


def _refuse(self: object, *args: object, **kwargs: object) -> NoReturn:
    raise TypeError(f"a frozen {type(self).__name__} cannot be changed (grader/frozen.py)")


class FrozenDict(dict[Any, Any]):
    """A dict whose own methods refuse every change; read as any dict (json, `**`, isinstance)."""

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:  # pickled and copied as the plain dict it holds
        return (dict, (dict(self),))


class FrozenList(list[Any]):
    """A list whose own methods refuse every change; read as any list (`[n] + it`, isinstance)."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


def frozen(value: Any) -> Any:
    """`value`, deeply copied and read-only (see the module doc)."""
    if isinstance(value, np.ndarray):
        copy = value.copy()
        copy.flags.writeable = False
        return copy
    if isinstance(value, Mapping):
        return FrozenDict({key: frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return FrozenList(frozen(item) for item in value)
    if isinstance(value, tuple):
        return tuple(frozen(item) for item in value)
    return value
