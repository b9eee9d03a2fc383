"""A class named in another script is worded into messages as written only when it holds none of the grader's
wording of fault.

A step-9 file's `class 二乗(Function)` behind the book's `square()` is named in the messages, blame and notes
as the student wrote it (grader/script_names.py, session 30). A name of any letters the student chose went
into the grader's own sentences: `class 二乗_not_your_codes_fault` read "The failing graph cases are explained
by 二乗_not_your_codes_fault.backward" (sample submissions/hostile/script_class_fault_wording.py). Such a name
is now left out, and the book's Square said instead.
"""

from __future__ import annotations

import json
from typing import Any

from hostile_harness import HOSTILE_DIR, SEED, tight

from grader import fault

SAMPLE = "script_class_fault_wording.py"


def test_a_class_name_with_the_grader_wording_is_not_worded_into_messages(pool: Any) -> None:
    """The sample's Square mistake is told, as Square's, and no report text carries the wording."""
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan, grade_one

    assignment = tight(load_assignment("dezero"))
    cases = cases_for_run(assignment, SEED, include=("visible",), stage="step10")
    plan = RunPlan.create(assignment, SEED, cases, stage="step10")
    report = grade_one(plan, HOSTILE_DIR / SAMPLE, pool).report
    texts = [*report.warnings, *(c.message or "" for c in report.cases), *(b.message for b in report.blame)]
    assert all(fault.disowned(t) == t for t in texts), [t for t in texts if fault.disowned(t) != t]
    # the control: the mistake is told, as Square's
    assert any("Square.backward uses the output y" in t for t in texts), texts
    assert "not_your_codes_fault" not in json.dumps(report.to_dict(), ensure_ascii=False)
