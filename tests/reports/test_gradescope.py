"""Gradescope results.json: the fields and types of FACTS.md section 6, numbering, visibility, summary."""

from __future__ import annotations

import dataclasses
import html
import json

import pytest
from report_builder import build_report

from grader.reports import gradescope_results, write_gradescope
from grader.reports.gradescope import STAFF_REVIEW_TEST

TOP_TYPES = {
    "score": float,
    "output": str,
    "output_format": str,
    "test_output_format": str,
    "visibility": str,
    "stdout_visibility": str,
    "extra_data": dict,
    "tests": list,
}
TEST_TYPES = {
    "score": float,
    "max_score": float,
    "status": str,
    "name": str,
    "number": str,
    "output": str,
    "output_format": str,
    "tags": list,
    "visibility": str,
    "extra_data": dict,
}


def test_fields_and_types(report, tmp_path):
    """Top level and every test carry the documented fields with the documented types and values."""
    results = json.loads(write_gradescope(report, tmp_path).read_text(encoding="utf-8"))
    assert {k: type(results[k]) for k in TOP_TYPES} == TOP_TYPES
    assert results["output_format"] == results["test_output_format"] == "md"
    assert results["stdout_visibility"] == "hidden"
    assert results["score"] == report.score
    for test in results["tests"]:
        assert {k: type(test[k]) for k in TEST_TYPES} == TEST_TYPES
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")


def test_execution_time_only_when_no_hidden_case_ran(report):
    """A run with hidden or after-due-date cases has no execution_time (optional for Gradescope): its length
    is the student's code's to choose, and could spell out a hidden input. Control: the same report with its
    visible cases alone gives the run's wall time."""
    assert "execution_time" not in gradescope_results(report)
    visible = dataclasses.replace(report, cases=tuple(c for c in report.cases if c.visibility == "visible"))
    assert gradescope_results(visible)["execution_time"] == 1.5  # report_builder's wall seconds


def test_numbers_by_class_section(report):
    """Tests are numbered '<section>.<n>', one section per class in order of first appearance."""
    numbers = {t["extra_data"]["case_id"]: t["number"] for t in gradescope_results(report)["tests"]}
    assert numbers == {
        "affine-unit": "1.1",
        "affine-hidden": "1.2",
        "relu-late": "2.1",
        "two-layer-graph": "3.1",
        "sigmoid-unit": "4.1",
        "softmax-unit": "5.1",
    }


def test_visibility_status_tags(report):
    """Visibility maps one to one; error and not_run count as failed; tags hold class, kind, diagnosis."""
    tests = {t["extra_data"]["case_id"]: t for t in gradescope_results(report)["tests"]}
    assert tests["affine-hidden"]["visibility"] == "hidden"
    assert tests["relu-late"]["visibility"] == "after_due_date"
    assert tests["affine-unit"]["visibility"] == "visible"
    assert tests["two-layer-graph"]["status"] == "failed" and tests["relu-late"]["status"] == "passed"
    assert tests["affine-unit"]["tags"] == ["Affine", "unit", "transposed"]
    assert tests["softmax-unit"]["extra_data"]["failure_code"] == "not_run"


def test_summary_mentions_seed_and_hidden_cost(report):
    """The markdown summary names the seed and says clearly that hidden tests cost points."""
    output = gradescope_results(report)["output"]
    assert "`1234`" in output
    assert "Hidden tests cost you 2 of 2 points" in output
    assert "- Missing **Sigmoid** (you defined sigmoid)" in output


def test_no_hidden_line_when_hidden_tests_pass():
    """Negative control: when every hidden test passes, no 'Hidden tests cost' line."""
    import dataclasses

    from report_builder import build_report

    report = build_report()
    cases = tuple(
        dataclasses.replace(c, status="passed", points=c.max_points) if c.visibility == "hidden" else c
        for c in report.cases
    )
    assert "Hidden tests cost" not in gradescope_results(dataclasses.replace(report, cases=cases))["output"]


def test_test_output_is_escaped_markdown(report):
    """A test's output is its status line, then the message as escaped markdown: the error message
    "Affine.backward raised <boom> & ]]>" shows as written (entities and backslash escapes)."""
    tests = {t["extra_data"]["case_id"]: t for t in gradescope_results(report)["tests"]}
    assert tests["two-layer-graph"]["output"] == (
        "**ERROR** 0 / 2\n\nAffine\\.backward raised &lt;boom&gt; &amp; \\]\\]&gt;"
    )


def test_names_are_declared_plain_text(report):
    """Test names are not markdown: the top level says so, and names are left exactly as the case's."""
    results = gradescope_results(report)
    assert results["test_name_format"] == "text"
    assert {t["name"] for t in results["tests"]} >= {"affine unit", "two layer graph"}


