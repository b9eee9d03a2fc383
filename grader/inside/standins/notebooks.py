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

import types

NOTEBOOK_PACKAGES = ("import_ipynb", "ipynb")
# ipynb's packages whose submodules are notebooks: `ipynb.fs.full.layers` runs layers.ipynb whole, `defs` only
# its definitions (here the whole module too: the loader has run it whole already).
NOTEBOOK_PARENTS = ("ipynb.fs.full", "ipynb.fs.defs")


def notebook_module(fullname: str) -> str | None:
    """The submission's module an `ipynb.fs.full.layers` import names (`layers`), else None."""
    parent, _, name = fullname.rpartition(".")
    return name if parent in NOTEBOOK_PARENTS and name else None


def make_module(fullname: str) -> types.ModuleType:
    return types.ModuleType(
        fullname, "stand-in: grading reads every notebook of the submission as a module already"
    )
