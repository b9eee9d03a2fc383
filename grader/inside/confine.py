"""Confinement of the forked child: session, fds, files, Landlock, rlimits, seccomp.

Runs in the child right after fork, before any student code. Every step is a wall that holds even when the
others are missing: rlimits bound time, memory and files; Landlock (ctypes, syscalls 444-446) leaves read
access to the runtime only and write access to the child's own directory; seccomp (seccomp.py, an
allow-list per role) refuses every syscall the runtime was not seen to need. What the kernel lacks is
recorded by `probe()` and reported by the worker, never silently assumed. The worker's own privilege drop
(root only) is privileges.py.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import resource
import signal
import stat
import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import paths, seccomp
from .libc import ConfineError, checked, prctl, syscall
from .limits import NPROC_LIMIT, SIGPENDING_LIMIT
from .privileges import drop_capabilities

__all__ = ["ConfineError"]

# The child exits with this code when it could not confine itself (no student code ran).
CONFINE_FAILED_EXIT = 121
RESULT_FD = 3
NOFILE_LIMIT = 64
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
# ReadRules' descriptors sit above the fds a child sets up (0-2, the channel on 3, the set-up pipe on 4): its
# dup2s never land on one. The lowest free number from there, so no RLIMIT_NOFILE is too small for them.
_RULE_FD_MIN = RESULT_FD + 2


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is missing or disabled."""
    abi = syscall(_LL_CREATE_RULESET, None, 0, _LL_CREATE_RULESET_VERSION)
    return max(int(abi), 0)


def _fs_rights(abi: int) -> int:
    return _FS_BY_ABI.get(min(abi, 5), 0)


