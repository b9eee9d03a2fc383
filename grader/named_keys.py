"""Where a MiniFlow submission keys its gradients by a node's name (`self.gradients[n.name]`), not the node.

The lesson keys every gradients dict by the node itself (FACTS.md section 1). A submission keying them by
`n.name` throughout is self-consistent but errors in every gradient case (session 29's policy: 0 for those
records); the cases say "keyed gradients by a str (a name for the node)" at the first gradient read, and a
unit case quotes the one line its KeyError met. This reader, in the parent from the parsed source (never run),
lists every line that keys them so, so that the report says where all of them are: the judge adds it as a
warning when a case was told so (grader/judge/named_keys.py).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TypeGuard

from grader import miniflow_source, pyparse
from grader.numpy_notes import place

FAMILIES = ("miniflow",)
_GRADIENTS = miniflow_source.GRADIENTS
# the attributes students name a node by (`self.name = 'Linear_1'`); `value` or a shape is no name
NAME_ATTRS = frozenset({"name", "label", "id", "key", "title", "node_name"})
MAX_FOUND = 24  # a whole lesson file keys them in about fifteen places; the first ones say where


@dataclass(frozen=True)
class NamedKey:
    where: str  # "miniflow.py line 109" (a notebook's cell and line)
    key: str  # the key as written, `self.name`
    node: str  # what the lesson keys by there, `self`


def named_keys(files: Mapping[str, bytes], loaded: Collection[str] = ()) -> tuple[NamedKey, ...]:
    """Each gradients subscript `X.gradients[Y.name]` and each dict made for a gradients attribute keyed
    `{n.name: ...}`, in file and line order, at most MAX_FOUND. `loaded`: the files the student's process
    loaded, read first (scratch copies sorted before the graded file took every place shown)."""
    found: list[NamedKey] = []
    for rel, data, keys in miniflow_source.readings(files, _keys_in, loaded):
        # placed for the first MAX_FOUND only: `place` reads the whole file, and a 1 MiB file keys by a
        # name on ~36,000 lines (placing each took the parent 80 s of CPU: tests/test_named_keys.py counts)
        for line, key, node in keys[: MAX_FOUND - len(found)]:
            found.append(NamedKey(place(rel, data, line), key, node))
        if len(found) >= MAX_FOUND:
            break
    return tuple(found)


def _keys_in(data: bytes, tree: ast.Module) -> tuple[tuple[int, str, str], ...]:
    """(line, key as written, what the lesson keys by there) of the file's first MAX_FOUND named keys in line
    order, read from the Subscript and Assign nodes of the walk the static scan keeps on the tree."""
    nodes, at = pyparse.walked(tree), pyparse.kinds(tree)
    picked = sorted((*at.get(ast.Subscript, ()), *at.get(ast.Assign, ())))  # in the walk's order
    keys = [key for i in picked for key in _named_keys(nodes[i])]
    keys.sort(key=lambda k: (k.lineno, k.col_offset))  # stable: a line's keys in the walk's order
    return tuple((k.lineno, ast.unparse(k), ast.unparse(k.value)) for k in keys[:MAX_FOUND])


def _named_keys(node: ast.AST) -> list[ast.Attribute]:
    if isinstance(node, ast.Subscript) and _gradients(node.value) and _named(node.slice):
        return [node.slice]
    if isinstance(node, ast.Assign) and any(_gradients(t) for t in node.targets):
        value = node.value
        if isinstance(value, ast.DictComp) and _named(value.key):
            return [value.key]
        if isinstance(value, ast.Dict):
            return [k for k in value.keys if _named(k)]
    return []


def _gradients(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in _GRADIENTS


def _named(node: ast.expr | None) -> TypeGuard[ast.Attribute]:
    return isinstance(node, ast.Attribute) and node.attr in NAME_ATTRS


_FORMS_SHOWN = 3


def warning(found: tuple[NamedKey, ...]) -> str:
    """The report's warning: the lines found, per file, and the first forms of the key with what to write."""
    files: dict[str, list[str]] = {}
    for k in found:
        name, _, line = k.where.rpartition(" line ")
        if line not in files.setdefault(name, []):
            files[name].append(line)
    where = "; ".join(
        f"{name} line{'s' if len(lines) > 1 else ''} {', '.join(lines)}" for name, lines in files.items()
    )
    forms = list(dict.fromkeys((k.key, k.node) for k in found))
    said = ", ".join(f"`{node}` for `{key}`" for key, node in forms[:_FORMS_SHOWN])
    more = ", ..." if len(forms) > _FORMS_SHOWN else ""
    return (
        f"your gradients are keyed by a node's name, not the node ({where}): write the node itself there "
        f"({said}{more}), as the lesson keys every gradients dict (self.gradients[n] for each inbound node "
        "n, n.gradients[self] read from each consumer, t.gradients[t] in sgd_update)"
    )
