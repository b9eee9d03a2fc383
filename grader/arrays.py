"""Exact float64 <-> JSON encoding, used by fixtures, jobs, frames and reports.

Python's float repr round-trips float64 exactly, so a flat list of Python floats in JSON loses nothing.
Non-finite numbers become the strings "nan", "inf", "-inf" so that every file stays strict JSON.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class ArrayFormatError(ValueError):
    """An encoded array is malformed (wrong keys, shape/size disagreement, non-numbers)."""


def _encode_float(x: float) -> float | str:
    if math.isfinite(x):
        return x
    if math.isnan(x):
        return "nan"
    return "inf" if x > 0 else "-inf"


def encode(value: Any) -> dict[str, Any]:
    """Encode anything array-like as {"shape": [...], "data": [flat float64 values]}."""
    a = np.asarray(value, dtype=np.float64)
    return {"shape": list(a.shape), "data": [_encode_float(float(x)) for x in a.ravel().tolist()]}


def _decode_float(x: Any) -> float:
    if isinstance(x, bool):
        raise ArrayFormatError("booleans are not numbers here")
    if isinstance(x, (int, float)):
        try:
            return float(x)
        except OverflowError:  # an integer too large for float64 (JSON allows any number of digits)
            raise ArrayFormatError(f"number out of float64 range: {str(x)[:40]}...") from None
    if isinstance(x, str) and x in _NON_FINITE:
        return _NON_FINITE[x]
    raise ArrayFormatError(f"not a number: {x!r}")


MAX_DIMENSIONS = 32  # numpy allows 64; no gradient of any case has more than a handful


def decode(obj: Any, *, max_elements: int | None = None) -> np.ndarray:
    """Rebuild a float64 ndarray from its encoding; raises ArrayFormatError on anything malformed."""
    if not isinstance(obj, dict) or set(obj) != {"shape", "data"}:
        raise ArrayFormatError("an array must be an object with exactly 'shape' and 'data'")
    shape, data = obj["shape"], obj["data"]
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise ArrayFormatError(f"shape must be a list of non-negative integers, got {shape!r}")
    if len(shape) > MAX_DIMENSIONS:
        raise ArrayFormatError(f"{len(shape)} dimensions; at most {MAX_DIMENSIONS} are accepted")
    if not isinstance(data, list):
        raise ArrayFormatError("data must be a list")
    size = math.prod(shape)
    if size != len(data):
        raise ArrayFormatError(f"shape {tuple(shape)} needs {size} values, got {len(data)}")
    if max_elements is not None and size > max_elements:
        raise ArrayFormatError(f"{size} elements exceed the cap of {max_elements}")
    # Plain floats (what JSON gives for almost every value) go to numpy as they are; anything else is
    # checked one by one.
    values = data if all(type(x) is float for x in data) else [_decode_float(x) for x in data]
    flat = np.array(values, dtype=np.float64)
    try:
        return flat.reshape(shape)
    except ValueError as err:  # e.g. an empty array with a dimension of 10**20
        raise ArrayFormatError(f"shape {tuple(shape)[:8]} is not a valid array shape: {err}") from None


def encode_value(value: Any) -> Any:
    """Encode a record value: None and bools pass through, everything else is an array."""
    if value is None or isinstance(value, bool):
        return value
    return encode(value)


def decode_value(obj: Any, *, max_elements: int | None = None) -> np.ndarray | bool | None:
    """Inverse of encode_value."""
    if obj is None or isinstance(obj, bool):
        return obj
    return decode(obj, max_elements=max_elements)
