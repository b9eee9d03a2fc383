"""A pool's scratch outlives neither its pool nor its workers: the folders of a killed pool are swept by the
next pool, and a worker's folder goes with the last worker using it (review of s25-huntbox, finding 5)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from grader.sandbox import SandboxPool, stale_scratch

from .helpers import FAKE_RUNNER, TRIVIAL, make_job

REPO = Path(__file__).resolve().parents[2]
POOL_PROGRAM = """
import sys, time
from pathlib import Path
from grader.sandbox import SandboxPool
pool = SandboxPool(1, "rlimits", runner_file=Path(sys.argv[1]))
print(pool._scratch, flush=True)
if sys.argv[2] == "hold":
    time.sleep(120)
pool.close()
"""


def _pool_in(tmpdir: str, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": tmpdir}
    argv = [sys.executable, "-c", POOL_PROGRAM, str(FAKE_RUNNER), mode]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env, cwd=tmpdir)


def test_a_killed_pools_scratch_is_swept_by_the_next_pool(tmpdir_for_workers: str) -> None:
    """A pool killed with SIGKILL leaves its scratch; the next pool's start removes it, and leaves alone a
    live pool's, a folder of the old unnamed form and one of another PID namespace."""
    killed, live = _pool_in(tmpdir_for_workers, "hold"), _pool_in(tmpdir_for_workers, "hold")
    try:
        assert killed.stdout is not None and live.stdout is not None
        killed_scratch, live_scratch = killed.stdout.readline().strip(), live.stdout.readline().strip()
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        assert os.path.isdir(killed_scratch)
        names = ("grader-sandbox-x1y2", "grader-sandbox-1.2.3-ab")  # pid 2, kthreadd, started at another tick
        others = [os.path.join(tmpdir_for_workers, n) for n in names]
        for path in others:
            os.mkdir(path)
        with _pool_in(tmpdir_for_workers, "close") as sweeper:
            assert sweeper.wait(timeout=120) == 0
        assert not os.path.exists(killed_scratch)
        assert os.path.isdir(live_scratch) and all(os.path.isdir(p) for p in others)
    finally:
        for proc in (killed, live):
            proc.kill()
            proc.communicate()


def test_the_sweep_names_and_spares_its_own_process() -> None:
    """The name says this process's PID namespace, pid and start time; the sweep of a folder so named while
    its process runs removes nothing."""
    prefix = stale_scratch.owner_prefix()
    namespace = os.stat("/proc/self/ns/pid").st_ino
    assert prefix.startswith(f"grader-sandbox-{namespace}.{os.getpid()}.") and prefix.endswith("-")


def test_a_fresh_pool_keeps_no_folder_of_an_ended_worker() -> None:
    """fresh=True: a worker per job, each (run as root) with a uid and a folder of its own; after three jobs
    no worker's folder is left (was: three work-UID/ until the pool closed)."""
    with SandboxPool(1, "rlimits", fresh=True, runner_file=FAKE_RUNNER) as pool:
        for _ in range(3):
            assert pool.run(make_job(TRIVIAL)).process_failure is None
        assert pool._scratch is not None and pool.workers_started == 3
        assert sorted(os.listdir(pool._scratch)) == ["pylib"]


def test_the_sweep_removes_a_deep_chain_and_locked_folders(tmp_path: Path) -> None:
    """A killed pool's scratch holding what a cut-short job may leave, a chain of 3,000 folders and a folder
    chmod 000 with a file in it, is removed whole, without recursion (shutil.rmtree raised RecursionError on
    the chain, which stopped the next pool's start). Control: the chain is deeper than Python's recursion
    limit allows a recursive walk."""
    dead = tmp_path / f"{stale_scratch.PREFIX}{os.stat('/proc/self/ns/pid').st_ino}.2.3-dead"
    dead.mkdir()
    depth = 3000
    assert depth > sys.getrecursionlimit()
    fd = os.open(dead, os.O_RDONLY)
    try:
        for _ in range(depth):  # by descriptor: the path itself would pass PATH_MAX
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    locked = dead / "locked"
    locked.mkdir()
    (locked / "f").write_text("x")
    locked.chmod(0)
    assert stale_scratch.remove_stale(str(tmp_path)) == [str(dead)]
    assert not dead.exists()
