"""Git LFS pointer files handed in for code (trusted parent, read as bytes, never run).

A repository that tracks `*.py`, `*.ipynb` or `*.zip` with Git LFS (`git lfs track "*.ipynb"`, a course
template's `.gitattributes`) keeps in Git only a pointer: three short lines naming the content, which LFS
stores elsewhere. GitHub's "Download ZIP", a clone without git-lfs installed and an LMS that pulls the
repository all hand in the pointer. Read as Python it was "syntax error in common/layers.py line 2: invalid
decimal literal: `oid sha256:...`", and `grader check` asked for --assignment; as a notebook or zip, "not a
readable Jupyter notebook" / "not a readable zip archive". None of it says what to do: fetch the real file.

The pointer format (git-lfs docs/spec.md): UTF-8, under 1024 bytes, first line `version
https://git-lfs.github.com/spec/v1` (before LFS 1.0, `https://hawser.github.com/spec/v1`), then `oid` and
`size` lines. A student's file never starts so, and a file over the size cannot be a pointer: the test is a
prefix match on at most 1 KiB of each code file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from grader import untrusted

MAX_POINTER_BYTES = 1024  # the spec's own bound: "Pointer files must be less than 1024 bytes in size"
_POINTER = re.compile(rb"\Aversion https://(?:git-lfs|hawser)\.github\.com/spec/v1\r?\n")
# Files a pointer can stand in for that the grader would read as code: a pointer to a data set or an image
# is as harmless as the data set left out.
_CODE_SUFFIXES = (".py", ".ipynb", ".zip")

WHAT_TO_DO = (
    "a Git LFS pointer (a few lines naming the file's content, which Git LFS keeps elsewhere), not the file "
    "itself: run `git lfs pull` in your repository (or use the Download button on the file's GitHub page) "
    "and hand in the real file"
)


def is_pointer(data: bytes) -> bool:
    """True when `data` is a Git LFS pointer file."""
    return len(data) < MAX_POINTER_BYTES and _POINTER.match(data) is not None


def _is_code(rel: str) -> bool:
    return rel.lower().endswith(_CODE_SUFFIXES)


def left_out(files: Mapping[str, bytes]) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The files without the code files that are LFS pointers, and the pointers' names (sorted)."""
    pointers = tuple(sorted(rel for rel, data in files.items() if _is_code(rel) and is_pointer(data)))
    if not pointers:
        return dict(files), ()
    return {rel: data for rel, data in files.items() if rel not in pointers}, pointers


def named(pointers: tuple[str, ...]) -> str:
    """`a.py` or `a.py, b.py and 3 more`: the pointers named for a message, names made safe."""
    shown = [untrusted.name(rel) for rel in pointers[:3]]
    more = len(pointers) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def note(pointers: tuple[str, ...]) -> str:
    """The note for pointers left out of a submission that still holds code."""
    verb = "is" if len(pointers) == 1 else "are each"
    return f"note: left out, unread: {named(pointers)} {verb} {WHAT_TO_DO}"


def refusal(pointers: tuple[str, ...]) -> str:
    """The message when the submission's code is nothing but pointers."""
    verb = "is" if len(pointers) == 1 else "are each"
    return f"{named(pointers)} {verb} {WHAT_TO_DO}; there is no code to grade"
