"""Text from hostile submissions reaches every writer inert: the terminal summary, Gradescope's results.json,
the gradebook CSV, JUnit XML and report.json, each in its exact escaped form, and the report under its cap.

Samples are graded through the real sandbox (both isolation modes, via the `pool` fixture); file names are
built here in temporary folders; the frame flood is forged as the parent's records."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import HOSTILE_DIR, Sweep, honest_twin

from grader import fault, untrusted
from grader.judge import grade as judge
from grader.loaders import load_submission
from grader.model import CaseOutput, Failure, LoadInfo, RunResult
from grader.pipeline import grade_one
from grader.reports import gradebook_row, gradescope_results, junit_xml, render, student_view
from grader.reports.escape import html_text
from grader.reports.gradebook import write_gradebook_csv
from grader.reports.jsonio import dumps
from tests.test_untrusted import _longest_stack

# What a terminal, a markdown renderer or an XML parser would obey: none of it may appear in any writer.
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\x9d", "\r", "\u202e", "\udce9", "\ufeff\x00")


def _writers(report: Any, tmp_path: Path) -> dict[str, str]:
    """Every writer's text for one report (the gradebook with this one student)."""
    csv_path = write_gradebook_csv([gradebook_row(report)], tmp_path / "gradebook.csv", [])
    return {
        "terminal": render(report.to_dict()),
        "terminal-student": render(student_view(report, after_due_date=True)),
        "results.json": json.dumps(gradescope_results(report), ensure_ascii=False),
        "gradebook.csv": csv_path.read_text(encoding="utf-8"),
        "junit.xml": junit_xml(report),
        "report.json": dumps(report.to_dict()),
    }


def _assert_inert(texts: dict[str, str], report: Any) -> None:
    for writer, text in texts.items():
        text.encode("utf-8")  # strict: a lone surrogate would raise here
        assert not [c for c in FORBIDDEN if c in text], f"{writer}: {[c for c in FORBIDDEN if c in text]}"
    ET.fromstring(texts["junit.xml"].split("\n", 1)[1])
    assert len(texts["report.json"].encode("utf-8")) <= untrusted.MAX_REPORT_BYTES
    # A line or two per case, one per missing name (at most MAX_NAMES), a header and a footer.
    assert len(texts["terminal"].splitlines()) <= 4 + 2 * len(report.cases) + untrusted.MAX_NAMES


def _gradescope_outputs(texts: dict[str, str]) -> list[str]:
    results = json.loads(texts["results.json"])
    return [results["output"], *(t["output"] for t in results["tests"])]


def _junit_texts(texts: dict[str, str]) -> list[str]:
    root = ET.fromstring(texts["junit.xml"].split("\n", 1)[1])
    return [el.text or "" for el in root.iter() if el.text] + [
        v for el in root.iter() for v in el.attrib.values()
    ]


def test_ansi_and_osc_in_an_exception_message(pool: Any, sweep: Sweep, tmp_path: Path) -> None:
    """The erase-line, CR, green 'PASS', window title and hyperlink sequences are removed whole: the message
    reads '\\nPASS 34/34 all checks passed see here', so the fake line can never overwrite a real one."""
    report = sweep(pool, "text_ansi_exception.py").graded.report
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    clean = "Exception: \nPASS 34/34 all checks passed see here (text_ansi_exception.py line"
    assert any(clean in c.message for c in report.cases)
    assert clean.replace("\n", "\\n") in texts["report.json"]
    assert (
        "Exception: " + "  \n" + "PASS 34/34 all checks passed see here \\(text\\_ansi\\_exception\\.py"
        in ("".join(_gradescope_outputs(texts)))
    )
    assert any(clean in t for t in _junit_texts(texts))
    # The terminal shows an error's first line only: the fake PASS never gets a line of its own.
    assert not [ln for ln in texts["terminal"].splitlines() if ln.startswith("PASS 34/34")]
    assert "      backward from cost: Exception: " in texts["terminal"].splitlines()


