"""DeZero helpers that never read one of their parameters: `def add(x0, x1): return Add()(x0, x0)`.

The cases call the helpers where the code defines them (`add(x0, x1)`, as the book's examples do), so a
helper that drops a parameter computes every case with something else in that argument's place. The judge
then sees wrong values further on and names mistakes the student never made ("Variable.backward adds in
place", "Add.backward returns one gradient"). The parent reads each helper's body (never run) and says what
it drops, above every case calling that helper that did not pass (grader/judge/source_notes.py).

Conservative on purpose: a helper taking `*args` or `**kwargs`, one that calls `locals()`, `vars()`, `eval` or
`exec` or reads its own frame (`sys._getframe().f_locals`; each can read a parameter by name), one whose body
only raises or passes (a TODO, which the cases report as such), one with more or longer parameters than a
note can spell (grader/parameters.py), and a name defined differently in two files (which one runs is the
loader's choice) say nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from grader import parameters, pyparse
from grader.inside.aliases import dezero_class, dezero_helper
from grader.numpy_notes import place

# Calls that can read a parameter without naming it: by name, and through the running frame (sys._getframe(),
# inspect.currentframe(), a frame's f_locals).
_BY_NAME = frozenset({"locals", "vars", "eval", "exec"})
_FRAME = frozenset({"_getframe", "currentframe", "f_locals"})
_INSPECT = frozenset({"stack", "getargvalues", "getouterframes"})  # read as inspect.<name> only (np.stack)
MAX_NOTES = 4  # a file whose every helper drops one: the first ones say enough


@dataclass(frozen=True)
class Dropped:
    helper: str  # "add"
    ops: frozenset[str]  # the cases' ops that call it ("Add", "add")
    # Where the unread parameters are among the positional ones (the adapter passes a case's variables, then
    # its constants, by position): a case passing fewer arguments leaves them at their defaults, unharmed.
    positions: tuple[int, ...]
    required: bool  # one of them has no default: every call is computed without it
    summary: str  # "add(x0, x1) never uses x1 (hw.py line 149)": what blame says
    message: str  # one line, for the student


def _dezero_helper(op: str) -> str:
    return dezero_helper(dezero_class(op))


# family -> the helper function a case's op calls, for the families whose cases call helpers.
FAMILIES: Mapping[str, Callable[[str], str]] = {"dezero": _dezero_helper}


def dropped(files: Mapping[str, bytes], family: str, ops: Iterable[str]) -> tuple[Dropped, ...]:
    """The helpers the cases' `ops` call whose every module-level definition in `files` leaves the same
    parameter unread."""
    helper_of = FAMILIES.get(family)
    if helper_of is None:
        return ()
    calls: dict[str, set[str]] = {}
    for op in ops:
        calls.setdefault(helper_of(op), set()).add(op)
    found: dict[str, list[tuple[str, bytes, ast.FunctionDef]]] = {}
    for rel, data, tree in pyparse.python_trees(files):
        mine = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in calls}
        for name, node in mine.items():  # the last definition in a file is the one it keeps
            found.setdefault(name, []).append((rel, data, node))
    notes: list[Dropped] = []
    for name, defs in found.items():
        unread = [_unread(node) for _, _, node in defs]
        if not unread[0] or any(u != unread[0] for u in unread):
            continue
        rel, data, node = defs[-1]
        where = place(rel, data, node.lineno)
        positional = _positional(node)
        positions = tuple(i for i, p in enumerate(positional) if p in unread[0])
        required = any(i < len(positional) - len(node.args.defaults) for i in positions)
        summary = f"{_signature(name, node)} never uses {', '.join(unread[0])} ({where})"
        message = _message(name, node, unread[0], where)
        notes.append(Dropped(name, frozenset(calls[name]), positions, required, summary, message))
    return tuple(notes[:MAX_NOTES])


def _positional(fn: ast.FunctionDef) -> list[str]:
    return [p.arg for p in (*fn.args.posonlyargs, *fn.args.args)]


def _unread(fn: ast.FunctionDef) -> tuple[str, ...]:
    """The positional parameters the body never names (keyword-only ones: no case passes them)."""
    a = fn.args
    if a.vararg is not None or a.kwarg is not None or fn.decorator_list or not parameters.quotable(a):
        return ()
    if _placeholder(fn):
        return ()
    params = _positional(fn)
    named: set[str] = set()
    for node in ast.walk(ast.Module(body=fn.body, type_ignores=[])):
        if isinstance(node, ast.Name):
            named.add(node.id)
            if node.id in _BY_NAME or node.id in _FRAME:
                return ()
        elif isinstance(node, ast.Attribute) and (node.attr in _FRAME or _of_inspect(node)):
            return ()
        elif isinstance(node, ast.Nonlocal | ast.Global):
            named.update(node.names)
    return tuple(p for p in params if p not in named and not p.startswith("_"))


def _of_inspect(node: ast.Attribute) -> bool:
    return node.attr in _INSPECT and isinstance(node.value, ast.Name) and node.value.id == "inspect"


def _placeholder(fn: ast.FunctionDef) -> bool:
    """A body of a docstring, `pass`, `...` or `raise` only: a TODO, not a helper that drops an argument."""
    for stmt in fn.body:
        if isinstance(stmt, ast.Pass | ast.Raise):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        return False
    return True


def _signature(name: str, fn: ast.FunctionDef) -> str:
    return f"{name}({', '.join(_positional(fn))})"


def _message(name: str, fn: ast.FunctionDef, unread: tuple[str, ...], where: str) -> str:
    s = "s" if len(unread) > 1 else ""
    names = ", ".join(unread)
    return (
        f"{_signature(name, fn)} never uses its parameter{s} {names} ({where}): whatever {names} "
        f"{'are' if s else 'is'}, {name}() returns the same, so every case calling it computes without "
        f"{'them' if s else 'it'}; pass {'them' if s else 'it'} on to the function it calls. Fix it "
        f"first: the other wrong values of these cases may come from it alone"
    )
