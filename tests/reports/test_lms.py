"""Canvas and Moodle gradebook imports: their documented columns, who is left out, formula-safe cells."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.reports.lms import left_out_lines, write_canvas, write_moodle

ROWS = [
    {"student": "ann", "score": 30.0, "max_score": 35.0, "status": "graded"},
    {"student": "bob", "score": 0.0, "max_score": 35.0, "status": "load_failed"},
    {"student": "cy", "score": 35.0, "max_score": 35.0, "status": "graded"},
]
WHO = {
    "ann": {"name": '=HYPERLINK("x")', "canvas_id": "11", "sis_id": "S1", "moodle_id": "", "email": "a@u"},
    "bob": {"name": "Bob", "canvas_id": "", "sis_id": "", "moodle_id": "7", "email": "b@u"},
}


def _table(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_canvas_csv(tmp_path: Path) -> None:
    """Student, ID, SIS User ID, SIS Login ID, Section, then the assignment; a Points Possible row; bob and
    cy have no Canvas or SIS id and are left out; a formula-looking name is quoted."""
    path, left_out = write_canvas(iter(ROWS), WHO, tmp_path, "MiniFlow", 35.0)
    assert _table(path) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "MiniFlow"],
        ["    Points Possible", "", "", "", "", "35"],
        ['\'=HYPERLINK("x")', "11", "S1", "", "", "30"],
    ]
    assert left_out == {"with no canvas id to match them by": ["bob", "cy"]}


def test_a_student_named_points_possible_keeps_a_row_canvas_imports_as_a_student(tmp_path: Path) -> None:
    """Canvas reads any row whose first cell holds `Points Possible` as the full-marks row: a roster name
    holding the words (`Possible, Points` cannot, `Mallory Points Possible` did) is written as the batch id;
    the grader's own Points Possible row stays the only one."""
    who = {**WHO, "cy": {"name": "Mallory Points  possible", "canvas_id": "12"}}
    path, _ = write_canvas(iter(ROWS), who, tmp_path, "MiniFlow", 35.0)
    rows = _table(path)
    assert [r[0] for r in rows if "points possible" in " ".join(r[0].lower().split())] == [
        "    Points Possible"
    ]
    assert ["cy", "12", "", "", "", "35"] in rows
    assert ['\'=HYPERLINK("x")', "11", "S1", "", "", "30"] in rows  # the control: a name kept as it is


def test_moodle_csv(tmp_path: Path) -> None:
    """Identifier `Participant <id>`, full name, email, grade, maximum grade, feedback; only bob has a
    participant id."""
    path, left_out = write_moodle(iter(ROWS), WHO, tmp_path, "MiniFlow", 35.0)
    assert _table(path) == [
        ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Feedback comments"],
        [
            "Participant 7",
            "Bob",
            "b@u",
            "0",
            "35",
            "backprop-grader, MiniFlow: 0 / 35 points (your code could not be loaded: ask your course staff "
            "for the reason)",
        ],
    ]
    assert left_out == {"with no moodle id to match them by": ["ann", "cy"]}


def test_submissions_sharing_one_lms_user_are_left_out_of_its_import(tmp_path: Path) -> None:
    """Two uploads of one Canvas user (or one Moodle participant) would be two rows for one user, of which the
    LMS keeps one it does not name: both are left out, saying why; the others are written (the control)."""
    rows = [*ROWS, {"student": "ann-2", "score": 5.0, "max_score": 35.0, "status": "graded"}]
    who = {**WHO, "ann-2": {**WHO["ann"], "sis_id": ""}, "bob-2": {**WHO["bob"], "moodle_id": "7"}}
    rows.append({"student": "bob-2", "score": 9.0, "max_score": 35.0, "status": "graded"})
    path, left_out = write_canvas(iter(rows), who, tmp_path, "MiniFlow", 35.0)
    assert [r[1] for r in _table(path)[2:]] == []  # ann's two rows: neither imported
    assert left_out["sharing one canvas user with another submission (enter that grade by hand)"] == [
        "ann",
        "ann-2",
    ]
    solo = {"ann": WHO["ann"], "cy": {"canvas_id": "12"}}
    path, left_out = write_canvas(iter(ROWS), solo, tmp_path, "MiniFlow", 35.0)
    assert [r[1] for r in _table(path)[2:]] == ["11", "12"] and "bob" in left_out[
        "with no canvas id to match them by"
    ]
    path, left_out = write_moodle(iter(rows), who, tmp_path, "MiniFlow", 35.0)
    assert _table(path)[1:] == []
    assert left_out["sharing one moodle user with another submission (enter that grade by hand)"] == [
        "bob",
        "bob-2",
    ]


def test_the_points_possible_row_has_full_marks_when_no_student_has_a_canvas_id(tmp_path: Path) -> None:
    """A class with no Canvas id yet (a roster forgotten): the Points Possible row still carries the full
    marks (35), not 0, and every student is named as left out."""
    path, left_out = write_canvas(iter(ROWS), {}, tmp_path, "MiniFlow", 35.0)
    assert _table(path) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "MiniFlow"],
        ["    Points Possible", "", "", "", "", "35"],
    ]
    assert left_out == {"with no canvas id to match them by": ["ann", "bob", "cy"]}


