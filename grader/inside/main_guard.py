"""Which branch of an `if` runs when a module is imported, read from its parse (never run).

On import, `__name__` is the module's dotted name, never "__main__": `if __name__ == "__main__":` never
runs its body and always its `else`; `if __name__ != "__main__":` (`if not __name__ == "__main__":`,
`"__main__" != __name__`) always runs its body and never its `else`. Each reader of such blocks asks here:
grader/course_bases.py `module_level` (imports), grader/defined.py `nested_class_methods` (classes said to be
under the `__main__` block), grader/stage_scan.py `_class_methods` (the stage's classes) and
grader/inside/loading.py `_body` (a file's imports checked without running it), and the text reader
grader/inside/choice.py `nested_defs` for each `if` line naming both (`guard_on_import`: it counted the
classes of the `else` of `!=`, s37). Three of them read `!=` as no
guard, so a class under the `else` of `if __name__ != "__main__":` counted as defined, and a chapter-5
MulLayer file with Relu and Sigmoid there was graded at an activations stage it never reached without the
reason (session 36); the fourth read `!=` as `==`. Imported by the student's process: the standard library
only.

A module may rebind its own `__name__` before the guard (`__name__ = "__main__"`, `globals()["__name__"] =
...`, `sys.modules[__name__].__name__ = ...`, a `global __name__` in a function it calls, a loop or `as`
target): Python then runs what the reading said never runs (session 38). Such a module's guards are
undecided (both blocks may run: the readers' safe side): `astparse.parse` marks every `__name__` of a module
that may bind it (`mark_rebound`; a class's or a function's own `__name__` is not the module's: `rebinds`),
and a marked name decides nothing here; `astparse.text_rebinds` says the same of a module's text for the line
reader.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

REBOUND = "grader_name_rebound"  # set on each `__name__` of a module that binds it (mark_rebound)
NAME = "__name__"
# What a line of every rebinding holds, read line by line before any walk (linear in the text: each pattern
# is tried once a line, none scans past its line): `__name__` followed by an assignment (augmented, walrus,
# a tuple's comma, a bracket closing a target, a line's end continuing one), a keyword that binds or deletes
# a name on its line (`global`, `for`, `as`, `import`, `def`...), or the name as a string (`globals()[...]`,
# `setattr`). A module with no such line is never walked (a walk costs about a parse).
_AFTER = r"__name__[ \t]*+(?:[-+*/%&|^@]?=(?!=)|:=|,|\)|\\?$)"
_KEYWORD = r"\b(?:global|nonlocal|del|for|as|import|def|class|case)\b"
_QUOTED = r"['\"]__name__['\"]"
_MAYBE_TEXT = tuple(re.compile(p) for p in (_AFTER, _KEYWORD, _QUOTED))
_MAYBE_BYTES = tuple(re.compile(p.encode()) for p in (_AFTER, _KEYWORD, _QUOTED))


def may_rebind(source: str | bytes) -> bool:
    name = b"__name__" if isinstance(source, bytes) else "__name__"
    patterns = _MAYBE_BYTES if isinstance(source, bytes) else _MAYBE_TEXT
    lines = source.splitlines()
    return any(name in line and any(p.search(line) for p in patterns) for line in lines)  # type: ignore[operator, arg-type]


@dataclass(frozen=True)
class ImportBranches:
    """An `if` statement's blocks: those that may run when the module is imported, those that never do."""

    runs: tuple[ast.stmt, ...]
    skipped: tuple[ast.stmt, ...]


def on_import(test: ast.expr) -> bool | None:
    """The truth of an `if` test when the module is imported: False for `__name__ == "__main__"` (either
    way round, or `is`), True for `!=` (or `is not`), through `not`, `and` and `or`; None when the test
    depends on anything else (`if __name__ == "__main__" or DEBUG:` may run either block)."""
    return decided(test, main_guard)


def decided(test: ast.expr, leaf: Callable[[ast.expr], bool | None]) -> bool | None:
    """The truth of `test` through `not`, `and` and `or`, each other part's from `leaf` (None: undecided)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decided(test.operand, leaf)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [decided(v, leaf) for v in test.values]
        decides = isinstance(test.op, ast.Or)  # one true operand makes `or` true, one false makes `and` false
        if decides in values:
            return decides
        return None if None in values else not decides
    return leaf(test)


def main_guard(test: ast.expr) -> bool | None:
    """False for `__name__ == "__main__"` (or `is`), True for `!=` (or `is not`), else None."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _names_main(test.left, test.comparators[0]):
        if isinstance(test.ops[0], (ast.Eq, ast.Is)):
            return False
        if isinstance(test.ops[0], (ast.NotEq, ast.IsNot)):
            return True
    return None


def _names_main(left: ast.expr, right: ast.expr) -> bool:
    sides = (left, right)
    return any(
        isinstance(s, ast.Name) and s.id == NAME and not getattr(s, REBOUND, False) for s in sides
    ) and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)


