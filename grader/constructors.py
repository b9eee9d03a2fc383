"""A note for the student whose op class is built from one list of nodes where the lesson passes each node.

The MiniFlow adapter builds such a class from one list (`Linear([X, W, b])`,
grader/inside/adapters/miniflow.py `_takes_one_list`): its constructor takes at least one and fewer
positional parameters than the op has arguments, at most one of them required, no `*args`, and the class
(or a base of the student's before the root node class in its MRO) defines it. The file is graded on what
it computes, and a correct one scored full marks with no word (sample
submissions/miniflow/linear_one_list.py). But the lesson's
`Linear(X, W, b)` and `MSE(y, a)`, which the course's nn.py and every later quiz call, cannot build that
class: the student should know their constructor is not the course's, and that it was graded anyway. No
staff flag: a renamed signature is a style of the student's own, not a sign of code hidden from the grader,
and the report's warning is read by staff as well.

Which classes the note names is what the adapter did: the ops it reports in the case frames' `packed` (a
plain list of op names the parent validates, grader/sandbox/frames.py; only the lesson's ops count here).
The parsed source (never run) only supplies what the note quotes: each class's constructor, its owner and
line. Without a run (no account), the source alone decides, with the adapter's rule written again on the
file's classes: the same root node class (the alias table's Node, else the last class defining __init__),
the MRO by C3 over the classes the file defines, the same parameter count;
tests/inside/test_adapter_miniflow.py (`test_the_constructors_note_says_what_the_adapter_did`) runs both
readings and the adapter on the same sources (review of s23-realmf: the two rules had disagreed). Only a
class the student's process loaded is read when one of the same name sits in a file it never ran (as
grader/signatures.py).
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
_MAX_PARAM = 40  # characters of one quoted parameter (its default included)


def notes(
    files: Mapping[str, bytes],
    family: str,
    spellings: Mapping[str, tuple[str, ...]],
    loaded: Collection[str] = (),
    packed: Collection[str] | None = None,
) -> tuple[str, ...]:
    """One note naming the op classes of the family built from one list of their nodes (the module's doc).
    `spellings`: the op -> every name grading accepts for it (grader/inside/aliases.py). `packed`: the ops
    the adapter reported building so (the case frames' account, untrusted names: only the lesson's ops
    count); the note names those and only those, quoting their constructors as the source has them. None
    (no run): the source's reading alone, by the adapter's rule."""
    lesson = LESSON.get(family)
    if not lesson:
        return ()
    op_of = {s: op for op in lesson for s in (op, *spellings.get(op, ()))}
    roots = spellings.get("Node", ("Node",))
    classes: dict[str, tuple[str, bytes, ast.ClassDef]] = {}
    for rel, data, tree in pyparse.python_trees(files):
        for n in tree.body:
            if isinstance(n, ast.ClassDef) and (rel in loaded or classes.get(n.name, ("",))[0] not in loaded):
                classes[n.name] = (rel, data, n)
    found: list[tuple[str, str, tuple[str, ...], str]] = []  # (class, its constructor, the lesson's, where)
    named: set[str] = set()
    for name, (_, _, node) in classes.items():
        op = op_of.get(name)
        owner, init = _own_init(node, classes, roots) if op is not None else ("", None)
        if op is None or op in named:
            continue
        if packed is not None:
            if op not in packed:
                continue
        elif init is None or not _one_list(init, len(lesson[op])):
            continue
        named.add(op)
        if init is None:  # reported packed, its constructor out of the source's sight (an imported base)
            found.append((name, "", lesson[op], ""))
            continue
        # a base's constructor is said to be the base's, at its file's line (`class Linear(FromList, Node)`)
        whose = "" if owner == name else f"{_cut(owner)}'s "
        where = place(classes[owner][0], classes[owner][1], init.lineno)
        found.append((name, f"{whose}def __init__({_spelt(init)})", lesson[op], where))
    # an op reported packed whose class the source's reading did not find: named by the lesson's name
    found += [(op, "", lesson[op], "") for op in lesson if packed and op in packed and op not in named]
    return (_note(found[:MAX_NAMED]),) if found else ()


def _own_init(
    cls: ast.ClassDef, classes: Mapping[str, tuple[str, bytes, ast.ClassDef]], roots: Collection[str]
) -> tuple[str, ast.FunctionDef | None]:
    """The __init__ the class or a base of the file's below its root defines (the adapter's `_own_init`):
    the first one in the class's MRO before the root (`_root_index`). None when only the root or a class
    above it has one (Linear(X, W, b) cannot call the inherited Node.__init__(self, inbound_nodes=[]): no
    packing), or when the file's classes give no MRO. With the name of the class that defines it."""
    mro = _mro(cls.name, classes)
    if not mro:
        return "", None
    inits = [_init_of(classes[name][2]) for name in mro]
    root = _root_index(mro, inits, roots)
    return next(((n, init) for n, init in zip(mro[:root], inits[:root], strict=True) if init), ("", None))


