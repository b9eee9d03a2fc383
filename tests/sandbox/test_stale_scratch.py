"""A pool's scratch outlives neither its pool nor its workers: the folders of a killed pool are swept by the
next pool, and a worker's folder goes with the last worker using it (review of s25-huntbox, finding 5)."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def test_the_owner_file_names_this_process_and_the_sweep_spares_it(tmp_path: Path) -> None:
    """`make`'s folder: a random name that says nothing of its maker, its OWNER_FILE this process's PID
    namespace, pid and start time (as /proc says them), 0600; the sweep removes nothing while it runs."""
    made = Path(stale_scratch.make(str(tmp_path)))
    namespace = os.stat("/proc/self/ns/pid").st_ino
    start = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]
    assert re.fullmatch(r"grader-sandbox-o[0-9a-f]{12}", made.name), made.name
    assert str(os.getpid()) not in made.name and str(namespace) not in made.name
    owner = made / stale_scratch.OWNER_FILE
    assert owner.read_text() == f"{namespace:020d}.{os.getpid():020d}.{int(start):020d}\n"
    assert owner.stat().st_mode & 0o777 == 0o600
    assert stale_scratch.remove_stale(str(tmp_path)) == [] and made.is_dir()


def test_an_owner_file_of_a_process_gone_or_of_another_namespace(tmp_path: Path) -> None:
    """A folder whose owner is pid 2 (kthreadd) at another start time is swept; the same owner of another PID
    namespace is kept (its process is invisible here); a folder of `make`'s without an owner file (killed
    between the two) or with a garbled one is kept while it is not quiet (the older form's rule)."""
    namespace = os.stat("/proc/self/ns/pid").st_ino
    folders = {}
    for name, owner in (
        ("gone", f"{namespace:020d}.{2:020d}.{3:020d}\n"),
        ("other", f"{namespace + 1:020d}.{2:020d}.{3:020d}\n"),
        ("garbled", "2.3.4\n"),
        ("none", None),
    ):
        folders[name] = Path(stale_scratch.make(str(tmp_path)))
        owner_file = folders[name] / stale_scratch.OWNER_FILE
        owner_file.unlink()
        if owner is not None:
            owner_file.write_text(owner)
    assert stale_scratch.remove_stale(str(tmp_path)) == [str(folders["gone"])]
    assert all(folders[n].is_dir() for n in ("other", "garbled", "none"))


def test_a_student_process_path_shows_nothing_of_the_grader() -> None:
    """A student process's working directory and its module's file are below the pool's scratch: they named
    the host's PID namespace inode, the grader's pid and its start time (`grader-sandbox-NS.PID.START-`), an
    information leak about the host. Now neither holds any of the three (fails on main)."""
    probe = """
import os
def run_case(case):
    return {"v": [float(x) for x in os.getcwd().encode() + __file__.encode()]}
"""
    namespace = os.stat("/proc/self/ns/pid").st_ino
    start = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]
    with SandboxPool(1, "rlimits", runner_file=FAKE_RUNNER) as pool:
        result = pool.run(make_job(probe))
    output = result.outputs["c1"]
    assert output.failure is None, output.failure
    seen = bytes(int(x) for x in output.records["v"].ravel()).decode()
    assert "job-" in seen and "solution.py" in seen  # the control: the paths were read
    for leaked in (f".{os.getpid()}.", str(namespace), f".{start}-"):
        assert leaked not in seen, (leaked, seen)


def test_a_fresh_pool_keeps_no_folder_of_an_ended_worker() -> None:
    """fresh=True: a worker per job, each (run as root) with a uid and a folder of its own; after three jobs
    no worker's folder is left (was: three work-UID/ until the pool closed)."""
    with SandboxPool(1, "rlimits", fresh=True, runner_file=FAKE_RUNNER) as pool:
        for _ in range(3):
            assert pool.run(make_job(TRIVIAL)).process_failure is None
        assert pool._scratch is not None and pool.workers_started == 3
        assert sorted(os.listdir(pool._scratch)) == ["owner", "pylib"]


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


def _old_form_folder(parent: Path, name: str, *, age: float) -> Path:
    """A folder as graders before session 26 left it (tempfile.mkdtemp's name; pylib/, work/), last
    changed `age` seconds ago."""
    path = parent / name
    for inner in (path / "pylib", path / "work"):
        inner.mkdir(parents=True)
    when = time.time() - age
    for changed in (path / "pylib", path / "work", path):
        os.utime(changed, (when, when))
    return path


