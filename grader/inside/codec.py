"""Float64 <-> JSON array encoding inside the sandbox, compatible with grader/arrays.py.

A copy rather than an import: only this directory is mounted in the sandbox. The numpy and math functions
are captured at import time so that a submission that monkeypatches numpy cannot change what is emitted.
Two forms: `{"shape", "data"}` (a list of numbers, what the frames to the parent carry) and, between the
harness and a student process, `{"shape", "b64"}` (the little-endian float64 bytes: an array crosses that
boundary several times a case, and a list of floats costs a Python object per element on both sides).
"""

from __future__ import annotations

import base64
import binascii
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
_frombuffer = np.frombuffer
_ascontiguousarray = np.ascontiguousarray
_b64encode = base64.b64encode
_b64decode = base64.b64decode
_LITTLE_F8 = np.dtype("<f8")
_FLOAT64_DTYPE = np.dtype(np.float64)
_BYTES_KEYS = frozenset({"shape", "b64"})
_LIST_KEYS = frozenset({"shape", "data"})
_sum = sum
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
    # A record's numbers are finite but for a broken gradient: a float64 array's floats go as they are when
    # their sum is finite (a nan or an infinity makes it nan or infinite), each checked otherwise.
    if a.dtype is not _FLOAT64_DTYPE or not _isfinite(_sum(flat)):
        flat = [_encode_float(_float(x)) for x in flat]
    return {"shape": [int(n) for n in a.shape], "data": flat}


def encode_bytes(a: np.ndarray) -> dict[str, Any]:
    """{"shape": [...], "b64": ...} of a float64 ndarray: its bytes, little-endian, in C order."""
    data = _ascontiguousarray(a, dtype=_LITTLE_F8).tobytes()
    return {"shape": [int(n) for n in a.shape], "b64": _b64encode(data).decode("ascii")}


def _decode_float(x: Any) -> float:
    if isinstance(x, bool):
        raise CodecError("booleans are not numbers here")
    if isinstance(x, float):
        return _float(x)
    if isinstance(x, int):
        try:
            return _float(x)
        except OverflowError:  # an int past float's range: JSON reads 10**400 as one, float() refuses it
            raise CodecError(f"an integer of {x.bit_length()} bits, too large for a float") from None
    if isinstance(x, str) and x in _NON_FINITE:
        return _NON_FINITE[x]
    raise CodecError(f"not a number: {x!r}")


# numpy's limit on dimensions (32 before numpy 2, 64 since): a longer shape is no array's here, and reshaping
# to it would raise ValueError. The harness reads described shapes with the same bound (remote.py).
MAX_DIMS = 32


def _shape(obj: dict[str, Any], max_elements: int | None = None) -> list[int]:
    shape = obj["shape"]
    if not isinstance(shape, list) or len(shape) > MAX_DIMS or not _sizes(shape):
        raise CodecError(f"bad shape {str(shape)[:80]}")
    if max_elements is not None and (size := _prod(shape)) > max_elements:
        raise CodecError(f"{size} numbers, more than the {max_elements} read of one value")
    return shape


def _sizes(shape: list[Any]) -> bool:
    # A loop, not all() over a generator: every array read back is checked (~90 a MiniFlow job).
    for n in shape:  # noqa: SIM110 (the loop is the point: see above)
        if type(n) is not int or n < 0:
            return False
    return True


def _from_bytes(obj: dict[str, Any], max_elements: int | None) -> np.ndarray:
    shape, text = _shape(obj, max_elements), obj["b64"]
    if not isinstance(text, str):
        raise CodecError("array bytes must be a base64 string")
    try:
        raw = _b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CodecError("array bytes are not base64") from None
    if len(raw) != 8 * _prod(shape):
        raise CodecError(f"shape {shape!r} does not match {len(raw)} bytes of float64")
    return _reshaped(_frombuffer(raw, dtype=_LITTLE_F8).astype(_float64), shape)


def bytes_as_plain(obj: Any, max_elements: int) -> dict[str, Any] | None:
    """`encode(decode(obj, max_elements))` of a bytes form holding at least one number, straight from its
    bytes (no array built, copied, reshaped and flattened again: every record of every case is read so);
    None for any other form, or one `decode` would refuse: decode that, which says why."""
    if type(obj) is not dict or obj.keys() != _BYTES_KEYS:
        return None
    shape, text = obj["shape"], obj["b64"]
    if type(shape) is not list or len(shape) > MAX_DIMS or not _sizes(shape) or type(text) is not str:
        return None
    size = _prod(shape)
    # At least one number: then no dimension exceeds the count, and numpy takes the shape (an empty one
    # may name a dimension numpy refuses, [0, 10**30], which decode refuses).
    if not 0 < size <= max_elements:
        return None
    try:
        raw = _b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 8 * size:
        return None
    flat = _ndarray.tolist(_frombuffer(raw, dtype=_LITTLE_F8))
    if not _isfinite(_sum(flat)):  # a nan or an infinity among them: each number in its form
        flat = [_encode_float(x) for x in flat]
    return {"shape": list(shape), "data": flat}


def _reshaped(a: np.ndarray, shape: list[int]) -> np.ndarray:
    """`a` in `shape`; a shape numpy refuses (a dimension past its index type: [0, 10**30]) is the
    encoding's fault, never a crash of the code reading it."""
    try:
        return a.reshape(shape)
    except (ValueError, OverflowError, TypeError) as err:
        raise CodecError(f"shape {str(shape)[:80]} is not an array's ({type(err).__name__})") from None


def decode(obj: Any, max_elements: int | None = None) -> np.ndarray:
    """A fresh float64 ndarray from either encoding; `max_elements`: a larger one is a CodecError, refused
    from its shape before anything is decoded."""
    if isinstance(obj, dict) and obj.keys() == _BYTES_KEYS:
        return _from_bytes(obj, max_elements)
    if not isinstance(obj, dict) or obj.keys() != _LIST_KEYS:
        raise CodecError("an array must be an object with exactly 'shape' and 'data' (or 'b64')")
    shape, data = _shape(obj, max_elements), obj["data"]
    if not isinstance(data, list) or _prod(shape) != len(data):
        raise CodecError(
            f"shape {shape!r} does not match {len(data) if isinstance(data, list) else '?'} values"
        )
    # Plain floats go to numpy as they are (a float is a float64 exactly); anything else is checked.
    values = data if all(type(x) is _float for x in data) else [_decode_float(x) for x in data]
    return _reshaped(_array(values, dtype=_float64), shape)
