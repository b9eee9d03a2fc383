"""An append-only JSON-lines journal: one line per graded student, flushed and fsynced as it is written.

A batch killed at any moment (Ctrl-C, kill -9, power loss) leaves at worst a torn last line, which `read`
skips; `--resume` then grades only the students the journal lacks, and nobody is listed twice because the
journal is read into a dict keyed by student (the last complete entry wins).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
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
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def _repair_torn_tail(self) -> None:
        """Cut a half-written last line (from a kill mid-write) so the next entry starts on a fresh line."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with self.path.open("r+b") as fh:
                fh.truncate(data.rfind(b"\n") + 1)

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every complete entry, in order; a torn or garbled line is skipped."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    return
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and isinstance(entry.get("student"), str):
                    yield entry

    def latest(self) -> dict[str, dict[str, Any]]:
        """Student -> their last complete entry (a re-graded student appears once)."""
        return {e["student"]: e for e in self.entries()}

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
