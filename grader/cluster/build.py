"""Which build of the grader this process runs: a digest of the code that grades, so that a Dask client can
refuse a worker of another build (the adapters that drive student code run on the worker, and a worker of
another build whose replies have the same fields would grade with its own code).

No `distributed` here: the digest is the package's, whichever side asks.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
_DIGEST: str | None = None  # computed once a process (~3 MB of source)


def tree_digest(package: Path, reference: Path, fixtures: Path | None) -> str:
    """SHA-256 of the .py files of `package` (grader/, without the fixtures a wheel carries inside it),
    `reference` (the reference engine, whose mutations name mistakes) and `fixtures` (the assignments' ops
    modules and support files), each by its path under a name of its own root and its bytes, in path order.
    A checkout (fixtures beside the package, `pip install -e .`) and a wheel of the same commit (fixtures at
    grader/fixtures/, setup.py) give one digest; any change of code gives another."""
    roots = [("grader", package, package / "fixtures"), ("reference", reference, None)]
    if fixtures is not None:
        roots.append(("fixtures", fixtures, None))
    digest = hashlib.sha256()
    for name, root, left_out in roots:
        for path in sorted(root.rglob("*.py")):
            if left_out is not None and path.is_relative_to(left_out):
                continue
            relative = f"{name}/{path.relative_to(root).as_posix()}".encode()
            data = path.read_bytes()
            digest.update(b"%d:%s%d:" % (len(relative), relative, len(data)) + data)
    return digest.hexdigest()


def source_digest() -> str:
    """`tree_digest` of this process's grader, reference engine and fixtures, computed once a process."""
    global _DIGEST
    if _DIGEST is None:
        import reference
        from grader.assignments import fixtures_root
        from grader.schema import ConfigError

        try:
            fixtures: Path | None = fixtures_root()
        except ConfigError:  # $GRADER_FIXTURES naming no folder: the digest of the code alone
            fixtures = None
        _DIGEST = tree_digest(PACKAGE, Path(reference.__file__).resolve().parent, fixtures)
    return _DIGEST
