"""The sandbox runtime's bytecode, written by the pool before its first worker starts.

A worker runs `python -s -P -S -B` with an environment of its own (grader/sandbox/layout.py) from a read-only
view of grader/inside: it never writes bytecode, so wherever a module's pyc is missing or invalid, every
worker start compiles that module again (~60 modules: 0.3 to 0.6 s of CPU a worker under load, every
`grader check` and every batch's workers; measured in docs/BENCHMARKS.md, sessions 21 and 22). `install.sh`
compiles them once, but an editable install made without it, a source edited since, or a checkout the tests
or benchmarks run from has none.

The parent, which already trusts these sources (it imports them), writes the missing ones here, as pip does
at install, and writes them for the worker, not for itself: at the path a worker's importer reads
(`__pycache__/<name>.<cache tag>.pyc`, whatever the parent's own `-O` or PYTHONPYCACHEPREFIX), unoptimized
as the worker runs, and readable by whoever may read the source (the fallback run as root drops its workers
to unprivileged uids, for whom a umask of 077 made them unreadable).

They are timestamp pycs, which the importer checks against each source's mtime (in whole seconds) and size,
written only for a source last changed over SETTLE_SECONDS ago: a source edited again within the second its
pyc was written, to the same size, would otherwise be run from the old pyc by every worker. Checked hash pycs
would close that too, at a read and a hash of every source at each worker start and at each pool's check
(~3 ms for the runtime's 786 KB, measured), where a timestamp pyc costs a stat. Every pyc the importer
accepts counts as written, hash-based ones included (`SOURCE_DATE_EPOCH` makes compileall write those).

Writing is best effort: a folder the grader's user may not write (a root-owned site-packages) is left as it
is, and the workers compile its modules as before. The check itself is one stat and one 16-byte read a
module (~1 ms for the whole runtime), with `py_compile` imported only when something is to be written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from importlib.util import MAGIC_NUMBER, source_hash
from pathlib import Path

_HEADER = 16  # magic, flags, then source mtime and size, or the source's hash (PEP 552)
_SKIP_DIRS = {"__pycache__"}
# A source changed less than this long ago gets no pyc yet (a later pool writes it): see the docstring.
SETTLE_SECONDS = 2.0
_TIMESTAMP, _UNCHECKED_HASH, _CHECKED_HASH = 0b00, 0b01, 0b11
_OTHERS_READ, _OTHERS_ENTER = stat.S_IROTH, stat.S_IROTH | stat.S_IXOTH


def worker_pyc(source: str) -> str | None:
    """The pyc a worker's importer reads for `source` (no -O, no pycache prefix: its flags and environment
    are set whole by the pool); None where this Python caches no bytecode."""
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    head, name = os.path.split(source)
    return os.path.join(head, "__pycache__", f"{os.path.splitext(name)[0]}.{tag}.pyc")


def stale_modules(runtime: Path) -> list[str]:
    """The runtime's sources whose bytecode a worker's importer would not use (missing, another Python's,
    older than the source, or unreadable where the source is readable): compiled again at each worker
    start."""
    if sys.implementation.cache_tag is None:
        return []
    caches: dict[str, os.stat_result | None] = {}  # each __pycache__ folder's, stated once
    return [source for source in _sources(str(runtime)) if not _usable(source, caches)]


def _usable(source: str, caches: dict[str, os.stat_result | None]) -> bool:
    pyc = worker_pyc(source)
    assert pyc is not None
    folder = os.path.dirname(pyc)
    if folder not in caches:
        try:
            caches[folder] = os.stat(folder)
        except OSError:
            caches[folder] = None
    cache = caches[folder]
    if cache is None:
        return False
    try:
        st = os.stat(source)
        with open(pyc, "rb") as f:
            header = f.read(_HEADER)
            readable = _readable_as_source(st, os.fstat(f.fileno()), cache)
    except OSError:
        return False
    if not readable or len(header) != _HEADER or header[:4] != MAGIC_NUMBER:
        return False
    flags = int.from_bytes(header[4:8], "little")
    if flags == _TIMESTAMP:
        return header[8:16] == (
            (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
            + (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        )
    if flags == _UNCHECKED_HASH:  # the importer uses it without looking at the source (an install's choice)
        return True
    if flags == _CHECKED_HASH:
        try:
            with open(source, "rb") as f:
                return source_hash(f.read()) == header[8:16]
        except OSError:
            return False
    return False


def _readable_as_source(source: os.stat_result, pyc: os.stat_result, cache: os.stat_result) -> bool:
    """Whoever may read the source may read its pyc: the workers run as the grader's user, or, for the
    fallback run as root, as the worker's own unprivileged uid, one of the others."""
    if not source.st_mode & _OTHERS_READ:
        return True
    return bool(pyc.st_mode & _OTHERS_READ) and cache.st_mode & _OTHERS_ENTER == _OTHERS_ENTER