def test_flags_go_only_to_one_hidden_zero_point_test(flagged_report):
    """With flags: one extra test, visibility hidden, 0 of 0 points, status passed, listing every flag; the
    score and the visible summary are unchanged. Without flags there is no such test."""
    plain = gradescope_results(build_report())
    flagged = gradescope_results(flagged_report)
    review = [t for t in flagged["tests"] if t["name"] == STAFF_REVIEW_TEST]
    assert len(review) == 1 and len(flagged["tests"]) == len(plain["tests"]) + 1
    test = review[0]
    assert test["visibility"] == "hidden"
    assert (test["score"], test["max_score"], test["status"]) == (0.0, 0.0, "passed")
    assert test["extra_data"] == {"flags": ["network", "numerical_gradient"]}
    # markdown-escaped like every output Gradescope renders: the file names' dots are backslashed
    assert "layers\\.py:42" in test["output"] and "layers\\.py:3" in test["output"]
    assert (flagged["score"], flagged["output"], flagged["extra_data"]) == (
        plain["score"],
        plain["output"],
        plain["extra_data"],
    )
    assert not [t for t in plain["tests"] if t["name"] == STAFF_REVIEW_TEST]
    for key, kind in TEST_TYPES.items():
        assert isinstance(test[key], kind), key


def test_summary_words_no_after_due_date_case_before_the_due_date():
    """Gradescope shows the top-level output from the first run on and holds back after_due_date tests
    until the due date: a summary naming the late case's fault would give it away early. Here the late
    Relu case gets dx with its sign flipped: its own test says so (shown after the due date), the summary
    does not. Control: the visible Affine case's blame is still in the summary."""
    results = gradescope_results(build_report(late_dx=(-0.5, -1.5)))
    (late,) = [t for t in results["tests"] if t["extra_data"]["case_id"] == "relu-late"]
    assert late["visibility"] == "after_due_date" and late["status"] == "failed"
    assert "Relu" not in results["output"] and "sign" not in results["output"]
    assert "Affine\\.backward" in results["output"]


def test_summary_of_a_load_failure_says_why():
    """A submission that did not load scores 0 on every test: the summary, the first thing a student reads,
    gives the reason itself (the syntax error and where), not only a pointer to the tests below."""
    from grader.model import Failure

    reason = "syntax error in layers.py line 3, column 9: invalid syntax"
    results = gradescope_results(build_report(load_failure=Failure("syntax_error", reason, "Traceback")))
    assert results["score"] == 0 and results["extra_data"]["status"] == "load_failed"
    (line,) = [x for x in results["output"].splitlines() if "could not be loaded" in x]
    assert "syntax error in layers\\.py line 3, column 9" in line
    assert "Traceback" not in results["output"]
    # the hidden tests failed for that same reason: no "Hidden tests cost you" line sending the student to
    # look for a second problem (the tests keep their 0 points; a loaded file's line: test above)
    assert "Hidden tests cost" not in results["output"]
    hidden = [t for t in results["tests"] if t["visibility"] == "hidden"]
    assert hidden and all(t["score"] == 0 and t["status"] == "failed" for t in hidden)


def test_tests_are_listed_in_the_order_of_their_numbers(flagged_report):
    """The array order is the order of the numbers ("1.1", "1.2", "2.1", ... as numbers, not strings), so a
    student reading the list top to bottom sees one class's tests together and numbered in turn, however the
    manifest interleaves its classes; the staff review test comes last."""
    cases = {c.case_id: c for c in flagged_report.cases}  # Affine, Relu, graph, Sigmoid, Softmax, Affine
    order = ("affine-unit", "relu-late", "two-layer-graph", "sigmoid-unit", "softmax-unit", "affine-hidden")
    interleaved = dataclasses.replace(flagged_report, cases=tuple(cases[i] for i in order))
    tests = gradescope_results(interleaved)["tests"]
    numbers = [tuple(int(p) for p in t["number"].split(".")) for t in tests]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    ids = [t["extra_data"].get("case_id") for t in tests]
    assert ids[:3] == ["affine-unit", "affine-hidden", "relu-late"]
    assert tests[-1]["name"] == STAFF_REVIEW_TEST


def test_summary_leaves_the_isolation_to_staff_and_words_notes_as_notes():
    """On Gradescope every run is in the rlimits fallback (no bubblewrap there): a 'Warning: isolation: ...
    bubblewrap unavailable' line on every student's results is nothing they did or can change, so the
    summary leaves it out; staff have it in extra_data. A loader note (which says 'not an error') is shown
    as a note, not as 'Warning: note:'. Control: another warning stays a warning."""
    report = build_report(isolation="rlimits-root-dropped")
    assert any("bubblewrap" in w for w in report.warnings)  # the report itself keeps it
    note = "note: hw.ipynb, code cell 3 line 1: `load_mnist()` needs a data set (not an error)"
    other = "class Variable is defined twice in hw.py"
    results = gradescope_results(dataclasses.replace(report, warnings=(*report.warnings, note, other)))
    assert "bubblewrap" not in results["output"] and "isolation" not in results["output"]
    assert results["extra_data"]["isolation"] == "rlimits-root-dropped"
    assert "\n- Note: hw\\.ipynb, code cell 3 line 1" in results["output"]
    assert "note:" not in results["output"]
    assert "\n- Warning: class Variable is defined twice in hw\\.py" in results["output"]


