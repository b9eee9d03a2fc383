"""Confinement of the forked child: session, files, fds, rlimits, Landlock, seccomp.

Runs in the child right after fork, before any student code. Every step is a wall that holds even when the
others are missing: rlimits bound time, memory and files; Landlock (ctypes, syscalls 444-446) leaves read
access to the runtime only and write access to the child's own directory; seccomp (raw BPF) refuses new
processes, signals to other pids, tracing, non-UNIX sockets and namespace/mount tricks. What the kernel
lacks is recorded by `probe()` and reported by the worker, never silently assumed.
"""

from __future__ import annotations

import base64
import ctypes
import os
import platform
import resource
import signal
import stat
import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# The child exits with this code when it could not confine itself (no student code ran).
CONFINE_FAILED_EXIT = 121
RESULT_FD = 3
NOFILE_LIMIT = 64
NPROC_LIMIT = 1024  # threads count too; fork is stopped by seccomp, not by this (see DESIGN.md)
FSIZE_MIN_BYTES = 16 << 20

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(nr: int, *args: int | bytes | None) -> int:
    # Integers as C long: ctypes would pass a bare int as a 32-bit C int to this variadic function.
    wrapped = [a if isinstance(a, bytes) or a is None else ctypes.c_long(a) for a in args]
    return int(_libc.syscall(ctypes.c_long(nr), *wrapped))


_libc.prctl.restype = ctypes.c_int


class ConfineError(Exception):
    """A confinement step failed: the child must not run student code."""


def _prctl(option: int, arg2: int = 0, arg3: int = 0) -> None:
    # Every argument as unsigned long: ctypes would pass a bare int as a 32-bit C int.
    args = (ctypes.c_ulong(a) for a in (arg2, arg3, 0, 0))
    if _libc.prctl(ctypes.c_int(option), *args) != 0:
        err = ctypes.get_errno()
        raise ConfineError(f"prctl({option}) failed: {os.strerror(err)}")


def make_undumpable() -> None:
    """No ptrace, no /proc/<pid>/mem for same-uid processes (the worker calls this once at start)."""
    _prctl(_PR_SET_DUMPABLE, 0)


# ---------------------------------------------------------------- Landlock

