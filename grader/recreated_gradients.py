"""MiniFlow backward methods that re-create their gradients dict inside the loop over their outbound nodes.

    for n in self.outbound_nodes:
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        self.gradients[self.inbound_nodes[0]] += ...

adds into a fresh dict for each outbound node, so only the last node's contribution survives. Its values are
exactly those of `=` in place of `+=` (reference/mutations.py `overwrite_in_<class>`), and the judge's hint
said "Sigmoid.backward assigns (=) the gradient from each outbound node instead of adding it (+=)" to a
student whose every line adds (s30-realmf). Read by the parent from the parsed source (never run); the judge
puts the mistake the code shows in that hint's place (grader/judge/recreated.py).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from grader import miniflow_source, pyparse
from grader.numpy_notes import place

FAMILIES = ("miniflow",)
_GRADIENTS = miniflow_source.GRADIENTS
_OUTBOUND = miniflow_source.OUTBOUND
LESSON = miniflow_source.LESSON
_LOOPS = (ast.For, ast.AsyncFor)
MAX_FOUND = 8  # one per class that loops over its consumers: the lesson has three


@dataclass(frozen=True)
class Recreated:
    cls: str  # the lesson's name of the class (Sigmoid), as the known mistakes name it
    spelt: str  # the student's own name of it (Sigmoid, Placeholder for Input)
    where: str  # "miniflow.py line 131" (a notebook's cell and line)
    statement: str  # the assignment as written, `self.gradients = {...}`
    loop: str  # the loop's attribute, `outbound_nodes`
    whole: bool = True  # the whole dict made again; False: one entry set again, then added to (+=)
    assigned: bool = False  # an entry given each node's gradient with `=` (not a zero), never added to
    # (where, statement) of the loop's later `=` of a gradient, when `assigned`: Linear's `=` for X, W and b
    # each lose their own gradient, and a hint for dW quoted X's line alone (s31)
    also: tuple[tuple[str, str], ...] = ()


def recreated(files: Mapping[str, bytes], loaded: Collection[str] = ()) -> tuple[Recreated, ...]:
    """Each class's backward that assigns its whole gradients dict inside its loop over outbound nodes.
    `loaded`: the files the student's process loaded; a class one of them defines wins over one of the same
    name in a file it never ran (a scratch copy's re-created dict was told of the graded file's `=`), as
    signatures.problems reads them."""
    # the last class of a name is the one the module keeps (a notebook's starter cell, then the solution)
    classes: dict[str, tuple[str, bytes, _Found | None]] = {}
    for rel, data, kept in miniflow_source.readings(files, _classes_in):
        for name, reset in kept:
            if rel in loaded or classes.get(name, ("",))[0] not in loaded:
                classes[name] = (rel, data, reset)
    found: list[Recreated] = []
    for name, (rel, data, reset) in classes.items():
        if reset is not None:
            line, statement, attr, whole, assigned, later = reset
            also = tuple((place(rel, data, n), text) for n, text in later)
            found.append(
                Recreated(LESSON[name], name, place(rel, data, line), statement, attr, whole, assigned, also)
            )
        if len(found) >= MAX_FOUND:
            break
    return tuple(found)


# (line, the assignment as written and shortened, the loop's attribute, whether the whole dict is assigned,
# whether an entry is given a gradient with `=`, (line, statement) of the loop's later such `=`)
_Found = tuple[int, str, str, bool, bool, tuple[tuple[int, str], ...]]
MAX_ALSO = 4  # the lesson's Linear sets three entries


def _classes_in(data: bytes, tree: ast.Module) -> tuple[tuple[str, _Found | None], ...]:
    """(name, its backward's first re-created dict or None) of each top-level class of a lesson class's
    spelling, in the file's order."""
    kept: list[tuple[str, _Found | None]] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in LESSON:
            losses = list(itertools.islice(_in_backward(node), MAX_ALSO + 1))
            kept.append((node.name, _found(data, losses) if losses else None))
    return tuple(kept)


def _found(data: bytes, losses: Sequence[tuple[ast.For | ast.AsyncFor, ast.Assign]]) -> _Found:
    text = data.decode("utf-8", "replace")
    loop, assign = losses[0]
    whole = _whole_dict(assign)
    assigned = not whole and not _zero(assign.value)
    later = tuple(
        (a.lineno, _short(ast.get_source_segment(text, a) or ""))
        for _, a in losses[1:]
        if assigned and not _zero(a.value) and not _whole_dict(a)
    )
    statement = _short(ast.get_source_segment(text, assign) or "")
    return assign.lineno, statement, _self_attr(_iterated(loop.iter)), whole, assigned, later


def _in_backward(cls: ast.ClassDef) -> Iterator[tuple[ast.For | ast.AsyncFor, ast.Assign]]:
    """(the loop, the assignment) for each statement of a loop of `backward` (its last def in the class, the
    one the class keeps) over `self.outbound_nodes` (the loop's own body and its `if` blocks, not a nested
    function's) that loses the nodes before the last: `self.gradients = ...`, an entry set to zero there that
    the loop then adds to (`self.gradients[k] += ...`), and an entry given a gradient with `=`. A zero under
    a key the loop never adds to loses nothing: `self.gradients[n] = np.zeros_like(n.value)` keyed by the
    outbound node was quoted for the `self.gradients[X] = np.dot(...)` below it, which lost X's gradients."""
    kept = [
        m for m in cls.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef) and m.name == "backward"
    ]
    for method in kept[-1:]:
        if not isinstance(method, ast.FunctionDef):
            continue
        nodes = pyparse.walk(method)  # one walk read twice: the names bound, then the loops
        named = _inbound_names(nodes)
        for loop in nodes:
            if isinstance(loop, _LOOPS) and _self_attr(_iterated(loop.iter)) in _OUTBOUND:
                body = list(_statements(loop.body))
                added = _added(body, named)
                for assign in body:
                    if isinstance(assign, ast.Assign) and _loses(assign, added, named):
                        yield loop, assign


