"""The note on Python 3.12's type parameter syntax (grader/newer_syntax_notes.py)."""

from __future__ import annotations

import sys

import pytest

from grader import newer_syntax_notes

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python runs PEP 695 itself")

TYPED = b"""import numpy as np
type Array = np.ndarray
def as_array[T](x: T) -> Array | T:
    return x
class Box[T]:
    pass
def helper[U](u: U) -> U:
    return u
"""


def test_the_note_names_each_place_and_what_to_write_in_the_codes_own_names() -> None:
    """The first three uses with their file and line, the rest counted; the advice names the alias and the
    first generic def of the code."""
    (note,) = newer_syntax_notes.notes({"core.py": TYPED, "README.md": b"type Array = x"})
    assert "type Array = ... (PEP 695, core.py line 2), def as_array[...] (PEP 695, core.py line 3)" in note
    assert "class Box[...] (PEP 695, core.py line 5) and 1 more." in note
    assert "write `Array = ...` (a plain assignment) for `type Array = ...`" in note
    assert "above def as_array (`T = TypeVar('T')`, from typing)" in note


def test_no_note_without_the_syntax_or_for_a_file_still_refused() -> None:
    """Code without it gets no note (a name `type` is no alias); a file with another syntax error was not
    graded as rewritten, so no note says it was."""
    assert newer_syntax_notes.notes({"a.py": b"type = int\nx = type(3)\nclass A:\n    pass\n"}) == ()
    assert newer_syntax_notes.notes({"b.py": TYPED + b"def broken(:\n    pass\n"}) == ()


def test_an_f_string_of_python_312_is_named_with_its_line() -> None:
    """DeZero's step-19 repr as a PEP 701 f-string: named with its line and the 3.11 way to write it; an
    f-string this Python reads itself (a '#' inside a string of its braces) gets no note."""
    source = b"def r(d):\n    return f\"variable({str(d).replace('\\n', '\\n' + ' ' * 9)})\"\n"
    (note,) = newer_syntax_notes.notes({"step19.py": source})
    assert "an f-string with a backslash or a # inside its braces (PEP 701, step19.py line 2)" in note
    assert "on a line of its own before it" in note
    assert newer_syntax_notes.notes({"ok.py": b"x = f\"{'#'.join(a)}\"\n"}) == ()


def test_a_file_too_costly_to_parse_is_never_compiled_for_the_note(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rewrite compiles each f-string it meets: a file whose f-strings grader/parse_cost.py finds too
    dear for the parent gets no note, and the rewrite is never called on it."""

    def refuse(data: bytes) -> None:
        raise newer_syntax_notes.parse_cost.CostlyToParse("dear")

    def never(text: str) -> None:
        raise AssertionError("rewritten")

    monkeypatch.setattr(newer_syntax_notes.parse_cost, "check", refuse)
    monkeypatch.setattr(newer_syntax_notes.newer_python, "rewrite", never)
    assert newer_syntax_notes.notes({"core.py": TYPED}) == ()


def test_no_note_for_a_file_read_as_written() -> None:
    """A file the parser takes as it is is never rewritten (grader/inside/newer_python.read): `yield` in an
    f-string's braces at module level was told it had been graded as rewritten (review of session 18)."""
    assert newer_syntax_notes.notes({"x.py": b'x = rf"a\\{(yield)}"\n'}) == ()
    assert newer_syntax_notes.notes(
        {"x.py": b"x = f\"{'\\n'.join(a)}\"\n"}
    )  # control: a file only the rewrite makes readable
