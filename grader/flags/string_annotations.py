"""Annotations written as strings that are no type: code the scan reads as text, which Python evaluates.

A string annotation is a forward reference (`def f(x: "Node")`): `typing.get_type_hints` evaluates it, and so
does whatever calls it on the file's functions, which no rule of the scan names: `functools.singledispatch`'s
`register` of a function annotated `x: "exec(s) or int"` ran the text with no flag (review of s23-hunt;
typing.get_type_hints itself is flagged where it is called). A type is names, attributes, subscripts,
tuples and lists of them, constants (`Literal[-1]`) and `|`: anything else in a string annotation (a call,
a lambda, an assignment expression, a comprehension) is flagged `dynamic_code`. Annotations written as code
(or under `from __future__ import annotations`, which Python keeps as the text of code the scan reads) are
read by the other rules like any code.

Text reaches an annotation other ways too (review of s23-hunt's fix, 3: each 43 / 43 with no flag): a name
bound to a string built at run time (`_GRAPH = _RUN + "(_LAYOUT) or list"; def f(g: _GRAPH)`), a sum of
strings or an f-string written as the annotation (under the grader's lazy annotations its text evaluates to
the string, evaluated in turn), and `__annotations__` written (runtime.py flags every such write). So an
annotation naming a module-level name of the file is judged by what the file binds it to: a type expression
(or a call of typing's factories, `TypeVar("T")`) or a string holding one passes; anything else is flagged.
An annotation written as code holding `+`, `%`, an f-string is flagged.

Honest text that is no type but runs nothing passes (review of s23-hunt's fix, 7): `'float or ndarray'`,
`'int > 0'`, `'tuple[*Ts]'` (and/or, comparisons, a starred name). A call stays flagged, `'ndarray(N, D)'`
included: evaluating it calls whatever the name is bound to, and that is the attack's shape.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from grader.flags.model import Hit
from grader.inside import astparse

if TYPE_CHECKING:
    from grader.flags.source import Source

CODE = "dynamic_code"
# What a type expression is made of: `Optional["np.ndarray"]`, `int | None`, `Literal[-1]`,
# `Callable[[A], B]`
_TYPE_NODES = (
    ast.Expression,
    ast.Name,
    ast.Attribute,
    ast.Subscript,
    ast.Tuple,
    ast.List,
    ast.Constant,
    ast.Slice,
    ast.Load,
    ast.BinOp,
    ast.BitOr,
    ast.UnaryOp,
    ast.USub,
    # honest text that runs nothing (review of s23-hunt's fix, 7): 'float or ndarray', 'int > 0', '*Ts'
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Compare,
    ast.cmpop,
    ast.Starred,
)
# What an alias of a type may be bound to beyond a type expression: typing's factories of type objects
TYPE_FACTORIES = frozenset({"TypeVar", "NewType", "ParamSpec", "TypeVarTuple", "NamedTuple", "TypedDict"})
# A string inside a string annotation is evaluated too (get_type_hints follows nested forward references);
# a bound on the nesting the reader follows, far above what any type needs
_MAX_DEPTH = 4
# Longer text is no type anyone writes: flagged unread (what it holds is not worth the parent's parse)
_MAX_TEXT = 4096


def _runs_code(text: str, depth: int = 0) -> bool:
    """Whether a string annotation's text holds anything but a type expression."""
    if depth > _MAX_DEPTH or len(text) > _MAX_TEXT:
        return True
    try:
        tree = astparse.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # get_type_hints raises on it: nothing runs
    for node in ast.walk(tree):
        if not isinstance(node, _TYPE_NODES):
            return True
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.BitOr):
            return True
        value = node.value if isinstance(node, ast.Constant) else None
        if isinstance(value, str) and _runs_code(value, depth + 1):
            return True
    return False


def _annotations(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.arg | ast.AnnAssign):
        return [node.annotation] if node.annotation is not None else []
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return [node.returns] if node.returns is not None else []
    return []


def _built(annotation: ast.AST) -> bool:
    """An annotation written as code that builds text: a sum or `%` of anything, an f-string."""
    return any(
        isinstance(n, ast.JoinedStr) or (isinstance(n, ast.BinOp) and not isinstance(n.op, ast.BitOr))
        for n in ast.walk(annotation)
    )


def _no_type(value: ast.AST) -> bool:
    """A value an annotation's name is bound to that is neither a type expression, a string holding one,
    nor a call of typing's factories."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str) and _runs_code(value.value)
    if isinstance(value, ast.Lambda):  # a PEP 695 `type X = ...` as grader/pyparse reads it: X = lambda: ...
        return _no_type(value.body)
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return name not in TYPE_FACTORIES
    return _built(value) or any(
        not isinstance(n, _TYPE_NODES)
        or (isinstance(n, ast.Constant) and isinstance(n.value, str) and _runs_code(n.value))
        for n in ast.walk(value)
    )


# The last file's bindings: the rules visit one file's nodes in a row, each annotation asking again
_LAST: list[tuple[Source, dict[str, list[ast.AST]]]] = []


def _module_bindings(src: Source) -> dict[str, list[ast.AST]]:
    """Each module-level name the file assigns -> the values assigned to it."""
    last = _LAST[-1] if _LAST else None  # one read: a scan in another thread may replace it
    if last is not None and last[0] is src:
        return last[1]
    out: dict[str, list[ast.AST]] = {}
    for stmt in src.tree.body:
        targets: list[ast.AST] = []
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign) and stmt.value is not None:
            targets = [stmt.target]
        for target in targets:
            if isinstance(target, ast.Name) and stmt.value is not None:  # type: ignore[attr-defined]
                out.setdefault(target.id, []).append(stmt.value)  # type: ignore[attr-defined]
    _LAST[:] = [(src, out)]
    return out


def hits(node: ast.AST, src: Source | None = None) -> Iterator[Hit]:
    """A flag for each string (alone or inside a type: `List["..."]`) of `node`'s annotation that holds
    code, for an annotation written as code that builds text, and for one naming a module-level name of
    the file bound to anything but a type (`src`: the file, for its bindings)."""
    for annotation in _annotations(node):
        line = getattr(annotation, "lineno", getattr(node, "lineno", 0))
        if _built(annotation):
            yield Hit(
                CODE, line, "an annotation builds text: evaluating the annotation runs that text as code"
            )
            return
        for part in ast.walk(annotation):
            if isinstance(part, ast.Constant) and isinstance(part.value, str) and _runs_code(part.value):
                line = getattr(part, "lineno", getattr(node, "lineno", 0))
                yield Hit(CODE, line, "an annotation written as a string holds code: evaluating it runs that")
                return
        names = [n.id for n in ast.walk(annotation) if isinstance(n, ast.Name)]
        if src is None or not names:
            continue
        bindings = _module_bindings(src)
        for name in names:
            if any(_no_type(v) for v in bindings.get(name, ())):
                yield Hit(
                    CODE,
                    line,
                    f"an annotation names {name}, bound to no type (text built at run time?): evaluating the "
                    "annotation runs that text as code",
                )
                return
