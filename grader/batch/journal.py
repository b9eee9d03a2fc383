"""An append-only JSON-lines journal: one line per graded student, flushed as it is written, fsynced on close.

A batch killed at any moment (Ctrl-C, kill -9, power loss) leaves at worst a torn last line, which is
skipped; `--resume` then grades only the students the journal lacks, and nobody is listed twice because the
journal is read as a map from student to the offset of their last complete entry.

Each line is flushed to the OS at once (a killed process loses none) and fsynced when the journal is closed,
before the class files are built from it. A power loss mid-batch may lose the last lines written: those
students are graded again by `--resume`, once, their report files replaced. A line only ever follows its
student's report files, which are fsynced (grader/atomic.py), so no line names a report lost with the power.
An fsync per line cost the parent ~0.3 ms of CPU and ~4 ms of waiting per student.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: TextIO | None = None

    def append(self, entry: Mapping[str, Any]) -> None:
        if self._fh is None:
            self._repair_torn_tail()
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n")
        self._fh.flush()  # to the OS: what a killed process leaves; close() makes it durable

    def _repair_torn_tail(self) -> None:
        """Cut a half-written last line (from a kill mid-write) so the next entry starts on a fresh line."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with self.path.open("r+b") as fh:
                fh.truncate(data.rfind(b"\n") + 1)

    def latest_offsets(self) -> dict[str, int]:
        """Student -> byte offset of their last complete entry: a few bytes per student, so a class of any
        size can be walked in any order without holding its entries in memory (see `entry_at`)."""
        offsets: dict[str, int] = {}
        if not self.path.exists():
            return offsets
        with self.path.open("rb") as fh:
            offset = 0
            for line in fh:
                student = _student(line)
                if student is not None:
                    offsets[student] = offset
                offset += len(line)
        return offsets

    def entry_at(self, offset: int) -> dict[str, Any]:
        with self.path.open("rb") as fh:
            fh.seek(offset)
            entry: dict[str, Any] = json.loads(fh.readline())
            return entry

    def close(self) -> None:
        if self._fh is not None:
            try:
                self._fh.flush()
                os.fsync(self._fh.fileno())
            finally:
                self._fh.close()
                self._fh = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _student(line: bytes) -> str | None:
    """The student of a complete, well-formed journal line; None for a torn or garbled one."""
    if not line.endswith(b"\n"):
        return None
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    student = entry.get("student") if isinstance(entry, dict) else None
    return student if isinstance(student, str) else None
