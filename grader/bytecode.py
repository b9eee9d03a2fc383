"""The submission's bytecode, compiled once in the parent for every student process of its job.

Each student process used to compile the submission's modules itself: in a process just forked from the
sandbox worker that is about 2 ms for a 120-line file (the compiler's allocations fault in fresh pages), and
a job has two such processes (visible cases, then hidden ones). The parent compiles each file once (about
1 ms in its warm process) and the student part of the job carries the result; the student process writes it
where the submission's loader looks for it (`__pycache__/NAME.cpython-311.opt-lazyannotations.pyc` beside the
source: compiled, as that loader compiles, with annotations unevaluated, grader/inside/lazy_annotations.py,
under a name Python's own loaders never read) and then imports exactly as before, without compiling. A file
handed in byte for byte by many students (the book's common/ files) is compiled once a batch (`KeptCode`).

The files are checked hash-based pycs (PEP 552): the import system uses one only when the source beside it
hashes the same, so a pyc never stands for other code than the file the student process wrote. A pyc is only
ever a speed-up, so anything doubtful gets none and the student process compiles the file itself, exactly as
it did before: a file that does not compile (it reports the SyntaxError), one whose compiling warns (the
student sees the SyntaxWarning in their own output, not the grader's terminal), a file over
`MAX_COMPILED_SOURCE` (compiling is work outside the sandbox's limits: a few kilobytes of constant folding
can make megabytes of code), a file the compiler would work on in more than linear time
(grader/compile_cost.py: 17 KB of one `match` case's captures took 1 s and 650 MB), a code object marshal
refuses (nested too deep), a file past `MAX_JOB_COMPILED_SOURCE` of the job's source compiled before it, a
pyc over `MAX_PYC_FACTOR` times its source or past `MAX_JOB_BYTECODE` for the job, and a pyc whose path the
sandbox would refuse or that clashes with a file of the submission. An interpreter of another version (a
Dask worker elsewhere) looks for another file name and compiles for itself.
"""

from __future__ import annotations

import hashlib
import marshal
import posixpath
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from grader import compile_cost, parse_cost, pyparse, quiet
from grader.inside.lazy_annotations import FLAGS as LAZY_ANNOTATIONS
from grader.inside.lazy_annotations import cache_path as lazy_cache_path
from grader.inside.lazy_annotations import pyc_header
from grader.inside.paths import UnsafePath, check_relpath

MAX_COMPILED_SOURCE = 64 * 1024  # real student files are a few KiB; compiling 64 KiB takes ~0.1 s at worst
MAX_PYC_FACTOR = 16  # a pyc is about twice its source; constant folding can make it 300 times
MAX_JOB_BYTECODE = 4 << 20
# Source compiled in the parent per job: a job of 130 files of 60 KiB was compiled whole (~4 s of the
# parent's CPU) to keep the 15 pycs that fit MAX_JOB_BYTECODE. Past this, the student processes compile.
MAX_JOB_COMPILED_SOURCE = 512 * 1024
_UNCOMPILABLE = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


def pyc(source: bytes, relpath: str) -> bytes | None:
    """The pyc file for `source`, as the import system would write it (unoptimised, like the sandbox's
    interpreter runs); None when the student process had better compile it itself."""
    if len(source) > MAX_COMPILED_SOURCE:
        return None
    try:
        tree = pyparse.parse(source, relpath)  # the scans' tree (cached), its f-strings' cost bounded first
    except (parse_cost.CostlyToParse, *_UNCOMPILABLE):
        return None
    if compile_cost.too_costly(tree):  # the compiler's superlinear work (grader/compile_cost.py)
        return None
    data = KEPT.marshalled(source, relpath, _marshalled)
    if data is None or len(data) > MAX_PYC_FACTOR * max(len(source), 4096):
        return None
    return pyc_header(source) + data


