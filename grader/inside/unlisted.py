"""The grader's runtime taken off the lists a name resolves through, in a student process before its server
answers anything (worker `_child`).

The runtime's guards in the student's process (shipped.py's snapshot of the files handed in, pickles.py,
the stand-ins' registry) are plain objects of that process: a bar, and the scan flags the ways it knows to
reach them (`import inside`, `sys.modules`, `__globals__`). The standard library knows more ways from a
dotted name to a module, each reading `sys.modules`: `inspect.getmodule` of a class whose `__module__`
says "inside.shipped", `typing.get_type_hints` evaluating a string annotation in that module's namespace,
`logging.config`'s resolver, `unittest.mock.patch("inside.shipped._ROOTS", set())`; and `import __main__`
gave the worker's bootstrap, whose global `m` is the runtime's package. Each turned the check of code
written at run time off, 43 / 43 in both modes and no flag (session 21, sample
submissions/hostile/runtime_module_by_name.py). Off the lists, such a name finds nothing, or the runtime
imported afresh: new modules whose state guards nothing. The runtime keeps its own modules by reference,
and nothing of it imports one of them again after this (tests/inside/test_unlisted.py).

Costs one pass over `sys.modules` per student process: measured (timeit, numpy imported, 213 modules, the
machine shared) 79 us, against a fork and set-up of some 15 ms.
"""

from __future__ import annotations

import sys
from types import ModuleType


def unlist(package: str) -> None:
    """Take `package` and its submodules out of sys.modules, and give `__main__` (the worker's bootstrap
    script, holding the package and its `main`) an empty namespace."""
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]
    sys.modules["__main__"] = ModuleType("__main__")
