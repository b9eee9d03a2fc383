"""Gradebook import files for learning management systems, written from the batch's journal rows.

- `canvas.csv`: Canvas's gradebook import ("Import" in the Gradebook): the columns `Student`, `ID`,
  `SIS User ID`, `SIS Login ID`, `Section`, then one column per assignment, here the assignment's title
  (and the stage, when not the default one: batch.run.import_title) with its points. A second row
  `Points Possible` gives the full marks. Canvas matches a row by `ID` (its numeric user id), else by the
  SIS ids; a row with none of them cannot be imported and is left out.
- `moodle.csv`: Moodle's assignment grading worksheet ("Upload grading worksheet"): `Identifier`
  (`Participant <id>`, the participant id of the bulk download's names), `Full name`, `Email address`,
  `Grade`, `Maximum Grade`, `Feedback comments`. A row without a participant id is left out.

Grades are points. The full marks (Canvas's `Points Possible`, Moodle's `Maximum Grade`) are the graded
stage's points, as `grader assignments` lists them, the same for every student; they were the highest
`max_score` among the rows: 0 in a class with no rows, and a full mark that changed with who was in the class.
A student whose code leaves out an optional class that carries points (docs/STAGES.md) has a lower
`max_score` in gradebook.csv, whose `percent` is of it: their grade here is their score scaled to the full
marks (`gradebook.out_of`), so an LMS shows that same percent. Every cell goes through `escape.csv_cell`.

Submissions that share one LMS identity (two uploads of one Canvas user, `smithjane_123_456_a.py` and
`smithjane_123_457_b.py`) are all left out: an import with two rows for one user keeps one of them, which
one the LMS does not say, so staff enter that grade by hand. Each writer returns who it left out, by reason.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from grader.atomic import write_with
from grader.reports.escape import csv_cell
from grader.reports.gradebook import out_of

CANVAS_FILE, MOODLE_FILE = "canvas.csv", "moodle.csv"
NO_ID = "with no {lms} id to match them by"
SHARED = "sharing one {lms} user with another submission (enter that grade by hand)"
LeftOut = dict[str, list[str]]  # reason -> students, in the order of the rows


def _shared(
    identities: Mapping[str, Mapping[str, str]], key: Callable[[Mapping[str, str]], tuple[str, ...]]
) -> set[str]:
    """The students one of whose LMS ids (`key`: the ids an import row is matched by; empty: none) is
    another student's too."""
    ids = {student: [(i, v) for i, v in enumerate(key(who)) if v] for student, who in identities.items()}
    counts = Counter(pair for pairs in ids.values() for pair in pairs)
    return {student for student, pairs in ids.items() if any(counts[pair] > 1 for pair in pairs)}


def _matched(
    rows: Iterable[Mapping[str, Any]],
    identities: Mapping[str, Mapping[str, str]],
    lms: str,
    key: Callable[[Mapping[str, str]], tuple[str, ...]],
    left_out: LeftOut,
) -> Iterator[tuple[Mapping[str, Any], Mapping[str, str]]]:
    """The rows an import can match, each with its identity; the others go into `left_out` by reason."""
    shared = _shared(identities, key)
    for row in rows:
        who = identities.get(row["student"], {})
        if not any(key(who)):
            left_out[NO_ID.format(lms=lms)].append(row["student"])
        elif row["student"] in shared:
            left_out[SHARED.format(lms=lms)].append(row["student"])
        else:
            yield row, who


# Canvas's importer takes any row whose first cell holds `Points Possible` for the full-marks row, not a
# student (its gradebook_importer: `row[0] =~ /Points Possible/`): a student whose name holds the words (a
# display name students may edit, read back from the gradebook export as the roster) lost their grade and
# set the assignment's full marks to it. Such a name is written as the student's batch id, which never holds
# a space (grader/batch/entries.py); Canvas matches the row by its ID column, not by the name. A member of a
# Gradescope group is keyed by the batch id and the member's name (`submission_1 (Mallory Points Possible)`,
# grader/batch/run.py): there the words are joined by `_`, as Canvas's pattern never matches.
_CANVAS_FULL_MARKS_ROW = re.compile(r"points\s+possible", re.IGNORECASE)


def _canvas_name(who: Mapping[str, str], student: str) -> str:
    name = who.get("name") or student
    if not _CANVAS_FULL_MARKS_ROW.search(name):
        return name
    return _CANVAS_FULL_MARKS_ROW.sub(lambda words: "_".join(words[0].split()), student)


def _canvas_key(who: Mapping[str, str]) -> tuple[str, ...]:
    return (who.get("canvas_id", ""), who.get("sis_id", ""), who.get("login", ""))


def _moodle_key(who: Mapping[str, str]) -> tuple[str, ...]:
    return (who.get("moodle_id", ""),)


# Moodle shows the feedback comment to the student: the batch's status words are for staff ("error" is the
# grader's own failure, which a student read as their code's), so each is said in the student's terms.
_FEEDBACK_STATUS = {
    "load_failed": " (your code could not be loaded: ask your course staff for the reason)",
    "error": " (the grader failed on your submission, not a verdict on your code: staff will regrade it)",
}


def _points(x: float) -> str:
    return f"{float(x):g}"


def _write(path: Path, header: list[str], lines: Iterable[list[str]]) -> Path:
    def fill(fh: TextIO) -> None:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([csv_cell(c) for c in header])
        for line in lines:
            writer.writerow([csv_cell(c) for c in line])

    return write_with(path, fill, newline="")


