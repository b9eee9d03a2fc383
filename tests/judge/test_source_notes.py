"""Case messages led by what the parent read in the source: a method with the wrong parameters (its error),
a helper that drops an argument (its failing cases), loops at import (a timeout)."""

from __future__ import annotations

import dataclasses

from grader.judge.results import CaseResult
from grader.judge.source_notes import explain
from grader.signatures import Problem

NO_SELF = Problem("Sigmoid", "forward", "Sigmoid.forward is defined without `self` (layers.py line 2: ...)")
EXTRA = Problem("Affine", "backward", "Affine.backward(self, dout, extra) takes an extra required parameter")


def _case(cid: str, message: str, status: str = "error", visibility: str = "visible") -> CaseResult:
    return CaseResult(cid, cid, "unit", None, status, 0.0, 2.0, visibility, message)  # type: ignore[arg-type]


def test_the_error_of_that_method_is_led_by_the_problem_and_keeps_python_words() -> None:
    """Python's TypeError names `Sigmoid.forward()`: the problem's line first, Python's below it."""
    python = "Sigmoid applied to x: TypeError: Sigmoid.forward() takes 1 positional argument but 2 were given"
    (result,), unmet = explain([_case("sigmoid-unit", python)], [NO_SELF, EXTRA])
    assert result.message == f"{NO_SELF.message}\n{python}"
    assert unmet == (EXTRA.message,)


def test_self_undefined_inside_the_method_is_its_error_too() -> None:
    """A method without self called with no argument fails inside it: `self` is undefined there."""
    python = "NameError: name 'self' is not defined (layers.py line 3, in Sigmoid.forward: `self.out = out`)"
    (result,), unmet = explain([_case("sigmoid-unit", python)], [NO_SELF])
    assert result.message.startswith(NO_SELF.message) and unmet == ()


def test_other_errors_and_failures_are_left_alone() -> None:
    """Negative controls: another method's error, a failed (not errored) case; a problem met only by a
    hidden case stays a warning (the student sees no hidden message)."""
    other = _case("relu-unit", "TypeError: Relu.forward() takes 1 positional argument but 2 were given")
    failed = _case("sigmoid-unit", "Sigmoid.forward() values differ", status="failed")
    hidden = _case("affine-hidden", "TypeError: Affine.backward() missing 1 required", visibility="hidden")
    results, unmet = explain([other, failed, hidden], [NO_SELF, EXTRA])
    assert results[:2] == (other, failed)
    assert results[2].message.startswith(EXTRA.message)
    assert unmet == (NO_SELF.message, EXTRA.message)


def test_a_method_only_the_students_own_code_calls_is_said_where_it_errors_never_as_a_warning() -> None:
    """DeZero's Pow.forward(self, x, c) (warn_unmet False): no case met it, so nothing is said (the student's
    own Function.__call__ passes c, full marks); a case erroring in it is still led by the line."""
    own = Problem("Pow", "forward", "Pow.forward(self, x, c) takes an extra required parameter `c`", False)
    passed = _case("pow-unit", "", status="passed")
    assert explain([passed], [own]) == ((passed,), ())
    python = "TypeError: Pow.forward() missing 1 required positional argument: 'c'"
    (result,), unmet = explain([_case("pow-unit", python)], [own])
    assert result.message == f"{own.message}\n{python}" and unmet == ()


def test_a_timeout_at_import_is_followed_by_the_top_level_loops() -> None:
    """A case stopped for time while the files loaded says where they loop at import; another timeout (in a
    case) and another error are left alone, as is every case when there is no loop."""
    from grader.judge.source_notes import place_loops

    at_import = dataclasses.replace(
        _case("a", "Stopped after 10 s ... Likely a training loop or demo at the top level of a file, ..."),
        failure_code="timeout",
    )
    in_case = dataclasses.replace(
        _case("b", "Stopped after 10 s ... Likely a loop that never ends"), failure_code="timeout"
    )
    other = _case("c", "NameError: name 'np' is not defined")
    loops = ("hw.py line 250: `while True:`",)
    placed = place_loops([at_import, in_case, other], loops)
    assert placed[0].message == (
        f"{at_import.message}\nLoops at the top level of your code (they run at import): {loops[0]}"
    )
    assert placed[1:] == (in_case, other)
    assert place_loops([at_import], ()) == (at_import,)


def _graded_with_dropped_add(cases_and_values, dropped):
    """grade() of Add/Exp cases (value expected 2, 2) with the helper notes of grader/helper_args.py."""
    import numpy as np

    from grader.judge import grade
    from grader.model import Case, CaseOutput, LoadInfo, RunResult, Tolerance

    cases, outputs = [], {}
    for cid, op, args, visibility, got in cases_and_values:
        steps = (
            {"do": "apply", "op": op, "args": list(args), "out": "y"},
            {"do": "record", "key": "value", "value_of": "y", "method": f"{op}.forward"},
        )
        inputs = {a: np.ones(2) for a in args}
        cases.append(
            Case(
                cid, cid, "unit", op, inputs, steps, {"value": np.full(2, 2.0)}, Tolerance(), 2.0, visibility
            )
        )
        outputs[cid] = CaseOutput(cid, "ok", {"value": np.full(2, got)})
    load = LoadInfo({"m": "m.py"}, {"Add": "m.Add", "Exp": "m.Exp"}, (), {})
    run = RunResult("bwrap", load, outputs, None, "", "", 0.0)
    meta = {
        "assignment": {"id": "dezero", "title": "t", "family": "dezero"},
        "seed": 1,
        "dropped_args": dropped,
    }
    return grade(cases, run, meta)


