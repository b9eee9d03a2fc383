"""`ast.parse` for the parent process, one thread at a time.

CPython 3.11 keeps the AST converter's recursion depth in per-interpreter state: when two threads parse at
once (a batch's lane threads build jobs while the main thread judges, and both read student source), a
garbage collection inside one conversion can switch threads mid-way and the other's depth accounting ends in
`SystemError: AST constructor recursion depth mismatch` (reproduced by tests/test_pyparse.py). Every parse of
student source in the parent goes through this lock: the defined names, the static scan, the stage scan.
The last few trees are kept: those three read the same files of a submission, one after the other (callers
only read a tree, never change it).
"""

from __future__ import annotations

import ast
import functools
import threading

_LOCK = threading.Lock()


def parse(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    with _LOCK:
        return _parse(source, filename)


@functools.lru_cache(maxsize=8)  # a few submissions' files: flat memory whatever the class size
def _parse(source: str | bytes, filename: str) -> ast.Module:
    return ast.parse(source, filename=filename)
