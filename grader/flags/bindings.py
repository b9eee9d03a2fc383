"""Which binding a name's use refers to, scope by scope, as Python resolves it (never run).

A rule that asks "what is this name bound to?" must ask it of the scope the use is in: a parameter `f` of
the book's `numerical_gradient(f, x)` is no binding of the `f` that `with open(file_name, 'rb') as f:` binds
in `load_params`, yet read file-wide it made that `pickle.load(f)` a load of anything (a false
`dynamic_code`). Scopes are the module, each function and lambda, each class body (which the functions
inside it do not see) and each comprehension (which does not see its class body either: review of
s29-realdlfs, `class C: f = open(...); x = [pickle.load(f) for _ in r]` reads the module's `f`). A
comprehension's targets (and an assignment expression in it) count as bindings of the scope around it too,
which can only make a rule more careful. A read in a class body of a name the class binds may be the
module's (before the class binds it, Python reads the global), so both must agree. A name a function
declares `global` is the module's there, bound and read (`def g(): global f; f = io.BytesIO(...)` rebinds
the module's `f`); a name declared `nonlocal` anywhere in the file resolves to no scope (unknown).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True, eq=False)
class Scope:
    """One scope of a file, compared by identity: the module, a function or lambda, or a class body."""

    parent: Scope | None
    is_class: bool = False
    is_comprehension: bool = False
    # a class with bases or keywords may have a metaclass whose __prepare__ fills its namespace before the
    # body runs: a read in that body may be of a name no line of the file binds (review of s29-realdlfs)
    prepared: bool = False

    def owner(self) -> Scope:
        """The nearest scope that is no comprehension: where an assignment expression in one binds."""
        scope = self
        while scope.is_comprehension and scope.parent is not None:
            scope = scope.parent
        return scope


@dataclass(frozen=True)
class Bindings:
    """Every node's scope, and the nodes that bind each name in each scope."""

    module: Scope
    scope_of: dict[int, Scope]  # id(node) -> the scope the node is evaluated in
    binders: dict[tuple[Scope, str], list[ast.AST]]  # (scope, name) -> the nodes binding the name there
    globals_in: frozenset[tuple[Scope, str]]  # (scope, name) declared global there
    nonlocal_names: frozenset[str]  # names declared nonlocal somewhere in the file
    statement_of: dict[int, ast.AST]  # id(a Name an `x = ...` or a `for x in ...` binds) -> that statement

    @classmethod
    def of(cls, tree: ast.AST) -> Bindings:
        module = Scope(None)
        scope_of: dict[int, Scope] = {}
        found: list[tuple[Scope, str, ast.AST]] = []
        globals_in: set[tuple[Scope, str]] = set()
        nonlocal_names: set[str] = set()
        statement_of: dict[int, ast.AST] = {}
        stack: list[tuple[ast.AST, Scope]] = [(tree, module)]
        while stack:  # iterative: a deep tree must not exhaust the parent's recursion limit
            node, scope = stack.pop()
            scope_of[id(node)] = scope
            for name, binder in _binds(node):
                found += [(scope, name, binder)] + ([(scope.owner(), name, binder)] * scope.is_comprehension)
            if isinstance(node, ast.Global):
                globals_in.update((scope, name) for name in node.names)
            elif isinstance(node, ast.Nonlocal):
                nonlocal_names.update(node.names)
            elif isinstance(node, ast.Assign | ast.For | ast.AsyncFor):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                statement_of.update((id(t), node) for t in targets if isinstance(t, ast.Name))
            stack.extend(_children(node, scope))
        binders: dict[tuple[Scope, str], list[ast.AST]] = defaultdict(list)
        for scope, name, binder in found:  # declarations read first: one may follow its binding in the walk
            binders[(module if (scope, name) in globals_in else scope, name)].append(binder)
        return cls(
            module, scope_of, dict(binders), frozenset(globals_in), frozenset(nonlocal_names), statement_of
        )

    def resolved(self, node: ast.Name) -> Scope | None:
        """The scope whose binding `node` reads: its own, then the enclosing functions' (never a class
        body's), then the module's; None for a builtin, an unbound name, or one declared global or
        nonlocal, or read in the body of a class whose metaclass may have filled its namespace."""
        if node.id in self.nonlocal_names:
            return None
        scope: Scope | None = self.scope_of.get(id(node))
        if scope is not None and scope.prepared and (scope, node.id) not in self.globals_in:
            return None
        first = True
        while scope is not None:
            if (scope, node.id) in self.globals_in:
                scope = self.module
            if (first or not scope.is_class) and (scope, node.id) in self.binders:
                return scope
            scope, first = scope.parent, False
        return None

    def reaching(self, node: ast.Name) -> list[ast.AST] | None:
        """Every binding the name `node` may read (None when that cannot be known: a builtin, an unbound
        name, a nonlocal one). A class body's read may be the module's too: `f = io.BytesIO(...)`, then
        `class C: x = pickle.load(f); f = open(...)` reads the module's `f` (review of s29-realdlfs)."""
        scope = self.resolved(node)
        if scope is None:
            return None
        scopes = [scope] + [self.module] * (scope.is_class and (self.module, node.id) in self.binders)
        return [b for s in scopes for b in self.binders[(s, node.id)]]

    def bound_only_by(self, node: ast.Name, binders: set[int]) -> bool:
        """Whether every binding of the name `node` reads is one of `binders` (ids of binding nodes)."""
        reaching = self.reaching(node)
        return reaching is not None and all(id(b) in binders for b in reaching)


def _binds(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """The names `node` binds in the scope it is evaluated in, each with the node that binds it."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
        return [(node.id, node)]
    if isinstance(node, ast.arg):  # a parameter, visited in its function's scope
        return [(node.arg, node)]
    if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        return [(node.name, node)]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [((a.asname or a.name).split(".")[0], node) for a in node.names]
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name is not None:
        return [(node.name, node)]
    if isinstance(node, ast.MatchMapping) and node.rest is not None:
        return [(node.rest, node)]
    return []


def _children(node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
    """`node`'s children, each with the scope it is evaluated in: a function's parameters and body in a new
    scope, its decorators, defaults and annotations in the enclosing one; a class body in a class scope."""
    if isinstance(node, (*_FUNCTIONS, ast.Lambda)):
        inner = Scope(scope)
        args = node.args
        outside: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        outside += [p.annotation for p in params if p.annotation is not None]
        body: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
        if isinstance(node, _FUNCTIONS):
            outside += [*node.decorator_list, *([node.returns] if node.returns is not None else [])]
        return [(n, scope) for n in outside] + [(p, inner) for p in params] + [(n, inner) for n in body]
    if isinstance(node, ast.ClassDef):
        inner = Scope(scope, is_class=True, prepared=bool(node.bases or node.keywords))
        outside = [*node.bases, *node.keywords, *node.decorator_list]
        return [(n, scope) for n in outside] + [(n, inner) for n in node.body]
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        inner = Scope(scope, is_comprehension=True)
        first, *rest = node.generators
        parts: list[ast.AST] = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        parts += [first.target, *first.ifs]
        for later in rest:
            parts += [later.target, later.iter, *later.ifs]
        outer: list[tuple[ast.AST, Scope]] = [(first.iter, scope)]  # the first iterable is read outside
        return outer + [(n, inner) for n in parts]
    if isinstance(node, ast.arg):
        return []  # its annotation was given the enclosing scope with the function's defaults
    return [(child, scope) for child in ast.iter_child_nodes(node)]
