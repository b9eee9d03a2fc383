"""Names the scan reads by name, rebound through the module's namespace written as a dict.

The runners' and loaders' rules read a call by the name it is made through (`open(...)`: a file opened by
path, whose pickle the parent reads itself; grader/flags/runners.py). `globals()['open'] = io.BytesIO` made
`pickle.load(open(data))` unpickle bytes held in memory, read as a file opened by path: no flag. An
assignment says what it binds and the rules read it (bindings.py); a write into `globals()`, `vars()` or
`locals()` (no argument: the caller's namespace, the module's at top level) does not. So such a write is
flagged `dynamic_code` when the name it writes is one the scan reads by name (a builtin, a name the file
imports, a name a star import of a library binds: star_imports.py), read as a literal or folded from
literals (`k = 'op' + 'en'`: runtime.folded_text). Another name (`globals()['DEBUG'] = False`) is no flag:
nothing reads it as a library's. Writes through a name bound to such a call (`g = globals(); g['open'] =
...`) count too, and so do writes into an imported module's dict (`m.__dict__[k]`, `vars(m)[k]`).

A key that cannot be read (a parameter, a name built at run time, `update(d)` of a variable: session 31) may
be any name: it is flagged when the file calls a name whose meaning a rule's verdict rests on (`_relied`: an
opener whose file the parent reads, `open`; a loader or runner judged by what it is handed, `pickle.load`,
`timeit.timeit`, `np.load`), since such a write could rebind it, and always in a library module's dict.
Otherwise it is no flag: the book's DeZero `using_config(name, value)` writing `globals()[name]` in a module
that calls none of them (sample dezero/own_package_global_config, honest) rebinds nothing a rule reads, and
DeZero's own `setattr(Config, name, value)` writes a class, no module's namespace. A key that is a
parameter of a module-level function the file only calls, each call handing it a literal that no rule
reads, holds those literals alone when the file is the submission's only Python file (`_handed`, review of
s31-trust): a student's `using_config` writing `globals()[name]` beside the book's `np.load(path)`.
`setattr` on a module and `__builtins__[...]` are the runtime rules' (module_patching).
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable, Iterator

from grader.flags import runners, runtime, star_imports
from grader.flags.model import Hit
from grader.flags.source import Source

CODE = "dynamic_code"
NAMESPACES = frozenset({"globals", "vars", "locals"})
# Methods of a dict that bind a key: (position of the key among the arguments, or None: read from keywords
# and a dict display)
WRITERS: dict[str, int | None] = {"__setitem__": 0, "setdefault": 0, "update": None, "__ior__": None}
_BUILTINS = frozenset(dir(builtins))


def namespace_flags(src: Source, alone: bool = False) -> Iterator[Hit]:
    """A hit for each write into a module's namespace dict of a name the scan reads by name, or of a name
    that cannot be read where the file calls a name a rule relies on (module docstring). `alone`: the file
    is the submission's only Python file, so its own calls are every call of its functions."""
    aliases = _aliases(src)
    relied: list[frozenset[str]] = []  # worked out at the first unread key only: most files have none

    def rests_on() -> frozenset[str]:
        if not relied:
            relied.append(_relied(src))
        return relied[0]

    for node in src.of(ast.Subscript):
        if isinstance(node.ctx, ast.Store) and (where := _namespace(src, node.value, aliases)):
            key = _key(src, node.slice)
            if key is None and where == OWN and alone and _handed_unread(src, node.slice):
                continue  # every name the key may hold is one no rule reads (the book's using_config)
            yield from _written(src, node, [key], where, rests_on)
    for call in src.of(ast.Call):
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in WRITERS
            and (where := _namespace(src, func.value, aliases))
        ):
            yield from _written(src, call, _keys(src, call, WRITERS[func.attr]), where, rests_on)


OWN, LIBRARY = (
    "own",
    "library",
)  # whose namespace a write goes into: the file's (or its own module's), a library's


def _written(
    src: Source, node: ast.AST, keys: list[str | None], where: str, rests_on: Callable[[], frozenset[str]]
) -> Iterator[Hit]:
    line = getattr(node, "lineno", 0)
    for key in keys:
        if key is not None and (where == LIBRARY or _read_by_name(src, key)):
            yield Hit(CODE, line, f"rebinds {key!r} through the module's namespace dict")
            return
    if None not in keys:
        return
    if where == LIBRARY:
        yield Hit(CODE, line, "writes a name computed at run time into a library module's namespace dict")
    elif names := rests_on():
        shown = ", ".join(sorted(names)[:4])
        yield Hit(
            CODE,
            line,
            "writes a name computed at run time into the module's namespace dict, which could rebind "
            f"{shown} (read here as the library's or the builtin)",
        )


# The names a rule's verdict rests on at their call: an opener (a pickle read from a file opened by path is
# one the parent reads itself), a loader or runner judged by what it is handed, numpy's pickle readers.
def _rule_reads(dotted: str) -> bool:
    return runners.judged(dotted) or dotted in runners.OPENERS or dotted in runners.NUMPY_LOADS


