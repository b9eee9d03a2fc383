"""JUnit XML: well-formed, FACTS.md structure, failure / error / skipped children, control characters gone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from report_builder import HIDDEN_EXPECTED, HIDDEN_GOT, HIDDEN_INPUT, build_report

from grader import untrusted
from grader.judge.compare import fmt
from grader.model import Failure
from grader.reports import HIDDEN_MESSAGE, junit_xml, write_junit

CHILD = {"failed": "failure", "error": "error", "not_run": "skipped"}


def test_structure_and_counts(report):
    """testsuites > testsuite (name, tests, failures, errors, skipped, time) > testcase with attributes (the
    staff view: every case as judged)."""
    root = ET.fromstring(junit_xml(report))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert {"name", "tests", "failures", "errors", "skipped", "time"} <= set(suite.attrib)
    assert suite.get("name") == "dlfs-layers:alice"
    statuses = [c.status for c in report.cases]
    assert int(suite.get("tests")) == len(statuses) == len(suite.findall("testcase"))
    assert int(suite.get("failures")) == statuses.count("failed") == 2
    assert int(suite.get("errors")) == statuses.count("error") == 2
    assert int(suite.get("skipped")) == statuses.count("not_run") == 1
    float(suite.get("time"))
    for case, el in zip(report.cases, suite.findall("testcase"), strict=True):
        assert set(el.attrib) == {"classname", "name", "time"}
        assert el.get("classname") == f"dlfs-layers.{case.class_name}" and el.get("name") == case.case_id
        children = [c.tag for c in el]
        assert children == ([CHILD[case.status]] if case.status in CHILD else [])


def test_failure_and_error_children(report):
    """A failure carries the diagnosis code as type; an error the failure code, message and traceback."""
    suite = ET.fromstring(junit_xml(report)).find("testsuite")
    by_name = {el.get("name"): el for el in suite.findall("testcase")}
    failure = by_name["affine-unit"].find("failure")
    assert failure.get("type") == "transposed"
    # the first failing check's own line, all a CI test-summary view shows ("1 of 2 checks failed" was)
    (wrong, *_) = [c for c in report.cases[0].checks if not c.passed]
    assert failure.get("message") == wrong.message.split("\n")[0] and wrong.message.startswith(
        "Affine.backward: gradient of W"
    )
    assert failure.text.startswith("1 of 2 checks failed\n")
    assert "Affine.backward: gradient of W (dW)" in failure.text
    error = by_name["two-layer-graph"].find("error")
    assert error.get("type") == "exception"
    assert error.get("message") == "Affine.backward raised <boom> & ]]>"
    assert "Traceback" in error.text
    assert by_name["softmax-unit"].find("skipped") is not None


def test_the_written_file_is_the_student_view(report, tmp_path):
    """`write_junit` (what `grade` and `batch` write for CI, whose logs students read) writes the student
    view: the hidden case's status and points only, no captured output or traceback, the after-due-date case
    only with after_due_date; the staff view holds the hidden numbers (positive control)."""
    hidden = [fmt(float(v)) for a in (HIDDEN_EXPECTED, HIDDEN_GOT, HIDDEN_INPUT) for v in a.ravel()]
    assert any(n in junit_xml(report) for n in hidden), "positive control: the staff view quotes them"
    for after in (False, True):
        out = tmp_path / f"after-{after}"
        out.mkdir()
        text = write_junit(report, out, after_due_date=after).read_text(encoding="utf-8")
        assert not [n for n in hidden if n in text] and "system-out" not in text and "Traceback" not in text
        root = ET.fromstring(text)
        by_name = {el.get("name"): el for el in root.iter("testcase")}
        assert by_name["affine-hidden"].find("failure").text == HIDDEN_MESSAGE
        assert ("relu-late" in by_name) is after
        props = {p.get("name"): p.get("value") for p in root.iter("property")}
        assert props["isolation"] == report.isolation


# The written file's counts, (tests, failures, errors, skipped), worked out by hand from report_builder's
# cases as the student view shows them: affine-unit failed, affine-hidden failed (hidden), relu-late failed
# (after the due date; late_dx wrong), two-layer-graph an exception, sigmoid-unit the timeout, softmax-unit
# not run; after a load failure every case an error, the hidden one shown as failed (views.py: pass/fail).
WRITTEN_COUNTS = {
    ("graded", False): (5, 2, 2, 1),
    ("graded", True): (6, 3, 2, 1),
    ("load_failed", False): (5, 1, 4, 0),
    ("load_failed", True): (6, 1, 5, 0),
}


def test_the_written_files_counts_are_those_of_its_own_testcases(tmp_path):
    """The suite's tests, failures, errors and skipped attributes of the file `write_junit` writes count its
    own testcases' children (what a CI's JUnit parser reads), not the staff report's cases: the after-due-date
    case counted only when shown, the hidden one that errored counted as the failure it is shown as (review of
    s30-hostile: counts taken from the whole report passed every test)."""
    graded = build_report(late_dx=(9.0, 9.0))
    unloaded = build_report(late_dx=(9.0, 9.0), load_failure=Failure("syntax_error", "invalid syntax", ""))
    for report in (graded, unloaded):
        for after in (False, True):
            out = tmp_path / f"{report.status}-{after}"
            out.mkdir()
            (suite,) = ET.parse(write_junit(report, out, after_due_date=after)).getroot().findall("testsuite")
            cases = suite.findall("testcase")
            children = [child.tag for case in cases for child in case]
            counts = tuple(int(suite.get(k, "-1")) for k in ("tests", "failures", "errors", "skipped"))
            own = (len(cases), children.count("failure"), children.count("error"), children.count("skipped"))
            assert counts == own == WRITTEN_COUNTS[report.status, after], (report.status, after, counts, own)


def test_control_characters_stripped_from_captured_output(report):
    """Captured stdout/stderr with NUL, \\x01 and an ESC [31m colour give well-formed XML, minus those
    characters: the colour sequence is removed whole, not just its ESC byte."""
    text = junit_xml(report)
    suite = ET.fromstring(text).find("testsuite")
    assert suite.find("system-out").text == "hello world\n"
    assert suite.find("system-err").text == "warning"
    assert "\x1b" not in text and "\x00" not in text


def test_student_junit_has_no_staff_data(report):
    """junit_xml(student=True) carries no captured output and no traceback."""
    text = junit_xml(report, student=True)
    ET.fromstring(text)
    assert "system-out" not in text and "Traceback" not in text


def test_a_failure_message_is_cleaned_capped_and_one_line(report):
    """The failing check's line in `message` goes through the text boundary like every untrusted text:
    escape sequences and NUL gone, markup escaped by ElementTree (parsed back as written), one line, cut at
    untrusted.MESSAGE's cap with the TRUNCATED marker. A hidden case (checks dropped) keeps its first line."""
    doc = report.to_dict()
    check = next(c for c in doc["cases"][0]["checks"] if not c["passed"])
    check["message"] = "Affine.backward: \x1b[31mred\x00 & <b>]]>" + "x" * 5000 + "\nsecond line"
    text = junit_xml(doc)
    assert "\x1b" not in text and "\x00" not in text
    got = ET.fromstring(text).find("testsuite").find("testcase").find("failure").get("message")
    assert got.startswith("Affine.backward: red & <b>]]>xxx") and "second line" not in got
    assert len(got) == untrusted.MESSAGE.chars and got.endswith(untrusted.TRUNCATED)
    doc["cases"][0]["checks"] = []
    failure = ET.fromstring(junit_xml(doc)).find("testsuite").find("testcase").find("failure")
    assert failure.get("message") == "1 of 2 checks failed"
