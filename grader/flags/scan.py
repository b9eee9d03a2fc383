"""Scan a submission's files in the parent and return flags for staff (see grader/flags/__init__.py).

Each rule family is one entry of `RULES` and yields `Hit`s; the scan keeps one per (line, code) and at most
MAX_PER_CODE of each code, then dresses those as `Flag`s (file, cleaned text, the source line). A file the
rules cannot handle (too large, too deep, or a bug in a rule) becomes a `not_scanned` flag instead of an
error, so the scan never costs a submission its grade.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from grader import pyparse
from grader.flags import read_as_python
from grader.flags.model import Flag, Hit
from grader.flags.namespace_writes import namespace_flags
from grader.flags.numerical import numerical_flags
from grader.flags.pickled import MAX_SUBMISSION_OPS, OpBudget
from grader.flags.pickled import describe as pickled
from grader.flags.runtime import runtime_flags
from grader.flags.source import Source, Unscannable, flagged_local_names, parse
from grader.parse_cache import bounded_cache

MAX_PER_CODE = 10  # per submission: enough to point staff at the code, bounded whatever the file holds
# Python source parsed per submission (each file also has its own cap, MAX_SOURCE_BYTES): the scan costs the
# parent under a second or two whatever a submission holds (the loader admits 8 MiB).
MAX_SCAN_BYTES = pyparse.MAX_PARSED_BYTES
OPAQUE_SUFFIXES = frozenset({".pyc", ".pyo", ".so", ".pyd", ".dylib"})
# What a file writes to reach optparse's Values with no other flag on the way: the module's name, or that of
# the one module of the standard library holding it at its top (lib2to3.main: `getattr(lib2to3.main,
# "\x6fptparse")` names optparse only in a string's value, 43 / 43 and no flag until session 38, sample
# miniflow/hidden_code_optparse_escaped.py; tests/flags/test_read_as_python.py reads the installed library)
OPTPARSE_WORDS = ("optparse", "lib2to3")


@dataclass(frozen=True)
class ScanContext:
    graded: frozenset[str] = frozenset()  # names the assignment grades (classes and functions)
    forbidden: Mapping[str, str] = field(default_factory=dict)  # the assignment's forbidden imports -> code
    # A Python file of the submission names optparse or lib2to3 (OPTPARSE_WORDS; its text, as Python reads
    # it, holds the word: read_as_python.py): optparse's Values, which runs a file by path, may be handed to
    # any other file (runtime.py OPTPARSE_RUNNERS)
    optparse: bool = False
    # The submission holds one Python file (or notebook): no other file can call its functions
    # (namespace_writes: a key handed only literal names by the file's own calls)
    alone: bool = False

    @property
    def key(self) -> tuple[frozenset[str], tuple[tuple[str, str], ...], bool, bool]:
        """The context as a key of the kept flags (its mapping as ordered items)."""
        return self.graded, tuple(self.forbidden.items()), self.optparse, self.alone


Rule = Callable[[Source, ScanContext], Iterable[Hit]]

RULES: dict[str, Rule] = {
    "runtime": lambda src, ctx: runtime_flags(src, ctx.forbidden, ctx.optparse),
    "numerical": lambda src, ctx: numerical_flags(src, ctx.graded),
    "namespace_writes": lambda src, ctx: namespace_flags(src, ctx.alone),
}


def _kept(hits: Iterable[Hit]) -> list[Hit]:
    """One hit per (line, code), in line order, at most MAX_PER_CODE of each code."""
    first: dict[tuple[int, str], Hit] = {}
    for hit in hits:
        first.setdefault((hit.line, hit.code), hit)
    out: list[Hit] = []
    counts: dict[str, int] = {}
    for key in sorted(first):
        counts[key[1]] = counts.get(key[1], 0) + 1
        if counts[key[1]] <= MAX_PER_CODE:
            out.append(first[key])
    return out


def _scan_file(rel: str, data: bytes, local: frozenset[str], ctx: ScanContext, ops: OpBudget) -> list[Flag]:
    if PurePosixPath(rel).suffix.lower() == ".py" and type(data) is bytes:
        return _python_flags(rel, data, local, ctx)
    return _read_file(rel, data, local, ctx, ops)


class _NotKept(Exception):
    """A file's flags that depend on more than its text (a not_scanned flag: the stack's depth, the memory
    left, a bug): handed to the caller, never kept."""

    def __init__(self, flags: list[Flag]) -> None:
        self.flags = flags


# A Python file's flags are a function of its path, its bytes, the submission's own module names and the
# assignment's context (ScanContext): kept for the next submission of the batch handing in the same file (the
# book's common/ or dezero/ copied by most of a class: half the sample files are copies of another), keyed
# by those exactly, the bytes by their digest (`_Text`). At most KEPT_SCAN_FILES files, a few dozen bytes of
# flags and key each, the least recently used first out.
KEPT_SCAN_FILES = 512
_KEPT_LOCK = threading.Lock()


class _Text:
    """A file's bytes in a kept key: equal by their SHA-256 digest, holding the bytes only while their scan
    runs. A key that held the bytes kept the last 512 files in the batch parent to its end, and a class of
    all-different files (each carrying its student's number) keeps them to no use: ~1.7 MB of the bench
    class's source (3.4 KB a file)."""

    __slots__ = ("data", "digest")

    def __init__(self, data: bytes) -> None:
        self.digest = hashlib.sha256(data).digest()
        self.data: bytes | None = data

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Text) and other.digest == self.digest


