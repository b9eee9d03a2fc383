"""Each student process's folder as a tmpfs of its own, mounted by its worker (the parent, which imports no
ctypes, never imports this module; scratch.py is what both use).

A tmpfs of its own for each student process's folder (make_mounted): tmpfs numbers its inodes per mount, in
turn, so on one shared by a worker's jobs the first file a student process made read how many files every
earlier process of that worker had made, a counter one student could set for the next (sample
inode_counter_pair.py, docs/SANDBOX.md "The inode counter"). A fresh mount starts its own count.
"""

from __future__ import annotations

import contextlib
import os

from . import libc, scratch
from .libc import MNT_DETACH, MS_NODEV, MS_NOSUID, UMOUNT_NOFOLLOW, ConfineError, call

NOT_MOUNTED = (
    "no tmpfs of its own can be mounted for a student process's folder here: the first file it makes reads "
    "the scratch's inode counter, which every earlier student process of its worker moved (docs/SANDBOX.md)"
)


def make_mounted(parent: str, prefix: str, size: int) -> str:
    """`scratch.make`, then a fresh tmpfs mounted there (`size` bytes, at most scratch.MAX_INODES files and
    directories, its owner's alone): needs CAP_SYS_ADMIN over the caller's mount namespace (libc.ConfineError
    without it). The directory is removed again if the mount fails. Undone by `remove(path)`."""
    if size <= 0:  # tmpfs reads size=0 as no limit at all
        raise ConfineError(f"a tmpfs of {size} bytes for a student process's folder")
    path = scratch.make(parent, prefix)
    options = f"size={size},nr_inodes={scratch.MAX_INODES},mode=0700".encode()
    try:
        flags = MS_NOSUID | MS_NODEV  # as bubblewrap's /tmp
        call("mount", b"tmpfs", path.encode(), b"tmpfs", flags, options)
    except ConfineError:
        os.rmdir(path)
        raise
    return path


def folder_size(scratch_dir: str, own_file_system: bool, quota_mib: int | None) -> int:
    """The bytes each student process's tmpfs may hold: the job's quota. Its scratch's own size where that is
    a file system of the worker's own (bubblewrap's `/tmp`, of `--size`; the private root's tmpfs), else the
    pool's quota (`quota_mib`: rlimits-unprivileged, whose scratch is a folder of the host's disk, whose size
    would make each folder a tmpfs of that many bytes of memory); 0 (nothing to mount) without either."""
    if own_file_system:
        st = os.statvfs(scratch_dir)
        return st.f_blocks * st.f_frsize
    return (quota_mib or 0) << 20


def own_mount_namespace() -> None:
    """rlimits modes: a mount namespace of the worker's own, owned by its user namespace of its own
    (privileges.own_user_namespace), everything in it private, so that it may mount each student process's
    folder (`make_mounted`) as a bubblewrap worker does in the one `proc_view.hide` makes. The mounts copied
    from the private root (or the host) are the same and locked together (a less privileged namespace's
    copy): nothing is shown or hidden. Nothing done where it is refused: `can_mount` then says no."""
    with contextlib.suppress(ConfineError):
        libc.own_mount_namespace(b"/")  # our mounts reach no other namespace


def can_mount(parent: str, size: int) -> bool:
    """Whether `make_mounted` works here and a file can be made on the mount (tried once, at a worker's start:
    ~7 syscalls). A worker started by an ordinary user mounts in a mount namespace of its own user namespace,
    which maps no id: the mount succeeds, but the kernel makes no file there whose owner it cannot map
    (EOVERFLOW), and every student process's set-up failed ("not your fault", 0 / 15 for a correct file).
    The root fallback's worker maps its own ids there first (privileges._map_own_ids)."""
    try:
        path = make_mounted(parent, "probe-", size)
    except (ConfineError, OSError):
        return False
    try:
        os.close(
            os.open(os.path.join(path, "probe"), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        )
    except OSError:
        remove(path)
        return False
    return remove(path)


def remove(path: str) -> bool:
    """Let a `make_mounted` folder's tmpfs go (everything on it with it), then remove the folder; True when it
    is gone (a mount that stays makes the removal fail)."""
    if os.path.lexists(path):
        with contextlib.suppress(ConfineError):
            call("umount2", path.encode(), MNT_DETACH | UMOUNT_NOFOLLOW)
    return scratch.remove(path)
