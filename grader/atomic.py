"""Atomic file writes: a temp file in the target's directory, fsynced, then `os.replace`.

A reader (or a batch resumed after kill -9) sees either the old file or the complete new one, never half,
and a failed write leaves no temp file behind. The file gets the mode `open()` would give it (0666 less the
umask): mkstemp's private 0600 would hide a class's reports from the TAs' group.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def current_umask() -> int:
    """The process umask, read without changing it where Linux says it (/proc/self/status, since 4.7);
    elsewhere set and restored at once (os.umask is the only other way to read it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_with(
    path: Path, fill: Callable[[TextIO], object], *, newline: str | None = None, durable: bool = True
) -> Path:
    """Create `path` atomically; `fill` writes the content to the open temp file (streaming is fine).

    `durable=False` skips the fsync (about 0.3 ms of CPU and 4 ms of waiting on ext4): still atomic against a
    killed process, but after a power loss the file may be empty. Only for files rebuilt from durable ones
    whenever they are read or the batch ends (the class report's HTML pages, from report.json and the
    journal): everything `--resume` trusts stays fsynced."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            fill(fh)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: Path, text: str, *, durable: bool = True) -> Path:
    return write_with(path, lambda fh: fh.write(text), durable=durable)