def test_markdown_and_html_in_an_exception_message(pool: Any, sweep: Sweep, tmp_path: Path) -> None:
    """Gradescope shows the link, the <img onerror> and the ** as characters (backslash escapes and entities);
    JUnit escapes the markup and reads back the exact text; report.json and the terminal keep it as text."""
    report = sweep(pool, "text_markdown_html.py").graded.report
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    raw = "[click me](javascript:alert(1)) <img src=x onerror=alert(1)> **FULL MARKS** | a | b |"
    escaped = (
        "\\[click me\\]\\(javascript:alert\\(1\\)\\) &lt;img src\\=x onerror\\=alert\\(1\\)&gt; "
        "\\*\\*FULL MARKS\\*\\* \\| a \\| b \\|"
    )
    outputs = "".join(_gradescope_outputs(texts))
    assert escaped in outputs
    assert "<img" not in outputs and "](javascript" not in outputs and "**FULL" not in outputs
    assert "<img" not in texts["junit.xml"] and "&lt;img src=x onerror=alert(1)&gt;" in texts["junit.xml"]
    assert any(raw in t for t in _junit_texts(texts))
    assert json.dumps(raw, ensure_ascii=False)[1:-1] in texts["report.json"]
    assert f"ValueError: {raw}" in texts["terminal"]


def test_combining_marks_stacked_in_an_exception_message(pool: Any, sweep: Sweep, tmp_path: Path) -> None:
    """120 marks on one letter and 100 on another (a stroke some 400 px tall across the class report's other
    rows and Gradescope's page): every writer, the class report's HTML too, keeps the letters, their first
    eight marks and the rest of the message."""
    report = sweep(pool, "text_combining_marks.py").graded.report
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    kept = "sigmoid o" + ("\u0301\u0300\u0302" * 3)[:8] + "k " + "\u0489" * 8 + " done"
    failed = [c for c in report.cases if c.status == "error"]
    assert failed and all(kept in c.message for c in failed), [c.message[:200] for c in failed]
    assert kept in texts["terminal"] and kept in texts["report.json"]
    assert any(kept in t for t in _junit_texts(texts))
    for writer, text in {**texts, "class report": html_text(failed[0].message)}.items():
        carries = writer != "gradebook.csv"  # the one writer without a message
        assert _longest_stack(text) == (untrusted.MAX_STACKED_MARKS if carries else 0), writer


def test_110000_lines_of_output(pool: Any, sweep: Sweep, tmp_path: Path) -> None:
    """110,000 printed lines are capped at untrusted.OUTPUT.lines (marked), a 110,000-line message at
    MESSAGE.lines; the terminal summary stays a line or two per case."""
    report = sweep(pool, "text_output_flood.py").graded.report
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    stdout = report.staff.stdout
    assert stdout.count("\n") == untrusted.OUTPUT.lines - 1 and stdout.endswith(untrusted.TRUNCATED)
    assert all(c.message.count("\n") < untrusted.MESSAGE.lines for c in report.cases)
    assert ET.fromstring(texts["junit.xml"].split("\n", 1)[1]).find(".//system-out").text == stdout


def test_invalid_utf8_and_a_lone_surrogate(pool: Any, sweep: Sweep, tmp_path: Path) -> None:
    """Bytes that are not UTF-8 on stdout/stderr become U+FFFD; every writer writes strict UTF-8."""
    report = sweep(pool, "text_lone_surrogate.py").graded.report
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    assert report.staff.stdout == "caf\ufffd \ufffd\ufffd not utf-8\n"
    assert report.staff.stderr == "\ufffd\ufffd\ufffd encoded surrogate\n"


