"""End-to-end sandbox behaviour in every isolation mode available here (fake runner, hostile solutions)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from calibration import wall_for
from proc_tree import descendants
from runtime_variants import NO_AUDIT, pool_without

from grader.sandbox import SandboxPool

from .helpers import FAKE_RUNNER, TRIVIAL, case, make_job


def _ok(result, key="v"):
    assert result.process_failure is None, result.process_failure
    assert result.outputs["c1"].status == "ok", result.outputs["c1"]
    return result.outputs["c1"].records[key]


def test_trivial_round_trip(pool: SandboxPool, isolation: str) -> None:
    """A trivial job comes back with its record rebuilt as float64, its stdout and the pool's isolation
    (rlimits run as root: rlimits-root-dropped; by another user: rlimits-unprivileged)."""
    result = pool.run(make_job("print('hello')\n" + TRIVIAL))
    assert float(_ok(result)) == 1.5
    fallback = "rlimits-root-dropped" if os.geteuid() == 0 else "rlimits-unprivileged"
    assert result.isolation == pool.isolation == {"bwrap": "bwrap", "rlimits": fallback}[isolation]
    assert result.stdout == "hello\n"


def test_support_files_then_submission_files(pool: SandboxPool) -> None:
    """Support files are written first and the submission wins a clash; sub-directories work."""
    job = make_job(
        """
        from common.functions import VALUE
        import helper
        def run_case(case):
            return {"v": VALUE + helper.X}
        """,
        support={"common/functions.py": b"VALUE = 40.0\n", "helper.py": b"X = 1000.0\n"},
    )
    job["student"]["files"]["helper.py"] = (
        "WCA9IDIuMAo="  # base64 of "X = 2.0\n": the submission's own helper.py
    )
    assert float(_ok(pool.run(job))) == 42.0


PROBES = """
import os, socket, threading

def _fails(action):
    try:
        action()
    except OSError:
        return True
    return False

def _write(path):
    with open(path, "w") as f:
        f.write("x")

def _fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)

def run_case(case):
    marker = os.environ.get("GRADER_TEST_MARKER")
    environ_files = []
    try:
        pids = os.listdir("/proc")
    except OSError:
        pids = []
    for pid in pids:
        try:
            environ_files.append(open(f"/proc/{pid}/environ", "rb").read())
        except OSError:
            pass
    results = []
    t = threading.Thread(target=lambda: results.append(sum(range(1000))))
    t.start(); t.join()
    return {
        "work_hidden": _fails(lambda: os.listdir("/work")),
        "repo_hidden": _fails(lambda: os.listdir(REPO)),
        "fixtures_hidden": _fails(lambda: os.listdir(REPO + "/fixtures")),
        "reference_hidden": _fails(lambda: open(REPO + "/reference/ops.py").read()),
        "env_clean": marker is None and not any(b"GRADER_TEST_MARKER" in e for e in environ_files),
        "write_outside_refused": (
            _fails(lambda: _write(OUTSIDE + "/escape.txt")) and _fails(lambda: _write("../escape.txt"))
        ),
        "write_inside_ok": not _fails(lambda: _write("mine.txt")),
        "fork_refused": _fails(_fork),
        "inet_refused": _fails(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
        "unix_refused": _fails(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()),
        "kill_parent_refused": _fails(lambda: os.kill(os.getppid(), 0)),
        "kill_pid1_refused": _fails(lambda: os.kill(1, 0)),
        "kill_self_ok": not _fails(lambda: os.kill(os.getpid(), 0)),
        "threads_work": results == [499500],
    }
"""
PROBE_KEYS = (
    "work_hidden", "repo_hidden", "fixtures_hidden", "reference_hidden", "env_clean", "write_outside_refused",
    "write_inside_ok", "fork_refused", "inet_refused", "unix_refused", "kill_parent_refused",
    "kill_pid1_refused", "kill_self_ok", "threads_work",
)  # fmt: skip
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _probes(outside: Path) -> str:
    """The probes, writing outside their own dir only into a folder of the test's own (never the host's /tmp,
    which the unconfined negative control below would really write)."""
    outside.mkdir()
    return f"REPO = {REPO!r}\nOUTSIDE = {str(outside)!r}\n" + PROBES


@pytest.mark.parametrize("key", PROBE_KEYS)
def test_child_confinement(
    pool: SandboxPool, key: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The child sees no repo, /work or parent env, writes only its dir, cannot fork, signal or open a
    socket of any family."""
    monkeypatch.setenv("GRADER_TEST_MARKER", "secret")
    job = make_job(_probes(tmp_path / "outside"), [case("c1", *PROBE_KEYS)])
    result = pool.run(job)
    assert result.process_failure is None, (result.process_failure, result.stderr)
    assert result.outputs["c1"].records[key] is True, result.outputs["c1"]