def _dropped_add():
    from grader.helper_args import Dropped

    return Dropped(
        "add",
        frozenset({"Add"}),
        (1,),
        True,
        "add(x0, x1) never uses x1 (hw.py line 9)",
        "add(x0, x1) never uses its parameter x1 (hw.py line 9): whatever x1 is, ...",
    )


def test_a_failing_case_calling_a_helper_that_drops_an_argument_is_led_and_diagnosed_by_it() -> None:
    """add(x0, x1) failing: led by the helper's line and diagnosed helper_drops_argument; negative controls:
    add(x, x) failing (the dropped x1 is x: something else is wrong), a passing add case, a failing Exp."""
    note = _dropped_add()
    report = _graded_with_dropped_add(
        [
            ("two", "Add", ("x0", "x1"), "visible", 1.0),
            ("same", "Add", ("x", "x"), "visible", 1.0),
            ("right", "Add", ("x0", "x1"), "visible", 2.0),
            ("exp", "Exp", ("x",), "visible", 1.0),
        ],
        (note,),
    )
    two, same, right, exp = report.cases
    assert two.message.startswith(note.message + "\n") and two.diagnosis.code == "helper_drops_argument"
    assert two.diagnosis.hint == note.message
    for other in (same, exp):
        assert other.status == "failed" and not other.message.startswith(note.message)
        assert other.diagnosis is None or other.diagnosis.code != "helper_drops_argument"
    assert right.status == "passed" and not right.message.startswith(note.message)
    assert note.message not in report.warnings  # a visible case said it
    # Blame names the helper only when every failing unit case of Add was led by it: not with `same` failing.
    assert "explained by the helper" not in " ".join(b.message for b in report.blame)
    alone = _graded_with_dropped_add(
        [("two", "Add", ("x0", "x1"), "visible", 1.0), ("exp", "Exp", ("x",), "visible", 1.0)], (note,)
    )
    assert next(b.message for b in alone.blame if b.class_name == "Add") == (
        "The failing cases calling add() are explained by the helper itself: "
        "add(x0, x1) never uses x1 (hw.py line 9)"
    )
    assert next(b.message for b in alone.blame if b.class_name == "Exp").startswith(
        "The unit cases of Exp fail"
    )


def test_a_helper_note_only_hidden_cases_met_is_a_warning() -> None:
    """The student reads no hidden case's message: the note is a warning of the report instead."""
    note = _dropped_add()
    report = _graded_with_dropped_add([("hidden-two", "Add", ("x0", "x1"), "hidden", 1.0)], (note,))
    assert report.cases[0].diagnosis.code == "helper_drops_argument"
    assert note.message in report.warnings
    assert _graded_with_dropped_add([("two", "Add", ("x0", "x1"), "visible", 1.0)], ()).cases[
        0
    ].diagnosis.code != ("helper_drops_argument")


def test_a_dropped_parameter_with_a_default_leads_only_the_cases_passing_it() -> None:
    """sum(x, axis=None) ignoring axis: a case passing no constant is unharmed (it fails for another reason,
    named as before; no warning, blame unchanged); a case passing axis is led."""
    import numpy as np

    from grader.helper_args import Dropped
    from grader.judge import grade
    from grader.model import Case, CaseOutput, LoadInfo, RunResult, Tolerance

    note = Dropped(
        "sum", frozenset({"Sum"}), (1,), False, "sum(x, axis) never uses axis (hw.py line 3)", "..."
    )
    plain = ({"do": "apply", "op": "Sum", "args": ["x"], "out": "y"},)
    with_axis = ({"do": "apply", "op": "Sum", "args": ["x"], "settings": {"axis": 0}, "out": "y"},)
    cases, outputs = [], {}
    for cid, steps in (("plain", plain), ("axis", with_axis)):
        record = {"do": "record", "key": "value", "value_of": "y", "method": "Sum.forward"}
        case = Case(
            cid, cid, "unit", "Sum", {"x": np.ones(2)}, (*steps, record), {"value": 2.0}, Tolerance(), 1.0
        )
        cases.append(case)
        outputs[cid] = CaseOutput(cid, "ok", {"value": 1.0})
    run = RunResult("bwrap", LoadInfo({"m": "m.py"}, {"Sum": "m.Sum"}, (), {}), outputs, None, "", "", 0.0)
    meta = {
        "assignment": {"id": "dezero", "title": "t", "family": "dezero"},
        "seed": 1,
        "dropped_args": (note,),
    }
    plain_result, axis_result = grade(cases, run, meta).cases
    assert plain_result.diagnosis.code != "helper_drops_argument" and not plain_result.message.startswith(
        "..."
    )
    assert axis_result.diagnosis.code == "helper_drops_argument"
    assert "..." not in grade(cases[:1], run, meta).warnings
    assert "explained by the helper" not in " ".join(b.message for b in grade(cases[:1], run, meta).blame)
