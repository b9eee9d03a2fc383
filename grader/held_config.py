"""Whether the code graded holds a config file of its own (grader/settings.py refuses ./grader.toml then).

A TA who unpacked kim.zip into kim/ and graded the zip from there (`cd kim && grader grade miniflow
../kim.zip`) read kim's grader.toml, her stage and seed: the code graded is outside the working directory's
folder, so nothing in the paths says the file came with it. Its own listing does: a zip's entry, or a
folder's file, named grader.toml. Only names are read (a zip's central directory, a folder's walk), never
contents, and only when ./grader.toml sets a grading setting.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from grader.loaders import MAX_FOLDER_ENTRIES, NEVER_CODE_FOLDERS, SubmissionError, skipped_part, zip_names

# A zip the loader refuses unread (too large, damaged) is graded as no code: its listing is not looked for.
_UNLISTED_ZIP = (SubmissionError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError)


def held(name: str, graded: Iterable[str | Path], classes: Iterable[str | Path]) -> tuple[str, str] | None:
    """(the submission, the path inside it) of the first file called `name` in the code graded: each of
    `graded` (`grade`'s submission), or each entry of each of `classes` (`batch`'s class folders, whose
    entries are its students); None when none holds one."""
    for given in graded:
        inside = _inside(Path(given), name)
        if inside is not None:
            return str(given), inside
    for folder in classes:
        for entry in _entries(Path(folder)):
            inside = _inside(entry, name)
            if inside is not None:
                return str(entry), inside
    return None


def _entries(folder: Path) -> Iterator[Path]:
    """The class folder's submissions, as `batch` picks them (grader.batch.entries.skip_reason): a file at
    its own top level is no student's entry, and a grader.toml there is the course's."""
    from grader.batch.entries import skip_reason

    try:
        names = sorted(os.listdir(folder))
    except OSError:  # the batch says what is wrong with its folder
        return
    for entry in (folder / n for n in names):
        if skip_reason(entry) is None:
            yield entry


def _inside(path: Path, name: str) -> str | None:
    if path.is_symlink():  # refused by the loader: not graded
        return None
    if path.is_dir():
        return _in_folder(path, name)
    if path.suffix.lower() == ".zip" and path.is_file():
        return _in_zip(path, name)
    return None


def _in_zip(path: Path, name: str) -> str | None:
    """Any entry of that name, at any depth (a listing costs nothing more to read whole)."""
    try:
        rels = zip_names(path)  # a directory of a million entries is refused before zipfile parses it
    except _UNLISTED_ZIP:
        return None
    return next((rel for rel in rels if rel.rsplit("/", 1)[-1] == name), None)


def _in_folder(path: Path, name: str) -> str | None:
    """A file of that name at any depth outside the folders the loader never reads code from (a clone's
    .git, venv/), or in a zip in the folder (the loader grades a folder holding one zip as that zip: a
    Gradescope submission/). Past MAX_FOLDER_ENTRIES the walk stops: the loader refuses such a folder, and
    its code is not graded."""
    seen = 0
    for root, dirs, names in os.walk(path):  # never follows a link to a folder
        dirs[:] = sorted(d for d in dirs if not skipped_part(d) and d.lower() not in NEVER_CODE_FOLDERS)
        if name in names:
            return Path(root, name).relative_to(path).as_posix()
        for zipped in sorted(n for n in names if n.lower().endswith(".zip")):
            if os.path.islink(os.path.join(root, zipped)):  # never followed by the loader
                continue
            inside = _in_zip(Path(root, zipped), name)
            if inside is not None:
                return f"{Path(root, zipped).relative_to(path).as_posix()}: {inside}"
        seen += len(dirs) + len(names)
        if seen > MAX_FOLDER_ENTRIES:
            return None
    return None
