"""A PID namespace of its own for each student process, so that its pid says nothing of earlier ones.

A fork server's children take their pids from one counter: a student process read, from its own pid, how many
threads and processes the students graded before it on that worker had started (6 or 46, as the previous
student chose: a channel between students, docs/SANDBOX.md). A student process made here is pid 2 of a
namespace made for it alone, and its threads 3, 4, ..., whatever ran before.

The worker cannot make the namespace by itself at the price of one fork: `unshare(CLONE_NEWPID)` sets where
its *next* children go, once (a second call is EINVAL while that namespace differs from its own), and the
namespace's first process becomes its init, which must not be the student process (an init ignores every
signal it has no handler for, RLIMIT_CPU's SIGXCPU included). So a small process, the maker, is forked from
the worker at its start, before numpy and the grader's heavy imports (a small image: its forks are cheap);
on the worker's request it clones a child straight into a new PID namespace (`clone(CLONE_NEWPID)`, which a
process may do again and again: only `unshare` is once) and hands the worker a pidfd of that child, the
namespace's idle init. The worker joins the namespace for its next child (`setns(pidfd, CLONE_NEWPID)`:
`/proc/self/ns/pid_for_children`, never its own pid namespace) and forks the student process into it: pid 2,
the worker's own child (wait4, the pidfd and killpg work on it as on any child), no extra fork of the worker's
image. The worker cannot go back (`setns` to its own namespace is EPERM: bubblewrap's, or the host's, is owned
by a user namespace where it holds nothing): once a namespace was joined it forks nothing but student
processes, each after joining a new one; a fork into a namespace whose init has ended fails (ENOMEM), never
lands in the wrong one.

An init holds no capability and no descriptor but the read end of the maker's pipe: it ends when the worker
kills it (`end`, once its student process is reaped: the namespace's end kills whatever the student left in
it), or when the maker ends (the end of the pipe), and the maker ends with the worker (the end of its socket,
and a parent-death signal). The maker ignores SIGCHLD, so the kernel reaps its inits: no zombie. An init is
born dumpable (the maker is dumpable for the one call that clones it): `setns` by pidfd checks the caller's
ptrace access to the target, which a non-dumpable process refuses to a caller without CAP_SYS_PTRACE (EPERM,
measured); the init holds nothing of any job and no student process can ptrace or read another process
(seccomp; no /proc in its view, or under rlimits-unprivileged the host's, where Landlock refuses every open).

Both the maker and the worker need CAP_SYS_ADMIN in their user namespace: under bubblewrap the worker keeps
that one capability (`--cap-add CAP_SYS_ADMIN`, in bubblewrap's innermost user namespace, which owns nothing
but the namespaces made from it); in the rlimits modes the worker makes a user namespace of its own first
(`privileges.own_user_namespace`: the same position). The harness and every student process drop it before
anything else (`privileges.drop_capabilities`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket

from . import privileges
from .libc import ConfineError, call, prctl

CLONE_NEWPID = 0x20000000
STUDENT_PID = 2  # in its namespace: after the init
UNAVAILABLE = (
    "no PID namespace can be made here: a student process's pid counts the threads and processes the "
    "students "
    "graded before it on its worker started, a channel between students (docs/SANDBOX.md)"
)
_CLONE_PIDFD = 0x1000
_SIGCHLD = int(signal.SIGCHLD)
# clone's number; its third argument is where CLONE_PIDFD puts the pidfd on both
_SYS_CLONE = {"x86_64": 56, "aarch64": 220}.get(os.uname().machine)
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE = 1, 4
_NEW, _MADE = b"n", b"k"
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class Lost(ConfineError):
    """The maker is gone or made no namespace: no student process can be forked in one."""


class Maker:
    """The worker's end of the maker (see the module doc)."""

    def __init__(self, sock: socket.socket, pid: int) -> None:
        self.sock, self.pid = sock, pid

    def fork(self) -> tuple[int, int]:
        """Like os.fork, in a new PID namespace: (0, -1) in the child, which is STUDENT_PID there and holds
        whatever capability this process holds (it must drop them); in this process (its pid here, a pidfd
        of the namespace's init, for `end`). Raises Lost when no namespace was made (nothing forked)."""
        init = self._namespace()
        try:
            call("setns", init, CLONE_NEWPID)
            pid = os.fork()
        except BaseException:
            end(init)
            raise
        if pid == 0:
            os.close(init)
            return 0, -1
        return pid, init

    def _namespace(self) -> int:
        try:
            self.sock.sendall(_NEW)
            said, fds, _, _ = socket.recv_fds(self.sock, 64, 1)
        except OSError as err:
            raise Lost(f"the PID namespace maker is gone: {err}") from None
        if said != _MADE or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            why = said[1:].decode(errors="replace") if said else "it ended"
            raise Lost(f"the PID namespace maker made no namespace: {why}")
        return fds[0]

    def works(self) -> bool:
        """Whether a child forked by `fork` reads STUDENT_PID here (checked once, at the worker's start)."""
        try:
            pid, init = self.fork()
        except ConfineError:
            return False
        if pid == 0:
            os._exit(0 if os.getpid() == STUDENT_PID else 1)
        status = os.waitpid(pid, 0)[1]
        end(init)
        return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0

    def close(self) -> None:
        """The maker leaves at the end of its socket (its inits with it): reaped here."""
        self.sock.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def start(own_user_namespace: bool) -> Maker | None:
    """The maker, forked now (call it before the heavy imports: its image is what each init costs), or None
    where no namespace can be had. `own_user_namespace`: the rlimits modes, where the worker holds no
    capability (it makes a user namespace of its own first); under bubblewrap it holds CAP_SYS_ADMIN."""
    if _SYS_CLONE is None:
        return None
    try:
        if own_user_namespace:
            privileges.own_user_namespace()
    except ConfineError:
        return None  # user namespaces refused here (a container; a kernel setting): said as UNAVAILABLE
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    worker = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            ours.close()
            _serve(theirs, worker)
        except BaseException:
            code = 1
        os._exit(code)
    theirs.close()
    return Maker(ours, pid)


