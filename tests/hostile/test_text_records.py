"""Text of the student's choosing that reaches a message outside the sandbox's texts cannot make the grader
say it failed.

DeZero step 19's repr records come back as character codes (grader/judge/text.py), past every check the
parent makes of the sandbox's texts, and the judge decodes and quotes them in the case's message. A
`__repr__` returning the grader's own sentence of fault was quoted whole: "got 'The grader itself failed on
this case (not your code's fault); staff have the details.'" in the student's report. Graded here in both
isolation modes, the sample's report, every view of it a student reads, keeps the student's quote with the
wording taken out.

The parent's note on a DeZero helper that never reads a parameter (grader/helper_args.py) quotes the
parameter's and the file's names from the source: `def add(x0, not_your_code_s_fault)` read "never uses its
parameter not_your_code_s_fault" above every failing case calling add and in blame, where the parent's other
readers of the source (signatures, loops, notes) were disowned. And the load's line for a missing name quotes
the names the submission defines close to it: "missing: forward_and_backward (you defined
forward_and_backward_not_ur_fault)", where the sandbox's own "did you mean" of the same name was disowned.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from hostile_harness import REPO, SEED, Plan, Sweep, grade, texts, tight

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.fault import REMOVED, claims_grader_fault
from grader.judge import judge_case
from grader.model import CaseOutput
from grader.pipeline import RunPlan, grade_one
from grader.reports import gradescope_results, junit_xml, print_summary, student_view

SAMPLE = REPO / "submissions" / "dezero" / "step19_repr_grader_wording.py"
DROPPED_SAMPLE = REPO / "submissions" / "dezero" / "add_param_grader_wording.py"
DROPPED_CASES = ("add-unit", "add-twice-documented")
CASE = "step19-repr-unit"
WORDING = "The grader itself failed on this case (not your code's fault); staff have the details."


def _repr_plan() -> Plan:
    assignment = tight(load_assignment("dezero"))
    cases = tuple(c for c in cases_for_run(assignment, SEED, stage="step19") if c.id == CASE)
    assert cases, f"stage step19 has no case {CASE}"
    return Plan(assignment, cases, RunPlan.create(assignment, SEED, cases, stage="step19"))


def _codes(text: str) -> np.ndarray:
    return np.array([float(ord(c)) for c in text])


def test_a_repr_in_the_graders_words_is_quoted_without_them() -> None:
    """The judge alone, on a repr record spelling the wording (with a line break in it, as the repr shows
    `\\n`): the message quotes the rest; an honest wrong repr is quoted whole (the control)."""
    plan = _repr_plan()
    case = plan.cases[0]
    keys = [s["key"] for s in case.steps if s.get("property") == "repr"]
    for text in (WORDING, "The grader itself failed (not\nyour code's fault)"):
        records = {**case.expected, **{k: _codes(text) for k in keys}}
        result = judge_case(case, CaseOutput(case.id, "ok", records), None, {}, "dezero")
        assert result.status == "failed"
        assert not claims_grader_fault(result.message), result.message
        assert REMOVED in result.message and "got '" in result.message
    honest = {**case.expected, **{k: _codes("Variable(3)") for k in keys}}
    result = judge_case(case, CaseOutput(case.id, "ok", honest), None, {}, "dezero")
    assert "got 'Variable(3)'" in result.message and REMOVED not in result.message


def test_the_repr_sample_never_reads_as_the_graders_fault(pool: Any, tmp_path: Path) -> None:
    """The sample's __repr__ runs in the sandbox and answers with the grader's sentence: its case fails as
    the student's wrong text, and no view a student reads (report, Gradescope, JUnit) claims the grader's
    fault."""
    plan = _repr_plan()
    graded = grade(pool, plan, SAMPLE)
    result = next(c for c in graded.report.cases if c.case_id == CASE)
    assert result.status == "failed" and result.failure_code is None, result.message
    assert result.diagnosis is not None and result.diagnosis.code == "wrong_text"
    assert REMOVED in result.message, result.message
    views = {
        "student view": json.dumps(student_view(graded.report, after_due_date=True)),
        "gradescope": json.dumps(gradescope_results(graded.report)),
        "junit": junit_xml(graded.report, student=True),
    }
    for where, text in views.items():
        assert "not your code" not in text, where
    claimed = [t for t in texts(student_view(graded.report, after_due_date=True)) if claims_grader_fault(t)]
    assert not claimed, claimed


def test_a_dropped_parameter_named_in_the_graders_words_is_quoted_without_them(pool: Any) -> None:
    """The sample's add() never reads its parameter `not_your_code_s_fault`: graded through the pipeline
    (the parent's note leads each failing case calling add), the note stays, the name in it is taken out,
    and no view a student reads claims the grader's fault."""
    assignment = tight(load_assignment("dezero"))
    cases = tuple(c for c in cases_for_run(assignment, SEED) if c.id in DROPPED_CASES)
    assert sorted(c.id for c in cases) == sorted(DROPPED_CASES)
    report = grade_one(RunPlan.create(assignment, SEED, cases), DROPPED_SAMPLE, pool).report
    for case_id in DROPPED_CASES:
        result = next(c for c in report.cases if c.case_id == case_id)
        assert result.status == "failed" and result.diagnosis is not None, result.message
        assert result.diagnosis.code == "helper_drops_argument", result.message
        assert f"never uses its parameter {REMOVED}" in result.message, result.message
    view = student_view(report, after_due_date=True)
    assert "not_your_code_s_fault" not in json.dumps(view)
    claimed = [t for t in texts(view) if claims_grader_fault(t)]
    assert not claimed, claimed


def test_a_near_name_in_the_graders_words_is_quoted_without_them(pool: Any, sweep: Sweep) -> None:
    """The sample defines forward_and_backward as forward_and_backward_not_ur_fault: the load still offers it
    for the missing name, with the wording taken out, in the report and in every view a student reads."""
    report = sweep(pool, "near_name_grader_wording.py").graded.report
    offered = report.to_dict()["load"]["near"]["forward_and_backward"]
    assert offered == [f"forward_and_backward_{REMOVED}"], offered
    terminal = io.StringIO()
    print_summary(report, terminal, student=True)
    views = {
        "terminal": terminal.getvalue(),
        "gradescope": json.dumps(gradescope_results(report)),
        "student view": json.dumps(student_view(report, after_due_date=True)),
    }
    assert "you defined forward_and_backward_" in views["terminal"], views["terminal"]
    for where, text in views.items():
        assert "not_ur_fault" not in text, where
    assert not [t for t in texts(student_view(report, after_due_date=True)) if claims_grader_fault(t)]


def test_a_forged_standin_record_never_reaches_the_report(pool: Any, sweep: Sweep) -> None:
    """The sample records the grader's sentence of fault as a stand-in it used (the stand-ins' registry, on
    sys.meta_path): the parent keeps no stand-in the stand-ins do not record, so report.json lists none and
    no view a student reads quotes it; the honest twin, the same file without the record, is graded alike
    (the control: a correct file keeps its full score and its one module)."""
    report = sweep(pool, "forged_standin_record.py").graded.report
    load = report.to_dict()["load"]
    assert load["standins"] == [] and list(load["modules"]) == ["forged_standin_record"], load
    assert report.score == report.max_score, report.score
    for where, text in {
        "report": json.dumps(report.to_dict()),
        "student view": json.dumps(student_view(report, after_due_date=True)),
        "gradescope": json.dumps(gradescope_results(report)),
    }.items():
        assert "not your code" not in text, where
