"""The names a pickle may resolve in a handed-in module, read by the parent from the source: the classes and
functions a `class` / `def` statement defines at module level and nothing else binds.

The student process's audit hook lets a pickle resolve a name of the submission's own modules only if it is
one of these (grader/inside/audit.py). It sees names, not objects: with every attribute of an own module let
through, `_run = exec` in a handed-in file and a pickle naming `miniflow._run` ran exec (sample
submissions/hostile/own_attribute_exec_pickle.py, 43 / 43 in both modes). A name is left out whenever the
source may bind it some other way, so the object a pickle finds under it is the one the statement made.

In its own module's scope (a function's or a class's own names are not the module's): an assignment,
augmented or annotated (`_run = exec`), an import (`from os import system as Linear`), a `for`/`with`/
`except`/walrus/`match` target, `del`; a `global` declaration anywhere (a function may rebind it); a
decorator (`@lambda f: exec` makes the name exec), except `dataclass` and `functools.total_ordering` imported
from the standard library and bound nowhere else, which return the class they are given.

In any file, rebinding decided the other way round (a deny-list of calls missed `operator.setitem(globals(),
"_runner", exec)`, `object.__setattr__(...)`, `globals().update({...})`: review of s23-walls): the name's text
as a string or bytes constant anywhere (docstrings and `__all__` aside), as a keyword name of any call
(`update(Linear=...)`, `dict(Linear=...)`), or as an attribute stored or deleted (`miniflow.Linear = exec`).
An import elsewhere (`from nnlib import Scaler`) leaves nnlib.Scaler defined. Any `__class__` stored or named
leaves out every name (a module's class swapped for one whose `__getattribute__` answers `Linear` with exec).

A class is left out unless it is plain when called: no keyword in its statement (`metaclass=`: a metaclass
whose `__call__` is exec), no dunder its body binds but by `def` (`__init__ = staticmethod(exec)`), and no
dunder of calling or unpickling named anywhere as above (`_runner.__init__ = staticmethod(exec)`,
`setattr(C, "__reduce__", ...)`: the parent cannot tell which class, so every class is left out). What no
reading of names contains: a class or def whose own code calls exec (`def
_runner(t, ns): return exec(t, ns)`, flagged `dynamic_code`: the same power as exec in plain code), a base
class doing so, a name rebound by a computed name (`globals()[k] = exec`) or a module swapped (`sys.modules[m]
= ns`), which the scan flags (`dynamic_code` where exec is named, `computed_attribute`, `module_patching`,
`runtime_introspection`: docs/FLAGS.md).

If any file the import system can load is not read (a .py past the parent's parse budget or that does not
parse, a .pyc, an extension module), no name of any file is defined: that file may rebind any of them, and
its classes cannot be told apart. Never a wider door.
"""

from __future__ import annotations

import ast
import importlib.machinery
from collections.abc import Iterator, Mapping
from typing import Any

from grader import pyparse

MAX_NAMES = 2_000  # per submission: a module of more definitions than this is no homework
_DEFS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Files the import system loads as code (this interpreter's suffixes: .py, .pyc, extension modules)
CODE_SUFFIXES = (*importlib.machinery.all_suffixes(), ".pyw")
# Dunders whose object decides what calling a class or unpickling its instance runs
_CALL_DUNDERS = frozenset(
    {"__init__", "__new__", "__call__", "__setstate__", "__reduce__", "__reduce_ex__", "__getnewargs__"}
    | {"__getnewargs_ex__", "__init_subclass__", "__class_getitem__", "__setattr__", "__getattr__"}
    | {"__getattribute__", "__set_name__", "__prepare__", "__class__", "__bases__", "__hash__", "__eq__"}
)
# Decorators that return the class they are given, as `from <module> import <name>` (or `<module>.<name>`)
_PLAIN_DECORATORS = {"dataclass": "dataclasses", "total_ordering": "functools"}
_DATA_DUNDERS = frozenset({"__slots__", "__doc__", "__match_args__", "__annotations__"})


def _module_scope(tree: ast.Module) -> Iterator[ast.AST]:
    """Every node evaluated in the module's own scope: not a def's, lambda's or class's body, nor a
    comprehension's targets (but its walrus targets, a def's defaults, decorators and annotations, a class's
    bases: evaluated in the module)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _FUNCTIONS):
            args = node.args
            stack += node.decorator_list + args.defaults + [d for d in args.kw_defaults if d is not None]
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            stack += [a.annotation for a in every if a is not None and a.annotation is not None]
            stack += [node.returns] if node.returns is not None else []
        elif isinstance(node, ast.Lambda):
            stack += node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        elif isinstance(node, ast.ClassDef):
            stack += [*node.decorator_list, *node.bases, *node.keywords]
        elif isinstance(node, _COMPREHENSIONS):
            stack += [getattr(node, f) for f in ("elt", "key", "value") if hasattr(node, f)]
            for gen in node.generators:
                stack += [gen.iter, *gen.ifs]
        else:
            stack.extend(ast.iter_child_nodes(node))


def _bound_here(node: ast.AST) -> Iterator[str]:
    """The names one node of the module's own scope binds there."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        yield node.id
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        yield from ((a.asname or a.name).split(".", 1)[0] for a in node.names)
    elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        yield node.name
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest


_DOCUMENTED = frozenset({ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef})
_ASSIGNS = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign})


