"""DeZero step 19: what a Variable's properties must answer, computed from its data (an ndarray).

A record with `"property"` reads one of these instead of the value itself. Every record is numbers, so a text
(dtype's name, the book's repr) is recorded as its character codes: `text_codes("ab")` is [97., 98.].
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MAX_TEXT = 10_000  # characters of a repr read back; a longer one is cut (and differs anyway)


def text_codes(text: str) -> np.ndarray:
    return np.array([ord(c) for c in text[:MAX_TEXT]], dtype=np.float64)


def book_repr(data: np.ndarray | None) -> str:
    """Step 19's Variable.__repr__: numpy's str of the data, continuation lines indented by 9 spaces so that
    they line up under `variable(`."""
    if data is None:
        return "variable(None)"
    return "variable(" + str(data).replace("\n", "\n" + " " * 9) + ")"


PROPERTIES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "shape": lambda a: np.array(a.shape, dtype=np.float64),
    "ndim": lambda a: np.array(a.ndim, dtype=np.float64),
    "size": lambda a: np.array(a.size, dtype=np.float64),
    "len": lambda a: np.array(len(a), dtype=np.float64),
    "dtype": lambda a: text_codes(str(a.dtype)),
    "repr": lambda a: text_codes(book_repr(a)),
}
