"""What a student process's folder holds, counted by its worker where no file system bounds it.

Where the worker's scratch is a folder of the host's disk (the root fallback in a container refusing
namespaces, or with pivot_root refused; rlimits-unprivileged where user namespaces are refused), no tmpfs of a
quota holds a student process's files: RLIMIT_FSIZE caps each file at 16 MiB and nothing caps how many, so one
student filled the host's disk (every other lane's student, and the reports being written, then failed) or
made millions of empty files. The kernel offers no count of its own there without privileges (no mount, no
quota), so the worker looks at the file system holding its scratch each turn of its watch (`Mark`, one
statvfs, ~2 us: the host's disk, shared with everything else on it) and, once that lost more than the pool's
quota or scratch.MAX_INODES files since the running student process started, counts that process's folder
(`measure`, each file stat'ed when bytes were lost, so never while the disk is quiet) and stops it when the
folder holds more than the quota, more than MAX_INODES files and folders, or folders nested deeper than
MAX_DEPTH (deeper ones would need a descriptor a level to count). It bounds what is written between two looks,
not every byte: see docs/SANDBOX.md, "Files".
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass

# Folders inside a student process's folder, counted the way down (two descriptors a level): an honest job
# nests a few (common/, ch05/, a package of its own); deeper ones are never counted, so nesting deeper stops
# the process once its disk grew past the quota.
MAX_DEPTH = 32
_BLOCK = 512  # st_blocks' unit
_OPEN = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Usage:
    """What was counted, up to the first limit passed (the walk stops there): `over` names that limit."""

    entries: int
    bytes: int
    over: str  # "" (within every limit), "files", "bytes" or "depth"


class _Over(Exception):
    def __init__(self, limit: str) -> None:
        self.limit = limit


class _Count:
    def __init__(self, max_entries: int, max_bytes: int | None) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.entries = self.bytes = 0
        self.linked: set[tuple[int, int]] = set()  # files with more than one name: their blocks count once

    def name(self) -> None:
        """An entry counted by its name alone (no stat: bytes not counted)."""
        self.entries += 1
        if self.entries > self.max_entries:
            raise _Over("files")

    def add(self, st: os.stat_result) -> None:
        if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in self.linked:
                return
            self.linked.add(key)
        self.entries += 1
        self.bytes += st.st_blocks * _BLOCK  # what the disk holds: a sparse file's holes take nothing
        if self.entries > self.max_entries:
            raise _Over("files")
        if self.max_bytes is not None and self.bytes > self.max_bytes:
            raise _Over("bytes")


def _open_folder(name: str, parent: int) -> int | None:
    """A folder of the student's, opened to be listed; one made without read or search permission for its
    owner (mkdir(mode=0o300): the student process may not chmod, seccomp refuses it) is opened up first, as
    scratch.remove does, else its files would go uncounted. None: gone meanwhile, or not a folder."""
    try:
        return os.open(name, _OPEN, dir_fd=parent)
    except PermissionError:
        with contextlib.suppress(OSError):
            os.chmod(name, 0o700, dir_fd=parent, follow_symlinks=False)
    except OSError:
        return None
    with contextlib.suppress(OSError):
        return os.open(name, _OPEN, dir_fd=parent)
    return None


def _stat_entry(entry: os.DirEntry[str]) -> os.stat_result:
    return entry.stat(follow_symlinks=False)


def _walk(fd: int, depth: int, count: _Count) -> None:
    if count.max_bytes is None:
        count.name()
    else:
        count.add(os.fstat(fd))
    with os.scandir(fd) as entries:
        for entry in entries:
            try:
                if not entry.is_dir(follow_symlinks=False):
                    if count.max_bytes is None:
                        count.name()
                    else:
                        count.add(_stat_entry(entry))
                    continue
            except FileNotFoundError:  # removed by the student meanwhile
                continue
            if depth + 1 > MAX_DEPTH:
                raise _Over("depth")
            child = _open_folder(entry.name, fd)
            if child is None:
                continue
            try:
                _walk(child, depth + 1, count)
            finally:
                os.close(child)


@dataclass(frozen=True)
class Mark:
    """The free blocks and files of the file system holding a folder, when a student process started."""

    free_bytes: int
    free_files: int

    @classmethod
    def of(cls, path: str) -> Mark:
        st = os.statvfs(path)
        return cls(st.f_bavail * st.f_frsize, st.f_favail)

    def grown(self, path: str, max_entries: int, max_bytes: int) -> str:
        """Which limit the file system lost more than since this mark ("bytes" first, "files", or ""): only
        then may a folder on it hold that much. Whoever else wrote there meanwhile is counted too, and whoever
        freed room lets the folder hold that much more: what the disk holds grows by the limit at most."""
        now = Mark.of(path)
        if self.free_bytes - now.free_bytes > max_bytes:
            return "bytes"
        return "files" if self.free_files - now.free_files > max_entries else ""


def measure(path: str, max_entries: int, max_bytes: int | None) -> Usage:
    """Count the files, folders and bytes under `path` (itself included), symlinks never followed, stopping at
    the first limit passed. A tree the student changes meanwhile is counted as found. With `max_bytes` None
    no file is stat'ed (~1 us an entry instead of ~30 on this loaded machine: a flood of empty files is
    counted while it grows) and each name counts as an entry, a hard link's too."""
    count = _Count(max_entries, max_bytes)
    over = ""
    try:
        top = os.open(path, _OPEN)
    except OSError:
        return Usage(0, 0, "")
    try:
        _walk(top, 0, count)
    except _Over as reached:
        over = reached.limit
    finally:
        os.close(top)
    return Usage(count.entries, count.bytes, over)
