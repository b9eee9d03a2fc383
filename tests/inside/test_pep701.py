"""Python 3.12's f-strings written for the grader's Python (grader/inside/pep701.py, newer_python.py)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from grader.inside import lazy_annotations, newer_python, pep701

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python runs PEP 701 itself")

# the str of a (2, 3) array, and the operands of the other fields
NAMES: dict[str, Any] = {"d": "[[1 2 3]\n [4 5 6]]", "a": ["u", "v"], "y": "q", "z": 3, "w": 3.14159}
NAMES.update({"width": 9, "prec": 2})


def _run(source: str) -> Any:
    space = dict(NAMES)
    exec(lazy_annotations.compile_source(source, "x.py"), space)
    return space["x"]


def test_the_step19_repr_is_the_value_python_312_gives() -> None:
    """DeZero's step-19 repr as one f-string with backslashes in its braces: the rewritten line computes what
    the book's concatenation computes, on the same line."""
    line = "x = f\"variable({str(d).replace('\\n', '\\n' + ' ' * 9)})\"\n"
    rewritten = pep701.rewrite(line)
    assert rewritten is not None and rewritten.text.count("\n") == 1
    assert [(u.line, u.form) for u in rewritten.uses] == [(1, "f-string")]
    assert _run(line) == "variable(" + NAMES["d"].replace("\n", "\n" + " " * 9) + ")"


def test_conversions_specs_debug_fields_and_doubled_braces_mean_what_they_mean_in_an_f_string() -> None:
    """Oracle: the same f-string with its backslash computed beforehand, which this Python runs itself."""
    newer = "x = f\"{'\\n'.join(a)} {y!r:>10} {z=} {w:{width}.{prec}f} {{kept}} {z!s:*^5}\"\n"
    nl = "\n"
    a, y, z, w, width, prec = (NAMES[k] for k in ("a", "y", "z", "w", "width", "prec"))
    assert _run(newer) == f"{nl.join(a)} {y!r:>10} {z=} {w:{width}.{prec}f} {{kept}} {z!s:*^5}"
    triple = 'x = f"""rows:\n{\'\\n\'.join(a)}\nend"""\n'
    assert _run(triple) == "rows:\nu\nv\nend"
    raw = "x = rf\"\\d{'\\n'.join(a)}\"\n"
    assert _run(raw) == "\\du\nv"


@pytest.mark.parametrize(
    "source",
    [
        "x = f'{d}'\n",  # this Python's own f-string: nothing to do
        "x = f'{}'\n",  # refused by every Python: Python's error stands
        "x = f'{}' + f\"{'\\n'.join(a)}\"\n",  # beside one it could rewrite: the error stays
        'x = f"{d["a"]}"\n',  # its own quotes nested: split by this tokenizer, not rewritten
        "x = 'a' f\"{'\\n'.join(a)}\"\n",  # glued to another literal: a call once rewritten
        "x = f'''{len(a) # a comment\n}'''\n",  # a comment in the braces
    ],
)
def test_what_is_not_rewritten(source: str) -> None:
    """Each of these is left as written (None): a valid f-string, and the forms this module does not take, by
    the f-string rewrite itself as much as by the search that spares a file the tokenizer."""
    assert pep701.rewrite(source) is None
    assert newer_python.rewrite(source) is None


def test_both_newer_forms_in_one_file() -> None:
    """A PEP 695 alias and a PEP 701 f-string in one file: both rewritten, both uses named in line order."""
    source = "type Text = str\nx = f\"{'\\n'.join(a)}\"\n"
    rewritten = newer_python.rewrite(source)
    assert rewritten is not None
    assert [(u.line, u.form) for u in rewritten.uses] == [(1, "type"), (2, "f-string")]
    assert _run(source) == "u\nv"


def test_a_file_with_windows_line_breaks_is_rewritten_at_the_lines_python_counts() -> None:
    """CR LF (and a lone CR, which compile() also reads as a line break) before the f-string: both rewrites
    read the text with the line breaks compile() reads, so the edit lands on the f-string, not beside it."""
    source = "y = 1\r\nz = 2\rx = f\"{'\\n'.join(a)}\"\r\n"
    assert _run(source) == "u\nv"
    rewritten = newer_python.rewrite(source)
    assert rewritten is not None and [(u.line, u.form) for u in rewritten.uses] == [(3, "f-string")]