def test_summary_says_what_the_due_date_holds_back(report):
    """The score counts every test, the after_due_date ones too, while Gradescope lists those only after the
    due date: a student whose visible tests all pass would see points missing with no test to explain them.
    The summary says how many tests and points wait for the due date (report_builder: relu-late, 2 points),
    never how they went. Control: no such line without after_due_date cases."""
    output = gradescope_results(report)["output"]
    assert "\n- 1 test worth 2 points is shown after the due date; the score above counts it" in output
    visible = dataclasses.replace(
        report, cases=tuple(c for c in report.cases if c.visibility != "after_due_date")
    )
    assert "after the due date" not in gradescope_results(visible)["output"]


def test_an_after_published_case_is_a_test_gradescope_holds_until_grades_are_published():
    """Gradescope's fourth visibility: the test is listed, with its own output, once grades are published.
    The after_published Relu case gets dx with its sign flipped: its test says so and has visibility
    after_published; the summary, shown from the start, never names what it found (no Relu, no sign) and
    says what waits for publication apart from what waits for the due date; the score counts it."""
    results = gradescope_results(build_report(published_dx=(-0.5, -1.5)))
    (test,) = [t for t in results["tests"] if t["extra_data"]["case_id"] == "relu-published"]
    assert test["visibility"] == "after_published" and test["status"] == "failed"
    assert test["score"] == 0 and "sign" in test["output"]
    assert "Relu" not in results["output"] and "sign" not in results["output"]
    output = results["output"]
    assert "\n- 1 test worth 2 points is shown once grades are published; the score above counts it" in output
    assert "\n- 1 test worth 2 points is shown after the due date; the score above counts it" in output
    assert results["score"] == sum(t["score"] for t in results["tests"])
    control = gradescope_results(build_report())  # no after_published case: no such line
    assert "published" not in control["output"]


def test_a_got_expected_table_keeps_its_columns(report):
    """A failing check's got/expected rows were escaped as text: Gradescope's markdown collapsed their runs
    of spaces and the columns drifted. Rendered by a CommonMark renderer, the rows are now one code block
    with every `|` in the same column, and the lines around it are paragraphs, still escaped."""
    markdown_it = pytest.importorskip("markdown_it")
    tests = {t["extra_data"]["case_id"]: t for t in gradescope_results(report)["tests"]}
    page = markdown_it.MarkdownIt("commonmark", {"html": True}).render(tests["affine-unit"]["output"])
    block = page[page.index("<pre><code>") + len("<pre><code>") : page.index("</code></pre>")]
    rows = html.unescape(block).splitlines()
    assert rows[0].split() == ["index", "|", "got", "|", "expected"] and len(rows) == 3
    assert len({tuple(i for i, ch in enumerate(row) if ch == "|") for row in rows}) == 1
    assert "<p>Hint: Affine.backward: gradient of W (dW) is transposed" in page
    assert page.count("<pre>") == 1


def test_a_private_seed_speaks_of_generated_tests_only_when_there_were_some(report):
    """With a per-student seed, "the generated tests were drawn for you" only when a generated case ran: a
    run of stored cases alone drew nothing (s11 item 1); with one generated case (even a hidden one) the
    line is there."""
    private = dataclasses.replace(report, seed_private=True)
    assert not any(c.generated for c in private.cases)
    assert "generated" not in gradescope_results(private)["output"]
    cases = tuple(
        dataclasses.replace(c, generated=True) if c.visibility == "hidden" else c for c in private.cases
    )
    drawn = gradescope_results(dataclasses.replace(private, cases=cases))["output"]
    assert "The generated tests were drawn for you; a regrade draws the same ones." in drawn


def test_an_errors_indented_lines_are_text_not_a_table():
    """An error's message may quote the student's own text indented by four spaces (an exception's message
    holding "\\n    x: (2, 3)"): it was put in a code block, drawn as a got/expected table. Control: a
    failed check's rows still are one."""
    from grader.reports.gradescope import _test_output

    said = "backward from cost: ValueError: shapes disagree:\n    x: (2, 3)\n    y: (3, 1)"
    error = _test_output({"status": "error", "points": 0, "max_points": 2, "message": said})
    assert "```" not in error and "    x: " not in error and "x: \\(2, 3\\)" in error
    table = "dW is wrong\n    index | got | expected\n    (0, 0) |   1 |        2"
    failed = _test_output({"status": "failed", "points": 0, "max_points": 2, "message": table})
    assert "```" in failed and "index | got | expected" in failed