# `for i, n in enumerate(self.outbound_nodes)`: the list the loop walks is the call's argument
_WRAPPERS = frozenset({"enumerate", "list", "tuple", "reversed", "iter", "sorted"})


def _iterated(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _WRAPPERS:
        return node.args[0] if node.args else node
    return node


def _added(body: Sequence[ast.stmt], named: Mapping[str, str]) -> set[str]:
    """The keys of the entries the loop adds to: `self.gradients[X] += ...`, and `self.gradients[X] =
    self.gradients[X] + ...` (its zero above was missed, and the hint said "assigns (=)", s31)."""
    added: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.AugAssign) and _entry(stmt.target):
            added.add(_key(stmt.target, named))
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                key = _key(target, named)
                if _entry(target) and _reads_back(stmt.value, key, named):
                    added.add(key)
    return added


def _loses(assign: ast.Assign, added: set[str], named: Mapping[str, str]) -> bool:
    """The whole dict assigned; an entry set to zero (np.zeros_like(...), 0) that the loop adds (+=) to; an
    entry given a value that does not read it back (`self.gradients[W] = np.dot(...)`, not
    `self.gradients[W] = self.gradients[W] + ...`)."""
    for t in assign.targets:
        if _self_attr(t) in _GRADIENTS:
            return True
        if not _entry(t):
            continue
        key = _key(t, named)
        if _zero(assign.value):
            if key in added:
                return True
        elif not _reads_back(assign.value, key, named):
            return True
    return False


def _whole_dict(assign: ast.Assign) -> bool:
    """`self.gradients = ...`: the whole dict assigned."""
    return any(_self_attr(t) in _GRADIENTS for t in assign.targets)


def _reads_back(value: ast.AST, key: str, named: Mapping[str, str]) -> bool:
    """Somewhere in `value`, the entry under `key` read back (`_reads`)."""
    return any(_reads(n, key, named) for n in ast.walk(value))


def _reads(node: ast.AST, key: str, named: Mapping[str, str]) -> bool:
    """`node` reads the entry under `key` back: `self.gradients[X]`, `self.gradients.get(X, 0)` (an `=` that
    adds to it loses nothing, and was quoted as the `=` that did, s31)."""
    if _entry(node):
        return _key(node, named) == key
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and _self_attr(node.func.value) in _GRADIENTS
        and bool(node.args)
        and _key(node.args[0], named) == key
    )


