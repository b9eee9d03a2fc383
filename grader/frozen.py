"""Deep read-only copies of plain data (dicts, lists, numpy arrays, scalars), for values one submission's
grading shares with another's: a known-mistakes entry outlives the case that made it (grader/cases.py), so
nothing that holds that case's `steps` or `expected` may change what a later submission is compared with.

A dict becomes a read-only mapping view of its own copy, a list or tuple a tuple, an array a copy that cannot
be written; any other value (a number, a string, None) is kept as it is, being immutable already.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np


def frozen(value: Any) -> Any:
    """`value`, deeply copied and read-only (see the module doc)."""
    if isinstance(value, np.ndarray):
        copy = value.copy()
        copy.flags.writeable = False
        return copy
    if isinstance(value, Mapping):
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    return value
