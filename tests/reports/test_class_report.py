"""The class report's files without a browser: self-contained (no URL outside the batch folder), student text
escaped, rebuilt by `grader report OUT` from the batch's files, refused readably on a folder that is no batch.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, write_class

from grader.reports.html_pages import histogram_svg

HOSTILE = "<b onclick=x>bob&amp;"  # a file name cannot hold '/', so no closing tag: still markup if unescaped
SHOWN = "&lt;b onclick=x&gt;bob&amp;amp;.py"


@pytest.fixture(scope="module")
def class_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("class")
    directory = write_class(
        root / "class", {"ann": MINIFLOW_CORRECT, HOSTILE: MINIFLOW_BROKEN["syntax_error"]}
    )
    out = root / "out"
    done = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert f"class report: {out / 'index.html'}" in done.stdout
    return out


def _pages(out: Path) -> list[Path]:
    return [out / "index.html", *sorted(out.glob("*/report.html"))]


def test_every_page_is_self_contained(class_out: Path) -> None:
    """No src/href to another host or scheme (only relative links and data:), a CSP forbidding fetches,
    inline CSS and JS only."""
    pages = _pages(class_out)
    assert len(pages) == 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "default-src 'none'" in text
        links = re.findall(r"""(?:src|href)=["']?([^"' >]+)""", text)
        assert links and all(not re.match(r"[a-z]+:", u) or u.startswith("data:") for u in links), links
        assert "<script src" not in text and "<link rel=stylesheet" not in text


def test_student_text_is_escaped(class_out: Path) -> None:
    """A file named `<b onclick=x>bob&amp;.py` shows as those characters (entities in the HTML) on the class
    page and on its own page; the raw tag appears nowhere."""
    index = (class_out / "index.html").read_text(encoding="utf-8")
    assert SHOWN in index and "<b onclick" not in index
    [page] = [p for p in class_out.glob("*/report.html") if p.parent.name.startswith("b_onclick")]
    assert SHOWN in page.read_text(encoding="utf-8") and "<b onclick" not in page.read_text(encoding="utf-8")


def test_grader_report_rebuilds_the_pages(class_out: Path) -> None:
    """`grader report OUT` rewrites index.html and the student pages byte for byte, grading nothing."""
    before = {p: p.read_bytes() for p in _pages(class_out)}
    for page in before:
        page.unlink()
    done = grader("report", str(class_out))
    assert done.returncode == 0, done.stderr
    assert {p: p.read_bytes() for p in _pages(class_out)} == before


def test_pages_are_rebuilt_without_fsync(class_out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages are derived from report.json and the journal (both fsynced, what --resume trusts) and are
    rewritten at every batch's end: rebuilding them fsyncs no file (an fsync per student page was a third of
    the parent's fsyncs), and writes the same bytes."""
    import os

    from grader.reports.class_report import write_class_report

    before = {p: p.read_bytes() for p in _pages(class_out)}
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    write_class_report(class_out)
    assert synced == []
    assert {p: p.read_bytes() for p in _pages(class_out)} == before


def test_grader_report_on_a_folder_that_is_no_batch_is_a_usage_error(tmp_path: Path) -> None:
    """Exit 2, naming the missing batch.json; a path that does not exist is exit 2 too."""
    done = grader("report", str(tmp_path))
    assert done.returncode == 2 and "batch.json is missing" in done.stderr
    assert grader("report", str(tmp_path / "absent")).returncode == 2


def test_grader_report_on_an_interrupted_batch_says_to_resume(tmp_path: Path) -> None:
    """A batch stopped by Ctrl-C has batch.json and journal.jsonl but no summary.json yet: exit 2 telling the
    TA to resume (it asked "is OUT the --out of a batch?", which it is). Without a journal (no batch was
    ever graded there) the missing summary.json is still named."""
    (tmp_path / "batch.json").write_text('{"assignment": "miniflow", "seed": 1}', encoding="utf-8")
    (tmp_path / "journal.jsonl").write_text('{"student": "ann", "score": 1}\n', encoding="utf-8")
    done = grader("report", str(tmp_path))
    assert done.returncode == 2 and "has not finished (interrupted?)" in done.stderr
    assert "--resume" in done.stderr
    (tmp_path / "journal.jsonl").unlink()
    done = grader("report", str(tmp_path))
    assert done.returncode == 2 and "summary.json is missing" in done.stderr


def test_histogram_bar_heights_follow_the_counts() -> None:
    """Counts 4, 0, ..., 0, 2: the first bar is 160 px, the last 80 px, the others 0 px."""
    bins = [
        {"from": i / 10, "to": (i + 1) / 10, "count": c} for i, c in enumerate([4, 0, 0, 0, 0, 0, 0, 0, 0, 2])
    ]
    heights = [float(h) for h in re.findall(r"<rect class=bar [^>]*height=([0-9.]+)", histogram_svg(bins))]
    assert heights == [160.0, *[0.0] * 8, 80.0]


def test_the_browser_tests_skip_only_without_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no chromium on PATH (and none named) the reason says to install it; with it, nothing to skip."""
    from chromium_session import chromedriver, chromium, missing_reason

    monkeypatch.delenv("GRADER_CHROMIUM", raising=False)
    monkeypatch.delenv("GRADER_CHROMEDRIVER", raising=False)
    if chromium() is not None and chromedriver() is not None:
        assert missing_reason() is None
    monkeypatch.setenv("PATH", "")
    assert "no Chromium installed" in str(missing_reason())


def _synthetic_batch(out: Path, n: int) -> None:
    """A finished batch of `n` students whose journal rows each hold 60 cases (~14 KB a row), and no
    report.json (their pages are skipped): what the class page keeps per student is then all that grows."""
    import json

    out.mkdir()
    students = [f"s{i:05d}" for i in range(n)]
    (out / "batch.json").write_text(json.dumps({"assignment": "miniflow", "seed": 1, "students": students}))
    summary = {
        "students": n,
        "score": {"mean": 1.0, "median": 1.0, "histogram": []},
        "load_failures": {"count": 0, "codes": {}},
        "flags": {"flagged": 0, "codes": {}},
        "cases": {},
    }
    (out / "summary.json").write_text(json.dumps(summary))
    with (out / "journal.jsonl").open("w") as journal:
        for s in students:
            cases = {
                f"gen-two-layer-{k}": {"status": "failed", "diagnosis": "sign_flipped", "points": 0.0,
                                       "max_points": 1.0, "message": "dW1 is -1 times the right value " * 3}
                for k in range(60)
            }  # fmt: skip
            row = {"student": s, "file": f"{s}.py", "score": 1.0, "max_score": 60.0, "status": "graded",
                   "flags": [], "cases": cases}  # fmt: skip
            journal.write(json.dumps(row) + "\n")


def test_the_class_page_keeps_a_line_per_student_not_the_journal_row(tmp_path: Path) -> None:
    """Memory of the class report grows by what a student's line shows, not by the journal row (every case's
    record): kept whole, 2,000 rows were 27 MiB of the batch parent's peak (bench.throughput --large 2000).
    Measured with tracemalloc (allocations counted, not timed): the peak's growth from 100 to 400 students
    stays under 2 KB a student, where each row read is ~14 KB of JSON."""
    import tracemalloc

    from grader.reports.class_report import write_class_report

    peaks = {}
    for n in (100, 400):
        _synthetic_batch(tmp_path / str(n), n)
        tracemalloc.start()
        write_class_report(tmp_path / str(n))
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    row_bytes = len((tmp_path / "400" / "journal.jsonl").read_bytes()) / 400
    assert row_bytes > 12_000
    assert (peaks[400] - peaks[100]) / 300 < 2_000, peaks


def test_a_students_failing_cases_leave_out_an_optional_class_not_defined() -> None:
    """The students' table: the Linear quiz alone at stage linear, 3 of 3, read "failing cases 3" (Add, Mul
    and Sigmoid, optional and not defined: not run, 0 of 0 points). Control: a case not run because the run
    stopped earlier, its point at stake, is failing."""
    from grader.reports.class_report import StudentLine

    skipped = {"status": "not_run", "points": 0.0, "max_points": 0.0, "class": "Add", "diagnosis": None}
    cases = {"l": {"status": "passed", "points": 1.0, "max_points": 1.0, "class": "Linear"}, "add": skipped}
    row = {"student": "ann", "score": 1.0, "max_score": 1.0, "status": "graded", "cases": cases}
    assert StudentLine.of(row).failing == 0
    stopped = {**skipped, "max_points": 1.0, "class": "Linear"}
    assert StudentLine.of({**row, "cases": {**cases, "gen": stopped}}).failing == 1


def test_the_class_page_and_the_summary_count_each_student_by_one_share() -> None:
    """The class page's mean and median and summary.json's histogram count each student by
    gradebook.share, score over their own max_score (0 without marks to get): they were two copies of that
    division. Rows: 3 of 3 (an optional class left out), 1 of 4, and 0 of 0 (nothing to grade)."""
    from grader.reports.class_report import ClassData, StudentLine
    from grader.reports.gradebook import share, summarize

    rows = [
        {"student": s, "score": sc, "max_score": m, "status": "graded", "cases": {}, "flags": []}
        for s, sc, m in (("ann", 3.0, 3.0), ("bob", 1.0, 4.0), ("cy", 0.0, 0.0))
    ]
    assert [share(r["score"], r["max_score"]) for r in rows] == [1.0, 0.25, 0.0]
    data = ClassData(meta={}, summary={})
    for row in rows:
        data.add(StudentLine.of(row))
    assert data.shares == [1.0, 0.25, 0.0]
    bands = [b["count"] for b in summarize(rows)["score"]["histogram"]]
    assert bands == [1, 0, 1, 0, 0, 0, 0, 0, 0, 1]  # 0, 0.25 and 1 (the top band)


def test_roster_students_with_no_submission_are_named_on_the_class_page(tmp_path: Path) -> None:
    """Said only on the terminal ("in the roster with no submission: Ruth"), they were on no page: the class
    report passed for the whole class. batch.json records them, so `grader report` shows them too."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    roster = tmp_path / "roster.csv"
    roster.write_text("file,name\nann,Ann Lee\n,Ruth <i>Absent</i>\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1", "--seed", "3"]
    done = grader(*argv, "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    assert "in the roster with no submission: Ruth <i>Absent</i>" in done.stderr
    shown = "In the roster with no submission (1):</strong> Ruth &lt;i&gt;Absent&lt;/i&gt;."
    assert shown in (out / "index.html").read_text(encoding="utf-8")
    (out / "index.html").unlink()
    assert grader("report", str(out)).returncode == 0
    assert shown in (out / "index.html").read_text(encoding="utf-8")


def test_a_class_with_everyone_on_the_roster_graded_names_no_one_absent(class_out: Path) -> None:
    """Negative control: no roster (or nobody missing), no such line."""
    assert "with no submission" not in (class_out / "index.html").read_text(encoding="utf-8")


def test_an_errors_indented_lines_on_the_student_page_are_text_not_table_rows() -> None:
    """An error's message quoting the student's text indented by four spaces was drawn as a table's rows
    (class rows: never wrapped). Control: a failed case's got/expected rows still are."""
    from grader.reports.html_pages import _case_rows

    base = {"id": "c", "name": "c", "class": "Sigmoid", "visibility": "visible", "points": 0, "max_points": 2}
    said = "ValueError: shapes disagree:\n    x: (2, 3)\n    y: (3, 1)"
    error = _case_rows([base | {"status": "error", "message": said}])
    assert "class=rows" not in error and "    x: (2, 3)" in error
    table = "dW is wrong\n    index | got | expected\n    (0, 0) |   1 |        2"
    failed = _case_rows([base | {"status": "failed", "message": table}])
    assert "<div class=rows>    index | got | expected" in failed


def test_the_pages_name_the_stage_graded(class_out: Path) -> None:
    """The class page's figures are out of the stage's points and a student's score is of it: both pages
    name the stage (miniflow's default, sgd: the manifest), which they never did."""
    index = (class_out / "index.html").read_text(encoding="utf-8")
    assert ", stage sgd, with seed 3." in index
    page = (class_out / "ann" / "report.html").read_text(encoding="utf-8")
    assert "· stage sgd · seed 3</p>" in page


def test_a_student_page_names_the_stage_the_code_looks_like() -> None:
    """A lone TwoLayerNet graded at dlfs-layers' default stage (0 of 62, its layers the stand-in's) is told
    the stage its code looks like, as `grader grade` prints; not when that is the stage graded."""
    from grader.reports.html_pages import student_page

    doc = {"assignment": {"id": "dlfs-layers"}, "seed": 1, "score": 0, "max_score": 62, "status": "graded",
           "cases": [], "stage": {"name": "default", "looks_like": "two-layer-net"}}  # fmt: skip
    row = {"student": "bob", "file": "two_layer_net.py"}
    assert "· stage default (the code looks like stage two-layer-net) · seed 1" in student_page(doc, row)
    same = doc | {"stage": {"name": "two-layer-net", "looks_like": "two-layer-net"}}
    assert "· stage two-layer-net · seed 1" in student_page(same, row)
