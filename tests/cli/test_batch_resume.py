"""`grader batch` killed midway and resumed loses nothing and lists nobody twice (the real command)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "submissions" / "miniflow"
KINDS = ("correct.py", "mse_sign_flipped.py", "sigmoid_from_input.py", "bias_not_summed.py", "starter.py")


def _class(tmp_path: Path, size: int) -> Path:
    """A class of `size` students cycling through a few honest samples (correct and buggy)."""
    directory = tmp_path / "class"
    directory.mkdir()
    for i in range(size):
        shutil.copy(SAMPLES / KINDS[i % len(KINDS)], directory / f"student{i:03d}.py")
    return directory


def _argv(directory: Path, out: Path, *extra: str) -> list[str]:
    argv = [sys.executable, "-m", "grader", "batch", "miniflow", str(directory), "--out", str(out)]
    return [*argv, "--jobs", "2", "--seed", "7", *extra]


def _batch(directory: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_argv(directory, out, *extra), capture_output=True, text=True, timeout=300)


def _gradebook(out: Path) -> dict[str, list[str]]:
    with (out / "gradebook.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    students = [r[0] for r in rows[1:]]
    assert len(students) == len(set(students)), "a student is listed twice"
    return {r[0]: r[1:] for r in rows[1:]}


def _journal_students(out: Path) -> list[str]:
    lines = (out / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["student"] for line in lines if line.strip()]


@pytest.mark.slow
def test_kill_9_midway_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """SIGKILL to the batch's process group mid-run, then --resume: every student once, same scores as an
    uninterrupted run with the same seed, and the students graded before the kill are not graded again."""
    size = 40
    directory = _class(tmp_path, size)
    reference_out = tmp_path / "uninterrupted"
    done = _batch(directory, reference_out)
    assert done.returncode == 0, done.stderr
    expected = _gradebook(reference_out)
    assert len(expected) == size

    out = tmp_path / "interrupted"
    proc = subprocess.Popen(
        _argv(directory, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until some, but not all, students are journaled
        if journal.exists() and 3 <= len(journal.read_text(encoding="utf-8").splitlines()) < size - 3:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    graded_before = set(_journal_students(out))
    assert 0 < len(graded_before) < size, "the kill must land midway for this test to mean anything"
    assert not (out / "gradebook.csv").exists()

    resumed = _batch(directory, out, "--resume")
    stdout, stderr = resumed.stdout, resumed.stderr
    assert resumed.returncode == 0, stderr
    assert f"resuming: {len(graded_before)} already graded" in stderr
    assert f"graded {size - len(graded_before)} now, {size} in total" in stdout

    assert _gradebook(out) == expected
    journaled = _journal_students(out)
    assert sorted(set(journaled)) == sorted(expected)
    assert len(journaled) == size  # nobody graded twice: the resumed run skipped the journaled students
    for student in expected:
        assert json.loads((out / student / "report.json").read_text(encoding="utf-8"))["seed"] == 7


def test_a_torn_journal_line_is_tolerated_and_regraded(tmp_path: Path) -> None:
    """A half-written last journal line (killed mid-write) is ignored; that student is graded on resume."""
    directory = _class(tmp_path, 3)
    out = tmp_path / "out"
    assert _batch(directory, out).returncode == 0
    lines = (out / "journal.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    torn = lines[-1][: len(lines[-1]) // 2]  # no newline: the write was cut
    (out / "journal.jsonl").write_text("".join(lines[:-1]) + torn, encoding="utf-8")
    resumed = _batch(directory, out, "--resume")
    stdout, stderr = resumed.stdout, resumed.stderr
    assert resumed.returncode == 0, stderr
    assert "graded 1 now, 3 in total" in stdout
    assert len(_gradebook(out)) == 3
    assert len(_journal_students(out)) == 3


def test_resume_with_another_seed_is_refused(tmp_path: Path) -> None:
    """--resume with a different seed than the batch was started with exits 2 and says why."""
    directory = _class(tmp_path, 2)
    out = tmp_path / "out"
    assert _batch(directory, out).returncode == 0
    argv = [sys.executable, "-m", "grader", "batch", "miniflow", str(directory), "--out", str(out)]
    done = subprocess.run([*argv, "--resume", "--seed", "8"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "seed 7" in done.stderr and "8" in done.stderr


def test_a_second_batch_into_the_same_out_needs_resume(tmp_path: Path) -> None:
    """Starting a batch where one already ran is refused (exit 2) rather than mixing two runs."""
    directory = _class(tmp_path, 1)
    out = tmp_path / "out"
    assert _batch(directory, out).returncode == 0
    again = _batch(directory, out)
    assert again.returncode == 2
    assert "--resume" in again.stderr
