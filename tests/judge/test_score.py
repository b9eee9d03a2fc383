"""judge_case() and grade(): statuses, partial credit, all-or-nothing, mutated inputs, failures, report."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.judge import grade, judge_case
from grader.model import Case, CaseOutput, Failure, LoadInfo, RunResult, Tolerance
from grader.reports.views import student_view

DW = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
DB = np.array([0.5, -1.5, 2.0])
VALUE = np.array([[1.0, 0.0, -1.0]] * 4)
STEPS = (
    {"do": "apply", "op": "Relu", "args": ["x"], "out": "h"},
    {"do": "apply", "op": "Affine", "args": ["h", "W", "b"], "out": "f"},
    {"do": "backward_local", "of": "f", "upstream": "dout"},
    {"do": "record", "key": "value", "value_of": "f"},
    {
        "do": "record",
        "key": "dW",
        "grad_of": "W",
        "via": "f",
        "label": "gradient of W",
        "method": "Affine.backward",
    },
    {"do": "record", "key": "db", "grad_of": "b", "via": "f"},
    {"do": "record", "key": "dx", "grad_of": "x", "via": "f"},
)


def make_case(points=4.0, **kw):
    base = {
        "id": "affine-unit",
        "name": "Affine unit",
        "kind": "unit",
        "target": "Affine",
        "inputs": {"x": np.ones((4, 2)), "W": np.ones((2, 3)), "b": np.zeros(3), "dout": np.ones((4, 3))},
        "steps": STEPS,
        "expected": {"value": VALUE, "dW": DW, "db": DB, "dx": np.full((4, 2), 3.0)},
        "tolerance": Tolerance(),
        "points": points,
    }
    base.update(kw)
    return Case(**base)


def right(case):
    return {k: np.array(v, copy=True) for k, v in case.expected.items()}


def test_all_right_full_points():
    """Every record right: passed, full points, no diagnosis."""
    case = make_case()
    result = judge_case(case, CaseOutput(case.id, "ok", right(case)), None)
    assert (result.status, result.points, result.max_points) == ("passed", 4.0, 4.0)
    assert result.diagnosis is None and all(c.passed for c in result.checks)


def test_partial_credit_is_fraction_of_records():
    """One of four records wrong: 3/4 of the points; its diagnosis and hint in the message."""
    case = make_case(points=2.0)
    records = right(case) | {"dW": DW.T.copy()}
    result = judge_case(case, CaseOutput(case.id, "ok", records), None)
    assert result.status == "failed"
    assert result.points == pytest.approx(1.5)
    assert result.diagnosis is not None and result.diagnosis.code == "transposed"
    assert "1 of 4 checks failed" in result.message
    assert "Affine.backward: gradient of W (dW)" in result.message


def test_fallback_label_and_method():
    """Records without label/method get 'gradient of b' and '<target>.backward'."""
    case = make_case()
    records = right(case) | {"db": DB * 2}
    (check,) = [c for c in judge_case(case, CaseOutput(case.id, "ok", records), None).checks if not c.passed]
    assert (check.label, check.method) == ("gradient of b", "Affine.backward")


def test_all_or_nothing():
    """all_or_nothing: one wrong record costs every point; all right still earns all of them."""
    case = make_case(all_or_nothing=True)
    wrong = judge_case(case, CaseOutput(case.id, "ok", right(case) | {"db": -DB}), None)
    assert (wrong.status, wrong.points) == ("failed", 0.0)
    ok = judge_case(case, CaseOutput(case.id, "ok", right(case)), None)
    assert ok.points == 4.0


def test_mutated_input_costs_one_check():
    """All records right but a forward input (W) changed in place: 4 of 5 checks, input_mutated naming the
    method that received it."""
    case = make_case(points=5.0)
    result = judge_case(case, CaseOutput(case.id, "ok", right(case), mutated=("W",)), None)
    assert result.status == "failed"
    assert result.points == pytest.approx(4.0)
    assert result.diagnosis is not None and result.diagnosis.code == "input_mutated"
    assert "Affine.forward changed W in place" in result.diagnosis.hint


def test_upstream_gradient_written_in_place_is_a_warning_worth_nothing():
    """dout changed in place (the book's Relu.backward does it): full points, a 0-point warning in the
    message and in the report's warnings; with a wrong record as well, only the record costs points."""
    case = make_case(points=5.0)
    result = judge_case(case, CaseOutput(case.id, "ok", right(case), mutated=("dout",)), None)
    assert result.status == "passed" and result.points == pytest.approx(5.0)
    assert "Warning (0 points): Affine.backward writes into its upstream gradient dout" in result.message
    wrong = right(case) | {"db": -DB}
    partial = judge_case(case, CaseOutput(case.id, "ok", wrong, mutated=("dout",)), None)
    assert partial.points == pytest.approx(5.0 * 3 / 4)  # 3 of 4 records: the warning is not a check
    assert partial.diagnosis is not None and partial.diagnosis.code != "input_mutated"


def test_mutated_forward_input_names_forward():
    """An input that is an apply argument is reported against that class's forward."""
    case = make_case()
    result = judge_case(case, CaseOutput(case.id, "ok", right(case), mutated=("x",)), None)
    assert result.diagnosis is not None and "Relu.forward changed x in place" in result.diagnosis.hint


def test_missing_record_fails_that_record():
    """A record absent from the output is a failed check diagnosed zero_or_missing."""
    case = make_case()
    records = right(case)
    del records["dx"]
    result = judge_case(case, CaseOutput(case.id, "ok", records), None)
    assert result.points == pytest.approx(3.0)
    assert result.diagnosis is not None and result.diagnosis.code == "zero_or_missing"


def test_error_case_scores_zero_with_failure():
    """A case that raised: status error, 0 points, the failure code, message and staff detail kept apart."""
    case = make_case()
    failure = Failure("exception", "Affine.backward raised ValueError: shapes not aligned", "Traceback ...")
    result = judge_case(case, CaseOutput(case.id, "error", {"value": VALUE}, failure=failure), None)
    assert (result.status, result.points, result.failure_code) == ("error", 0.0, "exception")
    assert result.message == failure.message
    assert result.staff_detail == "Traceback ..."
    assert "Traceback" not in str(result.to_dict())
    assert [c.key for c in result.checks] == ["value"]  # partial records are still checked, for feedback


def test_process_failure_without_output():
    """No output plus a process failure: error with that failure's code."""
    result = judge_case(make_case(), None, Failure("timeout", "your code ran longer than 10 s"))
    assert (result.status, result.failure_code, result.points) == ("error", "timeout", 0.0)


def test_not_run_failure_code_gives_not_run_status():
    """A failure with code not_run makes the case not_run."""
    result = judge_case(make_case(), None, Failure("not_run", "not run"))
    assert result.status == "not_run"


def _run(outputs, *, load=True, failure=None, isolation="bwrap"):
    info = LoadInfo({"layers": "layers.py"}, {"Affine": "layers.Affine"}, (), {}) if load else None
    return RunResult(isolation, info, outputs, failure, "printed", "", 0.5)


META = {
    "grader_version": "0.1.0",
    "assignment": {"id": "dlfs-layers", "title": "Layers", "family": "layers"},
    "submission_id": "alice",
    "submission_path": "/subs/alice.py",
    "sha256": "ab" * 32,
    "files": ["layers.py"],
    "seed": 42,
    "wall_seconds": 1.25,
}


def test_grade_process_death_marks_first_missing_error_and_rest_not_run():
    """The process died during case b: b is an error (timeout), c was never run."""
    cases = [make_case(id=i) for i in ("a", "b", "c")]
    outputs = {"a": CaseOutput("a", "ok", right(cases[0]))}
    report = grade(cases, _run(outputs, failure=Failure("timeout", "too slow")), META)
    assert [c.status for c in report.cases] == ["passed", "error", "not_run"]
    assert report.cases[1].failure_code == "timeout"
    assert report.cases[2].failure_code == "not_run" and "at case b" in report.cases[2].message
    assert report.status == "graded"
    assert (report.score, report.max_score) == (4.0, 12.0)


def test_grade_load_failure():
    """No load info plus a failure: status load_failed and every case errors with that failure's code."""
    cases = [make_case(id=i) for i in ("a", "b")]
    report = grade(
        cases, _run({}, load=False, failure=Failure("syntax_error", "line 3: invalid syntax")), META
    )
    assert report.status == "load_failed"
    assert {(c.status, c.failure_code) for c in report.cases} == {("error", "syntax_error")}
    assert report.score == 0.0


@pytest.mark.parametrize("isolation", ["rlimits-root-dropped", "rlimits-unprivileged", "none"])
def test_grade_names_every_isolation_weaker_than_bwrap(isolation):
    """Every isolation but bwrap adds a warning naming it exactly; bwrap (the negative control) adds none."""
    cases = [make_case()]
    outputs = {"affine-unit": CaseOutput("affine-unit", "ok", right(cases[0]))}
    warnings = grade(cases, _run(outputs, isolation=isolation), META).warnings
    assert [w for w in warnings if w.startswith(f"isolation: {isolation} (")], warnings
    assert grade(cases, _run(outputs), META).warnings == ()


def test_grade_points_are_rounded():
    """Half and two thirds of a case's points are kept exact per case (2/3 is not cut to 0.6667)."""
    case = make_case(points=1.0)
    records = right(case) | {"db": -DB, "dx": None}
    report = grade([case], _run({case.id: CaseOutput(case.id, "ok", records)}), META)
    assert report.cases[0].points == 0.5
    case3 = make_case(points=1.0, expected={"dW": DW, "db": DB, "dx": np.full((4, 2), 3.0)})
    rec3 = {"dW": DW, "db": DB, "dx": None}
    assert judge_case(case3, CaseOutput(case3.id, "ok", rec3), None).points == 2 / 3


def test_scores_are_summed_exactly_and_rounded_once():
    """Three cases earning 2/3 of a point each score exactly 2 (rounding each to 0.6667 first gave 2.0001),
    in the report, its class summary and the student view; 3 points * 2/3 is 2, not 1.9999999999999998."""
    expected = {"dW": DW, "db": DB, "dx": np.full((4, 2), 3.0)}
    cases = [make_case(id=f"c{i}", points=1.0, expected=expected) for i in range(3)]
    rec = {"dW": DW, "db": DB, "dx": None}
    report = grade(cases, _run({c.id: CaseOutput(c.id, "ok", rec) for c in cases}), META)
    assert report.score == 2.0
    assert report.to_dict()["classes"][0]["points"] == 2.0
    assert student_view(report, after_due_date=True)["score"] == 2.0
    three = make_case(points=3.0, expected=expected)
    assert judge_case(three, CaseOutput(three.id, "ok", rec), None).points == 2.0


def test_no_blame_when_nothing_ran():
    """When every case errored (everything missing, a load failure) no blame line names a class; when a unit
    case fails while another case passes, blame still speaks (control)."""
    unit = make_case(id="u")
    graph = make_case(id="g", kind="graph", target=None)
    missing = Failure("missing_name", "no class Affine in layers.py")
    errored = {c.id: CaseOutput(c.id, "error", {}, (), missing) for c in (unit, graph)}
    assert grade([unit, graph], _run(errored), META).blame == ()
    wrong = {**right(unit), "dW": -right(unit)["dW"]}
    outputs = {"u": CaseOutput("u", "ok", wrong), "g": CaseOutput("g", "ok", wrong)}
    other = make_case(id="o")
    outputs["o"] = CaseOutput("o", "ok", right(other))
    assert grade([unit, graph, other], _run(outputs), META).blame != ()


def test_whether_nothing_ran_is_decided_over_the_cases_a_view_shows():
    """Every visible case stopped at a TODO: the student views have no blame whether the hidden case stopped
    too or failed with every check wrong (both show "failed" and 0 points); the staff blame, over every
    case, speaks when the hidden case failed (control)."""
    unit = make_case(id="u")
    graph = make_case(id="g", kind="graph", target=None)
    hidden = make_case(id="h", visibility="hidden")
    todo = Failure("not_implemented", "Affine.backward raised NotImplementedError")
    stopped = {c.id: CaseOutput(c.id, "error", {}, (), todo) for c in (unit, graph, hidden)}
    wrong = {k: v + 1.0 for k, v in right(hidden).items()}
    failed = {**stopped, "h": CaseOutput("h", "ok", wrong)}
    reports = [grade([unit, graph, hidden], _run(outputs), META) for outputs in (stopped, failed)]
    assert reports[0].blame == () and reports[1].blame != ()
    for after in (False, True):
        views = [student_view(r, after_due_date=after) for r in reports]
        assert [v["blame"] for v in views] == [[], []]
        assert views[0]["cases"] == views[1]["cases"]


def test_grade_warns_once_about_an_upstream_gradient_written_in_place():
    """Two visible cases write into dout: one report warning naming the method; a hidden case's does not
    reach the warnings (rule 11), and a case that leaves dout alone adds none."""
    cases = [make_case(id="a"), make_case(id="b"), make_case(id="h", visibility="hidden")]
    outputs = {c.id: CaseOutput(c.id, "ok", right(c), mutated=("dout",)) for c in cases[:2]}
    warnings = grade(cases, _run(outputs), META).warnings
    assert [w for w in warnings if "upstream gradient" in w] == [
        "Warning (0 points): Affine.backward writes into its upstream gradient dout in place; the book's "
        "Relu.backward does too, so it costs nothing here, but copy it (dx = dout.copy()) if a caller "
        "reuses it"
    ]
    hidden_only = {"h": CaseOutput("h", "ok", right(cases[2]), mutated=("dout",))}
    assert grade(cases, _run(hidden_only), META).warnings == ()
    untouched = {"a": CaseOutput("a", "ok", right(cases[0]))}
    assert grade(cases[:1], _run(untouched), META).warnings == ()


def test_mutated_input_of_a_method_checked_on_its_own_names_the_method():
    """x changed in place by TwoLayerNet.predict (a method step, not a class) names TwoLayerNet.predict."""
    steps = (
        {"do": "apply", "op": "TwoLayerNet.predict", "args": ["x", "W1", "b1", "W2", "b2"], "out": "s"},
        {"do": "record", "key": "value", "value_of": "s", "method": "TwoLayerNet.predict"},
    )
    case = make_case(
        id="two-layer-net-predict",
        kind="behaviour",
        target="TwoLayerNet",
        inputs={"x": np.ones((2, 2)), "W1": np.eye(2), "b1": np.zeros(2), "W2": np.eye(2), "b2": np.zeros(2)},
        steps=steps,
        expected={"value": np.ones((2, 2))},
    )
    result = judge_case(case, CaseOutput(case.id, "ok", right(case), mutated=("x",)), None)
    assert result.diagnosis is not None
    assert "TwoLayerNet.predict changed x in place; copy it (e.g. out = x.copy())" in result.diagnosis.hint
    assert "predict.forward" not in result.diagnosis.hint


def test_a_failing_probe_states_the_fact_not_a_gradient_pattern():
    """A generation of 2 where 1 is expected is a fact about set_creator: the hint says "is 2, expected 1",
    never the batch-size factor a gradient 2x too large would get."""
    from grader.judge.compare import MISSING
    from grader.judge.diagnose import Evidence
    from grader.judge.score import _fact

    tol = Tolerance(1e-7, 1e-9)
    ev = Evidence("generation_a", np.array(2.0), np.array(1.0), tol, "a.gen", "Variable.set_creator", 2)
    finding = _fact(ev)
    assert finding.code == "unknown"
    assert "is 2, expected 1: check Variable.set_creator" in finding.hint and "batch" not in finding.hint
    missing = _fact(Evidence("keeps_inputs", MISSING, True, tol, "inputs kept", "Function.__call__"))
    assert "is missing, expected True" in missing.hint


def test_every_case_erroring_in_the_infrastructure_still_gets_blame():
    """Every case errors because Function.__call__ raises: blame is kept (it names Function); every case
    erroring for a missing name or a load failure gives no blame (the negative control)."""
    from grader.judge.results import CaseResult
    from grader.judge.score import _nothing_ran

    def errored(cid, target, code):
        return CaseResult(cid, cid, "unit", target, "error", 0.0, 1.0, "visible", "m", failure_code=code)

    raised = [errored("function-unit", "Function", "exception"), errored("add-unit", "Add", "exception")]
    assert not _nothing_ran(raised)
    absent = [errored("function-unit", "Function", "import_error"), errored("add", "Add", "syntax_error")]
    assert _nothing_ran(absent)


def test_one_check_is_counted_in_the_singular():
    """A case with a single record says "the 1 check passed" / "1 of 1 check failed", never "all 1 checks"
    (miniflow's input-unit has one check: its Gradescope test read "all 1 checks passed")."""
    case = make_case(expected={"dx": np.full((4, 2), 3.0)})
    ok = judge_case(case, CaseOutput(case.id, "ok", right(case)), None)
    assert len(ok.checks) == 1 and ok.message == "the 1 check passed"
    bad = judge_case(case, CaseOutput(case.id, "ok", {"dx": np.full((4, 2), -3.0)}), None)
    assert bad.message.splitlines()[0] == "1 of 1 check failed"


def _predict_without_bias(case_id: str, visibility: str = "visible") -> tuple[Case, np.ndarray]:
    """A TwoLayerNet.predict case whose known mistake affine_forward_no_bias gives its scores less 0.5 (an
    Affine forward without its bias), and those wrong scores."""
    scores = np.array([[1.0, 2.0], [3.0, 4.0]])
    no_bias = scores - 0.5
    step = {"do": "record", "key": "value", "value_of": "s", "method": "TwoLayerNet.predict"}
    net = make_case(
        id=case_id,
        kind="behaviour",
        target="TwoLayerNet",
        visibility=visibility,
        steps=({"do": "apply", "op": "TwoLayerNet.predict", "args": ["x"], "out": "s"}, step),
        expected={"value": scores},
        known_mistakes={"affine_forward_no_bias": {"value": no_bias}},
    )
    return net, no_bias


def test_a_forward_mistake_of_a_class_whose_unit_cases_pass_is_not_named():
    """A TwoLayerNet case whose scores match affine_forward_no_bias, while Affine's unit case passes (an
    Affine keeping b.copy() that never sees the params set in place): the mistake is not named. Control:
    with Affine's unit case failing, it is."""
    unit = make_case()
    net, no_bias = _predict_without_bias("net-predict")
    got = {net.id: CaseOutput(net.id, "ok", {"value": no_bias})}
    unit_right = {unit.id: CaseOutput(unit.id, "ok", right(unit))}
    unit_wrong = {unit.id: CaseOutput(unit.id, "ok", right(unit) | {"value": VALUE + 1})}
    cleared = grade([unit, net], _run(unit_right | got), META).cases[1].diagnosis
    assert cleared is not None and cleared.code == "unknown"
    named = grade([unit, net], _run(unit_wrong | got), META).cases[1].diagnosis
    assert named is not None and named.code == "wrong_forward" and "Affine.forward" in named.hint


def test_a_visible_hint_reads_the_unit_cases_of_its_phase_and_earlier_ones_only():
    """A visible TwoLayerNet case matching affine_forward_no_bias while Affine's visible unit case passes and
    a hidden one fails: named as `grader check` (the visible cases alone) names it, not (was: named in
    `grader grade` alone) by the hidden case's outcome. A hidden case of the same records reads both unit
    cases, Affine not cleared: named."""
    unit = make_case()
    hidden_unit = make_case(id="gen-affine-unit", visibility="hidden")
    net, no_bias = _predict_without_bias("net-predict")
    hidden_net = dataclasses.replace(net, id="gen-net-predict", visibility="hidden")
    outputs = {
        unit.id: CaseOutput(unit.id, "ok", right(unit)),
        hidden_unit.id: CaseOutput(hidden_unit.id, "ok", right(hidden_unit) | {"value": VALUE + 1}),
        net.id: CaseOutput(net.id, "ok", {"value": no_bias}),
        hidden_net.id: CaseOutput(hidden_net.id, "ok", {"value": no_bias}),
    }
    checked = grade([unit, net], _run({k: outputs[k] for k in (unit.id, net.id)}), META).cases[1]
    graded = grade([unit, hidden_unit, net, hidden_net], _run(outputs), META).cases
    assert checked.diagnosis is not None and checked.diagnosis.code == "unknown"
    assert graded[2].diagnosis == checked.diagnosis and graded[2].message == checked.message
    assert graded[3].diagnosis is not None and graded[3].diagnosis.code == "wrong_forward"


def test_an_after_published_hint_reads_no_after_due_date_case():
    """An after_published TwoLayerNet case matching affine_forward_no_bias, Affine's visible unit case
    passing: its hint is the same whether an after_due_date unit case of Affine passes or fails, since the
    published_before_due_date view shows it without the after_due_date cases (it was named wrong_forward
    when that withheld case failed). Control: an after_due_date case of the same records, shown with that
    unit case, reads it: Affine not cleared, the mistake named."""
    unit = make_case()
    late_unit = make_case(id="late-affine-unit", visibility="after_due_date")
    net, no_bias = _predict_without_bias("pub-net-predict", "after_published")
    late_net = dataclasses.replace(net, id="late-net-predict", visibility="after_due_date")
    graded = {}
    for late_passes in (True, False):
        late = right(late_unit) if late_passes else right(late_unit) | {"value": VALUE + 1}
        outputs = {
            unit.id: CaseOutput(unit.id, "ok", right(unit)),
            late_unit.id: CaseOutput(late_unit.id, "ok", late),
            net.id: CaseOutput(net.id, "ok", {"value": no_bias}),
            late_net.id: CaseOutput(late_net.id, "ok", {"value": no_bias}),
        }
        graded[late_passes] = grade([unit, late_unit, net, late_net], _run(outputs), META).cases
    for passes in (True, False):
        shown = graded[passes][2].diagnosis
        assert shown is not None and shown.code == "unknown", passes
        assert graded[passes][2].message == graded[True][2].message
    named = graded[False][3].diagnosis
    assert named is not None and named.code == "wrong_forward" and "Affine.forward" in named.hint


def test_gradients_an_optimizer_changed_are_named_as_update_received_them():
    """Review of s21-adv, finding 7: grads an SGD.update scaled in place were "SGD.forward: input array(s)
    dW1_1, ... changed in place", a method SGD has not, arrays named as the student never saw them. The
    optimizer's apply step (its records name SGD.update) names them grads['W1'] of call 1 and the method
    update. Control: a layer's input keeps its name and forward (test_mutated_forward_input_names_forward)."""
    settings = {"keys": ["W1", "b1"], "grad_keys": ["b1", "W1"], "lr": 0.1}
    args = ["W1", "b1", "db1_1", "dW1_1", "db1_2", "dW1_2"]
    steps = tuple(
        {"do": "apply", "op": "SGD", "args": args, "out": f"new_{k}", "settings": {**settings, "param": k}}
        for k in ("W1", "b1")
    ) + tuple(
        {"do": "record", "key": k, "value_of": f"new_{k}", "method": "SGD.update"} for k in ("W1", "b1")
    )
    case = make_case(
        id="optimizer-sgd-unit",
        kind="unit",
        target="SGD",
        inputs={a: np.ones(2) for a in args},
        steps=steps,
        expected={"W1": np.ones(2), "b1": np.ones(2)},
    )
    result = judge_case(case, CaseOutput(case.id, "ok", right(case), mutated=("dW1_1", "db1_2")), None)
    assert result.diagnosis is not None
    hint = result.diagnosis.hint
    assert "SGD.update changed grads['W1'] of call 1, grads['b1'] of call 2 in place" in hint, hint
    assert "not grads[key] *= self.lr" in hint
    assert "SGD.forward" not in result.message and "dW1_1" not in result.message, result.message
    assert "SGD.update: input array(s) grads['W1'] of call 1, grads['b1'] of call 2 changed" in result.message


def test_the_isolation_warning_claims_no_cause_it_does_not_know() -> None:
    """Session 22: the rlimits warnings said "bubblewrap unavailable", also when bubblewrap was there and the
    grader's user chose rlimits (`--isolation rlimits`, GRADER_ISOLATION) or a ./grader.toml did. The report
    knows only what ran: bubblewrap was not in use. Control: each warning still names its isolation."""
    from grader.judge.score import ISOLATION_WARNINGS

    for isolation, warning in ISOLATION_WARNINGS.items():
        assert warning.startswith(f"isolation: {isolation} ("), warning
        assert "unavailable" not in warning, warning


def test_a_scaled_gradient_is_named_by_its_own_cases_batch_size():
    """The batch size is worked out at a case's first failing record (grader/judge/score.py `_checks`), after
    a passing one here: a gradient `N` times too large, or divided by `N` once more, is named by the rows of
    the case's own data (x's first axis: 4, then 3 in a second case judged after it), never a batch size
    left unset or carried over from another case (diagnose.batch_size is the first axis of the data)."""
    for rows in (4, 3):
        inputs = {"x": np.ones((rows, 2)), "W": np.ones((2, 3)), "b": np.zeros(3), "dout": np.ones((rows, 3))}
        case = make_case(inputs=inputs)
        records = right(case) | {"dW": rows * DW, "db": DB / rows}
        checks = {c.key: c for c in judge_case(case, CaseOutput(case.id, "ok", records), None).checks}
        assert checks["value"].passed and checks["dx"].passed
        too_large, too_small = checks["dW"].diagnosis, checks["db"].diagnosis
        assert too_large is not None and too_small is not None
        missing = f"too large by the batch size {rows}: the division by the batch size is missing"
        assert missing in too_large.hint
        assert f"divided by {rows}, too small by the batch size {rows}" in too_small.hint


@pytest.mark.parametrize(
    ("handed", "said"),
    [
        ("init_std", "the grader handed it init_std=0.01, the book's weight_init_std"),
        ("reg_scale", "the grader handed it reg_scale=0.0, taking it for a weight decay's strength"),
    ],
)
def test_wrong_values_of_a_case_the_grader_filled_a_parameter_in_say_the_value(handed, said):
    """A failed case whose constructor parameter the grader filled in names that value beside the hint and in
    the message: the book's weight_init_std 0.01 for a weight scale, 0 for a weight decay (review of
    s28-realdlfs, finding 2: the 0.01 wording's only control, two_layer_net_reg_scale_required/, passes since
    its decay is handed 0). Control: the same values without `handed` say neither."""
    case = make_case(target="TwoLayerNet")
    records = right(case) | {"db": -DB}
    result = judge_case(case, CaseOutput(case.id, "ok", records, handed=(handed,)), None)
    assert result.status == "failed" and said in result.message
    assert result.diagnosis is not None and said in result.diagnosis.hint
    assert f"requires {handed} with no default" in result.diagnosis.hint
    plain = judge_case(case, CaseOutput(case.id, "ok", records), None)
    assert plain.status == "failed" and "the grader handed it" not in plain.message
    assert plain.diagnosis is not None and "the grader handed it" not in plain.diagnosis.hint


def test_a_known_fact_of_another_method_is_said_of_that_method():
    """Step 59's param_count record is checked as RNN.__init__'s (how many Parameters rnn.params() yields);
    2 where 3 is expected is the known mistake recurrent_params_not_recursive, a Layer.params that does not
    recurse (sample dezero/late_book_step60_params_not_recursive/). The hint opens with Layer.params, the
    method to fix, and does not send the student to RNN.__init__ first. Control: rnn_h2h_bias, a mistake of
    RNN.__init__ itself (4 Parameters), is still said of RNN.__init__."""
    from grader.judge.diagnose import Evidence, Finding
    from grader.judge.score import _fact

    tol = Tolerance(1e-7, 1e-9)
    label = "how many Parameters params() yields"

    def fact(got: float) -> Finding:
        known = {"rnn_h2h_bias": np.array(4.0), "recurrent_params_not_recursive": np.array(2.0)}
        ev = Evidence("params", np.array(got), np.array(3.0), tol, label, "RNN.__init__", known=known)
        return _fact(ev)

    not_recursive = fact(2.0)
    assert not_recursive.code == "wrong_forward" and not_recursive.blames == "Layer.params"
    assert not_recursive.hint.startswith(f"Layer.params: {label} (params) is 2, expected 3: "), not_recursive
    assert "RNN.__init__" not in not_recursive.hint
    bias = fact(4.0)
    assert bias.blames == "RNN.__init__", bias
    assert bias.hint.startswith(f"RNN.__init__: {label} (params) is 4, expected 3: RNN.__init__ "), bias
