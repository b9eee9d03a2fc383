"""Float64 <-> JSON array encoding inside the sandbox, compatible with grader/arrays.py.

A copy rather than an import: only this directory is mounted in the sandbox. The numpy and math functions
are captured at import time so that a submission that monkeypatches numpy cannot change what is emitted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_float = float
_isfinite = math.isfinite
_isnan = math.isnan
_array = np.array
_float64 = np.float64
_ndarray = np.ndarray
_prod = math.prod
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class CodecError(ValueError):
    """An encoded array in the job is malformed."""


def _encode_float(x: float) -> float | str:
    if _isfinite(x):
        return x
    if _isnan(x):
        return "nan"
    return "inf" if x > 0 else "-inf"


def encode(a: np.ndarray) -> dict[str, Any]:
    """{"shape": [...], "data": [...]} of a float64 ndarray (see plain.to_array for anything else)."""
    flat = _ndarray.tolist(_ndarray.ravel(a))
    return {"shape": [int(n) for n in a.shape], "data": [_encode_float(_float(x)) for x in flat]}


def _decode_float(x: Any) -> float:
    if isinstance(x, bool):
        raise CodecError("booleans are not numbers here")
    if isinstance(x, (int, float)):
        return _float(x)
    if isinstance(x, str) and x in _NON_FINITE:
        return _NON_FINITE[x]
    raise CodecError(f"not a number: {x!r}")


def decode(obj: Any) -> np.ndarray:
    """A fresh float64 ndarray from its encoding."""
    if not isinstance(obj, dict) or set(obj) != {"shape", "data"}:
        raise CodecError("an array must be an object with exactly 'shape' and 'data'")
    shape, data = obj["shape"], obj["data"]
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise CodecError(f"bad shape {shape!r}")
    if not isinstance(data, list) or _prod(shape) != len(data):
        raise CodecError(
            f"shape {shape!r} does not match {len(data) if isinstance(data, list) else '?'} values"
        )
    return _array([_decode_float(x) for x in data], dtype=_float64).reshape(shape)
