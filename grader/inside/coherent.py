"""Of several definitions of a graded name, the one that belongs to the program the submission runs.

The book's dezero/ keeps core_simple.py (step 23: Variable, Function, Add ... on their own) beside core.py
(step 32 on) and selects one in dezero/__init__.py (`is_simple_core = False`). A student's core_simple.py
often keeps step 18's Square and Exp too. Graded at step 18 (the default), a package from step 33 on found
Variable and Function through the entry module (core.py's) and Add, Square, Exp first in core_simple.py,
whose as_variable refuses core.py's Variable: every case raised "<class 'dezero.core.Variable'> is not
supported", 3 of 53 for a correct package (sample submissions/dezero/book_step46_at_step18/).

The program's own classes are the ones the modules bind in load order (the preferred file first: the step
script or the package's __init__.py), leaving out a module that binds another version of one already
taken. A definition whose module binds another version of one of them (a class of the same name and the
same bases, not the same object) belongs to another copy of the program, and is passed over when a
definition that does not is found, among the loaded modules or the ones the submission imported. A name
defined once is found where it always was.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Hit = tuple[str, Any]  # ("module.attr", object), as Names.locate returns it


def base_names(cls: type) -> tuple[str, ...]:
    """The names of a class's bases, in order: two classes of one name with the same bases are two versions
    of one class (core_simple's and core's Variable); dezero/functions.py's Linear (a Function) and
    dezero/layers.py's Linear (a Layer) are two classes."""
    try:  # a student's class: its __mro__ may be anything
        return tuple(str(b.__name__) for b in cls.__mro__[1:])
    except Exception:
        return ("?",)


def versions(a: Any, b: Any) -> bool:
    """`a` and `b` are two versions of one class: distinct classes of one name and the same bases."""
    if not (isinstance(a, type) and isinstance(b, type)) or a is b:
        return False
    try:
        same_name = a.__name__ == b.__name__
    except Exception:
        return False
    return same_name and base_names(a) == base_names(b)


def anchor(namespaces: Iterable[Mapping[str, Any]], graded: Iterable[str]) -> dict[str, type]:
    """The program's graded classes: those the modules bind, in load order, leaving out every module that
    binds another version of a class already taken (core_simple.py after dezero/__init__.py took core's)."""
    wanted = tuple(graded)
    program: dict[str, type] = {}
    for ns in namespaces:
        try:
            bound = {n: obj for n in wanted if isinstance(obj := ns.get(n), type)}
        except Exception:
            continue
        if not any(versions(cls, program.get(n)) for n, cls in bound.items()):
            program.update((n, cls) for n, cls in bound.items() if n not in program)
    return program


def _home(obj: Any) -> Mapping[str, Any]:
    """The namespace of the module that defined `obj` (empty when it cannot be read)."""
    try:
        module = sys.modules.get(str(obj.__module__))
        return vars(module) if module is not None else {}
    except Exception:
        return {}


def contradicts(obj: Any, program: Mapping[str, type]) -> bool:
    """The module that defined `obj` binds another version of one of the program's classes."""
    home = _home(obj)
    return any(versions(home.get(n), cls) for n, cls in program.items())


def program_hits(
    alias: str,
    hits: Sequence[Hit],
    program: Mapping[str, type],
    modules: Callable[[], Iterable[tuple[str, Mapping[str, Any]]]],
    qualifies: Callable[[Any], bool],
) -> list[Hit]:
    """`alias` as the submission's imported `modules()` (name, namespace; read only here: it costs a path
    lookup per module in sys.modules) define it, when every hit contradicts
    the program. The book's dezero/__init__.py imports Variable and Function from core.py and never Add,
    and dezero.functions as a module: core.py and functions.py ran (imported) but are no files the load
    ran on its own, so their Add and Exp were no hits, and core_simple.py's were. `qualifies`: may be graded
    as `alias` (a qualifier's kind, and never the grader's stand-in, as the load's own hits)."""
    if not program or not all(contradicts(obj, program) for _, obj in hits):
        return []
    out: list[Hit] = []
    for module_name, ns in modules():
        try:  # a student's object put in sys.modules: its namespace and its attributes may be anything
            obj = ns.get(alias)
            own = obj is not None and str(obj.__module__) == module_name
        except Exception:
            continue
        if not own or any(obj is seen for _, seen in (*hits, *out)) or not qualifies(obj):
            continue
        out.append((f"{module_name}.{alias}", obj))
    return out


def choose(hits: Sequence[Hit], program: Mapping[str, type]) -> Hit:
    """The first hit built with the program's classes, else the first hit (the order of the load)."""
    if len(hits) > 1 and program:
        for hit in hits:
            if not contradicts(hit[1], program):
                return hit
    return hits[0]