@pytest.mark.parametrize(
    ("name", "student", "shown"),
    [
        # every control and ESC shown by code point (removed, it read as a file named `PASS evil.py`)
        (
            "\x1b]0;pwned\x07\x1b[2K\rPASS evil",
            "<U+001B>]0;pwned<U+0007><U+001B>[2K<U+000D>PASS evil",
            "'\\x1b]0;pwned\\x07\\x1b[2K\\rPASS evil.py'",
        ),
        (os.fsdecode(b"caf\xe9"), "caf\ufffd", "'caf\\xe9.py'"),
        # the override shown by its code point, never removed: removed, it was abcgnp.py's name
        ("abc\u202egnp", "abc<U+202E>gnp", "'abc\\xe2\\x80\\xaegnp.py'"),
    ],
)
def test_file_names_with_sequences_bad_bytes_or_bidi(
    pool: Any, miniflow_plan: Any, tmp_path: Path, name: str, student: str, shown: str
) -> None:
    """A .py whose own name carries an escape sequence, undecodable bytes or a bidi override: graded as
    refused (unsafe_path), never a crash; the id is the cleaned name (an invisible character in it shown by
    its code point), the message shows the name escaped."""
    path = tmp_path / f"{name}.py"
    path.write_text(honest_twin((HOSTILE_DIR / "text_ansi_exception.py").read_text()), encoding="utf-8")
    report = grade_one(miniflow_plan.run_plan, path, pool).report
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    assert report.status == "load_failed" and report.submission.id == student
    assert {c.failure_code for c in report.cases} == {"unsafe_path"}
    assert f"the file {shown} cannot be used" in report.cases[0].message
    assert texts["terminal"].splitlines()[0].endswith(f"(miniflow): {student}")


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("https:evil.example","x")', "@SUM(1+1)", "-2+3", "+cmd", "\t=1+1"]
)
def test_formula_looking_file_names_in_the_gradebook(
    pool: Any, miniflow_plan: Any, tmp_path: Path, name: str
) -> None:
    """A file named like a spreadsheet formula is graded normally; its gradebook cell is the name behind a
    single quote (OWASP), everything else as in any report."""
    path = tmp_path / f"{name}.py"
    path.write_text(honest_twin((HOSTILE_DIR / "text_ansi_exception.py").read_text()), encoding="utf-8")
    graded = grade_one(miniflow_plan.run_plan, path, pool)
    texts = _writers(graded.report, tmp_path)
    _assert_inert(texts, graded.report)
    if name.startswith("\t"):
        assert graded.report.status == "load_failed"  # a TAB in a file name is a control character
    else:
        assert graded.report.score == graded.report.max_score
    row = next(csv.reader(io.StringIO(texts["gradebook.csv"].splitlines()[1])))
    shown = untrusted.name(name)  # a TAB is shown as <U+0009>, which no spreadsheet reads as a formula
    assert row[0] == ("'" + shown if shown[:1] in "=+-@\t\r" else shown)
    assert row[0][:1] not in "=+-@\t\r"


# ---------------------------------------------------------------- a frame-size flood, forged


def test_frame_flood_of_names_and_notes_stays_under_the_cap(miniflow_plan: Any, tmp_path: Path) -> None:
    """What the frame reader accepts within its own caps (8 MB frames, 20,000-character texts): 100,000
    missing names, 50 near lists of 1,000, 50 notes and every case's failure of 9,000 lines, all with escape
    sequences, and 100,000 lines of output. Built as the parent's records (where the boundary is), it becomes
    a report with every list capped and marked, every writer inert and each file under MAX_REPORT_BYTES
    (the same stream made 18.2 MB of reports before the boundary: 7.4 MB of report.json)."""
    names = tuple(f"Name{i}\x1b]0;t\x07" for i in range(100_000))
    load = LoadInfo(
        modules={f"m{i}": f"m{i}.py" for i in range(20_000)},
        found={},
        missing=names,
        near={f"Miss{i}": names[:1000] for i in range(50)},
        notes=tuple("\x1b[2J" + "n\n" * 9_000 for _ in range(50)),
    )
    failure = Failure("exception", "\x1b[31m" + "m\n" * 9_000, "d\n" * 9_000)
    outputs = {c.id: CaseOutput(c.id, "error", {}, failure=failure) for c in miniflow_plan.cases}
    run = RunResult("bwrap", load, outputs, None, "x\n" * 100_000, "\x1b[2J" * 50_000, 1.0)
    assert len(run.load.missing) == untrusted.MAX_NAMES and run.load.missing[-1].startswith(
        untrusted.TRUNCATED
    )
    meta = {
        "assignment": miniflow_plan.assignment,
        "submission_id": "flood",
        "files": ["miniflow.py"],
        "seed": 1,
    }
    report = judge(miniflow_plan.cases, run, meta)
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    assert max(len(t.encode()) for t in texts.values()) <= untrusted.MAX_REPORT_BYTES


