"""The negative controls of unlisting (grader/inside/unlisted.py) and of the audit hook
(grader/inside/audit.py): with them no-ops in the runtime the workers run, the samples they contain get
through. Without it, test_containment.py's passing samples would prove nothing about either (review of
s21-hostile: no control showed that any of their routes breaches when unlisting is off). The audit hook
refuses what unlisting refuses too (a module written at run time), so unlisting's control turns both off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hostile_harness import BREACH, HOSTILE_DIR, grade
from runtime_variants import NO_AUDIT, NO_UNLIST, pool_without


@pytest.fixture(scope="module")
def unlisting_off_pool() -> Iterator[Any]:
    yield from pool_without({"unlisted.py": NO_UNLIST, "audit.py": NO_AUDIT})


@pytest.fixture(scope="module")
def audit_off_pool() -> Iterator[Any]:
    yield from pool_without({"audit.py": NO_AUDIT})


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
        # session 23: objects bound to own names (not a class/def), named by a pickle held in memory
        "own_attribute_exec_pickle.py",
        "own_alias_pickle_routes.py",
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
