"""A deadline for code that must never block (a FIFO opened for reading waits for a writer forever)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def never_blocks(what: str, seconds: int = 20) -> Iterator[None]:
    """Fails the test, not with an OSError (which the code under test catches), once `seconds` have passed."""

    def hung(signum: int, frame: object) -> None:
        pytest.fail(f"{what} blocked on a FIFO", pytrace=False)

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
