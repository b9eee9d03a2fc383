"""The sandbox runtime's bytecode, written by the pool before its first worker starts.

A worker runs `python -B` from a read-only view of grader/inside (grader/sandbox/layout.py): it never writes
bytecode, so wherever a module's pyc is missing or older than its source, every worker start compiles that
module again (~60 modules: 0.3 to 0.6 s of CPU a worker under load, every `grader check` and every batch's
workers; measured in docs/BENCHMARKS.md, sessions 21 and 22). `install.sh` compiles them once, but an editable
install made without it, a source edited since, or a checkout the tests or benchmarks run from has none.

The parent, which already trusts these sources (it imports them), writes the missing ones here, as pip does
at install: timestamp pycs, the ones the worker's importer checks against each source's mtime and size.
Writing is best effort: a runtime the grader's user may not write (a root-owned site-packages) is left as it
is, and the workers compile as before. The check itself is one stat and one 16-byte read a module (~1 ms
for the whole runtime), with `py_compile` imported only when something is to be written.
"""

from __future__ import annotations

import os
from importlib.util import MAGIC_NUMBER, cache_from_source
from pathlib import Path

_HEADER = 16  # magic, flags, source mtime, source size (PEP 552)
_SKIP_DIRS = {"__pycache__"}


def stale_modules(runtime: Path) -> list[str]:
    """The runtime's sources whose bytecode the worker's importer would not use (missing, another Python's,
    hash-based, or older than the source): compiled again at each worker start."""
    stale = []
    for source in _sources(str(runtime)):
        try:
            st = os.stat(source)
            with open(cache_from_source(source), "rb") as f:
                header = f.read(_HEADER)
        except OSError:
            stale.append(source)
            continue
        expected = (
            MAGIC_NUMBER
            + (0).to_bytes(4, "little")
            + (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
            + (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        )
        if header != expected:
            stale.append(source)
    return stale


def compile_runtime(runtime: Path) -> int:
    """Write the bytecode of every stale module of `runtime`; the number written. Stops at the first write
    the file system refuses (a read-only install: every other write would be refused too)."""
    stale = stale_modules(runtime)
    if not stale:
        return 0
    import py_compile  # only when there is something to write: the check above is every pool's cost

    written = 0
    for source in stale:
        try:
            py_compile.compile(
                source, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP
            )
        except py_compile.PyCompileError:
            continue  # a source that does not compile: the worker reports it as it always did
        except OSError:
            break
        written += 1
    return written


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
