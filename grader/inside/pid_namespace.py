"""A PID namespace of its own for each student process, so that its pid says nothing of earlier ones.

A fork server's children take their pids from one counter: a student process read, from its own pid, how many
threads and processes the students graded before it on that worker had started (6 or 46, as the previous
student chose: a channel between students, docs/SANDBOX.md). A student process made here is pid 2 of a
namespace made for it alone, and its threads 3, 4, ..., whatever ran before.

The worker cannot make that namespace itself: `unshare(CLONE_NEWPID)` sets where its *next* children go, once
(a second call is EINVAL), and the namespace ends with its first process. So a short-lived middle process
unshares and forks two: the namespace's init (pid 1: it only waits for the student process to end, holding
nothing of the job's) and the student process (pid 2), then exits; the worker, a child subreaper, becomes
the parent of both (wait4, pidfd and killpg work on the student process as before). The student process is
not the init so that signals keep their ordinary meaning for it: an init ignores every signal it has no
handler for, RLIMIT_CPU's SIGXCPU included, unless it is SIGKILL or SIGSTOP from outside.

The middle process needs CAP_SYS_ADMIN in its user namespace: under bubblewrap the worker keeps that one
capability (`--cap-add CAP_SYS_ADMIN`, in bubblewrap's innermost user namespace, which owns nothing but the
namespaces made from it); in the rlimits modes it makes a user namespace of its own along with the PID
namespace (an unprivileged uid may, where the kernel allows user namespaces; ids there are unmapped, so the
student process reads uid and gid 65534, as under bubblewrap, and is its worker's uid to the kernel). Both
processes it forks drop whatever capability they hold before anything else (`privileges.drop_capabilities`).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal

from . import privileges
from .confine import CONFINE_FAILED_EXIT
from .libc import ConfineError, call, prctl

CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
# In this order: the worker's own CAP_SYS_ADMIN (bubblewrap), else a user namespace of the middle process's.
CANDIDATES = (CLONE_NEWPID, CLONE_NEWUSER | CLONE_NEWPID)
STUDENT_PID = 2  # in its namespace: after the init
SETUP_FAILED_EXIT = CONFINE_FAILED_EXIT  # the worker then supervises the middle process as the failed one
UNAVAILABLE = (
    "no PID namespace can be made here: a student process's pid counts the threads and processes the "
    "students "
    "graded before it on its worker started, a channel between students (docs/SANDBOX.md)"
)
_PR_SET_CHILD_SUBREAPER, _PR_SET_PDEATHSIG = 36, 1
_GO = b"g"
_inits: list[int] = []  # the inits forked so far and not yet reaped (each ends with its student process)


def become_subreaper() -> None:
    """Orphans of this process's descendants (the children of a middle process that exited) become its
    children."""
    prctl(_PR_SET_CHILD_SUBREAPER, 1)


def available() -> int:
    """The `unshare` flags that give a forked child a PID namespace of its own here, or 0 if none do (a
    container refusing namespaces, user namespaces disabled). Checked, not assumed: a child is forked that
    way and must read STUDENT_PID. Call it as a child subreaper (the worker is one)."""
    for flags in CANDIDATES:
        pid = fork(flags)
        if pid == 0:
            os._exit(0 if os.getpid() == STUDENT_PID else 1)
        status = 1
        with contextlib.suppress(ChildProcessError):
            status = os.waitpid(pid, 0)[1]
        end_inits()
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return flags
    return 0


def fork(flags: int) -> int:
    """Like os.fork: 0 in the child, its pid (in this process's namespace) in the parent. With `flags`
    (from `available`), the child is STUDENT_PID of a new PID namespace, holds no capability, and is this
    process's child once this returns. If the middle process failed before forking it, the pid returned is
    the middle process's own, which exits with SETUP_FAILED_EXIT: a student process whose set-up failed."""
    if not flags:
        return os.fork()
    _reap_inits()
    pid_r, pid_w = os.pipe()
    go_r, go_w = os.pipe()
    middle = os.fork()
    if middle == 0:
        _middle(flags, pid_r, pid_w, go_r, go_w)  # returns in the student process only
        return 0
    os.close(pid_w)
    os.close(go_r)
    try:
        said = os.read(pid_r, 8)
    finally:
        os.close(pid_r)
    if len(said) != 8:
        os.close(go_w)
        return middle
    os.waitpid(middle, 0)  # reaped: its two children are ours now (a subreaper's)
    init, student = int.from_bytes(said[:4], "big"), int.from_bytes(said[4:], "big")
    _inits.append(init)
    with contextlib.suppress(OSError):  # both died already: reaped as any process of ours
        os.write(go_w, _GO * 2)
    os.close(go_w)
    return student


def end_inits() -> None:
    """Once every student process forked so far is reaped: their inits, killed and reaped (each exits with
    its student process anyway; a worker between jobs keeps no process but its harness)."""
    while _inits:
        pid = _inits.pop()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _reap_inits() -> None:
    """The inits whose student process has ended (each exits then), reaped without waiting."""
    for pid in list(_inits):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _inits.remove(pid)


def _middle(flags: int, pid_r: int, pid_w: int, go_r: int, go_w: int) -> None:
    init = student = 0
    try:
        os.close(pid_r)
        os.close(go_w)
        call("unshare", flags)
        init = os.fork()
        if init == 0:
            _init(go_r)
        student = os.fork()
        if student == 0:
            os.close(pid_w)
            _wait_for_the_worker(go_r)
            return
        os.write(pid_w, init.to_bytes(4, "big") + student.to_bytes(4, "big"))
    except (
        BaseException
    ):  # never unwound into a copy of the worker's loop; no process the worker does not know
        for pid in (student, init):
            if pid > 0:
                with contextlib.suppress(BaseException):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)  # reaped here: the worker knows neither (else a zombie of its own)
        os._exit(SETUP_FAILED_EXIT)
    os._exit(0)


def _wait_for_the_worker(go_r: int) -> None:
    """Wait for the worker's word that it reaped the middle process: only then is the worker this process's
    parent, so that a parent-death signal set later follows the worker (one set while the middle process
    was still exiting fired when it reparented us: the end of its pipes comes before that). End of file: the
    worker is gone. Then drop every capability."""
    try:
        go = os.read(go_r, 1)
        os.close(go_r)
        if go != _GO:
            os._exit(SETUP_FAILED_EXIT)
        privileges.drop_capabilities()
    except BaseException:
        os._exit(SETUP_FAILED_EXIT)


def _init(go_r: int) -> None:
    """The namespace's pid 1: it holds no descriptor but its watch on the student process and leaves when
    that process ends (the namespace ends with it), or with the worker. Never returns."""
    code = 0
    try:
        _wait_for_the_worker(go_r)
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        watch = os.pidfd_open(STUDENT_PID)
        os.closerange(0, watch)
        os.closerange(watch + 1, 1 << 16)
        select.select([watch], [], [])
    except BaseException:
        code = SETUP_FAILED_EXIT
    os._exit(code)


__all__ = ["CANDIDATES", "STUDENT_PID", "ConfineError", "available", "become_subreaper", "end_inits", "fork"]
