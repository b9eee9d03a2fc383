"""The submission's objects hashed in the order they are first hashed, not by their address.

An object whose class keeps `object.__hash__` hashes by its address, and the order a set of such objects
iterates in follows the addresses. The course's own `topological_sort` pops the Inputs from a `set`, and a
student file whose result depends on that order (which Input's KeyError is raised first, which node a
one-level sort leaves out) scored 3 on one run and 4 on the next: the addresses of a forked student process
depend on everything its worker did before (DESIGN.md rule 7: same file and seed, same report). A class
built from a file under the submission's root that keeps `object.__hash__` hashes by a serial number
instead, drawn the first time each instance is hashed and counted down (`_TOP`): the same program hashes in
the same order, so its sets iterate in the same order on every run. Only a class that also keeps object's
`__eq__` and wrote no `__hash__` of its own: equality stays identity, so every lookup answers as before, and a
correct submission (any topological order will do) scores the same. `@dataclass` decides a class's hash
without ours (`_dataclasses_see_no_hash`).

Standard library only (runs in the student's process, before the submission's code).
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import functools
import itertools
import os
import weakref
from collections.abc import Callable
from typing import Any

from .address import key as _key

_object_hash = object.__hash__
# A class's attributes read, set and deleted as `type` does, past any metaclass of the student's: none of its
# `__getattribute__`, `__setattr__` or `__delattr__` runs for the grader's hash.
_type_get = type.__getattribute__
_type_set = type.__setattr__
_type_del = type.__delattr__
_object_eq = object.__eq__
_DICT = type.__dict__["__dict__"]
_serials: dict[int, tuple[int, weakref.ref[Any]]] = {}
_next = [itertools.count(1)]
# Counted down from here: a set pops the instance hashed last first. Popped in the order they were made, the
# Inputs of a graph built inputs first come out first, an order no sort gets wrong: a sort adding a node to
# the ready set while it still waits for an input (`== 1` for `== 0`) passed on every run; counted down, it
# lists t = Add(Add(x, y), z) before its inner Add, as it does in the course on some runs. Any order is right
# for a right sort: a correct submission scores the same.
_TOP = 1 << 60


def _forget(key: int, _ref: object) -> None:
    _serials.pop(key, None)


def serial_hash(self: object) -> int:
    """The instance's serial number (counted down from `_TOP`), drawn on its first hash; an instance that
    cannot be weakly referenced (`__slots__` without `__weakref__`) keeps its address hash. Keyed by address
    without `id()`, whose audit event ran the grader's hook on every hash (address.py)."""
    key = _key(self)
    held = _serials.get(key)
    if held is not None:
        return held[0]
    try:
        ref = weakref.ref(self, functools.partial(_forget, key))
    except TypeError:
        return _object_hash(self)
    serial = _TOP - next(_next[0])
    _serials[key] = (serial, ref)  # dropped when the instance dies: a later object at its address is new
    return serial


def restart() -> None:
    """Serials start again from the top for the next case: its objects hash alike whatever cases ran before
    it in this process (`grader check` runs the visible ones, `grader grade` every one). An instance still
    alive keeps its serial: two equal hashes only cost a set a comparison, and equality is identity."""
    _next[0] = itertools.count(1)


def is_ours(value: object) -> bool:
    """Whether a class attribute is this module's hash (left out of what a class is said to define)."""
    return value is serial_hash


def _submitted(func: Any, prefix: str) -> bool:
    """Whether a class body was compiled from a file of the submission: the loader compiles them under
    their path relative to the root (the working folder), a package's under its path below the root;
    Python's and numpy's own files have absolute paths elsewhere, exec'd text a name in brackets."""
    filename = getattr(getattr(func, "__code__", None), "co_filename", "")
    if not isinstance(filename, str) or not filename or filename.startswith("<"):
        return False
    return not os.path.isabs(filename) or filename.startswith(prefix)


def _plain(cls: Any) -> bool:
    """Whether a class hashes and compares by identity, inherited from `object`: no `__hash__` of its own
    (one written in the body, even `object.__hash__`, is the student's) and no `__eq__` but object's (a
    serial shared after `restart` would then ask it whether two objects are equal)."""
    try:
        return (
            isinstance(cls, type)
            and "__hash__" not in _DICT.__get__(cls)
            and _type_get(cls, "__hash__") is _object_hash
            and _type_get(cls, "__eq__") is _object_eq
        )
    except Exception:  # a metaclass whose __getattribute__ raises: the address hash
        return False


def _dataclasses_see_no_hash() -> None:
    """`@dataclass` decides a class's `__hash__` by whether its body wrote one (`'__hash__' in
    cls.__dict__`): ours there made a frozen dataclass hash by serial, not by its fields (equal keys no
    longer found), a plain one hashable, and `unsafe_hash=True` raise "Cannot overwrite attribute __hash__"
    at import (review of s27-realmf). It decides without ours: the serial comes back only where the class
    keeps `object.__hash__` (`eq=False`)."""
    process = getattr(dataclasses, "_process_class", None)
    if process is None or getattr(process, "_stable_hash", False):
        return

    def process_class(cls: Any, *args: Any, **kwargs: Any) -> Any:
        ours = isinstance(cls, type) and _DICT.__get__(cls).get("__hash__") is serial_hash
        if ours:
            with contextlib.suppress(Exception):
                _type_del(cls, "__hash__")
        made = process(cls, *args, **kwargs)
        if ours and _plain(made):
            with contextlib.suppress(Exception):
                _type_set(made, "__hash__", serial_hash)
        return made

    process_class._stable_hash = True  # type: ignore[attr-defined]
    dataclasses._process_class = process_class  # type: ignore[attr-defined]


def install(root: str) -> None:
    """Every class built from a file under `root` from now on that keeps `object.__hash__` (and object's
    `__eq__`) hashes by serial. Installed once per process, before the submission's first file runs."""
    build = builtins.__build_class__
    if getattr(build, "_stable_hash_root", None) is not None:
        return
    prefix = os.path.realpath(root) + os.sep
    _dataclasses_see_no_hash()

    def build_class(func: Callable[..., Any], name: str, *bases: Any, **kwargs: Any) -> Any:
        cls = build(func, name, *bases, **kwargs)
        if _submitted(func, prefix) and _plain(cls):
            # set past the class's metaclass: a student's `__setattr__` (one refusing sets from outside its
            # file, as a Config guarding enable_backprop) must neither run nor refuse here, where the
            # submission's own load would stop; an immutable class keeps the address hash
            with contextlib.suppress(Exception):
                _type_set(cls, "__hash__", serial_hash)
        return cls

    build_class._stable_hash_root = prefix  # type: ignore[attr-defined]
    builtins.__build_class__ = build_class  # type: ignore[assignment]
