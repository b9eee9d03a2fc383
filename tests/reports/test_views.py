"""student_view(): hidden cases carry no values anywhere, after-due-date cases wait, staff data is gone."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pytest
from report_builder import FLAG_NEEDLE, HIDDEN_EXPECTED, HIDDEN_GOT, HIDDEN_INPUT, build_report

from grader.judge.compare import fmt
from grader.reports import (
    HIDDEN_MESSAGE,
    gradescope_results,
    junit_xml,
    print_summary,
    student_view,
    validate,
)
from grader.reports.report import skipped


def _needles():
    values = np.concatenate([HIDDEN_EXPECTED.ravel(), HIDDEN_GOT.ravel(), HIDDEN_INPUT.ravel()])
    forms = ({fmt(float(v)), repr(float(v)), f"{v:.3g}", f"{v:.4f}"} for v in values)
    return sorted(set().union(*forms))


def _student_texts(report):
    out = io.StringIO()
    print_summary(report, out, student=True)
    return {
        "student view": json.dumps(student_view(report, after_due_date=True)),
        "gradescope": json.dumps(gradescope_results(report)),
        "junit (student)": junit_xml(report, student=True),
        "terminal (student)": out.getvalue(),
    }


def test_flags_reach_no_student_facing_output(flagged_report):
    """No student-facing output (student view, Gradescope's visible fields, student JUnit, student terminal)
    carries a flag; the staff JUnit and terminal do not either (CI logs are read by students)."""
    texts = _student_texts(flagged_report)
    gradescope = gradescope_results(flagged_report)
    texts["gradescope"] = json.dumps(
        {**gradescope, "tests": [t for t in gradescope["tests"] if t["visibility"] != "hidden"]}
    )
    out = io.StringIO()
    print_summary(flagged_report, out)
    texts["terminal (staff)"] = out.getvalue()
    texts["junit (staff)"] = junit_xml(flagged_report)
    for where, text in texts.items():
        for needle in (FLAG_NEEDLE, "numerical_gradient", "staff-review"):
            assert needle not in text, f"{needle} in {where}"
    assert "flags" not in student_view(flagged_report, after_due_date=True).get("staff", {})


def test_flags_are_found_in_the_staff_report(flagged_report):
    """Negative control for the search above: the staff report does contain the flags' text."""
    assert FLAG_NEEDLE in json.dumps(flagged_report.to_dict())


def test_hidden_values_leak_nowhere(report):
    """No formatting of a hidden case's expected, returned or input numbers appears in any student output."""
    for where, text in _student_texts(report).items():
        leaked = [n for n in _needles() if n in text]
        assert not leaked, f"{where} leaks {leaked}"


def test_search_can_find_hidden_values_in_staff_report(report):
    """Positive control for the leak search: the staff report does show the hidden case's numbers."""
    staff = json.dumps(report.to_dict())
    assert fmt(float(HIDDEN_EXPECTED[1, 1])) in staff and fmt(float(HIDDEN_GOT[1, 1])) in staff


def test_hidden_case_shows_status_and_points_only(report):
    """The hidden case keeps pass/fail and points; message fixed, no checks, no failure code, no diagnosis
    (each is computed from the hidden inputs)."""
    (hidden,) = [c for c in student_view(report, after_due_date=True)["cases"] if c["id"] == "affine-hidden"]
    assert (hidden["status"], hidden["points"], hidden["max_points"]) == ("failed", 0.0, 2.0)
    assert hidden["message"] == HIDDEN_MESSAGE
    assert hidden["checks"] == [] and hidden["failure_code"] is None and hidden["diagnosis"] is None
    # Control: the staff report does hold the diagnosis the student view drops.
    (staff,) = [c for c in report.to_dict()["cases"] if c["id"] == "affine-hidden"]
    assert staff["diagnosis"]["code"] == "unknown"


@pytest.mark.parametrize("after", [False, True])
def test_student_view_validates_and_drops_staff(report, after):
    """The student view validates against the report schema and has no staff section or traceback."""
    view = student_view(report, after_due_date=after)
    validate(view, "report")
    assert "staff" not in view and view["view"] == "student"
    assert "secret" not in json.dumps(view)


def test_after_due_date_cases_wait(report):
    """after_due_date cases are removed before the due date (score counts shown cases only), shown after."""
    before = student_view(report, after_due_date=False)
    after = student_view(report, after_due_date=True)
    assert "relu-late" not in [c["id"] for c in before["cases"]]
    assert "relu-late" in [c["id"] for c in after["cases"]]
    assert before["withheld"] == {"cases": 1, "max_points": 2.0}
    assert after["withheld"] == {"cases": 0, "max_points": 0.0}
    assert (before["score"], before["max_score"]) == (report.score - 2.0, report.max_score - 2.0)
    assert (after["score"], after["max_score"]) == (report.score, report.max_score)
    assert all(
        "relu-late" not in ids for cls in before["classes"] for ids in cls.values() if isinstance(ids, list)
    )


def test_hidden_summary_counts_lost_points(report):
    """`hidden` says how many hidden cases failed and what they earned."""
    assert student_view(report, after_due_date=True)["hidden"] == {
        "cases": 1,
        "failed": 1,
        "points": 0.0,
        "max_points": 2.0,
    }


def test_staff_report_is_unchanged_by_projection():
    """Projecting twice gives the same result and never mutates the report's own dict."""
    report = build_report()
    before = json.dumps(report.to_dict(), sort_keys=True)
    student_view(report, after_due_date=False)
    assert json.dumps(report.to_dict(), sort_keys=True) == before


def test_run_time_is_withheld_from_students_when_hidden_cases_ran(report):
    """Hidden and after-due-date phases run the student's code on inputs the student never sees, for as long
    as that code likes: the student view (and the JUnit suite built from it) shows no run time then, the
    staff report keeps it. Control: with visible cases alone the student sees the run's real figures."""
    assert student_view(report, after_due_date=True)["timing"] == {
        "wall_seconds": 0.0,
        "sandbox_seconds": 0.0,
    }
    assert report.to_dict()["timing"] == {"wall_seconds": 1.5, "sandbox_seconds": 0.75}
    assert 'time="0.000"' in junit_xml(report, student=True) and 'time="0.750"' in junit_xml(report)
    visible = dataclasses.replace(report, cases=tuple(c for c in report.cases if c.visibility == "visible"))
    assert student_view(visible, after_due_date=False)["timing"] == {
        "wall_seconds": 1.5,
        "sandbox_seconds": 0.75,
    }


def test_blame_is_worded_from_the_cases_the_student_sees(report):
    """The hidden case's dW is wrong in a way of its own ('unknown', beside the visible case's 'transposed'):
    the staff blame words both, the student view's blame only what its open cases show, in both views. The
    staff report is the control that the hidden diagnosis is there to leak."""
    (staff,) = [b for b in report.to_dict()["blame"] if b["class"] == "Affine"]
    assert staff["codes"] == ["transposed", "unknown"] and "unknown" in staff["message"]
    for after in (False, True):
        (shown,) = [b for b in student_view(report, after_due_date=after)["blame"] if b["class"] == "Affine"]
        assert shown["codes"] == ["transposed"] and "unknown" not in shown["message"], shown
        assert shown["unit_cases"] == ["affine-unit"]
    assert "unknown" not in gradescope_results(report)["output"]


def test_a_report_without_a_student_blame_shows_blame_only_when_every_case_is_open(report):
    """A report kept from before the student blame was worked out apart (a journal of an older version): its
    blame counts hidden cases, so the student view shows none; with every case open it is the same blame."""
    doc = report.to_dict()
    del doc["staff"]["student_blame"]
    assert student_view(doc, after_due_date=True)["blame"] == []
    doc["cases"] = [dict(c, visibility="visible") for c in doc["cases"]]
    assert student_view(doc, after_due_date=False)["blame"] == doc["blame"]


def test_whether_hidden_cases_ran_does_not_decide_the_students_blame():
    """Every visible case errors; the hidden case either passes or errors too (a hidden-phase process can
    choose which from a hidden input). The student's blame is the same both ways, while the staff blame does
    change (the control: with every case errored nothing ran, and the staff blame is empty)."""
    from report_builder import _case

    from grader.judge import grade
    from grader.model import CaseOutput, Failure, LoadInfo, RunResult

    expected = {"dx": np.array([1.0, 2.0])}
    cases = [
        _case("affine-unit", expected=expected),
        _case("affine-graph", target=None, kind="graph", expected=expected),
        _case("affine-hidden", visibility="hidden", expected=expected),
    ]
    boom = CaseOutput("x", "error", {}, failure=Failure("exception", "Affine.backward raised ValueError"))
    meta = {"assignment": {"id": "dlfs-layers", "title": "t", "family": "layers"}, "seed": 1}
    load = LoadInfo({"layers": "layers.py"}, {"Affine": "layers.Affine"}, (), {})
    reports = {}
    for hidden in ("passes", "errors"):
        outputs = {c: dataclasses.replace(boom, case_id=c) for c in ("affine-unit", "affine-graph")}
        outputs["affine-hidden"] = (
            CaseOutput("affine-hidden", "ok", dict(expected))
            if hidden == "passes"
            else dataclasses.replace(boom, case_id="affine-hidden")
        )
        reports[hidden] = grade(cases, RunResult("bwrap", load, outputs, None, "", "", 0.1), meta)
    staff = {k: [b.to_dict() for b in r.blame] for k, r in reports.items()}
    assert staff["passes"] != staff["errors"] == []
    for after in (False, True):
        shown = [student_view(r, after_due_date=after)["blame"] for r in reports.values()]
        assert shown[0] == shown[1], shown


def test_a_grader_error_in_a_hidden_case_alone_is_staffs(report):
    """status "error" (the grader's fault) because of a hidden case alone would tell the student a bit of what
    the hidden phase did: the student view says graded, the staff report keeps error. Controls: the same
    error in a visible case, and an error no case carries (the whole run failed), stay "error"."""
    doc = report.to_dict()
    doc["status"] = "error"
    hidden = next(c for c in doc["cases"] if c["visibility"] == "hidden")
    hidden["failure_code"] = "grader_error"
    assert student_view(doc, after_due_date=True)["status"] == "graded"
    assert doc["status"] == "error"
    visible = next(c for c in doc["cases"] if c["visibility"] == "visible")
    visible["failure_code"] = "grader_error"
    assert student_view(doc, after_due_date=True)["status"] == "error"
    for c in doc["cases"]:
        c["failure_code"] = None
    assert student_view(doc, after_due_date=False)["status"] == "error"


def test_a_private_seed_reaches_no_student_facing_output(report):
    """A per-student seed made from the course secret (grader/gradescope_seed.py) would let the grader's
    public code replay the student's hidden cases: no student output carries it; the staff report does."""
    private = dataclasses.replace(report, seed=987654321123, seed_private=True)
    for where, text in _student_texts(private).items():
        assert "987654321123" not in text, where
    view = student_view(private, after_due_date=True)
    assert view["seed"] is None and "seed_private" not in view
    validate(view, "report")
    staff = private.to_dict()
    assert staff["seed"] == 987654321123 and staff["seed_private"] is True
    validate(staff, "report")
    control = dataclasses.replace(report, seed=987654321123)  # a seed given or drawn is shown as before
    assert "987654321123" in _student_texts(control)["gradescope"]
    assert "seed_private" not in control.to_dict()
    assert "seed None" not in _student_texts(private)["terminal (student)"]


@pytest.mark.parametrize(
    ("after_due_date", "published", "shown"),
    [
        (False, False, set()),
        (True, False, {"relu-late"}),
        (False, True, {"relu-published"}),
        (True, True, {"relu-late", "relu-published"}),
    ],
)
def test_after_published_cases_wait_for_the_grades_to_be_published(after_due_date, published, shown):
    """An after_published case (its dx sign-flipped) is in the student view only once grades are published,
    with its message; until then it is counted in `withheld.after_published` and no blame is worded from
    it. The after_due_date case waits for the due date alone, whether grades are published or not."""
    report = build_report(published_dx=(-0.5, -1.5))
    view = student_view(report, after_due_date=after_due_date, published=published)
    validate(view, "report")
    ids = {c["id"] for c in view["cases"]}
    assert ids & {"relu-late", "relu-published"} == shown
    blamed = {b["class"] for b in view["blame"]}
    if "relu-published" in shown:
        (case,) = [c for c in view["cases"] if c["id"] == "relu-published"]
        assert case["status"] == "failed" and case["message"] != HIDDEN_MESSAGE
        assert "Relu" in blamed
    else:
        assert view["withheld"]["after_published"] == {"cases": 1, "max_points": 2.0}
        assert "Relu" not in blamed
    assert view["withheld"]["cases"] == 2 - len(shown)
    plain = student_view(build_report(), after_due_date=False, published=published)  # control
    assert "after_published" not in plain["withheld"]


def test_a_skipped_optional_hidden_case_is_no_hidden_test_that_did_not_pass(report):
    """A hidden case of an optional class the code does not define is skipped, 0 of 0 points, no points lost:
    it was counted among the hidden tests that "did not pass" (Gradescope's summary told a file graded full
    marks "3 of 15 hidden tests did not pass"; review of session 18). Control: a hidden case that failed."""
    skipped_case = dataclasses.replace(
        next(c for c in report.cases if c.case_id == "affine-hidden"),
        status="not_run",
        points=0.0,
        max_points=0.0,
        optional=True,
    )
    cases = tuple(skipped_case if c.case_id == "affine-hidden" else c for c in report.cases)
    hidden = student_view(dataclasses.replace(report, cases=cases), after_due_date=True)["hidden"]
    assert (hidden["cases"], hidden["failed"]) == (1, 0)
    assert student_view(report, after_due_date=True)["hidden"]["failed"] == 1  # the control: it failed


def test_a_zero_point_case_the_run_stopped_before_is_no_skipped_class(report):
    """A 0-point case of an optional class the code DOES define, not run because an earlier case timed out
    (its failure code not_run), was taken for a class left out: Gradescope listed it as a passed test and
    the pytest plugin skipped it (review of session 19). It stays a test that did not pass; the case of a
    class left out (no failure code) is still skipped."""
    base = next(c for c in report.cases if c.case_id == "affine-hidden")
    stopped = dataclasses.replace(
        base, status="not_run", points=0.0, max_points=0.0, optional=True, failure_code="not_run"
    )
    absent = dataclasses.replace(stopped, failure_code=None)
    for case, counted in ((stopped, 1), (absent, 0)):
        cases = tuple(case if c.case_id == "affine-hidden" else c for c in report.cases)
        hidden = student_view(dataclasses.replace(report, cases=cases), after_due_date=True)["hidden"]
        assert hidden["failed"] == counted
        assert skipped(case.to_dict()) is (counted == 0)
