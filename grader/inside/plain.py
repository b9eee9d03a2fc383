"""Turn whatever student code returned into a plain float64 ndarray, defensively.

ndarray subclasses, numpy scalars, nested lists, DeZero `Variable`s and objects with odd `__eq__` or
`__array__` are read element by element with float(); the result is always an exact `np.ndarray` that the
student's code no longer references. Functions are captured at import time (students monkeypatch numpy).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .failures import StudentFailure, clean_text

MAX_ELEMENTS = 1_000_000
_UNWRAP_DEPTH = 4
_MAX_NESTING = 32

_float = float
_isinstance = isinstance
_ndarray = np.ndarray
_generic = np.generic
_view = np.ndarray.view
_astype = np.ndarray.astype
_ravel = np.ndarray.ravel
_tolist = np.ndarray.tolist
_array = np.array
_empty = np.empty
_float64 = np.float64
_NUMERIC_KINDS = "biuf"
_COMPLEX = (complex, np.complexfloating)


class _Unreadable(Exception):
    pass


def _scalar(x: Any) -> float:
    if _isinstance(x, _COMPLEX):
        raise _Unreadable("complex numbers")
    if _isinstance(x, (bool, int, float, _generic)) or hasattr(type(x), "__float__"):
        try:
            return _float(x)
        except (TypeError, ValueError, OverflowError) as exc:
            raise _Unreadable(f"{type(x).__name__} {clean_text(exc, 80)}") from None
    raise _Unreadable(f"an element of type {type(x).__name__}")


def _nested(value: Any, depth: int) -> tuple[list[int], list[float]]:
    """Shape and flat values of a rectangular nest of sequences (lists, tuples, sequence-like objects)."""
    if depth > _MAX_NESTING:
        raise _Unreadable("nesting deeper than 32 levels")
    if _isinstance(value, _ndarray):
        a = _from_ndarray(value)
        return list(a.shape), _tolist(_ravel(a))
    if _isinstance(value, (list, tuple)) or (
        not _isinstance(value, (str, bytes, dict))
        and hasattr(value, "__len__")
        and hasattr(value, "__getitem__")
    ):
        n = len(value)
        if n > MAX_ELEMENTS:
            raise _Unreadable(f"more than {MAX_ELEMENTS} elements")
        parts = [_nested(value[i], depth + 1) for i in range(n)]
        if not parts:
            return [0], []
        shape = parts[0][0]
        if any(p[0] != shape for p in parts):
            raise _Unreadable("a ragged nest of sequences (rows of different lengths)")
        flat: list[float] = []
        for p in parts:
            flat.extend(p[1])
            if len(flat) > MAX_ELEMENTS:
                raise _Unreadable(f"more than {MAX_ELEMENTS} elements")
        return [n, *shape], flat
    return [], [_scalar(value)]


def _from_ndarray(value: np.ndarray) -> np.ndarray:
    base = _view(value, _ndarray)  # drops the subclass: its methods never run
    if base.size > MAX_ELEMENTS:
        raise _Unreadable(f"{base.size} elements (the cap is {MAX_ELEMENTS})")
    if base.dtype.kind in _NUMERIC_KINDS:
        return _astype(base, _float64, copy=True)
    if base.dtype.kind == "O":
        out = _empty(base.shape, dtype=_float64)
        flat = _ravel(out)
        for i, x in enumerate(_ravel(base)):
            flat[i] = _scalar(x)
        return out
    raise _Unreadable(f"an array of dtype {base.dtype}")


def _unwrap(value: Any) -> Any:
    """DeZero `Variable` (and look-alikes) hold the array in `.data`."""
    for _ in range(_UNWRAP_DEPTH):
        if _isinstance(value, (_ndarray, _generic, numbers.Number, list, tuple)) or value is None:
            return value
        inner = getattr(value, "data", None)
        if inner is None or _isinstance(inner, (memoryview, bytes)):
            return value
        value = inner
    return value


def to_array(value: Any, what: str) -> np.ndarray:
    """A fresh exact float64 ndarray, or a StudentFailure naming `what` and the type that came back."""
    raw = value
    try:
        value = _unwrap(value)
        if _isinstance(value, _ndarray):
            return _from_ndarray(value)
        shape, flat = _nested(value, 0)
        return _array(flat, dtype=_float64).reshape(shape)
    except _Unreadable as exc:
        why = str(exc)
    except (StudentFailure, MemoryError):
        raise
    except BaseException as exc:
        why = f"{type(exc).__name__} while reading it"
    raise StudentFailure(
        "exception",
        f"{what}: got a {type(raw).__name__} that cannot be read as numbers ({why}); expected a numpy array",
    )
