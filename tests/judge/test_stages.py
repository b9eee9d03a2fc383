"""apply_stage (grader/judge/stages.py): optional classes skipped or graded as feedback, a later stage's
feature named not_implemented, and nothing changed when the report carries no stage."""

from __future__ import annotations

import numpy as np

from grader.inside.contexts import NOT_RUN_NOTE
from grader.judge import grade
from grader.model import Case, CaseOutput, Failure, LoadInfo, RunResult, Tolerance

STEP_EXP = (
    {"do": "apply", "op": "Exp", "args": ["x"], "out": "y"},
    {"do": "record", "key": "value", "value_of": "y"},
)
STEP_ADD = (
    {"do": "apply", "op": "Add", "args": ["x", "x"], "out": "y"},
    {"do": "record", "key": "value", "value_of": "y"},
)
STAGE = {
    "name": "step18",
    "title": "Step 18",
    "chosen": "default",
    "reason": "",
    "looks_like": "step14",
    "_order": ["step14", "step16", "step18"],
    "_introduced": {
        "add-case": "step14",
        "retain-case": "step18",
        "diamond": "step16",
        "gen-retain": "step18",
    },
    "_adds": {"step16": "generation order", "step18": "retain_grad and no_grad"},
}


def _case(cid: str, steps=STEP_ADD, points=2.0, optional=()) -> Case:
    return Case(
        id=cid,
        name=cid,
        kind="behaviour",
        target=None,
        inputs={"x": np.ones(2)},
        steps=steps,
        expected={"value": np.full(2, 2.0)},
        tolerance=Tolerance(),
        points=points,
        optional_classes=optional,
    )


def _run(outputs, found=("Add", "Variable")) -> RunResult:
    load = LoadInfo({"m": "m.py"}, {n: f"m.{n}" for n in found}, (), {})
    return RunResult("bwrap", load, outputs, None, "", "", 0.0)


def _meta(stage=STAGE):
    return {"assignment": {"id": "dezero", "title": "t", "family": "dezero"}, "seed": 1, "stage": stage}


WRONG = {"value": np.full(2, 1.0)}
RIGHT = {"value": np.full(2, 2.0)}


def test_an_absent_optional_class_is_skipped_never_failed():
    """Exp optional and not defined: not_run, 0 of 0 points, a message saying so; the score is unaffected."""
    case = _case("exp-unit", STEP_EXP, points=0.0, optional=("Exp",))
    missing = Failure("missing_name", "no class Exp")
    report = grade([case], _run({case.id: CaseOutput(case.id, "error", {}, (), missing)}), _meta())
    result = report.cases[0]
    assert (result.status, result.points, result.max_points, result.optional) == ("not_run", 0.0, 0.0, True)
    assert "Exp is optional at stage step18" in result.message and "no points lost" in result.message
    assert report.max_score == 0.0


def _absent_with_warnings(warnings: tuple[str, ...], classes_in=None) -> str:
    case = _case("mln-case", STEP_EXP, points=0.0, optional=("MultiLayerNet",))
    load = LoadInfo({"m": "m.py"}, {"Add": "m.Add"}, (), {}, warnings=warnings)
    missing = Failure("missing_name", "no class MultiLayerNet")
    outputs = {case.id: CaseOutput(case.id, "error", {}, (), missing)}
    run = RunResult("bwrap", load, outputs, None, "", "", 0.0)
    stage = {**STAGE, "_classes_in": classes_in} if classes_in is not None else STAGE
    return grade([case], run, _meta(stage)).cases[0].message


BROKEN_MLN = "syntax error in common/multi_layer_net.py line 11, column 7: '(' was never closed: `x = (`"
BROKEN_OTHER = "syntax error in ch06/demo.py line 3, column 1: invalid syntax: `print 'x'`"
NOT_DEFINED = "your code does not define it: not graded, no points lost"


def test_an_absent_optional_class_names_the_module_that_did_not_compile():
    """An optional class absent because its module has a syntax error is told that error, not "your code
    does not define it": the module named after the class (multi_layer_net.py), or one whose bytes read
    `class MultiLayerNet` (the parent's `_classes_in`); with no module that failed to compile (control) the
    message is unchanged."""
    message = _absent_with_warnings((BROKEN_OTHER, BROKEN_MLN))
    assert BROKEN_MLN in message and BROKEN_OTHER not in message
    assert "does not define" not in message and "no points lost" in message
    whole = "common/multi_layer_net.py cannot be read as Python: source code cannot contain null bytes"
    assert whole in _absent_with_warnings((whole,))
    mine = _absent_with_warnings((BROKEN_OTHER,), {"ch06/demo.py": ["MultiLayerNet"]})
    assert BROKEN_OTHER in mine and "fix it to have it graded" in mine
    plain = _absent_with_warnings(("matplotlib (imported at ch06/a.py line 5) only displays things",))
    assert plain.endswith(NOT_DEFINED)


