"""The one check of a submission's file paths, used by the parent's loader and by the sandbox alike.

The loader refuses what the sandbox would refuse, with a message that names the entry and the reason, so a
student never reads "not your fault" for a path in their own archive. Stdlib only (this module runs inside
the sandbox too).

Case-folded duplicates (`Model.py` and `model.py`) are refused: on the student's own machine (macOS and
Windows file systems ignore case) only one of them existed, so which one `import model` finds here would be a
guess, and a TA unpacking the archive on such a machine would silently lose one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_PART_BYTES = 255  # a file name, as Linux file systems allow
MAX_PATH_BYTES = 1024
MAX_DEPTH = 16
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class UnsafePath(ValueError):
    """A path the sandbox will not write; `reason` is written for the student."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{shown(path)}: {reason}")
        self.path = path
        self.reason = reason


def shown(path: str) -> str:
    """A path as a student can read it anywhere: quoted, and when it holds bytes that are not valid UTF-8,
    control characters or bidi overrides, as the escaped bytes (`'caf\\xe9.py'`, `'\\x1b[31m.py'`)."""
    if not any(_unprintable(ch) for ch in path):
        text = repr(path)
    else:
        try:
            raw = path.encode("utf-8", "surrogateescape")  # a file name's undecodable bytes, as they were
        except UnicodeEncodeError:
            raw = path.encode("utf-8", "replace")
        text = repr(raw)[1:]
    return text if len(text) <= 120 else text[:117] + "..."


def _unprintable(ch: str) -> bool:
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs")


def _invalid_utf8(path: str) -> bool:
    return any(unicodedata.category(ch) == "Cs" for ch in path)


def _reason(path: str) -> str | None:
    if not path:
        return "the name is empty"
    if "\x00" in path:
        return "the name contains a NUL byte"
    if "\\" in path:
        return "the name contains a backslash (use / between folders)"
    if _invalid_utf8(path):
        return "the name is not valid UTF-8 (it was written in another encoding)"
    if any(_unprintable(ch) for ch in path):
        return "the name contains control characters or bidi overrides (invisible characters)"
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "the name is an absolute path"
    parts = path.split("/")
    if ".." in parts:
        return "the name contains '..'"
    if "." in parts:
        return "the name contains '.' as a folder"
    if "" in parts:
        return "the name contains an empty folder name ('//' or a trailing '/')"
    if len(parts) > MAX_DEPTH:
        return f"the name is {len(parts)} folders deep (limit {MAX_DEPTH})"
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        return f"the name is longer than {MAX_PATH_BYTES} bytes"
    if any(len(p.encode("utf-8")) > MAX_PART_BYTES for p in parts):
        return f"a file or folder name is longer than {MAX_PART_BYTES} bytes"
    return None


def check_relpath(path: str) -> str:
    """`path` itself when it is a safe relative POSIX path (no normalisation: anything odd is refused)."""
    reason = _reason(path)
    if reason is not None:
        raise UnsafePath(path, reason)
    return path


def check_tree(paths: Iterable[str], folders: Iterable[str] = ()) -> None:
    """Every path safe, and together a tree that can be written: no duplicate, no name that is a file and a
    folder at once, no two names equal but for case. `folders` are folder entries (an archive's `a/`)."""
    seen: dict[str, str] = {}
    files: set[str] = set()
    for path in paths:
        check_relpath(path)
        if path in files:
            raise UnsafePath(path, "it appears twice")
        files.add(path)
    dirs: set[str] = set()
    for folder in folders:
        dirs.add(check_relpath(folder))
    for path in files:
        parts = path.split("/")
        dirs.update("/".join(parts[:i]) for i in range(1, len(parts)))
    for path in sorted(files):
        if path in dirs:
            inside = next((f for f in sorted(files) if f.startswith(path + "/")), path + "/")
            raise UnsafePath(path, f"it is a file, but {shown(inside)} needs a folder of that name")
    for path in sorted(files | dirs):
        folded = unicodedata.normalize("NFC", path).casefold()
        if folded in seen and seen[folded] != path:
            raise UnsafePath(path, f"it differs from {shown(seen[folded])} only in upper/lower case")
        seen[folded] = path


def alias(relpath: str) -> str:
    """The private module name of a file whose path is no clean dotted name (`hw-2.py`, `miniflow (1).py`):
    the sandbox loads it so, and the parent checks a load's module names against it (sandbox/frames.py)."""
    return "_submission_" + "".join(c if c.isalnum() else "_" for c in relpath[:-3])
