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


def test_a_sort_whose_order_follows_its_set_scores_alike_on_every_run() -> None:
    """add_quiz_sort_indegree_one.py's sort (`== 1` for `== 0`) lists t = Add(Add(x, y), z) right or wrong
    as its set pops the nodes: 5 or 6 of 6 at stage add from run to run before (5, 6, 6, 5, 6 in five runs);
    now one report, add-nested failing, in every run."""
    path = SAMPLES / "add_quiz_sort_indegree_one.py"
    reports = {tuple(_cases(path, "add")) for _ in range(RUNS)}
    assert len(reports) == 1, reports
    nested = json.loads(next(c for c in next(iter(reports)) if '"add-nested"' in c))
    assert nested[1] == "error" and "put the Add node t before s" in nested[2]
