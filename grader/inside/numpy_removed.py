"""NumPy names that older courses' code uses and today's NumPy removed, each an exact alias of what it meant.

Student code written while `np.float` existed (before NumPy 1.24), `np.asscalar` (1.23) or `np.float_` and
`np.NaN` (2.0) raises AttributeError under today's NumPy, though each name meant exactly one thing: the code
computed what it said. The MiniFlow lesson's own nn.py prints its loss with `np.asscalar`. The student process
defines the missing ones before the submission runs (`install`), so that the grade is about backpropagation,
not about the NumPy release of the year the course ran; the parent tells the student where the code uses
one (grader/numpy_notes.py). Only names with one exact meaning are here: nothing whose behaviour changed.
This module imports nothing: the parent reads the table without NumPy's import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Removed:
    removed_in: str  # the NumPy release that removed the name
    instead: str  # what to write now (NumPy's own advice), `np.` standing for the module
    value: Callable[[Any], Any]  # the object the name stood for, given the numpy module


def _asscalar(a: Any) -> Any:
    return a.item()  # what np.asscalar did (NumPy 1.16 to 1.22), word for word


def _same(name: str) -> Callable[[Any], Any]:
    return lambda np: getattr(np, name)


def _builtin(value: object) -> Callable[[Any], Any]:
    return lambda np: value


REMOVED: dict[str, Removed] = {
    # Aliases of the builtins, removed in 1.24 (deprecated in 1.20).
    "float": Removed("1.24", "float", _builtin(float)),
    "int": Removed("1.24", "int", _builtin(int)),
    "complex": Removed("1.24", "complex", _builtin(complex)),
    "object": Removed("1.24", "object", _builtin(object)),
    "str": Removed("1.24", "str", _builtin(str)),
    "asscalar": Removed("1.23", "x.item()", lambda np: _asscalar),
    # Removed in 2.0.
    "float_": Removed("2.0", "np.float64", _same("float64")),
    "complex_": Removed("2.0", "np.complex128", _same("complex128")),
    "cfloat": Removed("2.0", "np.complex128", _same("complex128")),
    "longfloat": Removed("2.0", "np.longdouble", _same("longdouble")),
    "string_": Removed("2.0", "np.bytes_", _same("bytes_")),
    "unicode_": Removed("2.0", "np.str_", _same("str_")),
    "NaN": Removed("2.0", "np.nan", _same("nan")),
    "Inf": Removed("2.0", "np.inf", _same("inf")),
    "Infinity": Removed("2.0", "np.inf", _same("inf")),
    "PINF": Removed("2.0", "np.inf", _same("inf")),
    "infty": Removed("2.0", "np.inf", _same("inf")),
    "NINF": Removed("2.0", "-np.inf", lambda np: -np.inf),
    "round_": Removed("2.0", "np.round", _same("round")),
    "product": Removed("2.0", "np.prod", _same("prod")),
    "cumproduct": Removed("2.0", "np.cumprod", _same("cumprod")),
    "alltrue": Removed("2.0", "np.all", _same("all")),
    "sometrue": Removed("2.0", "np.any", _same("any")),
}


def install(np: Any) -> list[str]:
    """Define on the numpy module each name of REMOVED that it lacks; returns the names defined. A name this
    NumPy still has (an older NumPy) is left as it is."""
    defined = []
    namespace = vars(np)
    for name, removed in REMOVED.items():
        if name not in namespace:  # never through getattr: NumPy's __getattr__ warns on some of them
            setattr(np, name, removed.value(np))
            defined.append(name)
    return defined
