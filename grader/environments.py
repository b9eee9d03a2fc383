"""Folders of installed packages inside a submission, which the loader leaves out unread.

A student who hands in a whole repository often hands in the virtual environment made in it (`venv/`,
`env/`: `python -m venv venv` in the project folder, Windows' `Lib/site-packages`), a conda environment, or a
`site-packages` folder copied beside the code. Those are thousands of other people's .py files: read as the
submission they made it too large to grade ("201 files (limit 200): hand in only your code", 0 points for
a repository whose own code was fine). They are known by what Python itself leaves in them, never by the
folder's name alone (a student's own package may be called `env`): a `pyvenv.cfg` (every venv and
virtualenv since Python 3.3), a `conda-meta/` folder (every conda environment), or a folder named
`site-packages` / `dist-packages` (where pip installs, in any environment or a copy of one).

A marker does not make its whole folder an environment: `python -m venv .` puts `pyvenv.cfg`, `bin/` and
`lib/` beside the student's own code. In a folder holding a marker, only the environment's own parts
(ENVIRONMENT_PARTS) are left out; the folder is named whole only when nothing else is in it.

Standard library only; read by the parent's loader, for a folder on disk and for a zip's listing alike, and
by the batch's fingerprint. Linear in the listing: a zip of 10,000 entries is one pass.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

# A zip's listing as a tree: each entry's name, and what is inside it (nothing for a file).
_Tree = dict[str, "_Tree"]

# Where pip installs: a folder of this name holds installed packages, whatever environment it came from.
PACKAGE_FOLDERS = frozenset({"site-packages", "dist-packages"})
# What `venv` / `virtualenv` (a file) and conda (a folder) write at the top of every environment they make.
MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})
# What venv, virtualenv and conda write at an environment's top, beside a marker (POSIX and Windows layouts;
# conda's Windows `Library/`, `DLLs/`, `Tools/`, `Menu/`, and the interpreter files it copies there).
ENVIRONMENT_PARTS = MARKERS | frozenset(
    {
        "bin", "Scripts", "lib", "Lib", "lib64", "include", "Include", "share", "etc", "man", "ssl",
        "libexec", "sbin", "compiler_compat", "condabin", "x86_64-conda-linux-gnu",
        "x86_64-conda_cos6-linux-gnu",
        "Library", "DLLs", "Tools", "Menu", "libs", "tcl", "conda-meta", "pyvenv.cfg", "python.exe",
        "pythonw.exe", "python3.dll", "LICENSE_PYTHON.txt", "cwp.py",
    }
)  # fmt: skip


# The entries of a folder below the one read: `look(("lib", "python3.11"))` (nothing for a file).
Look = Callable[[tuple[str, ...]], Collection[str]]


def _nothing(path: tuple[str, ...]) -> Collection[str]:
    return ()


def _no_code(entries: Collection[str], allowed: str = "") -> bool:
    """No .py file directly in a folder (a student's package) but those starting with `allowed`."""
    return not any(e.lower().endswith(".py") and not (allowed and e.startswith(allowed)) for e in entries)


def _lib(name: str, inner: Collection[str], look: Look) -> bool:
    """`lib/python3.11/site-packages` (POSIX), `Lib/site-packages` (Windows)."""
    return _no_code(inner) and (
        not PACKAGE_FOLDERS.isdisjoint(inner)
        or any(e.startswith("python") and not PACKAGE_FOLDERS.isdisjoint(look((name, e))) for e in inner)
    )


def _bin(name: str, inner: Collection[str], look: Look) -> bool:
    """`bin/activate`, `bin/python3` (virtualenv's `activate_this.py` too), `Scripts/activate.bat`."""
    return _no_code(inner, "activate") and any(e.startswith(("activate", "python")) for e in inner)


def _include(name: str, inner: Collection[str], look: Look) -> bool:
    """`include/python3.11/`, virtualenv's `include/site/python3.11/`."""
    return _no_code(inner) and any(e.startswith("python") or e == "site" for e in inner)


def _other(name: str, inner: Collection[str], look: Look) -> bool:
    return _no_code(inner)


# How an environment's own folder of each name looks inside: a student's `lib/` of modules (`from lib.nodes
# import *`) beside a pyvenv.cfg is the student's, and stays. Parts not named here: no .py file in them.
_LOOKS_OWN: dict[str, Callable[[str, Collection[str], Look], bool]] = {
    **dict.fromkeys(("lib", "Lib", "lib64"), _lib),
    **dict.fromkeys(("bin", "Scripts"), _bin),
    **dict.fromkeys(("include", "Include"), _include),
}


def parts(names: Collection[str], look: Look = _nothing) -> set[str]:
    """Of the entries `names` of one folder, those to leave out: its package folders, and when it holds a
    marker, every part of the environment made there (never the student's own files beside it). A part with
    something in it (`look`) is left out only when it looks like the environment's own (`_LOOKS_OWN`); an
    empty one, or a file of that name, is no code either way."""
    if MARKERS.isdisjoint(names):
        return {n for n in names if n in PACKAGE_FOLDERS}
    out = {n for n in names if n in PACKAGE_FOLDERS or n in MARKERS}
    for n in names:
        if n in ENVIRONMENT_PARTS and n not in out:
            inner = look((n,))
            if not inner or _LOOKS_OWN.get(n, _other)(n, inner, look):
                out.add(n)
    return out


def whole(names: Collection[str], look: Look = _nothing) -> bool:
    """Whether a folder of these entries is an environment and nothing else (named as one folder). Hidden
    entries, never read anyway, do not count (Python 3.13's venv writes a `.gitignore` in it)."""
    shown = [n for n in names if not n.startswith(".")]
    return not MARKERS.isdisjoint(shown) and len(parts(shown, look)) == len(shown)


def _on_disk_look(folder: Path) -> Look:
    def look(path: tuple[str, ...]) -> Collection[str]:
        try:
            # never through a link (`lib -> /usr/lib`): a link is no folder of the environment's to look in
            inner = folder.joinpath(*path)
            return os.listdir(inner) if inner.is_dir() and not inner.is_symlink() else ()
        except OSError:  # cannot be listed: nothing known inside
            return ()

    return look


def on_disk(folder: Path) -> bool:
    """Whether `folder` (a folder of a submitted folder) is left out whole: a package folder (one name
    check) or an environment with nothing else in it (a stat or two; a listing only if a marker is there)."""
    if folder.name in PACKAGE_FOLDERS:
        return True
    if not any(os.path.lexists(folder / marker) for marker in MARKERS):
        return False
    try:
        return whole(os.listdir(folder), _on_disk_look(folder))
    except OSError:  # cannot be listed: the walk passes over it anyway
        return False


def left_out_of(folder: str, dirs: Collection[str], names: Collection[str]) -> set[str]:
    """Of one folder's subfolders `dirs` and files `names`, as os.walk lists them, those to leave out: the
    parts of an environment made in `folder` itself, and each subfolder that is an environment whole or a
    package folder. What is left is walked, so an environment made beside code keeps the code."""
    out = parts([*dirs, *names], _on_disk_look(Path(folder)))
    out.update(d for d in dirs if d not in out and on_disk(Path(folder, d)))
    return out


def roots(names: Iterable[str]) -> set[str]:
    """What to leave out of a zip whose entries are `names` ('/'-separated), nothing inside another, folders
    with a trailing '/': an environment's top folder when it holds nothing else, else each of its parts (a
    venv made in the project folder, or at the archive's top: the code beside it stays), and each package
    folder not inside one. One pass over a tree of the listing: each part of each name is read once."""
    tree: _Tree = {}
    for name in names:
        node = tree
        for part in name.split("/"):
            node = node.setdefault(part, {})
    found: set[str] = set()
    stack: list[tuple[str, _Tree]] = [("", tree)]
    while stack:
        prefix, node = stack.pop()
        look = _tree_look(node)
        out = parts(node, look)
        if prefix and whole(node, look):
            found.add(prefix)
            continue
        # a package folder is one with entries in it; an empty one, or a file of that name, leaves out nothing
        kept = (n for n in out if n not in PACKAGE_FOLDERS or node[n])
        found.update(f"{prefix}{n}/" if node[n] else prefix + n for n in kept)
        stack.extend((f"{prefix}{n}/", child) for n, child in node.items() if n not in out and child)
    return found


def _tree_look(node: _Tree) -> Look:
    """`Look` in a zip listing's tree: the names in a folder (`lib/` alone as an entry adds a '' child)."""

    def look(path: tuple[str, ...]) -> Collection[str]:
        sub = node
        for part in path:
            sub = sub.get(part, {})
        return [n for n in sub if n]

    return look


def inside(name: str, left_out: Collection[str]) -> bool:
    """Whether the entry `name` is one of `left_out` (as `roots` gives them) or inside one of its folders:
    one set lookup per '/' in the name, whatever the number left out."""
    if name in left_out or name + "/" in left_out:
        return True
    end = name.find("/")
    while end != -1:
        if name[: end + 1] in left_out:
            return True
        end = name.find("/", end + 1)
    return False
