"""Interrupted batches: kill -9 or Ctrl-C midway, then --resume loses nothing and lists nobody twice."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from batch.students import grader, journal_lines, mixed_class, read_gradebook, write_class

# Enough that a signal sent once 4 (or 2) students are journaled lands midway: the 8 left take four rounds of
# the two workers at least, a sleep and a grading each. 30 graded the same things, at 2.5 times the cost.
SIZE = 12
SEED = "7"
# Each student sleeps a little at import (inside the sandbox), so that a kill reliably lands midway.
SLOW = "import time\ntime.sleep(0.1)\n"


def _argv(directory: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "grader",
        "batch",
        "miniflow",
        str(directory),
        "--out",
        str(out),
        "--jobs",
        "2",
        *extra,
    ]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}


def _slow_class(tmp_path: Path) -> Path:
    return write_class(tmp_path / "class", {s: SLOW + src for s, src in mixed_class(SIZE).items()})


def _without_timing(text: str) -> str:
    cut, n = re.subn(r'\n  "timing": \{[^{}]*\},?', "", text)
    assert n == 1
    return cut


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_and_wait_for(
    directory: Path, out: Path, at_least: int, stderr: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """Start a batch in its own process group; return once `at_least` students are journaled (not all)."""
    proc = subprocess.Popen(
        _argv(directory, out, "--seed", SEED),
        stdout=subprocess.DEVNULL,
        stderr=stderr if stderr is not None else subprocess.DEVNULL,
        start_new_session=True,
        env=_env(),
        # A shell runs a background job with SIGINT ignored, and Python keeps an ignored SIGINT ignored: the
        # grader gets the default disposition whatever started these tests, as a user's terminal gives it.
        preexec_fn=_default_sigint,
    )
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 120  # a hang guard, not a timing assertion
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= at_least:
            break
        time.sleep(0.005)
    return proc


@pytest.mark.slow
def test_kill_9_midway_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """SIGKILL to the whole process group (grader and sandbox workers) while 12 submissions are graded with
    --jobs 2; --resume then grades only the rest: every student exactly once in gradebook.csv and in the
    journal, a report for everyone, and every report byte-identical (timing aside) to an uninterrupted run."""
    directory = _slow_class(tmp_path)
    reference = tmp_path / "uninterrupted"
    done = grader("batch", "miniflow", str(directory), "--out", str(reference), "--jobs", "2", "--seed", SEED)
    assert done.returncode == 0, done.stderr
    students = sorted(mixed_class(SIZE))
    assert [r["student"] for r in read_gradebook(reference)] == students

    out = tmp_path / "interrupted"
    proc = _start_and_wait_for(directory, out, at_least=4)
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    before = [e["student"] for e in journal_lines(out)]
    assert 0 < len(before) < SIZE, "the kill must land midway for this test to mean anything"
    assert len(before) == len(set(before))
    assert not (out / "gradebook.csv").exists()

    resumed = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    said = f"resuming: {len(before)} already graded and unchanged, 0 changed since, {SIZE - len(before)} not"
    assert said in resumed.stderr
    assert f"graded {SIZE - len(before)} now, {SIZE} in total" in resumed.stdout

    assert [r["student"] for r in read_gradebook(out)] == students
    assert read_gradebook(out) == read_gradebook(reference)
    journaled = [e["student"] for e in journal_lines(out)]
    assert sorted(journaled) == students  # every student once: nobody journaled before was graded again
    assert (out / "journal.jsonl").read_bytes().endswith(b"\n")
    for student in students:
        ours = (out / student / "report.json").read_text(encoding="utf-8")
        theirs = (reference / student / "report.json").read_text(encoding="utf-8")
        assert _without_timing(ours) == _without_timing(theirs), student
    assert (out / "summary.json").read_bytes() == (reference / "summary.json").read_bytes()


@pytest.mark.slow
def test_ctrl_c_midway_exits_130_and_resume_finishes(tmp_path: Path) -> None:
    """SIGINT to the grader: exit 130 with 'interrupted' and how to go on (the same command with --resume),
    the journal holds whole lines, resume completes."""
    directory = _slow_class(tmp_path)
    out = tmp_path / "out"
    with (tmp_path / "stderr").open("wb") as stderr:
        proc = _start_and_wait_for(directory, out, at_least=2, stderr=stderr)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    said = (tmp_path / "stderr").read_text(encoding="utf-8")
    assert "grader batch: interrupted; every student graded so far is kept in" in said
    assert "run the same command again with --resume" in said
    before = [e["student"] for e in journal_lines(out)]
    assert 0 < len(before) < SIZE
    assert (out / "journal.jsonl").read_bytes().endswith(b"\n")
    resumed = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert sorted(e["student"] for e in journal_lines(out)) == sorted(mixed_class(SIZE))
    assert len(read_gradebook(out)) == SIZE


def test_a_torn_last_journal_line_is_tolerated_and_that_student_regraded(tmp_path: Path) -> None:
    """The last journal line cut in half (kill mid-write): resume ignores it, grades that one student again,
    and the journal ends with whole lines, each student once."""
    directory = write_class(tmp_path / "class", mixed_class(3))
    out = tmp_path / "out"
    assert (
        grader(
            "batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", "--seed", SEED
        ).returncode
        == 0
    )
    data = (out / "journal.jsonl").read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    torn_student = journal_lines(out)[-1]["student"]
    (out / "journal.jsonl").write_bytes(data[: last_start + (len(data) - last_start) // 2])
    resumed = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "2", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming: 2 already graded and unchanged, 0 changed since, 1 not graded yet" in resumed.stderr
    assert "graded 1 now, 3 in total" in resumed.stdout
    entries = journal_lines(out)
    assert sorted(e["student"] for e in entries) == sorted(mixed_class(3))
    assert entries[-1]["student"] == torn_student
    assert len(read_gradebook(out)) == 3


def test_resume_with_another_seed_is_refused_and_without_one_reuses_the_first(tmp_path: Path) -> None:
    """--resume --seed 8 on a seed-7 batch: exit 2 naming both seeds. --resume alone keeps seed 7."""
    directory = write_class(tmp_path / "class", mixed_class(2))
    out = tmp_path / "out"
    assert (
        grader(
            "batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1", "--seed", SEED
        ).returncode
        == 0
    )
    (out / "journal.jsonl").write_text("", encoding="utf-8")  # as if killed before the first result
    refused = grader("batch", "miniflow", str(directory), "--out", str(out), "--resume", "--seed", "8")
    assert refused.returncode == 2
    assert (
        "--resume: " in refused.stderr and "seed 7" in refused.stderr and "this run has 8" in refused.stderr
    )
    by_env = grader(
        "batch", "miniflow", str(directory), "--out", str(out), "--resume", env={"GRADER_SEED": "9"}
    )
    assert by_env.returncode == 2 and "this run has 9" in by_env.stderr
    kept = grader("batch", "miniflow", str(directory), "--out", str(out), "--resume", "--jobs", "1")
    assert kept.returncode == 0, kept.stderr
    assert f"with seed {SEED}" in kept.stderr
    assert {e["student"] for e in journal_lines(out)} == set(mixed_class(2))


def test_resume_without_a_stage_keeps_the_batchs_and_a_refusal_says_where_the_stage_came_from(
    tmp_path: Path,
) -> None:
    """A `--stage linear` batch: `--resume` alone was refused ("this run has 'sgd'", the default) and now
    resumes at linear, as it reuses the seed; GRADER_STAGE=transform left set in the shell is refused naming
    GRADER_STAGE (nothing typed showed where 'transform' came from), --stage forward naming --stage."""
    directory = write_class(tmp_path / "class", mixed_class(2))
    out = tmp_path / "out"
    argv = ("batch", "miniflow", str(directory), "--out", str(out))
    first = grader(*argv, "--jobs", "1", "--seed", SEED, "--stage", "linear")
    assert first.returncode == 0, first.stderr
    (out / "journal.jsonl").write_text("", encoding="utf-8")  # as if killed before the first result
    by_env = grader(*argv, "--resume", env={"GRADER_STAGE": "transform"})
    assert by_env.returncode == 2
    assert "graded with stage 'linear', this run has 'transform' (from GRADER_STAGE);" in by_env.stderr
    typed = grader(*argv, "--resume", "--stage", "forward")
    assert typed.returncode == 2 and "this run has 'forward' (from --stage);" in typed.stderr
    kept = grader(*argv, "--resume", "--jobs", "1")
    assert kept.returncode == 0, kept.stderr
    # the stage it reused is named with where it came from: nothing on this command line gave it
    batch_json = out / "batch.json"
    reused = f"against miniflow stage linear (set by {batch_json}, as none was given) with seed {SEED}"
    assert reused in kept.stderr
    assert {row["stage"] for row in read_gradebook(out)} == {"linear"}
    # a stage the batch recorded that this grader does not have: said to come from batch.json, with no
    # advice to grade it as another course (it was "(from default) ... step14 is a stage of dezero")
    meta = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    (out / "batch.json").write_text(json.dumps({**meta, "stage": "step14"}), encoding="utf-8")
    gone = grader(*argv, "--resume")
    assert gone.returncode == 2
    assert f"unknown stage 'step14' (from {out / 'batch.json'}, as none was given)" in gone.stderr, (
        gone.stderr
    )
    assert "grade the class again into a new --out" in gone.stderr and "dezero" not in gone.stderr


def test_a_resume_keeps_a_default_stage_asked_for_as_asked(tmp_path: Path) -> None:
    """`--stage sgd` (miniflow's default) asked for: a resume without --stage graded the students it regraded
    as the default unasked ("chosen": "default") beside those kept as asked (review of session 18, rule 7).
    batch.json records the choice. Control: a batch never asked a stage resumes unasked."""
    directory = write_class(tmp_path / "class", mixed_class(2))
    for asked in (True, False):
        out = tmp_path / f"out-{asked}"
        argv = ("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1", "--seed", SEED)
        first = grader(*argv, *(("--stage", "sgd") if asked else ()))
        assert first.returncode == 0, first.stderr
        (out / "journal.jsonl").write_text("", encoding="utf-8")  # as if killed before the first result
        again = grader(*argv[:-2], "--resume")
        assert again.returncode == 0, again.stderr
        chosen = {
            json.loads(p.read_text(encoding="utf-8"))["stage"]["chosen"] for p in out.rglob("report.json")
        }
        assert chosen == ({"asked"} if asked else {"default"}), (asked, chosen)


def test_resume_against_another_assignment_is_refused(tmp_path: Path) -> None:
    """A MiniFlow batch cannot be resumed as DeZero: exit 2 naming both assignments."""
    directory = write_class(tmp_path / "class", mixed_class(1))
    out = tmp_path / "out"
    assert grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1").returncode == 0
    refused = grader("batch", "dezero", str(directory), "--out", str(out), "--resume")
    assert refused.returncode == 2
    assert "assignment 'miniflow'" in refused.stderr and "'dezero'" in refused.stderr


def test_resume_with_other_cases_is_refused(tmp_path: Path) -> None:
    """A batch started by a grader whose cases differ from this one's (a release added cases: session 13's
    drawn copies raised dlfs-layers' default from 50 to 62 points) is not resumed: the students graded after
    would get other maxima than those before. Exit 2 naming both totals. Control: the same cases resume."""
    import shutil

    from grader.assignments import fixtures_root

    fixtures = tmp_path / "miniflow"
    shutil.copytree(fixtures_root() / "miniflow", fixtures)
    manifest = fixtures / "manifest.json"
    directory = write_class(tmp_path / "class", mixed_class(2))
    out = tmp_path / "out"
    first = grader("batch", str(manifest), str(directory), "--out", str(out), "--jobs", "1", "--seed", SEED)
    assert first.returncode == 0, first.stderr
    (out / "journal.jsonl").write_text("", encoding="utf-8")  # as if killed before the first result
    same = grader("batch", str(manifest), str(directory), "--out", str(out), "--resume", "--jobs", "1")
    assert same.returncode == 0, same.stderr
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["generated"][0]["points"] += 1  # a release that makes a drawn case worth more
    manifest.write_text(json.dumps(data), encoding="utf-8")
    (out / "journal.jsonl").write_text("", encoding="utf-8")
    refused = grader("batch", str(manifest), str(directory), "--out", str(out), "--resume", "--jobs", "1")
    assert refused.returncode == 2
    assert "--resume: " in refused.stderr and "graded on other cases" in refused.stderr
    totals = re.search(r"\((\d+(?:\.\d+)?) points then, (\d+(?:\.\d+)?) now", refused.stderr)
    assert totals is not None, refused.stderr
    # one more point for each of the spec's drawn cases
    assert float(totals[2]) - float(totals[1]) == data["generated"][0]["count"]


def test_a_resume_reads_batch_json_once_before_it_writes_it(tmp_path: Path, monkeypatch, capsys) -> None:
    """`batch --resume` takes the seed, the stage, the formats, the roster, the imports and the class from one
    read of batch.json (it was read three times, each reader with its own idea of an unreadable file), then
    rewrites it. Counted in process: the reads of batch.json before the run first writes it."""
    import grader.batch.run as run
    from grader.cli import main

    directory = write_class(tmp_path / "class", mixed_class(2))
    out = tmp_path / "out"
    first = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1", "--seed", SEED)
    assert first.returncode == 0, first.stderr
    (out / "journal.jsonl").write_text("", encoding="utf-8")  # as if killed before the first result
    events: list[str] = []
    read_text, write_text = Path.read_text, run.write_text

    def reading(self: Path, *args: object, **kwargs: object) -> str:
        if self.name == "batch.json":
            events.append("read")
        return read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    def writing(path: Path, text: str) -> Path:
        if Path(path).name == "batch.json":
            events.append("write")
        return write_text(path, text)

    monkeypatch.setattr(Path, "read_text", reading)
    monkeypatch.setattr(run, "write_text", writing)
    for name in [k for k in os.environ if k.startswith("GRADER_")]:
        monkeypatch.delenv(name)
    code = main(["batch", "miniflow", str(directory), "--out", str(out), "--resume", "--jobs", "1"])
    assert code == 0, capsys.readouterr()
    assert "write" in events
    assert events[: events.index("write")] == ["read"]
    assert f"with seed {SEED}" in capsys.readouterr().err  # the seed came from that one read


def test_a_batch_json_that_is_not_an_object_is_refused_on_resume(tmp_path: Path) -> None:
    """A batch.json holding JSON that is not an object (a list) is refused as unreadable (exit 2, what to
    do), as a torn one is: it was a traceback. Control: the torn file's refusal."""
    directory = write_class(tmp_path / "class", mixed_class(1))
    out = tmp_path / "out"
    first = grader("batch", "miniflow", str(directory), "--out", str(out), "--jobs", "1", "--seed", SEED)
    assert first.returncode == 0, first.stderr
    for text in ("[1, 2]", '{"seed": 7'):
        (out / "batch.json").write_text(text, encoding="utf-8")
        refused = grader("batch", "miniflow", str(directory), "--out", str(out), "--resume", "--jobs", "1")
        assert refused.returncode == 2, refused.stderr
        assert "batch.json is unreadable" in refused.stderr and "with a new --out" in refused.stderr
        assert "Traceback" not in refused.stderr


def test_a_resume_naming_another_folder_is_refused_a_moved_one_is_taken(tmp_path: Path) -> None:
    """`--resume` with another class's folder (a typo, the other section's download) graded that class
    into the batch and dropped every student of the first from gradebook.csv as "no longer in the folder".
    Refused (exit 2, both folders named, the gradebook untouched) while the first folder is still there.
    Control: the class's folder renamed (moved) is resumed with nothing dropped or regraded."""
    first = write_class(tmp_path / "section1", mixed_class(2))
    other = write_class(tmp_path / "section2", {"zed": mixed_class(1)["s000"]})
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(first), "--out", str(out), "--jobs", "1", "--seed", SEED)
    assert done.returncode == 0, done.stderr
    before = (out / "gradebook.csv").read_bytes()
    for extra in (("--resume",), ("--only", "zed")):
        refused = grader("batch", "miniflow", str(other), "--out", str(out), *extra, "--jobs", "1")
        assert refused.returncode == 2, refused.stderr
        assert f"grades the submissions in {first}, and this run names {other}" in refused.stderr
        assert (out / "gradebook.csv").read_bytes() == before
    moved = first.rename(tmp_path / "section1-moved")
    resumed = grader("batch", "miniflow", str(moved), "--out", str(out), "--resume", "--jobs", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert "2 already graded and unchanged" in resumed.stderr and "dropped" not in resumed.stderr
    assert [r["student"] for r in read_gradebook(out)] == ["s000", "s001"]


def test_a_resume_through_a_link_is_taken_for_the_folder_it_pointed_at(tmp_path: Path) -> None:
    """A batch started through a link (`current` -> section1) recorded the link's path: a resume naming
    section1 itself was refused, and one through the link after it was pointed at section2 was taken and
    dropped section1's students (review of session 19). The folder is recorded with links resolved. Control:
    the link unchanged still resumes."""
    first = write_class(tmp_path / "section1", mixed_class(2))
    other = write_class(tmp_path / "section2", {"zed": mixed_class(1)["s000"]})
    link = tmp_path / "current"
    link.symlink_to(first)
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(link), "--out", str(out), "--jobs", "1", "--seed", SEED)
    assert done.returncode == 0, done.stderr
    resumed = grader("batch", "miniflow", str(link), "--out", str(out), "--resume", "--jobs", "1")
    assert resumed.returncode == 0 and "dropped" not in resumed.stderr, resumed.stderr
    link.unlink()
    link.symlink_to(other)
    refused = grader("batch", "miniflow", str(link), "--out", str(out), "--resume", "--jobs", "1")
    assert refused.returncode == 2, refused.stderr
    assert f"grades the submissions in {first.resolve()}" in refused.stderr
    assert [r["student"] for r in read_gradebook(out)] == ["s000", "s001"]
    resumed = grader("batch", "miniflow", str(first), "--out", str(out), "--resume", "--jobs", "1")
    assert resumed.returncode == 0 and "dropped" not in resumed.stderr, resumed.stderr