def _named_anywhere(tree: ast.Module) -> set[str]:
    """Every text of a file that may name a module's attribute: a string or bytes constant (docstrings and
    the strings of an `__all__` list aside: text no code reads as a name), a keyword of a call, an attribute
    stored or deleted, a name declared `global`. Read from the parse's index of node types (the kinds that
    may name one, then the constants), not a pass over every node testing each."""
    nodes, kinds = pyparse.walked(tree), pyparse.kinds(tree)

    def of(*types: type[ast.AST]) -> Iterator[Any]:
        return (nodes[i] for kind in types for i in kinds.get(kind, ()))

    aside: set[int] = set()  # the docstrings' and __all__'s constants
    for node in of(*_DOCUMENTED):
        body = node.body
        if body and type(body[0]) is ast.Expr and type(body[0].value) is ast.Constant:
            aside.add(id(body[0].value))
    for node in of(*_ASSIGNS):
        targets = node.targets if type(node) is ast.Assign else [node.target]
        value = node.value
        if isinstance(value, (ast.List, ast.Tuple)) and all(
            isinstance(t, ast.Name) and t.id == "__all__" for t in targets
        ):
            aside.update(id(e) for e in value.elts)
    named: set[str] = set()
    for node in of(ast.Constant):
        value = node.value
        if isinstance(value, str) and id(node) not in aside:
            named.add(value)
        elif isinstance(value, bytes):
            named.add(value.decode("latin-1"))
    named.update(node.arg for node in of(ast.keyword) if node.arg)
    named.update(node.attr for node in of(ast.Attribute) if type(node.ctx) is not ast.Load)
    for node in of(ast.Global):  # a function may rebind the module's name
        named.update(node.names)
    return named


def _plain_decorator(dec: ast.expr, imported: Mapping[str, str]) -> str:
    """The name of a decorator returning the class it is given (`@dataclass`, `@dataclasses.dataclass(...)`,
    `@functools.total_ordering`) when the file binds its name only by its import from the standard library
    (`imported`), else ""."""
    if isinstance(dec, ast.Call):
        dec = dec.func
    if isinstance(dec, ast.Name) and dec.id in _PLAIN_DECORATORS:
        return dec.id if imported.get(dec.id) == f"{_PLAIN_DECORATORS[dec.id]}.{dec.id}" else ""
    if isinstance(dec, ast.Attribute) and isinstance(dec.value, ast.Name) and dec.attr in _PLAIN_DECORATORS:
        return dec.attr if imported.get(dec.value.id) == _PLAIN_DECORATORS[dec.attr] else ""
    return ""


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _plain_class(stmt: ast.ClassDef, bound: Mapping[str, int]) -> bool:
    """No keyword in the statement (`metaclass=`), and no dunder its body binds but by a `def` (a
    staticmethod or classmethod one included, its decorator's name bound nowhere in the module: `bound`), or
    by data (`__slots__`, `__doc__`, `__match_args__`, `__annotations__`, any dunder = None)."""
    if stmt.keywords:
        return False
    data: set[int] = set()  # the Name nodes a data assignment stores
    for node in _module_scope(ast.Module(body=stmt.body, type_ignores=[])):
        if isinstance(node, _DEFS) and _dunder(node.name):
            wrapped = (d.id if isinstance(d, ast.Name) else "" for d in node.decorator_list)
            if isinstance(node, ast.ClassDef) or not all(
                d in ("staticmethod", "classmethod") and d not in bound for d in wrapped
            ):
                return False
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            none = isinstance(node.value, ast.Constant) and node.value.value is None
            data.update(id(t) for t in targets if isinstance(t, ast.Name) and (none or t.id in _DATA_DUNDERS))
        elif isinstance(node, ast.Name):
            if _dunder(node.id) and type(node.ctx) is not ast.Load and id(node) not in data:
                return False
        elif any(_dunder(n) for n in _bound_here(node)):
            return False  # an import, an except/match name
    return True