def test_an_unrelated_module_that_did_not_compile_is_not_named():
    """Negative controls (review of s23-dlfsext, finding 2): a module neither named after the class nor
    reading `class MultiLayerNet` (the quiz's nn.py beside MiniFlow, ch06/scratch.py beside the book's files),
    or one the loader did not need and never ran, is not why the class is absent: "does not define it"."""
    assert _absent_with_warnings((BROKEN_OTHER,)).endswith(NOT_DEFINED)
    other_class = {"ch06/demo.py": ["MultiLayerNetExtend"]}
    assert _absent_with_warnings((BROKEN_OTHER,), other_class).endswith(NOT_DEFINED)
    unrun = f"{BROKEN_MLN} {NOT_RUN_NOTE}"
    assert _absent_with_warnings((unrun,), {"common/multi_layer_net.py": ["MultiLayerNet"]}).endswith(
        NOT_DEFINED
    )


def test_a_defined_optional_class_is_graded_as_feedback():
    """Exp defined but wrong: failed, worth 0, marked optional; the same case without a stage (control) is
    an ordinary failure."""
    case = _case("exp-unit", STEP_EXP, points=0.0, optional=("Exp",))
    run = _run({case.id: CaseOutput(case.id, "ok", WRONG)}, found=("Exp",))
    result = grade([case], run, _meta()).cases[0]
    assert result.status == "failed" and result.optional and result.message.startswith("optional at stage")
    assert not grade([case], run, _meta(None)).cases[0].optional


def test_a_later_stage_feature_is_not_implemented_naming_the_stage():
    """Code that looks like step14, graded at step18: a failing step-18 case is diagnosed not_implemented
    naming step 18 and what it adds; an erroring one gets the failure code; a step-14 case that fails
    (control) keeps its own diagnosis; no blame advice comes from the not_implemented cases."""
    cases = [_case("retain-case"), _case("gen-retain-1"), _case("add-case")]
    err = Failure("exception", "backward() got an unexpected keyword argument 'retain_grad'")
    outputs = {
        "retain-case": CaseOutput("retain-case", "ok", WRONG),
        "gen-retain-1": CaseOutput("gen-retain-1", "error", {}, (), err),
        "add-case": CaseOutput("add-case", "ok", WRONG),
    }
    report = grade(cases, _run(outputs), _meta())
    retain, generated, own = report.cases
    assert retain.diagnosis is not None and retain.diagnosis.code == "not_implemented"
    assert "stage step18, which adds retain_grad and no_grad" in retain.diagnosis.hint
    assert "--stage step14" in retain.message
    assert generated.failure_code == "not_implemented" and "step18" in generated.message
    assert own.diagnosis is None or own.diagnosis.code != "not_implemented"


def test_a_missing_class_keeps_missing_name():
    """A later-stage case that fails because its class is absent keeps "no class Square" (missing_name)."""
    case = _case("diamond", ({"do": "apply", "op": "Square", "args": ["x"], "out": "y"},))
    missing = Failure("missing_name", "no class Square")
    report = grade([case], _run({case.id: CaseOutput(case.id, "error", {}, (), missing)}), _meta())
    assert report.cases[0].failure_code == "missing_name"


def test_no_relabel_when_the_code_looks_like_the_graded_stage_or_a_timeout():
    """looks_like == the case's stage, or an error that is not an absence (timeout): unchanged."""
    case = _case("retain-case")
    outputs = {case.id: CaseOutput(case.id, "ok", WRONG)}
    same = grade([case], _run(outputs), _meta({**STAGE, "looks_like": "step18"})).cases[0]
    assert same.diagnosis is None or same.diagnosis.code != "not_implemented"
    timeout = Failure("timeout", "took too long")
    slow = grade([case], _run({case.id: CaseOutput(case.id, "error", {}, (), timeout)}), _meta()).cases[0]
    assert slow.failure_code == "timeout"


def test_the_report_names_the_stage():
    """report.json carries the stage graded, how it was chosen and what the code looks like."""
    case = _case("add-case")
    doc = grade([case], _run({case.id: CaseOutput(case.id, "ok", RIGHT)}), _meta()).to_dict()
    assert doc["stage"] == {
        "name": "step18",
        "title": "Step 18",
        "chosen": "default",
        "reason": "",
        "looks_like": "step14",
    }
    assert (
        "stage" not in grade([case], _run({case.id: CaseOutput(case.id, "ok", RIGHT)}), _meta(None)).to_dict()
    )


