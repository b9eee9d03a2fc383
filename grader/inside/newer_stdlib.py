"""Standard-library names that Python versions newer than the grader's added, each defined as they define it.

A student on Python 3.12 or later who types their DeZero writes `from typing import override` and marks each
Function's forward and backward `@override`; a data loader reads batches with `itertools.batched`. On the
grader's Python (3.11) the import fails, the whole file is never loaded, and every case was an error saying
"'typing' has no override; only numpy, the standard library ... are available", as if typing were not the
standard library (sample submissions/dezero/step18_typing_override.py). The student process defines the ones
this Python lacks before the submission runs (`install`). Only names whose whole behaviour is a few lines of
plain Python, written as the newer Python's documentation gives it; anything that needs the newer interpreter
(syntax, a C change) is not here.

Standard library only (runs in the student's process).
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def _override(method: T) -> T:
    """typing.override (3.12): marks the method, returns it unchanged."""
    # as 3.12: an object that takes no attribute is returned as it is
    with contextlib.suppress(AttributeError, TypeError):
        method.__override__ = True  # type: ignore[attr-defined]
    return method


def _batched(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """itertools.batched (3.12): tuples of n items, the last one shorter."""
    if n < 1:
        raise ValueError("n must be at least one")
    it = iter(iterable)
    while batch := tuple(itertools.islice(it, n)):
        yield batch


# (module, name) -> (the Python that added it, its definition)
ADDED: dict[tuple[str, str], tuple[str, Callable[..., Any]]] = {
    ("typing", "override"): ("3.12", _override),
    ("itertools", "batched"): ("3.12", _batched),
}


def install() -> list[str]:
    """Define each name of ADDED that its module lacks; returns the names defined (`typing.override`)."""
    defined = []
    for (module, name), (_, value) in ADDED.items():
        mod = importlib.import_module(module)
        if not hasattr(mod, name):
            setattr(mod, name, value)
            defined.append(f"{module}.{name}")
    return defined
