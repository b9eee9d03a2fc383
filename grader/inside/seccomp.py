"""seccomp as an allow-list: one policy per role, written as data, compiled to classic BPF.

Default deny: a syscall missing from its role's table fails with EPERM (`clone3` with ENOSYS, so that
glibc falls back to `clone`, which is checked). The tables hold what CPython 3.11, numpy (OpenBLAS on one
thread) and Python threads were seen to need under strace on every sample of submissions/ plus a probe of
common stdlib use (docs/SANDBOX.md has the method). Paths are Landlock's business: file syscalls are
allowed here and confined there. What Landlock cannot see (chmod/chown, xattrs, inotify, sockets by path,
SysV IPC, ...) is denied here by absence.

Roles:
- `student`: the process that imports and runs student code: files in its own directory, threads, signals to
  itself, and reads/writes on sockets it inherited (no socket of its own).
- `harness`: the in-sandbox process that drives student objects over a socketpair: the student's needs minus
  every file write, plus passing descriptors (sendmsg/recvmsg) and waiting on them (poll).
"""

from __future__ import annotations

import ctypes
import functools
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

from .libc import ConfineError, prctl

# ---------------------------------------------------------------- rules (data)


@dataclass(frozen=True)
class Allow:
    """Allowed with any arguments."""


@dataclass(frozen=True)
class ArgIn:
    """Allowed only when argument `index` (its low 32 bits, all the kernel reads for these calls) is one of
    `values`."""

    index: int
    values: tuple[int, ...]


@dataclass(frozen=True)
class MaskedIn:
    """Allowed only when argument `index`'s bits under `mask` are one of `values`: a call whose low bits
    name an operation and whose other bits are modifiers (futex: the operation under FUTEX_CMD_MASK)."""

    index: int
    mask: int
    values: tuple[int, ...]


@dataclass(frozen=True)
class OwnPid:
    """Allowed only when argument `index` is the process's own pid (a constant of the filter), or one of
    `also` (0, which a call that reads a process takes for the caller itself; never for kill, whose 0 is the
    process group)."""

    index: int
    also: tuple[int, ...] = ()


@dataclass(frozen=True)
class OwnClock:
    """Allowed only when argument `index` (a clockid_t, 32 bits) is one of the system's clocks `system`, a
    CPU-time clock of the caller's process (pid 0 or its own pid, a constant of the filter) or a CPU-time
    clock of a thread (the kernel itself takes only a thread of the caller's process there: EINVAL for any
    other, whether it exists or not)."""

    index: int
    system: tuple[int, ...]


@dataclass(frozen=True)
class Flags:
    """Allowed only when argument `index` has every bit of `required` and no bit of `forbidden`."""

    index: int
    required: int = 0
    forbidden: int = 0


@dataclass(frozen=True)
class Fail:
    """Refused with this errno (ENOSYS where the C library needs to see "not implemented" to fall back)."""

    errno: int


Rule = Allow | ArgIn | MaskedIn | OwnPid | OwnClock | Flags | Fail
ALLOW = Allow()
EPERM, ENOSYS = 1, 38

_CLONE_THREAD = 0x00010000
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: a thread never needs a namespace.
_CLONE_NEW_NAMESPACES = (
    0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
)
_O_WRITING = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000  # O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND
# fcntl: duplicate, close-on-exec and status flags. Not F_SETOWN/F_SETSIG (SIGIO to another process), leases,
# dnotify or locks.
_FCNTL_CMDS = (0, 1, 2, 3, 4, 1030)  # F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC
# ioctl: is it a terminal (TCGETS), its size (TIOCGWINSZ), bytes readable (FIONREAD), non-blocking (FIONBIO),
# close-on-exec (FIOCLEX, FIONCLEX). Not TIOCSTI & co.
_IOCTL_CMDS = (0x5401, 0x5413, 0x541B, 0x5421, 0x5451, 0x5450)


def _allowing(*names: str) -> dict[str, Rule]:
    return dict.fromkeys(names, ALLOW)


