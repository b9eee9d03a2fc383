"""typing_extensions, the backport of typing a typed course file imports, answered by the standard library.

A student who types their DeZero for a Python older than the features they use writes `from typing_extensions
import override, Self`. A grading run has only numpy and the standard library: the import stopped the file and
every case was an error, for a module that only names types (sample submissions/dezero/
step18_typing_extensions.py). Its stand-in gives each name from `typing`, else from the names newer Pythons
added that the student process defines (grader/inside/newer_stdlib.py): exactly what typing_extensions
re-exports on a Python that has them. A name neither has stays missing (ImportError, as an unknown name of a
real module).
"""

from __future__ import annotations

import types
import typing
from typing import Any

from .. import newer_stdlib

TYPING_PACKAGES = ("typing_extensions",)


def make_module(fullname: str) -> types.ModuleType:
    module = types.ModuleType(
        fullname, "stand-in: typing_extensions answered by the standard library's typing"
    )
    extra = {name: value for (owner, name), (_, value) in newer_stdlib.ADDED.items() if owner == "typing"}

    def __getattr__(name: str) -> Any:
        if hasattr(typing, name):
            return getattr(typing, name)
        if name in extra:
            return extra[name]
        raise AttributeError(f"module {fullname!r} has no attribute {name!r}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    # `from typing_extensions import *` reads __all__ (without it, nothing: no `override` to decorate with)
    module.__all__ = [*typing.__all__, *sorted(n for n in extra if n not in typing.__all__)]  # type: ignore[attr-defined]
    return module
