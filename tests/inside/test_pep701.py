"""Python 3.12's f-strings written for the grader's Python (grader/inside/pep701.py, newer_python.py)."""

from __future__ import annotations

import ast
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


def test_literal_parts_are_written_as_their_value_never_copied() -> None:
    """Review of session 18: the literal parts were copied between the f-string's own quotes, so a raw
    f-string's text ending in a backslash, or a triple-quoted one's ending in its quote, closed the string
    the rewrite made, and the text after ran as code (a correct 3.12 repr computed another string). Oracle:
    the value Python 3.12 gives, worked by hand."""
    raw = "x = rf\"a\\{'\\n'.join(a)}\"\n"
    assert _run(raw) == "a\\u\nv"
    triple = 'x = f"""Variable("{\'\\n\'.join(a)}")"""\n'
    assert _run(triple) == 'Variable("u\nv")'
    escapes = "x = f\"\\t\\u00e9\\N{BULLET} caf\u00e9 {'\\n'.join(a)}\"\n"
    assert _run(escapes) == "\t\u00e9\u2022 caf\u00e9 u\nv"


def test_a_students_format_or_repr_is_not_what_the_rewrite_calls() -> None:
    """The rewrite called `format` (and `repr`) by name: a program with its own `format` argument broke on
    'str object is not callable'. It now calls a literal's own method."""
    source = "format = 'txt'\nrepr = None\nx = f\"{'\\n'.join(a)!r} ({format})\"\n"
    assert _run(source) == "'u\\nv' (txt)"


@pytest.mark.parametrize(
    "source",
    [
        # a field whose text reaches past its own part (3.12 refuses it): no code of it runs
        "x = f\"{'\\n'.join(a)), __import__('os'), (('x'}\"\n",
        # an f-string cut short after `=` or `!r`: no IndexError, Python's error stands
        "x = f\"{'\\n'.join(a)=\"\n",
        "x = f\"{'\\n'.join(a)!r\"\n",
        # 400 nested specs: no RecursionError out of the rewrite
        "x = f\"{'\\n'.join(a):" + "{0:" * 400 + "}" * 401 + '"\n',
    ],
)
def test_hostile_f_strings_are_left_to_pythons_error(source: str) -> None:
    with pytest.raises(SyntaxError):
        lazy_annotations.compile_source(source, "x.py")
    assert newer_python.rewrite_source(source) is None


def test_only_a_file_the_parser_refuses_is_rewritten_in_either_process() -> None:
    """`yield` outside a function: the parser takes it, the compiler refuses it. The student's process
    (compile) rewrote such a file and the parent (ast.parse) read it as written, so the parent's scan never
    saw what ran (review of session 18: a flagged call hidden behind a raw f-string's backslash). Now neither
    rewrites it: the compiler's own error stands."""
    source = 'x = rf"a\\{(yield)}"\nimport ctypes\n'
    ast_tree = newer_python.read(source, ast.parse, parses=True)  # the parent: the file as written
    assert [type(n).__name__ for n in ast_tree.body] == ["Assign", "Import"]
    with pytest.raises(SyntaxError, match="outside function"):
        lazy_annotations.compile_source(source, "x.py")


def test_the_search_finds_an_f_string_after_another_field_on_its_line() -> None:
    """The search looks for an f-string's quote once per stretch of a line (it searched from the line's start
    for every field, quadratic on one long line): a dict's `{"#"` before the f-string on the same line must
    not hide it."""
    assert newer_python.worth_trying('d = {"#": 1}; s = f"{\'\\n\'.join(a)}"\n')
    assert not newer_python.worth_trying("d = {\"#\": 1}; s = '{#}'\n")  # control: no f-string there
