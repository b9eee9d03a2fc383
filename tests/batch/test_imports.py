"""The full marks a batch's class files give (canvas.csv, moodle.csv, the class report's mean): the graded
stage's points, whoever is in the class."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from batch.students import REPO, grader, max_points, read_gradebook

LINEAR_QUIZ = REPO / "submissions" / "miniflow" / "linear_quiz_stage.py"


def _table(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_a_class_with_no_submission_gets_the_stages_full_marks_in_canvas_csv(tmp_path: Path) -> None:
    """An empty download folder (or a resume after every submission was removed): canvas.csv's Points
    Possible row held 0, the highest max_score of no rows; Canvas would make a 0-point assignment of it."""
    (tmp_path / "subs").mkdir()
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(tmp_path / "subs"), "--out", str(out), "--format", "canvas")
    assert done.returncode == 0, done.stderr
    assert _table(out / "canvas.csv")[1] == [
        "    Points Possible",
        "",
        "",
        "",
        "",
        f"{max_points('miniflow'):g}",
    ]
    assert "graded out of fewer" not in done.stderr
    # the default stage: the column is the assignment's title alone (control of the stage's name above)
    title = json.loads((REPO / "fixtures" / "miniflow" / "manifest.json").read_text(encoding="utf-8"))[
        "title"
    ]
    assert _table(out / "canvas.csv")[0][5] == title
    # the class report's mean was "- / 0", out of the highest max_score of no rows
    full = f"{max_points('miniflow'):g}"
    assert f"<b>– / {full}</b><span>mean score (–%)" in (out / "index.html").read_text(encoding="utf-8")


def test_full_marks_are_the_stages_when_students_leave_out_an_optional_class_with_points(
    tmp_path: Path,
) -> None:
    """Stage linear: Sigmoid and Add are optional with their points, and a file that leaves them out loses
    nothing (docs/STAGES.md). The Linear quiz alone (neither defined) is graded 3 of 3, 100% in gradebook.csv;
    Points Possible was the highest max_score of the class (3 here, 4 with a Sigmoid quiz beside it), now the
    stage's points (5), and the score is counted against them: 5 of 5, not 3 of 5 (60%, points lost the
    student's report says they did not lose; review of session 18). Moodle likewise, its feedback saying
    both. The batch names whose score was scaled."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "leeann_2001_6001_q.py").write_bytes(LINEAR_QUIZ.read_bytes())
    (subs / "Bo Li_55_assignsubmission_file_q.py").write_bytes(LINEAR_QUIZ.read_bytes())
    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(subs), "--out", str(out), "--stage", "linear", "--seed", "1"]
    done = grader(*argv, "--format", "canvas,moodle")
    assert done.returncode == 0, done.stderr
    full = f"{max_points('miniflow', 'linear'):g}"
    assert full == "5"
    assert [(r["score"], r["max_score"], r["percent"]) for r in read_gradebook(out)] == [
        ("3", "3", "100")
    ] * 2
    canvas = _table(out / "canvas.csv")
    assert canvas[1:] == [
        ["    Points Possible", "", "", "", "", full],
        ["leeann", "2001", "", "", "", full],
    ]
    # the column names the stage (not the default one): Canvas made "MiniFlow: ..." a 5-point assignment
    title = json.loads((REPO / "fixtures" / "miniflow" / "manifest.json").read_text(encoding="utf-8"))[
        "title"
    ]
    assert canvas[0][5] == f"{title} (stage linear)"
    moodle = _table(out / "moodle.csv")[1:]
    assert [row[3:5] for row in moodle] == [[full, full]]
    assert moodle[0][5].endswith(
        f": 3 / 3 points, counted as {full} / {full} (classes you left out are not graded here)"
    )
    notice = next(line for line in done.stderr.splitlines() if line.startswith("graded out of fewer than"))
    assert "the LMS imports count their score scaled to 5, " in notice
    assert re.search(r": Bo_Li_55_assignsubmission_file_q-[0-9a-f]{6}, leeann_2001_6001_q$", notice)
    # the class report's mean is counted against the same full marks, as the imports count each score
    assert f"<b>5 / {full}</b><span>mean score (100%)" in (out / "index.html").read_text(encoding="utf-8")
