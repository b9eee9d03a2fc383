"""Annotations written as strings that are no type: code the scan reads as text, which Python evaluates.

A string annotation is a forward reference (`def f(x: "Node")`): `typing.get_type_hints` evaluates it, and so
does whatever calls it on the file's functions, which no rule of the scan names: `functools.singledispatch`'s
`register` of a function annotated `x: "exec(s) or int"` ran the text with no flag (review of s23-hunt;
typing.get_type_hints itself is flagged where it is called). A type is names, attributes, subscripts,
tuples and lists of them, constants (`Literal[-1]`) and `|`: anything else in a string annotation (a call,
a lambda, an assignment expression, a comprehension) is flagged `dynamic_code`. Annotations written as code
(or under `from __future__ import annotations`, which Python keeps as the text of code the scan reads) are
read by the other rules like any code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from grader.flags.model import Hit

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
)
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
        tree = ast.parse(text.strip(), mode="eval")
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


def hits(node: ast.AST) -> Iterator[Hit]:
    """A flag for each string (alone or inside a type: `List["..."]`) of `node`'s annotation that holds
    code."""
    for annotation in _annotations(node):
        for part in ast.walk(annotation):
            if isinstance(part, ast.Constant) and isinstance(part.value, str) and _runs_code(part.value):
                line = getattr(part, "lineno", getattr(node, "lineno", 0))
                yield Hit(CODE, line, "an annotation written as a string holds code: evaluating it runs that")
                return
