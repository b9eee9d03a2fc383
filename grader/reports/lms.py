"""Gradebook import files for learning management systems, written from the batch's journal rows.

- `canvas.csv`: Canvas's gradebook import ("Import" in the Gradebook): the columns `Student`, `ID`,
  `SIS User ID`, `SIS Login ID`, `Section`, then one column per assignment, here the assignment's title
  with its points. A second row `Points Possible` gives the full marks. Canvas matches a row by `ID` (its
  numeric user id), else by the SIS ids; a row with none of them cannot be imported and is left out.
- `moodle.csv`: Moodle's assignment grading worksheet ("Upload grading worksheet"): `Identifier`
  (`Participant <id>`, the participant id of the bulk download's names), `Full name`, `Email address`,
  `Grade`, `Maximum Grade`, `Feedback comments`. A row without a participant id is left out.

Grades are points (the score as in gradebook.csv). Every cell goes through `escape.csv_cell`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from grader.atomic import write_with
from grader.reports.escape import csv_cell

CANVAS_FILE, MOODLE_FILE = "canvas.csv", "moodle.csv"


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
    rows: Iterable[Mapping[str, Any]], identities: Mapping[str, Mapping[str, str]], out: Path, title: str
) -> tuple[Path, list[str]]:
    """canvas.csv in `out`; returns it and the students left out (no Canvas or SIS id to match them by)."""
    left_out: list[str] = []
    max_points = 0.0

    def lines() -> Iterable[list[str]]:
        nonlocal max_points
        kept = []
        for row in rows:
            who = identities.get(row["student"], {})
            if not (who.get("canvas_id") or who.get("sis_id") or who.get("login")):
                left_out.append(row["student"])
                continue
            max_points = max(max_points, float(row["max_score"]))
            name = who.get("name") or row["student"]
            kept.append([name, who.get("canvas_id", ""), who.get("sis_id", ""), who.get("login", ""), "",
                         _points(row["score"])])  # fmt: skip
        yield ["    Points Possible", "", "", "", "", _points(max_points)]
        yield from kept

    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title]
    return _write(out / CANVAS_FILE, header, lines()), left_out


def write_moodle(
    rows: Iterable[Mapping[str, Any]], identities: Mapping[str, Mapping[str, str]], out: Path, title: str
) -> tuple[Path, list[str]]:
    """moodle.csv in `out`; returns it and the students left out (no participant id)."""
    left_out: list[str] = []

    def lines() -> Iterable[list[str]]:
        for row in rows:
            who = identities.get(row["student"], {})
            if not who.get("moodle_id"):
                left_out.append(row["student"])
                continue
            score, top = _points(row["score"]), _points(row["max_score"])
            feedback = f"backprop-grader, {title}: {score} / {top} points ({row['status']})"
            yield [f"Participant {who['moodle_id']}", who.get("name", ""), who.get("email", ""), score, top,
                   feedback]  # fmt: skip

    header = ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Feedback comments"]
    return _write(out / MOODLE_FILE, header, lines()), left_out


LmsWriter = Callable[
    [Iterable[Mapping[str, Any]], Mapping[str, Mapping[str, str]], Path, str], tuple[Path, list[str]]
]
LMS_WRITERS: dict[str, LmsWriter] = {"canvas": write_canvas, "moodle": write_moodle}
