"""The processes below some processes, read from /proc (a worker's harness and student processes)."""

from __future__ import annotations

import contextlib
import os


def descendants(*pids: int) -> list[int]:
    """Every process below `pids`, parents before children (/proc/PID/task/TID/children); a process gone
    while it is read has none."""
    found: list[int] = []
    todo = list(pids)
    while todo:
        here = todo.pop(0)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{here}/task"):
                with open(f"/proc/{here}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
                found += kids
                todo += kids
    return found
