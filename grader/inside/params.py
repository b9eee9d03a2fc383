"""The parameters of a callable as (name, kind, has_default): what `inspect.signature` says, read cheaply.

The student's process is asked for them for every class and function a case calls with extras (and for every
`signature` operation), once per callable and process. `inspect.signature` builds Parameter and Signature
objects and, for a class, walks its construction methods: about a tenth of a student process's work in a
batch. The three common cases are read here straight off the code object, as inspect reads them: a plain
function, a method bound to an instance or class, and a class built by its own (or inherited) Python
`__init__` under the plain metaclass. Anything else (a metaclass, a `__new__`, a decorated function carrying
`__wrapped__` or `__signature__`, a builtin, a partial, a callable instance) is inspect's to read.
tests/inside/test_params.py holds the two readings equal.
"""

from __future__ import annotations

import inspect
from types import FunctionType, MethodType
from typing import Any, NamedTuple

POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD = range(5)
_CO_VARARGS, _CO_VARKEYWORDS = inspect.CO_VARARGS, inspect.CO_VARKEYWORDS
# What makes inspect read a function another way: a wrapper chain, an explicit signature, a partialmethod
# (named `_partialmethod` up to Python 3.12, `__partialmethod__` after).
_RETARGETED = ("__wrapped__", "__signature__", "_partialmethod", "__partialmethod__")
_type = type
_object_new = object.__new__


class Param(NamedTuple):
    name: str
    kind: int  # inspect.Parameter's kinds, in its order: 0 positional-only ... 4 var-keyword
    has_default: bool


def parameters(fn: Any) -> list[Param] | None:
    """`fn`'s parameters as `inspect.signature(fn)` gives them; None where it cannot tell."""
    kind = _type(fn)
    try:
        if kind is FunctionType and _plain(fn):
            return _of_function(fn)
        if kind is MethodType and _type(fn.__func__) is FunctionType and _plain(fn.__func__):
            return _bound(_of_function(fn.__func__))
        if kind is type:
            init = _built_by_init(fn)
            if init is not None:
                return _bound(_of_function(init))
    except _Unreadable:
        return None
    try:
        return [
            Param(p.name, int(p.kind), p.default is not p.empty)
            for p in inspect.signature(fn).parameters.values()
        ]
    except (TypeError, ValueError):
        return None


class _Unreadable(Exception):
    """inspect would refuse this signature (ValueError): a bound method with nothing to bind."""


def read_without_code(fn: Any) -> bool:
    """Whether `fn` is a plain function whose parameters are read here with no code of the student's run:
    its defaults, keyword defaults and attributes of the exact builtin types (a subclass, which their setters
    accept, could run its own `__len__` or `__contains__` while they are read), the two dicts keyed by exact
    strings only (a key of the student's class hashed as "__wrapped__" or a parameter's name has its `__eq__`
    run by the lookup: tests/inside/test_adapter_miniflow.py) and nothing retargeting it. Such a reading
    cannot raise, so it may be asked ahead of the case that needs it (server.py)."""
    if _type(fn) is not FunctionType:
        return False
    kwdefaults, attrs = fn.__kwdefaults__, fn.__dict__
    exact = (
        _type(fn.__defaults__) in _TUPLE_OR_NONE
        and _type(kwdefaults) in _DICT_OR_NONE
        and _type(attrs) is dict
    )
    return exact and _str_keys(attrs) and (kwdefaults is None or _str_keys(kwdefaults)) and _plain(fn)


def _str_keys(exact_dict: dict[Any, Any]) -> bool:
    """Whether every key is an exact str (iterating an exact dict runs no code; comparing such keys, none)."""
    return all(_type(key) is str for key in exact_dict)


_TUPLE_OR_NONE = (tuple, type(None))
_DICT_OR_NONE = (dict, type(None))


def _plain(fn: FunctionType) -> bool:
    attrs = fn.__dict__
    return not any(name in attrs for name in _RETARGETED)


def _of_function(fn: FunctionType) -> list[Param]:
    """inspect's `_signature_from_function`: positional, *args, keyword-only, **kwargs, in that order."""
    code = fn.__code__
    positional, posonly, kwonly = code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount
    names, flags = code.co_varnames, code.co_flags
    first_default = positional - len(fn.__defaults__ or ())
    out = [
        Param(names[i], POSITIONAL_ONLY if i < posonly else POSITIONAL_OR_KEYWORD, i >= first_default)
        for i in range(positional)
    ]
    after = positional + kwonly  # the code object keeps *args and **kwargs after the keyword-only names
    if flags & _CO_VARARGS:
        out.append(Param(names[after], VAR_POSITIONAL, False))
        after += 1
    kwdefaults = fn.__kwdefaults__ or {}
    out.extend(
        Param(names[i], KEYWORD_ONLY, names[i] in kwdefaults) for i in range(positional, positional + kwonly)
    )
    if flags & _CO_VARKEYWORDS:
        out.append(Param(names[after], VAR_KEYWORD, False))
    return out


def _bound(params: list[Param]) -> list[Param]:
    """inspect's `_signature_bound_method`: the first positional parameter is the bound one."""
    if not params or params[0].kind in (KEYWORD_ONLY, VAR_KEYWORD):
        raise _Unreadable
    return params if params[0].kind == VAR_POSITIONAL else params[1:]


def _built_by_init(cls: type) -> FunctionType | None:
    """The Python `__init__` that inspect reads for a class under the plain metaclass with no `__new__`
    of its own (object's), nothing in its MRO redirecting the signature; None for any other class."""
    mro = cls.__mro__
    if mro[-1] is not object or cls.__new__ is not _object_new:
        return None
    if any(name in vars(k) for k in mro[:-1] for name in ("__signature__", "__wrapped__", "__new__")):
        return None
    init: Any = cls.__init__  # type: ignore[misc]  # the class attribute (a function), as inspect reads it
    return init if _type(init) is FunctionType and _plain(init) else None