def _python_flags(rel: str, data: bytes, local: frozenset[str], ctx: ScanContext) -> list[Flag]:
    text = _Text(data)
    with _KEPT_LOCK:
        try:
            # the rules in the key: a rule added or replaced (a test's) never meets another's flags
            return list(_kept_flags(rel, text, local, ctx.key, tuple(RULES.items())))
        except _NotKept as not_kept:
            return not_kept.flags
        finally:
            text.data = None  # a key kept now holds the digest alone


@bounded_cache(KEPT_SCAN_FILES, KEPT_SCAN_FILES, weight=lambda *_: 1)
def _kept_flags(
    rel: str,
    text: _Text,
    local: frozenset[str],
    key: tuple[frozenset[str], tuple[tuple[str, str], ...], bool, bool],
    rules: tuple[tuple[str, Rule], ...],
) -> tuple[Flag, ...]:
    graded, forbidden, optparse, alone = key
    ctx = ScanContext(graded, dict(forbidden), optparse, alone)
    assert text.data is not None  # a key's bytes are dropped only once its scan is over
    flags = _read_file(rel, text.data, local, ctx, OpBudget(0))  # a Python file reads no pickle
    if any(flag.code == "not_scanned" for flag in flags):
        raise _NotKept(flags)
    return tuple(flags)


def _read_file(rel: str, data: bytes, local: frozenset[str], ctx: ScanContext, ops: OpBudget) -> list[Flag]:
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix in OPAQUE_SUFFIXES:
        return [Flag.make("opaque_module", rel, 0, f"ships a compiled {suffix} file: nobody can read it")]
    try:
        if suffix != ".py":
            loaded = pickled(data, ops)  # a data file that runs code when loaded (grader/flags/pickled.py)
            return [Flag.make("opaque_module", rel, 0, loaded)] if loaded else []
        src = parse(rel, data, local)
        if src is None:
            return []
        hits = _kept(hit for rule in RULES.values() for hit in rule(src, ctx))
        return [Flag.make(h.code, rel, h.line, h.summary, src.line(h.line)) for h in hits]
    except Unscannable as why:
        return [Flag.make("not_scanned", rel, 0, f"not scanned: {why}")]
    except (RecursionError, MemoryError) as exc:
        return [Flag.make("not_scanned", rel, 0, f"not scanned: too deeply nested ({type(exc).__name__})")]
    except Exception as exc:  # a bug in a rule costs this file's scan, never the submission's grade
        failed = f"the scan failed on this file: {type(exc).__name__}: {exc}"
        return [Flag.make("not_scanned", rel, 0, failed)]


def _capped(flags: Iterable[Flag]) -> tuple[Flag, ...]:
    """Across files: in file and line order, at most MAX_PER_CODE of each code."""
    out: list[Flag] = []
    counts: dict[str, int] = {}
    for flag in sorted(flags, key=lambda f: f.sort_key):
        counts[flag.code] = counts.get(flag.code, 0) + 1
        if counts[flag.code] <= MAX_PER_CODE:
            out.append(flag)
    return tuple(out)


def scan_submission(
    files: Mapping[str, bytes],
    *,
    graded: Iterable[str] = (),
    forbidden_imports: Iterable[str] = (),
) -> tuple[Flag, ...]:
    """Flags for every file of a submission (`SubmissionFiles.files`): parsed, never executed."""
    # one bytes search a file (~1 us for 10 KiB); decoded and normalised past it only when not plain ASCII
    # or when it has a coding line
    optparse = any(
        read_as_python.names(data, word)
        for rel, data in files.items()
        if rel.lower().endswith(".py")
        for word in OPTPARSE_WORDS
    )
    alone = sum(rel.lower().endswith((".py", ".ipynb")) for rel in files) == 1
    ctx = ScanContext(
        frozenset(graded), dict.fromkeys(forbidden_imports, "autodiff_library"), optparse, alone
    )
    local = flagged_local_names(files)
    flags: list[Flag] = []
    budget = MAX_SCAN_BYTES
    ops = OpBudget(MAX_SUBMISSION_OPS)  # the pickle reader's, shared by every data file
    for rel in sorted(files):
        data = files[rel]
        python = PurePosixPath(rel).suffix.lower() == ".py"
        if python and len(data) > budget:
            why = f"not scanned: the submission's Python files pass the scan's {MAX_SCAN_BYTES} bytes"
            flags.append(Flag.make("not_scanned", rel, 0, why))
            continue
        budget -= len(data) if python else 0
        flags.extend(_scan_file(rel, data, local, ctx, ops))
    return _capped(flags)
