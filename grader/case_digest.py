"""A digest of what a case's known mistakes are computed from: its family, inputs, steps and expected values.

Two cases with the same digest get the same known mistakes from the reference engine (`grader.cases`), however
they were made: a stored fixture loaded again for another stage, a generated case drawn again with the same
seed, the same case in another run of one process (a TA's stages one after another, a test session).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

# What a value may be to be digested exactly; anything else (an object array, a value of another type) gives
# no digest, and the case no sharing.
_SCALARS = (bool, int, float, str, type(None))


class _Inexact(Exception):
    """A value the digest cannot write exactly."""


def case_digest(
    family: str, inputs: Mapping[str, Any], steps: Sequence[Mapping[str, Any]], expected: Mapping[str, Any]
) -> bytes | None:
    """blake2b over the family, the steps, then every input and expected value by name: each value by its
    type and contents (an array by dtype, shape and bytes; a float by its exact repr; a list apart from a
    tuple, a dict by sorted keys). None where a value is of another kind: such a case is not shared."""
    h = hashlib.blake2b(digest_size=20)
    try:
        _feed(h, (family, list(steps), dict(inputs), dict(expected)))
    except _Inexact:
        return None
    return h.digest()


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise _Inexact
        h.update(f"a{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, _SCALARS) or (isinstance(value, np.generic) and not value.dtype.hasobject):
        h.update(f"{type(value).__qualname__}:{value!r};".encode())
    elif isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise _Inexact
        h.update(b"d%d(" % len(value))
        for key in sorted(value):
            _feed(h, key)
            _feed(h, value[key])
        h.update(b")")
    elif isinstance(value, list | tuple):
        h.update(b"%s%d(" % (type(value).__name__.encode(), len(value)))
        for item in value:
            _feed(h, item)
        h.update(b")")
    else:
        raise _Inexact
