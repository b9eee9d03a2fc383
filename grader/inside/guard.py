"""The forbidden-import hook: a meta-path finder installed before any student code runs.

It is a courtesy check that turns `import torch` into a clear `forbidden_import` failure; the sandbox, not
this hook, is the security boundary (a determined submission can remove a finder).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any


class ForbiddenImport(ImportError):
    """Raised at the student's import statement for a module the assignment forbids."""

    def __init__(self, module: str) -> None:
        super().__init__(f"import of {module!r} is forbidden by this assignment", name=module)
        self.module = module


class ImportGuard:
    """A meta-path finder that refuses forbidden modules and their submodules."""

    def __init__(self, forbidden: Iterable[str]) -> None:
        self.forbidden = frozenset(str(f) for f in forbidden if f)

    def blocks(self, fullname: str) -> bool:
        """The name or one of its parent packages is forbidden (a set lookup per dot: this runs for every
        module in sys.modules at load and for every import the submission makes)."""
        if not self.forbidden:
            return False
        parts = fullname.split(".")
        return any(".".join(parts[: i + 1]) in self.forbidden for i in range(len(parts)))

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if self.blocks(fullname):
            raise ForbiddenImport(fullname)
        return None


def install(forbidden: Iterable[str]) -> ImportGuard:
    """Put the guard first on sys.meta_path and drop forbidden modules already cached.

    A cached module would bypass every finder; modules this process already holds keep working for the
    code that imported them, only new imports are refused.
    """
    guard = ImportGuard(forbidden)
    sys.meta_path.insert(0, guard)
    tops = {f.split(".", 1)[0] for f in guard.forbidden}  # most modules are ruled out by their first part
    # The import system loads a package before its submodules: with no forbidden top-level package held
    # (the usual case: numpy is never forbidden), there is nothing to drop and no need to read all of
    # sys.modules, some 500 names, in every student process.
    if any(top in sys.modules for top in tops):
        for name in [n for n in sys.modules if n.split(".", 1)[0] in tops and guard.blocks(n)]:
            del sys.modules[name]
    return guard
