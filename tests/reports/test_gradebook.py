"""Gradebook: rows, streamed CSV, class summary (hand-computed statistics) validated against its schema."""

from __future__ import annotations

import csv
import dataclasses

import pytest

from grader.flags import Flag
from grader.reports import (
    ReportSchemaError,
    gradebook_row,
    student_view,
    summarize,
    validate,
    write_gradebook_csv,
)
from grader.reports.json_report import write_report_json
from grader.reports.jsonio import dumps
from grader.reports.report import Report


def row(student, score, max_score, cases, status="graded", flags=()):
    out = {"student": student, "score": score, "max_score": max_score, "status": status, "cases": cases}
    return out | ({"flags": list(flags)} if flags else {})  # rows journaled before flags existed have none


def case(points, status, cls, diagnosis=None, max_points=2.0):
    return {
        "points": points,
        "max_points": max_points,
        "status": status,
        "class": cls,
        "diagnosis": diagnosis,
    }


ROWS = [
    row("ann", 4.0, 4.0, {"a": case(2.0, "passed", "Affine"), "b": case(2.0, "passed", "Relu")}),
    row(
        "bob",
        1.0,
        4.0,
        {"a": case(1.0, "failed", "Affine", "transposed"), "b": case(0.0, "failed", "Relu", "scaled")},
    ),
    row(
        "cy",
        3.0,
        4.0,
        {"a": case(1.0, "failed", "Affine", "transposed"), "b": case(2.0, "passed", "Relu")},
        flags=["network", "numerical_gradient"],
    ),
    row(
        "dee",
        0.0,
        4.0,
        {"a": case(0.0, "error", "Affine", "syntax_error")},
        status="load_failed",
        flags=["numerical_gradient"],
    ),
]


def test_gradebook_row_from_report(report):
    """A row has the student's id, score, status and per-case points/status/class/diagnosis."""
    r = gradebook_row(report)
    assert (r["student"], r["score"], r["max_score"], r["status"]) == ("alice", 3.0, 10.0, "graded")
    assert r["cases"]["affine-unit"] == {
        "points": 1.0, "max_points": 2.0, "status": "failed", "class": "Affine", "diagnosis": "transposed",
    }  # fmt: skip
    assert r["cases"]["two-layer-graph"]["diagnosis"] == "exception"
    assert r["flags"] == []


def test_gradebook_row_lists_each_flag_code_once_sorted(report):
    """Flags of a staff report become their distinct codes, sorted; a student view (no staff) gives none."""
    flags = (
        Flag.make("process_control", "a.py", 9, "uses os.fork"),
        Flag.make("network", "a.py", 1, "imports socket"),
        Flag.make("process_control", "a.py", 3, "imports subprocess"),
    )
    flagged = dataclasses.replace(report, staff=dataclasses.replace(report.staff, flags=flags))
    assert gradebook_row(flagged)["flags"] == ["network", "process_control"]
    assert gradebook_row(student_view(flagged, after_due_date=True))["flags"] == []


def test_a_reports_document_is_built_once_for_its_json_file_and_its_row(report, tmp_path, monkeypatch):
    """report.json's writer and the gradebook row read one `to_dict()` of the report (a batch built it twice a
    student); the file and the row are a fresh `to_dict()`'s, and the student view still gets its own."""
    built = []
    real = Report.to_dict

    def to_dict(self):
        built.append(self)
        return real(self)

    monkeypatch.setattr(Report, "to_dict", to_dict)
    path = write_report_json(report, tmp_path, validate=False)
    row_now = gradebook_row(report)
    assert built == [report]
    assert path.read_text(encoding="utf-8") == dumps(real(report))
    assert row_now == gradebook_row(real(report))
    assert report.document == real(report)
    student_view(report, after_due_date=True)
    assert len(built) == 2  # a reader that redacts takes a fresh one