def _open_rule(path: str, access: int) -> tuple[int, int] | None:
    """(O_PATH fd, the access a rule on it grants); None for a path this machine lacks (it grants nothing)."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return None
    if not stat.S_ISDIR(os.fstat(fd).st_mode):
        access &= _FILE_ONLY
    return fd, access


def _add_rule(ruleset: int, fd: int, access: int, path: str) -> None:
    attr = struct.pack("=Qi", access, fd)
    if syscall(_LL_ADD_RULE, ruleset, _LL_RULE_PATH_BENEATH, attr, 0) != 0:
        checked(f"landlock_add_rule({path})", -1)


def _restrict(abi: int, rules: Iterable[tuple[int, int, str]]) -> None:
    """Deny every filesystem access (and TCP, and signals/abstract sockets leaving the domain) but `rules`,
    (fd, access, path for messages) each."""
    fields = [_fs_rights(abi)]
    if abi >= 4:
        fields.append(_NET_ALL)
    if abi >= 6:
        fields.append(_SCOPE_ALL)
    attr = struct.pack(f"={len(fields)}Q", *fields)
    ruleset = checked("landlock_create_ruleset", syscall(_LL_CREATE_RULESET, attr, len(attr), 0))
    try:
        for fd, access, path in rules:
            _add_rule(ruleset, fd, access, path)
        prctl(_PR_SET_NO_NEW_PRIVS, 1)
        checked("landlock_restrict_self", syscall(_LL_RESTRICT_SELF, ruleset, 0))
    finally:
        os.close(ruleset)


def _opened(abi: int, paths_and_access: Iterable[tuple[str, int]]) -> list[tuple[int, int, str]]:
    out = []
    for path, access in paths_and_access:
        rule = _open_rule(path, access & _fs_rights(abi))
        if rule is not None:
            out.append((*rule, path))
    return out


def apply_landlock(abi: int, read_paths: Iterable[str], write_paths: Iterable[str]) -> None:
    """Deny every filesystem access (and TCP, and signals/abstract sockets leaving the domain) but these."""
    wanted = [(p, _READ) for p in read_paths] + [(p, _fs_rights(abi)) for p in write_paths]
    rules = _opened(abi, wanted)
    try:
        _restrict(abi, rules)
    finally:
        for fd, _, _ in rules:
            os.close(fd)


@dataclass(frozen=True)
class ReadRules:
    """The runtime's read-only Landlock rules with their paths opened once (O_PATH), by the worker.

    A student process adds them to its own ruleset as they are: the same rules `apply_landlock` would make,
    without opening, statting and closing some 200 paths again in every child (measured: 2.3 -> 1.0 ms of a
    child's start). The descriptors are inherited by each child, which closes every fd it does not need
    (`setup_fds`) before any student code runs; an O_PATH descriptor reads nothing by itself, and whatever
    is reached through one is still checked by the child's Landlock domain.
    """

    abi: int
    rules: tuple[tuple[int, int, str], ...]

    @classmethod
    def open(cls, abi: int, read_paths: Iterable[str]) -> ReadRules:
        """Opened above the fds a child sets up (0-4), so that its dup2s never land on one of them."""
        if not abi:
            return cls(abi, ())
        rules = []
        for fd, access, path in _opened(abi, [(p, _READ) for p in read_paths]):
            rules.append((fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, _RULE_FD_MIN), access, path))
            os.close(fd)
        return cls(abi, tuple(rules))

    @property
    def fds(self) -> tuple[int, ...]:
        return tuple(fd for fd, _, _ in self.rules)

    def close(self) -> None:
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    def apply(self, write_paths: Iterable[str], read_paths: Iterable[str] = ()) -> None:
        """Restrict the calling process: these reads and `read_paths`, and every access beneath
        `write_paths`."""
        wanted = [(p, _READ) for p in read_paths] + [(p, _fs_rights(self.abi)) for p in write_paths]
        written = _opened(self.abi, wanted)
        try:
            _restrict(self.abi, [*self.rules, *written])
        finally:
            for fd, _, _ in written:
                os.close(fd)


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
        notes.append(f"no seccomp policy for {os.uname().machine} (x86_64 only): syscalls are not filtered")
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


def _stdlib_read_paths(stdlib: str, granted: Iterable[str] = (), private_view: bool = False) -> list[str]:
    """The stdlib's read rules. In a private view of the file system (bubblewrap, or the worker's own root
    as root: rootfs.py), whose site-packages and dist-packages are masked empty and only numpy is mounted
    back, one rule on the stdlib folder has the reach of one rule per entry and spares every student process
    some 200 landlock_add_rule calls; an entry that is a symbolic link keeps a rule of its own (a folder's
    rule does not follow links out of it). Anywhere else, or when a package folder holds anything not
    granted anyway, one rule per entry but the package folders, so that they stay out."""
    names = os.listdir(stdlib)
    entries = [os.path.join(stdlib, name) for name in names if name not in PYTHON_PACKAGE_DIRS]
    allowed = {os.path.realpath(p) for p in granted}
    packages = [os.path.join(stdlib, name) for name in names if name in PYTHON_PACKAGE_DIRS]
    if private_view and all(_holds_only(p, allowed) for p in packages):
        return [stdlib, *(e for e in entries if os.path.islink(e))]
    return entries


def _holds_only(folder: str, allowed: set[str]) -> bool:
    try:
        if os.path.islink(folder) or not os.path.isdir(folder):
            return False
        return all(os.path.realpath(os.path.join(folder, name)) in allowed for name in os.listdir(folder))
    except OSError:  # a folder this user may cross but not list: its content is unknown
        return False


def runtime_read_paths(extra: Iterable[str] = (), *, private_view: bool = False) -> list[str]:
    """What the child may read: the stdlib (never the rest of its site-packages), numpy, libraries.
    `private_view`: the worker sees a file system built for it (see `_stdlib_read_paths`)."""
    paths = []
    numpy_mod = sys.modules.get("numpy")
    if numpy_mod is not None:
        numpy_dir = os.path.realpath(next(iter(numpy_mod.__path__)))
        paths += [numpy_dir, numpy_dir + ".libs"]
    paths += [*_library_dirs(), "/etc/ld.so.cache", "/etc/localtime"]
    paths += [os.path.realpath(p) for p in extra]
    return [*_stdlib_read_paths(os.path.dirname(os.__file__), paths, private_view), *paths]


# ---------------------------------------------------------------- the child's steps


def write_files(workdir: str, *layers: Mapping[str, str]) -> None:
    """Write base64 files in order: later layers win a clash (support files first, then the submission)."""
    for files in layers:
        for rel, b64 in files.items():
            path = os.path.join(workdir, paths.check_relpath(rel))  # the loader's own check (paths.py)
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            with open(path, "wb") as f:
                f.write(base64.b64decode(b64, validate=True))


def seal(folder: str) -> None:
    """Make what `folder` holds read-only to its owner too (files 0o444, folders 0o555): the job's served
    stand-in files, which Landlock already keeps from being written; without Landlock, the student process
    (which may not chmod: seccomp) cannot change them either, and cannot replace the folder because the
    folder holding it is 0o111 between the worker's writes (Worker.served_folder). The worker's clean-up
    makes the folders its own again (scratch.remove)."""
    for top, _dirs, files in os.walk(folder, topdown=False):
        for name in files:
            os.chmod(os.path.join(top, name), 0o444)
        os.chmod(top, 0o555)


def modification_times(folder: str) -> tuple[tuple[str, int], ...]:
    """Every folder and file of `folder` (itself included) with its modification time, read once when the
    worker writes it, for `unread`."""
    return tuple(
        (path, os.stat(path, follow_symlinks=False).st_mtime_ns)
        for top, _dirs, files in os.walk(folder)
        for path in (top, *(os.path.join(top, name) for name in files))
    )


def unread(times: Iterable[tuple[str, int]]) -> None:
    """Each path's access time set back to its modification time (`modification_times`): the served stand-in's
    folder, shared by the worker's jobs, at each job's start (Worker._job), before its student processes,
    whose later phases may see their own student's reads alone. A read moves a file's atime (relatime:
    the first read after a write, which `unread` makes each job's first again) and a listing its
    folder's, to the reader's clock; any later process stats them. Without this, one student's process set a
    bit and a time the next student's read: whether the stand-in had been imported, and when (sample
    submissions/layers/standin_atime_pair.py: 62 / 62 on the second run, against relu_mask_from_dout.py's
    score). The student process may not set times itself (seccomp: no utimensat). One utimensat a path, no
    walk: ~400 to 450 us a job walked and stat'ed, here."""
    for path, mtime in times:
        os.utime(path, ns=(mtime, mtime), follow_symlinks=False)


