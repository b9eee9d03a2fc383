"""`grader batch` as a user runs it: reports per student, gradebook, summary, skips, progress, bad entries."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from batch.students import (
    MINIFLOW_BROKEN,
    MINIFLOW_CORRECT,
    MINIFLOW_FLAGGED,
    MINIFLOW_FLAGGED_LINE,
    grader,
    journal_lines,
    max_points,
    read_gradebook,
    report,
    write_class,
)
from grader.reports import validate

STATUS = re.compile(r"^(\d+)/(\d+) graded, \d+\.\d/s, elapsed \d+:\d\d, ETA (\d+:\d\d|\?)$")


def _class(tmp_path: Path) -> Path:
    """Two .py students, one folder, one corrupt zip, and a README that is no submission."""
    directory = write_class(
        tmp_path / "class",
        {
            "ann": MINIFLOW_CORRECT,
            "bob": MINIFLOW_BROKEN["mse_sign_flipped"],
            "eve": MINIFLOW_BROKEN["syntax_error"],
        },
    )
    (directory / "cat").mkdir()
    (directory / "cat" / "miniflow.py").write_text(MINIFLOW_CORRECT, encoding="utf-8")
    (directory / "dan.zip").write_bytes(b"PK\x03\x04 half an upload")
    (directory / "README.txt").write_text("submissions from the LMS\n", encoding="utf-8")
    return directory


def test_a_batch_grades_every_entry_once_and_goes_on_past_broken_ones(tmp_path: Path) -> None:
    """Exit 0; one report per student; gradebook.csv lists each student once in directory order; the
    corrupt zip gets a report with the loader's failure; the README is skipped with a note."""
    directory, out = _class(tmp_path), tmp_path / "out"
    done = grader(
        "batch",
        "miniflow",
        str(directory),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--seed",
        "5",
        "--format",
        "json,gradescope",
    )
    assert done.returncode == 0, done.stderr
    students = ["ann", "bob", "cat", "dan", "eve"]
    assert "skipped README.txt: not a .py file, folder, .zip or .ipynb" in done.stderr.splitlines()
    assert "graded 5 now, 5 in total" in done.stdout.splitlines()
    rows = read_gradebook(out)
    assert [r["student"] for r in rows] == students
    full = max_points("miniflow")
    by_student = {r["student"]: r for r in rows}
    assert float(by_student["ann"]["score"]) == float(by_student["cat"]["score"]) == full
    assert 0 < float(by_student["bob"]["score"]) < full
    for student in ("dan", "eve"):
        assert by_student[student]["status"] == "load_failed" and float(by_student[student]["score"]) == 0
    dan = report(out / "dan")
    assert {c["failure_code"] for c in dan["cases"]} == {"bad_archive"}
    assert "dan.zip is not a readable zip archive" in dan["cases"][0]["message"]
    for student in students:
        doc = report(out / student)
        validate(doc, "report")
        assert doc["submission"]["id"] == student and doc["seed"] == 5
        assert (out / student / "results.json").is_file()
        assert float(by_student[student]["score"]) == doc["score"]
    assert not (out / "README").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    validate(summary, "summary")
    assert sorted(e["student"] for e in journal_lines(out)) == students


