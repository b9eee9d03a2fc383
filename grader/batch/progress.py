"""Progress for long batches: a redrawn bar on a terminal, plain periodic lines otherwise (CI logs)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Count, rate and ETA. `line_every` seconds between plain lines when the stream is not a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None, *, line_every: float = 5.0) -> None:
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.line_every = line_every
        self.started = time.monotonic()
        self._last_line = self.started

    def status(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        remaining = (self.total - self.done) / rate if rate > 0 else 0.0
        eta = _duration(remaining) if self.done else "?"
        return f"{self.done}/{self.total} graded, {rate:.1f}/s, elapsed {_duration(elapsed)}, ETA {eta}"

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty:
            width = 30
            filled = int(width * self.done / self.total) if self.total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {self.status()}  ")
            self.stream.flush()
        elif now - self._last_line >= self.line_every or self.done == self.total:
            self._last_line = now
            self.stream.write(self.status() + "\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
