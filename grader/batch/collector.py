"""The cyclic garbage collector's pace while a batch grades: fewer young-generation collections.

Reading a submission builds thousands of objects that stay alive together for a while (the parsed trees of its
files, kept for the static scan, the stage scan and the defined names: grader/pyparse.py), and the judge
builds its results: at Python's default threshold (700 allocations) the collector ran ~1.5 young collections
per submission and a middle-generation one every ~8, each walking those trees again, to free nothing (they
form no cycles: reference counting frees them). That was ~1.7 ms of the parent's CPU per submission, about a
tenth of it. Raised to `YOUNG` for the batch, it runs a few times per class; cyclic garbage waits at most
`YOUNG` allocations longer (a few hundred KiB), and the threshold is restored when the batch ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 10_000


@contextmanager
def batch_pace() -> Iterator[None]:
    """Collect the young generation every `YOUNG` allocations (never more often than the process asked)."""
    saved = gc.get_threshold()
    # A threshold of 0 turns automatic collection off: rarer than any threshold, so it is kept.
    gc.set_threshold(max(saved[0], YOUNG) if saved[0] else 0, *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)
