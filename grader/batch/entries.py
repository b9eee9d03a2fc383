"""The students of a batch directory: every file, folder, zip or notebook entry is one student."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUBMISSION_SUFFIXES = (".py", ".zip", ".ipynb")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


@dataclass(frozen=True)
class Entry:
    student: str
    path: Path


def _is_submission(path: Path) -> bool:
    if path.name.startswith((".", "_")):
        return False
    return path.is_dir() or path.suffix.lower() in SUBMISSION_SUFFIXES


def student_id(path: Path) -> str:
    """The entry's name without its extension, made safe as a directory name."""
    name = path.name if path.is_dir() else path.stem
    return _UNSAFE.sub("_", name).strip("._") or "student"


def discover(directory: Path) -> tuple[list[Entry], list[Path]]:
    """(students in sorted order, entries skipped as not a submission). Duplicate ids keep the extension."""
    paths = sorted(p for p in directory.iterdir())
    chosen = [p for p in paths if _is_submission(p) and not p.is_symlink()]
    skipped = [p for p in paths if p not in chosen]
    ids = [student_id(p) for p in chosen]
    entries = [
        Entry(sid if ids.count(sid) == 1 else _UNSAFE.sub("_", p.name), p)
        for sid, p in zip(ids, chosen, strict=True)
    ]
    return entries, skipped


def pending(entries: list[Entry], done: set[str]) -> Iterator[Entry]:
    return (e for e in entries if e.student not in done)
