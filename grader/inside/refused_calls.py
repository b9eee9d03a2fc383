"""The sandbox's refusals of a system call that real student code makes, said as what to write instead.

The seccomp filter (seccomp.py) answers calls that name a process only about the caller: it compares the
pid argument with constants (0, the process's own pid), and a second thread's own tid is neither, so it is
refused with EPERM like another process's pid. Python then says only "[Errno 1] Operation not permitted",
on a line the student knows is right outside the grader. Each explainer reads the exception's text and the
failing line (the student's process's claim: text only, never trusted for more than a sentence) and returns
one clause to append, or None.
"""

from __future__ import annotations

from collections.abc import Callable

_REFUSED = "PermissionError: [Errno 1]"
# Every thread of a student process has the process's CPUs: the sandbox sets no other affinity, and
# sched_setaffinity is not on the filter's list. The line's argument is not known here: a second thread's
# own tid and another process's pid (os.getppid(), 1) are refused alike, so the clause names both.
# Not "the grader's sandbox": the parent removes that wording from what a student's process says
# (grader/fault.py), as it would a student's claim that a fault is the grader's.
_AFFINITY = (
    "the sandbox answers sched_getaffinity only about the calling thread or its process: pass 0 "
    "(os.sched_getaffinity(0), from any thread), not a thread's id or another process's pid; every thread "
    "of your process has the same CPUs"
)
EXPLAINERS: dict[str, Callable[[str, str], str | None]] = {
    "sched_getaffinity": lambda description, line: _AFFINITY if "sched_getaffinity" in line else None,
}


def explain(description: str, line: str) -> str | None:
    """The clause for a call the sandbox refused on `line`, or None (not a refusal, or not one said here)."""
    if not description.startswith(_REFUSED):
        return None
    return next(filter(None, (explainer(description, line) for explainer in EXPLAINERS.values())), None)
