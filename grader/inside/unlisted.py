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
    """Take `package` and its submodules out of sys.modules, empty the namespace of the bootstrap script
    (`__main__`, holding the package as `m` and its `main`) and give `__main__` a new empty module.

    Emptied, not only replaced: the script's frame is the bottom of every stack of the student's process, and
    its globals are that namespace (`traceback.walk_stack(None)` to the last frame, `f_globals["m"].shipped.
    _ROOTS.clear()`: 43 / 43 and no flag, review of s21-hostile, sample hostile/runtime_by_walk_stack.py).
    The script never runs another line in a student process (its server ends with os._exit): nothing it
    needs is lost. Its dunder names stay, as any module has them."""
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]
    main = sys.modules.get("__main__")
    if main is not None:
        namespace = vars(main)
        for name in [n for n in namespace if not (n.startswith("__") and n.endswith("__"))]:
            del namespace[name]
    sys.modules["__main__"] = ModuleType("__main__")
