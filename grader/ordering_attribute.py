"""DeZero's ordering attribute (step 16) recognised by its role, whatever the student named it.

The book calls it `generation`; students write `priority`, `gen`, `depth`, `level`, `rank`. Its role is
what says step 16: `set_creator` sets it from the creator's (`self.depth = func.depth + 1`), and backward
orders the functions by it (`funcs.sort(key=lambda f: f.depth)`, `heapq.heappush(funcs, (-f.depth, f))`,
or a `__lt__` comparing it). A name alone cannot say so: a bare `gen` is as often a random generator, and a
step-17 file naming it `depth` was inferred step14, its generation cases never run (and, when asked for,
"Variable x has no attribute generation" where its `depth` was right). Read from the parsed source in the
parent (grader/stage_scan.py, for the stage) and sent to the student's process as the parent's reading
(grader/pipeline.py, for the adapter's generation cases): never from the student's process.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping

from grader import pyparse
from grader.inside.aliases import GENERATION_NAMES

MAX_NAMES = 4  # one is the rule; a file sorting by two such attributes is read for its first few
_COMPARISONS = frozenset({"__lt__", "__gt__", "__le__", "__ge__"})
_QUEUE_CALLS = frozenset({"heappush", "heappushpop", "heapreplace", "insort", "insort_left", "insort_right"})


def ordering_attributes(trees: Iterable[ast.Module]) -> list[str]:
    """The attributes, in source order, that some method sets to another object's same attribute plus one
    and that backward orders functions by (a sort's key, a heap's entry, a comparison method): both roles,
    in the same submission. At most MAX_NAMES."""
    set_from_creator: dict[str, None] = {}
    ordered_by: set[str] = set()
    for tree in trees:
        nodes = pyparse.walked(tree)
        set_from_creator.update((a, None) for a in _set_from_creator(nodes))
        ordered_by.update(_ordered_by(nodes))
    return [a for a in set_from_creator if a in ordered_by][:MAX_NAMES]


def ordering_attributes_of(files: Mapping[str, bytes]) -> list[str]:
    """`ordering_attributes` of every Python file of the submission that parses, other than the book's
    names the adapter reads anyway (the job's `ordering`)."""
    found = ordering_attributes(tree for _, _, tree in pyparse.python_trees(files))
    return [a for a in found if a not in GENERATION_NAMES]


def _set_from_creator(nodes: Iterable[ast.AST]) -> Iterable[str]:
    """`self.A = other.A + 1` (or `1 + other.A`): set_creator's line, the creator's A plus one."""
    for node in nodes:
        if type(node) is not ast.Assign or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if not (_attribute_of_name(target) and type(value) is ast.BinOp and type(value.op) is ast.Add):
            continue
        for side, other in ((value.left, value.right), (value.right, value.left)):
            if (
                _attribute_of_name(side)
                and side.attr == target.attr  # type: ignore[attr-defined]
                and side.value.id != target.value.id  # type: ignore[attr-defined]
                and type(other) is ast.Constant
                and other.value == 1
            ):
                yield target.attr  # type: ignore[attr-defined]


def _ordered_by(nodes: Iterable[ast.AST]) -> Iterable[str]:
    """Attributes read in a call's `key=` (sort, sorted, max ...), in an entry pushed on a heap or a sorted
    list, or in a comparison method (`__lt__`, what heapq orders Function objects by)."""
    for node in nodes:
        if type(node) is ast.Call:
            parts: list[ast.AST] = [k.value for k in node.keywords if k.arg == "key"]
            if _called(node.func) in _QUEUE_CALLS:
                parts += node.args[1:]
            for part in parts:
                yield from (n.attr for n in ast.walk(part) if type(n) is ast.Attribute)
        elif type(node) is ast.FunctionDef and node.name in _COMPARISONS:
            yield from (n.attr for n in ast.walk(node) if type(n) is ast.Attribute)


def _attribute_of_name(node: ast.AST) -> bool:
    return type(node) is ast.Attribute and type(node.value) is ast.Name


def _called(func: ast.expr) -> str | None:
    if type(func) is ast.Name:
        return func.id
    return func.attr if type(func) is ast.Attribute else None
