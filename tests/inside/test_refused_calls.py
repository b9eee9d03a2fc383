"""The clauses of grader/inside/refused_calls.py: a refused system call said as what to write instead."""

from __future__ import annotations

import pytest

from grader.inside.refused_calls import explain

_REFUSED = "PermissionError: [Errno 1] Operation not permitted"


@pytest.mark.parametrize(
    ("line", "passed"),
    [
        ("cpus = os.sched_getaffinity(threading.get_native_id())", "a thread's id"),
        ("cpus = os.sched_getaffinity(os.getppid())", "another process's pid"),
        ("cpus = os.sched_getaffinity(1)", "another process's pid"),
    ],
)
def test_the_affinity_clause_names_what_the_line_may_have_passed(line: str, passed: str) -> None:
    """The filter refuses a second thread's own tid and another process's pid alike (EPERM), and the clause
    cannot see which one the line passed: it names both, with the 0 to pass instead. Until session 29's
    review it said only "not a thread's id", untrue of os.sched_getaffinity(os.getppid())."""
    clause = explain(_REFUSED, line)
    assert clause is not None and "pass 0" in clause and passed in clause, clause


@pytest.mark.parametrize(
    ("description", "line"),
    [
        (_REFUSED, "open('/etc/shadow')"),  # refused, but not a call said here
        ("OSError: [Errno 22] Invalid argument", "os.sched_getaffinity(-5)"),  # not a refusal
        ("ProcessLookupError: [Errno 3] No such process", "os.sched_getaffinity(99999)"),
    ],
)
def test_no_clause_for_another_failure(description: str, line: str) -> None:
    """Control: another refused call, or sched_getaffinity failing otherwise than refused, gets no clause."""
    assert explain(description, line) is None
