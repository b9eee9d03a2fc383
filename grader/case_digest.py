"""A digest of what a case's known mistakes are computed from: its family, inputs, steps and expected values.

Two cases with the same digest get the same known mistakes from the reference engine (`grader.cases`), however
they were made: a stored fixture loaded again for another stage, a generated case drawn again with the same
seed, the same case in another run of one process (a TA's stages one after another, a test session).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def case_digest(
    family: str, inputs: Mapping[str, Any], steps: Sequence[Mapping[str, Any]], expected: Mapping[str, Any]
) -> bytes:
    """blake2b over the family, the steps as sorted JSON, then every input and expected value by name (an
    array by its dtype, shape and bytes; anything else by its type and repr, exact for floats)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(family.encode("utf-8") + b"\0")
    h.update(json.dumps(steps, sort_keys=True, default=repr).encode("utf-8"))
    for label, values in ((b"\0inputs", inputs), (b"\0expected", expected)):
        h.update(label)
        for name in sorted(values):
            h.update(b"\0" + name.encode("utf-8") + b"\0")
            _feed(h, values[name])
    return h.digest()


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        h.update(f"{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    else:
        h.update(f"{type(value).__qualname__}:{value!r}".encode())