def _marshalled(source: bytes, relpath: str) -> bytes | None:
    """The file's code object as marshal writes it; None when compiling fails or warns, or marshal refuses."""
    with quiet.recorded() as raised:  # one compile at a time records its own warnings (grader/quiet.py)
        try:
            # As the student process compiles the submission's files: annotations never evaluated
            code = compile(source, relpath, "exec", flags=LAZY_ANNOTATIONS, dont_inherit=True, optimize=0)
        except _UNCOMPILABLE:
            return None
    if raised:
        return None
    try:
        return marshal.dumps(code)
    except ValueError:  # "too deeply nested to marshal": the student's process compiles it
        return None


class KeptCode:
    """Marshalled code by file path and the SHA-256 of the file's bytes: most of a class hands in the book's
    common/ files (or a starter's helper) byte for byte, and the parent compiled every copy again (~1 ms a
    file; session 34). The path is the code objects' file name, so only the same file at the same path shares
    an entry. Only code that compiled cleanly is kept (a failure is met again, as before), at most `count`
    entries and `max_bytes` of code together, the least recently used first out: the bench class of files
    that all differ keeps `count` files' code (~10 KB each) to no use, and no more."""

    def __init__(self, count: int, max_bytes: int) -> None:
        self.count, self.max_bytes = count, max_bytes
        self._entries: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # the job builders of a pool's lanes build jobs at once

    def marshalled(
        self, source: bytes, relpath: str, compiled: Callable[[bytes, str], bytes | None]
    ) -> bytes | None:
        key = (relpath, hashlib.sha256(source).digest())
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None:
                self._entries.move_to_end(key)
                return kept
        data = compiled(source, relpath)  # outside the lock: another lane's job need not wait for it
        if data is not None and len(data) <= self.max_bytes:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = data
                    self._bytes += len(data)
                while len(self._entries) > self.count or self._bytes > self.max_bytes:
                    _, dropped = self._entries.popitem(last=False)
                    self._bytes -= len(dropped)
        return data

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


KEPT_CODE_FILES = 64
KEPT = KeptCode(KEPT_CODE_FILES, MAX_JOB_BYTECODE)


def _cache_path(relpath: str) -> str | None:
    """Where the submission's loader looks for the bytecode of `relpath` (a name of its own:
    grader/inside/lazy_annotations.py); None for an interpreter without a cache tag."""
    try:
        return lazy_cache_path(relpath)
    except NotImplementedError:
        return None


def _writable(where: str, taken: set[str]) -> bool:
    """The student process can write it: a path the sandbox's own check accepts, in a folder no file of the
    job already holds the name of (a notebook may write a file called __pycache__), and no file's own path."""
    try:
        check_relpath(where)
    except UnsafePath:
        return False
    return where not in taken and posixpath.dirname(where) not in taken


def pyc_files(files: Mapping[str, bytes], others: Iterable[str] = ()) -> dict[str, bytes]:
    """Relative pyc path -> pyc bytes for the Python files of `files` worth one; `others` are the paths of
    the job's other files (the support files), which a pyc must not clash with either."""
    taken = {*files, *others}
    out: dict[str, bytes] = {}
    total = 0
    budget = MAX_JOB_COMPILED_SOURCE
    for rel, data in sorted(files.items()):
        if not rel.endswith(".py"):
            continue
        where = _cache_path(rel)
        if where is None:
            return {}
        if not _writable(where, taken) or len(data) > budget or total >= MAX_JOB_BYTECODE:
            continue
        budget -= len(data) if len(data) <= MAX_COMPILED_SOURCE else 0
        compiled = pyc(data, rel)
        if compiled is None or total + len(compiled) > MAX_JOB_BYTECODE:
            continue
        out[where] = compiled
        total += len(compiled)
    return out


def fitting(layer: Mapping[str, str], submission: Iterable[str], support: Iterable[str]) -> dict[str, str]:
    """The pycs of `layer` (the support files', compiled once a run) that fit this job: none for a source
    the submission replaces with a file of its own, none that clashes with a file of the job."""
    own = set(submission)
    taken = own | set(support)
    replaced = {_cache_path(r) for r in own if r.endswith(".py")}
    return {where: data for where, data in layer.items() if where not in replaced and _writable(where, taken)}
