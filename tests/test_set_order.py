"""The same file and seed, graded in fresh worker processes, gives the same report whatever set order its
objects' addresses would give (grader/inside/stable_hash.py; DESIGN.md rule 7)."""

from __future__ import annotations

import json
from pathlib import Path

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.pipeline import RunPlan, grade_one
from grader.sandbox import SandboxPool

SAMPLES = Path(__file__).resolve().parent.parent / "submissions" / "miniflow"
RUNS = 5


def _cases(path: Path, stage: str | None = None) -> list[str]:
    assignment = load_assignment("miniflow")
    plan = RunPlan.create(assignment, 7, cases_for_run(assignment, 7, stage=stage), stage=stage)
    with SandboxPool(jobs=1) as pool:  # a fresh worker: its student processes lay objects out anew
        report = grade_one(plan, path, pool).report.to_dict()
    return [json.dumps([c["id"], c["status"], c.get("message")]) for c in report["cases"]]


def test_an_input_popped_from_a_set_is_named_alike_on_every_run() -> None:
    """input_gradient_not_started.py's Input.backward raises KeyError on whichever Input the course's
    topological_sort pops first from its set: the message named X, y, W or b from run to run (four distinct
    messages in five runs before the fix); now one report in every run."""
    path = SAMPLES / "input_gradient_not_started.py"
    reports = {tuple(_cases(path)) for _ in range(RUNS)}
    assert len(reports) == 1, reports
