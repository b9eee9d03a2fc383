"""GPU array libraries (CuPy), replaced by a stand-in without a GPU when the import is not guarded.

DeZero's dezero/cuda.py (step 52) imports cupy inside `try: ... except ImportError: gpu_enable = False`, and
every other module asks it for the array module (`xp = cuda.get_array_module(x)`). A student on Colab, where
cupy is installed, often writes `import cupy as cp` bare: without cupy the whole package failed to load and
every class counted as missing. A grading run has no GPU. So:

- a guarded import fails as it does on a machine without cupy (ModuleNotFoundError), and the code takes the
  book's NumPy path;
- a bare one gets this stand-in: `get_array_module` gives numpy (what cupy gives for NumPy arrays),
  `asnumpy` converts, `ndarray` is a class no array is an instance of, and anything else (`cp.asarray`,
  `cp.zeros`, building a `cp.ndarray`) raises GpuNeeded: only code that moves data to the GPU stops.
"""

from __future__ import annotations

import ast
import types
from functools import lru_cache
from typing import Any

from .data import unavailable

GPU_PACKAGES = ("cupy", "cupyx")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


class GpuNeeded(RuntimeError):
    """Raised by whatever of the stand-in would need a GPU."""


def _raise(qualified: str) -> None:
    raise GpuNeeded(f"{qualified} needs a GPU, which a grading run does not have (cupy is a stand-in)")


def _get_array_module(*args: Any) -> types.ModuleType:
    import numpy

    return numpy  # cupy's answer for NumPy arrays, the only arrays there are while grading


def _asnumpy(a: Any, *args: Any, **kwargs: Any) -> Any:
    import numpy

    return numpy.asarray(a)


def make_module(fullname: str) -> types.ModuleType:
    """cupy's stand-in module (a package: `import cupyx.scipy` works too)."""
    module = types.ModuleType(fullname, "stand-in: cupy without a GPU, while grading")
    module.__path__ = []
    module.__all__ = []  # type: ignore[attr-defined]
    module.get_array_module = _get_array_module  # type: ignore[attr-defined]
    module.asnumpy = _asnumpy  # type: ignore[attr-defined]

    def __getattr__(name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        made = unavailable(f"{fullname}.{name}", _raise, classes=("ndarray",))
        setattr(module, name, made)  # the same object on every lookup: `cp.ndarray is cp.ndarray`
        return made

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module


def guarded(filename: str, line: int) -> bool:
    """The import at `line` of `filename` is in the body of a `try` that catches a failed import."""
    return line in _guarded_lines(filename)


@lru_cache(maxsize=64)
def _guarded_lines(filename: str) -> frozenset[int]:
    try:
        with open(filename, "rb") as fh:
            tree = ast.parse(fh.read(), filename)
    except (SyntaxError, OSError, ValueError, RecursionError, MemoryError):
        return frozenset()  # unreadable: as if bare
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and _catches_import_error(node):
            for stmt in node.body:
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return frozenset(lines)


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(k is None or getattr(k, "id", "") in _IMPORT_ERRORS for k in kinds):
            return True
    return False
