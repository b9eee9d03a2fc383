"""JUnit XML for CI: `testsuites` > one `testsuite` per submission > one `testcase` per case.

Wrong values are a `failure` (type: the diagnosis code; message: the first failing check's own line, what a
CI test-summary view shows), crashes, timeouts and import failures an `error`
(type: the failure code), cases never run are `skipped`. The staff view (`junit_xml`'s default) adds
tracebacks to error texts and the captured stdout / stderr as `system-out` / `system-err`; `student=True`
builds everything from the student view instead. The file `grade` and `batch` write (`write_junit`) is the
student view: JUnit is what CI publishes, and a course's CI logs and artifacts are read by the student
(docs/FLAGS.md), while every hidden case's message quotes what its inputs reached (a mismatch table's got and
expected values, an exception's text: sample hidden_values_in_ci_reports.py). Staff read report.json.
Every string goes through `escape.xml_text` (characters XML 1.0 cannot carry, escape sequences, C1 controls
and bidi overrides removed); ElementTree escapes markup in text and attributes.
A testcase's `time` stays 0.000: the parent times a whole run, never a case, and a student's process's own
clock is not to be trusted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from grader import untrusted
from grader.atomic import write_text
from grader.reports.escape import xml_text
from grader.reports.report import Report
from grader.reports.views import as_dict, student_view

JUNIT_FILE = "junit.xml"


def _seconds(x: float) -> str:
    return f"{x:.3f}"


def _first_wrong(case: dict[str, Any]) -> str:
    """The first failing check's own line ("Linear.backward: gradient of b (db) has shape (4, 2), expected
    (2,)"): a CI test-summary view shows the failure's message alone, and "1 of 5 checks failed" said nothing
    to act on. "" when the view shows no check (a hidden case's are dropped)."""
    wrong = next((c["message"] for c in case.get("checks", ()) if not c["passed"]), "")
    return xml_text(untrusted.message(wrong).split("\n", 1)[0])


def _testcase(suite: ET.Element, case: dict[str, Any], assignment: str, tracebacks: dict[str, str]) -> None:
    el = ET.SubElement(
        suite,
        "testcase",
        classname=xml_text(f"{assignment}.{case['class']}"),
        name=xml_text(case["id"]),
        time="0.000",  # no honest per-case time (module docstring)
    )
    message = xml_text(case["message"])
    first_line = message.splitlines()[0] if message else ""
    if case["status"] == "failed":
        code = case["diagnosis"]["code"] if case.get("diagnosis") else "failed"
        child = ET.SubElement(el, "failure", message=_first_wrong(case) or first_line, type=xml_text(code))
        child.text = message
    elif case["status"] == "error":
        child = ET.SubElement(el, "error", message=first_line, type=xml_text(case["failure_code"] or "error"))
        trace = tracebacks.get(case["id"], "")
        child.text = message + (f"\n\n{xml_text(trace)}" if trace else "")
    elif case["status"] == "not_run":
        ET.SubElement(el, "skipped", message=first_line)


def junit_xml(report: Report | dict[str, Any], *, student: bool = False, after_due_date: bool = False) -> str:
    full = as_dict(report)
    doc = student_view(full, after_due_date=after_due_date) if student else full
    cases = doc["cases"]
    staff = doc.get("staff") or {}
    # the machine's isolation notes are no student's data: the property is kept in either view
    notes = (full.get("staff") or {}).get("details", {}).get("isolation_notes")
    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=xml_text(f"{doc['assignment']['id']}:{doc['submission']['id']}"),
        tests=str(len(cases)),
        failures=str(sum(c["status"] == "failed" for c in cases)),
        errors=str(sum(c["status"] == "error" for c in cases)),
        skipped=str(sum(c["status"] == "not_run" for c in cases)),
        time=_seconds(doc["timing"]["sandbox_seconds"]),
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        *((("seed", doc["seed"]),) if doc["seed"] is not None else ()),  # None: private (views.py)
        ("isolation", doc["isolation"]),
        *((("isolation_notes", notes),) if notes else ()),
        ("score", doc["score"]),
        ("max_score", doc["max_score"]),
        *((("stage", doc["stage"]["name"]),) if doc.get("stage") else ()),
    ):
        ET.SubElement(props, "property", name=name, value=xml_text(str(value)))
    for case in cases:
        _testcase(suite, case, doc["assignment"]["id"], staff.get("tracebacks", {}))
    if staff.get("stdout"):
        ET.SubElement(suite, "system-out").text = xml_text(staff["stdout"])
    if staff.get("stderr"):
        ET.SubElement(suite, "system-err").text = xml_text(staff["stderr"])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(
    report: Report, out_dir: Path, *, after_due_date: bool = False, validate: bool = True
) -> Path:
    """The student view, as after the due date or not (module docstring). JUnit XML has no schema here;
    `validate` is accepted for the Writer protocol."""
    return write_text(
        Path(out_dir) / JUNIT_FILE, junit_xml(report, student=True, after_due_date=after_due_date)
    )