_MEMORY = _allowing("brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "msync")
_READ_FILES = _allowing(
    "read", "readv", "pread64", "lseek", "close", "close_range", "stat", "fstat", "lstat", "newfstatat",
    "statx", "getdents64", "readlink", "readlinkat", "getcwd", "chdir", "fchdir", "access", "faccessat",
    "faccessat2", "dup", "dup2", "dup3", "umask",
) | {"fcntl": ArgIn(1, _FCNTL_CMDS), "ioctl": ArgIn(1, _IOCTL_CMDS)}  # fmt: skip
_OPEN_READ_ONLY: dict[str, Rule] = {
    "open": Flags(1, forbidden=_O_WRITING),
    "openat": Flags(2, forbidden=_O_WRITING),
}
# Writes: the stdout/stderr pipes and, by Landlock, only the process's own directory.
_WRITE_FILES = _allowing(
    "write", "writev", "pwrite64", "open", "openat", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat",
    "rename", "renameat", "renameat2", "ftruncate", "fsync", "fdatasync",
)  # fmt: skip
# Clocks: the system's (CLOCK_REALTIME 0 to CLOCK_TAI 11) and the CPU-time clocks of the caller: its process's
# (MAKE_PROCESS_CPUCLOCK(pid, PROF/VIRT/SCHED) = ((~pid) << 3) | type, pid 0 or its own pid, as glibc's
# clock_getcpuclockid(getpid()) gives) and its threads' (((~tid) << 3) | 4 | type:
# time.pthread_getcpuclockid gives one for any thread, the calling one too, and the kernel refuses another
# process's thread with EINVAL, existing or not). Not the CPU-time clock of another pid: any process's, with
# no permission check, and without a PID namespace (the root fallback) any process of the machine's: the
# grader's, the harness's, the student graded at the same time on the other worker, whose CPU use is then a
# channel between them (clock_gettime reads it, clock_nanosleep waits for it). Nor a dynamic clock of a
# descriptor (CLOCKFD: type 3).
# Sample other_process_clocks.py.
_CLOCK_IDS = OwnClock(0, tuple(range(12)))
_TIME = _allowing(
    "gettimeofday", "time", "nanosleep", "getitimer", "setitimer", "alarm", "getrusage", "times",
) | dict.fromkeys(("clock_gettime", "clock_getres", "clock_nanosleep"), _CLOCK_IDS)  # fmt: skip
# sched_getaffinity of itself only (pid 0, as os.sched_getaffinity(0) and BLAS libraries ask, or its own pid):
# of any pid it told whether that pid existed, every pid of the machine in the root fallback. A second
# thread's own tid (pthread_getaffinity_np) is refused too: the filter cannot tell it from another process's.
_IDENTITY = _allowing(
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid",
    "getresgid", "getpgrp", "uname", "sched_yield", "getrandom", "getrlimit",
) | {
    "prlimit64": ArgIn(0, (0,)),  # its own limits only: another process's could be lowered
    "sched_getaffinity": OwnPid(0, also=(0,)),
}  # fmt: skip
_SIGNALS = _allowing(
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend", "pause",
    "sigaltstack", "restart_syscall",
) | dict.fromkeys(("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"), OwnPid(0))  # fmt: skip
# futex: the operations glibc's locks, condition variables, semaphores and thread joins use (strace of
# threads, queues, pools, conditions, barriers: WAIT, WAKE and WAIT_BITSET, private or not, either clock),
# with the other non-PI ones an older glibc used (REQUEUE, CMP_REQUEUE, WAKE_OP, WAKE_BITSET). Not the
# priority-inheritance family (LOCK_PI, UNLOCK_PI, TRYLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2):
# nothing in CPython or numpy takes a PI lock, and its kernel code is where futex exploits lived (requeue-PI:
# CVE-2014-3153, the "towelroot" root from an app sandbox). Sample rare_kernel_paths.py.
_FUTEX_CMD_MASK = 0xFFFFFFFF & ~(128 | 256)  # all but FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME
_FUTEX_OPS = (0, 1, 3, 4, 5, 9, 10)  # WAIT WAKE REQUEUE CMP_REQUEUE WAKE_OP WAIT_BITSET WAKE_BITSET
_THREADS = _allowing("set_robust_list", "rseq", "set_tid_address", "exit", "exit_group") | {
    "futex": MaskedIn(1, _FUTEX_CMD_MASK, _FUTEX_OPS),
    "clone": Flags(0, required=_CLONE_THREAD, forbidden=_CLONE_NEW_NAMESPACES),
    "clone3": Fail(ENOSYS),  # its flags live in memory a filter cannot read: glibc then uses clone
}
# Sockets the process inherited (the channel to the other side); it can create or connect none. Never with
# MSG_OOB: no side of the channel uses out-of-band data, and AF_UNIX's is rarely used kernel code with a
# history (CVE-2025-38236: a use-after-free reached with MSG_OOB from Chrome's renderer sandbox, which
# then refused the flag). Sample rare_kernel_paths.py.
_MSG_OOB = 0x1
_CHANNEL: dict[str, Rule] = {
    "recvfrom": Flags(3, forbidden=_MSG_OOB),
    "sendto": Flags(3, forbidden=_MSG_OOB),
}
_FD_PASSING = _allowing("shutdown", "poll", "ppoll", "select", "pselect6") | {
    "recvmsg": Flags(2, forbidden=_MSG_OOB),
    "sendmsg": Flags(2, forbidden=_MSG_OOB),
}

_COMMON = _MEMORY | _READ_FILES | _TIME | _IDENTITY | _SIGNALS | _THREADS | _CHANNEL
POLICIES: Mapping[str, Mapping[str, Rule]] = {
    "student": _COMMON | _WRITE_FILES,
    "harness": _COMMON | _OPEN_READ_ONLY | _allowing("write", "writev") | _FD_PASSING,
}

# ---------------------------------------------------------------- syscall numbers

AUDIT_ARCH = {"x86_64": 0xC000003E}
# From <asm/unistd_64.h> (tests/inside/test_seccomp.py checks them against the installed header).
SYSCALL_NUMBERS: Mapping[str, Mapping[str, int]] = {
    "x86_64": {
        "read": 0, "write": 1, "readv": 19, "writev": 20, "pread64": 17, "pwrite64": 18, "lseek": 8,
        "close": 3, "close_range": 436, "open": 2, "openat": 257, "stat": 4, "fstat": 5, "lstat": 6,
        "newfstatat": 262, "statx": 332, "getdents64": 217, "readlink": 89, "readlinkat": 267, "getcwd": 79,
        "chdir": 80, "fchdir": 81, "mkdir": 83, "mkdirat": 258, "rmdir": 84, "unlink": 87, "unlinkat": 263,
        "rename": 82, "renameat": 264, "renameat2": 316, "ftruncate": 77, "fsync": 74, "fdatasync": 75,
        "access": 21, "faccessat": 269, "faccessat2": 439, "fcntl": 72, "ioctl": 16, "dup": 32, "dup2": 33,
        "dup3": 292, "umask": 95, "brk": 12, "mmap": 9, "munmap": 11, "mprotect": 10, "mremap": 25,
        "madvise": 28, "msync": 26, "clock_gettime": 228, "clock_getres": 229, "gettimeofday": 96,
        "time": 201, "nanosleep": 35, "clock_nanosleep": 230, "getitimer": 36, "setitimer": 38, "alarm": 37,
        "getrusage": 98, "times": 100, "getpid": 39, "gettid": 186, "getppid": 110, "getuid": 102,
        "geteuid": 107, "getgid": 104, "getegid": 108, "getgroups": 115, "getresuid": 118, "getresgid": 120,
        "getpgrp": 111, "uname": 63, "sched_getaffinity": 204, "sched_yield": 24, "getrandom": 318,
        "prlimit64": 302, "getrlimit": 97, "rt_sigaction": 13, "rt_sigprocmask": 14, "rt_sigreturn": 15,
        "rt_sigpending": 127, "rt_sigsuspend": 130, "pause": 34, "sigaltstack": 131, "restart_syscall": 219,
        "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
        "clone": 56, "clone3": 435, "set_robust_list": 273, "rseq": 334, "futex": 202,
        "set_tid_address": 218, "exit": 60, "exit_group": 231, "recvfrom": 45, "sendto": 44, "recvmsg": 47,
        "sendmsg": 46, "shutdown": 48, "poll": 7, "ppoll": 271, "select": 23, "pselect6": 270,
    },
}  # fmt: skip


def supported(machine: str | None = None) -> bool:
    return (machine or os.uname().machine) in SYSCALL_NUMBERS


# ---------------------------------------------------------------- compiler

_X32_BIT = 0x40000000
_RET_ALLOW, _RET_KILL_PROCESS, _RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_LD_ABS_W, _ALU_AND_K, _ALU_XOR_K, _ALU_RSH_K = 0x20, 0x54, 0xA4, 0x74
_JA, _JEQ, _JGE, _RET = 0x05, 0x15, 0x35, 0x06
# A CPU-time clock id is negative; its low 3 bits are the type: 0 to 2 a process's, 4 to 6 a thread's.
_CPU_CLOCK_BITS, _CPU_CLOCK = 0x80000007, 0x80000000
_PROCESS_CLOCKS, _THREAD_CLOCKS = (0, 1, 2), (4, 5, 6)
_OFF_NR, _OFF_ARCH, _OFF_ARGS = 0, 4, 16
_LEAF = 4  # syscalls tested one after another at the bottom of the search tree


@dataclass
class _Asm:
    """A tiny BPF assembler: jumps name labels, resolved at the end (conditional ones must stay short)."""

    code: list[tuple[int, str | int, str | int, str | int]] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    pid_slots: list[int] = field(default_factory=list)
    _fresh: int = 0

    def op(self, code: int, k: str | int = 0, jt: str | int = 0, jf: str | int = 0) -> None:
        self.code.append((code, jt, jf, k))

    def ret(self, value: int) -> None:
        self.op(_RET, value)

    def new_label(self, hint: str) -> str:
        self._fresh += 1
        return f"{hint}.{self._fresh}"

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def assemble(self) -> list[tuple[int, int, int, int]]:
        out = []
        for pc, (code, jt, jf, k) in enumerate(self.code):
            rel = [self.labels[j] - pc - 1 if isinstance(j, str) else j for j in (jt, jf)]
            if not all(0 <= r < 256 for r in rel):
                raise ConfineError("seccomp program: conditional jump out of range")
            kk = self.labels[k] - pc - 1 if isinstance(k, str) else k
            out.append((code, rel[0], rel[1], kk & 0xFFFFFFFF))
        return out


def _arg(index: int) -> int:
    return _OFF_ARGS + 8 * index  # the low 32 bits of a little-endian 64-bit argument


def _emit_rule(a: _Asm, rule: Rule) -> None:
    """The rule's body: every path ends in a RET, so nothing falls through to the next syscall."""
    if isinstance(rule, Allow):
        a.ret(_RET_ALLOW)
    elif isinstance(rule, Fail):
        a.ret(_RET_ERRNO | rule.errno)
    elif isinstance(rule, (ArgIn, MaskedIn)):
        allow = a.new_label("allow")
        a.op(_LD_ABS_W, _arg(rule.index))
        if isinstance(rule, MaskedIn):
            a.op(_ALU_AND_K, rule.mask)
        for value in rule.values:
            a.op(_JEQ, value, allow, 0)
        a.ret(_RET_ERRNO | EPERM)
        a.label(allow)
        a.ret(_RET_ALLOW)
    elif isinstance(rule, OwnPid):
        a.op(_LD_ABS_W, _arg(rule.index))
        for value in rule.also:
            a.op(_JEQ, value, 0, 1)
            a.ret(_RET_ALLOW)
        a.pid_slots.append(len(a.code))
        a.op(_JEQ, 0, 0, 1)
        a.ret(_RET_ALLOW)
        a.ret(_RET_ERRNO | EPERM)
    elif isinstance(rule, OwnClock):
        _emit_own_clock(a, rule)
    elif isinstance(rule, Flags):
        a.op(_LD_ABS_W, _arg(rule.index))
        a.op(_ALU_AND_K, rule.required | rule.forbidden)
        a.op(_JEQ, rule.required, 0, 1)
        a.ret(_RET_ALLOW)
        a.ret(_RET_ERRNO | EPERM)
    else:  # pragma: no cover - the Rule union is closed
        raise ConfineError(f"unknown seccomp rule {rule!r}")


def _emit_own_clock(a: _Asm, rule: OwnClock) -> None:
    allow, process = a.new_label("allow"), a.new_label("process")
    a.op(_LD_ABS_W, _arg(rule.index))
    for value in rule.system:
        a.op(_JEQ, value, allow, 0)
    a.op(_ALU_AND_K, _CPU_CLOCK_BITS)
    for kind in _THREAD_CLOCKS:
        a.op(_JEQ, _CPU_CLOCK | kind, allow, 0)
    for kind in _PROCESS_CLOCKS:
        a.op(_JEQ, _CPU_CLOCK | kind, process, 0)
    a.ret(_RET_ERRNO | EPERM)
    a.label(process)  # the pid the kernel reads: ~(id >> 3), the id negative, = (~id) >> 3 on 32 bits
    a.op(_LD_ABS_W, _arg(rule.index))
    a.op(_ALU_XOR_K, 0xFFFFFFFF)
    a.op(_ALU_RSH_K, 3)
    a.op(_JEQ, 0, allow, 0)
    a.pid_slots.append(len(a.code))
    a.op(_JEQ, 0, allow, 0)
    a.ret(_RET_ERRNO | EPERM)
    a.label(allow)
    a.ret(_RET_ALLOW)


def _emit_tree(a: _Asm, entries: list[tuple[int, Rule]]) -> None:
    """Binary search on the syscall number (in the accumulator) down to short runs of equality tests."""
    if len(entries) <= _LEAF:
        for nr, rule in entries:
            skip = a.new_label("next")
            a.op(_JEQ, nr, 0, skip)
            _emit_rule(a, rule)
            a.label(skip)
        a.ret(_RET_ERRNO | EPERM)
        return
    mid = len(entries) // 2
    upper = a.new_label("upper")
    a.op(_JGE, entries[mid][0], 0, 1)
    a.op(_JA, upper)
    _emit_tree(a, entries[:mid])
    a.label(upper)
    _emit_tree(a, entries[mid:])


_INSTRUCTION = struct.Struct("=HBBI")


@dataclass(frozen=True)
class Program:
    """A compiled policy; the own-pid constants are filled in per process by `for_pid` (a few bytes
    patched into a prebuilt program: it runs in every forked child)."""

    role: str
    code: tuple[tuple[int, int, int, int], ...]
    pid_slots: tuple[int, ...]
    template: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "template", b"".join(_INSTRUCTION.pack(*ins) for ins in self.code))

    def for_pid(self, pid: int) -> bytes:
        program = bytearray(self.template)
        for slot in self.pid_slots:
            struct.pack_into("=I", program, slot * _INSTRUCTION.size + 4, pid)
        return bytes(program)


