"""Names a package exports but imports only on first use (PEP 562): `grader check` pays for no module it
does not use, and starts its sandbox worker before the parent has imported numpy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The package's `__getattr__`: name -> the attribute of the submodule `homes[name]` that holds it."""

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # __import__, not importlib.import_module: `python -X importtime` logs only the former's imports.
        return getattr(__import__(f"{package}.{homes[name]}", fromlist=[name]), name)

    return __getattr__
