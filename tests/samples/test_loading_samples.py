"""The loading samples' warnings say what docs/LOADING.md promises, and a stand-in earns nothing.

tests/samples/test_expected.py checks their statuses and scores; this checks the student-facing warnings
(file, line, source line, did-you-mean, stand-ins) and compares the stand-in re-export with the starter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.pipeline import RunPlan, grade_paths
from grader.reports.views import as_dict
from grader.sandbox import SandboxPool, probe_bwrap

REPO = Path(__file__).resolve().parents[2]
LAYERS = REPO / "submissions" / "layers"
SEED = 20261122
ISOLATIONS = [
    "rlimits",
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(not probe_bwrap().usable, reason=f"bwrap unusable: {probe_bwrap().reason}"),
    ),
]
SAMPLES = (
    "chapter_folder_broken",
    "import_time_crash.py",
    "notebook_matplotlib.ipynb",
    "standin_borrowed_methods.py",
    "standin_called_out_of_sight.py",
    "standin_exec_source.py",
    "standin_factory.py",
    "standin_reexport.py",
    "standin_wrapper.py",
    "starter.py",
    "two_layer_net_alone.py",
)


def _reports(isolation: str) -> dict[str, dict[str, Any]]:
    assignment = load_assignment("dlfs-layers")
    plan = RunPlan.create(assignment, SEED, cases_for_run(assignment, SEED))
    with SandboxPool(jobs=2, isolation=isolation) as pool:
        graded = grade_paths(plan, [(name, LAYERS / name) for name in SAMPLES], pool)
        return {g.student: as_dict(g.report) for g in graded}


@pytest.mark.slow
@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_loading_samples_warn_as_documented(isolation: str) -> None:
    """Each loading sample's warnings carry the file, line, source and hint docs/LOADING.md describes; the
    stand-in re-export, factory and wrapper score no more than the starter, the wrapper's refusal naming the
    class and the stand-in; borrowed or exec'd stand-in methods earn only the student's own classes' cases."""
    reports = _reports(isolation)
    warnings = {name: "\n".join(r["warnings"]) for name, r in reports.items()}
    broken = warnings["chapter_folder_broken"]
    assert "syntax error in common/layers.py line 5" in broken and "`class Relu`" in broken
    assert "ch05/two_layer_net.py line 15" in broken and "did you mean lambda instead of lamdba?" in broken
    assert "ch05/buy_apple.py line 2: `from layer_navie import MulLayer`" in broken
    assert "(did you mean layer_naive?)" in broken
    crash = warnings["import_time_crash.py"]
    assert "import_time_crash.py line 91: `print(MulLayer().forward(100))`: TypeError" in crash
    sigmoid = next(c for c in reports["import_time_crash.py"]["cases"] if c["id"] == "sigmoid-unit")
    assert "never defined: the module stopped at line 91" in sigmoid["message"]
    assert (
        "matplotlib (imported at notebook_matplotlib.ipynb, code cell 1 line 2)"
        in warnings["notebook_matplotlib.ipynb"]
    )
    alone = reports["two_layer_net_alone.py"]
    assert alone["load"]["standins"] == ["common.layers"]
    assert (
        "common.layers is not in the submission (imported at two_layer_net_alone.py line 10)"
        in warnings["two_layer_net_alone.py"]
    )
    # re-exported, returned by a function, or held and forwarded to by a class of the student's
    for name in ("standin_reexport.py", "standin_factory.py", "standin_wrapper.py"):
        assert reports[name]["score"] <= reports["starter.py"]["score"]
        assert reports[name]["score"] == 0, name
    # the stand-in's methods borrowed as class attributes, or its source exec'd: only the student's own
    # MulLayer and AddLayer cases score (the four layer-naive cases: 8 points, and their drawn copies: 4)
    drawn = {f"layer-naive-gen-{layer}-unit-{k}" for layer in ("mul", "add") for k in (1, 2)}
    for name in ("standin_borrowed_methods.py", "standin_exec_source.py"):
        scored = {c["id"] for c in reports[name]["cases"] if c["points"] > 0}
        own = {"buy-apple-documented", "apple-orange-documented", "mul-unit", "add-unit"}
        assert scored == own | drawn, name
    borrowed = next(c for c in reports["standin_borrowed_methods.py"]["cases"] if c["id"] == "relu-unit")
    assert (
        "stand-in Relu.__init__ (copied as Relu.__init__ in standin_borrowed_methods.py)"
        in borrowed["message"]
    )
    # refused as the stand-in runs inside the graded layer's call (made in __init__, or called on the
    # student's own instance, out of sight of the `held` question that follows forward)
    relu = next(c for c in reports["standin_wrapper.py"]["cases"] if c["id"] == "relu-unit")
    assert relu["message"].startswith(
        "Relu ran the grader's stand-in common.layers.Relu.forward: a graded layer that hands its work to "
        "the stand-in is not a layer of your own, so Relu counts as missing"
    )
    affine = next(c for c in reports["standin_called_out_of_sight.py"]["cases"] if c["id"] == "affine-unit")
    assert affine["message"].startswith("Affine ran the grader's stand-in common.layers.Affine.forward: ")
    assert reports["standin_called_out_of_sight.py"]["score"] == 0