def write_canvas(
    rows: Iterable[Mapping[str, Any]],
    identities: Mapping[str, Mapping[str, str]],
    out: Path,
    title: str,
    full_marks: float,
) -> tuple[Path, LeftOut]:
    """canvas.csv in `out`, its Points Possible `full_marks`, each score counted against them (`out_of`);
    returns it and the students left out (no Canvas or SIS id to match them by, or one shared with another
    submission)."""
    left_out: LeftOut = {NO_ID.format(lms="canvas"): [], SHARED.format(lms="canvas"): []}

    def lines() -> Iterable[list[str]]:
        yield ["    Points Possible", "", "", "", "", _points(full_marks)]
        for row, who in _matched(rows, identities, "canvas", _canvas_key, left_out):
            name = _canvas_name(who, row["student"])
            grade = out_of(row["score"], row["max_score"], full_marks)
            yield [name, who.get("canvas_id", ""), who.get("sis_id", ""), who.get("login", ""), "",
                   _points(grade)]  # fmt: skip

    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title]
    path = _write(out / CANVAS_FILE, header, lines())
    return path, {reason: who for reason, who in left_out.items() if who}


def write_moodle(
    rows: Iterable[Mapping[str, Any]],
    identities: Mapping[str, Mapping[str, str]],
    out: Path,
    title: str,
    full_marks: float,
) -> tuple[Path, LeftOut]:
    """moodle.csv in `out`, its Maximum Grade `full_marks`; returns it and the students left out (no
    participant id, or one shared with another submission). The grade is the score counted against the full
    marks (`out_of`); the feedback gives the student's own score and max_score, as their report does, and the
    grade beside them where the two differ."""
    left_out: LeftOut = {NO_ID.format(lms="moodle"): [], SHARED.format(lms="moodle"): []}
    top = _points(full_marks)

    def lines() -> Iterable[list[str]]:
        for row, who in _matched(rows, identities, "moodle", _moodle_key, left_out):
            score, own = _points(row["score"]), _points(row["max_score"])
            grade = _points(out_of(row["score"], row["max_score"], full_marks))
            said = _FEEDBACK_STATUS.get(str(row["status"]), "")
            feedback = f"backprop-grader, {title}: {score} / {own} points{said}"
            if own not in (top, "0"):
                feedback += f", counted as {grade} / {top} (classes you left out are not graded here)"
            yield [f"Participant {who['moodle_id']}", who.get("name", ""), who.get("email", ""), grade, top,
                   feedback]  # fmt: skip

    header = ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Feedback comments"]
    path = _write(out / MOODLE_FILE, header, lines())
    return path, {reason: who for reason, who in left_out.items() if who}


LmsWriter = Callable[
    [Iterable[Mapping[str, Any]], Mapping[str, Mapping[str, str]], Path, str, float], tuple[Path, LeftOut]
]
LMS_WRITERS: dict[str, LmsWriter] = {"canvas": write_canvas, "moodle": write_moodle}
LMS_FILES: dict[str, str] = {"canvas": CANVAS_FILE, "moodle": MOODLE_FILE}

# What gives each LMS's import its ids, said when no student of the batch has one: a Canvas download graded
# with --format moodle (or a Moodle one with canvas) listed every student of the class as "left out, with no
# moodle id", ten names and "and 110 more", and never said what would give them ids.
_IDS_FROM = {
    "canvas": (
        "Canvas",
        "Canvas's download names (smithjane_12345_678901_hw.py) or a --roster with a canvas_id or "
        "sis_id column (Canvas's Gradebook > Export)",
    ),
    "moodle": (
        "Moodle",
        "Moodle's download names (Ann Lee_4521_assignsubmission_file_hw.py) or a --roster with a "
        "moodle_id column (Moodle's grading worksheet)",
    ),
}
_KEYS: dict[str, Callable[[Mapping[str, str]], tuple[str, ...]]] = {
    "canvas": _canvas_key,
    "moodle": _moodle_key,
}
# Said after the students left out for want of an id, where some others have one: what the TA can do.
_GIVES_IDS = {
    "canvas": "a --roster with a canvas_id or sis_id column gives them one",
    "moodle": "a --roster with a moodle_id column gives them one",
}
# With a roster given, the ids are missing from it: "a --roster with a moodle_id column gives them one" read
# as if the roster (which had that column, and other students' ids in it) were not there.
_ADD_IDS = {"canvas": "add their canvas_id or sis_id to {}", "moodle": "add their moodle_id to {}"}


def left_out_lines(
    lms: str,
    file: str,
    left_out: LeftOut,
    identities: Mapping[str, Mapping[str, str]],
    listed: Callable[[list[str]], str],
    roster: str | None = None,
) -> list[str]:
    """The lines naming who an import left out, by reason (`listed` cuts a long list). When no student has an
    id for this LMS at all, one line says so, how many, and what gives the ids. `roster`: the --roster file's
    name, when one was given (the ids are then to be added to it)."""
    lines = []
    for reason, students in left_out.items():
        if reason == NO_ID.format(lms=lms) and not any(any(_KEYS[lms](who)) for who in identities.values()):
            title, source = _IDS_FROM[lms]
            # counted in people: a group submission of the Gradescope export is one line per member
            people = f"{len(students)} student{'s' if len(students) != 1 else ''}"
            lines.append(
                f"{file}: no submission has a {title} id, so it holds no student ({people} left out): "
                f"the ids come from {source}"
            )
        elif reason == NO_ID.format(lms=lms):
            gives = _ADD_IDS[lms].format(roster) if roster else _GIVES_IDS[lms]
            lines.append(f"{file}: left out, {reason}: {listed(students)} ({gives})")
        else:
            lines.append(f"{file}: left out, {reason}: {listed(students)}")
    return lines
