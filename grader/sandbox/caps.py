"""Caps the parent enforces on what a sandbox worker sends back.

The same numbers as `grader/inside/worker.py` (tests/sandbox/test_caps.py holds them equal): kept here so the
parent need not import the worker module and the confinement code it pulls in (seccomp, Landlock, privilege
drop: ~25 ms of every `grader check`, for two integers).
"""

MAX_HEADER_BYTES = 64 << 10
RESULT_CAP_BYTES = 32 << 20
