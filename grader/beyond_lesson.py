"""Node classes a student added beyond the course's, named on `grader check`'s stage line as not graded.

The many from-scratch "miniflow" repos extend the lesson's nodes with Tanh, ReLU, Softmax, CrossEntropy or a
Conv node. No MiniFlow case builds them, and `grader check` said "all visible cases pass" with nothing about
them, so a student could read their Tanh.backward as checked (s29-realmf). The stage line now names them as
not graded, as it names DeZero's later steps (grader/later_steps.py). Read from the parsed source of the
graded files in the parent, never from what the code does: a class whose bases lead, in the file's own
classes, to the family's base node class (Node, or its course renamings) and whose name no spelling of a
graded name takes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping

from grader import pyparse
from grader.inside import aliases

# family -> its base node class's alias (aliases.BY_FAMILY's key): subclasses of it are the family's nodes
BASE_OF = {"miniflow": "Node"}
_SHOWN = 4


def _base_names(node: ast.ClassDef) -> list[str]:
    """`class Tanh(Node)` and `class Tanh(miniflow.Node)` name Node; anything else names nothing."""
    return [
        b.id if isinstance(b, ast.Name) else b.attr
        for b in node.bases
        if isinstance(b, ast.Name | ast.Attribute)
    ]


def extra_nodes(family: str, files: Mapping[str, bytes], graded: Iterable[str]) -> list[str]:
    """The node classes of the graded files that no graded name is spelt as, in the order defined."""
    base = BASE_OF.get(family)
    if base is None:
        return []
    table = aliases.BY_FAMILY[family][0]
    known = {spelling for spellings in table.values() for spelling in spellings}
    kept = set(graded)
    bases: dict[str, list[str]] = {}
    for _, _, tree in pyparse.python_trees({p: d for p, d in files.items() if p in kept}):
        bases.update((n.name, _base_names(n)) for n in tree.body if isinstance(n, ast.ClassDef))
    return [name for name in _subclasses(bases, table[base]) if name not in known]


def _subclasses(bases: Mapping[str, list[str]], roots: Iterable[str]) -> list[str]:
    """The classes of `bases` (name -> its bases' names) that lead to one of `roots`, in the order defined: a
    class of a node class is a node (ReLU(Activation), Activation(Node)). One walk from the roots down, each
    class met once: a level at a time over every class was quadratic in a chain's length (a file of 8000
    chained classes held the parent 12 s, s29-fixrealmf)."""
    children: dict[str, list[str]] = {}
    for name, of in bases.items():
        for parent in of:
            children.setdefault(parent, []).append(name)
    found = {root for root in roots if root in bases}
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return [name for name in bases if name in found]


def note(extra: list[str]) -> str:
    """What the stage line adds for the node classes `extra_nodes` found ("" for none)."""
    if not extra:
        return ""
    more = f" and {len(extra) - _SHOWN} more" if len(extra) > _SHOWN else ""
    return (
        f"; your code also defines {', '.join(extra[:_SHOWN])}{more}, node classes beyond the lesson's: not "
        "graded (no case here builds them, so a mistake in them goes unreported)"
    )