def test_csv_streams_from_a_generator(tmp_path):
    """CSV columns: student, file (the original name; empty for rows journaled before it existed), score,
    max_score, percent, status, flags (comma-separated codes, empty when none), stage (empty for rows without
    one), then points per case id (empty when absent)."""
    rows = [ROWS[0] | {"file": "José García.py", "stage": "sgd"}, *ROWS[1:]]
    path = write_gradebook_csv((r for r in rows), tmp_path / "grades.csv", ["a", "b"])
    with path.open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    header = ["student", "file", "score", "max_score", "percent", "status", "flags", "stage", "a", "b"]
    assert table[0] == header
    assert table[1] == ["ann", "José García.py", "4", "4", "100", "graded", "", "sgd", "2", "2"]
    assert table[2] == ["bob", "", "1", "4", "25", "graded", "", "", "1", "0"]
    assert table[3] == ["cy", "", "3", "4", "75", "graded", "network,numerical_gradient", "", "1", "2"]
    assert table[4] == ["dee", "", "0", "4", "0", "load_failed", "numerical_gradient", "", "0", ""]
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_summary_statistics():
    """Mean, median, min, max, histogram in tenths, pass rates, top diagnoses, failures by class; dee's load
    failure (syntax_error) is counted under load_failures, not as a diagnosis or a class failure."""
    s = summarize(iter(ROWS))
    assert s["students"] == 4
    assert s["statuses"] == {"graded": 3, "load_failed": 1}
    assert (s["score"]["mean"], s["score"]["median"], s["score"]["min"], s["score"]["max"]) == (
        2.0,
        2.0,
        0.0,
        4.0,
    )
    counts = [b["count"] for b in s["score"]["histogram"]]
    # fractions 1.0, 0.25, 0.75, 0.0 -> bins 9 (1.0 is in the last bin), 2, 7, 0
    assert counts == [1, 0, 1, 0, 0, 0, 0, 1, 0, 1]
    assert s["cases"]["a"]["pass_rate"] == 0.25 and s["cases"]["a"]["graded"] == 4
    assert s["cases"]["a"]["diagnoses"] == [{"code": "transposed", "count": 2}]
    assert s["cases"]["b"]["pass_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["failures_by_class"] == {"Affine": 2, "Relu": 1}
    assert s["load_failures"] == {"count": 1, "codes": {"syntax_error": 1}, "students": ["dee"]}


def test_summary_counts_flagged_submissions_per_code_with_their_students():
    """Two of four students are flagged; per code, how many and who (in row order); no flags: empty."""
    s = summarize(iter(ROWS))
    assert s["flags"] == {
        "flagged": 2,
        "codes": {
            "network": {"count": 1, "students": ["cy"]},
            "numerical_gradient": {"count": 2, "students": ["cy", "dee"]},
        },
    }
    assert summarize(iter(ROWS[:2]))["flags"] == {"flagged": 0, "codes": {}}


def test_empty_batch_summary_validates():
    """No rows: zero students, null statistics, empty histogram bins; still schema-valid."""
    s = summarize([])
    assert s["students"] == 0 and s["score"]["mean"] is None
    assert sum(b["count"] for b in s["score"]["histogram"]) == 0


def test_summary_schema_rejects_garbage():
    """Negative control: a summary with a pass rate above 1 fails validation."""
    s = summarize(iter(ROWS))
    s["cases"]["a"]["pass_rate"] = 1.5
    with pytest.raises(ReportSchemaError, match="pass_rate"):
        validate(s, "summary")


def test_an_optional_class_the_code_does_not_define_is_not_counted_as_failing():
    """Stage linear, the Linear quiz alone: Add and Sigmoid are optional and not defined, so their cases are
    not run, 0 of 0 points (docs/STAGES.md). The pass rates counted them failing (Add 0 of 2) and
    failures_by_class named Add; now only the students who define the class are counted for it. Controls:
    a failing optional Sigmoid that is defined is counted, and a case not run because the run stopped
    earlier (its points still at stake) stays a failure."""
    linear = case(1.0, "passed", "Linear", max_points=1.0)
    rows = [
        row("ann", 1.0, 1.0, {"l": linear, "add": case(0.0, "not_run", "Add", max_points=0.0),
                              "sig": case(0.0, "not_run", "Sigmoid", max_points=0.0)}),
        row("bo", 1.0, 3.0, {"l": linear, "add": case(0.0, "not_run", "Add", max_points=0.0),
                             "sig": case(0.0, "failed", "Sigmoid", "unknown", max_points=1.0),
                             "gen": case(0.0, "not_run", "Linear", max_points=1.0)}),
    ]  # fmt: skip
    s = summarize(iter(rows))
    assert "add" not in s["cases"]
    assert (s["cases"]["sig"]["graded"], s["cases"]["sig"]["passed"]) == (1, 0)
    assert (s["cases"]["gen"]["graded"], s["cases"]["gen"]["passed"]) == (1, 0)
    assert s["failures_by_class"] == {"Linear": 1, "Sigmoid": 1}
    validate(s, "summary")
