"""The host's files a student process may read, made read-only mounts in the worker's mount namespace
(rlimits-unprivileged, and the root fallback without a private root), so that no read of theirs changes
them: not even their access times.

Landlock lets a student process read the stdlib, numpy and the runtime on the host's disk, where the file
system is writable and mounted `relatime`: the first read of a file in 24 hours moves its atime to the
reader's clock, and any later process may `stat` it (Landlock guards no stat). One student's process read a
stdlib module nobody imports (`this.py`); the next student's found its atime minutes old and scored full
marks (sample submissions/layers/runtime_atime_pair.py: 62 / 62 on the second run as uid 1001). A bit per
file, a few hundred files, and the bits outlive the grader. The kernel moves no access time on a read-only
mount: bubblewrap and the root fallback's private root bind the runtime read-only already; here the worker
binds each of those folders onto itself in the mount namespace `proc_view.hide` made (owned by the worker's
user namespace of its own, where it holds CAP_SYS_ADMIN), every mount there made private first, and makes
the bind read-only. Only its namespace sees it; the host's files stay as they were for everyone else.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from . import libc
from .libc import MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_REC, MS_REMOUNT, ConfineError, call

# statvfs's f_flag bits a remount must keep where a less privileged namespace's copy locked them (EPERM
# otherwise), mapped to mount(2)'s: ST_NOSUID, ST_NODEV, ST_NOEXEC, ST_NOATIME, ST_NODIRATIME, ST_RELATIME.
_KEPT_FLAGS = {2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: 1024, 2048: 2048, 4096: 1 << 21}
NOT_READ_ONLY = (
    "the host's files a student process may read are not read-only here ({}): a read moves their access "
    'times, which a later student\'s process can stat (docs/SANDBOX.md, "Access times")'
)


def locked_flags(f_flag: int) -> int:
    """mount(2)'s flags for the statvfs `f_flag` bits a read-only remount of a bind must keep (EPERM where a
    less privileged namespace's copy locked them and the remount drops one)."""
    return sum(flag for bit, flag in _KEPT_FLAGS.items() if f_flag & bit)


def tops(paths: Iterable[str]) -> list[str]:
    """The existing paths of `paths` that lie under none of the others (one bind reaches below it)."""
    real = sorted({os.path.realpath(p) for p in paths if os.path.lexists(p)})
    kept: list[str] = []
    for path in real:
        if not any(path == top or path.startswith(top.rstrip("/") + "/") for top in kept):
            kept.append(path)
    return kept


def bind_read_only(paths: Iterable[str]) -> str | None:
    """Each of `tops(paths)` bound onto itself, with what is mounted below it, and the bind made read-only,
    in the caller's own mount namespace (a file system mounted below one of them keeps its own flags: none
    is, on the hosts measured, below the stdlib, numpy or the runtime). None when done; else the note
    saying why not (the first refusal stops it: what was bound stays, read-only)."""
    try:
        # Nothing bound here shows in another namespace: the root fallback's mount namespace may be a peer of
        # the host's (made at its privilege, shared mounts stay shared), an ordinary user's its slave.
        call("mount", None, b"/", None, MS_REC | libc.MS_PRIVATE, None)
        for path in tops(paths):
            target = path.encode()
            call("mount", target, target, None, MS_BIND | MS_REC, None)
            kept = locked_flags(os.statvfs(path).f_flag)
            call("mount", None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept, None)
    except (ConfineError, OSError) as err:
        return NOT_READ_ONLY.format(err)
    return None
