"""`grader batch` on a Dask LocalCluster of two worker processes: the same gradebook and reports as the local
executor for the same seed, and a worker killed mid-batch loses and duplicates nothing."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from batch.students import journal_lines, mixed_class, read_gradebook, write_class

from grader.assignments import load_assignment
from grader.batch.run import BatchResult, run_batch
from grader.cases import cases_for_run
from grader.cluster.executor import CLIENT, ClusterError, DaskExecutor
from grader.pipeline import RunPlan
from grader.reports import validate
from grader.sandbox import SandboxPool

SEED = 11
SIZE = 14
# Each student sleeps at import (inside the sandbox), so that a worker is killed while it holds a job.
SLOW = "import time\ntime.sleep(0.4)\n"

pytestmark = pytest.mark.slow


def _plan() -> RunPlan:
    assignment = load_assignment("miniflow")
    return RunPlan.create(assignment, SEED, cases_for_run(assignment, SEED))


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """14 students (correct and four kinds of broken) and one corrupt zip the loader refuses."""
    directory = write_class(
        tmp_path_factory.mktemp("dask") / "class", {s: SLOW + src for s, src in mixed_class(SIZE).items()}
    )
    (directory / "zed.zip").write_bytes(b"PK\x03\x04 half an upload")
    return directory


@pytest.fixture(scope="module")
def local_out(klass: Path) -> Path:
    """The same class graded by the local executor (SandboxPool, 2 jobs): the reference."""
    out = klass.parent / "local"
    with SandboxPool(jobs=2) as pool:
        run_batch(_plan(), klass, out, pool, stream=io.StringIO())
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    executor = DaskExecutor.local(workers=2, sandboxes_per_worker=1, isolation="auto")
    try:
        yield executor
    finally:
        executor.close()


def _students() -> list[str]:
    return [*sorted(mixed_class(SIZE)), "zed"]


def _without_timing(path: Path) -> str:
    text, n = re.subn(r'\n  "timing": \{[^{}]*\},?', "", path.read_text(encoding="utf-8"))
    assert n == 1
    return text


def _batch(klass: Path, out: Path, executor: DaskExecutor) -> BatchResult:
    return run_batch(_plan(), klass, out, executor, stream=io.StringIO())


def test_two_workers_grade_like_the_local_executor(
    klass: Path, local_out: Path, cluster: DaskExecutor, tmp_path: Path
) -> None:
    """Same seed: gradebook.csv is identical, every report.json is identical but for timing, each student is
    journaled once, and summary.json names both workers with the isolation of their pools (bwrap here, as
    the local pool's), the refused zip under `client`, and counts that add up to the class."""
    out = tmp_path / "dask"
    result = _batch(klass, out, cluster)
    assert result.graded_now == result.total == SIZE + 1
    assert (out / "gradebook.csv").read_text() == (local_out / "gradebook.csv").read_text()
    assert [r["student"] for r in read_gradebook(out)] == _students()
    for student in _students():
        assert _without_timing(out / student / "report.json") == _without_timing(
            local_out / student / "report.json"
        )
    assert sorted(e["student"] for e in journal_lines(out)) == _students()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    validate(summary, "summary")
    workers = summary["workers"]
    local = json.loads((local_out / "summary.json").read_text(encoding="utf-8"))["workers"]["local"]
    remote = {name: w for name, w in workers.items() if name.startswith("tcp://")}
    assert len(remote) == 2
    assert {w["isolation"] for w in remote.values()} == {local["isolation"]} == {"bwrap"}
    assert workers[CLIENT]["submissions"] == 1  # zed.zip: loaded on the client, refused, never sent
    assert sum(w["submissions"] for w in workers.values()) == SIZE + 1
    assert all(w["submissions"] > 0 for w in remote.values())  # both workers took part


def test_a_job_building_crash_costs_one_submission_not_the_batch(
    cluster: DaskExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client builds each job before it sends it: one that raises there (a grader bug met on a file)
    gives that student a status "error" report, never sent to a worker; the others are graded."""
    from grader import pipeline

    real_build_job = pipeline.build_job

    def build_job_that_breaks_on_boom(plan, submission, job_id=None, made=None):  # type: ignore[no-untyped-def]
        if job_id == "boom":
            raise LookupError("'rot13' is not a text encoding")
        return real_build_job(plan, submission, job_id=job_id, made=made)

    monkeypatch.setattr(pipeline, "build_job", build_job_that_breaks_on_boom)
    correct = mixed_class(1)["s000"]
    klass = write_class(tmp_path / "class", {"ann": correct, "boom": correct, "zed": correct})
    out = tmp_path / "out"
    result = _batch(klass, out, cluster)
    assert result.graded_now == result.total == 3
    rows = {r["student"]: r for r in read_gradebook(out)}
    assert sorted(rows) == ["ann", "boom", "zed"]
    assert rows["ann"]["status"] == rows["zed"]["status"] == "graded"
    boom = json.loads((out / "boom" / "report.json").read_text(encoding="utf-8"))
    assert boom["status"] == "error" and boom["score"] == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["workers"][CLIENT]["submissions"] == 1  # boom: reported on the client, never sent


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(
    klass: Path, local_out: Path, cluster: DaskExecutor, tmp_path: Path
) -> None:
    """SIGKILL to a Dask worker process while it runs a job: its jobs are run again elsewhere; the journal
    and gradebook list every student exactly once, with the local executor's scores, and the report of the
    job that was running on it is complete (not a crash report)."""
    out = tmp_path / "killed"
    outcome: dict[str, Any] = {}

    def grade() -> None:
        try:
            outcome["result"] = _batch(klass, out, cluster)
        except BaseException as err:  # surfaced below
            outcome["error"] = err

    worker = threading.Thread(target=grade)
    worker.start()
    victim, running = _wait_for_a_busy_worker(cluster, out)
    pids = cluster.client.run(os.getpid)
    journaled_before = len(journal_lines(out)) if (out / "journal.jsonl").exists() else 0
    os.kill(pids[victim], signal.SIGKILL)
    worker.join(timeout=300)
    assert not worker.is_alive() and "error" not in outcome, outcome.get("error")

    assert journaled_before < SIZE + 1  # the kill landed mid-batch
    entries = journal_lines(out)
    assert Counter(e["student"] for e in entries) == Counter(_students())  # everyone, exactly once
    assert (out / "gradebook.csv").read_text() == (local_out / "gradebook.csv").read_text()
    for student in running:  # what the killed worker was running was graded again, by someone else
        entry = next(e for e in entries if e["student"] == student)
        assert entry["worker"] != victim and entry["worker"] != CLIENT
        assert _without_timing(out / student / "report.json") == _without_timing(
            local_out / student / "report.json"
        )


def _wait_for_a_busy_worker(cluster: DaskExecutor, out: Path) -> tuple[str, list[str]]:
    """(address, students) of a worker that is running a grading job, once a first result is journaled."""
    deadline = time.monotonic() + 120  # a hang guard, not a timing assertion
    while time.monotonic() < deadline:
        journal = out / "journal.jsonl"
        if journal.exists() and journal.read_bytes().count(b"\n") >= 1:
            for address, keys in cluster.client.processing().items():
                students = [str(k).split("-")[1] for k in keys if str(k).startswith("grade-")]
                if students:
                    return address, students
        time.sleep(0.01)
    raise AssertionError("no Dask worker was ever seen running a job")


def test_resume_on_the_cluster_grades_only_what_the_journal_lacks(
    klass: Path, local_out: Path, cluster: DaskExecutor, tmp_path: Path
) -> None:
    """A batch begun locally and cut after five students, resumed on the cluster: ten graded now, nobody
    twice, and the same gradebook as the uninterrupted local run."""
    out = tmp_path / "resumed"
    shutil.copytree(local_out, out)
    lines = (out / "journal.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "journal.jsonl").write_text("".join(lines[:5]), encoding="utf-8")
    result = run_batch(_plan(), klass, out, cluster, resume=True, stream=io.StringIO())
    assert (result.graded_now, result.total) == (SIZE + 1 - 5, SIZE + 1)
    assert Counter(e["student"] for e in journal_lines(out)) == Counter(_students())
    assert (out / "gradebook.csv").read_text() == (local_out / "gradebook.csv").read_text()


def test_a_worker_without_a_sandbox_stops_the_batch_before_grading() -> None:
    """A pool that cannot start on a worker (here: an isolation mode that does not exist) is a ClusterError
    naming the worker and the pool's own reason, raised before any job is sent."""
    with pytest.raises(ClusterError, match=r"tcp://.*unknown isolation 'bogus'"):
        DaskExecutor.local(workers=1, sandboxes_per_worker=1, isolation="bogus")
