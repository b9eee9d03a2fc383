"""The submission's files compiled as Python 3.14 runs them: an annotation is not evaluated when its def runs.

Since Python 3.14 (PEP 649, PEP 749) an annotation is evaluated only when something asks for it, so a type
hint naming a class defined further down (`def set_creator(self, func: Function) -> None:` inside `class
Variable`, above `class Function`) runs. The grader's Python (3.11) evaluates it when the def runs:
NameError, the class holding the def is never defined, and a correct DeZero file lost every case with
"name 'Function' is not defined" (sample submissions/dezero/typehints_forward_ref.py). The submission's own
files (modules, notebook cells) are compiled with `from __future__ import annotations`, the nearest Python
3.11 has to 3.14's behaviour: every annotation stays unevaluated. Code that runs on 3.11 runs the same; only
code reading `__annotations__` itself sees strings, as under the future import.

Standard library only (runs in the student's process, before the submission's code).
"""

from __future__ import annotations
import __future__

import importlib.machinery
import os
import sys
from collections.abc import Callable
from types import CodeType
from typing import Any

FLAGS = __future__.annotations.compiler_flag


def compile_source(source: str | bytes, filename: str) -> CodeType:
    """`source` compiled as a file of the submission: annotations never evaluated."""
    return compile(source, filename, "exec", flags=FLAGS, dont_inherit=True)


class Loader(importlib.machinery.SourceFileLoader):
    """Loads a submission's .py file as Python's own loader does, the parent's checked pyc first (compiled
    with the same flag: grader/bytecode.py; compiling in a freshly forked student process costs ~2 ms a
    file), compiling the source with the flag when there is none (nothing is written: the sandbox runs -B)."""

    def source_to_code(self, data: Any, path: Any, *, _optimize: int = -1) -> CodeType:  # type: ignore[override]
        return compile(data, path, "exec", flags=FLAGS, dont_inherit=True, optimize=_optimize)


def _within(path: str, root: str) -> bool:
    try:
        full = os.path.realpath(path or ".")
    except (OSError, ValueError):
        return False
    return full == root or full.startswith(root + os.sep)


def install(root: str) -> None:
    """Every import of a file under `root` (the submission's folders on sys.path, its packages' `__path__`)
    goes through `Loader`; any other path keeps Python's own finder."""
    root = os.path.realpath(root)

    def hook(path: str) -> Any:
        # A folder only: a zip under the root on sys.path is zipimport's (sample
        # submissions/miniflow/zipped_module_import), and anything else keeps Python's own finders
        if not _within(path, root) or not os.path.isdir(path):
            raise ImportError("not a folder of the submission")
        return importlib.machinery.FileFinder(path, (Loader, importlib.machinery.SOURCE_SUFFIXES))

    if any(getattr(h, "_submission_root", None) == root for h in sys.path_hooks):
        return
    hook_fn: Callable[[str], Any] = hook
    hook_fn._submission_root = root  # type: ignore[attr-defined]
    sys.path_hooks.insert(0, hook_fn)
    for entry in [e for e in sys.path_importer_cache if _within(e, root)]:
        del sys.path_importer_cache[entry]
