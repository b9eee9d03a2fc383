"""Progress for long batches: a redrawn bar on a terminal, plain periodic lines otherwise (CI logs)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import TextIO

BAR = 30  # the bar's width where the terminal has room for it
MIN_BAR = 10  # narrower than this, the line is the status alone


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _columns(stream: TextIO) -> int:
    """The terminal's width now (a window resized during a batch is followed); COLUMNS or 80 elsewhere."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor (io.UnsupportedOperation)
        columns = 0
    return columns if columns > 0 else shutil.get_terminal_size().columns


class Progress:
    """Count, rate and ETA. `line_every` seconds between plain lines when the stream is not a terminal."""

    def __init__(
        self, total: int, stream: TextIO | None = None, *, line_every: float = 5.0, columns: int | None = None
    ) -> None:
        self.total = total
        self.columns = columns  # None: asked of the terminal at each redraw
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.line_every = line_every
        self.started = time.monotonic()
        self._last_line = self.started

    def status(self) -> str:
        return ", ".join(self._parts())

    def _parts(self) -> list[str]:
        """The status's parts, the most wanted first: what is done, then the ETA, the rate, the time spent."""
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        remaining = (self.total - self.done) / rate if rate > 0 else 0.0
        eta = _duration(remaining) if self.done else "?"
        return [
            f"{self.done}/{self.total} graded",
            f"{rate:.1f}/s",
            f"elapsed {_duration(elapsed)}",
            f"ETA {eta}",
        ]

    def _fitted(self, room: int) -> str:
        """The status in `room` columns: the elapsed time left out first, then the rate, and only then cut (a
        40-column window lost the ETA mid-word; review)."""
        done, rate, elapsed, eta = self._parts()
        for parts in ((done, rate, elapsed, eta), (done, rate, eta), (done, eta)):
            line = ", ".join(parts)
            if len(line) <= room:
                return line
        return line[:room]

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + self._bar_line())
            self.stream.flush()
        elif now - self._last_line >= self.line_every or self.done == self.total:
            self._last_line = now
            self.stream.write(self.status() + "\n")
            self.stream.flush()

    def _bar_line(self) -> str:
        """Bar and status in one line a column short of the terminal's width, padded to it: a longer line
        wraps, and each carriage return then redrew only its last part, a new line per student in a
        40-column window."""
        room = (self.columns or _columns(self.stream)) - 1
        status = self.status()
        width = min(BAR, room - len(status) - 3)
        if width < MIN_BAR:
            return self._fitted(room).ljust(room)
        filled = int(width * self.done / self.total) if self.total else width
        return f"[{'#' * filled}{'-' * (width - filled)}] {status}".ljust(room)

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
