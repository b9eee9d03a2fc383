"""Packages that make a notebook importable from another notebook, answered by the loader's own modules.

A chapter-5 notebook kept beside the notebook of its layers imports them as Korean and Japanese course repos
do: `import import_ipynb` then `from layers import *` (layers.ipynb), or `from ipynb.fs.full.layers import *`.
Neither package is available while grading, and neither is needed: the loader reads every notebook of the
submission as a module of its name (layers.ipynb is `layers`). `import import_ipynb` stopped the first cell,
whose `import numpy as np` below it never ran, and every TwoLayerNet case was "NameError: name 'np' is not
defined: add `import numpy as np`", though the cell has it (sample submissions/layers/notebook_import_ipynb/).
`import_ipynb` is an empty module; `ipynb.fs.full.X` and `ipynb.fs.defs.X` are the module X itself (the
finder aliases them: standins.MadeFinder), `ipynb`, `ipynb.fs`, `ipynb.fs.full` and `ipynb.fs.defs` empty
packages.
"""

from __future__ import annotations

import importlib.util
import types

from .. import cells
from .kernel import under_root

NOTEBOOK_PACKAGES = ("import_ipynb", "ipynb")
# ipynb's packages whose submodules are notebooks: `ipynb.fs.full.layers` runs layers.ipynb whole, `defs` only
# its definitions (here the whole module too: the loader has run it whole already).
NOTEBOOK_PARENTS = ("ipynb.fs.full", "ipynb.fs.defs")


def notebook_module(fullname: str, root: str) -> str | None:
    """The submission's module an `ipynb.fs.full.layers` import names (`layers`): one the loader made of a
    notebook of the submission under `root`, else None. Any name was taken: `ipynb.fs.full.gc` was gc,
    `ipynb.fs.full.ctypes` ctypes, which the parent's scan reads as neither (review of session 18)."""
    parent, _, name = fullname.rpartition(".")
    if parent not in NOTEBOOK_PARENTS or not name:
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None)
    if not isinstance(origin, str) or not under_root(root, origin):
        return None
    try:
        with open(origin, encoding="utf-8", errors="replace") as fh:
            return name if cells.is_notebook(fh.readline()) else None
    except OSError:
        return None


def make_module(fullname: str) -> types.ModuleType:
    return types.ModuleType(
        fullname, "stand-in: grading reads every notebook of the submission as a module already"
    )
