"""The submission's bytecode, compiled once in the parent for every student process of its job.

Each student process used to compile the submission's modules itself: in a process just forked from the
sandbox worker that is about 2 ms for a 120-line file (the compiler's allocations fault in fresh pages), and
a job has two such processes (visible cases, then hidden ones). The parent compiles each file once (about
1 ms in its warm process) and the student part of the job carries the result; the student process writes it
where Python's import system looks for it (`__pycache__/NAME.cpython-311.pyc` beside the source) and then
imports exactly as before, without compiling.

The files are checked hash-based pycs (PEP 552): the import system uses one only when the source beside it
hashes the same, so a pyc never stands for other code than the file the student process wrote. A file that
does not compile gets none: the student process compiles it and reports the SyntaxError as it always did. An
interpreter of another version (a Dask worker elsewhere) looks for another file name and compiles for itself.
Compiling is parsing plus code generation; nothing of the submission runs here (the static scan parses the
same files in this process already).
"""

from __future__ import annotations

import importlib.util
import marshal
from collections.abc import Mapping

_CHECKED_HASH_PYC = (0b11).to_bytes(4, "little")  # PEP 552 flags: hash-based, check the source
_UNCOMPILABLE = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


def pyc(source: bytes, relpath: str) -> bytes | None:
    """The pyc file for `source`, as the import system would write it (unoptimised, like the sandbox's
    interpreter runs); None when it does not compile."""
    try:
        code = compile(source, relpath, "exec", dont_inherit=True, optimize=0)
    except _UNCOMPILABLE:
        return None
    header = importlib.util.MAGIC_NUMBER + _CHECKED_HASH_PYC + importlib.util.source_hash(source)
    return header + marshal.dumps(code)


def pyc_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Relative pyc path -> pyc bytes for every Python file of `files` that compiles."""
    out: dict[str, bytes] = {}
    for rel, data in files.items():
        if not rel.endswith(".py"):
            continue
        try:
            where = importlib.util.cache_from_source(rel, optimization="")
        except NotImplementedError:  # an interpreter without a cache tag writes no pyc at all
            return {}
        compiled = pyc(data, rel)
        if compiled is not None:
            out[where] = compiled
    return out
