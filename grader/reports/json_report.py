"""`report.json` (the full staff view) and `student.json` (the student view), both schema-validated."""

from __future__ import annotations

from pathlib import Path

from grader.atomic import write_text
from grader.reports.jsonio import dumps
from grader.reports.report import Report
from grader.reports.validate import validate as check
from grader.reports.views import student_view

REPORT_FILE = "report.json"
STUDENT_FILE = "student.json"


def write_report_json(
    report: Report, out_dir: Path, *, after_due_date: bool = False, validate: bool = True
) -> Path:
    """`validate=False` skips the schema check (~40 ms a report): batches opt out, tests and
    `grader samples --validate` keep proving every report valid."""
    document = report.document
    if validate:
        check(document, "report")  # before writing: an invalid report never reaches the disk
    return write_text(Path(out_dir) / REPORT_FILE, dumps(document))


def write_student_json(
    report: Report, out_dir: Path, *, after_due_date: bool = False, validate: bool = True
) -> Path:
    document = student_view(report, after_due_date=after_due_date)
    if validate:
        check(document, "report")
    return write_text(Path(out_dir) / STUDENT_FILE, dumps(document))
