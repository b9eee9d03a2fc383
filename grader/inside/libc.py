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
