"""Nothing a hidden case's inputs reach flows into anything a student sees (DESIGN rule 11, issue 9).

`hidden_input_leak.py` prints every input array it is given and raises exceptions quoting them. Hidden and
after-due-date cases run in fresh student processes after the visible ones; their output and messages are
for staff only. The staff report is the positive control: it must hold the leaked values, which proves the
sample really tried.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
from calibration import cpu_share
from hostile_harness import HOSTILE_DIR, TEST_LIMITS, Sweep, grade

from grader.judge.compare import fmt
from grader.reports import HIDDEN_MESSAGE, gradescope_results, junit_xml, print_summary, student_view, write


def _needles(cases: Any, visibility: str) -> set[str]:
    """How the sample prints each input value of the cases of one visibility (repr of a float), for values
    with at least 12 characters: the generated cases' random floats, which no other number can match by
    chance (a stored fixture's 0.7 also occurs inside other numbers)."""
    return {
        text
        for case in cases
        if case.visibility == visibility
        for value in case.inputs.values()
        for v in np.ravel(value)
        if len(text := repr(float(v))) >= 12
    }


def _student_texts(report: Any) -> dict[str, str]:
    terminal = io.StringIO()
    print_summary(report, terminal, student=True)
    return {
        "student view": json.dumps(student_view(report, after_due_date=False)),
        "gradescope": json.dumps(gradescope_results(report)),
        "junit (student)": junit_xml(report, student=True),
        "terminal": terminal.getvalue(),
    }


def test_hidden_inputs_reach_staff_only(pool: Any, miniflow_plan: Any, sweep: Sweep) -> None:
    """The hidden cases' input values appear in the staff report and in no student-facing output."""
    graded = sweep(pool, "hidden_input_leak.py").graded
    hidden = _needles(miniflow_plan.cases, "hidden") - _needles(miniflow_plan.cases, "visible")
    assert hidden, "the plan must have hidden cases with long inputs for this test to mean anything"
    staff = json.dumps(graded.report.to_dict())
    assert any(n in staff for n in hidden), "positive control: the sample did print hidden inputs (staff)"
    assert "LEAK " in graded.run.stdout, "positive control: the visible phase's output is the student's"
    for where, text in _student_texts(graded.report).items():
        leaked = sorted(n for n in hidden if n in text)
        assert not leaked, f"hidden inputs reached the {where}: {leaked[:5]}"


def _tabled(cases: Any, visibilities: tuple[str, ...]) -> set[str]:
    """How a mismatch table prints the input values of the cases of those visibilities (compare.fmt, %.6g),
    for those of at least 8 characters: drawn floats that no other number of the report matches by chance."""
    return {
        text
        for case in cases
        if case.visibility in visibilities
        for value in case.inputs.values()
        for v in np.ravel(value)
        if len(text := fmt(float(v))) >= 8
    }


_NUMBER = re.compile(r"-?[0-9]+\.[0-9]+(?:e[-+][0-9]+)?")


def _table_numbers(report: Any, visibilities: tuple[str, ...]) -> set[str]:
    """The numbers of at least 8 characters in the staff messages of the cases of those visibilities (their
    got / expected tables): what a view withholding those cases must not print."""
    return {
        n
        for case in report.cases
        if case.visibility in visibilities
        for n in _NUMBER.findall(case.message)
        if len(n) >= 8
    }


def test_the_reports_ci_publishes_hold_no_hidden_value(
    pool: Any, miniflow_plan: Any, sweep: Sweep, tmp_path: Path
) -> None:
    """`hidden_values_in_ci_reports.py` hands back W as W's gradient, so every mismatch table quotes a
    case's W (got) beside its right gradient (expected). junit.xml, written by `grade` and `batch` for CI,
    whose logs and artifacts the student reads (docs/FLAGS.md), was the staff view: the hidden and
    after-due-date cases' tables and messages (session 30). No file the commands write for students holds a
    hidden case's input; before the due date junit.xml and student.json hold nothing of the after-due-date
    case's table either, which results.json does hold (Gradescope shows it after the due date: the control
    that those numbers are real); report.json, staff's, holds them all (positive control)."""
    graded = sweep(pool, "hidden_values_in_ci_reports.py").graded
    withheld = _tabled(miniflow_plan.cases, ("hidden",)) - _tabled(miniflow_plan.cases, ("visible",))
    assert withheld, "the plan must have hidden cases with drawn inputs for this test to mean anything"
    # the after-due-date case's inputs are stored ones, too short to match alone (_tabled finds none of them):
    # its table's numbers stand for it (review of s30-hostile)
    later_table = _table_numbers(graded.report, ("after_due_date",)) - _table_numbers(
        graded.report, ("visible",)
    )
    assert later_table, "the after-due-date case must fail with a table for this test to mean anything"
    paths = write(graded.report, tmp_path, ("json", "junit", "student", "gradescope"))
    texts = {path.name: path.read_text(encoding="utf-8") for path in paths}
    assert any(n in texts["report.json"] for n in withheld), "positive control: staff see the hidden tables"
    # its table rows (a code block there; the markdown lines escape their dots)
    assert later_table & set(_NUMBER.findall(texts["results.json"])), "control: Gradescope's later test"
    for name in ("junit.xml", "student.json", "results.json"):
        leaked = sorted(n for n in withheld if n in texts[name])
        assert not leaked, f"a hidden case's input reached {name}: {leaked[:5]}"
    for name in ("junit.xml", "student.json"):
        leaked = sorted(n for n in later_table if n in texts[name])
        assert not leaked, f"the after-due-date case's table reached {name} before the due date: {leaked[:5]}"
    suite = ET.fromstring(texts["junit.xml"].split("\n", 1)[1]).find("testsuite")
    assert suite is not None
    shown = {case.get("name") for case in suite.iter("testcase")}
    later = {c.case_id for c in graded.report.cases if c.visibility == "after_due_date"}
    assert later and not shown & later, "before the due date, JUnit lists no after-due-date case"
    hidden = {c.case_id for c in graded.report.cases if c.visibility == "hidden"}
    texts_of_hidden = [
        f.text for c in suite.iter("testcase") if c.get("name") in hidden for f in c.iter("failure")
    ]
    assert texts_of_hidden and set(texts_of_hidden) == {HIDDEN_MESSAGE}, texts_of_hidden[:2]
    after = junit_xml(graded.report, student=True, after_due_date=True)
    assert later <= {c.get("name") for c in ET.fromstring(after.split("\n", 1)[1]).iter("testcase")}


def _loaded_wall() -> float:
    """The tests' wall limit, scaled to the CPU share a busy process gets now: the claims below are about
    what reaches whom, not about time, and on a loaded 2-core machine the hidden phase met the 3 s limit
    before it flooded (the positive control failed: "Flooded" not in the phase's failure)."""
    return TEST_LIMITS.wall_seconds / cpu_share()


def _element_count(x: float) -> str:
    """The element count hidden_input_element_count.py answers for a first input x (its own formula)."""
    return str(1_000_001 + round((min(max(x, -4.0), 4.0) + 4.0) * 100_000))


def test_hidden_input_in_an_element_count_reaches_staff_only(pool: Any, miniflow_plan: Any) -> None:
    """`hidden_input_element_count.py` answers a hidden case's value with as many elements as a hidden input
    says (over the cap of one record): that count reaches the staff report only, and the visible cases, run
    before by another process, are graded as they ran."""
    sample = HOSTILE_DIR / "hidden_input_element_count.py"
    graded = grade(pool, miniflow_plan, sample, wall_seconds=_loaded_wall())

    def counts(visibility: str) -> set[str]:
        return {
            _element_count(float(case.inputs["X"][0, 0]))
            for case in miniflow_plan.cases
            if case.visibility == visibility and np.shape(case.inputs.get("X")) == (4, 3)
        }

    hidden = counts("hidden") - counts("visible")
    assert hidden, "the plan must have hidden Linear cases on a (4, 3) X for this test to mean anything"
    staff = json.dumps(graded.report.to_dict())
    assert any(n in staff for n in hidden), "positive control: the sample did send a hidden input's count"
    for where, text in _student_texts(graded.report).items():
        leaked = sorted(n for n in hidden if n in text)
        assert not leaked, f"a hidden input (as an element count) reached the {where}: {leaked}"
    visible = [c for c in graded.report.cases if c.visibility == "visible"]
    assert all(c.status == "passed" for c in visible), [(c.case_id, c.status, c.message) for c in visible]


def test_a_hidden_phase_that_floods_the_results_leaves_the_visible_cases_alone(
    pool: Any, miniflow_plan: Any
) -> None:
    """`hidden_phase_result_flood.py` floods the job's results when a hidden input's bit is set: the hidden
    phase is refused (staff see why), the visible and after-due-date cases, reported before by another phase,
    are graded as they ran, and no student-facing text says anything of the flood (one bit of a hidden input).
    """
    sample = HOSTILE_DIR / "hidden_phase_result_flood.py"
    graded = grade(pool, miniflow_plan, sample, wall_seconds=_loaded_wall())
    hidden = graded.run.phase_failures.get("hidden")
    assert hidden is not None and "Flooded" in hidden.message, "positive control: the sample did flood"
    assert graded.run.process_failure is None, graded.run.process_failure
    earlier = [c for c in graded.report.cases if c.visibility != "hidden"]
    assert earlier and all(c.status == "passed" for c in earlier), [(c.case_id, c.message) for c in earlier]
    for where, text in _student_texts(graded.report).items():
        assert "Flooded" not in text and "result channel" not in text, f"the flood reached the {where}"


def test_a_hidden_cases_diagnosis_never_words_the_student_visible_blame(pool: Any, sweep: Sweep) -> None:
    """`hidden_input_blame_text.py` fails Linear's visible unit case (sign of dW) and, in the hidden phase,
    doubles db of a hidden Linear unit case when its X[0, 0] is negative: the staff blame says so (positive
    control); the student view's blame must not ("gradient of b is wrong (scaled)": a hidden input's bit).
    """
    graded = sweep(pool, "hidden_input_blame_text.py").graded
    staff = json.dumps([b.to_dict() for b in graded.report.blame])
    assert "scaled" in staff, "positive control: the hidden unit cases did fail with db scaled"
    shown = json.dumps(student_view(graded.report, after_due_date=True)["blame"])
    assert "sign_flipped" in shown, "control: the visible case's own diagnosis is the student's to see"
    assert "scaled" not in shown and "gradient of b" not in shown, shown


# The hints of the two known mistakes the visible input-unit's dX fits (reference/mutations.py).
_INPUT_ONLY = "Input.backward assigns (=) the gradient from each outbound node"
_THROUGHOUT = "Input.backward, Linear.backward and Sigmoid.backward assign (=)"


def test_a_hidden_cases_records_never_choose_a_visible_cases_hint(
    pool: Any, miniflow_plan: Any, sweep: Sweep
) -> None:
    """`hidden_input_mistake_support.py` overwrites in Input.backward everywhere: the visible input-unit's dX
    is what two known mistakes produce (the Input's overwrite, first in the registry, and the overwrite
    throughout). In the hidden process, a Linear or Sigmoid with two consumers keeps the last one's gradient
    (the overwrite throughout) when the case's X starts negative, the first one's (no known mistake)
    otherwise: the same records are wrong either way, so the hidden cases' status and points are the same.
    Counted over every case, the hidden records back the overwrite throughout (positive control); the hint the
    student reads for the visible case must be the one the cases it shows back."""
    from grader.judge.support import mistake_support

    graded = sweep(pool, "hidden_input_mistake_support.py").graded
    two = [c for c in miniflow_plan.cases if c.id in ("accumulate-two-consumers", "linear-two-consumers")]
    assert all(c.visibility == "hidden" for c in two) and len(two) == 2, "the plan's two-consumer cases"
    assert any(float(np.ravel(c.inputs["X"])[0]) < 0 for c in two), "a hidden X must start negative"

    def support(visibilities: tuple[str, ...]) -> dict[str, int]:
        pairs = [
            (c, graded.run.outputs[c.id].records)
            for c in miniflow_plan.cases
            if c.visibility in visibilities and c.id in graded.run.outputs
        ]
        return mistake_support(pairs)

    every = support(("visible", "after_due_date", "hidden"))
    assert every["overwrite_throughout"] > every["overwrite_in_input"], f"positive control: {every}"
    shown = support(("visible", "after_due_date"))
    assert shown.get("overwrite_throughout", 0) == shown.get("overwrite_in_input", 0), f"control: {shown}"
    for after in (False, True):
        case = next(
            c for c in student_view(graded.report, after_due_date=after)["cases"] if c["id"] == "input-unit"
        )
        assert case["status"] == "failed" and _INPUT_ONLY in case["diagnosis"]["hint"], case["diagnosis"]
    for where, text in _student_texts(graded.report).items():
        assert _THROUGHOUT not in text, f"a hint chosen by the hidden cases' records reached the {where}"


def test_a_hidden_case_that_fails_rather_than_stops_never_makes_the_visible_blame_appear(
    pool: Any, sweep: Sweep
) -> None:
    """`hidden_input_nothing_ran.py` stops every visible case at a TODO, and every hidden case too except one
    whose X starts negative, which computes NaN instead (every check wrong): each hidden case shows "failed"
    and 0 points either way. When every case the view shows stopped, the view has no blame (nothing ran);
    that must not depend on whether a hidden case stopped or failed (a bit of a hidden input)."""
    graded = sweep(pool, "hidden_input_nothing_ran.py").graded
    report = graded.report
    earlier = [c for c in report.cases if c.visibility != "hidden"]
    hidden = [c for c in report.cases if c.visibility == "hidden"]
    assert earlier and all(c.status == "error" for c in earlier), [(c.case_id, c.status) for c in earlier]
    assert all(c.points == 0 for c in hidden) and {c.status for c in hidden} == {"error", "failed"}, (
        "positive control: a hidden case whose X starts negative failed, the others stopped"
    )
    assert report.blame, "positive control: counted over every case, something ran"
    for after in (False, True):
        view = student_view(report, after_due_date=after)
        assert {c["status"] for c in view["cases"] if c["visibility"] == "hidden"} == {"failed"}
        assert view["blame"] == [], f"a hidden case's outcome made the blame appear: {view['blame']}"
    for where, text in _student_texts(report).items():
        assert "shared machinery" not in text, f"the blame of a run a hidden case made reached the {where}"


def _published_plan(plan: Any) -> Any:
    """The MiniFlow plan with its generated two-layer cases after the due date and its generated Linear unit
    cases after publication (no shipped manifest has both yet): the two later phases of one job. The stored
    after-due-date case (sgd-step, on the visible cases' inputs) is made visible: the after-due-date phase
    then starts with generated inputs."""
    from hostile_harness import SEED, Plan

    from grader.pipeline import RunPlan

    moved = {"gen-two-layer-": "after_due_date", "gen-linear-unit-": "after_published"}

    def visibility(case: Any) -> str:
        if case.visibility == "after_due_date" and not case.generated:
            return "visible"
        return next((v for prefix, v in moved.items() if case.id.startswith(prefix)), case.visibility)

    cases = tuple(dataclasses.replace(c, visibility=visibility(c)) for c in plan.cases)
    return Plan(plan.assignment, cases, RunPlan.create(plan.assignment, SEED, cases))


def test_an_after_published_case_never_carries_the_after_due_date_inputs(
    pool: Any, miniflow_plan: Any
) -> None:
    """`earlier_phase_inputs_leak.py` remembers every input its process sees and quotes them in an exception.
    Grades published before the due date show the after-published cases openly and not the after-due-date
    ones (Gradescope, the `published_before_due_date` view): when both phases shared a student process, an
    after-published case's message carried the after-due-date inputs there, before the due date."""
    plan = _published_plan(miniflow_plan)
    graded = grade(pool, plan, HOSTILE_DIR / "earlier_phase_inputs_leak.py")
    due = _needles(plan.cases, "after_due_date") - _needles(plan.cases, "visible")
    due -= _needles(plan.cases, "after_published")
    assert due, "the plan must have after-due-date cases with long inputs for this test to mean anything"
    staff = json.dumps(graded.report.to_dict())
    assert any(n in staff for n in due), "positive control: the sample did quote after-due-date inputs"
    published = [c for c in graded.report.cases if c.visibility == "after_published"]
    assert any("LEAK" in c.message for c in published), "control: the after-published cases quote inputs"
    view = json.dumps(student_view(graded.report, after_due_date=False, published=True))
    leaked = sorted(n for n in due if n in view)
    assert not leaked, f"after-due-date inputs reached the view published before the due date: {leaked[:5]}"


def test_a_later_process_inherits_nothing_of_the_jobs_earlier_ones(pool: Any, miniflow_plan: Any) -> None:
    """`worker_memory_earlier_output.py` prints the inputs it is given and, in a process forked after an
    earlier one of the job, looks on the worker's stack frames (its memory, inherited at the fork) for what
    the earlier processes printed and the harness's frames of their phases, to quote them in an
    after-published case. The after-due-date process did print its inputs (staff report: the positive
    control); the after-published process found none of it: its cases pass, and the view published before
    the due date holds no after-due-date input."""
    plan = _published_plan(miniflow_plan)
    graded = grade(pool, plan, HOSTILE_DIR / "worker_memory_earlier_output.py")
    due = _needles(plan.cases, "after_due_date") - _needles(plan.cases, "visible")
    due -= _needles(plan.cases, "after_published")
    assert due, "the plan must have after-due-date cases with long inputs for this test to mean anything"
    staff = json.dumps(graded.report.to_dict())
    assert any(n in staff for n in due), "positive control: the after-due-date process printed its inputs"
    published = [c for c in graded.report.cases if c.visibility == "after_published"]
    assert published and all(c.status == "passed" for c in published), [c.message for c in published]
    view = json.dumps(student_view(graded.report, after_due_date=False, published=True))
    leaked = sorted(n for n in due if n in view)
    assert not leaked, f"after-due-date inputs reached the view published before the due date: {leaked[:5]}"