def _entry(target: ast.AST) -> bool:
    return isinstance(target, ast.Subscript) and _self_attr(target.value) in _GRADIENTS


def _inbound_names(nodes: Iterable[ast.AST]) -> dict[str, str]:
    """Names the method binds to its inbound nodes, to the key they stand for: `X, W, b =
    self.inbound_nodes` (X: `self.inbound_nodes[0]`), `x = self.inbound_nodes[0]`. `nodes`: the method's,
    in `ast.walk`'s order (a later binding of a name wins)."""
    named: dict[str, str] = {}
    for node in nodes:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if isinstance(target, ast.Name):
            named[target.id] = ast.dump(value)
        elif isinstance(target, ast.Tuple | ast.List) and _self_attr(value):
            for i, item in enumerate(target.elts):
                if isinstance(item, ast.Name):
                    index = ast.Subscript(value=value, slice=ast.Constant(i), ctx=ast.Load())
                    named[item.id] = ast.dump(index)
    return named


def _key(entry: ast.AST, named: Mapping[str, str]) -> str:
    """The entry's key as one text for every spelling of it in the method (`X` for
    `self.inbound_nodes[0]`)."""
    key = entry.slice if isinstance(entry, ast.Subscript) else entry
    if isinstance(key, ast.Name) and key.id in named:
        return named[key.id]
    return ast.dump(key)


_ZEROS = frozenset({"zeros_like", "zeros"})


def _zero(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant):
        return value.value == 0 and not isinstance(value.value, bool)
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in _ZEROS
    return False


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a loop's body, those of its `if`, `with` and `try` blocks too, but not under an `if`
    that reads the dict (`if not self.gradients:` makes it once, not per node: gradients_set_up_once.py)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If) and _reads_gradients(stmt.test):
            continue
        if isinstance(stmt, ast.If | ast.With | ast.Try):
            for block in ("body", "orelse", "finalbody"):
                yield from _statements(getattr(stmt, block, []))


def _reads_gradients(test: ast.expr) -> bool:
    return any(_self_attr(n) in _GRADIENTS for n in ast.walk(test))


def _self_attr(node: ast.AST) -> str:
    """`gradients` for `self.gradients` (the method's first parameter spelt self), else ""."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return ""


_SHOWN = 60


def _short(statement: str) -> str:
    line = " ".join(statement.split())
    return line if len(line) <= _SHOWN else line[: _SHOWN - 3] + "..."


def hint(found: Sequence[Recreated]) -> str:
    """The hint for the mistake the source shows, naming each class, its method and the line."""
    each = [f"{f.cls}.backward ({f.where}: `{f.statement}`)" for f in found]
    listed = each[0] if len(each) == 1 else f"{', '.join(each[:-1])} and {each[-1]}"
    one = len(found) == 1
    loops = " / ".join(sorted({f"self.{f.loop}" for f in found}))
    if all(f.whole for f in found):
        return (
            f"{listed} {'re-creates its' if one else 're-create their'} gradients dict inside the loop over "
            f"{loops}, so each outbound node starts it afresh and only the last node's contribution "
            "survives: create the dict once, before the loop, then add (+=) each node's gradient into it."
        )
    return (
        f"{listed} {'sets its' if one else 'set their'} gradients afresh inside the loop over {loops}, "
        "before adding (+=) to them, so each outbound node starts them again and only the last node's "
        "contribution survives: set them once, before the loop, then add (+=) each node's gradient."
    )


def assigned_lines(found: Sequence[Recreated]) -> str:
    """Where each `=` of a gradient inside the loop is, after the known mistake's "assigns (=)": the words
    named the method alone, and a zero set above it was quoted instead (s31)."""
    each = [f"{f.cls}.backward, {w}: `{s}`" for f in found for w, s in ((f.where, f.statement), *f.also)]
    return f"The `=` is in {each[0]}." if len(each) == 1 else f"The `=` lines: {'; '.join(each)}."
