"""Python 3.12's type parameter syntax written for the grader's Python (grader/inside/pep695.py)."""

from __future__ import annotations

import sys

import pytest

from grader.inside import lazy_annotations, newer_syntax, pep695

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python runs PEP 695 itself")

TYPED = """import numpy as np
type Array = np.ndarray  # 型エイリアス
type Pair[T] = tuple[T, T]; y = 1
type Node = (
    Variable |
    float)
class Function[V: (int, list[int])](object):
    def __call__[*Ts](self, *xs: V) -> list[V]:
        return list(xs)
class Variable[T]:
    pass
def as_array[T = int](x: T) -> T:
    return x
type = 3
z = type
"""


def test_each_form_is_written_for_this_python_at_its_own_line() -> None:
    """The alias, the generic class and the generic functions become 3.11 code with the same lines; `type`
    used as a plain name (`type = 3`) is left alone; each use is named with its line."""
    rewritten = pep695.rewrite(TYPED)
    assert rewritten is not None
    assert rewritten.text.count("\n") == TYPED.count("\n")
    assert [(u.line, u.form, u.name) for u in rewritten.uses] == [
        (2, "type", "Array"),
        (3, "type", "Pair"),
        (4, "type", "Node"),
        (7, "class", "Function"),
        (8, "def", "__call__"),
        (10, "class", "Variable"),
        (12, "def", "as_array"),
    ]
    lines = rewritten.text.split("\n")
    assert lines[6] == "class Function(object):" and lines[12] == "    return x" and lines[13] == "type = 3"
    space: dict[str, object] = {}
    exec(lazy_annotations.compile_source(TYPED, "typed.py"), space)
    # the alias is evaluated only when asked for, as on 3.12: Node names Variable, defined below it
    assert space["type"] == 3 and space["y"] == 1 and callable(space["Node"])
    assert space["Function"]()(1, 2) == [1, 2]  # type: ignore[operator]


def test_code_this_python_runs_is_never_rewritten() -> None:
    """Without the syntax there is nothing to rewrite (a 3.11 file compiles as before); a file this Python
    refuses for another reason keeps Python's own error."""
    assert pep695.rewrite("type = int\nx = type(3)\nd = {}\nd['a'] = [1]\n") is None
    with pytest.raises(SyntaxError) as raised:
        lazy_annotations.compile_source("x = (\n", "broken.py")
    assert raised.value.lineno == 1


def test_a_file_still_refused_after_the_rewrite_keeps_its_first_error_with_the_hint() -> None:
    """A PEP 695 alias and a typo of the student's: Python's error at the alias stands (the rewrite never
    hides a real mistake), and the hint says the line is Python 3.12's syntax and what to write instead."""
    with pytest.raises(SyntaxError) as raised:
        lazy_annotations.compile_source(b"type Array = list\ndef f(:\n    pass\n", "both.py")
    assert raised.value.lineno == 1
    hint = newer_syntax.hint(raised.value.msg, raised.value.text or "")
    assert hint is not None and "PEP 695" in hint and "Array = list" in hint


@pytest.mark.parametrize(
    ("line", "written"),
    [
        ("type Array = np.ndarray  # alias", "Array = np.ndarray"),
        ("    def as_array[T](x: T) -> T:", "def as_array(x: T)"),
        ("class Function[V: Variable]:", "class Function:"),
    ],
)
def test_the_hint_names_the_form_and_the_311_spelling(line: str, written: str) -> None:
    """Each form is named (PEP 695, Python 3.12) with the line as Python 3.11 accepts it; a line without
    the syntax gets no such hint."""
    hint = newer_syntax.hint("invalid syntax", line)
    assert hint is not None and "PEP 695" in hint and written in hint, hint
    assert newer_syntax.hint("invalid syntax", "x = type(y) [0]") is None


def test_brackets_are_matched_in_one_pass_and_nested_forms_are_left_to_python() -> None:
    """Each `def A[` searched for its closing bracket from where it stood: quadratic, 56 KB of them cost the
    parent 8 s (review of session 18). The brackets are now matched once; a form inside another's brackets
    (no program Python 3.12 runs either) is left to Python's error, never edited twice."""
    nested = "x = " + "def A[" * 2000 + "]" * 2000 + "\n"
    assert pep695.rewrite(nested) is None
    assert pep695.rewrite("def f[T](x: T) -> T:\n    return [x][0]\n") is not None  # control
