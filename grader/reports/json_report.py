"""`report.json` (the full staff view) and `student.json` (the student view), both schema-validated."""

from __future__ import annotations

from pathlib import Path

from grader.reports.atomic import write_text
from grader.reports.jsonio import dumps
from grader.reports.report import Report
from grader.reports.validate import validate
from grader.reports.views import student_view

REPORT_FILE = "report.json"
STUDENT_FILE = "student.json"


def write_report_json(report: Report, out_dir: Path, *, after_due_date: bool = False) -> Path:
    document = report.to_dict()
    validate(document, "report")  # before writing: an invalid report never reaches the disk
    return write_text(Path(out_dir) / REPORT_FILE, dumps(document))


def write_student_json(report: Report, out_dir: Path, *, after_due_date: bool = False) -> Path:
    document = student_view(report, after_due_date=after_due_date)
    validate(document, "report")
    return write_text(Path(out_dir) / STUDENT_FILE, dumps(document))
