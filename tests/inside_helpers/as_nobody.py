"""Run a function as uid and gid 65534 (no groups) in a forked child, as the dropped worker runs, and read
back what it said (root only: the child drops, then exits without returning)."""

from __future__ import annotations

import os
from collections.abc import Callable


def said_as_nobody(act: Callable[[], str]) -> str:
    """`act()`'s text, run in a child that is uid/gid 65534 without root's override; "" if it raised."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            os.write(write, act().encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return answer
