"""`grader samples --per-assignment N`: a quick look at every report on a few samples of each assignment.

The N samples are spread over the folder's sorted entries (the first, then every len/N-th), so a share reaches
the early lesson stages and the late ones rather than the first N names of one. They are copied into a folder
of the same name in a temporary directory, and the batch grades that folder: the batch itself is unchanged.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from grader.cli import UsageError

ENV = "GRADER_SAMPLES_PER_ASSIGNMENT"
OPTION = "--per-assignment"
VALID = "a positive integer (how many samples of each assignment to grade)"

T = TypeVar("T")


def spread(items: Sequence[T], count: int) -> list[T]:
    """`count` of `items` evenly spaced from the first (all of them when there are no more than `count`)."""
    if count >= len(items):
        return list(items)
    return [items[i * len(items) // count] for i in range(count)]


def per_assignment(given: str | None, environ: Mapping[str, str] | None = None) -> int | None:
    """The share asked for: the option, else the variable, else None (every sample). An invalid one says
    where it came from."""
    environ = os.environ if environ is None else environ
    raw, source = (given, OPTION) if given is not None else (environ.get(ENV) or None, ENV)
    if raw is None:
        return None
    try:
        count = int(raw)
    except ValueError:
        count = 0
    if count < 1:
        raise UsageError(f"invalid per-assignment {raw!r} from {source}: expected {VALID}")
    return count


def share_folder(directory: Path, count: int, into: Path) -> tuple[Path, int]:
    """Copy `count` of the submissions in `directory` (spread) into `into`/<its name>: (that folder, how many
    submissions `directory` holds)."""
    from grader.batch.entries import discover

    students, _skipped = discover(directory)
    folder = into / directory.name
    folder.mkdir(parents=True)
    for entry in spread(students, count):
        source, target = entry.path, folder / entry.name
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target)
    return folder, len(students)