def test_a_case_of_a_stage_the_code_has_reached_keeps_its_own_diagnosis():
    """Code that defines TwoLayerNet and looks like layers, graded at the default stage: a wrong
    two-layer-net case is a bug (its own diagnosis), whether the source or the load found TwoLayerNet; the
    same case when the code lacks TwoLayerNet's stage (control) is not_implemented."""
    stage = {
        "name": "default",
        "title": "Everything",
        "chosen": "default",
        "reason": "",
        "looks_like": "layers",
        "_order": ["layer-naive", "layers", "two-layer-net", "default"],
        "_introduced": {"net-case": "two-layer-net"},
        "_adds": {"two-layer-net": "TwoLayerNet"},
        "_looks_parts": ["layers"],
        "_satisfied": ["layers", "two-layer-net"],
        "_mentioned": ["layer-naive", "layers", "two-layer-net", "default"],
        "_needs": {"two-layer-net": ["TwoLayerNet"]},
        "_defined": ["relu", "twolayernet"],
    }
    case = _case("net-case")
    outputs = {case.id: CaseOutput(case.id, "ok", WRONG)}

    def diagnosis(stage_meta, found=("Add",)):
        result = grade([case], _run(outputs, found=found), _meta(stage_meta)).cases[0]
        return result.diagnosis.code if result.diagnosis else None

    assert diagnosis(stage) != "not_implemented"
    by_load = {**stage, "_satisfied": ["layers"], "_defined": ["relu"]}
    assert diagnosis(by_load, found=("Add", "TwoLayerNet")) != "not_implemented"
    assert diagnosis(by_load) == "not_implemented"  # control: nobody found TwoLayerNet


def test_a_case_of_any_part_of_a_combined_look_is_never_relabelled():
    """The code looks like layers+two-layer-net: a failing two-layer-net case is a bug; a failing case of
    the default stage, which comes after both parts and is not reached (control), is not_implemented
    naming the combined look."""
    stage = {
        "name": "default",
        "title": "Everything",
        "chosen": "default",
        "reason": "",
        "looks_like": "layers+two-layer-net",
        "_order": ["layer-naive", "layers", "two-layer-net", "default"],
        "_introduced": {"net-case": "two-layer-net", "affine-4d": "default"},
        "_adds": {"default": "Affine on 4-D input"},
        "_looks_parts": ["layers", "two-layer-net"],
        "_satisfied": [],
        "_mentioned": [],
    }
    cases = [_case("net-case"), _case("affine-4d")]
    outputs = {c.id: CaseOutput(c.id, "ok", WRONG) for c in cases}
    net, later = grade(cases, _run(outputs), _meta(stage)).cases
    assert net.diagnosis is None or net.diagnosis.code != "not_implemented"
    assert later.diagnosis is not None and later.diagnosis.code == "not_implemented"
    assert "your code looks like stage layers+two-layer-net" in later.diagnosis.hint


def test_save_weights_without_load_weights_is_told_not_graded_either():
    """Step 53's save/load case calls save_weights, then load_weights into a fresh layer: a package with
    save_weights alone was told only that load_weights is optional, its save never checked and never said
    (s35). The message says save_weights is not graded either. Control: with both absent, no partner."""
    steps = ({"do": "save_load", "layer": "fc"}, {"do": "record", "key": "value", "value_of": "y"})
    case = _case("step53-linear-save-load", steps, points=0.0, optional=("save_weights", "load_weights"))
    missing = Failure("missing_name", "a fresh L.Linear has no method load_weights")
    outputs = {case.id: CaseOutput(case.id, "error", {}, (), missing)}
    stage = {**STAGE, "name": "step54", "_methods": ["save_weights"]}
    message = grade([case], _run(outputs), _meta(stage)).cases[0].message
    assert message.startswith("load_weights is optional at stage step54 and your code does not define it")
    assert message.endswith(
        "; save_weights, which your code defines, is graded only beside load_weights (the case saves the "
        "weights, then loads them into a fresh layer): not graded either"
    )
    neither = {**STAGE, "name": "step54"}
    message = grade([case], _run(outputs), _meta(neither)).cases[0].message
    assert message == (
        "save_weights and load_weights are optional at stage step54 and your code does not define them: not "
        "graded, no points lost"
    )
