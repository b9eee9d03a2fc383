"""A student process's pid says nothing of the threads and processes forked before it (pid_namespace.py)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.inside import pid_namespace

THREADS = 20


def _forked(flags: int, work: Callable[[], str]) -> str:
    """What `work` returns in a child forked by `pid_namespace.fork(flags)`, as a worker forks a student
    process (the caller must be a child subreaper when `flags` is set, as the worker is)."""
    r, w = os.pipe()
    pid = pid_namespace.fork(flags)
    if pid == 0:
        said = ""
        try:
            os.close(r)
            said = work()
        finally:
            os.write(w, said.encode())
            os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 4096):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def _as_worker(work: Callable[[], str]) -> str:
    """`work` in a plain child that is a child subreaper, as a worker is (pytest's own process stays none)."""

    def subreaper() -> str:
        pid_namespace.become_subreaper()
        return work()

    return _forked(0, subreaper)


def _threads_then_pid() -> str:
    """Two student processes forked in turn: the first starts and joins THREADS threads, the second reads its
    pid. Run in a process that is pid 1 of a namespace of its own, so that no other process of the machine
    takes pids from the counter read: the control is exact."""

    def students(flags: int) -> str:
        pid_namespace.become_subreaper()
        first = _forked(flags, _spend_threads)
        second = _forked(flags, lambda: str(os.getpid()))
        return f"{first} {second}"

    return _as_worker(lambda: _forked(pid_namespace.available(), lambda: _shared_and_own(students)))


def _shared_and_own(students: Callable[[int], str]) -> str:
    return f"{students(0)} {students(pid_namespace.available())}"


def _spend_threads() -> str:
    """Start and join THREADS threads (each takes a pid); this process's pid."""
    for _ in range(THREADS):
        thread = threading.Thread(target=int)
        thread.start()
        thread.join()
    return str(os.getpid())


@pytest.fixture(scope="module", autouse=True)
def _namespaces() -> None:
    if _as_worker(lambda: str(pid_namespace.available())) == "0":
        pytest.skip("no PID namespace can be made here (user namespaces refused)")


def test_a_student_process_reads_pid_2_whatever_ran_before_it() -> None:
    """Forked as the worker forks them, each student process reads pid 2 (its init is 1), the second after a
    first that started 20 threads; plain forks (the negative control, before the fix) hand the second the
    first's pid plus one for each thread the first started, plus one: a channel from one student to the
    next."""
    shared_first, shared_second, own_first, own_second = map(int, _threads_then_pid().split())
    assert shared_second == shared_first + THREADS + 1, (shared_first, shared_second)
    assert own_first == own_second == pid_namespace.STUDENT_PID, (own_first, own_second)


def test_a_student_process_holds_no_capability() -> None:
    """Made with a user namespace of its own (all capabilities there) or by a worker that keeps CAP_SYS_ADMIN,
    it has dropped every one before the fork returns in it."""

    def caps() -> str:
        with open("/proc/self/status") as f:
            return "".join(line for line in f if line.startswith(("CapEff", "CapPrm", "CapInh", "CapAmb")))

    text = _as_worker(lambda: _forked(pid_namespace.available(), caps))
    values = [int(line.split()[1], 16) for line in text.splitlines()]
    assert len(values) == 4 and not any(values), text


def test_a_middle_process_that_cannot_unshare_is_the_failed_student_process() -> None:
    """Flags the kernel refuses (CLONE_NEWPID without CAP_SYS_ADMIN, from a process that dropped it): no
    student process is forked, and the pid returned is the middle process's, which exited with the
    set-up failure's code (the worker words that as the sandbox's failure, never the student's)."""

    def refused() -> str:
        from grader.inside import privileges

        privileges.drop_capabilities()
        pid = pid_namespace.fork(pid_namespace.CLONE_NEWPID)
        if pid == 0:
            os._exit(0)  # never reached when refused
        _, status = os.waitpid(pid, 0)
        return str(os.WEXITSTATUS(status))

    assert _as_worker(refused) == str(pid_namespace.SETUP_FAILED_EXIT)


def test_a_middle_process_whose_second_fork_fails_leaves_no_process_behind() -> None:
    """The middle process forks the init, then fails to fork the student process (EAGAIN, simulated): it
    kills and reaps the init itself, so the worker (whose child an orphan would become, a subreaper) is left
    with no zombie it never heard of. (Without the reap: one zombie init a failure, till the worker ends.)"""

    def failing_second_fork() -> str:
        pid_namespace.become_subreaper()
        flags = pid_namespace.available()
        real, calls = os.fork, [0]

        def fork() -> int:
            calls[0] += 1
            if calls[0] == 3:  # the worker's fork of the middle, the middle's of the init, then this one
                raise BlockingIOError(11, "Resource temporarily unavailable")
            return real()

        os.fork = fork
        try:
            pid = pid_namespace.fork(flags)
        finally:
            os.fork = real
        _, status = os.waitpid(pid, 0)
        time.sleep(0.3)  # an orphan is reparented to this process as its parent exits
        me = os.getpid()
        left = Path(f"/proc/{me}/task/{me}/children").read_text().split()
        return f"{os.WEXITSTATUS(status)} {len(left)}"

    assert _as_worker(failing_second_fork) == f"{pid_namespace.SETUP_FAILED_EXIT} 0"
