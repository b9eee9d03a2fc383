"""Names the scan reads by name, rebound through the module's namespace written as a dict.

The runners' and loaders' rules read a call by the name it is made through (`open(...)`: a file opened by
path, whose pickle the parent reads itself; grader/flags/runners.py). `globals()['open'] = io.BytesIO` made
`pickle.load(open(data))` unpickle bytes held in memory, read as a file opened by path: no flag. An
assignment says what it binds and the rules read it (bindings.py); a write into `globals()`, `vars()` or
`locals()` (no argument: the caller's namespace, the module's at top level) does not. So such a write is
flagged `dynamic_code` when the name it writes is one the scan reads by name (a builtin, a name the file
imports, a name a star import of a library binds: star_imports.py) or cannot be read (a computed key,
`update(d)` of anything but keywords or a dict display of string keys). Another name (`globals()['DEBUG'] =
False`) is no flag: nothing reads it as a library's. Writes through a name bound to such a call
(`g = globals(); g['open'] = ...`) count too. `setattr` on a module and `__builtins__[...]` are the runtime
rules' (module_patching).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator

from grader.flags import star_imports
from grader.flags.model import Hit
from grader.flags.source import Source

CODE = "dynamic_code"
NAMESPACES = frozenset({"globals", "vars", "locals"})
# Methods of a dict that bind a key: (position of the key among the arguments, or None: read from keywords
# and a dict display)
WRITERS: dict[str, int | None] = {"__setitem__": 0, "setdefault": 0, "update": None, "__ior__": None}
_BUILTINS = frozenset(dir(builtins))
_UNREAD = "<computed>"


def namespace_flags(src: Source) -> Iterator[Hit]:
    """A hit for each write into the module's namespace dict of a name the scan reads by name."""
    aliases = _aliases(src)
    for node in src.of(ast.Subscript):
        if isinstance(node.ctx, ast.Store) and _namespace(src, node.value, aliases):
            yield from _written(src, node, [_key(node.slice)])
    for call in src.of(ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in WRITERS and _namespace(src, func.value, aliases):
            yield from _written(src, call, _keys(call, WRITERS[func.attr]))


def _written(src: Source, node: ast.AST, keys: list[str]) -> Iterator[Hit]:
    for key in keys:
        if key == _UNREAD or _read_by_name(src, key):
            what = "a computed name" if key == _UNREAD else repr(key)
            yield Hit(CODE, getattr(node, "lineno", 0), f"rebinds {what} through the module's namespace dict")
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


def _key(node: ast.AST) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else _UNREAD


def _keys(call: ast.Call, position: int | None) -> list[str]:
    if position is not None:
        return [_key(call.args[position])] if len(call.args) > position else [_UNREAD]
    keys = [k.arg if k.arg is not None else _UNREAD for k in call.keywords]  # **d: unread
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            keys += [_UNREAD if k is None else _key(k) for k in arg.keys]
        else:
            keys.append(_UNREAD)
    return keys
