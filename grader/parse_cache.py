"""The parent's caches of parsed student source, bounded by the source they hold as well as by their count.

The parent's readers of a submission (the static scan, the stage scan, the defined names, the pyc, the notes)
parse the same files one after the other, so the last few trees are kept (grader/pyparse.py,
grader/flags/source.py). A tree costs about 200 bytes a node, and a dense file has a node every two bytes: one
250 KB line of `f(a, a, a, ...)` is 52 MB of tree. Kept by count alone (functools.lru_cache, 16 scanned
sources), 16 such files held 850 MB of the batch parent's memory for as long as it ran, whatever it graded
next. Here an entry is also weighed by its source's bytes, and the oldest go once the cache holds more than
`max_bytes`: one submission's parse budget (pyparse.MAX_PARSED_BYTES) keeps the sharing between readers of
a submission and holds at most about 210 MB of such trees.
"""

from __future__ import annotations

import functools
import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class _Raised:
    """A remembered failure: its type, arguments and attributes, raised as a new exception on every call
    (the first one's included). Raising the same object again carried one caller's __context__ and
    __traceback__ (and so their frames' locals, kept alive) into the next caller's error (review of
    s25-huntin, finding 6)."""

    def __init__(self, error: BaseException, depth: int | None = None) -> None:
        self.kind = type(error)
        self.args = error.args
        self.state = dict(getattr(error, "__dict__", {}))
        self.depth = depth  # the stack depth it was met at, for a failure that depends on it
        self._limit = sys.getrecursionlimit()

    def holds_at(self, depth: int) -> bool:
        """Whether a caller `depth` frames down meets it too: always, or at the depth it was met or deeper
        (with the same recursion limit)."""
        return self.depth is None or (depth >= self.depth and sys.getrecursionlimit() <= self._limit)

    def fresh(self) -> BaseException:
        error = self.kind(*self.args)
        error.__dict__.update(self.state)
        return error


class BoundedCache(Generic[P, R]):
    """`function` memoised on its arguments, least recently used first out, at most `maxsize` entries whose
    `weight`s add up to at most `max_bytes` (an entry heavier than that alone is returned, never kept).
    Exceptions are not cached, but those of the types in `remember`: a failure the same arguments always
    give, which may be costly to reach (the parent's readers asked for one six times: session 25), and those
    of the types in `remember_by_depth`, which depend on the caller's stack depth as much as on the
    arguments (RecursionError: a parse 300 frames down fails where a shallow caller's succeeds, review of
    s25-huntin, finding 5): kept with the depth of the call that met it, and raised again only for a caller
    as deep or deeper; a shallower one calls again (and its outcome replaces the entry). Depth is counted in
    Python frames, which the interpreter's recursion count also counts (with its C-level calls, which a
    deeper caller rarely has fewer of). Not locked: its callers hold their own lock."""

    def __init__(
        self,
        function: Callable[P, R],
        maxsize: int,
        max_bytes: int,
        weight: Callable[..., int],
        remember: tuple[type[BaseException], ...] = (),
        remember_by_depth: tuple[type[BaseException], ...] = (),
    ) -> None:
        self._function = function
        self._maxsize, self._max_bytes, self._weight = maxsize, max_bytes, weight
        self._remember, self._remember_by_depth = remember, remember_by_depth
        self._entries: OrderedDict[Hashable, tuple[R | _Raised, int]] = OrderedDict()
        self._bytes = 0
        functools.update_wrapper(self, function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key: Hashable = (args, tuple(sorted(kwargs.items())))
        hit = self._entries.get(key)
        depth = _depth() if self._remember_by_depth else 0
        if hit is not None and (not isinstance(hit[0], _Raised) or hit[0].holds_at(depth)):
            self._entries.move_to_end(key)
            return _result(hit[0])
        value: R | _Raised
        try:
            value = self._function(*args, **kwargs)
        except self._remember as error:
            value = _Raised(error)
        except self._remember_by_depth as error:
            value = _Raised(error, depth)
        if hit is not None:  # met deeper down before: this shallower call's outcome replaces it
            self._bytes -= self._entries.pop(key)[1]
        weight = self._weight(*args, **kwargs)
        if weight <= self._max_bytes:
            self._entries[key] = (value, weight)
            self._bytes += weight
            while len(self._entries) > self._maxsize or self._bytes > self._max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return _result(value)

    def cache_clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    @property
    def held_bytes(self) -> int:
        """The weight of what is kept (for tests: the bound holds)."""
        return self._bytes


def _depth() -> int:
    """The caller's stack depth in Python frames (~2 us at 100 frames)."""
    frame, depth = sys._getframe(1), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1  # type: ignore[assignment]
    return depth


def _result(value: R | _Raised) -> R:
    if isinstance(value, _Raised):
        raise value.fresh()
    return value


def bounded_cache(
    maxsize: int,
    max_bytes: int,
    weight: Callable[..., int],
    remember: tuple[type[BaseException], ...] = (),
    remember_by_depth: tuple[type[BaseException], ...] = (),
) -> Callable[[Callable[P, R]], BoundedCache[P, R]]:
    """A decorator making a BoundedCache of the function."""

    def wrap(function: Callable[P, R]) -> BoundedCache[P, R]:
        return BoundedCache(function, maxsize, max_bytes, weight, remember, remember_by_depth)

    return wrap


def source_bytes(source: str | bytes, *_: Any) -> int:
    """The weight of a cached parse: its source's length (the first argument)."""
    return len(source)
