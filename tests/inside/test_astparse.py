"""Every parse of text in the grader is one thread at a time (grader/inside/astparse.py).

Python 3.11's AST converter keeps its recursion depth in the interpreter's state: two threads parsing at
once raised `SystemError: AST constructor recursion depth mismatch` in a batch's parent (its build thread
and its main thread), and an honest submission's report said the grader itself failed.
"""

from __future__ import annotations

import ast
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from grader.inside import astparse

GRADER = Path(__file__).resolve().parents[2] / "grader"
# Run only in a student's process, where the grader has one thread (a student's threads parsing beside it
# are the student's doing, and a lock they never take would not stop them)
STUDENT_PROCESS_ONLY = {"inside/loading.py", "inside/student.py", "inside/standins/gpu.py"}
UNLOCKED = {"parse", "literal_eval"}


def _bare_parses(source: str) -> list[int]:
    """Lines calling `ast.parse` / `ast.literal_eval`, or importing them from ast."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "ast" and node.func.attr in UNLOCKED:
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "ast"
            and any(alias.name in UNLOCKED for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_the_rule_finds_a_bare_parse() -> None:
    """Control: the scan below sees each way of calling the converter unlocked."""
    assert _bare_parses("import ast\nast.parse('x')\n") == [2]
    assert _bare_parses("import ast\nv = ast.literal_eval('1')\n") == [2]
    assert _bare_parses("from ast import parse\n") == [1]
    assert _bare_parses("from grader.inside import astparse\nastparse.parse('x')\n") == []


def test_every_parse_of_text_in_the_grader_goes_through_astparse() -> None:
    found = {}
    for path in sorted(GRADER.rglob("*.py")):
        rel = path.relative_to(GRADER).as_posix()
        if rel == "inside/astparse.py" or rel in STUDENT_PROCESS_ONLY:
            continue
        lines = _bare_parses(path.read_text(encoding="utf-8"))
        if lines:
            found[rel] = lines
    assert found == {}, f"parse through grader.inside.astparse (one thread at a time): {found}"


class _Collected:
    """Python code run by the collector in the middle of a conversion: where the other thread gets in."""

    def __del__(self) -> None:
        pass


def _race(parse: Callable[[str], object], rounds: int) -> list[str]:
    """Two threads parsing a large file `rounds` times each, with cyclic garbage collected as they go; the
    SystemErrors they met."""
    source = (GRADER / "pipeline.py").read_text(encoding="utf-8")
    errors: list[str] = []

    def churn() -> None:
        for _ in range(rounds):
            if errors:
                return
            garbage = [_Collected() for _ in range(50)]
            for item in garbage:
                item.cycle = item  # type: ignore[attr-defined]
            try:
                parse(source)
            except SystemError as err:
                errors.append(str(err))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=churn) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    return errors


def test_two_threads_parsing_at_once_through_astparse_meet_no_error() -> None:
    assert _race(astparse.parse, 60) == []  # unlocked, the race shows within a few rounds


def test_two_threads_parsing_at_once_unlocked_break_the_converter() -> None:
    """Control for the test above: the same race with `ast.parse` itself meets the interpreter's error (on
    a Python whose converter keeps its depth per call the race is harmless, and this says so)."""
    errors = _race(ast.parse, 3000)
    if sys.version_info[:2] == (3, 11):
        assert errors and "recursion depth mismatch" in errors[0]
