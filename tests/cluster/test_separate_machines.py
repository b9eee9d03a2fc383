"""A cluster started the way docs/DASK.md tells staff to (`dask scheduler`, `dask worker`), whose workers
cannot see the batch directory or `--out`: what "machines that share no file system" means.

Each worker runs in its own mount namespace with an empty tmpfs over this test's directory (root only: CI
runs as root), so a worker that read a submission or wrote a report through the file system would fail.
The workers themselves answer that they see nothing there (a positive control shows the parent does).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, grader, read_gradebook, write_class


def _private_mounts() -> bool:
    """Whether this process may give a child its own mount namespace with a tmpfs in it (root, and a kernel
    or container that allows it)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /mnt"]
    return subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0


pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")

START_SECONDS = 60


def _start(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def cluster(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(scheduler address, the directory the workers cannot see): a scheduler and two `dask worker`
    processes, each with a tmpfs over `tmp_path` in its own mount namespace."""
    if not _private_mounts():  # asked here, not at collection: only a run of this test pays for the probe
        pytest.skip("no private mount namespace here (needs root)")
    control = tmp_path_factory.mktemp("scheduler")  # outside tmp_path: the workers read the address here
    address_file = control / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs = [_start([*dask, "scheduler", "--scheduler-file", str(address_file), "--port", "0",
                     "--no-dashboard"], control / "scheduler.log")]  # fmt: skip
    try:
        deadline = time.monotonic() + START_SECONDS
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(address_file.read_text(encoding="utf-8"))["address"]
        worker = " ".join([*dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"])
        hide = f"mount -t tmpfs tmpfs {tmp_path} && exec {worker}"
        for n in range(2):
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", hide]
            procs.append(_start(argv, control / f"worker{n}.log"))
        with distributed.Client(address, timeout=START_SECONDS) as client:
            client.wait_for_workers(2, timeout=START_SECONDS)
        yield address, tmp_path
    finally:
        for proc in reversed(procs):
            _stop(proc)


def test_workers_that_cannot_see_the_submissions_grade_the_class(cluster: tuple[str, Path]) -> None:
    """Both workers see an empty directory where the class and --out are; the batch on them exits 0, says
    each worker's isolation, and its gradebook equals the local executor's for the same seed."""
    address, hidden = cluster
    directory = write_class(
        hidden / "class",
        {"ann": MINIFLOW_CORRECT, "bob": MINIFLOW_BROKEN["mse_sign_flipped"], "cy": MINIFLOW_CORRECT},
    )
    with distributed.Client(address, timeout=START_SECONDS) as client:
        seen = client.run(os.listdir, str(hidden))
    assert len(seen) == 2 and all(listing == [] for listing in seen.values()), seen
    assert "class" in os.listdir(hidden)  # the control: this process does see it

    local, remote = hidden / "local", hidden / "remote"
    done = grader("batch", "miniflow", str(directory), "--out", str(local), "--seed", "5", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    done = grader(
        "batch", "miniflow", str(directory), "--out", str(remote), "--seed", "5",
        "--executor", "dask", "--scheduler", address,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    workers = [line for line in done.stderr.splitlines() if line.startswith("worker tcp://")]
    assert len(workers) == 2, done.stderr
    assert read_gradebook(remote) == read_gradebook(local)
    summary = json.loads((remote / "summary.json").read_text(encoding="utf-8"))
    assert sum(w.get("submissions", 0) for w in summary["workers"].values()) == 3, summary["workers"]
