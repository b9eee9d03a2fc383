"""The file a DeZero save/load round trip hands the student's save_weights names nothing of other jobs.

The harness serves every job of its worker, and named the files `grader_weights_<n>.npz` by a counter of its
own (grader/inside/adapters/dezero_weights.py): a student graded after others read how many round trips their
jobs had reached, and two byte-identical submissions got different reports (the name is in every message of
a failing save_weights or load_weights). Sample submissions/hostile/weights_path_counter.py, whose
save_weights is a TODO that writes correct weights only when its first file is numbered past 1.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from hostile_harness import BREACH, HOSTILE_DIR, REPO, SEED, Plan, grade, honest_twin, tight

SAMPLE = "weights_path_counter.py"
EARLIER_STUDENT = REPO / "submissions" / "dezero" / "book_step53"  # the book's own step-53 package
CASE = "step53-linear-save-load"
_WEIGHTS_FILE = re.compile(r"grader_weights_\d+\.npz")


def _plan() -> Plan:
    """The step-53 Linear round trip alone, with the tests' tight limits and only the names it uses required
    (the sample defines no more of DeZero than a Linear layer needs)."""
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan

    assignment = tight(load_assignment("dezero"))
    assignment = dataclasses.replace(assignment, required=("Variable", "Function"), optional=())
    cases = tuple(c for c in cases_for_run(assignment, SEED, stage="step53") if c.id == CASE)
    assert [c.id for c in cases] == [CASE]
    return Plan(assignment, cases, RunPlan.create(assignment, SEED, cases, stage="step53"))


def _file_names(graded: Any) -> list[str]:
    """The weights files named in the case's messages (a save_weights that raises quotes its path)."""
    return sorted(
        set(_WEIGHTS_FILE.findall(" ".join(str(c.message) for c in graded.report.cases if c.message)))
    )


def test_a_weights_file_name_says_nothing_of_earlier_jobs(pool: Any, tmp_path: Path) -> None:
    """Graded after another student on the same worker, the sample's first file is still number 1: its
    save_weights stays the TODO it is (the twin's score, no breach line)."""
    plan = _plan()
    earlier = grade(pool, plan, EARLIER_STUDENT)
    assert earlier.case_status(CASE) == "passed", earlier.report.cases  # its round trips ran on this worker
    hostile = grade(pool, plan, HOSTILE_DIR / SAMPLE)
    twin_path = tmp_path / SAMPLE
    twin_path.write_text(honest_twin((HOSTILE_DIR / SAMPLE).read_text()))
    twin = grade(pool, plan, twin_path)
    assert hostile.report.score <= twin.report.score, (hostile.report.score, twin.report.score)
    assert BREACH not in hostile.output, hostile.output
    assert twin.case_status(CASE) == "failed"  # the TODO's zeros: the round trip is what the case checks


def test_the_same_failing_save_is_told_alike_whatever_ran_before(pool: Any, tmp_path: Path) -> None:
    """A save_weights that raises is quoted with its path; graded twice in a row on one worker, the same
    file's message names the same file (DESIGN.md rule 7)."""
    source = (HOSTILE_DIR / SAMPLE).read_text()
    raising = honest_twin(source).replace(
        "        params_dict = {}\n        self._flatten_params(params_dict)\n        written = False",
        "        raise ValueError('not written yet')\n        written = False",
        1,
    )
    assert raising != honest_twin(source)
    path = tmp_path / "raising.py"
    path.write_text(raising)
    plan = _plan()
    first, second = grade(pool, plan, path), grade(pool, plan, path)
    assert _file_names(first) == _file_names(second) == ["grader_weights_1.npz"], (first, second)
