"""The submission's objects hashed in the order they are first hashed, not by their address.

An object whose class keeps `object.__hash__` hashes by its address, and the order a set of such objects
iterates in follows the addresses. The course's own `topological_sort` pops the Inputs from a `set`, and a
student file whose result depends on that order (which Input's KeyError is raised first, which node a
one-level sort leaves out) scored 3 on one run and 4 on the next: the addresses of a forked student process
depend on everything its worker did before (DESIGN.md rule 7: same file and seed, same report). A class
built from a file under the submission's root that keeps `object.__hash__` hashes by a serial number
instead, drawn the first time each instance is hashed: the same program hashes in the same order, so its
sets iterate in the same order on every run. Equality stays identity, so every lookup answers as before,
and a correct submission (any topological order will do) scores the same.

Standard library only (runs in the student's process, before the submission's code).
"""

from __future__ import annotations

import builtins
import itertools
import os
import weakref
from collections.abc import Callable
from typing import Any

_object_hash = object.__hash__
_id = id
_serials: dict[int, tuple[int, weakref.ref[Any]]] = {}
_next = [itertools.count(1)]


def serial_hash(self: object) -> int:
    """The instance's serial number, drawn on its first hash; an instance that cannot be weakly referenced
    (`__slots__` without `__weakref__`) keeps its address hash."""
    key = _id(self)
    held = _serials.get(key)
    if held is not None:
        return held[0]
    try:
        ref = weakref.ref(self, lambda _ref, key=key: _serials.pop(key, None))
    except TypeError:
        return _object_hash(self)
    serial = next(_next[0])
    _serials[key] = (serial, ref)  # dropped when the instance dies: a later object at its address is new
    return serial


def restart() -> None:
    """Serials start again at 1 for the next case: its objects hash alike whatever cases ran before it in
    this process (`grader check` runs the visible ones, `grader grade` every one). An instance still alive
    keeps its serial: two equal hashes only cost a set a comparison, and equality is identity."""
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


def install(root: str) -> None:
    """Every class built from a file under `root` from now on that keeps `object.__hash__` hashes by
    serial. Installed once per process, before the submission's first file runs."""
    build = builtins.__build_class__
    if getattr(build, "_stable_hash_root", None) is not None:
        return
    prefix = os.path.realpath(root) + os.sep

    def build_class(func: Callable[..., Any], name: str, *bases: Any, **kwargs: Any) -> Any:
        cls = build(func, name, *bases, **kwargs)
        if isinstance(cls, type) and _submitted(func, prefix) and cls.__hash__ is _object_hash:
            try:
                cls.__hash__ = serial_hash  # type: ignore[assignment,method-assign]
            except (TypeError, AttributeError):  # a metaclass that refuses attributes: addresses it is
                pass
        return cls

    build_class._stable_hash_root = prefix  # type: ignore[attr-defined]
    builtins.__build_class__ = build_class