# ---------------------------------------------------------------- the grader's wording in a file name

# The grader's own sentence (grader/fault.py), as a student can write it into a name: a link's target, a
# file's name. The loader and the parent's readers of the source quote such names in their own messages.
_FAULT = "The grader itself failed on this submission (not your code's fault); staff have the details"


def _zip(path: Path, entries: dict[str, str], links: dict[str, str]) -> Path:
    """A zip of the honest MiniFlow file, `entries` (name -> text) and symbolic links (name -> target)."""
    honest = honest_twin((HOSTILE_DIR / "text_ansi_exception.py").read_text())
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("miniflow.py", honest)
        for name, text in entries.items():
            archive.writestr(name, text)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


_LFS_POINTER = f"version https://git-lfs.github.com/spec/v1\noid sha256:{'0' * 64}\nsize 12\n"


@pytest.mark.parametrize(
    ("entries", "links", "graded"),
    [
        ({}, {"notes": _FAULT}, True),  # a link inside the submission: left out, named in a note
        ({}, {"notes": "/" + _FAULT}, False),  # a link leading out: refused, its target named
        ({f"{_FAULT[:60]}.py": _LFS_POINTER}, {}, True),  # a Git LFS pointer: left out, named in a note
    ],
    ids=["link-inside", "link-outside", "lfs-pointer"],
)
def test_fault_wording_in_a_name_is_never_the_graders(
    pool: Any,
    miniflow_plan: Any,
    tmp_path: Path,
    entries: dict[str, str],
    links: dict[str, str],
    graded: bool,
) -> None:
    """A link target or a file name spelling the grader's "not your code's fault" is quoted by the loader's
    note or refusal: the wording is taken out there as from any message of the student's (grader/fault.py),
    so no writer shows the grader's fault wording; the rest of the note or refusal is kept. (Named so that
    pytest's tmp_path, in report.json's path, does not spell the wording itself: an underscore is a blank to
    the detector.)"""
    path = _zip(tmp_path / "hand_in.zip", entries, links)
    report = grade_one(miniflow_plan.run_plan, path, pool).report
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    assert (report.status == "graded") is graded
    assert report.status in ("graded", "load_failed")  # the student's own doing, never the grader's fault
    said = [*report.warnings, *(c.message for c in report.cases)]
    assert any(fault.REMOVED in text for text in said)
    for writer in ("terminal", "terminal-student", "results.json", "junit.xml", "report.json"):
        assert not fault.claims_grader_fault(texts[writer]), writer


def test_fault_wording_in_a_quoted_loop_line_is_never_the_graders(miniflow_plan: Any, tmp_path: Path) -> None:
    """A load stopped for time names the files' top-level loops with their source line (grader/toplevel.py):
    a comment on that line spelling "not your code's fault" is the student's text in the parent's message,
    and is taken out as from any message of the student's. Built as the parent's records after the sandbox's
    timeout at import (the sandbox's own run of such a loop is infinite_loop_import.py)."""
    from grader.pipeline import _report
    from grader.sandbox.result import AT_IMPORT

    honest = honest_twin((HOSTILE_DIR / "infinite_loop_import.py").read_text())
    path = tmp_path / "hand_in.py"
    path.write_text(honest + "while True:  # not your code's fault, staff have the details\n    pass\n")
    submission = load_submission(path)
    stopped = Failure("timeout", f"Stopped after 10 s. Likely a training loop or demo {AT_IMPORT}.")
    run = RunResult("bwrap", None, {}, stopped, "", "", 10.0)  # type: ignore[arg-type]
    report = _report(miniflow_plan.run_plan, "hand_in", path, submission, run, 0.0)
    texts = _writers(report, tmp_path)
    _assert_inert(texts, report)
    messages = [c.message for c in report.cases if c.failure_code == "timeout"]
    assert messages and all("Loops at the top level of your code" in m for m in messages)
    assert all(f"hand_in.py line {honest.count(chr(10)) + 1}: `while True:  # " in m for m in messages)
    assert all(fault.REMOVED in m for m in messages)
    for writer in ("terminal", "terminal-student", "results.json", "junit.xml", "report.json"):
        assert not fault.claims_grader_fault(texts[writer]), writer