def write_bytecode(workdir: str, files: Mapping[str, str]) -> None:
    """The parent's pycs (grader/bytecode.py), each only if it can be written whole and as a new file: a pyc
    is a speed-up, never a reason for a set-up to fail (the import system compiles a file that has none),
    and never written over a file of the job."""
    for rel, b64 in files.items():
        path = None
        try:
            target = os.path.join(workdir, paths.check_relpath(rel))
            data = base64.b64decode(b64, validate=True)  # before anything is created
            os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
            with open(target, "xb") as f:
                path = target
                f.write(data)
        except (OSError, ValueError):  # UnsafePath and a base64 error are ValueErrors
            if path is not None:  # a torn file of ours is worse than none
                with contextlib.suppress(OSError):
                    os.unlink(path)


SETUP_FD = RESULT_FD + 1


def setup_fds(
    stdout_w: int, stderr_w: int, result_w: int, setup_w: int | None = None, keep: Iterable[int] = ()
) -> None:
    """stdin from /dev/null, stdout/stderr to the capture pipes, the channel on fd 3, the set-up pipe (if
    any) on fd 4, every other fd closed but `keep` (ReadRules' descriptors, closed by `confine`)."""
    wanted = [(1, stdout_w), (2, stderr_w), (RESULT_FD, result_w)]
    if setup_w is not None:
        wanted.append((SETUP_FD, setup_w))
    for target, fd in wanted:
        if fd != target:
            os.dup2(fd, target, inheritable=True)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    first_closed = SETUP_FD + 1 if setup_w is not None else RESULT_FD + 1
    end = max(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 1024)
    for fd in sorted(f for f in set(keep) if first_closed <= f < end):
        os.closerange(first_closed, fd)
        first_closed = fd + 1
    os.closerange(first_closed, end)


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
        resource.RLIMIT_SIGPENDING: (SIGPENDING_LIMIT, SIGPENDING_LIMIT),
    }
    for which, (soft, hard) in wanted.items():
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, old_hard), min(hard, old_hard)
        resource.setrlimit(which, (soft, hard))


