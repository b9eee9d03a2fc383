"""Atomic file writes: a temp file in the target's directory, fsynced, then `os.replace`.

A reader (or a batch resumed after kill -9) sees either the old file or the complete new one, never half,
and a failed write leaves no temp file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def write_with(path: Path, fill: Callable[[TextIO], object], *, newline: str | None = None) -> Path:
    """Create `path` atomically; `fill` writes the content to the open temp file (streaming is fine)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: Path, text: str) -> Path:
    return write_with(path, lambda fh: fh.write(text))
