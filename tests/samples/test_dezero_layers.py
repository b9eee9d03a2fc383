"""DeZero steps 44 to 46: the Layers (L.Linear, MLP) and the optimizers also run on arrays drawn per run, so a
table of the visible cases' answers is not full marks (docs/STAGES.md, "Steps 44 to 46")."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.pipeline import RunPlan, grade_paths
from grader.reports.views import as_dict
from grader.sandbox import SandboxPool, probe_bwrap

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "submissions" / "dezero"
ISOLATIONS = [
    "rlimits",
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(not probe_bwrap().usable, reason=f"bwrap unusable: {probe_bwrap().reason}"),
    ),
]


def _graded(names: list[str], isolation: str, seed: int) -> dict[str, dict]:
    assignment = load_assignment("dezero")
    cases = cases_for_run(assignment, seed, stage="step46")
    plan = RunPlan.create(assignment, seed, cases, stage="step46")
    entries = [(n, SAMPLES / n) for n in names]
    with SandboxPool(jobs=1, isolation=isolation) as pool:
        return {g.student: as_dict(g.report) for g in grade_paths(plan, entries, pool)}


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_a_table_of_the_visible_sgd_answers_fails_the_drawn_update(isolation: str) -> None:
    """book_step46_sgd_memorised is book_step46_sgd_adds (SGD adds the gradient) plus the visible SGD case's
    answers, handed back when an update starts from its W or b. With the visible cases alone it had full
    marks (134 / 134, the honest book_step46_sgd_adds 132): the drawn update now fails as sgd_adds' does,
    diagnosed with the same mistake, and nothing else fails but the MLP's update (step46-mlp-sgd-update), a
    visible case the table does not hold."""
    reports = _graded(["book_step46_sgd_memorised", "book_step46_sgd_adds"], isolation, seed=11)
    memorised, honest = reports["book_step46_sgd_memorised"], reports["book_step46_sgd_adds"]
    failed = {c["id"]: c for c in memorised["cases"] if c["status"] not in ("passed", "not_run")}
    # the MLP's update (step 46 over step 45's model) is a visible case the table does not hold either
    assert set(failed) == {"step46-gen-sgd-update-1", "step46-gen-sgd-update-2", "step46-mlp-sgd-update"}
    assert {c["diagnosis"]["code"] for c in failed.values()} == {"wrong_update"}
    assert memorised["score"] < memorised["max_score"]
    # the honest twin fails the visible update too: the table wins back exactly those points, no more
    lost = {c["id"]: c["max_points"] - c["points"] for c in honest["cases"] if c["points"] < c["max_points"]}
    assert set(lost) == {"step46-sgd-update", *failed}
    assert memorised["score"] == honest["score"] + lost["step46-sgd-update"]


@pytest.mark.torch
@pytest.mark.parametrize("seed", [7, 11, 20261122])
def test_the_drawn_layer_and_updates_agree_with_torch(seed: int) -> None:
    """The drawn cases' expected values come live from the reference engine: torch autograd (float64,
    torch.optim.SGD with momentum) gives the same records on their drawn arrays."""
    from grader.fixtures_tool import AGREEMENT, compare_records
    from grader.oracles.torch_oracle import run_case as torch_run

    cases = cases_for_run(load_assignment("dezero"), seed, stage="step46")
    # the Layer's and the optimizers' (the other stages' drawn cases: tests/test_cases.py)
    drawn = [c for c in cases if c.id.startswith(("step44-gen-", "step45-gen-", "step46-gen-"))]
    assert sorted({c.id.rsplit("-", 1)[0] for c in drawn}) == [
        "step44-gen-layer-cleargrads",
        "step44-gen-linear-layer",
        "step45-gen-mlp-layer",
        "step45-gen-mlp3-layer",
        "step46-gen-momentum-sgd-update",
        "step46-gen-sgd-update",
    ]
    for case in drawn:
        oracle = torch_run("dezero", case.inputs, list(case.steps))
        assert set(oracle) == set(case.expected), case.id
        for key, want in oracle.items():
            got = case.expected[key]
            assert not compare_records(
                case.id,
                key,
                ("reference", "torch"),
                got,
                want,
                rtol=AGREEMENT["rtol"],
                atol_scale=AGREEMENT["atol_scale"],
            ), (case.id, key)
