"""The parent's caps on a worker's replies are the worker's own numbers."""

from __future__ import annotations

from grader.inside import worker
from grader.sandbox import caps


def test_the_parent_caps_equal_the_workers() -> None:
    """MAX_HEADER_BYTES and RESULT_CAP_BYTES in grader/sandbox/caps.py equal grader/inside/worker.py's: a
    parent with smaller caps would call a worker's honest reply a protocol violation."""
    assert caps.MAX_HEADER_BYTES == worker.MAX_HEADER_BYTES
    assert caps.RESULT_CAP_BYTES == worker.RESULT_CAP_BYTES
