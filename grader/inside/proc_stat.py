"""Numbers from /proc/PID/stat, read past the command name, which a process sets itself and which may hold
spaces and parentheses (`a) (b` is a valid name): the only ")" that ends it is the last one on the line, the
fields after it being numbers and a one-letter state."""

from __future__ import annotations

import os

_dir_fd: int | None = None  # /proc, once its path is hidden (grader/inside/proc_view.py)


def use_dir(fd: int) -> None:
    """Read /proc through `fd` from now on: its path shows a process forked later nothing."""
    global _dir_fd
    _dir_fd = fd


# Positions counted after the name's closing ")": state is 0 (proc(5)'s field 3)
THREADS = 17  # proc(5)'s field 20, num_threads
START_TIME = 19  # proc(5)'s field 22, starttime: clock ticks since boot


def after_name(line: bytes) -> list[bytes]:
    """The fields of a /proc/PID/stat line that follow `pid (name)`."""
    return line[line.rfind(b")") + 2 :].split()


def number(pid: int, position: int) -> int | None:
    """Field `position` (THREADS, START_TIME) of the process, None when it cannot be read (gone, no /proc).
    ~10 us; unbuffered, so that a worker imports nothing more for it."""
    try:
        if _dir_fd is None:
            fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
        else:
            fd = os.open(f"{pid}/stat", os.O_RDONLY | os.O_CLOEXEC, dir_fd=_dir_fd)
    except OSError:
        return None
    try:
        line = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    fields = after_name(line)
    return int(fields[position]) if len(fields) > position and fields[position].isdigit() else None
