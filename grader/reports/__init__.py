"""Reports: the frozen `Report`, its views, and a registry of writers (format name -> writer).

Every writer has the `Writer` signature, writes atomically into `out_dir` under a fixed file name and
returns the path; output is deterministic (sorted keys, fixed number formatting) apart from timing fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from grader.lazy import exports
from grader.reports.json_report import write_report_json, write_student_json
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

if TYPE_CHECKING:
    from grader.reports.gradebook import gradebook_row, summarize, write_gradebook_csv, write_summary_json
    from grader.reports.gradescope import gradescope_results, write_gradescope
    from grader.reports.junit import junit_xml, write_junit

# The class files and the Gradescope and JUnit writers are imported on first use: `grader check` prints a
# summary and writes nothing, and their imports (csv, statistics, xml) are a few percent of its wait.
_LAZY = {
    "gradebook_row": "gradebook",
    "summarize": "gradebook",
    "write_gradebook_csv": "gradebook",
    "write_summary_json": "gradebook",
    "gradescope_results": "gradescope",
    "write_gradescope": "gradescope",
    "junit_xml": "junit",
    "write_junit": "junit",
}


__getattr__ = exports(__name__, _LAZY)


class Writer(Protocol):
    def __call__(
        self, report: Report, out_dir: Path, *, after_due_date: bool = False, validate: bool = True
    ) -> Path: ...


def _on_first_use(name: str) -> Writer:
    def writer(report: Report, out_dir: Path, *, after_due_date: bool = False, validate: bool = True) -> Path:
        real: Writer = __getattr__(name)
        return real(report, out_dir, after_due_date=after_due_date, validate=validate)

    writer.__name__ = name
    return writer


WRITERS: dict[str, Writer] = {
    "json": write_report_json,
    "student": write_student_json,
    "gradescope": _on_first_use("write_gradescope"),
    "junit": _on_first_use("write_junit"),
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
