"""The negative controls of unlisting (grader/inside/unlisted.py) and of the audit hook
(grader/inside/audit.py): with them no-ops in the runtime the workers run, the samples they contain get
through. Without it, test_containment.py's passing samples would prove nothing about either (review of
s21-hostile: no control showed that any of their routes breaches when unlisting is off). The audit hook
refuses what unlisting refuses too (a module written at run time), so unlisting's control turns both off."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import BREACH, HOSTILE_DIR, grade

# Appended to the runtime's copy: the later definition is the one the worker calls
NO_UNLIST = (
    "\n\ndef unlist(package: str) -> None:  # the negative control: nothing is taken away\n    return None\n"
)
NO_AUDIT = "\n\ndef install(own: Any) -> None:  # the negative control: no hook\n    return None\n"


def _pool_without(appended: dict[str, str]) -> Iterator[Any]:
    """A pool (rlimits: the mode any host has) whose workers run a copy of the runtime with the functions in
    `appended` (file -> definition) no-ops. The copy lives in a folder the dropped worker (uid 65534 when run
    as root) can read."""
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
    mp.setattr(pool, "host_layout", lambda: dataclasses.replace(real, inside_dir=runtime))
    try:
        with sandbox.SandboxPool(1, isolation="rlimits", scratch_mib=64) as p:
            yield p
    finally:
        mp.undo()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def unlisting_off_pool() -> Iterator[Any]:
    yield from _pool_without({"unlisted.py": NO_UNLIST, "audit.py": NO_AUDIT})


@pytest.fixture(scope="module")
def audit_off_pool() -> Iterator[Any]:
    yield from _pool_without({"audit.py": NO_AUDIT})


@pytest.mark.parametrize("name", ["runtime_module_by_name.py", "runtime_by_walk_stack.py"])
def test_a_sample_unlisting_contains_breaches_with_unlisting_off(
    name: str, unlisting_off_pool: Any, miniflow_plan: Any
) -> None:
    """The same file test_containment.py finds contained (the starter's score, no breach) imports its
    module written at run time and earns full marks once the runtime's modules and the bootstrap's `m` stay
    listed."""
    graded = grade(unlisting_off_pool, miniflow_plan, HOSTILE_DIR / name)
    breaches = [line for line in graded.output.splitlines() if BREACH in line]
    assert breaches, f"unlisting off, the attack should get through: {graded.output[:600]!r}"
    assert graded.report.score == graded.report.max_score, graded.output[:600]


@pytest.mark.parametrize(
    "name",
    [
        "runtime_by_traceback.py",
        "runtime_by_closurevars.py",
        "pickle_guard_closurevars.py",
        "runtime_bars_all_off.py",
        # the review of s22-walls's routes to the hook itself and around its exec check
        "hook_cells_by_gc_objects.py",
        "hook_cells_by_gc_referents.py",
        "runpy_relative_written.py",
        "loader_code_as_function.py",
        "loader_code_assigned.py",
    ],
)
def test_a_sample_the_audit_hook_contains_breaches_with_the_hook_off(
    name: str, audit_off_pool: Any, miniflow_plan: Any
) -> None:
    """The same file test_containment.py finds contained gets through once the runtime adds no audit hook:
    the in-process bars alone do not hold it."""
    graded = grade(audit_off_pool, miniflow_plan, HOSTILE_DIR / name)
    breaches = [line for line in graded.output.splitlines() if BREACH in line]
    assert breaches, f"audit hook off, the attack should get through: {graded.output[:600]!r}"
    assert graded.report.score == graded.report.max_score, graded.output[:600]
