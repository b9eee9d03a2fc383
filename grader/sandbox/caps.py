"""Caps the parent enforces on what a sandbox worker sends back.

The two byte caps are the same numbers as `grader/inside/worker.py` (tests/sandbox/test_caps.py holds them
equal): kept here so the parent need not import the worker module and the confinement code it pulls in
(seccomp, Landlock, privilege drop: ~25 ms of every `grader check`, for two integers). `FrameLimits` is here
rather than beside the frame parser, which needs numpy: a pool takes its limits before it starts its first
worker, and `grader check` starts that worker before the parent pays for numpy.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_HEADER_BYTES = 64 << 10
RESULT_CAP_BYTES = 32 << 20
# The largest answer the harness reads from a student process at once (grader/inside/remote.py
# MAX_REPLY_BYTES): all of a job's frames and the descriptions of a batch. A larger one is left unread.
MAX_REPLY_BYTES = (32 << 20) + (1 << 20)


# A named tuple, not a dataclass: nothing before the sandbox worker's Popen imports dataclasses (with inspect,
# dis and ast: ~28 million instructions of a `grader check`'s serial start, session 37).
class FrameLimits(NamedTuple):
    max_frame_bytes: int = 8 << 20
    max_total_bytes: int = 32 << 20
    max_elements: int = 1_000_000
    max_text_chars: int = 20_000
