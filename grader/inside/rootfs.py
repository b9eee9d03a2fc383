"""The worker's own root file system, for the fallback mode run as root (no bubblewrap).

In a private mount namespace the worker builds the same view bubblewrap gives: a read-only system (/usr and
its symlinks), the interpreter's prefix with every site-packages/dist-packages directory under an empty
tmpfs, the paths it was told to keep (numpy through pylib, the runtime, a test runner), a few device nodes,
/etc/ld.so.cache and /etc/localtime, and a size-capped tmpfs as its scratch (a per-worker disk quota that
vanishes with the worker). Then it pivots into it and detaches the host's root: /home, /root, /proc, the
repo, fixtures and other submissions are not hidden by a rule that could be forgotten, they are simply absent.
Everything keeps its host path, so the interpreter, sys.path and the runtime's __file__ stay valid.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from .libc import (
    MNT_DETACH,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    ConfineError,
    call,
    checked,
    syscall,
)
from .masked import masked_dirs
from .read_only_view import locked_flags
from .scratch import MAX_INODES

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
SCRATCH_QUOTA_MIB = 512
SANDBOX_ID = 65534  # the group of every worker dropped from root, and the uid of one started without its own
# The uids the pool gives its workers, one each (grader/sandbox/layout.py SANDBOX_UIDS, the same block): the
# kernel counts RLIMIT_NPROC per uid, so workers sharing one shared their students' thread budget.
SANDBOX_UIDS = range(0x70000000, 0x70000000 + 0x10000)
# In a user namespace that does not map that block, the pool takes a free one of its map at or above this
# (grader/sandbox/uid_block.py): below it are the system and login users, systemd's dynamic users and nobody.
FIRST_POOL_UID = 0x10000

_SYS_PIVOT_ROOT = 155  # x86_64; glibc has no wrapper


@dataclass(frozen=True)
class Mount:
    """One step of the plan. kind: ro-bind, dev-bind, symlink (source is the link text) or tmpfs."""

    kind: str
    dest: str
    source: str = ""
    size_mib: int = 0
    owner: int | None = None
    group: int = SANDBOX_ID  # a tmpfs's group where it has an owner
    inodes: int | None = None  # a tmpfs's nr_inodes (files and directories it may hold)


def _depth(path: str) -> int:
    return len([p for p in path.split("/") if p])


def _keep_paths(keep: Iterable[str]) -> list[str]:
    """The kept paths and, one level down, the targets of their symlinks (pylib links to numpy)."""
    out: list[str] = []
    for path in keep:
        real = os.path.realpath(path)
        out.append(real)
        if os.path.isdir(real):
            for entry in sorted(os.listdir(real)):
                full = os.path.join(real, entry)
                if os.path.islink(full):
                    out.append(os.path.realpath(full))
    return [p for p in dict.fromkeys(out) if os.path.exists(p)]


def plan(
    keep: Iterable[str],
    scratch: str,
    quota_mib: int = SCRATCH_QUOTA_MIB,
    owner: int = SANDBOX_ID,
    group: int = SANDBOX_ID,
) -> list[Mount]:
    """The new root, parents before children; `scratch` becomes the worker's private size-capped tmpfs,
    `owner`'s (the uid the worker drops to; an ordinary user's worker: its own) and `group`'s."""
    steps: list[Mount] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            steps.append(Mount("symlink", path, os.readlink(path)))
        elif os.path.isdir(path):
            steps.append(Mount("ro-bind", path, path))
    covered = [m.dest for m in steps if m.kind == "ro-bind"]
    steps += [Mount("ro-bind", p, p) for p in SYSTEM_FILES if os.path.exists(p)]
    steps += [Mount("dev-bind", p, p) for p in DEVICES if os.path.exists(p)]
    prefix = os.path.realpath(sys.base_prefix)
    if not any(prefix == c or prefix.startswith(c + "/") for c in covered):
        steps.append(Mount("ro-bind", prefix, prefix))
    masks = masked_dirs()
    steps += [Mount("tmpfs", m, size_mib=1) for m in masks]
    for path in _keep_paths(keep):
        steps.append(Mount("ro-bind", path, path))
    where = os.path.realpath(scratch)
    steps.append(Mount("tmpfs", where, size_mib=quota_mib, owner=owner, group=group, inodes=MAX_INODES))
    # Stable sort: a parent is mounted before what lies beneath it (a mask before the numpy kept inside it).
    return sorted(steps, key=lambda m: _depth(m.dest))


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = [s.encode() if s is not None else None for s in (source, target, fstype, data)]
    try:
        call("mount", enc[0], enc[1], enc[2], flags, enc[3])
    except ConfineError as err:
        raise ConfineError(f"mount {source} on {target} ({fstype or 'bind'}): {err}") from None


