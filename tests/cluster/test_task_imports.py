"""A Dask worker imports the grader's code it grades with as its sandbox starts, never later: a grader
installed again over a running worker would otherwise be read the first time a task needs a module, code of
another build than the one the worker says it runs (docs/DASK.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.cluster.executor import DaskExecutor
from grader.pipeline import RunPlan

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
# A step-24 file that plots with matplotlib: its load reports the stand-in it used, which the frames' parser
# reads with grader.inside.standins (grader/sandbox/frames.py `_standin_name`)
PLOTS = REPO / "submissions" / "dezero" / "step24_mpl_surface.py"


def _grader_modules() -> list[str]:
    """Run on the worker (Client.run): the grader's and the reference engine's modules it has imported."""
    import sys

    return sorted(m for m in sys.modules if m.split(".")[0] in ("grader", "reference"))


def test_a_task_imports_no_module_of_the_grader_after_the_workers_setup() -> None:
    """A worker's modules of the grader after it graded a submission whose load used stand-ins (shown: its
    report names them) are those it had at setup. Before, the task imported grader.inside.standins and its
    submodules (11 modules) on the first reply that named one."""
    assignment = load_assignment("dezero")
    plan = RunPlan.create(assignment, 11, cases_for_run(assignment, 11))
    executor = DaskExecutor.local(workers=1, sandboxes_per_worker=1, isolation="auto")
    try:
        (before,) = executor.client.run(_grader_modules).values()
        (graded,) = executor.grade(plan, [("kim", PLOTS)])
        (after,) = executor.client.run(_grader_modules).values()
    finally:
        executor.close()
    assert graded.report.to_dict()["load"]["standins"], graded.report.to_dict()["load"]
    assert sorted(set(after) - set(before)) == []
