"""A note for the student whose op class is built from one list of nodes where the lesson passes each node.

The MiniFlow adapter builds such a class from one list (`Linear([X, W, b])`,
grader/inside/adapters/miniflow.py `_takes_one_list`): its constructor takes fewer positional parameters
than the op has arguments, at most one of them required, no `*args`, and the class (or a base of the
student's below the root node class) defines it. The file is graded on what it computes, and a correct one
scored full marks with no word (sample submissions/miniflow/linear_one_list.py). But the lesson's
`Linear(X, W, b)` and `MSE(y, a)`, which the course's nn.py and every later quiz call, cannot build that
class: the student should know their constructor is not the course's, and that it was graded anyway. No
staff flag: a renamed signature is a style of the student's own, not a sign of code hidden from the grader,
and the report's warning is read by staff as well.

Read by the parent from the parsed source (never run), with the adapter's rule: the note says what the
grader did, so it must match what the adapter does. Only a class the student's process loaded is read when
one of the same name sits in a file it never ran (as grader/signatures.py).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping

from grader import pyparse
from grader.numpy_notes import place

# family -> the op (its name in the alias table) -> the lesson's constructor parameters after `self`.
LESSON: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "miniflow": {"Linear": ("X", "W", "b"), "MSE": ("y", "a"), "Add": ("x", "y"), "Mul": ("x", "y")},
}
MAX_NAMED = 4  # classes the note names (the family has four ops)
_MAX_DEPTH = 16  # bases followed from a class to its root


def notes(
    files: Mapping[str, bytes],
    family: str,
    spellings: Mapping[str, tuple[str, ...]],
    loaded: Collection[str] = (),
) -> tuple[str, ...]:
    """One note naming the op classes of the family built from one list of their nodes (the module's doc).
    `spellings`: the op -> every name grading accepts for it (grader/inside/aliases.py)."""
    lesson = LESSON.get(family)
    if not lesson:
        return ()
    op_of = {s: op for op in lesson for s in (op, *spellings.get(op, ()))}
    classes: dict[str, tuple[str, bytes, ast.ClassDef]] = {}
    for rel, data, tree in pyparse.python_trees(files):
        for n in tree.body:
            if isinstance(n, ast.ClassDef) and (rel in loaded or classes.get(n.name, ("",))[0] not in loaded):
                classes[n.name] = (rel, data, n)
    found: list[tuple[str, str, tuple[str, ...], str]] = []  # (class, its parameters, the lesson's, where)
    for name, (rel, data, node) in classes.items():
        op = op_of.get(name)
        init = _own_init(node, classes) if op is not None else None
        if op is None or init is None or not _one_list(init, len(lesson[op])):
            continue
        found.append((name, _spelt(init), lesson[op], place(rel, data, init.lineno)))
    return (_note(found[:MAX_NAMED]),) if found else ()


def _own_init(
    cls: ast.ClassDef, classes: Mapping[str, tuple[str, bytes, ast.ClassDef]]
) -> ast.FunctionDef | None:
    """The __init__ the class or a base of the file's below its root defines (the adapter's `_own_init`):
    the class's own, else the first base's up the chain that is not the root. None when only the root has
    one (Linear(X, W, b) cannot call the inherited Node.__init__(self, inbound_nodes=[]): no packing)."""
    chain = _chain(cls, classes)
    for i, c in enumerate(chain):
        init = _init_of(c)
        if init is not None and (i == 0 or i < len(chain) - 1):
            return init
    return None


def _chain(cls: ast.ClassDef, classes: Mapping[str, tuple[str, bytes, ast.ClassDef]]) -> list[ast.ClassDef]:
    """The class and its first bases defined in the submission, up to the root (the last of them)."""
    chain = [cls]
    while len(chain) < _MAX_DEPTH:
        base = chain[-1].bases[0] if chain[-1].bases else None
        if not isinstance(base, ast.Name) or base.id not in classes or base.id == chain[-1].name:
            break
        nxt = classes[base.id][2]
        if any(c is nxt for c in chain):
            break
        chain.append(nxt)
    return chain


def _init_of(cls: ast.ClassDef) -> ast.FunctionDef | None:
    inits = [f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"]
    return inits[-1] if inits else None  # the last def wins, as in Python


def _one_list(fn: ast.FunctionDef, count: int) -> bool:
    """The adapter's `_takes_one_list`: fewer positional parameters after self than the op's arguments, at
    most one of them required, no *args (a decorated __init__ is not read off its parameters)."""
    a = fn.args
    if fn.decorator_list or a.vararg is not None or count < 2:
        return False
    positional = [*a.posonlyargs, *a.args][1:]
    required = len(positional) - len(a.defaults)
    return len(positional) < count and required <= 1


def _spelt(fn: ast.FunctionDef) -> str:
    a = fn.args
    return ", ".join(p.arg for p in (*a.posonlyargs, *a.args))


def _note(found: list[tuple[str, str, tuple[str, ...], str]]) -> str:
    """One note for every such class: `Linear([X, W, b])` where the lesson writes `Linear(X, W, b)`."""
    names = " and ".join(c for c, _, _, _ in found)
    theirs = "; ".join(f"{c}: def __init__({params}), {where}" for c, params, _, where in found)
    written = " and ".join(f"{c}([{', '.join(args)}])" for c, _, args, _ in found)
    lessons = " and ".join(f"{c}({', '.join(args)})" for c, _, args, _ in found)
    take, their, are, them = (
        ("take", "their", "are", "them") if len(found) > 1 else ("takes", "its", "is", "it")
    )
    return (
        f"{names} {take} {their} nodes as one list ({theirs}), so your code writes {written}; the lesson's "
        f"{are} {lessons}, as the course's nn.py builds {them}. Graded as you wrote {them}, no points lost, "
        "but the course's own scripts cannot build yours: the lesson's __init__ takes one parameter per "
        "node and passes the list to Node.__init__"
    )
