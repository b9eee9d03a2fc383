"""DeZero steps 20 to 24: the new fixtures (stored in fixtures/dezero/cases/, not yet in the step-18 manifest)
re-prove in a manifest that lists them, and a step-24 sample is graded on them through the sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader import fixtures_tool as ft
from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.pipeline import RunPlan, grade_paths
from grader.reports import validate
from grader.reports.views import as_dict
from grader.sandbox import SandboxPool, probe_bwrap

REPO = Path(__file__).resolve().parents[2]
# Which book step each new fixture belongs to (the stages step20 ... step24 of the dezero assignment).
STEP_FIXTURES = {
    "step20": ["step20-mul-documented"],
    "step22": ["step22-pow-documented", "neg-unit", "sub-unit", "div-unit", "pow-unit"],
    "step24": ["step24-sphere-documented", "step24-matyas-documented", "step24-goldstein-documented"],
}
NEW = [f for fixtures in STEP_FIXTURES.values() for f in fixtures]
ISOLATIONS = [
    "rlimits",
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(not probe_bwrap().usable, reason=f"bwrap unusable: {probe_bwrap().reason}"),
    ),
]


@pytest.fixture(scope="module")
def steps_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of fixtures/dezero whose manifest lists only the new fixtures, 2 points each."""
    root = tmp_path_factory.mktemp("dezero-steps") / "dezero"
    shutil.copytree(REPO / "fixtures" / "dezero", root)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["cases"] = [{"fixture": f, "points": 2, "visibility": "visible"} for f in NEW]
    manifest["generated"] = []
    for key in ("stages", "default_stage"):  # the step-18 stages name cases this copy does not list
        manifest.pop(key, None)
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.mark.torch
def test_every_new_fixture_is_proven_by_every_oracle(steps_manifest: Path) -> None:
    """verify agrees on all nine; documented values carry `documented`, input gradients finite differences."""
    result = ft.verify(steps_manifest)
    assert result.ok, result.summary()
    assert sorted(f.case for f in result.fixtures) == sorted(NEW)
    proven = {f.case: f.provenance for f in result.fixtures}
    all_four = ("documented", "reference", "torch", "finite-difference")
    assert proven["step24-matyas-documented"]["dx"] == all_four
    assert proven["step22-pow-documented"]["y"] == ("documented", "reference", "torch")
    assert proven["div-unit"]["dx1"] == ("reference", "torch", "finite-difference")


def test_the_documented_values_are_the_books(steps_manifest: Path) -> None:
    """The stored expected values are the numbers the issue quotes from the book, exactly."""

    def stored(case: str, key: str) -> float:
        data = json.loads((steps_manifest / "cases" / f"{case}.json").read_text())
        return float(data["expected"][key]["data"][0])

    assert [stored("step20-mul-documented", k) for k in ("y", "da", "db")] == [7.0, 2.0, 3.0]
    assert [stored("step22-pow-documented", k) for k in ("y", "dx")] == [8.0, 12.0]
    assert [stored("step24-sphere-documented", k) for k in ("dx", "dy")] == [2.0, 2.0]
    assert [stored("step24-matyas-documented", k) for k in ("dx", "dy")] == [0.040000000000000036] * 2
    assert [stored("step24-goldstein-documented", k) for k in ("dx", "dy")] == [-5376.0, 8064.0]


@pytest.mark.slow
@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_a_step24_sample_and_its_div_bug(steps_manifest: Path, isolation: str) -> None:
    """step24_correct scores full marks; step24_div_sign fails only Div's dx1, with Div's own hint."""
    assignment = load_assignment(steps_manifest)
    plan = RunPlan.create(assignment, 1, cases_for_run(assignment, 1))
    folder = REPO / "submissions" / "dezero"
    entries = [(n, folder / f"{n}.py") for n in ("step24_correct", "step24_div_sign")]
    with SandboxPool(jobs=2, isolation=isolation) as pool:
        reports = {g.student: as_dict(g.report) for g in grade_paths(plan, entries, pool)}
    for report in reports.values():
        validate(report, "report")
    good, bad = reports["step24_correct"], reports["step24_div_sign"]
    assert good["score"] == good["max_score"] == 2 * len(NEW), [c["message"] for c in good["cases"]]
    failed = {c["id"]: c for c in bad["cases"] if c["status"] != "passed"}
    assert list(failed) == ["div-unit"]
    assert [k["key"] for k in failed["div-unit"]["checks"] if not k["passed"]] == ["dx1"]
    assert failed["div-unit"]["diagnosis"]["code"] == "wrong_derivative"
    assert "gradient of the denominator" in failed["div-unit"]["diagnosis"]["hint"]
