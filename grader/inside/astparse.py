"""`ast.parse` and `ast.literal_eval` of text, one thread at a time.

Python 3.11's converter from the parser's tree to `ast` objects keeps its recursion depth in the
interpreter's state, not the call's, and checks it when done. Two threads converting at once (a batch's
parent reads and compiles the next submission on its build thread while its main thread judges and scans
the last one; a collection in one running a `__del__` lets the other in) leave it wrong, and the check raises
`SystemError: AST constructor recursion depth mismatch`: the report of an honest submission said "the grader
itself failed" (CI, three runs, a different sample each time). Every parse of text in the grader goes through
here (tests/inside/test_astparse.py holds the rule over the source); the lock is reentrant, so a reader that
already holds it (grader/pyparse.py, around its caches) may parse again inside.
"""

from __future__ import annotations

import ast
import threading
from typing import Any

from . import main_guard

LOCK = threading.RLock()


def parse(source: str | bytes, filename: str = "<unknown>", mode: str = "exec") -> Any:
    """`ast.parse(source, filename, mode)` under LOCK (an `ast.Module`, or `ast.Expression` in "eval"); a
    module that may rebind its `__name__` has it marked (main_guard.mark_rebound: its guards decide
    nothing)."""
    with LOCK:
        tree = ast.parse(source, filename, mode)
    main_guard.mark_rebound(tree, source)
    return tree


def literal_eval(node_or_text: str | ast.AST) -> Any:
    """`ast.literal_eval` under LOCK (it parses text first)."""
    with LOCK:
        return ast.literal_eval(node_or_text)


def text_rebinds(text: str) -> bool:
    """Whether a module's text may rebind its `__name__` (main_guard.rebinds; parsed only when its text holds
    a rebinding's shape; text that does not parse: as the text says). Here rather than in main_guard, which
    this module imports: the student's process may not import the runtime late (tests/inside/
    test_unlisted.py)."""
    if not main_guard.may_rebind(text):
        return False
    try:
        return main_guard.rebinds(parse(text))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return True