def _relied(src: Source) -> frozenset[str]:
    """The bare names this file calls through (`open`, the `pickle` of `pickle.load`) that resolve to a name
    `_rule_reads`: what a write of a computed key into its namespace could rebind."""
    names: set[str] = set()
    for call in src.of(ast.Call):
        base = call.func
        while isinstance(base, ast.Attribute):
            base = base.value
        if not isinstance(base, ast.Name) or base.id in NAMESPACES:
            continue
        resolved = src.resolve(call.func)
        if resolved is None or src.is_local(resolved[0]):
            continue
        dotted, via_import = resolved
        # a bare name the file binds itself is its own (`def open`), not the builtin the rule reads
        if not via_import and base.id in src.defined:
            continue
        if _rule_reads(dotted):
            names.add(base.id)
    return frozenset(names)


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


def _namespace(src: Source, node: ast.AST, aliases: frozenset[str]) -> str | None:
    """Whose namespace dict `node` is: the file's (`globals()`, a name bound to it), an imported module's
    (`m.__dict__`, `vars(m)`: a library's, or the submission's own), or None."""
    if _namespace_call(src, node) or (isinstance(node, ast.Name) and node.id in aliases):
        return OWN
    module = _module_dict_of(node)
    if module is None or module.id not in src.modules:
        return None
    return OWN if src.is_local(src.modules[module.id]) else LIBRARY


def _module_dict_of(node: ast.AST) -> ast.Name | None:
    """`m` of `m.__dict__` or of `vars(m)` (the builtin vars, one argument), else None."""
    if isinstance(node, ast.Attribute) and node.attr == "__dict__" and isinstance(node.value, ast.Name):
        return node.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "vars"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0]
    return None


def _key(src: Source, node: ast.AST) -> str | None:
    """The name a key writes: a literal, or a string folded from literals; None when it cannot be read."""
    return runtime.folded_text(src, node)


def _handed_unread(src: Source, key: ast.AST) -> bool:
    """Whether every name `key` may hold is known (`_handed`) and none is read by name."""
    handed = _handed(src, key)
    return handed is not None and not any(_read_by_name(src, name) for name in handed)


def _handed(src: Source, key: ast.AST) -> frozenset[str] | None:
    """The strings a key may hold when it is a parameter of a module-level function whose name the file
    only ever calls, each call handing that parameter a literal or folded string (the book's
    `using_config('enable_backprop', False)`); None when any of that cannot be read so: the parameter or
    the function's name bound again anywhere, the name written anywhere else (a string, a reference: a
    call by another route), a call with `*`/`**` or leaving the parameter to its default, or a namespace
    read outside the function (`globals()[k](...)`: a call of it by a name built at run time)."""
    if not isinstance(key, ast.Name):
        return None
    function = next((f for f in src.tree.body if _holds(f, key)), None)
    if not isinstance(function, ast.FunctionDef):
        return None
    params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if key.id not in params or _bound(function, key.id) != 1 or _bound(src.tree, function.name) != 1:
        return None
    calls = [c for c in src.of(ast.Call) if isinstance(c.func, ast.Name) and c.func.id == function.name]
    if _words(src, function.name) != 1 + len(calls):  # the def and its calls: never named otherwise
        return None
    if any(_namespace_call(src, n) and not _holds(function, n) for n in src.of(ast.Call)):
        return None
    handed: set[str] = set()
    at = params.index(key.id)
    for call in calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return None
        if at < len(call.args):
            given: ast.AST | None = call.args[at]
        else:
            given = next((k.value for k in call.keywords if k.arg == key.id), None)
        text = None if given is None else runtime.folded_text(src, given)
        if text is None:
            return None
        handed.add(text)
    return frozenset(handed)


def _holds(tree: ast.AST, node: ast.AST) -> bool:
    """Whether `node` is in `tree`."""
    return any(n is node for n in ast.walk(tree))


def _bound(tree: ast.AST, name: str) -> int:
    """How many times `tree` binds `name`: a target, an argument, a def or class, an import, a handler's,
    a pattern's or a global/nonlocal statement's name."""
    count = 0
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            count += n.id == name and not isinstance(n.ctx, ast.Load)
        elif isinstance(n, ast.arg):
            count += n.arg == name
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.ExceptHandler):
            count += n.name == name
        elif isinstance(n, ast.alias):
            count += (n.asname or n.name.split(".")[0]) == name
        elif isinstance(n, ast.MatchAs | ast.MatchStar):
            count += n.name == name
        elif isinstance(n, ast.MatchMapping):
            count += n.rest == name
        elif isinstance(n, ast.Global | ast.Nonlocal):
            count += name in n.names
    return count


def _words(src: Source, name: str) -> int:
    """How many times `name` is written in the file's text as a word: code, strings and comments alike."""
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
    return sum(len(pattern.findall(line)) for line in src.lines)


def _keys(src: Source, call: ast.Call, position: int | None) -> list[str | None]:
    if position is not None:
        return [_key(src, call.args[position])] if len(call.args) > position else []
    keys: list[str | None] = [k.arg for k in call.keywords]  # **d: None, unread
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            keys += [None if k is None else _key(src, k) for k in arg.keys]
        else:  # `update(d)`, `update(zip(names, values))`: keys that cannot be read
            keys.append(None)
    return keys
