"""What `grader grade` and `grader batch` print is the student view unless staff ask for theirs (issue 9).

`hidden_input_leak.py` raises exceptions quoting the inputs it is given, so an erroring hidden case's message
(whose first line the staff summary prints as its hint) carries that case's inputs: the markers, set up by the
test through the seed, are the hidden cases' drawn input values. A course CI that runs `grade` shows its log
to the student: the default summary must hold none of them; `--staff-view` (a TA's terminal, Gradescope's
staff-only log) must hold them (the positive control that the sample really leaked).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from batch.students import grader
from hostile_harness import HOSTILE_DIR

from grader.assignments import load_assignment
from grader.cases import cases_for_run

SEED = 7
SAMPLE = HOSTILE_DIR / "hidden_input_leak.py"


def _markers(visibility: str) -> set[str]:
    """How the sample prints the inputs of the cases of one visibility at SEED (repr of a float), those of
    at least 12 characters (drawn floats no other number of the output matches by chance), less any a
    visible case also has."""
    cases = cases_for_run(load_assignment("miniflow"), SEED)

    def printed(kind: str) -> set[str]:
        return {
            text
            for case in cases
            if case.visibility == kind
            for value in case.inputs.values()
            for v in np.ravel(value)
            if len(text := repr(float(v))) >= 12
        }

    return printed(visibility) - printed("visible")


def _grade(tmp_path: Path, *flags: str) -> str:
    out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
    done = grader("grade", "miniflow", str(SAMPLE), "--out", str(out), "--seed", str(SEED), *flags)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _leaked(text: str, markers: set[str]) -> list[str]:
    return sorted(m for m in markers if m in text)


def test_grade_prints_the_student_view_unless_staff_ask(tmp_path: Path) -> None:
    """By default the summary quotes no hidden case's input; `--staff-view` prints them; `--after-due-date`
    shows the after-due-date cases, never the hidden ones' messages."""
    hidden = _markers("hidden")
    assert hidden, "the plan must have hidden cases with drawn inputs for this test to mean anything"
    staff = _grade(tmp_path, "--staff-view")
    assert _leaked(staff, hidden), "positive control: the staff view quotes a hidden case's inputs"
    default = _grade(tmp_path)
    assert "score " in default, default
    assert not _leaked(default, hidden), f"hidden inputs on grade's terminal: {_leaked(default, hidden)[:3]}"
    later = _grade(tmp_path, "--after-due-date")
    assert not _leaked(later, hidden), f"hidden inputs on grade's terminal: {_leaked(later, hidden)[:3]}"


def test_batch_prints_no_case_text(tmp_path: Path) -> None:
    """`grader batch` prints counts, names and paths, never a case's message: no hidden input on its terminal
    (its staff detail is in OUT/<student>/report.json, the positive control)."""
    hidden = _markers("hidden")
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "kim.py")
    out = tmp_path / "out"
    done: subprocess.CompletedProcess[str] = grader(
        "batch", "miniflow", str(folder), "--out", str(out), "--seed", str(SEED), "--jobs", "1"
    )
    assert done.returncode == 0, done.stderr
    staff = (out / "kim" / "report.json").read_text(encoding="utf-8")
    assert _leaked(staff, hidden), "positive control: the staff report quotes a hidden case's inputs"
    printed = done.stdout + done.stderr
    assert not _leaked(printed, hidden), f"hidden inputs on batch's terminal: {_leaked(printed, hidden)[:3]}"
