"""Which branch of a module-level `if` Python runs on import, where the source alone decides it (never run).

`if True:` / `if 0:`, `sys.version_info` checks (`if sys.version_info >= (3, 0):`, `sys.version_info[0] == 2`,
`sys.version_info.major < 3`, read from the parent's own sys.version_info: the student's process runs the
same interpreter, `python<major>.<minor>` of the parent's own base prefix (grader/sandbox/layout.py
host_layout; tests/test_branch_taken.py runs it to check; a Dask worker's Python is not compared, only its
grader build: docs/DASK.md) and the `__main__` guard
(grader/inside/main_guard.py), through `not`, `and` and `or`. Anything else (`if USE_GPU:`) is undecided:
either branch may run, and a reader that needs to know which says nothing rather than guess.
"""

from __future__ import annotations

import ast
import operator
import sys
from collections.abc import Callable
from typing import Any

from grader.inside.main_guard import decided, main_guard

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_VERSION_PARTS = ("major", "minor", "micro")


def taken(test: ast.expr) -> bool | None:
    """The truth of `test` on import, or None when the source alone does not decide it."""
    return decided(test, _leaf)


def _leaf(test: ast.expr) -> bool | None:
    """A part of a test that is no `not`, `and` or `or`: the main guard, a constant, a version check."""
    guard = main_guard(test)
    if guard is not None:
        return guard
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _COMPARE:
        left, right = _version(test.left), _literal(test.comparators[0])
        if left is not None and right is not None:
            try:
                return bool(_COMPARE[type(test.ops[0])](left, right))
            except TypeError:  # `sys.version_info > "3"`: Python raises; nothing decided
                return None
    return None


def _version(node: ast.expr) -> Any:
    """sys.version_info (as a tuple), one item of it or one of its named parts, or None."""
    if _is_version_info(node):
        return tuple(sys.version_info)
    if isinstance(node, ast.Attribute) and node.attr in _VERSION_PARTS and _is_version_info(node.value):
        return getattr(sys.version_info, node.attr)
    if isinstance(node, ast.Subscript) and _is_version_info(node.value):
        index = _literal(node.slice)
        if isinstance(index, int) and not isinstance(index, bool) and -5 <= index < 5:
            return tuple(sys.version_info)[index]
    return None


def _is_version_info(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "version_info"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _literal(node: ast.expr) -> Any:
    """A number or a tuple of numbers written in the source, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Tuple):
        items = [_literal(e) for e in node.elts]
        return tuple(items) if all(isinstance(i, int) for i in items) else None
    return None
