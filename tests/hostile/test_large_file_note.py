"""The parent's note on large files quotes the student's file names without the grader's wording of fault.

When a submission's loading runs out of time, the parent names its large source files (grader/large_files.py,
session 35): the note quoted each name as it was, so a file named with the grader's wording put "not your
code's fault" into a note of the grader's, on the student's report (sample submissions/hostile/
not_your_codes_fault.py). Every other note of the parent quoting a file name is disowned
(grader/pipeline.py). The threshold is lowered here so that the sample stays small: the rule is the same at
any size. Graded with the assignment's own limits: the load's budget (4 s) must run out before the wall
limit (the tests' 3 s would end the process first, and no note is made then).
"""

from __future__ import annotations

from typing import Any

import pytest
from hostile_harness import HOSTILE_DIR, SEED

from grader import fault, large_files

SAMPLE = "not_your_codes_fault.py"


@pytest.mark.slow
def test_the_large_file_note_disowns_the_grader_wording_in_a_file_name(
    pool: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample's load runs out of time, so the note names it as a large file, its wording taken out."""
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan, grade_one

    assignment = load_assignment("miniflow")
    # the visible cases alone: one student process, one load of 4 s (a later phase's process loads again)
    plan = RunPlan.create(assignment, SEED, cases_for_run(assignment, SEED, include=("visible",)))
    monkeypatch.setattr(large_files, "LARGE_BYTES", 4096)
    assert (HOSTILE_DIR / SAMPLE).stat().st_size >= large_files.LARGE_BYTES
    graded = grade_one(plan, HOSTILE_DIR / SAMPLE, pool)
    notes = [w for w in graded.report.warnings if "Python compiles a whole file" in w]
    assert len(notes) == 1, graded.report.warnings  # the control: the note is made for this sample
    assert fault.REMOVED in notes[0], notes[0]
    assert fault.disowned(notes[0]) == notes[0], notes[0]  # no wording of fault left in it
