"""A student's working directory: made private, and removed whatever the student did to it, without recursion.

A student process may chmod its directories to 000, nest directories thousands deep or fill them with
files. Removal works on directory descriptors (never paths that could grow past PATH_MAX) and flattens the
tree as it goes: every sub-directory is moved up to the top directory before it is emptied, so the depth
never exceeds two and no stack or descriptor count grows with the tree. Symlinks are removed, never followed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

MAX_ENTRIES = 1_000_000  # a bound on the work, far above what a job can create in its time
# Files and directories a worker's scratch file system may hold at once: the tmpfs's size counts bytes and
# RLIMIT_AS the process's own memory, but neither counts an inode, and each empty file pins about 1 KiB of
# the machine's kernel memory (measured: 200,000 of them, 1.3 s of CPU, 161 MiB of unreclaimable slab), a
# million or more in a student process's 10 s of CPU (sample scratch_inode_flood.py). An honest job holds
# its files (at most 200), their bytecode and a few saved arrays: hundreds. 20,000 pin ~20 MiB. A private
# tmpfs gets it as `nr_inodes` (rootfs.py), as does a student process's own (folder_mounts.make_mounted,
# bubblewrap's /tmp having no such option); the worker kills a student process that fills it in any mode with
# a scratch of its own (worker.py, `_Job.check_files`).
MAX_INODES = 20_000
_NAME_TRIES = 100


def make(parent: str, prefix: str) -> str:
    """A new directory in `parent`, its owner's alone (0o700), under an unguessable name: what
    tempfile.mkdtemp does, without importing tempfile, which brings shutil, random, bz2 and lzma into a
    worker that uses none of them (~4 ms of CPU on a cold worker's start, before it can take a job)."""
    for _ in range(_NAME_TRIES):
        path = os.path.join(parent, prefix + os.urandom(6).hex())
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        return os.path.abspath(path)
    raise FileExistsError(errno.EEXIST, f"no unused {prefix}* name in {parent}")


def _open_dir(name: str, dir_fd: int | None) -> int:
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


def _chmod_dir(name: str, dir_fd: int | None) -> None:
    """Make a directory ours to list and empty again; never a symlink (checked first: Linux has no lchmod,
    and the student process that made the tree is gone, so nothing can swap the entry in between)."""
    try:
        if stat.S_ISDIR(os.lstat(name, dir_fd=dir_fd).st_mode):
            os.chmod(name, 0o700, dir_fd=dir_fd)
    except OSError:
        pass


def remove(path: str) -> bool:
    """Remove `path` and everything below it; True when it is gone (a folder of folder_mounts.make_mounted:
    folder_mounts.remove)."""
    if not os.path.lexists(path):
        return True
    _chmod_dir(path, None)
    try:
        top = _open_dir(path, None)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return not os.path.lexists(path)
    counter = 0
    try:
        work = 0
        while work < MAX_ENTRIES:
            entries = list(os.scandir(top))
            if not entries:
                break
            for entry in entries:
                work += 1
                if entry.is_dir(follow_symlinks=False):
                    counter = _empty_into(top, entry.name, counter)
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.name, dir_fd=top)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.name, dir_fd=top)
    finally:
        os.close(top)
    with contextlib.suppress(OSError):
        os.rmdir(path)
    return not os.path.lexists(path)


def _empty_into(top: int, name: str, counter: int) -> int:
    """Move the sub-directories of top/name up into top (unique names), remove its other entries."""
    _chmod_dir(name, top)
    try:
        fd = _open_dir(name, top)
    except OSError:
        return counter
    try:
        os.fchmod(fd, 0o700)
        for entry in list(os.scandir(fd)):
            if entry.is_dir(follow_symlinks=False):
                counter += 1
                # A directory moved to another parent needs write permission on itself (its ".." entry
                # changes): one made 0o555 (mkdir's mode, a sealed served folder's) never moved, and the
                # removal turned until MAX_ENTRIES (5 s a worker's exit with a served stand-in).
                _chmod_dir(entry.name, fd)
                with contextlib.suppress(OSError):
                    os.rename(entry.name, f".flat-{counter}", src_dir_fd=fd, dst_dir_fd=top)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.name, dir_fd=fd)
    finally:
        os.close(fd)
    return counter


def inodes_used(path: str) -> int:
    """Files and directories on the file system holding `path` (its root included): one statvfs, ~2 us."""
    st = os.statvfs(path)
    return st.f_files - st.f_ffree


def is_clean(path: str) -> bool:
    """The worker's scratch holds nothing between jobs (no job directory, no file left behind)."""
    try:
        return not any(True for _ in os.scandir(path))
    except OSError:
        return False
