"""report.json / student.json writers: schema-valid, deterministic apart from timing, atomic."""

from __future__ import annotations

import dataclasses
import json

import pytest
from report_builder import build_report

from grader.atomic import write_with
from grader.reports import WRITERS, ReportSchemaError, validate, write, write_report_json
from grader.reports.jsonio import dumps, without_timing


def test_report_json_validates_and_round_trips(report, tmp_path):
    """The written report parses, validates against report.schema.json and equals to_dict()."""
    path = write_report_json(report, tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    validate(document, "report")
    assert document == json.loads(dumps(report.to_dict()))
    assert document["seed"] == 1234 and document["status"] == "graded"
    assert document["staff"]["tracebacks"]["two-layer-graph"].startswith("Traceback")


def test_flags_are_in_the_staff_section_in_file_and_line_order(flagged_report, tmp_path):
    """report.json's staff section lists every flag (code, file, line, summary, evidence), sorted by file and
    line; a report without flags has an empty list."""
    document = json.loads(write_report_json(flagged_report, tmp_path).read_text(encoding="utf-8"))
    validate(document, "report")
    assert [(f["code"], f["line"]) for f in document["staff"]["flags"]] == [
        ("network", 3),
        ("numerical_gradient", 42),
    ]
    assert document["staff"]["flags"][0] == {
        "code": "network",
        "file": "layers.py",
        "line": 3,
        "summary": "imports socket FLAG-NEEDLE",
        "evidence": "import socket",
    }
    assert flagged_report.flags == flagged_report.staff.flags
    assert build_report().to_dict()["staff"]["flags"] == []


def test_schema_refuses_an_unknown_flag_code(flagged_report):
    """Negative control: a flag code the catalogue does not know fails validation at its JSON path."""
    document = flagged_report.to_dict()
    document["staff"]["flags"][0]["code"] = "cheating"
    with pytest.raises(ReportSchemaError, match=r"flags"):
        validate(document, "report")


def test_invalid_report_is_refused_and_not_written(report, tmp_path):
    """A report that breaks the schema raises ReportSchemaError naming the path, and no file appears."""
    bad = dataclasses.replace(report, isolation="docker")
    with pytest.raises(ReportSchemaError, match=r"\$\['isolation'\]"):
        write_report_json(bad, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_same_inputs_same_bytes_apart_from_timing(tmp_path):
    """Two runs with different timings write identical bytes once `timing` is dropped, and differ with it."""
    a = build_report(wall=1.0, sandbox=0.5).to_dict()
    b = build_report(wall=2.0, sandbox=0.7).to_dict()
    assert dumps(without_timing(a)) == dumps(without_timing(b))
    assert dumps(a) != dumps(b)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_writer_is_deterministic_and_leaves_no_temp_files(fmt, tmp_path):
    """Each writer writes the same bytes twice for the same report, and only its one file is left."""
    report = build_report()
    (first,) = write(report, tmp_path / "one", [fmt])
    (second,) = write(report, tmp_path / "two", [fmt])
    assert first.read_bytes() == second.read_bytes()
    assert [p.name for p in (tmp_path / "one").iterdir()] == [first.name]


def test_unknown_format_names_valid_ones(report, tmp_path):
    """An unknown format raises and lists the valid names."""
    with pytest.raises(KeyError, match="valid: gradescope, json, junit, student"):
        write(report, tmp_path, ["pdf"])


def test_atomic_write_failure_keeps_old_file_and_no_temp(tmp_path):
    """A write that fails midway leaves the previous file intact and no temp file behind."""
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def explode(fh):
        fh.write("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_with(target, explode)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
