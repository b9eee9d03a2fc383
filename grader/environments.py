"""Folders of installed packages inside a submission, which the loader leaves out unread.

A student who hands in a whole repository often hands in the virtual environment made in it (`venv/`,
`env/`: `python -m venv venv` in the project folder, Windows' `Lib/site-packages`), a conda environment, or a
`site-packages` folder copied beside the code. Those are thousands of other people's .py files: read as the
submission they made it too large to grade ("201 files (limit 200): hand in only your code", 0 points for
a repository whose own code was fine). They are known by what Python itself leaves in them, never by the
folder's name alone (a student's own package may be called `env`): a `pyvenv.cfg` (every venv and
virtualenv since Python 3.3), a `conda-meta/` folder (every conda environment), or a folder named
`site-packages` / `dist-packages` (where pip installs, in any environment or a copy of one).

Standard library only; read by the parent's loader, for a folder on disk and for a zip's listing alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# Where pip installs: a folder of this name holds installed packages, whatever environment it came from.
PACKAGE_FOLDERS = frozenset({"site-packages", "dist-packages"})
# What `venv` / `virtualenv` (a file) and conda (a folder) write at the top of every environment they make.
MARKERS = ("pyvenv.cfg", "conda-meta")


def on_disk(folder: Path) -> bool:
    """Whether `folder` (a folder of a submitted folder) is an environment or a package folder: one name
    check and at most two stats, done for each folder the loader walks."""
    return folder.name in PACKAGE_FOLDERS or any((folder / marker).exists() for marker in MARKERS)


def roots(names: Iterable[str]) -> set[str]:
    """The folders to leave out of a zip whose entries are `names` ('/'-separated): each environment's top
    folder (the one holding `pyvenv.cfg` or `conda-meta`) and each package folder not inside one. A marker at
    the archive's top level leaves nothing out (the student zipped the project folder they made the venv in:
    its code is there too, and its site-packages is still left out by name)."""
    found: set[str] = set()
    for name in names:
        parts = name.split("/")
        for i, part in enumerate(parts):
            if part in MARKERS and i > 0 and (i < len(parts) - 1 or part == "pyvenv.cfg"):
                found.add("/".join(parts[:i]))
                break
            if part in PACKAGE_FOLDERS and i < len(parts) - 1:
                found.add("/".join(parts[: i + 1]))
                break
    # an environment's own site-packages is inside its top folder: keep the outermost only
    return {r for r in found if not any(r.startswith(other + "/") for other in found)}


def inside(name: str, folders: Iterable[str]) -> bool:
    """Whether the entry `name` is one of `folders` or inside one."""
    return any(name == f or name.startswith(f + "/") for f in folders)
