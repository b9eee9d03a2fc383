"""A note for the student whose code uses syntax of Python 3.12: type parameters (PEP 695), f-strings with a
backslash inside their braces (PEP 701).

The student's process runs such a file as written for the grader's Python (grader/inside/newer_python.py),
so a correct file is graded on what it computes; the parent, which trusts only its own reading of the
source, says where the code uses the syntax and what to write for the grader's Python. Said only of a file
the rewrite makes readable: one still refused is told by its syntax error (grader/inside/newer_syntax.py).
A file is read only when a cheap search finds what a rewrite takes (`newer_python.worth_trying`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from grader import parse_cost, pyparse
from grader.flags.source import MAX_SOURCE_BYTES
from grader.inside import newer_python
from grader.inside.pep695 import Use
from grader.numpy_notes import place

MAX_PLACES = 3  # uses the note names; the rest are counted
_SHOWN = {
    "type": "type {name} = ... (PEP 695, {where})",
    "def": "def {name}[...] (PEP 695, {where})",
    "class": "class {name}[...] (PEP 695, {where})",
    "f-string": "an f-string with a backslash or a # inside its braces (PEP 701, {where})",
}


def notes(files: Mapping[str, bytes]) -> tuple[str, ...]:
    """One note naming the first places the submission's Python uses the syntax, and what to write instead."""
    uses: list[tuple[Use, str]] = []  # (use, its place)
    python = ((rel, data) for rel, data in files.items() if rel.endswith(".py"))
    for rel, data, fits in pyparse.within_budget(python):
        if not fits or len(data) > MAX_SOURCE_BYTES or _costly(data):
            continue
        rewritten = newer_python.rewrite(data.decode("utf-8", "replace"))  # None at once for most files
        if rewritten is None or newer_python.parses_as_written(data) or not _readable(rewritten.text, rel):
            continue  # a file read as written (a `yield` outside a function) was told it was rewritten
        uses.extend((use, place(rel, data, use.line)) for use in rewritten.uses)
    if not uses:
        return ()
    shown = [_SHOWN[use.form].format(name=use.name, where=where) for use, where in uses[:MAX_PLACES]]
    more = f" and {len(uses) - MAX_PLACES} more" if len(uses) > MAX_PLACES else ""
    ours = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"note: the code uses syntax of Python 3.12 and later: {', '.join(shown)}{more}. The grader's Python "
        f"{ours} cannot read it, so it was graded as the same program written for Python {ours} (not an "
        f"error); to run it there too, {_advice(uses)}",
    )


def _advice(uses: list[tuple[Use, str]]) -> str:
    """What to write instead, in the code's own names: the first alias, the first def or class."""
    alias = next((use.name for use, _ in uses if use.form == "type"), None)
    generic = next((use for use, _ in uses if use.form in ("def", "class")), None)
    advice = []
    if alias is not None:
        advice.append(f"write `{alias} = ...` (a plain assignment) for `type {alias} = ...`")
    if generic is not None:
        advice.append(
            f"make each type parameter above {generic.form} {generic.name} (`T = TypeVar('T')`, from typing) "
            "and leave out the brackets after its name"
        )
    if any(use.form == "f-string" for use, _ in uses):
        advice.append(  # grader/inside/newer_syntax.py says the same of a file still refused
            "compute the part of an f-string holding the backslash or # on a line of its own before it"
        )
    return " and ".join(advice)


def _costly(data: bytes) -> bool:
    """A file whose f-strings would hold the parent for seconds (grader/parse_cost.py): never compiled here,
    not even one f-string at a time, as the rewrite does."""
    try:
        parse_cost.check(data)
    except parse_cost.CostlyToParse:
        return True
    return False


def _readable(text: str, rel: str) -> bool:
    """Whether the rewritten file parses: the note is for a file graded as rewritten, never one still
    refused (a notebook module, cell by cell, as the student's process runs it)."""
    try:
        pyparse.parse_module(text.encode("utf-8"), rel)
    except Exception:  # a syntax error, or too costly to parse: no note
        return False
    return True