def compile_runtime(runtime: Path) -> int:
    """Write the bytecode of every stale module of `runtime` last changed over SETTLE_SECONDS ago; the
    number written. A folder where one write is refused gets no further attempt (a read-only install: each
    attempt would compile its source for nothing); the other folders are written."""
    stale = stale_modules(runtime)
    if not stale:
        return 0
    import py_compile  # only when there is something to write: the check above is every pool's cost

    settled = time.time() - SETTLE_SECONDS
    refused: set[str] = set()
    written = 0
    for source in stale:
        folder = os.path.dirname(source)
        pyc = worker_pyc(source)
        assert pyc is not None
        try:
            st = os.stat(source)
            if folder in refused or not st.st_mtime < settled:
                continue
            py_compile.compile(
                source,
                cfile=pyc,
                doraise=True,
                optimize=0,
                invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP,
            )
            _share_as_source(st, pyc)
        except py_compile.PyCompileError:
            continue  # a source that does not compile: the worker reports it as it always did
        except OSError:
            refused.add(folder)
            continue
        written += 1
    return written


def _share_as_source(source: os.stat_result, pyc: str) -> None:
    """Give the others what they have on the source: read on the pyc, enter and list on its __pycache__
    (py_compile creates both through the umask)."""
    if not source.st_mode & _OTHERS_READ:
        return
    cache = os.path.dirname(pyc)
    cache_mode = stat.S_IMODE(os.stat(cache).st_mode)
    if cache_mode & _OTHERS_ENTER != _OTHERS_ENTER:
        os.chmod(cache, cache_mode | _OTHERS_ENTER | stat.S_IRGRP | stat.S_IXGRP)
    pyc_mode = stat.S_IMODE(os.stat(pyc).st_mode)
    if not pyc_mode & _OTHERS_READ:
        os.chmod(pyc, pyc_mode | _OTHERS_READ | stat.S_IRGRP)


def _sources(top: str) -> list[str]:
    found = []
    stack = [top]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in _SKIP_DIRS:
                        stack.append(entry.path)
                elif entry.name.endswith(".py") and entry.is_file(follow_symlinks=False):
                    found.append(entry.path)
    return sorted(found)


def remove_orphans(runtime: Path) -> int:
    """Remove the bytecode of modules the runtime no longer has (a source moved or deleted since an older
    version compiled it); the number removed. Every file under the runtime is readable by a student process
    (bubblewrap binds it whole), and a pyc is its module's code: the stand-in of the book's common/layers.py,
    moved out of the runtime in session 23 so that no student process can read its math
    (grader/served_standins.py), stayed there as `standins/book/common/__pycache__/layers.*.pyc` for
    `marshal.loads`. Best effort, as writing is: a folder the grader's user may not write keeps its files."""
    removed = 0
    stack = [str(runtime)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            dirs = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
        for path in dirs:
            if os.path.basename(path) != "__pycache__":
                stack.append(path)
                continue
            for name in os.listdir(path):
                if name.endswith(".pyc") and not os.path.exists(
                    os.path.join(folder, name.split(".")[0] + ".py")
                ):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(path, name))
                        removed += 1
    return removed
