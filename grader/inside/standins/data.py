"""Data libraries a training script gets its data from (scikit-learn, pandas), replaced by stand-ins that stop
there.

MiniFlow's training script starts with `from sklearn.datasets import load_boston` and `from sklearn.utils
import shuffle, resample`, a notebook's first cell often with `import pandas as pd`; a notebook exported to
one .py file keeps those lines at its top. A grading run never has these libraries, and the failed import cost
every class below it. The stand-in imports (as does any submodule and any name of it), and calling any of its
functions raises `DataLibraryNeeded`, a FileNotFoundError as the book's `load_mnist` stand-in's: the script
stops where it loads, splits or shuffles its data, with the note that it needs a data set, and what it defined
above that line is graded.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

# Top-level package -> the name a student knows it by.
DATA_LIBRARIES = {"sklearn": "scikit-learn", "pandas": "pandas"}
DATA_PACKAGES = tuple(DATA_LIBRARIES)


class DataLibraryNeeded(FileNotFoundError):
    """Raised by every function of a data library's stand-in."""


def _raise(qualified: str) -> None:
    library = DATA_LIBRARIES.get(qualified.split(".", 1)[0], qualified)
    raise DataLibraryNeeded(f"{library} is not available while grading ({qualified})")


def unavailable(qualified: str, fail: Callable[[str], None], *, classes: tuple[str, ...] = ()) -> Any:
    """What a missing library's name stands for: a class for a capitalised name or one of `classes` (an
    `isinstance` test is simply False, a subclass can be defined, building one calls `fail`), a function
    otherwise (calling it calls `fail`, which raises). Shared with the GPU stand-in (gpu.py)."""
    owner, name = qualified.rsplit(".", 1)
    if name[:1].isupper() or name in classes:

        def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
            fail(qualified)

        return type(name, (), {"__new__": __new__, "__module__": owner, "__qualname__": name})

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        fail(qualified)

    stand_in.__name__ = stand_in.__qualname__ = name
    stand_in.__module__ = owner
    return stand_in


def make_module(fullname: str) -> types.ModuleType:
    """A data library's stand-in module (a package, so that any submodule can be imported too)."""
    library = DATA_LIBRARIES.get(fullname.split(".", 1)[0], fullname)
    module = types.ModuleType(fullname, f"stand-in: {library} is not available while grading")
    module.__path__ = []
    module.__all__ = []  # type: ignore[attr-defined]  # `from pandas import *` imports nothing

    def __getattr__(name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        made = unavailable(f"{fullname}.{name}", _raise)
        setattr(module, name, made)  # the same object on every lookup: `pd.DataFrame is pd.DataFrame`
        return made

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module
