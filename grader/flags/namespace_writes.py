"""Names the scan reads by name, rebound through the module's namespace written as a dict.

The runners' and loaders' rules read a call by the name it is made through (`open(...)`: a file opened by
path, whose pickle the parent reads itself; grader/flags/runners.py). `globals()['open'] = io.BytesIO` made
`pickle.load(open(data))` unpickle bytes held in memory, read as a file opened by path: no flag. An
assignment says what it binds and the rules read it (bindings.py); a write into `globals()`, `vars()` or
`locals()` (no argument: the caller's namespace, the module's at top level) does not. So such a write is
flagged `dynamic_code` when the name it writes is one the scan reads by name (a builtin, a name the file
imports, a name a star import of a library binds: star_imports.py), read as a literal or folded from
literals (`k = 'op' + 'en'`: runtime.folded_text). Another name (`globals()['DEBUG'] = False`) is no flag:
nothing reads it as a library's. Nor is a key that cannot be read (a parameter, `update(d)` of a variable):
the book's DeZero `using_config(name, value)` writes `globals()[name]` (sample
dezero/own_package_global_config, honest); a known gap, named in docs/FLAGS.md. Writes through a name bound
to such a call (`g = globals(); g['open'] = ...`) count too. `setattr` on a module and `__builtins__[...]`
are the runtime rules' (module_patching).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator

from grader.flags import runtime, star_imports
from grader.flags.model import Hit
from grader.flags.source import Source

CODE = "dynamic_code"
NAMESPACES = frozenset({"globals", "vars", "locals"})
# Methods of a dict that bind a key: (position of the key among the arguments, or None: read from keywords
# and a dict display)
WRITERS: dict[str, int | None] = {"__setitem__": 0, "setdefault": 0, "update": None, "__ior__": None}
_BUILTINS = frozenset(dir(builtins))


def namespace_flags(src: Source) -> Iterator[Hit]:
    """A hit for each write into the module's namespace dict of a name the scan reads by name."""
    aliases = _aliases(src)
    for node in src.of(ast.Subscript):
        if isinstance(node.ctx, ast.Store) and _namespace(src, node.value, aliases):
            yield from _written(src, node, [_key(src, node.slice)])
    for call in src.of(ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in WRITERS and _namespace(src, func.value, aliases):
            yield from _written(src, call, _keys(src, call, WRITERS[func.attr]))


def _written(src: Source, node: ast.AST, keys: list[str | None]) -> Iterator[Hit]:
    for key in keys:
        if key is not None and _read_by_name(src, key):
            yield Hit(
                CODE, getattr(node, "lineno", 0), f"rebinds {key!r} through the module's namespace dict"
            )
            return


def _read_by_name(src: Source, name: str) -> bool:
    """Whether the scan reads `name` as something's: a builtin, an import of the file's, a star import's."""
    starred = [m for m in src.starred if not src.is_local(m)]
    return (
        name in _BUILTINS
        or name in src.modules
        or name in src.imported
        or star_imports.bound(starred, name) is not None
    )


def _namespace_call(src: Source, node: ast.AST) -> bool:
    """`globals()`, `vars()` or `locals()` with no argument, the builtin (the file binds no such name)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in NAMESPACES
        and not node.args
        and not node.keywords
        and node.func.id not in src.defined
    )


def _aliases(src: Source) -> frozenset[str]:
    """Names the file binds to a namespace call anywhere (`g = globals()`): read file-wide, which can only
    flag more."""
    return frozenset(
        t.id
        for a in src.of(ast.Assign)
        if _namespace_call(src, a.value)
        for t in a.targets
        if isinstance(t, ast.Name)
    )


def _namespace(src: Source, node: ast.AST, aliases: frozenset[str]) -> bool:
    return _namespace_call(src, node) or (isinstance(node, ast.Name) and node.id in aliases)


def _key(src: Source, node: ast.AST) -> str | None:
    """The name a key writes: a literal, or a string folded from literals; None when it cannot be read."""
    return runtime.folded_text(src, node)


def _keys(src: Source, call: ast.Call, position: int | None) -> list[str | None]:
    if position is not None:
        return [_key(src, call.args[position])] if len(call.args) > position else []
    keys: list[str | None] = [k.arg for k in call.keywords]  # **d: None, unread
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            keys += [None if k is None else _key(src, k) for k in arg.keys]
    return keys
