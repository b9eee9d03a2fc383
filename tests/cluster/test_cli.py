"""`grader batch --executor ...` as a user runs it: arguments checked before any work, per-worker isolation
on the terminal, and Dask never imported unless chosen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, read_gradebook, write_class


def _class(tmp_path: Path) -> Path:
    return write_class(
        tmp_path / "class", {"ann": MINIFLOW_CORRECT, "bob": MINIFLOW_BROKEN["mse_sign_flipped"]}
    )


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--executor", "dask"], "--executor dask needs --scheduler tcp://HOST:PORT"),
        (["--scheduler", "tcp://10.0.0.1:8786"], "--scheduler is for --executor dask, not local"),
        (["--executor", "dask-local", "--scheduler", "tcp://h:1"], "--scheduler is for --executor dask"),
        (["--workers", "2"], "--workers is for --executor dask-local, not local"),
        (["--executor", "dask-local", "--workers", "0"], "--workers must be a positive integer, got 0"),
    ],
)
def test_executor_arguments_that_do_not_fit_are_usage_errors(
    tmp_path: Path, extra: list[str], says: str
) -> None:
    """Exit 2 with the reason, and nothing graded (no --out written)."""
    out = tmp_path / "out"
    done = grader("batch", "miniflow", str(_class(tmp_path)), "--out", str(out), "--seed", "1", *extra)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert not (out / "journal.jsonl").exists()


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    """A scheduler nobody listens on: exit 2 naming --executor dask after the connect timeout, no
    traceback. The timeout is the one the TA's Dask config sets (here 2 s, from the environment): a fixed
    30 s in the executor overrode it."""
    done = grader(
        "batch", "miniflow", str(_class(tmp_path)), "--out", str(tmp_path / "out"), "--seed", "1",
        "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9",
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )  # fmt: skip
    assert done.returncode == 2 and "--executor dask:" in done.stderr, done.stderr
    assert "after 2 s" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_batch_that_cannot_start_is_refused_before_the_executor_starts(tmp_path: Path) -> None:
    """An --out already holding a batch (no --resume), and a --resume naming another folder than the
    batch's, are refused before the executor starts: the refusal came after a Dask cluster's start, and
    with a scheduler nobody listens on it was the connect timeout's error instead, 30 s later. Here the
    scheduler is unreachable: the batch's own refusal is what the TA reads, with no connect timeout."""
    directory, out = _class(tmp_path), tmp_path / "out"
    first = grader("batch", "miniflow", str(directory), "--out", str(out), "--seed", "1", "--jobs", "1")
    assert first.returncode == 0, first.stderr
    other = write_class(tmp_path / "other", {"cy": MINIFLOW_CORRECT})
    dask = ("--executor", "dask", "--scheduler", "tcp://127.0.0.1:9")
    env = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "20s"}  # reached, it would be the error after 20 s
    for args, says in (
        ((str(directory),), "already holds a batch"),
        ((str(other), "--resume"), f"grades the submissions in {directory}, and this run names {other}"),
        ((str(directory), "--resume", "--seed", "2"), "was graded with seed 1, this run has 2"),
    ):
        done = grader("batch", "miniflow", *args, "--out", str(out), *dask, env=env, timeout=15)
        assert done.returncode == 2 and says in done.stderr, done.stderr
        assert "--executor dask:" not in done.stderr


def test_without_dask_installed_the_executor_says_how_to_get_it(tmp_path: Path) -> None:
    """With `distributed` unimportable, --executor dask-local exits 2 with the pip line of the extra."""
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from grader.cli import main\n"
        f"sys.exit(main(['batch', 'miniflow', {str(_class(tmp_path))!r}, '--out', {str(tmp_path / 'o')!r}, "
        "'--executor', 'dask-local']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "pip install 'backprop-grader[dask]'" in done.stderr


def test_a_local_batch_never_imports_dask(tmp_path: Path) -> None:
    """The default executor grades without importing dask or distributed (the optional extra)."""
    code = (
        "import sys\nfrom grader.cli import main\n"
        f"main(['batch', 'miniflow', {str(_class(tmp_path))!r}, '--out', {str(tmp_path / 'o')!r}, "
        "'--seed', '1'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    assert "graded 2 now" in done.stdout  # the control: the batch did run


@pytest.mark.slow
def test_dask_local_from_the_command_line_reports_isolation_per_worker(tmp_path: Path) -> None:
    """`--executor dask-local --workers 2`: exit 0, one terminal line per worker with its isolation, the
    same gradebook as the local executor, and summary.json's workers with the same isolation."""
    directory = _class(tmp_path)
    local, dask = tmp_path / "local", tmp_path / "dask"
    done = grader("batch", "miniflow", str(directory), "--out", str(local), "--seed", "4", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    done = grader(
        "batch", "miniflow", str(directory), "--out", str(dask), "--seed", "4",
        "--executor", "dask-local", "--workers", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("worker tcp://")]
    assert len(lines) == 2 and all(line.endswith(": isolation bwrap, 1 sandboxes") for line in lines), lines
    assert read_gradebook(dask) == read_gradebook(local)
    workers = json.loads((dask / "summary.json").read_text(encoding="utf-8"))["workers"]
    assert {w["isolation"] for w in workers.values()} == {"bwrap"} and len(workers) == 2


@pytest.mark.parametrize(("jobs", "per_worker", "warned"), [(1000, 2, True), (2, 2, False), (None, 1, False)])
def test_dask_local_caps_each_workers_sandboxes_to_the_cpus(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    jobs: int | None,
    per_worker: int,
    warned: bool,
) -> None:
    """`--executor dask-local --workers 3` with jobs 1000 from --jobs on 2 CPUs: each local worker is a
    pool of 2 sandboxes, with the local pool's one warning naming the source (was: 1000 each, no word).
    Controls: jobs equal to the CPUs, no word; no jobs, one sandbox each."""
    import argparse

    from grader import commands, settings
    from grader.cluster.executor import DaskExecutor

    started: list[tuple[int, int]] = []

    class Started:
        def describe(self, out: object) -> None:
            pass

    def local(workers: int, sandboxes_per_worker: int, *, isolation: str) -> Started:
        started.append((workers, sandboxes_per_worker))
        return Started()

    monkeypatch.setattr(settings, "usable_cpus", lambda: 2)
    monkeypatch.setattr(DaskExecutor, "local", local)
    args = argparse.Namespace(executor="dask-local", scheduler=None, workers=3)
    commands._executor_factory(args)({"jobs": jobs, "isolation": "auto"}, lambda name: f"--{name}")
    assert started == [(3, per_worker)]
    err = capsys.readouterr().err
    assert (err.count("warning: jobs 1000 from --jobs is more than the 2 CPU(s)") == 1) is warned
