"""Sandbox pools whose workers run a copy of the runtime (grader/inside/) with some of its functions made
no-ops: the negative controls of the walls those functions build (the audit hook, unlisting). A wall's test
passing proves nothing unless the same probe gets through with the wall off."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Appended to the runtime's copy: the later definition is the one the worker calls
NO_UNLIST = (
    "\n\ndef unlist(package: str) -> None:  # the negative control: nothing is taken away\n    return None\n"
)
NO_AUDIT = (
    "\n\ndef install(own: Any, defined: Any = frozenset()) -> None:  # the negative control: no hook\n"
    "    return None\n"
)


def pool_without(appended: dict[str, str], isolation: str = "rlimits", **pool_args: Any) -> Iterator[Any]:
    """A one-worker pool (rlimits by default: the mode any host has) whose workers run a copy of the runtime
    with the functions in `appended` (file -> definition) no-ops. The copy lives in a folder the dropped
    worker (uid 65534 when run as root) can read."""
    sandbox = pytest.importorskip("grader.sandbox")
    from grader.sandbox import layout, pool

    real = layout.host_layout()
    root = Path(tempfile.mkdtemp(prefix="grader-unlist-off-"))
    root.chmod(0o755)
    runtime = root / "inside"
    shutil.copytree(real.inside_dir, runtime, ignore=shutil.ignore_patterns("__pycache__"))
    for name, definition in appended.items():
        with (runtime / name).open("a", encoding="utf-8") as fh:
            fh.write(definition)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    mp = pytest.MonkeyPatch()
    mp.setattr(pool, "host_layout", lambda: real._replace(inside_dir=runtime))
    try:
        with sandbox.SandboxPool(1, isolation=isolation, scratch_mib=64, **pool_args) as p:
            yield p
    finally:
        mp.undo()
        shutil.rmtree(root, ignore_errors=True)
