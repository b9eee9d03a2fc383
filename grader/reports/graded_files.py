"""Which of a submission's files were graded, and for which names: a repository of a course (the book's
ch05/ to ch08/ with common/trainer.py and train_*.py scripts) is graded on a few of its files, and the
report said which names were found but not where (s32): a student who edited the wrong copy, or whose
Trainer is no graded class, could not tell."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MAX_NAMES = 6  # names listed per file; the rest counted
# Why the other files are not graded. Not "the grader loads only the files that define the assignment's
# classes" (s32), nor "none defines one" (a copy set aside, ch05/layers.py beside common/layers.py, does):
# a graded file's imports load and run them (ch07/simple_convnet.py's `from common.trainer
# import Trainer`, its trainer.train() at import: sample dlfs-advanced/late_dlfs_repo_trains_at_import/).
OTHERS_WHY = "the assignment's classes were taken from the files named, which may still import and run these"


def graded_files(doc: Mapping[str, Any]) -> list[tuple[str, list[str]]] | None:
    """[(path, the graded names found in it)] in the submission's file order, and only for a submission of
    two Python files or more (one file is the submission's own name); None otherwise. Paths are the load's
    modules narrowed to the submission's files by the parent (grader/sandbox/frames.py), names the
    assignment's."""
    files = [str(f) for f in (doc.get("submission") or {}).get("files", []) if str(f).endswith(".py")]
    load = doc.get("load") or {}
    modules = load.get("modules") or {}
    if len(files) < 2 or not isinstance(modules, Mapping):
        return None
    by_path: dict[str, list[str]] = {}
    for name, where in sorted((load.get("found") or {}).items()):
        path = modules.get(str(where).rpartition(".")[0])
        if isinstance(path, str) and path in files:
            by_path.setdefault(path, []).append(str(name))
    if not by_path:
        return None
    return [(path, by_path[path]) for path in files if path in by_path]


def graded_files_words(doc: Mapping[str, Any]) -> tuple[list[str], int] | None:
    """(["common/layers.py (Affine, Convolution, ...)", ...], how many other .py files were not graded), or
    None (`graded_files`). The caller escapes each part for where it goes."""
    graded = graded_files(doc)
    if graded is None:
        return None
    parts = []
    for path, names in graded:
        more = f" and {len(names) - _MAX_NAMES} more" if len(names) > _MAX_NAMES else ""
        parts.append(f"{path} ({', '.join(names[:_MAX_NAMES])}{more})")
    files = [f for f in (doc.get("submission") or {}).get("files", []) if str(f).endswith(".py")]
    return parts, len(files) - len(graded)


def graded_files_line(doc: Mapping[str, Any], escape: Any) -> str | None:
    """ "graded from common/layers.py (Affine, ...), ch07/simple_convnet.py (SimpleConvNet); 7 other .py
    files not graded (...)", each part passed through `escape` (the terminal's or Markdown's)."""
    words = graded_files_words(doc)
    if words is None:
        return None
    parts, others = words
    line = "graded from " + ", ".join(escape(p) for p in parts)
    if others:
        files = "file" if others == 1 else "files"
        line += f"; {others} other .py {files} not graded (training scripts, helpers: {OTHERS_WHY})"
    return line
