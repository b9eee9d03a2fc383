"""A note for the student on a list (dict, set) written once in a class body and filled through its instances.

`class Node: outbound_nodes = []` with `node.outbound_nodes.append(self)` in `__init__` gives every node
the same list: each node's outbound nodes are every consumer ever built, so the backward passes add
gradients from nodes that never used it, and the lesson's `topological_sort` walks a graph with cycles and
never ends (the student read only "stopped after 10 s"). Python's own pitfall, in any family: the parent
reads the source (never runs it) and names the attribute, where it is written and what to write instead.

An attribute is named when a class body binds it to an empty or literal list, dict or set (or `list()`,
`dict()`, `set()`), some code changes it in place through an object other than the class itself
(`x.attr.append(...)`, `x.attr[k] = v`, `x.attr += [...]`), and nothing ever assigns `x.attr = ...` on an
object (which would give that object a list of its own). A registry changed through the class's own name
(`Node.registry.append(self)`) is shared on purpose and is not named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from grader import pyparse
from grader.flags.source import MAX_SOURCE_BYTES, Unscannable, local_module_names, parse
from grader.numpy_notes import place

MAX_NAMED = 4  # attributes a note names; the rest are counted
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "__setitem__"})
_EMPTY_CALLS = frozenset({"list", "dict", "set"})
_KIND = {ast.List: "list", ast.Dict: "dict", ast.Set: "set"}


@dataclass(frozen=True)
class _ClassLevel:
    cls: str
    attr: str
    kind: str
    line: int


def notes(files: Mapping[str, bytes]) -> tuple[str, ...]:
    """One note naming each class-level container the code fills through instances (none: no note)."""
    found: list[str] = []
    local = local_module_names(files)
    python = ((rel, data) for rel, data in files.items() if rel.endswith(".py"))
    for rel, data, fits in pyparse.within_budget(python):
        if not fits or len(data) > MAX_SOURCE_BYTES or b"class" not in data:
            continue
        try:
            source = parse(rel, data, local)
        except Unscannable:
            continue
        if source is None:
            continue
        found += [_advice(c, place(rel, data, c.line)) for c in shared(source.nodes)]
    if not found:
        return ()
    if len(found) > MAX_NAMED:
        found = [*found[:MAX_NAMED], f"{len(found) - MAX_NAMED} more"]
    return (f"note: {'; '.join(found)}",)


def shared(nodes: tuple[ast.AST, ...]) -> list[_ClassLevel]:
    """The class-level containers of these nodes (one file's) changed in place through instances and never
    assigned on an object."""
    candidates = list(_class_level(nodes))
    if not candidates:
        return []
    classes = {c.cls for c in candidates}
    changed, assigned = _instance_uses(nodes, classes)
    return [c for c in candidates if c.attr in changed and c.attr not in assigned]


def _class_level(nodes: tuple[ast.AST, ...]) -> Iterator[_ClassLevel]:
    for node in nodes:
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            target, value = _binding(stmt)
            kind = _container(value)
            if target is not None and kind is not None and not target.startswith("__"):
                yield _ClassLevel(node.name, target, kind, stmt.lineno)


def _binding(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        return stmt.target.id, stmt.value
    return None, None


def _container(value: ast.expr | None) -> str | None:
    if value is None:
        return None
    kind = _KIND.get(type(value))
    if kind is not None:
        return kind
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in _EMPTY_CALLS
        and not value.args
        and not value.keywords
    ):
        return value.func.id
    return None


def _instance_uses(nodes: tuple[ast.AST, ...], classes: set[str]) -> tuple[set[str], set[str]]:
    """(attributes changed in place through an object that is not one of `classes` by name, attributes
    assigned on any object)."""
    changed: set[str] = set()
    assigned: set[str] = set()
    for node in nodes:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
        ):
            owner = node.func.value  # x.attr in x.attr.append(...)
            if isinstance(owner, ast.Attribute) and not _named_class(owner.value, classes):
                changed.add(owner.attr)
        elif isinstance(node, ast.AugAssign):
            _note_target(node.target, classes, changed, changed)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for each in _flattened(target):
                    _note_target(each, classes, changed, assigned)
    return changed, assigned


def _note_target(target: ast.expr, classes: set[str], changed: set[str], assigned: set[str]) -> None:
    """`x.attr[k] = v` changes x.attr in place; `x.attr = v` binds it (`x.attr += v`: passed as changed)."""
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute):
        if not _named_class(target.value.value, classes):
            changed.add(target.value.attr)
    elif isinstance(target, ast.Attribute) and not _named_class(target.value, classes):
        assigned.add(target.attr)


def _flattened(target: ast.expr) -> Iterator[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _flattened(element)
    elif isinstance(target, ast.Starred):
        yield from _flattened(target.value)
    else:
        yield target


def _named_class(node: ast.expr, classes: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in classes


def _advice(c: _ClassLevel, where: str) -> str:
    empty = {"list": "[]", "dict": "{}", "set": "set()"}[c.kind]
    return (
        f"{c.cls}.{c.attr} is written in the class body ({where}), so it is one {c.kind} shared by every "
        f"{c.cls} object: what one object adds to it, every object sees; give each its own with "
        f"self.{c.attr} = {empty} in {c.cls}.__init__"
    )