def test_probes_detect_an_unconfined_process(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: the same probes in a plain subprocess see the repo and may fork."""
    import json
    import subprocess
    import sys

    monkeypatch.setenv("GRADER_TEST_MARKER", "secret")
    script = _probes(tmp_path / "outside") + "\nimport json; print(json.dumps(run_case(None)))\n"
    work = tmp_path / "work"
    work.mkdir()
    out = subprocess.run([sys.executable, "-c", script], cwd=work, capture_output=True, check=True, text=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["repo_hidden"] is False and found["fork_refused"] is False and found["env_clean"] is False
    assert found["write_outside_refused"] is False
    assert (tmp_path / "outside" / "escape.txt").read_text() == "x"


def _package_in_each_python_package_dir() -> dict[str, str]:
    """One top-level package from every site-/dist-packages directory of this host (dir -> name), never one
    the student's process stands in for itself (IPython, matplotlib, sklearn...: docs/LOADING.md), which any
    find_spec finds whatever the directory holds."""
    from grader.inside.masked import masked_dirs
    from grader.inside.standins import BOOK_MODULES, MADE_PACKAGES

    provided = {*MADE_PACKAGES, *(m.split(".")[0] for m in BOOK_MODULES)}
    found = {}
    for directory in masked_dirs():
        for entry in sorted(os.listdir(directory)):
            if entry in provided:
                continue
            if entry.isidentifier() and os.path.isfile(os.path.join(directory, entry, "__init__.py")):
                found[directory] = entry
                break
    return found


FIND_SPECS = """
import importlib.util, sys
def run_case(case):
    found = {}
    for i, (directory, name) in enumerate(PACKAGES.items()):
        sys.path.append(directory)
        try:
            found[f"p{i}"] = importlib.util.find_spec(name) is not None
        except Exception:
            found[f"p{i}"] = False
        sys.path.remove(directory)
    return found
"""


def test_no_python_package_directory_is_importable(pool: SandboxPool) -> None:
    """sys.path.append("/usr/lib/python3/dist-packages") (or any site-/dist-packages of the host) finds none
    of the packages installed there."""
    packages = _package_in_each_python_package_dir()
    if not packages:
        pytest.skip("no site-packages or dist-packages directory with a package on this host")
    keys = [f"p{i}" for i in range(len(packages))]
    result = pool.run(make_job(f"PACKAGES = {packages!r}\n" + FIND_SPECS, [case("c1", *keys)]))
    assert result.process_failure is None, (result.process_failure, result.stderr)
    found = {d: result.outputs["c1"].records[k] for d, k in zip(packages, keys, strict=True)}
    assert found == dict.fromkeys(packages, False)


def test_python_package_directories_are_importable_unconfined(tmp_path) -> None:
    """Negative control: a plain `python -I -S` finds each of those packages once its dir is appended."""
    import json
    import subprocess
    import sys

    packages = _package_in_each_python_package_dir()
    if not packages:
        pytest.skip("no site-packages or dist-packages directory with a package on this host")
    script = f"PACKAGES = {packages!r}\n" + FIND_SPECS + "\nimport json; print(json.dumps(run_case(None)))\n"
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script], cwd=tmp_path, capture_output=True, check=True, text=True
    )
    assert set(json.loads(out.stdout.strip().splitlines()[-1]).values()) == {True}


def test_fork_bomb_is_contained(pool: SandboxPool) -> None:
    """A fork bomb gets EPERM on every attempt and the job still finishes normally."""
    job = make_job(
        """
        import os
        def run_case(case):
            refused = 0
            for _ in range(200):
                try:
                    if os.fork() == 0:
                        os._exit(0)
                except OSError:
                    refused += 1
            return {"v": refused}
        """
    )
    assert float(_ok(pool.run(job))) == 200


def test_infinite_loop_is_cpu_limit(pool: SandboxPool) -> None:
    """A busy loop that ignores SIGXCPU is killed at the hard CPU limit and reported as cpu_limit. Its wall
    limit lets it use that CPU at the share the machine gives now (on a loaded 2-core machine the fixed 10 s
    wall came first: a timeout)."""
    job = make_job(
        """
        import signal
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
        def run_case(case):
            while True:
                pass
        """,
        cpu_seconds=1,
        wall_seconds=max(10.0, wall_for(1.0)),
    )
    result = pool.run(job)
    assert result.process_failure is not None and result.process_failure.code == "cpu_limit"
    assert "'c1'" in result.process_failure.message
    assert result.outputs["c1"].failure.code == "not_run"


def test_sleeper_is_timeout(pool: SandboxPool) -> None:
    """A child that ignores SIGTERM and sleeps is killed at the wall limit and reported as timeout."""
    job = make_job(
        """
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        def run_case(case):
            time.sleep(3600)
        """,
        wall_seconds=1,
    )
    result = pool.run(job)
    assert result.process_failure is not None and result.process_failure.code == "timeout"
    assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5


def test_memory_bomb_is_memory_limit(pool: SandboxPool) -> None:
    """Allocating without end hits the address-space limit and the case reports memory_limit."""
    job = make_job(
        """
        def run_case(case):
            hoard = []
            while True:
                hoard.append(bytearray(16 << 20))
        """,
        memory_mib=256,
    )
    result = pool.run(job)
    assert result.process_failure is None
    assert result.outputs["c1"].failure.code == "memory_limit"


def test_output_flood_is_output_limit(pool: SandboxPool) -> None:
    """Printing without end is stopped past 64x the output limit; kept output is capped; the pool survives."""
    job = make_job(
        """
        import sys
        def run_case(case):
            while True:
                sys.stdout.write("x" * 4096)
        """,
        output_kib=4,
    )
    result = pool.run(job)
    assert result.process_failure is not None and result.process_failure.code == "output_limit"
    assert len(result.stdout) < 5 * 1024 and "truncated" in result.stdout
    assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5


def test_early_exit_is_no_result(pool: SandboxPool) -> None:
    """os._exit(0) in the middle: reported cases are kept, later ones are not_run, the run is no_result."""
    job = make_job(
        """
        import os
        def run_case(case):
            if case["id"] == "c2":
                os._exit(0)
            return {"v": 1.0}
        """,
        [case("c1", "v"), case("c2", "v"), case("c3", "v")],
    )
    result = pool.run(job)
    assert result.process_failure is not None and result.process_failure.code == "no_result"
    assert result.outputs["c1"].status == "ok"
    assert {result.outputs[c].failure.code for c in ("c2", "c3")} == {"not_run"}


HOSTILE_FRAMES = {
    "garbage": "os.write(3, b'\\x00\\x00\\x00\\x05hello')",
    "oversized": "os.write(3, (200 << 20).to_bytes(4, 'big'))",
    "duplicate": (
        "f = json.dumps({'type': 'case', 'id': 'c1', 'status': 'ok', 'records': {}}).encode(); "
        "os.write(3, len(f).to_bytes(4, 'big') + f)"
    ),
    "nan": (
        'f = b\'{"type": "case", "id": "c1", "status": "ok", "records": {"v": NaN}}\'; '
        "os.write(3, len(f).to_bytes(4, 'big') + f)"
    ),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_FRAMES))
def test_forged_frames_are_protocol_violation(pool: SandboxPool, kind: str) -> None:
    """Garbage, oversized, duplicate or NaN frames written straight to fd 3 make a protocol_violation."""
    job = make_job(
        f"""
        import json, os
        def run_case(case):
            if case["id"] == "c2":
                {HOSTILE_FRAMES[kind]}
            return {{"v": 1.0}}
        """,
        [case("c1", "v"), case("c2", "v")],
    )
    result = pool.run(job)
    assert result.process_failure is not None and result.process_failure.code == "protocol_violation"


@pytest.mark.parametrize("action", ["os.close(3)", "os.dup2(1, 3)", "[os.close(fd) for fd in (0, 1, 2, 3)]"])
def test_tampering_with_fds_never_hangs(pool: SandboxPool, action: str) -> None:
    """Closing or redirecting fds 0-3 ends in a clear failure (not a hang) and the next job succeeds."""
    job = make_job(
        f"""
        import os
        {action}
        def run_case(case):
            return {{"v": 1.0}}
        """
    )
    result = pool.run(job)
    assert result.process_failure is not None
    assert result.process_failure.code in {"no_result", "protocol_violation"}
    assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5


def test_killed_worker_is_replaced(isolation: str) -> None:
    """A worker killed while idle is replaced and the next job succeeds; a job whose worker is killed mid-job
    (not the student's doing) is graded again on a fresh worker before anything is reported."""
    with SandboxPool(1, isolation, runner_file=FAKE_RUNNER) as pool:  # type: ignore[arg-type]
        assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5
        worker = pool._idle[0]
        os.killpg(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait()
        assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5
        sleeper = make_job("import time\ndef run_case(case):\n    time.sleep(1.5)\n    return {'v': 2.5}\n")
        victim = pool._idle[0]
        timer = threading.Timer(0.5, lambda: os.killpg(victim.proc.pid, signal.SIGKILL))
        timer.start()
        result = pool.run(sleeper)
        timer.join()
        assert float(_ok(result)) == 2.5  # graded again, on the third worker
        assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5
        assert pool.workers_started == 3


def test_map_twenty_jobs_on_two_workers(pool: SandboxPool) -> None:
    """map over 20 jobs yields 20 (job_id, result) pairs, each id once, all successful."""
    jobs = (make_job(TRIVIAL, job_id=f"s{i}") for i in range(20))
    seen = {job_id: float(_ok(result)) for job_id, result in pool.map(jobs)}
    assert seen == {f"s{i}": 1.5 for i in range(20)}


def test_worker_outlives_the_thread_that_needed_it(pool: SandboxPool) -> None:
    """A worker first used by a thread that has since ended still serves jobs (bwrap's die-with-parent
    follows the starting thread, so workers must not be started by short-lived map() lanes)."""
    first: list = []
    lane = threading.Thread(target=lambda: first.append(pool.run(make_job(TRIVIAL))))
    lane.start()
    lane.join()
    assert float(_ok(first[0])) == 1.5
    started = pool.workers_started
    assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5
    assert pool.workers_started == started  # the same idle worker served the second job: it was not killed


def test_a_map_of_last_jobs_lets_its_workers_exit_before_close(isolation: str) -> None:
    """`map(..., last=True)` (a check's one submission): once no job is left, the idle worker is told to
    exit while the caller still holds its result, and it exits without close(); a plain map keeps it."""
    with SandboxPool(1, isolation, runner_file=FAKE_RUNNER) as pool:  # type: ignore[arg-type]
        kept = dict(pool.map([make_job(TRIVIAL, job_id="a")]))
        assert float(_ok(kept["a"])) == 1.5
        worker = pool._idle[0]
        assert worker.alive  # the control: a plain map leaves its worker serving
        results = dict(pool.map([make_job(TRIVIAL, job_id="b")], last=True))
        assert float(_ok(results["b"])) == 1.5
        assert not pool._idle and pool._ending == [worker]
        assert worker.proc.wait(timeout=30) == 0  # it left on its own, its harness reaped
        assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5  # a later job starts a fresh worker
        assert pool.workers_started == 2
    assert not pool._ending


def test_a_map_builds_the_next_job_while_its_worker_runs_the_one_before(isolation: str) -> None:
    """The caller's generator (a batch reads, scans and compiles a submission in it) is asked for the next job
    while the only worker still runs the first, not after: the worker is not left idle while it is built.
    The order of results and every result are as before."""
    sleeper = "import time\ndef run_case(case):\n    time.sleep(2)\n    return {'v': 2.5}\n"
    asked: list[float] = []

    def jobs() -> Iterator[dict[str, Any]]:
        for job in (make_job(sleeper, job_id="slow", wall_seconds=30.0), make_job(TRIVIAL, job_id="next")):
            asked.append(time.monotonic())
            yield job

    with SandboxPool(1, isolation, runner_file=FAKE_RUNNER) as pool:  # type: ignore[arg-type]
        results = list(pool.map(jobs()))
    assert [job_id for job_id, _ in results] == ["slow", "next"]
    assert [float(_ok(r)) for _, r in results] == [2.5, 1.5]
    assert asked[1] - asked[0] < 1.0  # before: 2 s and more, the first job's run


def test_an_error_of_the_job_generator_comes_after_the_results_of_the_jobs_before_it(isolation: str) -> None:
    """The caller's generator fails on its fourth job while two jobs run and a third waits for a lane: the
    three come back, then the generator's error is raised, and the pool serves on. Raised at once (review
    of s22-speed, 6), it had the caller cut short the runs under way and lose the jobs already built."""
    sleeper = "import time\ndef run_case(case):\n    time.sleep(1)\n    return {'v': 2.5}\n"

    def jobs() -> Iterator[dict[str, Any]]:
        for n in range(3):
            yield make_job(sleeper, job_id=f"s{n}", wall_seconds=30.0)
        raise RuntimeError("the fourth submission could not be built")

    got: list[tuple[str, float]] = []
    with SandboxPool(2, isolation, runner_file=FAKE_RUNNER) as pool:  # type: ignore[arg-type]
        with pytest.raises(RuntimeError, match="fourth submission"):
            for job_id, result in pool.map(jobs()):
                got.append((job_id, float(_ok(result))))
        assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5
    assert sorted(got) == [("s0", 2.5), ("s1", 2.5), ("s2", 2.5)]


def _threads_back_to(count: int) -> bool:
    """Whether the threads a map started have all ended within a few seconds (a hang guard, no timing)."""
    deadline = time.monotonic() + 10
    while threading.active_count() > count and time.monotonic() < deadline:
        time.sleep(0.05)
    return threading.active_count() <= count


def test_closing_a_map_early_does_not_wait_for_the_job_being_built(isolation: str) -> None:
    """The caller stops reading after the first result while the generator is still building the next job
    (a large submission read, or a lock it waits for): the map closes at once, and the build, once it ends,
    runs nothing and leaves. Before, closing waited for that build (review of s22-speed, 7 and 10)."""
    release = threading.Event()
    built: list[str] = []

    def jobs() -> Iterator[dict[str, Any]]:
        yield make_job(TRIVIAL, job_id="a")
        release.wait(30)
        built.append("b")
        yield make_job(TRIVIAL, job_id="b")
        built.append("after b")

    with SandboxPool(1, isolation, runner_file=FAKE_RUNNER) as pool:  # type: ignore[arg-type]
        threads = threading.active_count()
        results = pool.map(jobs())
        assert next(results)[0] == "a"
        results.close()
        # ordered, not timed: close returned while the build still waited for `release` (before, it waited
        # the build's 30 s out, and b was built by then)
        assert built == []
        release.set()
        assert _threads_back_to(threads)  # the builder left once its build ended
        assert built == ["b"]  # b was built, never sent on, and nothing after it asked for
        assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5


def test_fresh_mode_starts_a_worker_per_job(isolation: str) -> None:
    """fresh=True starts one worker per job (the benchmark baseline) and still returns every result."""
    with SandboxPool(2, isolation, fresh=True, runner_file=FAKE_RUNNER) as pool:  # type: ignore[arg-type]
        results = dict(pool.map(make_job(TRIVIAL, job_id=f"f{i}") for i in range(3)))
        assert len(results) == 3 and pool.workers_started == 3


SCAN = """
import gc, os

NEEDLE = "EXPECTED" + "-VALUE-"

def _strings(obj):
    if isinstance(obj, dict):
        yield from (x for pair in obj.items() for x in pair)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        yield from obj
    else:  # an instance's attributes too (3.11 keeps them inline, with no dict for gc to list)
        try:
            yield from vars(obj).values()
        except TypeError:
            pass

def run_case(case):
    gc.unfreeze()  # the worker freezes what it holds before forking: a hostile child thaws it to see it all
    try:
        objects = gc.get_objects()
    except Exception:  # the audit hook refuses the walk (session 22): nothing the worker holds is listed
        objects, refused = [], True
    else:
        refused = False
    found = any(
        isinstance(s, (str, bytes, bytearray)) and s != NEEDLE
        and (NEEDLE in s if isinstance(s, str) else NEEDLE.encode() in s)
        for obj in objects for s in _strings(obj)
    )
    try:
        with open(f"/proc/{os.getppid()}/mem", "rb") as mem:
            found = found or NEEDLE.encode() in mem.read(1 << 20)
    except OSError:
        pass
    return {"found": found, "refused": refused}
"""


@pytest.fixture(scope="module")
def hook_off_pool(isolation: str) -> Iterator[SandboxPool]:
    """A worker whose student processes add no audit hook (a copy of the runtime, tests/runtime_variants.py):
    gc's walk is allowed there, so the memory probes below have a positive control that can fail."""
    yield from pool_without({"audit.py": NO_AUDIT}, isolation, runner_file=FAKE_RUNNER)


def test_worker_memory_never_holds_parent_secrets(pool: SandboxPool, hook_off_pool: SandboxPool) -> None:
    """A hostile child walking gc and the worker's /proc memory finds no marker the parent holds in memory.

    Positive control first: with the walk allowed (the audit hook off), a marker the worker does hold (the
    current job id) is found by the same scan; with the hook on, the walk is refused.
    """
    # Lives only in this process, like expected values; the local keeps it alive until the test returns.
    secret = ["EXPECTED-VALUE-" + os.urandom(8).hex()]
    # Since session 22 the student process's audit hook refuses the gc walk, which found the control's job
    # id until then: with the hook on, the scan finds not even that, so the proof is the walk with it off.
    control = hook_off_pool.run(
        make_job(SCAN, [case("c1", "found", "refused")], job_id="EXPECTED-VALUE-control")
    )
    assert control.outputs["c1"].records == {"found": True, "refused": False}, control
    walked = hook_off_pool.run(make_job(SCAN, [case("c1", "found", "refused")], job_id="innocent"))
    assert walked.outputs["c1"].records == {"found": False, "refused": False}, (walked, secret)
    refused = pool.run(make_job(SCAN, [case("c1", "found", "refused")], job_id="EXPECTED-VALUE-control"))
    assert refused.outputs["c1"].records == {"found": False, "refused": True}, refused
    result = pool.run(make_job(SCAN, [case("c1", "found", "refused")], job_id="innocent"))
    assert result.outputs["c1"].records["found"] is False, (result, secret)


OUTPUT_SCAN = SCAN.replace('NEEDLE = "EXPECTED" + "-VALUE-"', 'NEEDLE = "PRINTED" + "-BY-"').replace(
    "def run_case(case):",
    """def run_case(case):
    if case["id"] == "print":
        print(NEEDLE + "A-STUDENT")
        return {"found": False}
    return _scan(case)

def _scan(case):""",
)


def _printed_scans(p: SandboxPool, workers: int) -> None:
    """A student prints a marker; neither a later process of the same job nor the next jobs find it."""
    job = make_job(OUTPUT_SCAN, [case("print", "found")], job_id="printer")
    job["harness"]["phases"].append({"name": "hidden", "cases": [case("scan", "found")]})
    first = p.run(job)
    assert "PRINTED-BY-A-STUDENT" in first.stdout
    assert first.outputs["scan"].records["found"] is False, first
    for n in range(workers):
        later = p.run(make_job(OUTPUT_SCAN, [case("scan", "found")], job_id=f"later{n}"))
        assert later.outputs["scan"].records["found"] is False, later


def test_capture_buffers_never_reach_another_student_process(
    pool: SandboxPool, hook_off_pool: SandboxPool
) -> None:
    """What a student printed stays in the worker's reused capture buffers, and no other student process
    finds it: not a later process of the same job (the hidden phase: it overwrites, in its inherited copy,
    what the worker holds of the job's earlier processes before running, `worker._scrub`; before that, it
    found the text), nor the next job's (the buffers are zeroed after each reply).

    Control: the same scan of the inherited memory finds a marker the worker does hold when it forks (the
    job's id) with the walk allowed (the audit hook off); with the hook on (session 22) the walk is refused,
    so the scans are made both ways.
    """
    control = hook_off_pool.run(
        make_job(OUTPUT_SCAN, [case("scan", "found", "refused")], job_id="PRINTED-BY-control")
    )
    assert control.outputs["scan"].records == {"found": True, "refused": False}, control
    _printed_scans(hook_off_pool, 1)
    refused = pool.run(make_job(OUTPUT_SCAN, [case("scan", "found", "refused")], job_id="PRINTED-BY-control"))
    assert refused.outputs["scan"].records == {"found": False, "refused": True}, refused
    _printed_scans(pool, 2)  # both workers of the pool


def test_auto_falls_back_to_rlimits_when_bwrap_cannot_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed but unusable bwrap (its first worker cannot start) gives the rlimits fallback, loudly;
    asking for bwrap explicitly is an error instead."""
    import grader.sandbox.pool as pool_module

    monkeypatch.setattr(pool_module, "BWRAP", "/bin/true")  # "installed"
    monkeypatch.setattr(pool_module, "bwrap_command", lambda *a, **k: ["/bin/false"])  # but never starts
    with SandboxPool(1, "auto", runner_file=FAKE_RUNNER) as pool:
        assert pool.isolation == ("rlimits-root-dropped" if os.geteuid() == 0 else "rlimits-unprivileged")
        assert any("unusable" in note for note in pool.notes)
        assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5
    with pytest.raises(pool_module.SandboxError, match="requested"):
        SandboxPool(1, "bwrap", runner_file=FAKE_RUNNER)


@pytest.mark.parametrize(("code", "falls_back"), [("ENOMEM", False), ("EAGAIN", False), ("ENOEXEC", True)])
def test_auto_never_falls_back_for_a_machine_out_of_memory_or_processes(
    monkeypatch: pytest.MonkeyPatch, code: str, falls_back: bool
) -> None:
    """`auto` whose first bwrap worker's Popen fails for want of memory or processes (ENOMEM, EAGAIN, maybe
    gone a second later) stops, saying so: never a pool confined by rlimits only, noted as "bwrap is installed
    but unusable here". A bwrap that is no program this machine runs (ENOEXEC) is unusable: the fallback.
    Control: before, ENOMEM and EAGAIN gave the fallback too."""
    import errno
    import subprocess

    import grader.sandbox.pool as pool_module

    real = subprocess.Popen

    def popen(argv: list[str], *args: Any, **kwargs: Any) -> Any:
        if argv[0] == "/bin/true":  # bwrap's worker; the fallback's starts as it would
            number = getattr(errno, code)
            raise OSError(number, os.strerror(number))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(pool_module, "BWRAP", "/bin/true")  # "installed"
    monkeypatch.setattr(pool_module, "bwrap_command", lambda *a, **k: ["/bin/true"])
    monkeypatch.setattr(pool_module.subprocess, "Popen", popen)
    if falls_back:
        with SandboxPool(1, "auto", runner_file=FAKE_RUNNER) as pool:
            assert pool.isolation != "bwrap" and any("unusable" in note for note in pool.notes)
        return
    with pytest.raises(pool_module.MachineError, match="could not start") as raised:
        SandboxPool(1, "auto", runner_file=FAKE_RUNNER)
    assert not raised.value.config and "unusable" not in str(raised.value)


@pytest.mark.parametrize("mib", [15, 1 << 21])
def test_a_scratch_size_out_of_range_is_refused_before_any_worker(mib: int) -> None:
    """The pool refuses a scratch size the worker would refuse, with the range, before starting anything."""
    from grader.sandbox.pool import SandboxError

    with pytest.raises(SandboxError, match="16 to 1048576 MiB"):
        SandboxPool(1, "rlimits", runner_file=FAKE_RUNNER, scratch_mib=mib)


def test_fallback_scratch_is_writable_only_by_its_worker() -> None:
    """After a job: the fallback's scratch and pylib/ belong to the grader's user, the worker's folder to the
    worker's uid (run as root: work-UID/, UID of the pool's block, and no unused work/; else work/), and no
    group or other user may write any of them."""
    from grader.sandbox.layout import SANDBOX_UIDS

    with SandboxPool(1, "rlimits", runner_file=FAKE_RUNNER) as pool:
        assert float(_ok(pool.run(make_job(TRIVIAL)))) == 1.5
        assert pool._scratch is not None
        # the scratch's `owner` file says whose it is (grader/sandbox/scratch naming: stale_scratch reads it)
        folders = sorted(set(os.listdir(pool._scratch)) - {"pylib", "owner"})
        if os.geteuid() == 0:
            assert len(folders) == 1 and folders[0].startswith("work-"), folders
            worker_uid = int(folders[0].removeprefix("work-"))
            assert worker_uid in SANDBOX_UIDS
        else:
            assert folders == ["work"]
            worker_uid = os.geteuid()
        mine = os.geteuid()
        owners = {pool._scratch: mine, "pylib": mine, "owner": mine, folders[0]: worker_uid}
        for name, uid in owners.items():
            st = os.lstat(os.path.join(pool._scratch, name))
            assert (st.st_uid, st.st_mode & 0o022) == (uid, 0), name
        assert os.lstat(pool._scratch).st_mode & 0o007 == 0  # no other user may even enter


def test_a_harness_bug_is_a_grader_error_and_the_worker_serves_on(isolation: str) -> None:
    """A bug of the harness's own ends its job as `grader_error`, worded by the parent ("not your code's
    fault", the traceback for staff), with no retry; the same worker then grades the next job normally (the
    control: no grader_error without the bug)."""
    from grader.fault import GRADER_FAILED

    with SandboxPool(1, isolation, runner_file=FAKE_RUNNER) as pool:  # type: ignore[arg-type]
        buggy = make_job(TRIVIAL)
        buggy["harness"]["harness_bug"] = True
        result = pool.run(buggy)
        failure = result.process_failure
        assert failure is not None and failure.code == "grader_error", failure
        assert failure.message == GRADER_FAILED and "a bug of the harness's own" in failure.detail
        assert pool.workers_started == 1  # neither retried nor replaced
        after = pool.run(make_job(TRIVIAL))
        assert after.process_failure is None and float(_ok(after)) == 1.5
        assert pool.workers_started == 1


def test_every_worker_hashes_a_string_alike(isolation: str) -> None:
    """DESIGN.md rule 7 (the same submission, the same report): a student's message or output listing a set
    of names reads the same in every run. Two pools, two fresh workers: the same hash of a string in each.
    Before, each worker drew its own hash seed (isolated mode ignored PYTHONHASHSEED): two different values
    but once in a million runs."""
    job = make_job('def run_case(case):\n    return {"v": float(hash("backprop") % 1000003)}\n')
    seen = []
    for _ in range(2):
        with SandboxPool(1, isolation, runner_file=FAKE_RUNNER) as fresh:  # type: ignore[arg-type]
            seen.append(float(_ok(fresh.run(job))))
    assert seen[0] == seen[1]


def test_a_harness_that_cannot_set_itself_up_says_why(isolation: str, tmp_path) -> None:
    """A harness that fails before it is ready (here its module raises on import; in the field, Landlock
    refused with EMFILE) tells its worker why, and the pool's error quotes it with the harness's traceback:
    before, the harness died mute and a TA read only "the harness did not start: None"."""
    from grader.sandbox.pool import SandboxError

    folder = tmp_path / "harness"  # readable by the workers' uid 65534 when run as root
    folder.mkdir()
    broken = folder / "broken_harness.py"
    broken.write_text('raise OSError("this harness cannot start here")\n')
    for path, mode in ((tmp_path, 0o711), (folder, 0o755), (broken, 0o644)):
        path.chmod(mode)
    with pytest.raises(SandboxError) as raised:
        SandboxPool(1, isolation, runner_file=broken)  # type: ignore[arg-type]
    message = str(raised.value)
    assert "harness process could not set itself up (OSError: this harness cannot start here)" in message
    assert '\n    raise OSError("this harness cannot start here")\n' in message  # its traceback


def _limit(pid: int, name: str) -> tuple[str, str]:
    with open(f"/proc/{pid}/limits") as f:
        line = next(x for x in f if x.startswith(name))
    soft, hard = line[len(name) :].split()[:2]
    return soft, hard


def _seccomp(pid: int) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Seccomp:"):
            return line.split()[1]
    return ""


def test_the_harness_may_queue_64_signals(pool: SandboxPool) -> None:
    """Read from outside: the idle worker's harness (its one filtered process without children: no job, so
    no student process; its PID namespace maker is no leaf's filter) has RLIMIT_SIGPENDING 64 (confine.py,
    limits.SIGPENDING_LIMIT), not the machine's (96,367 here), which under bubblewrap counts against root's
    own quota on the host. Control: the worker itself, which sets no such limit, keeps the machine's."""
    worker = pool._acquire()
    try:
        below = descendants(worker.proc.pid)
        leaves = [p for p in below if not descendants(p) and _seccomp(p) == "2"]
        assert len(leaves) == 1, (below, leaves)
        assert _limit(leaves[0], "Max pending signals") == ("64", "64")
        assert _limit(worker.proc.pid, "Max pending signals")[0] != "64"
    finally:
        pool._release(worker)


def test_the_default_jobs_are_the_cpus_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no jobs given, one per CPU of the process's affinity (taskset, a cpuset), as `--jobs` is capped:
    the pool took os.cpu_count(), the machine's (review of s25-huntin, finding 3). Control: the affinity
    below the machine's count is what is taken."""
    from grader import settings

    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(settings, "usable_cpus", lambda: 3)
    with SandboxPool(jobs=None, isolation="none") as pool:
        assert pool.jobs == 3
