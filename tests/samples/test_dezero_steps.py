"""DeZero steps 19 to 24 as stages of the dezero assignment: their fixtures are proven by every oracle, the
documented ones drive the student's operators, and one correct step-24 file scores full marks at step19,
step22 and step24 (the buggy samples are in submissions/dezero/expected.json, graded by test_expected.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader import fixtures_tool as ft
from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.pipeline import RunPlan, grade_paths
from grader.reports import validate
from grader.reports.views import as_dict
from grader.sandbox import SandboxPool, probe_bwrap

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "fixtures" / "dezero" / "cases"
# What each book step adds (FACTS.md, "Stages of the courses"), by case id.
STEP_CASES = {
    "step19": [
        "step19-properties-unit",
        "step19-repr-unit",
        "step19-no-grad-add",
        "step19-diamond-add-graph",
    ],
    "step20": ["mul-unit", "step20-mul-documented", "mul-operator-graph"],
    "step21": ["mixed-operands-graph", "ndarray-left-graph"],
    "step22": [
        *("neg-unit", "sub-unit", "div-unit", "pow-unit", "step22-pow-documented"),
        *("reflected-operators-graph", "arithmetic-operators-graph"),
    ],
    "step23": [],
    "step24": ["step24-sphere-documented", "step24-matyas-documented", "step24-goldstein-documented"],
}
NEW = [c for cases in STEP_CASES.values() for c in cases]
# and their drawn copies (generated, hidden; session 13)
STEP_DRAWN = {
    "step20": ["step20-gen-mul-graph"],
    "step21": ["step21-gen-mixed-operands-graph"],
    "step22": ["step22-gen-arithmetic-graph"],
    "step24": ["step24-gen-matyas-graph"],
}
# and the step file's own sphere, matyas and goldstein called at the book's points (session 29: skipped where
# the file defines none)
STEP_OWN = {
    "step24": [
        "step24-own-sphere-documented",
        "step24-own-matyas-documented",
        "step24-own-goldstein-documented",
    ],
}
ISOLATIONS = [
    "rlimits",
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(not probe_bwrap().usable, reason=f"bwrap unusable: {probe_bwrap().reason}"),
    ),
]


def _stored(case: str) -> dict:
    return json.loads((CASES / f"{case}.json").read_text())


def test_each_stage_adds_its_steps_cases_to_the_previous_one():
    """step19 = step18 + the properties, ..., step24 = step23 + the three functions (and the file's own);
    step18 is unchanged."""
    a = load_assignment("dezero")
    previous = set(a.stage_case_ids("step18"))
    # the default stage: 15 cases of before, the five of Variable and Function (issue 15), and four drawn
    # specs (session 13: gen-exp-unit, gen-add-unit, gen-add-backward-twice, step18-gen-retain-grad-graph)
    assert len(previous) == 20 + 4 and a.max_points("step18") == 45 + 4 * 2
    for stage, added in STEP_CASES.items():
        ids = set(a.stage_case_ids(stage))
        assert ids == previous | set(added) | set(STEP_DRAWN.get(stage, [])) | set(STEP_OWN.get(stage, [])), (
            stage
        )
        previous = ids
    assert a.default_stage == "step18"


# Step 50 (session 31): stage step50 extends step47 with accuracy (steps 48 and 49 add nothing it grades)
# the dataloader cases of steps 49-50 (session 32): 2 visible points each, a drawn spec of 2 draws of 1
STEP50_CASES = ["step50-accuracy", "step50-accuracy-square", "step50-dataloader", "step50-dataloader-shuffle"]
STEP50_DRAWN = ["step50-gen-accuracy", "step50-gen-dataloader"]


def test_step50_adds_accuracy_to_step47():
    """step50 = step47 + its two accuracy and two dataloader cases + their drawn specs; 3 + 4 more visible
    points, 2 + 2 more hidden."""
    a = load_assignment("dezero")
    ids = set(a.stage_case_ids("step50"))
    assert ids == set(a.stage_case_ids("step47")) | set(STEP50_CASES) | set(STEP50_DRAWN)
    assert a.stage("step50").requires[-1] == "accuracy"
    assert a.max_points("step50") == a.max_points("step47") + 3 + 2 * 1 + 4 + 2 * 1


def test_the_step50_values_are_the_hand_counted_ones():
    """accuracy's stored values are the rows right by hand: scores (6, 3) with row argmaxes [2, 0, 1, 0, 1, 1]
    against t = [2, 0, 1, 0, 0, 2], 4 of 6; square scores with row argmaxes [1, 0, 3, 0] against
    t = [1, 0, 3, 1], 3 of 4 (their column argmaxes [1, 0, 2, 2] get 2 of 4: the wrong axis differs)."""
    assert _stored("step50-accuracy")["expected"]["acc"]["data"] == [4 / 6]
    assert _stored("step50-accuracy-square")["expected"]["acc"]["data"] == [0.75]
    square = _stored("step50-accuracy-square")["inputs"]["y"]
    rows = np.array(square["data"]).reshape(square["shape"])
    assert list(rows.argmax(axis=1)) == [1, 0, 3, 0] and list(rows.argmax(axis=0)) == [1, 0, 2, 2]


@pytest.mark.torch
def test_the_step50_fixtures_are_proven_by_torch():
    """Each step-50 fixture's accuracy agrees with torch's argmax over dim 1 (no gradient to difference)."""
    result = ft.verify("dezero")
    assert result.ok, result.summary()
    proven = {f.case: f.provenance for f in result.fixtures}
    for case in STEP50_CASES[:2]:
        assert proven[case]["acc"] == ("reference", "torch"), case
    for case in STEP50_CASES[2:]:  # numpy by hand and torch.utils.data.DataLoader(drop_last=False)
        assert set(proven[case].values()) == {("reference", "torch")}, case


# Step 53 (session 33): stage step53 extends step50 with save_weights and load_weights, a round trip each
STEP53_CASES = ["step53-linear-save-load", "step53-mlp-save-load"]


def test_step53_adds_the_save_load_round_trips_to_step50():
    """step53 = step50 + its two round trips (2 visible points each) and a drawn MLP round trip (two draws
    of 1, hidden); step54 extends step50 and grades step53's round trips too (session 34), optional with
    their points: skipped where the code has no save_weights or load_weights."""
    a = load_assignment("dezero")
    ids = set(a.stage_case_ids("step53"))
    assert ids == set(a.stage_case_ids("step50")) | set(STEP53_CASES) | {"step53-gen-mlp-save-load"}
    assert a.max_points("step53") == a.max_points("step50") + 2 * 2 + 2 * 1
    step54 = a.stage("step54")
    assert step54.extends == "step50" and set(STEP53_CASES) <= set(a.stage_case_ids("step54"))
    assert {"save_weights", "load_weights"} <= set(step54.optional_classes) and step54.optional_points


def test_the_step53_values_are_the_arrays_the_case_set():
    """What a fresh layer loads is what the case's layer held: each loaded_<name> the case's own input <name>
    (an independent oracle: no engine computes it), for every parameter of the Linear and of the MLP."""
    for case in STEP53_CASES:
        stored = _stored(case)
        loaded = {
            k.removeprefix("loaded_"): v for k, v in stored["expected"].items() if k.startswith("loaded_")
        }
        params = next(s for s in stored["steps"] if s["do"] == "save_load")["args"][1:]
        assert sorted(loaded) == sorted(params), case
        for name in params:
            assert loaded[name]["data"] == stored["inputs"][name]["data"], (case, name)
            assert loaded[name]["shape"] == stored["inputs"][name]["shape"], (case, name)


@pytest.mark.torch
def test_the_step53_fixtures_are_proven():
    """Each round trip's loaded values agree with torch's own save and load of the same arrays; the
    gradients recorded beside them (the saved-grads mistake is told by them) by finite differences too."""
    result = ft.verify("dezero")
    assert result.ok, result.summary()
    proven = {f.case: f.provenance for f in result.fixtures}
    for case in STEP53_CASES:
        for key, oracles in proven[case].items():
            wanted = (
                ("reference", "torch")
                if key.startswith("loaded_")
                else ("reference", "torch", "finite-difference")
            )
            assert tuple(oracles) == wanted, (case, key)


# Step 54 (session 31): stage step54 extends step50 with dropout, while training and in test mode
STEP54_CASES = ["step54-dropout-train", "step54-dropout-test-mode"]


def test_step54_adds_dropout_to_step50():
    """step54 = step50 + its two dropout cases + their drawn spec; 3 more visible points, 2 more hidden;
    and step53's round trips (session 34; test_step53_adds_the_save_load_round_trips_to_step50)."""
    a = load_assignment("dezero")
    ids = set(a.stage_case_ids("step54"))
    step53 = {*STEP53_CASES, "step53-gen-mlp-save-load"}
    assert ids == set(a.stage_case_ids("step50")) | set(STEP54_CASES) | {"step54-gen-dropout"} | step53
    assert a.stage("step54").requires[-2:] == ("accuracy", "dropout")
    assert a.max_points("step54") == a.max_points("step50") + 3 + 2 * 1 + 2 * 2 + 2 * 1


def test_the_step54_values_are_the_books_dropout_drawn_here():
    """The training case's stored y is x where np.random.seed(5); np.random.rand(4, 5) > 0.3 keeps a unit,
    divided by 0.7, and 0 elsewhere, drawn here with NumPy's global generator as the book's dropout draws
    (8 of 20 dropped); its dx is gy on the same units, divided by 0.7; its redrawn y2 the same after
    np.random.seed(6), other units. In test mode y is x and dx is w."""
    train = _stored("step54-dropout-train")
    x = np.array(train["inputs"]["x"]["data"]).reshape(4, 5)
    gy = np.array(train["inputs"]["gy"]["data"]).reshape(4, 5)
    state = np.random.get_state()
    try:
        np.random.seed(5)
        keep = np.random.rand(4, 5) > 0.3
        np.random.seed(6)  # the redraw (review of s31-realdz): the same dropout on x after another seed
        again = np.random.rand(4, 5) > 0.3
    finally:
        np.random.set_state(state)
    assert int((~keep).sum()) == 8 and (again != keep).any()
    np.testing.assert_allclose(np.array(train["expected"]["value"]["data"]).reshape(4, 5), x * keep / 0.7)
    np.testing.assert_allclose(np.array(train["expected"]["dx"]["data"]).reshape(4, 5), gy * keep / 0.7)
    np.testing.assert_allclose(np.array(train["expected"]["redrawn"]["data"]).reshape(4, 5), x * again / 0.7)
    test = _stored("step54-dropout-test-mode")
    assert test["expected"]["value"]["data"] == test["inputs"]["x"]["data"]
    assert test["expected"]["dx"]["data"] == test["inputs"]["w"]["data"]


@pytest.mark.torch
def test_the_step54_fixtures_are_proven_by_every_oracle():
    """Each step-54 fixture's value agrees with torch, and its dx with torch and finite differences."""
    result = ft.verify("dezero")
    assert result.ok, result.summary()
    proven = {f.case: f.provenance for f in result.fixtures}
    for case in STEP54_CASES:
        assert proven[case]["value"] == ("reference", "torch"), case
        assert proven[case]["dx"] == ("reference", "torch", "finite-difference"), case


# Steps 55 to 57 (session 30): stage step57 extends step54 since session 32 (step47 before): the book's
# package at step 57 keeps step 50's accuracy and step 54's dropout
STEP57_CASES = [
    *("step57-im2col", "step57-im2col-stride-pad", "step57-conv2d", "step57-conv2d-stride"),
    *("step57-pooling", "step57-pooling-overlap"),
]
STEP57_DRAWN = ["step57-gen-im2col", "step57-gen-conv2d", "step57-gen-pooling"]


def test_step57_adds_im2col_conv2d_and_pooling_to_step54():
    """step57 = step54 + its six cases + their three drawn specs; 9 more visible points, 6 more hidden. Its
    requires stay step47's + im2col, conv2d, pooling: accuracy and dropout are optional classes with their
    points (a conv package without them is skipped there, not failed)."""
    a = load_assignment("dezero")
    ids = set(a.stage_case_ids("step57"))
    assert ids == set(a.stage_case_ids("step54")) | set(STEP57_CASES) | set(STEP57_DRAWN)
    assert a.stage("step57").requires[-3:] == ("im2col", "conv2d", "pooling")
    assert a.max_points("step57") == a.max_points("step54") + 9 + 3 * 2


@pytest.mark.torch
def test_the_step57_fixtures_are_proven_by_every_oracle():
    """Each step-57 fixture's value agrees with torch (unfold, conv2d, max_pool2d), and each input gradient
    with torch and per-element finite differences."""
    result = ft.verify("dezero")
    assert result.ok, result.summary()
    proven = {f.case: f.provenance for f in result.fixtures}
    three = ("reference", "torch", "finite-difference")
    for case in STEP57_CASES:
        assert proven[case]["value"] == ("reference", "torch"), case
        assert proven[case]["dx"] == three, case
    assert proven["step57-conv2d"]["dW"] == three and proven["step57-conv2d-stride"]["db"] == three


@pytest.mark.torch
def test_every_new_fixture_is_proven_by_every_oracle():
    """verify agrees on the whole dezero folder; documented values carry `documented`, input gradients
    finite differences, the step-19 texts reference and torch."""
    result = ft.verify("dezero")
    assert result.ok, result.summary()
    assert set(NEW) <= {f.case for f in result.fixtures}
    proven = {f.case: f.provenance for f in result.fixtures}
    all_four = ("documented", "reference", "torch", "finite-difference")
    assert proven["step24-matyas-documented"]["dx"] == all_four
    assert proven["step24-goldstein-documented"]["dy"] == all_four
    assert proven["step22-pow-documented"]["y"] == ("documented", "reference", "torch")
    assert proven["div-unit"]["dx1"] == ("reference", "torch", "finite-difference")
    assert proven["reflected-operators-graph"]["dx"] == ("reference", "torch", "finite-difference")
    assert proven["step19-repr-unit"]["repr_m"] == ("reference", "torch")


def test_the_documented_values_are_the_books():
    """The stored expected values are the numbers the issue quotes from the book, exactly."""

    def stored(case: str, key: str) -> float:
        return float(_stored(case)["expected"][key]["data"][0])

    assert [stored("step20-mul-documented", k) for k in ("y", "da", "db")] == [7.0, 2.0, 3.0]
    assert [stored("step22-pow-documented", k) for k in ("y", "dx")] == [8.0, 12.0]
    assert [stored("step24-sphere-documented", k) for k in ("dx", "dy")] == [2.0, 2.0]
    assert [stored("step24-matyas-documented", k) for k in ("dx", "dy")] == [0.040000000000000036] * 2
    assert [stored("step24-goldstein-documented", k) for k in ("dx", "dy")] == [-5376.0, 8064.0]


def test_the_repr_is_the_books_with_a_nine_space_indent():
    """repr of [[1, 2, 3], [4, 5, 6]] (floats) is the book's variable(...) with the second row under the
    first (9 spaces: len('variable(')); of [1, 2, 3] one line."""
    expected = _stored("step19-repr-unit")["expected"]
    text = {k: "".join(chr(int(c)) for c in v["data"]) for k, v in expected.items()}
    assert text == {
        "repr_v": "variable([1. 2. 3.])",
        "repr_m": "variable([[1. 2. 3.]\n          [4. 5. 6.]])",
    }


@pytest.mark.parametrize("case", [c for c in NEW if "documented" in c or "operator" in c or "mixed" in c])
def test_expressions_of_steps_20_to_24_are_written_with_the_operators(case):
    """Every apply of an expression case is an operator step (the student's __mul__, __rsub__, ... run),
    and the book's Python numbers are plain values, not Variables."""
    fixture = _stored(case)
    applies = [s for s in fixture["steps"] if s["do"] == "apply"]
    assert applies and all(s.get("operator") is True for s in applies)
    constants = {n for n in fixture["inputs"] if n.startswith(("k", "a2"))}
    plain = {n for s in applies for n in s.get("plain", {})}
    assert plain == constants


@pytest.mark.slow
@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_the_step24_file_has_full_marks_at_every_stage_from_step19(isolation: str):
    """The correct step-24 sample passes every case of stages step19 to step24 (all visibilities)."""
    assignment = load_assignment("dezero")
    path = REPO / "submissions" / "dezero" / "step24_correct.py"
    with SandboxPool(jobs=2, isolation=isolation) as pool:
        for stage in ("step19", "step20", "step21", "step22", "step23", "step24"):
            plan = RunPlan.create(assignment, 1, cases_for_run(assignment, 1, stage=stage), stage=stage)
            (graded,) = list(grade_paths(plan, [("step24_correct", path)], pool))
            report = as_dict(graded.report)
            validate(report, "report")
            assert report["stage"]["name"] == stage
            assert report["score"] == report["max_score"] == assignment.max_points(stage), [
                c["message"] for c in report["cases"] if c["status"] != "passed"
            ]


@pytest.mark.slow
def test_an_accuracy_returning_a_bare_number_is_told_so_not_sent_to_function_call(tmp_path: Path):
    """late_book_step60 with accuracy ending `return float(acc)`: the error names accuracy() and its own
    return, not Function.__call__ of step 2 (there is no class Accuracy; review of s31-realdz)."""
    pkg = tmp_path / "late_book_step60"
    shutil.copytree(REPO / "submissions" / "dezero" / "late_book_step60", pkg)
    functions = pkg / "dezero" / "functions.py"
    source = functions.read_text(encoding="utf-8")
    assert source.count("    return Variable(as_array(acc))\n") == 1
    functions.write_text(source.replace("    return Variable(as_array(acc))\n", "    return float(acc)\n"))
    assignment = load_assignment("dezero")
    cases = [c for c in cases_for_run(assignment, 7, stage="step50") if c.id.startswith("step50-accuracy")]
    plan = RunPlan.create(assignment, 7, cases, stage="step50")
    with SandboxPool(jobs=1, isolation="rlimits") as pool:
        (graded,) = list(grade_paths(plan, [("bare", pkg)], pool))
    by_id = {c["id"]: c for c in as_dict(graded.report)["cases"]}
    for case in ("step50-accuracy", "step50-accuracy-square"):
        message = by_id[case]["message"]
        assert by_id[case]["status"] == "error", message
        assert "accuracy() returned acc as a bare float, not a Variable" in message, message
        assert "Function.__call__" not in message, message


@pytest.mark.slow
def test_a_dropout_of_a_package_that_imports_numpy_without_np_is_graded(tmp_path: Path):
    """late_book_step60 with `import numpy` for `import numpy as np` everywhere (numpy.random.rand ...): its
    step-54 cases pass, training and test mode, where every one was an error, "Dropout: the module does not
    import numpy (as np), so its mask cannot be seeded" (review of s31-realdz)."""
    pkg = tmp_path / "late_book_step60"
    shutil.copytree(REPO / "submissions" / "dezero" / "late_book_step60", pkg)
    for path in [*pkg.glob("dezero/*.py"), *pkg.glob("steps/*.py")]:
        source = path.read_text(encoding="utf-8").replace("import numpy as np\n", "import numpy\n")
        path.write_text(re.sub(r"\bnp\b", "numpy", source), encoding="utf-8")
    assert "import numpy\n" in (pkg / "dezero" / "functions.py").read_text(encoding="utf-8")
    assignment = load_assignment("dezero")
    cases = [c for c in cases_for_run(assignment, 7, stage="step54") if c.id.startswith("step54-")]
    plan = RunPlan.create(assignment, 7, cases, stage="step54")
    with SandboxPool(jobs=1, isolation="rlimits") as pool:
        (graded,) = list(grade_paths(plan, [("numpy", pkg)], pool))
    report = as_dict(graded.report)
    assert len(report["cases"]) == 4
    assert all(c["status"] == "passed" for c in report["cases"]), [c["message"] for c in report["cases"]]


@pytest.mark.slow
def test_a_step60_package_is_graded_on_its_save_weights_and_one_without_loses_nothing():
    """Session 34: step60 (through step54) runs step53's round trips where the code defines save_weights and
    load_weights: late_book_step60_saves_grads (save_weights writes param.grad) fails both, told "save_weights
    saved param.grad" (on main it had full marks at step60: the cases never ran). The control, the package
    with both methods deleted, has them skipped (not_run, 0 of 0) and full marks, as before."""
    assignment = load_assignment("dezero")
    stage = "step60"
    cases = [c for c in cases_for_run(assignment, 1, stage=stage, include=("visible",)) if not c.generated]
    plan = RunPlan.create(assignment, 1, cases, stage=stage)
    folder = REPO / "submissions" / "dezero"
    names = ("late_book_step60_saves_grads", "late_book_step60_no_save_weights")
    with SandboxPool(jobs=2, isolation="rlimits") as pool:
        reports = {
            g.student: as_dict(g.report) for g in grade_paths(plan, [(n, folder / n) for n in names], pool)
        }
    saves = {c["id"]: c for c in reports[names[0]]["cases"]}
    for case in STEP53_CASES:
        assert saves[case]["status"] == "failed", saves[case]["message"]
        assert "save_weights saved param.grad" in saves[case]["diagnosis"]["hint"]
    assert reports[names[0]]["score"] == reports[names[0]]["max_score"] - 2  # half of each round trip's 2
    dropped = {c["id"]: c for c in reports[names[1]]["cases"]}
    for case in STEP53_CASES:
        assert dropped[case]["status"] == "not_run" and dropped[case]["max_points"] == 0
        assert "your code does not define them: not graded, no points lost" in dropped[case]["message"]
    assert reports[names[1]]["score"] == reports[names[1]]["max_score"]
    assert reports[names[0]]["max_score"] == reports[names[1]]["max_score"] + 2 * 2
