"""Which build of the grader this process runs: a digest of the package's own Python source, so that a Dask
client can refuse a worker of another build (the adapters that drive student code run on the worker, and a
worker of another build whose replies have the same fields would grade with its own code).

No `distributed` here: the digest is the package's, whichever side asks.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
_DIGEST: str | None = None  # computed once a process (~3 MB of source)


def source_digest() -> str:
    """SHA-256 of every .py file of the installed `grader` package, each by its path in the package and its
    bytes, in path order: two installs of the same commit or wheel agree, any change of code differs."""
    global _DIGEST
    if _DIGEST is None:
        digest = hashlib.sha256()
        for path in sorted(PACKAGE.rglob("*.py")):
            relative = path.relative_to(PACKAGE).as_posix().encode()
            data = path.read_bytes()
            digest.update(b"%d:%s%d:" % (len(relative), relative, len(data)) + data)
        _DIGEST = digest.hexdigest()
    return _DIGEST