def test_the_full_marks_are_the_stages_whatever_the_rows_hold(tmp_path: Path) -> None:
    """Points Possible and Maximum Grade are the full marks given (the stage's points), not the highest
    max_score of the rows: a class with no rows had 0 (Canvas makes a 0-point assignment of that), and one
    whose students all leave out an optional class with points had less than the stage's points, so that
    the full marks changed with who was in the class. A score is counted against them, scaled from the
    student's own max_score (3 of 3 is 5 of 5: a class left out at a stage where it is optional costs no
    points); Moodle's feedback keeps the student's own score and max_score and says the grade beside them."""
    path, _ = write_canvas(iter([]), {}, tmp_path, "MiniFlow", 5.0)
    assert _table(path)[1] == ["    Points Possible", "", "", "", "", "5"]
    rows = [{"student": "ann", "score": 3.0, "max_score": 3.0, "status": "graded"}]
    who = {"ann": {"name": "Ann", "canvas_id": "11", "moodle_id": "4"}}
    path, _ = write_canvas(iter(rows), who, tmp_path, "MiniFlow", 5.0)
    assert _table(path)[1:] == [["    Points Possible", "", "", "", "", "5"], ["Ann", "11", "", "", "", "5"]]
    path, _ = write_moodle(iter(rows), who, tmp_path, "MiniFlow", 5.0)
    assert _table(path)[1] == [
        "Participant 4",
        "Ann",
        "",
        "5",
        "5",
        "backprop-grader, MiniFlow: 3 / 3 points, counted as 5 / 5 (classes you left out are not graded "
        "here)",
    ]
    half = [{"student": "ann", "score": 1.5, "max_score": 3.0, "status": "graded"}]
    path, _ = write_canvas(iter(half), who, tmp_path, "MiniFlow", 5.0)
    assert _table(path)[2][5] == "2.5"
    full = [{"student": "ann", "score": 4.0, "max_score": 5.0, "status": "graded"}]  # control: not scaled
    path, _ = write_moodle(iter(full), who, tmp_path, "MiniFlow", 5.0)
    assert _table(path)[1][3:] == ["4", "5", "backprop-grader, MiniFlow: 4 / 5 points"]


def test_moodles_feedback_says_the_status_in_a_students_words(tmp_path: Path) -> None:
    """The feedback comment is shown to the student: it said "(error)" for the grader's own failure, which a
    student reads as their code's, and "(load_failed)"; a graded row says its points alone."""
    rows = [
        {"student": "a", "score": 0.0, "max_score": 35.0, "status": "error"},
        {"student": "b", "score": 5.0, "max_score": 35.0, "status": "graded"},
    ]
    who = {"a": {"moodle_id": "1"}, "b": {"moodle_id": "2"}}
    path, _ = write_moodle(iter(rows), who, tmp_path, "MiniFlow", 35.0)
    feedback = [r[5] for r in _table(path)[1:]]
    assert feedback[0].startswith(
        "backprop-grader, MiniFlow: 0 / 35 points (the grader failed on your submission"
    )
    assert "error" not in feedback[0]
    assert feedback[1] == "backprop-grader, MiniFlow: 5 / 35 points"


def _listed(students: list[str]) -> str:
    return ", ".join(students)


def test_a_class_without_any_id_of_an_lms_is_one_line_saying_what_gives_them(tmp_path: Path) -> None:
    """A Canvas-only class graded with --format moodle listed every student as "left out, with no moodle id"
    and never said what would give them ids: one line says no submission has one, how many were left out,
    and where the ids come from (the download's names, a roster's column)."""
    canvas_only = {"ann": {"canvas_id": "11"}, "cy": {"canvas_id": "12"}}
    _, left_out = write_moodle(iter(ROWS), canvas_only, tmp_path, "MiniFlow", 35.0)
    assert left_out_lines("moodle", "moodle.csv", left_out, canvas_only, _listed) == [
        "moodle.csv: no submission has a Moodle id, so it holds no student (3 students left out): "
        "the ids come from Moodle's download names (Ann Lee_4521_assignsubmission_file_hw.py) or a "
        "--roster with a moodle_id column (Moodle's grading worksheet)"
    ]
    _, left_out = write_canvas(iter(ROWS), {}, tmp_path, "MiniFlow", 35.0)
    (line,) = left_out_lines("canvas", "canvas.csv", left_out, {}, _listed)
    assert line.startswith(
        "canvas.csv: no submission has a Canvas id, so it holds no student (3 students left out)"
    )


def test_a_class_with_some_ids_names_the_students_left_out(tmp_path: Path) -> None:
    """Negative control: where some students have an id, those without one are named, by reason, and what
    gives them one is said."""
    _, left_out = write_moodle(iter(ROWS), WHO, tmp_path, "MiniFlow", 35.0)
    assert left_out_lines("moodle", "moodle.csv", left_out, WHO, _listed) == [
        "moodle.csv: left out, with no moodle id to match them by: ann, cy (a --roster with a moodle_id "
        "column gives them one)"
    ]


def test_with_a_roster_given_the_students_left_out_are_to_be_added_to_it(tmp_path: Path) -> None:
    """Review of s21-repo, finding 9: with --roster lms/roster.csv given (its moodle_id column holding ann's
    id, not kim's), "(a --roster with a moodle_id column gives them one)" read as if no roster were there.
    With a roster, the line says to add their ids to it; without one (the control above), what gives them."""
    _, left_out = write_moodle(iter(ROWS), WHO, tmp_path, "MiniFlow", 35.0)
    assert left_out_lines("moodle", "moodle.csv", left_out, WHO, _listed, "lms/roster.csv") == [
        "moodle.csv: left out, with no moodle id to match them by: ann, cy (add their moodle_id to "
        "lms/roster.csv)"
    ]
    _, left_out = write_canvas(iter(ROWS), WHO, tmp_path, "MiniFlow", 35.0)
    assert left_out_lines("canvas", "canvas.csv", left_out, WHO, _listed, "roster.csv") == [
        "canvas.csv: left out, with no canvas id to match them by: bob, cy (add their canvas_id or sis_id to "
        "roster.csv)"
    ]
