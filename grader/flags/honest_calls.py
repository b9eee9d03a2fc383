"""Calls of a flagged name that are honest when their arguments are plain from the source.

logging.config, mock.patch, inspect.getmembers, typing.get_type_hints and string.Formatter reach the runtime
when handed a name or a format built at run time (resolve("builtins.exec"), getmembers of a closure,
get_type_hints of an annotation 'exec(H)': review of s21-hostile). A student's literal logging config, a
test's @patch('layers.np.random.randn'), getmembers of a class the file defines, get_type_hints of plain
annotations and Formatter().format('{0:.3f}', x) were flagged with untrue text (review of s21-fixhostile, 2).
Each rule here says when a call is plain; any other use of the name (aliased, passed on, subclassed, called
with a computed argument) stays flagged. Strings inside a literal argument are still read by the string rule
of grader/flags/runtime.py ('inside.shipped._ROOTS', 'builtins.exec')."""

from __future__ import annotations

import ast
from collections.abc import Callable

from grader.flags.source import Source
from grader.inside import astparse


def _call_of(src: Source, node: ast.AST) -> ast.Call | None:
    """The call whose function is `node`, if any. Run only for the names of HONEST_CALLS (rare)."""
    return next((c for c in src.of(ast.Call) if c.func is node), None)


def _literal(node: ast.AST) -> bool:
    try:
        astparse.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _own_classes(src: Source) -> set[str]:
    return {c.name for c in src.of(ast.ClassDef)}


def _dict_config(src: Source, call: ast.Call) -> bool:
    """A literal config whose handlers and formatters are logging's own: no '()' factory, no ext:// or
    cfg:// reference, every 'class' a logging.* class."""
    if len(call.args) != 1 or call.keywords or not _literal(call.args[0]):
        return False
    for d in (n for n in ast.walk(call.args[0]) if isinstance(n, ast.Dict)):
        for key, value in zip(d.keys, d.values, strict=True):
            name = key.value if isinstance(key, ast.Constant) else None
            if name == "()":
                return False
            if name == "class" and not (
                isinstance(value, ast.Constant) and str(value.value).startswith("logging.")
            ):
                return False
    return not any(s.startswith(("ext://", "cfg://")) for s in _strings(call.args[0]))


def _patch(src: Source, call: ast.Call) -> bool:
    """mock.patch of a literal target in the submission's own modules (@patch('layers.np.random.randn'))."""
    if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return False
    target = call.args[0].value
    return src.is_local(target) and all(
        _literal(a) for a in (*call.args[1:], *(k.value for k in call.keywords))
    )


def _getmembers(src: Source, call: ast.Call) -> bool:
    """getmembers of a class the file defines or of one of the submission's own modules."""
    if not call.args or not isinstance(call.args[0], ast.Name):
        return False
    name = call.args[0].id
    own_module = name in src.modules and src.is_local(src.modules[name])
    return name in _own_classes(src) or own_module


# Annotation nodes that evaluate to a type without running anything: names, attributes, subscripts, unions
_PLAIN = (
    ast.Name,
    ast.Attribute,
    ast.Subscript,
    ast.Tuple,
    ast.List,
    ast.Load,
    ast.BinOp,
    ast.BitOr,
    ast.Index,
)


def _plain_annotation(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            try:
                inner = astparse.parse(n.value, mode="eval").body
            except SyntaxError:
                return False
            if not _plain_annotation(inner):
                return False
        elif not isinstance(n, (*_PLAIN, ast.Constant)):
            return False
    return True


def _annotations(src: Source) -> list[ast.AST]:
    found: list[ast.AST] = []
    for n in src.of(ast.AnnAssign, ast.arg, ast.FunctionDef, ast.AsyncFunctionDef):
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
            note = n.returns
        elif isinstance(n, ast.AnnAssign | ast.arg):
            note = n.annotation
        if note is not None:
            found.append(note)
    return found


def _type_hints(src: Source, call: ast.Call) -> bool:
    """get_type_hints of a class or function the file defines, every annotation of the file plain."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Name):
        return False
    own = (
        _own_classes(src)
        | {f.name for f in src.of(ast.FunctionDef)}
        | {f.name for f in src.of(ast.AsyncFunctionDef)}
    )
    return (
        call.args[0].id in own
        and not _module_renamed(src)
        and all(_plain_annotation(a) for a in _annotations(src))
    )


def _module_renamed(src: Source) -> bool:
    """The file names __module__ anywhere: a class whose __module__ is the runtime has its plain annotation
    '_ROOTS' read in the runtime's namespace (submissions/hostile/runtime_module_by_name.py)."""
    return any(
        (isinstance(n, ast.Name) and n.id == "__module__")
        or (isinstance(n, ast.Attribute) and n.attr == "__module__")
        or (isinstance(n, ast.Constant) and n.value == "__module__")
        for n in src.of(ast.Name, ast.Attribute, ast.Constant)
    )


def _formatter(src: Source, call: ast.Call) -> bool:
    """Formatter() built with no argument, in a file whose every .format is handed a literal format with no
    dunder field ('{0.__globals__}') and that calls none of a formatter's internals."""
    if call.args or call.keywords:
        return False
    # a formatter's fields read by hand: get_field('0.__globals__', ...) resolves any attribute path
    if any(a.attr in _FORMATTER_INTERNALS for a in src.of(ast.Attribute)):
        return False
    for c in src.of(ast.Call):
        if isinstance(c.func, ast.Attribute) and c.func.attr == "format":
            first = c.args[0] if c.args else None
            if isinstance(c.func.value, ast.Constant):  # 'text {}'.format(x): the literal is the format
                first = c.func.value
            if not (
                isinstance(first, ast.Constant) and isinstance(first.value, str) and "__" not in first.value
            ):
                return False
    return True


_FORMATTER_INTERNALS = frozenset({"get_field", "get_value", "vformat", "_vformat"})


HONEST_CALLS: dict[str, Callable[[Source, ast.Call], bool]] = {
    "logging.config.dictConfig": _dict_config,
    "unittest.mock.patch": _patch,
    "mock.patch": _patch,
    "inspect.getmembers": _getmembers,
    "typing.get_type_hints": _type_hints,
    "string.Formatter": _formatter,
}


def honest_call(src: Source, node: ast.AST, dotted: str) -> bool:
    """`node` (resolving to `dotted`) is the function of a call HONEST_CALLS judges plain."""
    rule = HONEST_CALLS.get(dotted)
    if rule is None:
        return False
    call = _call_of(src, node)
    return call is not None and rule(src, call)
