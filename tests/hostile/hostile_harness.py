"""Support for the hostile-submission tests: samples, their honest twins, grading, and breach detectors.

Student code never runs in this process: samples are only read as text here and graded through the sandbox.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import math
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.model import Case, Limits, RunResult

REPO = Path(__file__).resolve().parents[2]
HOSTILE_DIR = REPO / "submissions" / "hostile"
# The isolation modes every sandboxed hostile test runs in (the `pool` fixture's, and a subprocess's).
ISOLATIONS = [
    pytest.param("rlimits", id="rlimits"),
    pytest.param(
        "bwrap",
        id="bwrap",
        marks=[
            pytest.mark.bwrap,
            pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed"),
        ],
    ),
]
EXPECTED = json.loads((HOSTILE_DIR / "expected.json").read_text())
SAMPLES: dict[str, dict[str, Any]] = EXPECTED["samples"]
SCORE_RULES = ("honest", "at_most_honest", "zero")

# Tight limits so that the suite stays fast: every limit-hitting sample costs at most a few seconds.
TEST_LIMITS = Limits(wall_seconds=3.0, cpu_seconds=2.0, memory_mib=256, output_kib=256)
# Containment, not performance: a sample that escaped the limits would hang for 10**6 s or loop forever.
# The margin covers pool start-up, a replaced worker and a loaded 2-core machine.
WALL_MARGIN_SECONDS = 25.0
SEED = 20240611
BREACH = "HOSTILE-BREACH"
ATTACK_START, ATTACK_END = "# >>> attack", "# <<< attack"


BAIT_PREFIX = "grader-hostile-bait-"  # the privileged samples try /tmp/grader-hostile-bait-0 ... -63
BAIT_SLOTS = 64


class Bait:
    """What the privileged samples reach for outside the sandbox: a marker file to chmod/chown/setxattr and a
    UNIX-socket service (it only counts connections and answers a token; it never reads what it is sent).
    Made readable and connectable by anybody, so that file permissions are never what stops a sample; at a
    numbered path the samples try by name (Landlock lets a process reach a path it may not list)."""

    def __init__(self, root: Path) -> None:
        self.dir = self._claim(root)
        self.marker = self.dir / "marker.txt"
        self.marker.write_text("planted by the test\n")
        self.marker.chmod(0o644)
        self.socket_path = self.dir / "service.sock"
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(self.socket_path))
        self.socket_path.chmod(0o666)
        self._server.listen(8)
        self._server.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @staticmethod
    def _claim(root: Path) -> Path:
        """The first free numbered slot (mkdir is atomic: concurrent sessions never share one)."""
        for slot in range(BAIT_SLOTS):
            path = root / f"{BAIT_PREFIX}{slot}"
            try:
                path.mkdir(mode=0o755)
            except FileExistsError:
                continue
            path.chmod(0o755)
            return path
        raise RuntimeError(f"all {BAIT_SLOTS} bait slots under {root} are taken")

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(b"bait-token\n")

    def marker_state(self) -> tuple[int, int, int, tuple[str, ...], str]:
        st = self.marker.stat()
        return st.st_mode, st.st_uid, st.st_gid, tuple(os.listxattr(self.marker)), self.marker.read_text()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._server.close()
        shutil.rmtree(self.dir, ignore_errors=True)


SYSV_KEYS = {"shm": 0x68737431, "msg": 0x68737432}  # the keys sysv_ipc_share.py uses


def remove_host_sysv_objects() -> None:
    """Remove, from this (the host's) IPC namespace, whatever sysv_ipc_share.py may have left there."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    shm = libc.shmget(SYSV_KEYS["shm"], 0, 0)
    if shm >= 0:
        libc.shmctl(shm, 0, None)  # IPC_RMID
    msg = libc.msgget(SYSV_KEYS["msg"], 0)
    if msg >= 0:
        libc.msgctl(msg, 0, None)


def read_sample(path: Path) -> str:
    """A sample's text, its bytes that are no UTF-8 (a comment in another encoding, which Python compiles:
    scan_comment_not_utf8.py) kept as surrogate escapes, so that `as_bytes` gives them back unchanged."""
    return path.read_bytes().decode("utf-8", "surrogateescape")


def as_bytes(source: str) -> bytes:
    return source.encode("utf-8", "surrogateescape")


def compilable(source: str) -> str | bytes:
    """What compile() reads as the file: its text, or its bytes where some are no UTF-8 (compiled from text,
    a coding line is not read: coding_cookie_binary_codec.py's rot13 is then no error)."""
    return as_bytes(source) if source != source.encode("utf-8", "replace").decode("utf-8") else source


def honest_twin(source: str) -> str:
    """The sample without its attack blocks: the same student's honest math (correct or TODO)."""
    kept, inside = [], False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(ATTACK_START):
            inside = True
        elif stripped == ATTACK_END:
            inside = False
        elif not inside:
            kept.append(line)
    return "".join(kept)


def attack_blocks(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip().startswith(ATTACK_START))


def tight(assignment: Any) -> Any:
    return dataclasses.replace(assignment, limits=TEST_LIMITS)


@dataclass(frozen=True)
class Plan:
    """The cases of the test run, built once: expected values stay here, in the trusted parent."""

    assignment: Any
    cases: tuple[Case, ...]
    run_plan: Any


def make_plan(assignment_id: str) -> Plan:
    """The shipped assignment's cases; until its fixtures exist, a small hand-written MiniFlow plan."""
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan

    if assignment_id == "miniflow" and not (REPO / "fixtures" / "miniflow" / "manifest.json").exists():
        assignment, cases = _hand_written_miniflow()  # fixtures/miniflow/ not written yet
    else:
        assignment = tight(load_assignment(assignment_id))
        cases = tuple(cases_for_run(assignment, SEED))
    return Plan(assignment, cases, RunPlan.create(assignment, SEED, cases))


def _record(key: str, grad_of: str, via: str | None = None) -> dict[str, Any]:
    step = {"do": "record", "key": key, "grad_of": grad_of}
    return {**step, "via": via} if via else step


def _hand_written_miniflow() -> tuple[Any, tuple[Case, ...]]:
    """Two cases with independently known answers: the FACTS.md quiz (documented) and a Linear unit case on
    seeded inputs (hand-derived: X @ W + b, G @ W.T, X.T @ G, G summed over the batch)."""
    from grader.assignments import Assignment
    from grader.model import Tolerance

    x = np.array([[-1.0, -2.0], [-1.0, -2.0]])
    w, b, y = np.array([[2.0], [3.0]]), np.array([-3.0]), np.array([1.0, 2.0])
    a = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    quiz = Case(
        id="quiz-documented",
        name="Sigmoid backward quiz",
        kind="graph",
        target=None,
        inputs={"X": x, "W": w, "b": b, "y": y},
        steps=(
            {"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"},
            {"do": "apply", "op": "Sigmoid", "args": ["f"], "out": "a"},
            {"do": "apply", "op": "MSE", "args": ["y", "a"], "out": "cost"},
            {"do": "backward", "of": "cost"},
            {"do": "record", "key": "cost", "value_of": "cost"},
            _record("dX", "X"),
            _record("dy", "y"),
            _record("dW", "W"),
            _record("db", "b"),
        ),
        expected={
            "cost": np.array(np.mean((y.reshape(-1, 1) - a) ** 2)),
            "dX": np.array([[-3.34017280e-05, -5.01025919e-05], [-6.68040138e-05, -1.00206021e-04]]),
            "dy": np.array([[0.9999833], [1.9999833]]),
            "dW": np.array([[5.01028709e-05], [1.00205742e-04]]),
            "db": np.array([-5.01028709e-05]),
        },
        tolerance=Tolerance(rtol=1e-5, atol=1e-9),  # the documented values carry 9 digits
        points=4.0,
    )
    rng = np.random.default_rng(SEED)
    lx, lw, lb, lg = (rng.normal(size=s) for s in ((4, 3), (3, 2), (2,), (4, 2)))
    linear = Case(
        id="gen-linear-unit-1",
        name="Linear unit (generated)",
        kind="unit",
        target="Linear",
        inputs={"X": lx, "W": lw, "b": lb, "G": lg},
        steps=(
            {"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"},
            {"do": "backward_local", "of": "f", "upstream": "G"},
            {"do": "record", "key": "value", "value_of": "f"},
            _record("dX", "X", "f"),
            _record("dW", "W", "f"),
            _record("db", "b", "f"),
        ),
        expected={"value": lx @ lw + lb, "dX": lg @ lw.T, "dW": lx.T @ lg, "db": lg.sum(axis=0)},
        tolerance=Tolerance(),
        points=4.0,
        visibility="hidden",
        generated=True,
    )
    assignment = Assignment(
        id="miniflow",
        title="MiniFlow (hand-written test plan)",
        family="miniflow",
        modules=("miniflow.py",),
        required=("Input", "Linear", "Sigmoid", "MSE", "topological_sort", "forward_and_backward"),
        optional=("sgd_update",),
        support_files=(),
        cases=(),
        generated=(),
        limits=TEST_LIMITS,
        tolerance=Tolerance(),
        forbidden_imports=("torch", "tensorflow", "jax", "autograd", "keras"),
        root=REPO / "fixtures" / "miniflow",
    )
    return assignment, (quiz, linear)


def load(path: Path) -> Any:
    from grader.loaders import load_submission

    return load_submission(path)


@dataclass(frozen=True)
class Graded:
    run: RunResult
    report: Any
    seconds: float
    job: Mapping[str, Any]

    @property
    def output(self) -> str:
        return self.run.stdout + "\n" + self.run.stderr

    def failure_codes(self) -> set[str]:
        """Why the run or its cases failed; `not_run` is only the consequence of an earlier failure."""
        codes = {o.failure.code for o in self.run.outputs.values() if o.failure is not None}
        if self.run.process_failure is not None:
            codes.add(self.run.process_failure.code)
        return codes - {"not_run"}

    def case_status(self, case_id: str) -> str:
        return next(c.status for c in self.report.cases if c.case_id == case_id)

    def case_points(self, case_id: str) -> float:
        return next(c.points for c in self.report.cases if c.case_id == case_id)


def grade(
    pool: Any,
    plan: Plan,
    path: Path,
    *,
    wall_seconds: float | None = None,
    limits: Mapping[str, float] | None = None,
) -> Graded:
    """`path` graded through `pool` with the tests' tight limits; `wall_seconds` for a test whose claim is
    about no time at all, its wall limit scaled to the machine's load (tests/calibration.py); `limits` for
    other values of some limits (LIMIT_BOUND)."""
    from grader.judge import grade as judge
    from grader.pipeline import build_job

    submission = load(path)
    job = build_job(plan.run_plan, submission)
    assert job["limits"] == TEST_LIMITS.to_dict(), "the tests' tight limits must reach the job"
    if wall_seconds is not None:
        job = {**job, "limits": {**job["limits"], "wall_seconds": wall_seconds}}
    if limits is not None:
        job = {**job, "limits": {**job["limits"], **limits}}
    started = time.monotonic()
    run = pool.run(job)
    seconds = time.monotonic() - started
    meta = {
        "grader_version": "test",
        "assignment": plan.assignment,
        "submission_id": submission.id,
        "submission_path": str(path),
        "sha256": getattr(submission, "sha256", None),
        "files": sorted(submission.files),
        "seed": SEED,
        "wall_seconds": seconds,
    }
    return Graded(run, judge(plan.cases, run, meta), seconds, job)


# The samples that end only at a limit (expected.json's "slow": a loop or a sleep that never ends): that a
# limit stops them, the grader goes on and scores them no higher than their twins holds at any limit, so they
# run under half of TEST_LIMITS' (each ran to 3 s of wall clock a phase: 7 s for infinite_loop_forward).
# CPU in whole seconds, as RLIMIT_CPU counts them (grader/inside/confine.py), and below the wall, as in
# TEST_LIMITS, so that a loop that does not ignore SIGXCPU still meets its CPU limit before the wall clock.
LIMIT_BOUND = {"wall_seconds": 1.5, "cpu_seconds": 1.0}


@dataclass(frozen=True)
class Swept:
    """A hostile sample graded once on one pool, and what happened around that grading."""

    graded: Graded
    escaped: tuple[str, ...]  # files outside the sandbox that changed (undone since)
    workers_started: int  # started for it (a retry, a lost worker), not the one an earlier job left owed
    worker_kept: bool  # the worker that served it waits for the next job: not retired, not lost


class Sweep:
    """Each hostile sample graded once a pool (isolation mode) and kept: the containment sweep grades them
    all, and the tests that check something else of the same grading (its wording, its blame, its hidden
    inputs) read that record rather than grade the sample again the same way (0.5 to 7 s each, both modes).
    Whichever test asks first grades it, watching the files outside the sandbox (test_containment.py) and
    the pool's workers (test_fault_wording.py)."""

    def __init__(self, plan: Plan, secret_dir: Path) -> None:
        self.plan, self.secret_dir = plan, secret_dir
        self._swept: dict[tuple[str, str], Swept] = {}

    def __call__(self, pool: Any, name: str) -> Swept:
        key = (pool.isolation, name)
        if key not in self._swept:
            self._swept[key] = self._grade(pool, name)
        return self._swept[key]

    def _grade(self, pool: Any, name: str) -> Swept:
        sample = SAMPLES[name]
        wanted = self.plan.assignment.id
        assert sample["assignment"] == wanted, f"{name} is a sample of {sample['assignment']}, not {wanted}"
        before = snapshot(watched_paths(sample, self.secret_dir))
        # The pool starts workers lazily: an earlier sample whose worker was retired has the next grading
        # start one, which is not this sample's doing (tests/sandbox/test_pool.py reads `_idle` too).
        started = pool.workers_started + (0 if _idle_worker(pool) else 1)
        try:
            graded = grade(
                pool, self.plan, HOSTILE_DIR / name, limits=LIMIT_BOUND if sample.get("slow") else None
            )
        finally:
            escaped = changed(before)
            if escaped:
                undo(before, keep=[self.secret_dir])
        return Swept(graded, tuple(escaped), pool.workers_started - started, _idle_worker(pool))


def _idle_worker(pool: Any) -> bool:
    return any(worker.alive for worker in pool._idle)


def job_text(job: Mapping[str, Any]) -> str:
    """Everything the sandbox receives, decoded: used to prove expected values are not in it."""
    files = {k: base64.b64decode(v).decode("utf-8", "replace") for k, v in job.get("files", {}).items()}
    return json.dumps({**job, "files": files}, sort_keys=True)


def leaked_expected_values(cases: Iterable[Case], text: str) -> list[str]:
    """Distinctive expected numbers (generated cases: nobody can know them in advance) that appear in `text`.

    Only numbers with many significant digits that are not also inputs count: those cannot appear by chance.
    """
    leaks = []
    for case in cases:
        if not case.generated:
            continue
        inputs = {float(x) for a in case.inputs.values() for x in np.ravel(a)}
        for key, value in case.expected.items():
            if not isinstance(value, np.ndarray):
                continue
            for x in np.ravel(value):
                x = float(x)
                if not math.isfinite(x) or x in inputs or len(repr(abs(x))) < 12:
                    continue
                if repr(x) in text:
                    leaks.append(f"{case.id}:{key}={x!r}")
    return leaks


@dataclass(frozen=True)
class FileState:
    exists: bool
    digest: str


def _state(path: Path) -> FileState:
    try:
        return (
            FileState(True, hashlib.sha256(path.read_bytes()).hexdigest())
            if path.is_file()
            else (FileState(True, "dir:" + ",".join(sorted(os.listdir(path)))))
        )
    except FileNotFoundError:
        return FileState(False, "")
    except OSError as err:  # unreadable: still comparable
        return FileState(True, f"error:{err.errno}")


def watched_paths(sample: Mapping[str, Any], secret_dir: Path) -> list[Path]:
    home = Path(os.path.expanduser("~"))
    paths = [Path(os.path.expanduser(t)) for t in sample.get("targets", ())]
    paths += [
        Path("/autograder"),
        Path("/tmp/results.json"),
        Path("/tmp/report.json"),
        home / "results.json",
        REPO / "report.json",
        REPO / "results.json",
        REPO / "submissions" / "results.json",
        HOSTILE_DIR,
        secret_dir,
    ]
    return sorted(set(paths))


def snapshot(paths: Iterable[Path]) -> dict[Path, FileState]:
    return {p: _state(p) for p in paths}


def changed(before: Mapping[Path, FileState]) -> list[str]:
    return [f"{p}: {before[p]} -> {_state(p)}" for p in before if _state(p) != before[p]]


def undo(before: Mapping[Path, FileState], keep: Iterable[Path] = ()) -> None:
    """Remove what an escaped sample created, so that one breach does not poison the next test."""
    for p, state in before.items():
        if not state.exists and p.exists():
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        elif p.is_dir() and p in set(keep):
            for child in p.iterdir():
                if child.name != "sentinel.txt":
                    shutil.rmtree(child) if child.is_dir() else child.unlink()


def texts(obj: Any) -> list[str]:
    """Every string in a report (a dict of lists of dicts ...), for the checks of what a student reads."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in texts(v)]
    if isinstance(obj, list | tuple):
        return [t for v in obj for t in texts(v)]
    return []