_LL_CREATE_RULESET, _LL_ADD_RULE, _LL_RESTRICT_SELF = 444, 445, 446
_LL_CREATE_RULESET_VERSION = 1
_LL_RULE_PATH_BENEATH = 1
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
# Access rights known per ABI: a ruleset may only handle what the running kernel knows.
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_ALL = (1 << 0) | (1 << 1)  # bind and connect TCP (ABI 4)
_SCOPE_ALL = (1 << 0) | (1 << 1)  # abstract UNIX sockets and signals outside the domain (ABI 6)
_FILE_ONLY = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | (1 << 14) | (1 << 15)
_READ = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is missing or disabled."""
    abi = _syscall(_LL_CREATE_RULESET, None, 0, _LL_CREATE_RULESET_VERSION)
    return max(int(abi), 0)


def _fs_rights(abi: int) -> int:
    return _FS_BY_ABI.get(min(abi, 5), 0)


def _add_path_rule(ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path this machine lacks grants nothing
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FILE_ONLY
        attr = struct.pack("=Qi", access, fd)
        if _syscall(_LL_ADD_RULE, ruleset, _LL_RULE_PATH_BENEATH, attr, 0) != 0:
            raise ConfineError(f"landlock_add_rule({path}) failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)


def apply_landlock(abi: int, read_paths: Iterable[str], write_paths: Iterable[str]) -> None:
    """Deny every filesystem access (and TCP, and signals/abstract sockets leaving the domain) but these."""
    fs_all = _fs_rights(abi)
    fields = [fs_all]
    if abi >= 4:
        fields.append(_NET_ALL)
    if abi >= 6:
        fields.append(_SCOPE_ALL)
    attr = struct.pack(f"={len(fields)}Q", *fields)
    ruleset = _syscall(_LL_CREATE_RULESET, attr, len(attr), 0)
    if ruleset < 0:
        raise ConfineError(f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}")
    try:
        for path in read_paths:
            _add_path_rule(ruleset, path, _READ & fs_all)
        for path in write_paths:
            _add_path_rule(ruleset, path, fs_all)
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)
        if _syscall(_LL_RESTRICT_SELF, ruleset, 0) != 0:
            raise ConfineError(f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)


# ---------------------------------------------------------------- seccomp

_AUDIT_ARCH = {"x86_64": 0xC000003E}
_X32_BIT = 0x40000000
# Syscall numbers per architecture; a missing architecture means no seccomp (recorded as a note).
_SYSCALLS = {
    "x86_64": {
        "fork": 57, "vfork": 58, "clone": 56, "clone3": 435,
        "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
        "socket": 41,
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
        "mount": 165, "umount2": 166, "unshare": 272, "setns": 308, "pivot_root": 155, "chroot": 161,
        "bpf": 321, "perf_event_open": 298, "keyctl": 250, "add_key": 248, "request_key": 249,
        "io_uring_setup": 425, "pidfd_open": 434, "pidfd_send_signal": 424, "pidfd_getfd": 438,
        "userfaultfd": 323, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "kcmp": 312,
    },
}  # fmt: skip
_DENY_EPERM = (
    "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "unshare",
    "setns",
    "pivot_root", "chroot", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "io_uring_setup",
    "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "userfaultfd", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "kcmp",
)  # fmt: skip
# Signals may only target the child itself: the first argument is the (thread group) id.
_SIGNAL_CALLS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
_CLONE_THREAD = 0x00010000
_CLONE_NEW_NAMESPACES = (
    0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
)
_AF_UNIX = 1
_RET_ALLOW, _RET_KILL_PROCESS, _RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_EPERM, _ENOSYS = 1, 38
_LD_ABS_W, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16


@dataclass
class _Asm:
    """A tiny BPF assembler: jumps name labels, resolved to relative offsets at the end."""

    code: list[tuple[int, str | int, str | int, int]] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)

    def op(self, code: int, k: int, jt: str | int = 0, jf: str | int = 0) -> None:
        self.code.append((code, jt, jf, k))

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def assemble(self) -> bytes:
        out = bytearray()
        for pc, (code, jt, jf, k) in enumerate(self.code):
            rel = [self.labels[j] - pc - 1 if isinstance(j, str) else j for j in (jt, jf)]
            if not all(0 <= r < 256 for r in rel):
                raise ConfineError("seccomp program jump out of range")
            out += struct.pack("=HBBI", code, rel[0], rel[1], k & 0xFFFFFFFF)
        return bytes(out)


def seccomp_program(pid: int, machine: str | None = None) -> bytes:
    """The raw BPF filter for a child whose pid is `pid` (built after the fork, so a constant here)."""
    arch = machine or platform.machine()
    nrs = _SYSCALLS[arch]
    a = _Asm()
    a.op(_LD_ABS_W, _OFF_ARCH)
    a.op(_JEQ, _AUDIT_ARCH[arch], 0, "kill")
    a.op(_LD_ABS_W, _OFF_NR)
    a.op(_JGE, _X32_BIT, "kill", 0)
    for name in _DENY_EPERM:
        a.op(_JEQ, nrs[name], "eperm", 0)
    a.op(_JEQ, nrs["clone3"], "enosys", 0)
    a.op(_JEQ, nrs["clone"], "clone", 0)
    a.op(_JEQ, nrs["socket"], "socket", 0)
    for name in _SIGNAL_CALLS:
        a.op(_JEQ, nrs[name], "signal", 0)
    a.op(_RET, _RET_ALLOW)
    a.label("clone")  # threads only: CLONE_THREAD set and no new namespace
    a.op(_LD_ABS_W, _OFF_ARG0)
    a.op(_JSET, _CLONE_THREAD, 0, "eperm")
    a.op(_JSET, _CLONE_NEW_NAMESPACES, "eperm", "allow")
    a.label("socket")
    a.op(_LD_ABS_W, _OFF_ARG0)
    a.op(_JEQ, _AF_UNIX, "allow", "eperm")
    a.label("signal")
    a.op(_LD_ABS_W, _OFF_ARG0)
    a.op(_JEQ, pid, "allow", "eperm")
    a.label("allow")
    a.op(_RET, _RET_ALLOW)
    a.label("eperm")
    a.op(_RET, _RET_ERRNO | _EPERM)
    a.label("enosys")
    a.op(_RET, _RET_ERRNO | _ENOSYS)
    a.label("kill")
    a.op(_RET, _RET_KILL_PROCESS)
    return a.assemble()


def seccomp_supported() -> bool:
    return platform.machine() in _SYSCALLS


def apply_seccomp(pid: int) -> None:
    program = seccomp_program(pid)
    count = len(program) // 8
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("=HxxxxxxQ", count, ctypes.addressof(buf))
    fprog_buf = ctypes.create_string_buffer(fprog, len(fprog))
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    _prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog_buf))


# ---------------------------------------------------------------- what the kernel offers


@dataclass(frozen=True)
class Capabilities:
    landlock_abi: int
    seccomp: bool
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"landlock_abi": self.landlock_abi, "seccomp": self.seccomp, "notes": list(self.notes)}


def probe() -> Capabilities:
    notes = []
    abi = landlock_abi()
    if abi == 0:
        notes.append("Landlock is unavailable in this kernel: the child's filesystem view is not restricted")
    seccomp = seccomp_supported()
    if not seccomp:
        notes.append(f"no seccomp filter for {platform.machine()}: fork bombs and signals are not contained")
    return Capabilities(abi, seccomp, tuple(notes))


def runtime_read_paths(extra: Iterable[str] = ()) -> list[str]:
    """What the child may read: the stdlib (entry by entry, so site-packages stays out), numpy, libraries."""
    stdlib = os.path.dirname(os.__file__)
    paths = [os.path.join(stdlib, name) for name in os.listdir(stdlib) if name != "site-packages"]
    numpy_mod = sys.modules.get("numpy")
    if numpy_mod is not None:
        numpy_dir = os.path.realpath(next(iter(numpy_mod.__path__)))
        paths += [numpy_dir, numpy_dir + ".libs"]
    paths += ["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime"]
    paths += [os.path.realpath(p) for p in extra]
    return paths


# ---------------------------------------------------------------- the child's steps


def safe_relpath(rel: str) -> str:
    parts = rel.replace("\\", "/").split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ConfineError(f"refusing file path {rel!r}: it must stay inside the submission directory")
    return os.path.join(*parts)


def write_files(workdir: str, *layers: Mapping[str, str]) -> None:
    """Write base64 files in order: later layers win a clash (support files first, then the submission)."""
    for files in layers:
        for rel, b64 in files.items():
            path = os.path.join(workdir, safe_relpath(rel))
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            with open(path, "wb") as f:
                f.write(base64.b64decode(b64, validate=True))


SETUP_FD = RESULT_FD + 1


def setup_fds(stdout_w: int, stderr_w: int, result_w: int, setup_w: int | None = None) -> None:
    """stdin from /dev/null, stdout/stderr to the capture pipes, the channel on fd 3, the set-up pipe (if
    any) on fd 4, every other fd closed."""
    wanted = [(1, stdout_w), (2, stderr_w), (RESULT_FD, result_w)]
    if setup_w is not None:
        wanted.append((SETUP_FD, setup_w))
    for target, fd in wanted:
        if fd != target:
            os.dup2(fd, target, inheritable=True)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    first_closed = SETUP_FD + 1 if setup_w is not None else RESULT_FD + 1
    os.closerange(first_closed, max(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 1024))


def report_setup_done() -> None:
    """Tell the worker the walls are up, before any student code runs (so that no student code can claim
    that the sandbox failed to set up)."""
    os.write(SETUP_FD, b"1")
    os.close(SETUP_FD)


def set_rlimits(limits: Mapping[str, float]) -> None:
    cpu = max(1, int(limits.get("cpu_seconds", 10) + 0.999))
    memory = int(limits.get("memory_mib", 512)) << 20
    fsize = max(FSIZE_MIN_BYTES, int(limits.get("output_kib", 256)) << 10)
    wanted = {
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_AS: (memory, memory),
        resource.RLIMIT_FSIZE: (fsize, fsize),
        resource.RLIMIT_NOFILE: (NOFILE_LIMIT, NOFILE_LIMIT),
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_NPROC: (NPROC_LIMIT, NPROC_LIMIT),
    }
    for which, (soft, hard) in wanted.items():
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, old_hard), min(hard, old_hard)
        resource.setrlimit(which, (soft, hard))


def die_with_worker(worker_pid: int) -> None:
    """If the worker dies, the child dies too (in rlimits mode nothing else would reap it)."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker_pid:
        os._exit(CONFINE_FAILED_EXIT)


def confine(caps: Capabilities, workdir: str, limits: Mapping[str, float], read_paths: list[str]) -> None:
    """The walls, in order: rlimits, Landlock, seccomp (last: it would refuse nothing the others need)."""
    set_rlimits(limits)
    if caps.landlock_abi:
        apply_landlock(caps.landlock_abi, read_paths, [workdir])
    if caps.seccomp:
        apply_seccomp(os.getpid())
    else:
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)


HARNESS_NOFILE = 256


def confine_harness(caps: Capabilities, read_paths: list[str], memory_mib: int) -> None:
    """The harness's own walls: no file writes anywhere, no new processes, bounded memory.

    It runs only the grader's code, but on data from student processes: if that code had a flaw, these
    walls hold. No CPU limit: it serves every job of its worker, and the parent's deadlines bound each job.
    """
    memory = memory_mib << 20
    for which, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, HARNESS_NOFILE),
    ):
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            value = min(value, old_hard)
        resource.setrlimit(which, (value, value))
    if caps.landlock_abi:
        apply_landlock(caps.landlock_abi, read_paths, [])
    if caps.seccomp:
        apply_seccomp(os.getpid())
    else:
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)