def test_an_old_form_folder_goes_once_unused_and_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Of four folders of the older unnamed form: one quiet for two hours and unused is removed; one as
    quiet but a live process's working directory (an older grader's worker), one a live process names in
    its arguments, and one changed a minute ago are kept. Control: before, none was removed. (A sweep that
    sees every process, as from the initial PID namespace: a CI container's is not.)"""
    monkeypatch.setattr(stale_scratch, "_sees_every_process", lambda: True)
    hours = 2 * 3600
    assert hours > stale_scratch.QUIET_SECONDS > 60
    dead = _old_form_folder(tmp_path, "grader-sandbox-dead_0ab", age=hours)
    worked_in = _old_form_folder(tmp_path, "grader-sandbox-cwd12345", age=hours)
    named = _old_form_folder(tmp_path, "grader-sandbox-argv1234", age=hours)
    recent = _old_form_folder(tmp_path, "grader-sandbox-recent12", age=60)
    sleep = "import sys; sys.stdin.read()"
    users = [
        subprocess.Popen([sys.executable, "-c", sleep], stdin=subprocess.PIPE, cwd=worked_in / "work"),
        subprocess.Popen([sys.executable, "-c", sleep, str(named / "pylib")], stdin=subprocess.PIPE),
    ]
    try:
        assert stale_scratch.remove_stale(str(tmp_path)) == [str(dead)]
    finally:
        for user in users:
            user.communicate()
    assert not dead.exists() and all(p.is_dir() for p in (worked_in, named, recent))
    assert sorted(stale_scratch.remove_stale(str(tmp_path))) == sorted([str(worked_in), str(named)])


def test_an_old_form_folder_is_matched_by_its_whole_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only mkdtemp's form is the old one (8 characters of its alphabet): a longer or shorter name, or a
    symlink so named, is never swept, however old, by a sweep that sweeps that form at all (one that sees
    every process; in a container, none is swept and the test proved nothing); and a quiet, unused folder of
    that form beside them goes (positive control)."""
    monkeypatch.setattr(stale_scratch, "_sees_every_process", lambda: True)
    names = ("grader-sandbox-abcdefghi", "grader-sandbox-abcdefg", "grader-sandbox-ABCDEFGH")
    kept = [_old_form_folder(tmp_path, name, age=2 * 3600) for name in names]
    target = _old_form_folder(tmp_path, "elsewhere", age=2 * 3600)
    (tmp_path / "grader-sandbox-linklink").symlink_to(target)
    swept = _old_form_folder(tmp_path, "grader-sandbox-swept123", age=2 * 3600)
    assert stale_scratch.remove_stale(str(tmp_path)) == [str(swept)]
    assert all(p.is_dir() for p in kept) and target.is_dir()


def test_an_old_form_folder_is_kept_where_some_processes_are_invisible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An idle pool of another PID namespace sharing /tmp (a container's) shows no process to a sweep from a
    sibling namespace and changes nothing for hours: such a sweep keeps every old-form folder, however
    quiet; from the initial namespace, which sees every process, the same folder goes. Control: before, the
    sweep removed it from any namespace (a live grader's scratch removed under it)."""
    quiet = _old_form_folder(tmp_path, "grader-sandbox-idle1234", age=2 * 3600)
    monkeypatch.setattr(stale_scratch, "_pid_namespace", lambda: stale_scratch.INITIAL_PID_NAMESPACE + 1)
    assert stale_scratch.remove_stale(str(tmp_path)) == [] and quiet.is_dir()
    monkeypatch.setattr(stale_scratch, "_pid_namespace", lambda: stale_scratch.INITIAL_PID_NAMESPACE)
    assert stale_scratch.remove_stale(str(tmp_path)) == [str(quiet)]


HOLDER = (
    "import sys; from grader.sandbox import stale_scratch; stale_scratch.hold(sys.argv[1]); sys.stdin.read()"
)


def test_a_folder_whose_lock_is_held_is_never_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live pool holds a shared flock on its scratch, which crosses PID namespaces: a folder the sweep
    would take for dead (quiet, and no process it can see uses it, as from another namespace) is kept while
    another process holds its lock, and goes once that process has ended. And a pool's own scratch is held
    from its start to its close."""
    quiet = _old_form_folder(tmp_path, "grader-sandbox-locked12", age=2 * 3600)
    monkeypatch.setattr(stale_scratch, "_visible_uses", list)  # the holder unseen, as from another namespace
    monkeypatch.setattr(stale_scratch, "_pid_namespace", lambda: stale_scratch.INITIAL_PID_NAMESPACE)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(quiet)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not _locked(str(quiet)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _locked(str(quiet)), "the holder took no lock"
        assert stale_scratch.remove_stale(str(tmp_path)) == [] and quiet.is_dir()
    finally:
        holder.communicate()
    assert stale_scratch.remove_stale(str(tmp_path)) == [str(quiet)]
    with SandboxPool(1, "rlimits", runner_file=FAKE_RUNNER) as pool:
        assert pool._scratch is not None and _locked(pool._scratch)
        held = pool._scratch
    assert not os.path.exists(held)


def _locked(path: str) -> bool:
    """Whether some other open file holds a lock on the folder `path`."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_pool_runs_where_its_scratch_cannot_be_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary folder whose file system has no locks (NFS mounted `nolock`: flock says ENOLCK): the pool
    runs a job unlocked and removes its scratch at close. Control: before, the pool's start raised the
    OSError as the grader's own traceback and left its scratch behind."""
    import errno

    real = fcntl.flock

    def flock(fd: int, operation: int) -> None:
        if operation & fcntl.LOCK_SH:
            raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))
        real(fd, operation)

    monkeypatch.setattr(stale_scratch.fcntl, "flock", flock)
    with SandboxPool(1, "rlimits", runner_file=FAKE_RUNNER) as pool:
        assert pool._scratch is not None and not _locked(pool._scratch)
        held = pool._scratch
        assert pool.run(make_job(TRIVIAL)).process_failure is None
    assert not os.path.exists(held)
