"""Reports: the frozen `Report`, its views, and a registry of writers (format name -> writer).

Every writer has the `Writer` signature, writes atomically into `out_dir` under a fixed file name and
returns the path; output is deterministic (sorted keys, fixed number formatting) apart from timing fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from grader.reports.gradebook import gradebook_row, summarize, write_gradebook_csv, write_summary_json
from grader.reports.gradescope import gradescope_results, write_gradescope
from grader.reports.json_report import write_report_json, write_student_json
from grader.reports.junit import junit_xml, write_junit
from grader.reports.report import (
    AssignmentInfo,
    LoadSummary,
    Report,
    StaffInfo,
    SubmissionInfo,
    Timing,
    class_summaries,
)
from grader.reports.terminal import print_summary, render
from grader.reports.validate import ReportSchemaError, validate
from grader.reports.views import HIDDEN_MESSAGE, student_view


class Writer(Protocol):
    def __call__(
        self, report: Report, out_dir: Path, *, after_due_date: bool = False, validate: bool = True
    ) -> Path: ...


WRITERS: dict[str, Writer] = {
    "json": write_report_json,
    "student": write_student_json,
    "gradescope": write_gradescope,
    "junit": write_junit,
}


def write(
    report: Report,
    out_dir: Path,
    formats: Iterable[str],
    *,
    after_due_date: bool = False,
    validate: bool = True,
) -> list[Path]:
    """Write each requested format; an unknown name raises KeyError naming the valid ones.

    `validate` schema-checks JSON reports before writing them (see write_report_json)."""
    paths = []
    for name in formats:
        if name not in WRITERS:
            raise KeyError(f"unknown report format {name!r}; valid: {', '.join(sorted(WRITERS))}")
        paths.append(WRITERS[name](report, Path(out_dir), after_due_date=after_due_date, validate=validate))
    return paths


__all__ = [
    "HIDDEN_MESSAGE",
    "WRITERS",
    "AssignmentInfo",
    "LoadSummary",
    "Report",
    "ReportSchemaError",
    "StaffInfo",
    "SubmissionInfo",
    "Timing",
    "Writer",
    "class_summaries",
    "gradebook_row",
    "gradescope_results",
    "junit_xml",
    "print_summary",
    "render",
    "student_view",
    "summarize",
    "validate",
    "write",
    "write_gradebook_csv",
    "write_gradescope",
    "write_junit",
    "write_report_json",
    "write_student_json",
    "write_summary_json",
]
