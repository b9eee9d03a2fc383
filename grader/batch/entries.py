"""The students of a batch directory: every file, folder, zip or notebook entry is one student."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader import untrusted

SUBMISSION_SUFFIXES = (".py", ".zip", ".ipynb")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")
# The batch's own files in OUTDIR: a student directory of the same name would clash with them.
RESERVED = frozenset({"journal.jsonl", "batch.json", "gradebook.csv", "summary.json"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One student of a batch. The folder is one Path shared by every entry and the path is built when asked
    for: a Path per entry held for the whole batch was most of what a class of 2,000 added to the parent's
    memory (~0.5 KiB each; now ~0.2 KiB)."""

    student: str
    directory: Path
    name: str

    @property
    def path(self) -> Path:
        return self.directory / self.name


def skip_reason(path: Path) -> str | None:
    """Why an entry of the batch directory is not a submission, or None when it is one."""
    if path.is_symlink():
        return "a symbolic link (put the submission itself in the directory)"
    if path.name.startswith((".", "_")):
        return "a hidden or private name (starts with '.' or '_')"
    if not path.is_dir() and path.suffix.lower() not in SUBMISSION_SUFFIXES:
        return "not a .py file, folder, .zip or .ipynb"
    return None


def student_id(path: Path) -> str:
    """The entry's name without its extension, normalised (grader/untrusted.py: escape sequences and controls
    gone), then made safe as a directory name: ASCII letters, digits and `._@+-` only, anything else `_`.
    Writers still escape it: `-2+3` or `@SUM_1+1` is a formula to a spreadsheet."""
    name = untrusted.name(path.name if path.is_dir() else path.stem)
    return _UNSAFE.sub("_", name).strip("._") or "student"


def discover(directory: Path, *, exclude: Path | None = None) -> tuple[list[Entry], list[Path]]:
    """(students in sorted order, entries skipped as not a submission).

    Ids are unique (the journal, the gradebook and the report folders are keyed by them): two entries with
    one stem keep their extension (`alice.py`, `alice.zip`), and any clash left after that, or with the
    batch's own files, gets a numbered suffix. The order is sorted, so a resumed run assigns the same ids.
    `exclude` (the batch's --out when it lies inside `directory`) is left out silently: it is no student."""
    excluded = exclude.resolve() if exclude is not None else None
    paths = sorted(p for p in directory.iterdir() if excluded is None or p.resolve() != excluded)
    chosen = [p for p in paths if skip_reason(p) is None]
    skipped = [p for p in paths if p not in chosen]
    stems = [student_id(p) for p in chosen]
    counts = Counter(stems)  # not list.count: a class of 5,000 would make that quadratic
    preferred = [
        s if counts[s] == 1 else _UNSAFE.sub("_", p.name) for s, p in zip(stems, chosen, strict=True)
    ]
    taken: set[str] = set()
    entries = []
    for wanted, path in zip(preferred, chosen, strict=True):
        sid, n = wanted, 2
        while sid in taken or sid in RESERVED:
            sid, n = f"{wanted}-{n}", n + 1
        taken.add(sid)
        entries.append(Entry(sid, directory, path.name))
    return entries, skipped


def pending(entries: list[Entry], done: set[str]) -> Iterator[Entry]:
    return (e for e in entries if e.student not in done)
