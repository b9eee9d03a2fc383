"""The few libc entry points the confinement needs that Python's `os` lacks, called through ctypes.

Every integer goes to C as a `long`/`unsigned long`: ctypes would pass a bare int to a variadic function as a
32-bit C int. Every failure raises `ConfineError` naming the call and the kernel's reason.
"""

from __future__ import annotations

import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.restype = ctypes.c_int


class ConfineError(Exception):
    """A confinement step failed: no student code may run."""


def syscall(nr: int, *args: int | bytes | None) -> int:
    """The raw syscall's return value (-1 on failure, errno in ctypes.get_errno())."""
    wrapped = [a if isinstance(a, bytes) or a is None else ctypes.c_long(a) for a in args]
    return int(_libc.syscall(ctypes.c_long(nr), *wrapped))


def checked(what: str, result: int) -> int:
    if result < 0:
        raise ConfineError(f"{what} failed: {os.strerror(ctypes.get_errno())}")
    return result


def prctl(option: int, arg2: int = 0, arg3: int = 0) -> int:
    args = (ctypes.c_ulong(a) for a in (arg2, arg3, 0, 0))
    return checked(f"prctl({option})", int(_libc.prctl(ctypes.c_int(option), *args)))


def call(name: str, *args: int | bytes | None) -> int:
    """A libc function by name (unshare, mount, umount2, setgroups, ...), checked."""
    func = getattr(_libc, name)
    func.restype = ctypes.c_int
    wrapped = [a if isinstance(a, bytes) or a is None else ctypes.c_ulong(a) for a in args]
    return checked(name, int(func(*wrapped)))


def errno() -> int:
    return ctypes.get_errno()


# mount(2)'s and umount2(2)'s flags, and unshare(2)'s for a mount namespace (rootfs, proc_view, folder_mounts)
CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH, UMOUNT_NOFOLLOW = 2, 8


def own_mount_namespace(private: bytes) -> None:
    """A mount namespace of this process's own, the mounts at and under `private` made private first: a
    mount there then shows in no other namespace of their peer group (a shared root carried a mount over
    /proc to the host's: review of s31-hostile). Needs CAP_SYS_ADMIN over the user namespace that will own
    it; ConfineError otherwise."""
    call("unshare", CLONE_NEWNS)
    call("mount", b"none", private, None, MS_REC | MS_PRIVATE, None)