def _mountpoint(path: str, is_dir: bool) -> None:
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    if is_dir and not os.path.isdir(path):
        os.mkdir(path, 0o755)
    elif not is_dir and not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))


def _apply(step: Mount, root: str, sources: dict[str, int], read_only_later: list[str]) -> None:
    dest = root + step.dest
    if step.kind == "symlink":
        os.makedirs(os.path.dirname(dest), mode=0o755, exist_ok=True)
        os.symlink(step.source, dest)
    elif step.kind in ("ro-bind", "dev-bind"):
        fd = sources[step.source]
        _mountpoint(dest, stat.S_ISDIR(os.fstat(fd).st_mode))
        _mount(f"/proc/self/fd/{fd}", dest, None, MS_BIND | MS_REC)
        if step.kind == "ro-bind":  # keeping the flags a user namespace's copy of the host's mounts locked
            kept = locked_flags(os.fstatvfs(fd).f_flag)
            _mount(None, dest, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | kept)
    elif step.kind == "tmpfs":
        os.makedirs(dest, mode=0o755, exist_ok=True)
        owner = f",uid={step.owner},gid={step.group},mode=0700" if step.owner is not None else ",mode=0755"
        flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
        inodes = f",nr_inodes={step.inodes}" if step.inodes is not None else ""
        _mount("tmpfs", dest, "tmpfs", flags, f"size={step.size_mib}m{inodes}{owner}")
        if step.owner is None:
            read_only_later.append(dest)  # masks stay empty: read-only once what they hold is mounted
    else:
        raise ConfineError(f"unknown mount step {step.kind!r}")


class RootNotBuilt(ConfineError):
    """The private root could not be built (nothing changed for the process: it may go on without one)."""


def enter(steps: list[Mount], mountpoint: str) -> None:
    """Build the planned root on a tmpfs at `mountpoint` (any existing directory: this namespace is
    private) and make it `/`. Needs CAP_SYS_ADMIN in a mount namespace of its own.

    A failure before the switch raises RootNotBuilt after undoing what was mounted; one after it (the host's
    root still attached) raises ConfineError: the worker must not start."""
    sources: dict[str, int] = {}
    try:
        _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing propagates back to the host
        # Sources are opened first: the new root covers `mountpoint`, which may hold some of them.
        for step in steps:
            if step.kind.endswith("bind") and step.source not in sources:
                sources[step.source] = os.open(step.source, os.O_PATH | os.O_CLOEXEC)
        _mount("tmpfs", mountpoint, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        try:
            read_only_later: list[str] = []
            for step in steps:
                _apply(step, mountpoint, sources, read_only_later)
            for path in reversed(read_only_later):
                _mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
            os.chdir(mountpoint)
            checked("pivot_root", syscall(_SYS_PIVOT_ROOT, b".", b"."))
        except (ConfineError, OSError):
            os.chdir("/")
            call("umount2", mountpoint.encode(), MNT_DETACH)
            raise
    except (ConfineError, OSError) as err:
        raise RootNotBuilt(str(err)) from None
    finally:
        for fd in sources.values():
            os.close(fd)
    call("umount2", b".", MNT_DETACH)  # the host's root, stacked under the new one, is let go
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