def _binds(node: ast.AST) -> bool:
    """Whether `node` binds or deletes the module's `__name__`, or may (an attribute `__name__` set on
    anything but a plain name, which a decorator's `wrapper.__name__ = ...` is; the string as a key set
    or deleted, or as `setattr`/`delattr`'s name on anything but a plain name, which a decorator's
    `setattr(wrapper, "__name__", ...)` is)."""
    if isinstance(node, ast.Name):
        return node.id == NAME and isinstance(node.ctx, (ast.Store, ast.Del))
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return NAME in node.names
    if isinstance(node, ast.alias):
        return (node.asname or node.name) == NAME
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == NAME
    if isinstance(node, ast.MatchAs | ast.MatchStar):
        return node.name == NAME
    if isinstance(node, ast.Attribute):
        return (
            node.attr == NAME
            and isinstance(node.ctx, (ast.Store, ast.Del))
            and not isinstance(node.value, ast.Name)
        )
    if isinstance(node, ast.Subscript):
        key = node.slice
        return (
            isinstance(node.ctx, (ast.Store, ast.Del)) and isinstance(key, ast.Constant) and key.value == NAME
        )
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("setattr", "delattr")
    ):
        args = node.args
        return (
            len(args) > 1
            and not isinstance(args[0], ast.Name)
            and isinstance(args[1], ast.Constant)
            and args[1].value == NAME
        )
    return False


# What binds a name in the scope it is written in: inside a function or class body such a `__name__` is
# the function's local or the class's attribute (`class Add: __name__ = "Add"`, a `def __name__(self)`
# property, `__name__ = f.__name__` in a helper), not the module's. What reaches the module from any scope
# (`global __name__`, `globals()[...]`, `sys.modules[...].__name__`, `setattr`) counts wherever it is.
_SCOPED = (
    ast.Name,
    ast.alias,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.MatchAs,
    ast.MatchStar,
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _outer_parts(node: ast.AST) -> list[ast.AST]:
    """The parts of a function, class or lambda that run in the scope holding it: decorators, defaults,
    annotations, bases and keywords."""
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *node.keywords]
    args: ast.arguments = node.args  # type: ignore[attr-defined]
    parts: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        every = (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
        parts += [*node.decorator_list, *(a.annotation for a in every if a is not None and a.annotation)]
        parts += [node.returns] if node.returns is not None else []
    return parts


def rebinds(tree: ast.AST) -> bool:
    """Whether the module may rebind its `__name__` (`_binds`): in its own scope, or from any scope by what
    reaches the module from there (_SCOPED binds only where it is written)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _binds(node):
            return True
        if isinstance(node, _SCOPES):
            stack += _outer_parts(node)
            inner = (n for n in ast.walk(node) if n is not node and not isinstance(n, _SCOPED))
            if any(_binds(n) for n in inner):
                return True
            continue
        stack += ast.iter_child_nodes(node)
    return _set_through_a_variable(tree)


def _set_through_a_variable(tree: ast.AST) -> bool:
    """`m = sys.modules[__name__]` then `m.__name__ = "__main__"` (or `setattr(m, "__name__", ...)`): a
    `__name__` set on a plain name that an assignment, a loop, a `with` or an import binds, which may hold the
    module. A decorator's `wrapper.__name__ = f.__name__` sets it on a def's name or a parameter: never."""
    nodes = list(ast.walk(tree))
    targets = {
        n.value.id
        for n in nodes
        if isinstance(n, ast.Attribute)
        and n.attr == NAME
        and isinstance(n.ctx, (ast.Store, ast.Del))
        and isinstance(n.value, ast.Name)
    }
    targets |= {
        n.args[0].id
        for n in nodes
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id in ("setattr", "delattr")
        and len(n.args) > 1
        and isinstance(n.args[0], ast.Name)
        and isinstance(n.args[1], ast.Constant)
        and n.args[1].value == NAME
    }
    if not targets:
        return False
    variables = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    variables |= {(n.asname or n.name).partition(".")[0] for n in nodes if isinstance(n, ast.alias)}
    return bool(targets & variables)


def mark_rebound(tree: ast.AST, source: str | bytes) -> None:
    """Mark each `__name__` of a module that may rebind it (REBOUND): its guards decide nothing. `source`, the
    parsed text, spares the walk of the (many) modules whose text holds no rebinding."""
    if not isinstance(tree, ast.Module) or not may_rebind(source) or not rebinds(tree):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == NAME:
            setattr(node, REBOUND, True)


def import_branches(node: ast.If) -> ImportBranches:
    """`node`'s body and `else` (an `elif` is an `if` in it), split by `on_import`."""
    body, orelse = tuple(node.body), tuple(node.orelse)
    value = on_import(node.test)
    if value is None:
        return ImportBranches(body + orelse, ())
    return ImportBranches(body, orelse) if value else ImportBranches(orelse, body)
