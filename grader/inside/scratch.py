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
# tmpfs gets it as `nr_inodes` (rootfs.py), as does a student process's own (make_mounted, bubblewrap's /tmp
# having no such option); the worker kills a student process that fills it in any mode with a scratch of its
# own (worker.py, `_Job.check_files`).
MAX_INODES = 20_000
_NAME_TRIES = 100
# A tmpfs of its own for each student process's folder (make_mounted): tmpfs numbers its inodes per mount, in
# turn, so on one shared by a worker's jobs the first file a student process made read how many files every
# earlier process of that worker had made, a counter one student could set for the next (sample
# inode_counter_pair.py, docs/SANDBOX.md "The inode counter"). A fresh mount starts its own count.
_MS_NOSUID, _MS_NODEV = 2, 4  # as bubblewrap's /tmp
_MNT_DETACH, _UMOUNT_NOFOLLOW = 2, 8
_CLONE_NEWNS, _MS_REC, _MS_PRIVATE = 0x00020000, 16384, 1 << 18
NOT_MOUNTED = (
    "no tmpfs of its own can be mounted for a student process's folder here: the first file it makes reads "
    "the scratch's inode counter, which every earlier student process of its worker moved (docs/SANDBOX.md)"
)


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


def make_mounted(parent: str, prefix: str, size: int) -> str:
    """`make`, then a fresh tmpfs mounted there (`size` bytes, at most MAX_INODES files and directories, its
    owner's alone): needs CAP_SYS_ADMIN over the caller's mount namespace (libc.ConfineError without it). The
    directory is removed again if the mount fails. Undone by `remove(path, mounted=True)`."""
    from .libc import ConfineError, call  # the parent imports this module too: no ctypes there

    if size <= 0:  # tmpfs reads size=0 as no limit at all
        raise ConfineError(f"a tmpfs of {size} bytes for a student process's folder")
    path = make(parent, prefix)
    options = f"size={size},nr_inodes={MAX_INODES},mode=0700".encode()
    try:
        call("mount", b"tmpfs", path.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options)
    except ConfineError:
        os.rmdir(path)
        raise
    return path


def own_mount_namespace() -> None:
    """rlimits modes: a mount namespace of the worker's own, owned by its user namespace of its own
    (privileges.own_user_namespace), everything in it private, so that it may mount each student process's
    folder (`make_mounted`) as a bubblewrap worker does in the one `proc_view.hide` makes. The mounts copied
    from the private root (or the host) are the same and locked together (a less privileged namespace's
    copy): nothing is shown or hidden. Nothing done where it is refused: `can_mount` then says no."""
    from .libc import ConfineError, call

    with contextlib.suppress(ConfineError):
        call("unshare", _CLONE_NEWNS)
        call("mount", b"none", b"/", None, _MS_REC | _MS_PRIVATE, None)  # our mounts reach no other namespace


def can_mount(parent: str, size: int) -> bool:
    """Whether `make_mounted` works here and a file can be made on the mount (tried once, at a worker's start:
    ~7 syscalls). A worker started by an ordinary user mounts in a mount namespace of its own user namespace,
    which maps no id: the mount succeeds, but the kernel makes no file there whose owner it cannot map
    (EOVERFLOW), and every student process's set-up failed ("not your fault", 0 / 15 for a correct file).
    The root fallback's worker maps its own ids there first (privileges._map_own_ids)."""
    from .libc import ConfineError

    try:
        path = make_mounted(parent, "probe-", size)
    except (ConfineError, OSError):
        return False
    try:
        os.close(
            os.open(os.path.join(path, "probe"), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        )
    except OSError:
        remove(path, mounted=True)
        return False
    return remove(path, mounted=True)


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


def remove(path: str, mounted: bool = False) -> bool:
    """Remove `path` and everything below it; True when it is gone. `mounted`: a `make_mounted` folder,
    whose tmpfs is let go first (everything on it with it; a mount that stays makes the removal fail)."""
    if not os.path.lexists(path):
        return True
    if mounted:
        from .libc import ConfineError, call

        with contextlib.suppress(ConfineError):
            call("umount2", path.encode(), _MNT_DETACH | _UMOUNT_NOFOLLOW)
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