def test_progress_is_plain_lines_when_not_a_terminal(tmp_path: Path) -> None:
    """Piped stderr (a CI log): status lines with count, rate, elapsed and ETA, and no carriage returns."""
    directory = write_class(tmp_path / "class", {f"s{i}": MINIFLOW_CORRECT for i in range(4)})
    done = grader("batch", "miniflow", str(directory), "--out", str(tmp_path / "out"), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    statuses = [m.group(1, 2) for m in map(STATUS.match, done.stderr.splitlines()) if m]
    assert statuses and statuses[-1] == ("4", "4")
    assert done.stderr.splitlines()[0].startswith(
        f"grading {directory} against miniflow stage sgd with seed "
    )


def test_progress_is_a_redrawn_bar_on_a_terminal(tmp_path: Path) -> None:
    """stderr on a pseudo-terminal: the bar is redrawn in place with carriage returns and the count."""
    directory = write_class(tmp_path / "class", {f"s{i}": MINIFLOW_CORRECT for i in range(3)})
    argv = [sys.executable, "-m", "grader", "batch", "miniflow", str(directory), "--out", str(tmp_path / "o")]
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*argv, "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "\r[" in text and "] 3/3 graded" in text, text


def test_a_second_batch_into_the_same_out_needs_resume(tmp_path: Path) -> None:
    """A finished batch's --out is not silently mixed with a new run: exit 2, pointing at --resume."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    out = tmp_path / "out"
    assert grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1").returncode == 0
    again = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1")
    assert again.returncode == 2
    assert "already holds a batch" in again.stderr and "--resume" in again.stderr


def test_an_out_inside_the_batch_directory_is_not_graded_as_a_student(tmp_path: Path) -> None:
    """`--out class/results` inside the batch directory is no student, on the first run or on resume."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT, "bob": MINIFLOW_CORRECT})
    out = directory / "results"
    first = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", "--seed", "1")
    assert first.returncode == 0, first.stderr
    again = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", "--resume")
    assert again.returncode == 0, again.stderr
    assert [r["student"] for r in read_gradebook(out)] == ["ann", "bob"]
    assert "graded 0 now, 2 in total" in again.stdout


def test_flags_reach_the_gradebook_summary_and_terminal_but_nothing_a_student_reads(tmp_path: Path) -> None:
    """A flagged student: its gradebook `flags` cell names the code (empty for the other), summary.json
    counts it with the student's id, the terminal says how many were flagged, report.json holds the flag;
    its score is full marks; student.json, JUnit and Gradescope's student-visible fields carry no flag
    (Gradescope: one hidden 0-point test only)."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT, "fay": MINIFLOW_FLAGGED})
    out = tmp_path / "out"
    formats = "json,gradescope,junit"
    done = grader("batch", "miniflow", str(directory), "--out", str(out), "--seed", "5", "--format", formats)
    assert done.returncode == 0, done.stderr
    assert f"1 submission flagged for staff review ({out / 'summary.json'})" in done.stdout.splitlines()
    rows = {r["student"]: r for r in read_gradebook(out)}
    assert (rows["ann"]["flags"], rows["fay"]["flags"]) == ("", "native_code")
    assert float(rows["fay"]["score"]) == max_points("miniflow")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["flags"] == {"flagged": 1, "codes": {"native_code": {"count": 1, "students": ["fay"]}}}
    fay = report(out / "fay")
    assert [(f["code"], f["line"]) for f in fay["staff"]["flags"]] == [("native_code", MINIFLOW_FLAGGED_LINE)]
    assert "native_code" not in (out / "fay" / "junit.xml").read_text(encoding="utf-8")
    results = json.loads((out / "fay" / "results.json").read_text(encoding="utf-8"))
    visible = [t for t in results["tests"] if t["visibility"] != "hidden"]
    assert "native_code" not in json.dumps([visible, results["output"], results["extra_data"]])
    (review,) = [t for t in results["tests"] if "native_code" in json.dumps(t)]
    assert (review["visibility"], review["max_score"]) == ("hidden", 0.0)


def test_a_batch_without_flags_says_none_were_flagged(tmp_path: Path) -> None:
    """Negative control: no flagged student, `0 submissions flagged`, empty flags in the summary."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(directory), "--out", str(out), "--seed", "5")
    assert done.returncode == 0, done.stderr
    assert f"0 submissions flagged for staff review ({out / 'summary.json'})" in done.stdout.splitlines()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["flags"] == {"flagged": 0, "codes": {}}


def test_a_student_whose_id_would_be_too_long_for_a_directory_does_not_stop_the_batch(tmp_path: Path) -> None:
    """A 255-byte file name whose id grew past what a directory name may hold (ENAMETOOLONG) ended the
    batch with a traceback before the students after it, and again at each --resume: now it is graded
    like any other and everyone after it too."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT, "zed": MINIFLOW_CORRECT})
    long_name = "é" * 125 + " x.py"
    (directory / long_name).write_text(MINIFLOW_CORRECT, encoding="utf-8")
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(directory), "--out", str(out), "--seed", "5")
    assert done.returncode == 0, done.stderr
    rows = {r["file"]: r for r in read_gradebook(out)}
    assert set(rows) == {"ann.py", "zed.py", long_name}
    assert {float(r["score"]) for r in rows.values()} == {max_points("miniflow")}
    assert report(out / rows[long_name]["student"])["score"] == max_points("miniflow")


def test_a_class_export_zip_or_a_missing_folder_is_refused_saying_what_to_do(tmp_path: Path) -> None:
    """Exit 2 without grading: a Gradescope export downloaded as one zip is to be unzipped first (the
    command to run is named); a folder that does not exist is said so; a plain file is no directory (the
    negative controls: no unzip advice where no zip was given)."""
    export = tmp_path / "submissions (1).zip"  # as a browser names a second download
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("submission_metadata.yml", "submission_1:\n  :submitters: []\n")
        archive.writestr("submission_1/miniflow.py", MINIFLOW_CORRECT)
    plain = tmp_path / "notes.txt"
    plain.write_text("not a class\n", encoding="utf-8")
    said = {}
    for name, path in {"zip": export, "missing": tmp_path / "nowhere", "file": plain}.items():
        done = grader("batch", "miniflow", str(path), "--out", str(tmp_path / f"out-{name}"))
        assert done.returncode == 2 and not (tmp_path / f"out-{name}" / "gradebook.csv").exists()
        said[name] = done.stderr
    command = f"unzip '{export}' -d '{tmp_path / 'submissions (1)'}'"  # quoted: pasted into a shell as is
    assert f"is a zip archive, not a folder: unzip it first ({command}) and grade the folder" in said["zip"]
    assert "submission_metadata.yml" in said["zip"]
    assert "nowhere does not exist" in said["missing"]
    assert "notes.txt is not a directory of submissions" in said["file"]
    assert not any("unzip" in said[name] for name in ("missing", "file"))


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset")
def test_jobs_over_the_cpus_warn_once_after_the_class_line_and_grade_never_warns(tmp_path: Path) -> None:
    """On one CPU (`taskset -c 0`) `--jobs 3` is capped where the local pool starts, with one warning after
    the class line (it came first, breaking the plain-lines output, and `grade` warned twice for a
    grader.toml's `jobs = 2` though it runs one job: review of s25-huntin, findings 3 and 4). Control: the
    batch warns for the jobs over the CPU."""
    directory = write_class(tmp_path / "class", {f"s{i}": MINIFLOW_CORRECT for i in range(2)})
    one_cpu = ["taskset", "-c", str(min(os.sched_getaffinity(0))), sys.executable, "-m", "grader"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])  # this checkout, from any working directory
    batch = [*one_cpu, "batch", "miniflow", str(directory), "--out", str(tmp_path / "out"), "--jobs", "3"]
    done = subprocess.run(batch, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"grading {directory} against miniflow"), lines[:3]
    assert sum(line.startswith("warning: jobs 3 from --jobs") for line in lines) == 1, done.stderr
    wd = tmp_path / "wd"
    wd.mkdir()
    (wd / "grader.toml").write_text("jobs = 2\n", encoding="utf-8")
    grade = [*one_cpu, "grade", "miniflow", str(directory / "s0.py"), "--out", str(tmp_path / "g")]
    graded = subprocess.run(grade, capture_output=True, text=True, timeout=300, env=env, cwd=wd)
    assert "warning: jobs" not in graded.stderr, graded.stderr
