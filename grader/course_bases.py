"""The course packages a submission's classes are built on, read from its parsed source (never run).

Inference narrows to one course family only on this evidence (grader/infer.py `same_family`): DeZero's
dezero/functions_conv.py writes `class Conv2d(Function)` with `from dezero.core import Function`, and
dezero/layers.py's `class Conv2d(Layer)` calls `F.conv2d` (`import dezero.functions as F`): DeZero's
classes, whatever the DLFS book calls its layers. A line that merely names another course's package is no
such evidence: session 24's first reading took every line starting with `import`, and a chapter-5 file with
`import dezero` in its `if __name__ == "__main__":` block, its docstring or a notebook cell was turned away
(review of s24-dz48, finding 1). Only imports that run when the module is loaded bind a name here: module
level, inside a module-level `if`/`try`/`with` (the book's `if '__file__' in globals():`), never in a
function, a class or the `__main__` block, never in a string. A relative import (`from .core import
Function` in dezero/functions_conv.py) is resolved against the folders the file sits in.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePosixPath

from grader import pyparse
from grader.inside.main_guard import import_branches

_TRY: tuple[type[ast.Try], ...] = (
    ast.Try,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)  # 3.11's `except*`


def module_level(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run when the module is imported: `body`, and the bodies of its `if` (not the
    `__main__` block: grader/inside/main_guard.py), `try` and `with` statements, recursively; not function
    or class bodies."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from module_level(import_branches(node).runs)
        elif isinstance(node, _TRY):
            for part in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from module_level(part)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            yield from module_level(node.body)


def _relative_folders(rel: str, level: int) -> tuple[str, ...]:
    """The folders a relative import of `level` dots in file `rel` resolves against: functions_conv.py's
    `from .core import Function` is in dezero (and any folder above it). A file handed in alone: none."""
    parents = PurePosixPath(rel).parent.parts
    return parents[: len(parents) - (level - 1)] if level - 1 <= len(parents) else ()


def bindings(rel: str, tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """The names bound by the module-level imports of file `rel`, each with the top-level packages it may
    come from: `Function` -> ("dezero",) for `from dezero.core import Function`, `F` -> ("dezero",) for
    `import dezero.functions as F`, `np` -> ("numpy",); relative imports -> the folders they resolve in."""
    bound: dict[str, tuple[str, ...]] = {}
    for node in module_level(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[(alias.asname or alias.name).split(".")[0]] = (alias.name.split(".")[0],)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                roots = _relative_folders(rel, node.level)
            else:
                roots = (node.module.split(".")[0],) if node.module else ()
            for alias in node.names:
                if alias.name != "*" and roots:
                    bound[alias.asname or alias.name] = roots
    return bound


def _leftmost(expr: ast.expr) -> str | None:
    """`dezero` for `dezero.core.Function`, `Function` for `Function`; None for a call or subscript."""
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def class_packages(files: Mapping[str, bytes]) -> dict[str, frozenset[str]]:
    """Each module-level class of the files that parse (pyparse's budget) -> the packages of the
    module-level imports its bases or its body use, its own file's classes it derives from included
    (`Conv2d(Layer)` takes Layer's). A class of a file that does not parse is absent: no evidence."""
    out: dict[str, frozenset[str]] = {}
    for rel, _, tree in pyparse.python_trees(files):
        bound = bindings(rel, tree)
        classes = [n for n in module_level(tree.body) if isinstance(n, ast.ClassDef)]
        local = {c.name: c for c in classes}
        direct: dict[str, set[str]] = {}
        bases: dict[str, set[str]] = {}
        for cls in classes:
            used = {_leftmost(b) for b in cls.bases}
            named = {n.id for n in pyparse.walked(cls) if isinstance(n, ast.Name)}
            direct[cls.name] = {root for name in (used | named) if name in bound for root in bound[name]}
            bases[cls.name] = {name for name in used if name in local and name != cls.name}
        for name in local:
            seen, todo, found = {name}, [name], set()
            while todo:  # the file's own base classes, once each (a cycle ends)
                current = todo.pop()
                found |= direct[current]
                todo += [b for b in bases[current] if b not in seen]
                seen |= bases[current]
            out[name] = frozenset(found) | out.get(name, frozenset())
    return out
