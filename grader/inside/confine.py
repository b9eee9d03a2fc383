"""Confinement of the forked child: session, files, fds, rlimits, Landlock, seccomp.

Runs in the child right after fork, before any student code. Every step is a wall that holds even when the
others are missing: rlimits bound time, memory and files; Landlock (ctypes, syscalls 444-446) leaves read
access to the runtime only and write access to the child's own directory; seccomp (seccomp.py, an
allow-list per role) refuses every syscall the runtime was not seen to need. What the kernel lacks is
recorded by `probe()` and reported by the worker, never silently assumed. The worker's own privilege drop
(root only) is privileges.py.
"""

from __future__ import annotations

import base64
import os
import platform
import resource
import signal
import stat
import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import paths, seccomp
from .libc import ConfineError, checked, prctl, syscall

__all__ = ["ConfineError"]

# The child exits with this code when it could not confine itself (no student code ran).
CONFINE_FAILED_EXIT = 121
RESULT_FD = 3
NOFILE_LIMIT = 64
NPROC_LIMIT = 1024  # threads count too; fork is stopped by seccomp, not by this (see DESIGN.md)
FSIZE_MIN_BYTES = 16 << 20

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_NO_NEW_PRIVS = 38


def make_undumpable() -> None:
    """No ptrace, no /proc/<pid>/mem for same-uid processes (the worker calls this once at start)."""
    prctl(_PR_SET_DUMPABLE, 0)


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
    abi = syscall(_LL_CREATE_RULESET, None, 0, _LL_CREATE_RULESET_VERSION)
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
        if syscall(_LL_ADD_RULE, ruleset, _LL_RULE_PATH_BENEATH, attr, 0) != 0:
            checked(f"landlock_add_rule({path})", -1)
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
    ruleset = checked("landlock_create_ruleset", syscall(_LL_CREATE_RULESET, attr, len(attr), 0))
    try:
        for path in read_paths:
            _add_path_rule(ruleset, path, _READ & fs_all)
        for path in write_paths:
            _add_path_rule(ruleset, path, fs_all)
        prctl(_PR_SET_NO_NEW_PRIVS, 1)
        checked("landlock_restrict_self", syscall(_LL_RESTRICT_SELF, ruleset, 0))
    finally:
        os.close(ruleset)


# ---------------------------------------------------------------- what the kernel offers


@dataclass(frozen=True)
class Capabilities:
    """What the child's walls can be here. `unconfined`: isolation `none` (trusted code), rlimits only."""

    landlock_abi: int
    seccomp: bool
    notes: tuple[str, ...]
    unconfined: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "landlock_abi": self.landlock_abi,
            "seccomp": "allow-list" if self.seccomp else "none",
            "unconfined": self.unconfined,
            "notes": list(self.notes),
        }


def probe(unconfined: bool = False) -> Capabilities:
    """What this kernel and architecture offer; compiles the seccomp policies once, before any fork."""
    if unconfined:
        return Capabilities(0, False, (), unconfined=True)  # the parent's own warning says it loudly
    notes = []
    abi = landlock_abi()
    if abi == 0:
        notes.append("Landlock is unavailable in this kernel: the child's filesystem view is not restricted")
    has_seccomp = seccomp.supported()
    if has_seccomp:
        for role in seccomp.POLICIES:
            seccomp.compile_policy(role)
    else:
        notes.append(f"no seccomp policy for {platform.machine()} (x86_64 only): syscalls are not filtered")
    return Capabilities(abi, has_seccomp, tuple(notes))


# Importable Python outside the runtime's own: never readable, whatever grants their parent directory.
PYTHON_PACKAGE_DIRS = ("site-packages", "dist-packages")


def _library_dirs() -> list[str]:
    """Shared libraries only: the multiarch directories, the loader's, and the C.UTF-8 locale. Not all of
    /usr/lib, which holds /usr/lib/python3/dist-packages."""
    triplet = getattr(sys.implementation, "_multiarch", "")
    dirs = ["/usr/lib64", "/lib64", "/usr/lib/locale"]
    if triplet:
        dirs += [f"/usr/lib/{triplet}", f"/lib/{triplet}"]
    return list(dict.fromkeys(os.path.realpath(d) for d in dirs if os.path.isdir(d)))


def runtime_read_paths(extra: Iterable[str] = ()) -> list[str]:
    """What the child may read: the stdlib (entry by entry, so site-packages stays out), numpy, libraries."""
    stdlib = os.path.dirname(os.__file__)
    paths = [os.path.join(stdlib, name) for name in os.listdir(stdlib) if name not in PYTHON_PACKAGE_DIRS]
    numpy_mod = sys.modules.get("numpy")
    if numpy_mod is not None:
        numpy_dir = os.path.realpath(next(iter(numpy_mod.__path__)))
        paths += [numpy_dir, numpy_dir + ".libs"]
    paths += [*_library_dirs(), "/etc/ld.so.cache", "/etc/localtime"]
    paths += [os.path.realpath(p) for p in extra]
    return paths


# ---------------------------------------------------------------- the child's steps


def write_files(workdir: str, *layers: Mapping[str, str]) -> None:
    """Write base64 files in order: later layers win a clash (support files first, then the submission)."""
    for files in layers:
        for rel, b64 in files.items():
            path = os.path.join(workdir, paths.check_relpath(rel))  # the loader's own check (paths.py)
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
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker_pid:
        os._exit(CONFINE_FAILED_EXIT)


def confine(
    caps: Capabilities,
    workdir: str,
    limits: Mapping[str, float],
    read_paths: list[str],
    role: str = "student",
) -> None:
    """The walls, in order: rlimits, Landlock, seccomp (last: it would refuse nothing the others need).

    `role` picks the seccomp policy (seccomp.POLICIES): "student" for the process that runs student code,
    "harness" for the one that drives it. A harness writes no file, so Landlock grants it no directory.
    """
    set_rlimits(limits)
    if caps.unconfined:
        return
    if caps.landlock_abi:
        apply_landlock(caps.landlock_abi, read_paths, [workdir] if role == "student" else [])
    if caps.seccomp:
        seccomp.install(role, os.getpid())
    else:
        prctl(_PR_SET_NO_NEW_PRIVS, 1)


def apply_seccomp(pid: int, role: str = "student") -> None:
    """The role's allow-list filter; `pid` is the caller's own (signals may only target it)."""
    seccomp.install(role, pid)


def seccomp_supported() -> bool:
    return seccomp.supported()


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
    if caps.unconfined:
        return
    if caps.landlock_abi:
        apply_landlock(caps.landlock_abi, read_paths, [])
    if caps.seccomp:
        seccomp.install("harness", os.getpid())
    else:
        prctl(_PR_SET_NO_NEW_PRIVS, 1)