@functools.cache
def compile_policy(role: str, machine: str | None = None) -> Program:
    arch = machine or os.uname().machine
    if arch not in SYSCALL_NUMBERS:
        raise ConfineError(f"no seccomp syscall table for {arch}: only x86_64 is supported")
    if role not in POLICIES:
        raise ConfineError(f"unknown seccomp role {role!r}: one of {', '.join(POLICIES)}")
    numbers = SYSCALL_NUMBERS[arch]
    a = _Asm()
    a.op(_LD_ABS_W, _OFF_ARCH)
    a.op(_JEQ, AUDIT_ARCH[arch], 1, 0)
    a.ret(_RET_KILL_PROCESS)
    a.op(_LD_ABS_W, _OFF_NR)
    a.op(_JGE, _X32_BIT, 0, 1)  # the x32 ABI: other numbers, other meanings
    a.ret(_RET_KILL_PROCESS)
    _emit_tree(a, sorted((numbers[name], rule) for name, rule in POLICIES[role].items()))
    return Program(role, tuple(a.assemble()), tuple(a.pid_slots))


_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2


def install(role: str, pid: int) -> None:
    """Load the role's filter into the calling process (no_new_privs first, as the kernel requires)."""
    program = compile_policy(role).for_pid(pid)
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("=HxxxxxxQ", len(program) // 8, ctypes.addressof(buf))
    fprog_buf = ctypes.create_string_buffer(fprog, len(fprog))
    prctl(_PR_SET_NO_NEW_PRIVS, 1)
    prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog_buf))