def _root_index(mro: list[str], inits: list[ast.FunctionDef | None], roots: Collection[str]) -> int:
    """The adapter's `_root_index` on the file's classes: the class the alias table calls Node (`roots`);
    else the last that defines __init__; else the last. A root read as the last class of the chain took
    Node(GraphObject)'s own __init__ for Linear's (review of s23-realmf, sample no_init_node_base.py)."""
    named = [i for i, name in enumerate(mro) if name in roots]
    if named:
        return named[0]
    with_init = [i for i, init in enumerate(inits) if init is not None]
    return with_init[-1] if with_init else len(mro) - 1


def _mro(name: str, classes: Mapping[str, tuple[str, bytes, ast.ClassDef]]) -> list[str]:
    """The class's MRO over the classes of the file, as Python's C3 linearisation orders them (a base the
    file does not define, `object` among them, left out); [] when it cannot be had (a cycle, too deep, an
    order C3 refuses). `class Linear(FromList, Node)` puts FromList's __init__ before Node's, as Python
    does (sample linear_mixin_list.py)."""
    memo: dict[str, list[str]] = {}
    open_: set[str] = set()

    def linear(n: str, depth: int) -> list[str]:
        if n in memo:
            return memo[n]
        if depth > _MAX_DEPTH or n in open_:  # too deep, or a cycle (`class A(B)`, `class B(A)`)
            raise ValueError(n)
        open_.add(n)
        bases = [b.id for b in classes[n][2].bases if isinstance(b, ast.Name) and b.id in classes]
        if n in bases:
            raise ValueError(n)
        seqs = [list(s) for s in (*(linear(b, depth + 1) for b in bases), bases) if s]
        out = [n]
        while seqs:
            head = next((s[0] for s in seqs if not any(s[0] in t[1:] for t in seqs)), None)
            if head is None:
                raise ValueError(n)
            out.append(head)
            seqs = [t for t in ([x for x in s if x != head] for s in seqs) if t]
        open_.discard(n)
        memo[n] = out
        return out

    try:
        return linear(name, 0)
    except ValueError:
        return []


def _init_of(cls: ast.ClassDef) -> ast.FunctionDef | None:
    inits = [f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"]
    return inits[-1] if inits else None  # the last def wins, as in Python


def _one_list(fn: ast.FunctionDef, count: int) -> bool:
    """The adapter's `_takes_one_list`: at least one and fewer positional parameters after self than the
    op's arguments, at most one of them required, no *args (a decorated __init__ is not read off its
    parameters)."""
    a = fn.args
    if fn.decorator_list or a.vararg is not None or count < 2:
        return False
    positional = [*a.posonlyargs, *a.args][1:]
    required = len(positional) - len(a.defaults)
    # at least one: `def __init__(self)` takes no list either (review of s23-realmf, linear_no_params.py)
    return 0 < len(positional) < count and required <= 1


def _spelt(fn: ast.FunctionDef) -> str:
    """The parameters as the source writes them, defaults and `*` included, annotations left out, each cut
    to `_MAX_PARAM` characters (a parameter name of 100,000 characters filled the capped note: its advice
    was lost)."""
    a = fn.args
    positional = [*a.posonlyargs, *a.args]
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    parts = [_param(p.arg, d) for p, d in zip(positional, defaults, strict=True)]
    if a.vararg is not None or a.kwonlyargs:
        parts.append("*" + (_cut(a.vararg.arg) if a.vararg is not None else ""))
    parts += [_param(p.arg, d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
    if a.kwarg is not None:
        parts.append("**" + _cut(a.kwarg.arg))
    return ", ".join(parts)


def _param(name: str, default: ast.expr | None) -> str:
    return _cut(name if default is None else f"{name}={ast.unparse(default)}")


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_PARAM else text[: _MAX_PARAM - 3] + "..."


def _note(found: list[tuple[str, str, tuple[str, ...], str]]) -> str:
    """One note for every such class: `Linear([X, W, b])` where the lesson writes `Linear(X, W, b)`."""
    names = " and ".join(c for c, _, _, _ in found)
    quoted = [f"{c}: {init}, {where}" for c, init, _, where in found if init]
    theirs = f" ({'; '.join(quoted)})" if quoted else ""
    written = " and ".join(f"{c}([{', '.join(args)}])" for c, _, args, _ in found)
    lessons = " and ".join(f"{c}({', '.join(args)})" for c, _, args, _ in found)
    take, their, are, them = (
        ("take", "their", "are", "them") if len(found) > 1 else ("takes", "its", "is", "it")
    )
    return (
        f"{names} {take} {their} nodes as one list{theirs}, so your code writes {written}; the lesson's "
        f"{are} {lessons}, as the course's nn.py builds {them}. Graded as you wrote {them}, no points lost, "
        "but the course's own scripts cannot build yours: the lesson's __init__ takes one parameter per "
        "node and passes the list to Node.__init__"
    )