def die_with_worker(worker_pid: int) -> None:
    """If the worker dies, the child dies too (in rlimits mode nothing else would reap it). In a PID namespace
    of its own (pid_namespace.py; `worker_pid` 0) its parent is outside it and reads as 0 whoever it is: a
    worker that died before this call leaves the set-up byte unwritable (EPIPE: report_setup_done raises)."""
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker_pid:
        os._exit(CONFINE_FAILED_EXIT)


def confine(
    caps: Capabilities,
    workdir: str,
    limits: Mapping[str, float],
    reads: ReadRules,
    also_read: Iterable[str] = (),
) -> None:
    """A student process's walls, in order: Landlock (`reads`, `also_read` and its own `workdir`), rlimits,
    seccomp (last: it would refuse nothing the others need). `reads`' descriptors are closed on every
    path. Landlock before the rlimits: its ruleset needs a descriptor above `reads`' (one per runtime path,
    some 210 where the stdlib is listed entry by entry, rlimits-unprivileged), which RLIMIT_NOFILE's 64
    refused (EMFILE: every submission of an ordinary user without bubblewrap was a set-up failure)."""
    try:
        if not caps.unconfined and caps.landlock_abi:
            reads.apply([workdir], also_read)
    finally:
        reads.close()
    set_rlimits(limits)
    if caps.unconfined:
        return
    if caps.seccomp:
        seccomp.install("student", os.getpid())
    else:
        prctl(_PR_SET_NO_NEW_PRIVS, 1)


def apply_seccomp(pid: int, role: str = "student") -> None:
    """The role's allow-list filter; `pid` is the caller's own (signals may only target it)."""
    seccomp.install(role, pid)


def seccomp_supported() -> bool:
    return seccomp.supported()


HARNESS_NOFILE = 256


def confine_harness(caps: Capabilities, read_paths: list[str], memory_mib: int) -> None:
    """The harness's own walls, in the student process's order (`confine`): Landlock, rlimits, seccomp. No
    file writes anywhere, no new processes, bounded memory.

    It runs only the grader's code, but on data from student processes: if that code had a flaw, these
    walls hold. No CPU limit: it serves every job of its worker, and the parent's deadlines bound each job.
    Landlock before the rlimits: `apply_landlock` holds one descriptor per read path at once (one per stdlib
    entry where the stdlib is listed entry by entry, rlimits-unprivileged: some 210, more in a Python whose
    stdlib holds more files), which HARNESS_NOFILE refused (EMFILE: no worker of an ordinary user without
    bubblewrap started where the stdlib had 244 entries or more).
    """
    if not caps.unconfined:
        drop_capabilities()  # bubblewrap's CAP_SYS_ADMIN, kept by the worker it was forked from
    if not caps.unconfined and caps.landlock_abi:
        apply_landlock(caps.landlock_abi, read_paths, [])
    memory = memory_mib << 20
    for which, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, HARNESS_NOFILE),
        (resource.RLIMIT_SIGPENDING, SIGPENDING_LIMIT),
    ):
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            value = min(value, old_hard)
        resource.setrlimit(which, (value, value))
    if caps.unconfined:
        return
    if caps.seccomp:
        seccomp.install("harness", os.getpid())
    else:
        prctl(_PR_SET_NO_NEW_PRIVS, 1)
