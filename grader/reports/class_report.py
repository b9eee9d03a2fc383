"""The class report: OUT/index.html and one OUT/<student>/report.html per student, from a batch's files.

Everything is read from what the batch wrote (batch.json, summary.json, the journal, each report.json), so
`grader report OUT` rebuilds the pages without grading anything. Reports are read one at a time (a class of
any size): each student's page is written as its report is read, and only an example message per diagnosis
is kept for the class page.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.atomic import write_text, write_with
from grader.batch.journal import Journal
from grader.reports import html_pages
from grader.reports.gradebook import share
from grader.reports.report import skipped
from grader.schema import ConfigError

INDEX = "index.html"
STUDENT_PAGE = "report.html"


@dataclass(frozen=True)
class StudentLine:
    """What the class page shows of one student, read off their journal row (which holds every case's
    record, ~12 KB a student: kept whole, 2,000 of them were 27 MiB of the batch parent's peak memory)."""

    student: str
    file: str
    score: float
    max_score: float
    status: str
    failing: int  # cases not passed (a skipped optional class's are not failing)
    codes: str  # the failing cases' diagnoses, sorted, comma-separated
    flags: tuple[str, ...]

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StudentLine:
        cases = row.get("cases", {}).values()
        failing = [c for c in cases if c.get("status") != "passed" and not skipped(c)]
        codes = sorted({str(c["diagnosis"]) for c in failing if c.get("diagnosis")})
        return cls(
            str(row["student"]),
            str(row.get("file", "")),
            float(row["score"]),
            float(row["max_score"]),
            str(row["status"]),
            len(failing),
            ", ".join(codes),
            tuple(str(f) for f in row.get("flags", [])),
        )

    @property
    def full_marks(self) -> bool:
        return bool(self.max_score) and self.score >= self.max_score


@dataclass
class ClassData:
    """What the class page shows; built in one pass over the students. Each student is kept only as their
    row of the students' table, rendered as they are read (a few hundred bytes a student)."""

    meta: Mapping[str, Any]
    summary: Mapping[str, Any]
    student_rows: list[str] = field(default_factory=list)  # HTML, in the batch's order
    full_marks: int = 0
    top_score: float = 0.0  # the highest full marks of any student
    # each student's score as a share of their own max_score: the mean and median against the stage's full
    # marks are of these, as the LMS imports count a score (gradebook.out_of) and the histogram bins it
    shares: list[float] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)
    # diagnosis code -> number of students with it on at least one case, and an example message
    diagnoses: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    load_examples: dict[str, str] = field(default_factory=dict)
    has_page: set[str] = field(default_factory=set)

    def add(self, line: StudentLine) -> None:
        self.student_rows.append(html_pages.student_row(line, line.student in self.has_page))
        self.full_marks += line.full_marks
        self.top_score = max(self.top_score, line.max_score)
        self.shares.append(share(line.score, line.max_score))
        self.statuses.add(line.status)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing: is {path.parent} the --out of a batch? ({what})") from None
    except ValueError as err:
        raise ConfigError(f"{path} is unreadable ({err}); grade the class again into a new --out") from None


def _rows(out: Path, students: list[str]) -> Iterator[dict[str, Any]]:
    journal = Journal(out / "journal.jsonl")
    offsets = journal.latest_offsets()
    for student in students:
        if student in offsets:
            yield journal.entry_at(offsets[student])


def _report(out: Path, student: str) -> dict[str, Any] | None:
    try:
        doc = json.loads((out / student / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a page is skipped, the class page still lists the student's journaled grade
    return doc if isinstance(doc, dict) else None


def _example(case: Mapping[str, Any]) -> str:
    """The message an instructor reads to understand a diagnosis: its hint, else the case's message."""
    diagnosis = case.get("diagnosis") or {}
    return str(diagnosis.get("hint") or case.get("message") or "")


def _learn(data: ClassData, row: Mapping[str, Any], doc: Mapping[str, Any]) -> None:
    if doc.get("status") == "load_failed":
        code = next((c.get("failure_code") for c in doc.get("cases", []) if c.get("failure_code")), None)
        key = str(code or "load_failed")
        if key not in data.load_examples:
            first: Mapping[str, Any] = next(iter(doc.get("cases", [])), {})
            data.load_examples[key] = str(first.get("message") or "")
        return
    seen = set()
    for case in doc.get("cases", []):
        diagnosis = case.get("diagnosis")
        if case.get("status") == "passed" or not diagnosis:
            continue
        code = str(diagnosis.get("code"))
        if code not in seen:
            seen.add(code)
            data.diagnoses[code] += 1
        data.examples.setdefault(code, _example(case))


def write_class_report(out: Path) -> Path:
    """Write OUT/index.html and every student's OUT/<student>/report.html; return index.html's path."""
    out = Path(out)
    meta = _read_json(out / "batch.json", "written when a batch starts")
    if not (out / "summary.json").exists() and (out / "journal.jsonl").exists():
        # A batch stopped before its end (Ctrl-C, a crash): "is OUT the --out of a batch?" sent the TA
        # looking for another folder; the way on is the resume.
        raise ConfigError(
            f"{out} holds a batch that has not finished (interrupted?): run the same `grader batch` command "
            "with --resume, which writes the class report when it ends"
        )
    summary = _read_json(out / "summary.json", "written when a batch ends")
    students = meta.get("students")
    if not isinstance(students, list):
        raise ConfigError(
            f"{out / 'batch.json'} lists no students (a batch from an older grader): run "
            f"`grader batch ... --out {out} --resume` once to record them"
        )
    data = ClassData(meta, summary)
    for row in _rows(out, [str(s) for s in students]):
        doc = _report(out, row["student"])
        if doc is not None:
            _learn(data, row, doc)
            # Not fsynced: a page is rebuilt from report.json and the journal (fsynced) by every batch run's
            # end and by `grader report`; its fsync was a third of the parent's fsyncs per student
            # (grader/atomic.py).
            write_text(out / row["student"] / STUDENT_PAGE, html_pages.student_page(doc, row), durable=False)
            data.has_page.add(row["student"])
        data.add(StudentLine.of(row))
    # Streamed: the page is never one string (a 2,000-student table is a megabyte, joined more than once).
    return write_with(out / INDEX, lambda fh: fh.writelines(html_pages.class_page(data)), durable=False)
