"""Near misses a student may have meant: a misspelt `__init__`, keyword or module name."""

from __future__ import annotations

import builtins
import difflib
import keyword
import re
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A quoted stretch of one line (`"price:"`): text, never a misspelt keyword.
_QUOTED = re.compile(r"([\"']).*?(?<!\\)\1")
# Keywords long enough that a close spelling is a typo rather than a name of its own (`form` is not `from`).
_KEYWORDS = [k for k in keyword.kwlist if len(k) >= 5] + ["import", "return", "lambda"]


# Hooks Python (or dataclasses) does call, close to `__init__` in spelling: a `@dataclass` keeps its checks in
# `__post_init__` and has no `def __init__` of its own, which is right, not a typo.
_REAL_HOOKS = frozenset({"__post_init__", "__init_subclass__"})


def init_typo(own: Sequence[str]) -> str | None:
    """The misspelt constructor (`__int__`, `_init__`) of a class that defines no __init__ itself."""
    if "__init__" in own:
        return None
    candidates = [a for a in own if ("init" in a.lower() or "int" in a.lower()) and a not in _REAL_HOOKS]
    close = difflib.get_close_matches("__init__", candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def attribute_typo(wanted: str, own: Iterable[str]) -> str | None:
    """An attribute a class defines that is `wanted` misspelt (`__array_priorty__` for `__array_priority__`):
    Python (or numpy) looks the right name up and finds nothing, with no error to say why."""
    names = [a for a in own if a != wanted]
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.85)
    return close[0] if close else None


def unmangled(cls: str, name: str) -> str:
    """`name` as class `cls`'s body wrote it: Python renames a `__x` that does not end in two underscores to
    `_Cls__x`, so `__array_priority_ = 200` (one underscore short) is the attribute
    `_Variable__array_priority_`, too far from `__array_priority__` for `attribute_typo` (review of
    s26-realdz, finding 2)."""
    bare = cls.rsplit(".", 1)[-1].lstrip("_")
    prefix = f"_{bare}__"
    return name[len(prefix) - 2 :] if bare and name.startswith(prefix) else name


_BUILTINS = frozenset(dir(builtins))


def keyword_typo(line: str) -> tuple[str, str] | None:
    """(word, keyword) for a word of a source line that is a keyword misspelt: `lamdba` -> lambda."""
    line = _QUOTED.sub(lambda m: " " * len(m.group(0)), line)
    for match in _WORD.finditer(line):
        word = match.group(0)
        if keyword.iskeyword(word) or len(word) < 4 or word in _BUILTINS:
            continue
        if line[match.end() :].lstrip().startswith((".", "[", "=", ")", ",")):
            continue  # read, assigned or passed on: a name (`retain = ...`, `retain.x`, `int(price)`)
        # Same length only (letters swapped or replaced): `raises` is a word, not a misspelt `raise`.
        close = difflib.get_close_matches(word, _KEYWORDS, n=3, cutoff=0.6)
        close = [k for k in close if len(k) == len(word)]
        if close:
            return word, close[0]
    return None


def module_typo(name: str, known: Iterable[str]) -> str | None:
    """The importable module a missing one was probably meant to be: `layer_navie` -> layer_naive."""
    pool = sorted(set(known) - {name})
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.75)
    if not close and "." in name:  # `common.layer` -> common.layers; compare the last parts
        last = name.rsplit(".", 1)[1]
        by_last = {p.rsplit(".", 1)[-1]: p for p in pool if p.rsplit(".", 1)[0] == name.rsplit(".", 1)[0]}
        close = [by_last[c] for c in difflib.get_close_matches(last, list(by_last), n=1, cutoff=0.75)]
    return close[0] if close else None