def pickle_definitions(files: Mapping[str, bytes]) -> dict[str, list[str]]:
    """For each Python file (relative path), the module-level names a pickle may resolve in it: bound by a
    `class`/`def` statement and by nothing else in its module's scope, never named as text in any file, a
    class plain when called (module docstring); {} when a code file is not read."""
    trees = list(pyparse.python_trees(files))
    read = {rel for rel, _, _ in trees}
    if any(rel.endswith(CODE_SUFFIXES) and rel not in read for rel in files):
        return {}  # a file the student process may import and the parent never read may rebind anything
    # A handed-in dataclasses.py or functools/ (in any folder: a folder may be put on sys.path) may be what
    # `import dataclasses` finds: no decorator of it is plain then
    stems = {part.split(".", 1)[0] for rel in files for part in rel.split("/")}
    shadowed = stems & set(_PLAIN_DECORATORS.values())
    # (file, name) -> the decorators the definition keeps its name through (left out if one is rebound)
    candidates: dict[tuple[str, str], set[str]] = {}
    classes: set[tuple[str, str]] = set()
    named: set[str] = set()
    for rel, _, tree in trees:
        bound: dict[str, int] = {}  # name -> its bindings in the module's own scope
        imported: dict[str, str] = {}
        stmts: list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef] = []
        for node in _module_scope(tree):
            if isinstance(node, _DEFS):
                stmts.append(node)
                bound[node.name] = bound.get(node.name, 0) + 1
                continue
            if isinstance(node, ast.ImportFrom) and not node.level and node.module not in shadowed:
                imported.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
            elif isinstance(node, ast.Import):
                plain = (a for a in node.names if a.asname or "." not in a.name)  # `import a.b` binds a
                imported.update({a.asname or a.name: a.name for a in plain})
            for name in _bound_here(node):
                bound[name] = bound.get(name, 0) + 1
        once = {n: m for n, m in imported.items() if bound.get(n) == 1 and m.split(".", 1)[0] not in shadowed}
        for stmt in stmts:
            through = {_plain_decorator(d, once) for d in stmt.decorator_list}
            if bound[stmt.name] != 1 or "" in through:
                continue
            if isinstance(stmt, ast.ClassDef):
                if not _plain_class(stmt, bound):
                    continue
                classes.add((rel, stmt.name))
            candidates[(rel, stmt.name)] = through
        named.update(_named_anywhere(tree))
    if "__class__" in named:
        # A class assigned to an object (`import miniflow as me; me.__class__ = Swap`): a module subclass's
        # __getattribute__ answers any name, so no name of any file is taken for its definition
        return {}
    no_class = not _CALL_DUNDERS.isdisjoint(named)  # `_runner.__init__ = staticmethod(exec)`, on any object
    defined: dict[str, list[str]] = {}
    for (rel, name), through in sorted(candidates.items()):
        if name not in named and named.isdisjoint(through) and not (no_class and (rel, name) in classes):
            defined.setdefault(rel, []).append(name)
    out: dict[str, list[str]] = {}
    budget = MAX_NAMES
    for rel, names in defined.items():
        kept = names[: max(budget, 0)]
        budget -= len(kept)
        if kept:
            out[rel] = kept
    return out
