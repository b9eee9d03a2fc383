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

The runtime's names are listed by the worker before it forks (`remember`): a student process reads only the
names added to sys.modules since, from the dict's end (a dict keeps its insertion order). A pass over every
name cost each student process ~183 copy-on-write page faults (session 23: a forked child writes the
reference count of every inherited name it reads), of some 1,650.
"""

from __future__ import annotations

import sys
from types import ModuleType

# (package, the runtime's names, the last name of sys.modules, its length) when the worker listed them
# (remember).
_REMEMBERED: tuple[str, tuple[str, ...], object, int] | None = None


def _runtime(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def remember(package: str) -> None:
    """Called by the worker before it forks any student process: the runtime's names, listed once."""
    global _REMEMBERED
    names = tuple(n for n in sys.modules if _runtime(n, package))
    _REMEMBERED = (package, names, next(reversed(sys.modules), None), len(sys.modules))


def _runtime_names(package: str) -> list[str]:
    """The runtime's names in sys.modules: the ones the worker listed, and those among the names added after
    its last one (read from the end of the dict, stopping at that name; every name when it is gone). Only the
    runtime runs between the worker's listing and `unlist` (the worker, then the child before the student's
    first line), and it is not expected to delete a name or to put one back at the end; the length checks
    it, at no cost: with a name deleted, or one moved to the end (found as the last name, so nothing would
    count as added), the length is not the worker's plus the names found added, and every name is read
    (review of s24-ssand: `sys.modules[last] = sys.modules.pop(last)` after a late runtime import left it
    listed)."""
    if _REMEMBERED is not None and _REMEMBERED[0] == package:
        _, names, last, length = _REMEMBERED
        added = []
        for name in reversed(sys.modules):
            if name is last:
                break
            added.append(name)
        if len(sys.modules) == length + len(added):
            return [*names, *(n for n in added if _runtime(n, package))]
    return [n for n in sys.modules if _runtime(n, package)]  # not listed, or changed since: every name read


def unlist(package: str) -> None:
    """Take `package` and its submodules out of sys.modules, empty the namespace of the bootstrap script
    (`__main__`, holding the package as `m` and its `main`) and give `__main__` a new empty module.

    Emptied, not only replaced: the script's frame is the bottom of every stack of the student's process, and
    its globals are that namespace (`traceback.walk_stack(None)` to the last frame, `f_globals["m"].shipped.
    _ROOTS.clear()`: 43 / 43 and no flag, review of s21-hostile, sample hostile/runtime_by_walk_stack.py).
    The script never runs another line in a student process (its server ends with os._exit): nothing it
    needs is lost. Its dunder names stay, as any module has them."""
    for name in _runtime_names(package):
        sys.modules.pop(name, None)
    main = sys.modules.get("__main__")
    if main is not None:
        namespace = vars(main)
        for name in [n for n in namespace if not (n.startswith("__") and n.endswith("__"))]:
            del namespace[name]
    # Put at the end of sys.modules, not at the bootstrap's place near its start: student.py's scan reads
    # names only from the first module the worker did not hold; a new module near the start makes it read all.
    sys.modules.pop("__main__", None)
    sys.modules["__main__"] = ModuleType("__main__")
