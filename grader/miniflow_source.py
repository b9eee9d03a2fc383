"""A MiniFlow program's files as the parent's source readers take them, each file's reading kept by its bytes.

Two readers of a MiniFlow submission's source give the report notes: where gradients are keyed by a node's
name (grader/named_keys.py) and which backward re-creates its gradients dict per outbound node
(grader/recreated_gradients.py). Each walked every Python file of every submission with its own copy of the
gradients attributes and of the file order, named_keys the whole tree, where the static scan has already
walked that very tree (the parse caches share it: pyparse.walked and kinds are kept on it). Reading them here
took ~4.2 million instructions a bench submission off the parent (docs/BENCHMARKS.md, session 31).

Here, once for both:
- the attribute names (`GRADIENTS`, `OUTBOUND`), the lesson's classes by their accepted spellings (`LESSON`);
- the file order (`readings`: path order within the parse budget, the files the student's process loaded first
  when asked: a class one of them defines is the one the module keeps);
- each file's reading, a function of its bytes alone (never of its path: a notebook is read cell by cell from
  its bytes), kept by the bytes' SHA-256 digest: a class hands in the same lesson file many times (half the
  sample files are copies of another), and a kept reading needs no parse at all. Readings are plain data
  (tuples of lines, names, text), never nodes: a kept reading holds no tree alive, nor the file's bytes.
  At most `KEPT_FILES` readings and `KEPT_BYTES` of memory (`sys.getsizeof`: a character of text is 1 to 4
  bytes), least recently used out.
"""

from __future__ import annotations

import ast
import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterator, Mapping
from typing import TypeVar

from grader import parse_cost, pyparse
from grader.inside import aliases

GRADIENTS = frozenset(aliases.MINIFLOW_GRADIENT_ATTRS)
OUTBOUND = frozenset(aliases.MINIFLOW_OUTBOUND_ATTRS)
# each accepted spelling of a lesson class -> the lesson's name (Placeholder -> Input)
LESSON = {s: cls for cls, spellings in aliases.MINIFLOW.items() for s in spellings}

KEPT_FILES = 512
# a reading quotes the student's code: 24 nested keys of a 256 KiB file quoting 60,000 emoji were 2.9 million
# characters, 11 MiB, kept for the rest of a batch while the bound counted characters
KEPT_BYTES = 4 * 1024 * 1024

T = TypeVar("T", bound=Hashable)
# A reader: a file's bytes and tree -> plain hashable data (tuples of str, int, bool), of those alone
Reader = Callable[[bytes, ast.Module], T]

_LOCK = threading.Lock()  # lane threads read notes at once
_UNREAD = object()  # kept for bytes that never parse
_kept: OrderedDict[tuple[Callable[..., object], bytes], tuple[object, int]] = OrderedDict()
_held = [0]  # the bytes the kept readings hold


def readings(
    files: Mapping[str, bytes], reader: Reader[T], loaded: Collection[str] = ()
) -> Iterator[tuple[str, bytes, T]]:
    """(path, source, reader's reading) of each Python file within the parent's parse budget that parses
    (pyparse.python_trees' files), the files in `loaded` first (each group in path order)."""
    python = ((rel, data) for rel, data in files.items() if rel.endswith(".py"))
    taken = [(rel, data) for rel, data, fits in pyparse.within_budget(python) if fits]
    taken.sort(key=lambda file: file[0] not in loaded)  # stable: in path order
    for rel, data in taken:
        found = _reading(reader, rel, data)
        if found is not _UNREAD:
            yield rel, data, found  # type: ignore[misc]


def _reading(reader: Reader[T], rel: str, data: bytes) -> T | object:
    key = (reader, hashlib.sha256(data).digest())
    with _LOCK:
        hit = _kept.get(key)
        if hit is not None:
            _kept.move_to_end(key)
            return hit[0]
    try:  # named as the static scan names it: its parse, kept by (bytes, name), is the one read here
        tree = pyparse.parse_module(data, rel)
    except (SyntaxError, ValueError, parse_cost.CostlyToParse):
        _keep(key, _UNREAD)  # the same bytes never parse
        return _UNREAD
    except (RecursionError, MemoryError):
        return _UNREAD  # of this call's stack and memory, not of the bytes: passed over, never kept
    found = reader(data, tree)  # a reader's own failure is its caller's, as it was before it was kept
    _keep(key, found)
    return found


def _keep(key: tuple[Callable[..., object], bytes], found: object) -> None:
    weight = _weight(found)
    if weight > KEPT_BYTES:
        return
    with _LOCK:
        if key in _kept:
            return
        _kept[key] = (found, weight)
        _held[0] += weight
        while len(_kept) > KEPT_FILES or _held[0] > KEPT_BYTES:
            _held[0] -= _kept.popitem(last=False)[1][1]


def _weight(found: object) -> int:
    """The bytes a reading holds (its weight in the store): its objects' `sys.getsizeof`, a tuple's items
    with it."""
    if isinstance(found, tuple):
        return sys.getsizeof(found) + sum(_weight(x) for x in found)
    return sys.getsizeof(found)


def clear() -> None:
    """Forget every kept reading (tests; a replay's warm-up)."""
    with _LOCK:
        _kept.clear()
        _held[0] = 0


def held() -> tuple[int, int]:
    """(readings kept, bytes they hold): for tests of the bounds."""
    with _LOCK:
        return len(_kept), _held[0]
