"""Which branch of an `if` runs when a module is imported, read from its parse (never run).

On import, `__name__` is the module's dotted name, never "__main__": `if __name__ == "__main__":` never
runs its body and always its `else`; `if __name__ != "__main__":` (`if not __name__ == "__main__":`,
`"__main__" != __name__`) always runs its body and never its `else`. Each reader of such blocks asks here:
grader/course_bases.py `module_level` (imports), grader/defined.py `nested_class_methods` (classes said to be
under the `__main__` block), grader/stage_scan.py `_class_methods` (the stage's classes) and
grader/inside/loading.py `_body` (a file's imports checked without running it), and the text reader
grader/inside/choice.py `nested_defs` for each `if` line naming both (`guard_on_import`: it counted the
classes of the `else` of `!=`, s37). Three of them read `!=` as no
guard, so a class under the `else` of `if __name__ != "__main__":` counted as defined, and a chapter-5
MulLayer file with Relu and Sigmoid there was graded at an activations stage it never reached without the
reason (session 36); the fourth read `!=` as `==`. Imported by the student's process: the standard library
only.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportBranches:
    """An `if` statement's blocks: those that may run when the module is imported, those that never do."""

    runs: tuple[ast.stmt, ...]
    skipped: tuple[ast.stmt, ...]


def on_import(test: ast.expr) -> bool | None:
    """The truth of an `if` test when the module is imported: False for `__name__ == "__main__"` (either
    way round, or `is`), True for `!=` (or `is not`), through `not`, `and` and `or`; None when the test
    depends on anything else (`if __name__ == "__main__" or DEBUG:` may run either block)."""
    return decided(test, main_guard)


def decided(test: ast.expr, leaf: Callable[[ast.expr], bool | None]) -> bool | None:
    """The truth of `test` through `not`, `and` and `or`, each other part's from `leaf` (None: undecided)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decided(test.operand, leaf)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [decided(v, leaf) for v in test.values]
        decides = isinstance(test.op, ast.Or)  # one true operand makes `or` true, one false makes `and` false
        if decides in values:
            return decides
        return None if None in values else not decides
    return leaf(test)


def main_guard(test: ast.expr) -> bool | None:
    """False for `__name__ == "__main__"` (or `is`), True for `!=` (or `is not`), else None."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _names_main(test.left, test.comparators[0]):
        if isinstance(test.ops[0], (ast.Eq, ast.Is)):
            return False
        if isinstance(test.ops[0], (ast.NotEq, ast.IsNot)):
            return True
    return None


def _names_main(left: ast.expr, right: ast.expr) -> bool:
    sides = (left, right)
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def import_branches(node: ast.If) -> ImportBranches:
    """`node`'s body and `else` (an `elif` is an `if` in it), split by `on_import`."""
    body, orelse = tuple(node.body), tuple(node.orelse)
    value = on_import(node.test)
    if value is None:
        return ImportBranches(body + orelse, ())
    return ImportBranches(body, orelse) if value else ImportBranches(orelse, body)