def end(init: int) -> None:
    """Kill a namespace's init (the namespace ends with it, and whatever still ran there) and close its pidfd.
    The maker's kernel-side reaping takes it from there."""
    with contextlib.suppress(ProcessLookupError):
        signal.pidfd_send_signal(init, signal.SIGKILL)
    os.close(init)


def _serve(sock: socket.socket, worker: int) -> None:
    assert _SYS_CLONE is not None  # start() forks no maker without it
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker:
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # inits reaped by the kernel as they end
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _close_all_but(sock.fileno())  # the worker's control pipes and scratch: never held here
    alive_r, alive_w = os.pipe()  # each init's read end sees the maker's end
    while sock.recv(1) == _NEW:
        pidfd = ctypes.c_int(-1)
        prctl(_PR_SET_DUMPABLE, 1)  # for the init to inherit (module doc); the maker is dumpable no longer
        flags = ctypes.c_ulong(CLONE_NEWPID | _CLONE_PIDFD | _SIGCHLD)
        made = _libc.syscall(ctypes.c_long(_SYS_CLONE), flags, None, ctypes.byref(pidfd), None, None)
        if made == 0:
            _init(alive_r, alive_w)
        err = ctypes.get_errno()
        prctl(_PR_SET_DUMPABLE, 0)
        if made < 0:
            sock.sendall(b"e" + os.strerror(err).encode())
            continue
        try:
            socket.send_fds(sock, [_MADE], [pidfd.value])
        finally:
            os.close(pidfd.value)


def _init(alive_r: int, alive_w: int) -> None:
    """A namespace's pid 1, cloned by the maker without Python's fork hooks (single-threaded, it needs none:
    it only drops its capabilities, closes its descriptors and waits). Never returns."""
    try:
        privileges.drop_capabilities()
        os.close(alive_w)
        _close_all_but(alive_r)
        os.read(alive_r, 1)  # the end of the maker's pipe: the maker (and so the worker) is gone
    finally:
        os._exit(0)


def _close_all_but(keep: int) -> None:
    if keep > 0:  # os.closerange(0, 0) closes every descriptor (CPython 3.11 asks close_range for 0 to -1)
        os.closerange(0, keep)
    os.closerange(keep + 1, 1 << 16)


__all__ = ["CLONE_NEWPID", "STUDENT_PID", "ConfineError", "Lost", "Maker", "end", "start"]
