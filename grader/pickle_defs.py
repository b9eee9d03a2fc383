"""The names a pickle may resolve in a handed-in module, read by the parent from the source: the classes and
functions a `class` / `def` statement defines at module level and nothing else binds.

The student process's audit hook lets a pickle resolve a name of the submission's own modules only if it is
one of these (grader/inside/audit.py). It sees names, not objects: with every attribute of an own module let
through, `_run = exec` in a handed-in file and a pickle naming `miniflow._run` ran exec (sample
submissions/hostile/own_attribute_exec_pickle.py, 43 / 43 in both modes). A name is left out whenever the
source binds it some other way, so the object a pickle finds under it is the one the statement made. In its
own file: an assignment, augmented or annotated (`_run = exec`), an import (`from os import system as
Linear`), a `for`/`with`/`except`/walrus/`match` target, `del`, a `global` declaration (a function may rebind
it), a decorator (`@lambda f: exec` makes the name exec). In any file: an attribute of that name stored or
deleted (`miniflow.Linear = exec` from another file), a subscript of that constant name stored
(`globals()["Linear"] = exec`), `setattr`/`delattr` of it, `update(Linear=...)`, `setdefault("Linear",
...)`; and a `__class__` stored anywhere leaves out every name (a module's class swapped for one whose
`__getattribute__` answers `Linear` with exec got through). An import elsewhere (`from nnlib import Scaler`)
leaves nnlib.Scaler defined. What stays open is a computed name (`globals()[k] = exec`, `setattr(m, k,
...)`) or a module swapped (`sys.modules[m] = ns`), which the scan flags (`dynamic_code` where exec is named,
`computed_attribute`, `module_patching`, `runtime_introspection`: docs/FLAGS.md).

Files past the parent's parse budget, or that do not parse, define no such name: their classes cannot be
unpickled in the student process (a load warning names the class), never a wider door.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from grader import pyparse

MAX_NAMES = 2_000  # per submission: a module of more definitions than this is no homework
_DEFS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (*_DEFS, ast.Lambda)
_HERE = frozenset(
    {ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.ExceptHandler}
    | {ast.MatchAs, ast.MatchStar, ast.MatchMapping}
)
_ANYWHERE = frozenset({ast.Attribute, ast.Subscript, ast.Call})
_NAMING_CALLS = frozenset({"setattr", "delattr", "setdefault", "__setitem__", "__delitem__", "pop"})


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a module's own scope: its body and every block below it that is no new scope."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, _SCOPES):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(stmt, field, ()) or ():
                if isinstance(child, (ast.ExceptHandler, ast.match_case)):
                    yield from _module_level(child.body)
                elif isinstance(child, ast.stmt):
                    yield from _module_level([child])


def _bound_here(node: ast.AST) -> Iterator[str]:
    """The names one node binds in its own module (or, `global`, lets a function bind there)."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        yield node.id
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        yield from ((a.asname or a.name).split(".", 1)[0] for a in node.names)
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        yield from node.names
    elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        yield node.name
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest


def _bound_anywhere(node: ast.AST) -> Iterator[str]:
    """The names one node may rebind in any module: an attribute, a constant key, a constant name."""
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
        yield node.attr
    elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
        if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            yield node.slice.value
    elif isinstance(node, ast.Call):
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if called in _NAMING_CALLS:
            texts = (a.value for a in node.args[:2] if isinstance(a, ast.Constant))
            yield from (t for t in texts if isinstance(t, str))
        if called == "update":
            yield from (k.arg for k in node.keywords if k.arg)


def pickle_definitions(files: Mapping[str, bytes]) -> dict[str, list[str]]:
    """For each Python file that parses within the parent's budget (relative path), the module-level names a
    pickle may resolve in it: bound by an undecorated `class`/`def` statement and by nothing else, in any
    file (an attribute, key or name rebound in one file is left out in every file: `import miniflow;
    miniflow.Linear = exec`); an assignment or an import rebinds the name in its own file only."""
    defined: dict[str, set[str]] = {}
    rebound: set[str] = set()
    for rel, _, tree in pyparse.python_trees(files):
        mine = defined.setdefault(rel, set())
        here: set[str] = set()
        for stmt in _module_level(tree.body):
            if isinstance(stmt, _DEFS):
                (here if stmt.decorator_list else mine).add(stmt.name)
        for node in pyparse.walked(tree):  # a method or a nested def binds no module name (but `global`)
            kind = type(node)  # one type test a node (a walk of ~1,000 nodes a lesson file), most read-only
            if isinstance(node, ast.Name):
                if type(node.ctx) is not ast.Load:
                    here.add(node.id)
            elif kind in _HERE:
                here.update(_bound_here(node))
            elif kind in _ANYWHERE and type(getattr(node, "ctx", None)) is not ast.Load:
                rebound.update(_bound_anywhere(node))
        mine -= here
    if "__class__" in rebound:
        # A class assigned to an object (`import miniflow as me; me.__class__ = Swap`): a module subclass's
        # __getattribute__ answers any name, so no name of any file is taken for its definition
        return {}
    out: dict[str, list[str]] = {}
    budget = MAX_NAMES
    for rel, names in sorted(defined.items()):
        kept = sorted(names - rebound)[: max(budget, 0)]
        budget -= len(kept)
        if kept:
            out[rel] = kept
    return out
