"""The grading path (`grader check`, `grade`, `batch`) never imports torch (DESIGN.md rule 5), and `check`
imports nothing it does not use (issue 13: a student waits for every import).

The real command runs under `python -X importtime`, which logs every module the process imports, first to
last (exit included), on stderr; torch must not be among them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from batch.students import MINIFLOW_BROKEN, MINIFLOW_CORRECT, write_class

from grader.sandbox.layout import host_layout

CHECKOUT = Path(__file__).resolve().parents[1]


def _imported(
    argv: list[str], cwd: Path, cache: Path | None = None
) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["PYTHONPATH"] = str(CHECKOUT)  # run from tmp_path, `-m grader` would import the installed grader
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=env,
    )
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            modules.add(line.rsplit("|", 1)[1].strip())
    return modules, done


def _torch_modules(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "torch" or m.startswith("torch.")}


@pytest.mark.parametrize("command", ["check", "grade", "batch"])
def test_the_grading_commands_never_import_torch(tmp_path: Path, command: str) -> None:
    """check, grade and batch run to completion without importing torch or any torch submodule, while
    importing what the grading path does need (numpy, the pipeline): the log is complete."""
    directory = write_class(
        tmp_path / "class", {"ann": MINIFLOW_CORRECT, "bob": MINIFLOW_BROKEN["mse_sign_flipped"]}
    )
    argv = {
        "check": ["-m", "grader", "check", str(directory / "ann.py")],
        "grade": [
            "-m",
            "grader",
            "grade",
            "miniflow",
            str(directory / "bob.py"),
            "--out",
            str(tmp_path / "g"),
            "--format",
            "json,gradescope,junit",
        ],
        "batch": [
            "-m",
            "grader",
            "batch",
            "miniflow",
            str(directory),
            "--out",
            str(tmp_path / "b"),
            "--jobs",
            "2",
        ],
    }[command]
    modules, done = _imported(argv, tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert {"numpy", "grader.pipeline", "grader.judge"} <= modules
    assert _torch_modules(modules) == set()


@pytest.mark.torch
def test_the_import_log_does_see_torch_when_it_is_imported(tmp_path: Path) -> None:
    """Negative control: the same log, on a process that imports torch, shows it."""
    modules, done = _imported(["-c", "import torch"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "torch" in _torch_modules(modules)


# What `check` never uses: the schema validator (once the shipped files are known valid), the staff-only
# static scan, the class files and the Gradescope/JUnit writers, the in-sandbox worker's confinement code, and
# the TOML parser when there is no config file.
NOT_FOR_CHECK = (
    "jsonschema",
    "grader.flags.scan",
    "grader.reports.gradebook",
    "grader.reports.junit",
    "grader.reports.gradescope",
    "grader.inside.worker",
    "tomllib",
)


def test_check_imports_only_what_it_uses(tmp_path: Path) -> None:
    """A second `grader check` (the shipped files' validation remembered in the cache from the first) imports
    none of NOT_FOR_CHECK; the first does import jsonschema (it validates), and `batch`, which writes the
    class files and scans for flags, imports all but the worker and tomllib: the log sees them when used."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    cache = tmp_path / "cache"
    check = ["-m", "grader", "check", str(directory / "ann.py")]
    first, done = _imported(check, tmp_path, cache)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "jsonschema" in first
    second, done = _imported(check, tmp_path, cache)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "all visible cases pass" in done.stdout
    assert {"numpy", "grader.pipeline", "grader.judge"} <= second
    assert sorted(set(NOT_FOR_CHECK) & second) == []
    batch = ["-m", "grader", "batch", "miniflow", str(directory), "--out", str(tmp_path / "b")]
    batch += ["--format", "json,gradescope,junit"]
    modules, done = _imported(batch, tmp_path, cache)
    assert done.returncode == 0, done.stderr[-2000:]
    assert set(NOT_FOR_CHECK) - modules == {"grader.inside.worker", "tomllib"}
    for command, imported in (("check", second), ("batch", modules)):
        assert sorted(set(NEVER_IN_THE_PARENT) & imported) == [], command


# The student-side adapters and the worker's confinement code: the parent reads the adapters' naming tables
# (grader/inside/aliases.py) and names the worker's isolation variable without importing either.
NEVER_IN_THE_PARENT = ("grader.inside.adapters", "grader.inside.privileges", "grader.inside.seccomp")


_MUTATIONS_WORKED_OUT = """
import sys
import grader.cases as cases
real = cases.known_mistakes
def known_mistakes(*args, **kwargs):
    print("known mistakes worked out", file=sys.stderr, flush=True)
    return real(*args, **kwargs)
cases.known_mistakes = known_mistakes
from grader.entry import main
sys.argv = ["grader", "check", sys.argv[1]]
sys.exit(main())
"""


@pytest.mark.parametrize(
    ("source", "mutations"),
    [(MINIFLOW_CORRECT, False), (MINIFLOW_BROKEN["mse_sign_flipped"], True)],
    ids=["all-right", "control-wrong-records"],
)
def test_check_runs_the_known_mistakes_only_for_wrong_records(
    tmp_path: Path, source: str, mutations: bool
) -> None:
    """The reference mutations that name a student's mistake (grader/cases.py, KnownMistakes) are worked out
    when a record is wrong, never for a submission whose visible records are all right; the broken file is
    the control that shows the wrapper would see them."""
    directory = write_class(tmp_path / "class", {"ann": source})
    done = _run_grader(tmp_path, _MUTATIONS_WORKED_OUT, str(directory / "ann.py"))
    assert done.returncode == (1 if mutations else 0), done.stdout[-2000:] + done.stderr[-2000:]
    assert ("known mistakes worked out" in done.stderr) is mutations


_NUMPY_LOADED = "import sys; print('numpy' in sys.modules)"


@pytest.mark.parametrize(
    ("modules", "loads_numpy"),
    [
        ("grader.cli, grader.commands, grader.sandbox.pool, grader.sandbox.bwrap", False),
        ("grader.sandbox.result", True),  # negative control: what a reply needs does bring numpy
    ],
    ids=["worker-start", "control"],
)
def test_check_starts_its_worker_before_the_parent_imports_numpy(
    tmp_path: Path, modules: str, loads_numpy: bool
) -> None:
    """Everything `check` runs to start its sandbox worker (the CLI, the commands, the pool, the worker's
    command line and host layout) imports no numpy: the worker's own start (numpy included) overlaps the
    parent's, which is most of what a student waits for."""
    code = f"import {modules}; from grader.sandbox.layout import host_layout; host_layout(); {_NUMPY_LOADED}"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(loads_numpy)


def _run_grader(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`script` (a `python -c` program driving the real `grader`) with `args`, under the rlimits isolation
    (any isolation: the Popen is the worker's, bwrap's is the same), importing this checkout's grader, not
    the installed one (`-c` puts the working directory, tmp_path, first on sys.path)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["GRADER_ISOLATION"] = "rlimits"
    env["PYTHONPATH"] = str(CHECKOUT)
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )


# What `check` has not imported when it starts its sandbox worker: everything the parent runs before that
# Popen is on the path a student waits for, while what it runs after (its plan: numpy, the assignments, the
# judge) overlaps the worker's own start. untrusted's patterns are for messages only (cli._visible).
# ctypes: the worker's system calls (grader/inside/libc.py, rootfs.py); the parent needs only the folders
# bwrap hides (grader/inside/masked.py). hashlib (OpenSSL's libcrypto; through secrets' hmac too) is for the
# validation cache's keys; concurrent.futures (and logging) stood for two threads (grader/sandbox/calls.py).
# dataclasses (inspect, dis, ast with it: ~28 million instructions) made four records before the Popen, now
# named tuples (grader/sandbox/caps.py); traceback is for an internal error's report (grader/cli.py).
NOT_BEFORE_THE_WORKER = (
    "numpy",
    "grader.assignments",
    "grader.pipeline",
    "grader.untrusted",
    "ctypes",
    "hashlib",
    "secrets",
    "concurrent.futures",
    "logging",
    "dataclasses",
    "inspect",
    "traceback",
)

_AT_THE_WORKER = """
import os, subprocess, sys
import grader.commands as commands
FIRST = sys.argv[2:]
def stop(self, *args, **kwargs):
    print(" ".join(sorted(sys.modules)), flush=True)
    os._exit(0)
subprocess.Popen.__init__ = stop
real = commands._plan_and_pool
def without_plan(settings, make_plan, jobs=None, **kw):  # the plan, on the main thread, would race the Popen
    for name in FIRST:
        __import__(name)
    return real(settings, lambda: None, jobs)
commands._plan_and_pool = without_plan
from grader.entry import main
sys.argv = ["grader", "check", sys.argv[1]]
main()
"""


@pytest.mark.parametrize(
    "before",
    [(), ("grader.untrusted",), ("concurrent.futures",), ("dataclasses",)],
    ids=[
        "check",
        "control-imported-before",
        "control-futures-imported-before",
        "control-dataclasses-imported-before",
    ],
)
def test_check_starts_its_worker_before_it_imports_what_only_later_steps_use(
    tmp_path: Path, before: tuple[str, ...]
) -> None:
    """The real `grader check`, stopped at its worker's Popen, has imported none of NOT_BEFORE_THE_WORKER;
    the controls import one of them first and it is seen (session 28's start imported concurrent.futures,
    logging, hashlib and secrets there; session 37's dataclasses, inspect and traceback)."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    done = _run_grader(tmp_path, _AT_THE_WORKER, str(directory / "ann.py"), *before)
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
    modules = set(done.stdout.split())
    assert "grader.sandbox.pool" in modules
    seen = set(NOT_BEFORE_THE_WORKER) & modules  # concurrent.futures brings logging with it
    assert set(before) <= seen and bool(seen) == bool(before), sorted(seen)


_PLAN_AFTER_THE_POPEN = """
import os, sys, time
import grader.sandbox.pool as pool
EARLY = sys.argv[2] == "early"
def popen(self, *args, **kwargs):  # held long enough for a plan running beside it to import numpy
    deadline = time.monotonic() + 3.0
    while "numpy" not in sys.modules and time.monotonic() < deadline:
        time.sleep(0.01)
    print(" ".join(sorted(sys.modules)), flush=True)
    os._exit(0)
pool.subprocess.Popen.__init__ = popen
real = pool.SandboxPool.__init__
def early(self, *args, on_first_popen=None, **kwargs):  # the control: the plan told to start at once
    if EARLY and on_first_popen is not None:
        on_first_popen()
    real(self, *args, on_first_popen=on_first_popen, **kwargs)
pool.SandboxPool.__init__ = early
from grader.entry import main
sys.argv = ["grader", "check", sys.argv[1]]
main()
"""


@pytest.mark.parametrize("when", ["at-popen", "early"], ids=["check", "control-plan-started-early"])
def test_check_starts_its_plan_once_its_worker_is_started(tmp_path: Path, when: str) -> None:
    """The real `grader check`, its worker's Popen held for up to 3 s, has run none of its plan (numpy, the
    assignments, the pipeline): the plan waits for the worker's process to exist, so that its imports never
    take the interpreter lock from the thread starting the worker. The control tells the plan to start
    before the Popen, and its imports are seen while the Popen is held."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    done = _run_grader(tmp_path, _PLAN_AFTER_THE_POPEN, str(directory / "ann.py"), when)
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
    modules = set(done.stdout.split())
    assert "grader.sandbox.pool" in modules
    planned = set(NOT_BEFORE_THE_WORKER) & modules
    if when == "early":
        assert "numpy" in planned
    else:
        assert planned == set()


_JOB_BEFORE_READY = """
import sys, threading, time
import grader.commands as commands
import grader.pipeline as pipeline
import grader.sandbox.pool as pool
BUILT, PLANNED = threading.Event(), threading.Event()
real_build = pipeline.build_job
def build_job(*args, **kwargs):
    BUILT.set()
    return real_build(*args, **kwargs)
pipeline.build_job = build_job
real_pp = commands._plan_and_pool
def plan_and_pool(settings, make_plan, jobs=None, **kwargs):
    def plan():
        try:
            return make_plan()
        finally:
            PLANNED.set()
    return real_pp(settings, plan, jobs, **kwargs)
commands._plan_and_pool = plan_and_pool
real_init = pool._Worker.__init__
def init(self, *args, **kwargs):  # the worker ready: held until the plan is done, then what was built said
    real_init(self, *args, **kwargs)
    PLANNED.wait(60)
    print("built before ready:", BUILT.is_set(), file=sys.stderr, flush=True)
pool._Worker.__init__ = init
from grader.entry import main
sys.argv = ["grader", *sys.argv[1:]]
sys.exit(main())
"""


@pytest.mark.parametrize("command", ["check", "grade"], ids=["check", "control-grade"])
def test_check_builds_its_job_before_its_worker_is_ready(tmp_path: Path, command: str) -> None:
    """The real `grader check`, its worker's ready message held until its plan is done, has built the
    submission's job by then: the load and the job's build run beside the worker's start, and only the
    send follows the ready message. The control, `grader grade`, builds its job once the worker is ready."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    argv = [command, str(directory / "ann.py")]
    if command == "grade":
        argv = [command, "--out", str(tmp_path / "out"), "miniflow", str(directory / "ann.py")]
    done = _run_grader(tmp_path, _JOB_BEFORE_READY, *argv)
    assert done.returncode == 0, done.stderr[-2000:]
    said = [line for line in done.stderr.splitlines() if line.startswith("built before ready:")]
    assert said == [f"built before ready: {command == 'check'}"]


_NOTHING_AFTER_THE_REPLY = """
import atexit, sys
import grader.pipeline as pipeline
import grader.sandbox.pool as pool
if sys.argv[1] == "control":
    pipeline.AFTER_THE_RUN = ()
pool._Worker.replied = lambda self: False  # the reply held back until the parent has run out of imports
AT_THE_REPLY = set()
real_receive = pool._Worker.receive
def receive(self, *args, **kwargs):
    AT_THE_REPLY.update(sys.modules)
    return real_receive(self, *args, **kwargs)
pool._Worker.receive = receive
def after_the_reply():
    later = sorted(m for m in set(sys.modules) - AT_THE_REPLY if m.startswith(("grader", "reference")))
    print("imported after the reply:", " ".join(later), file=sys.stderr, flush=True)
    print("imported:", " ".join(sorted(sys.modules)), file=sys.stderr, flush=True)
atexit.register(after_the_reply)
from grader.entry import main
sys.argv = ["grader", "check", *sys.argv[2:]]
sys.exit(main())
"""

# What only a wrong record's known mistakes use (grader/cases.py KnownMistakes): the reference engine and
# numpy.random for its drawn inputs, ~26 ms of CPU.
FOR_WRONG_RECORDS = ("reference.ops", "reference.evaluate", "numpy.random")


def _imported_around_the_reply(tmp_path: Path, mode: str, source: str) -> tuple[list[str], set[str]]:
    directory = write_class(tmp_path / "class", {"ann": source})
    done = _run_grader(tmp_path, _NOTHING_AFTER_THE_REPLY, mode, str(directory / "ann.py"))
    assert done.returncode == (0 if source == MINIFLOW_CORRECT else 1), done.stderr[-2000:]
    said = {
        head: line.removeprefix(head).split()
        for line in done.stderr.splitlines()
        for head in ("imported after the reply:", "imported:")
        if line.startswith(head)
    }
    assert len(said) == 2, done.stderr[-2000:]
    return said["imported after the reply:"], set(said["imported:"])


@pytest.mark.parametrize("mode", ["check", "control"], ids=["check", "control-nothing-meanwhile"])
def test_check_judges_without_importing_once_its_reply_is_read(tmp_path: Path, mode: str) -> None:
    """The real `grader check` (every source note read), its job's reply taken as not there yet until the
    parent has nothing left to import, imports none of the grader's or the reference engine's modules after
    reading it: what judging and the report use (pipeline.AFTER_THE_RUN) was imported while the job ran.
    The control empties that list, and the judging's imports are seen after the reply."""
    later, _ = _imported_around_the_reply(tmp_path, mode, MINIFLOW_CORRECT)
    if mode == "control":
        assert {"grader.judge", "grader.signatures"} <= set(later)
    else:
        assert later == []


@pytest.mark.parametrize("wrong", [False, True], ids=["check", "control-wrong-records"])
def test_check_imports_the_known_mistakes_engine_only_for_a_wrong_record(tmp_path: Path, wrong: bool) -> None:
    """A check whose records are all right never imports what only a wrong record's known mistakes use
    (FOR_WRONG_RECORDS), not even while its job runs with time to spare (its reply held back until the
    parent has nothing left to import): imported then, they took the CPUs from the student's process and its
    harness, and the one under way when the reply came held it unread. The control, a wrong record, imports
    them, after the reply, where its known mistakes are worked out (session 29's list had all three
    imported for the right file too)."""
    source = MINIFLOW_BROKEN["mse_sign_flipped"] if wrong else MINIFLOW_CORRECT
    later, imported = _imported_around_the_reply(tmp_path, "check", source)
    if wrong:
        assert {"reference.ops", "reference.evaluate"} <= set(later), later
    else:
        assert set(FOR_WRONG_RECORDS) & imported == set()


# What judging imports (the judge, the known mistakes' reference engine, the source notes' readers): not
# while the worker starts, where the parent's CPU is taken from the worker, its harness and the plan on two
# cores, but while the job runs (session 29: ~79 million instructions fewer up to the job's send).
NOT_BEFORE_THE_JOB = ("grader.judge", "grader.signatures", "reference.ops", "reference.evaluate")

_AT_THE_SEND = """
import os, sys, time
import grader.commands as commands
import grader.sandbox.pool as pool
FIRST = sys.argv[2:]
def send(self, *args, **kwargs):
    print(" ".join(sorted(sys.modules)), flush=True)
    os._exit(0)
pool._Worker.send = send
real_pp = commands._plan_and_pool
def plan_and_pool(settings, make_plan, jobs=None, **kwargs):
    def plan():
        for name in FIRST:
            __import__(name)
        return make_plan()
    return real_pp(settings, plan, jobs, **kwargs)
commands._plan_and_pool = plan_and_pool
real_init = pool._Worker.__init__
def init(self, *args, **kwargs):  # the worker ready: held a while, in which the parent could import more
    real_init(self, *args, **kwargs)
    time.sleep(1.0)
pool._Worker.__init__ = init
from grader.entry import main
sys.argv = ["grader", "check", sys.argv[1]]
main()
"""


@pytest.mark.parametrize("before", [(), ("grader.judge",)], ids=["check", "control-judge-in-the-plan"])
def test_check_sends_its_job_before_it_imports_what_judging_uses(
    tmp_path: Path, before: tuple[str, ...]
) -> None:
    """The real `grader check`, its worker's ready message held for 1 s, has imported none of
    NOT_BEFORE_THE_JOB when it sends its job (the session's start had imported all four by then: the judge
    with the pipeline, the rest while the worker started). The control imports the judge in the plan, and
    it is seen."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    done = _run_grader(tmp_path, _AT_THE_SEND, str(directory / "ann.py"), *before)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set(done.stdout.split("\n")[-2].split())
    assert {"numpy", "grader.pipeline", "grader.reports"} <= modules
    assert set(NOT_BEFORE_THE_JOB) & modules == set(before)


def test_a_worker_starts_without_tempfile() -> None:
    """What a cold worker imports before it is ready (itself, then the server and the harness it forks)
    brings no tempfile: two directories do not pay for shutil, random, bz2 and lzma (issue 13). The control:
    the same process sees tempfile once something imports it."""
    layout = host_layout()
    code = (
        "import sys, importlib.util as u\n"
        f"rt = {str(layout.inside_dir)!r}\n"
        "s = u.spec_from_file_location('inside', rt + '/__init__.py', submodule_search_locations=[rt])\n"
        "m = u.module_from_spec(s); sys.modules['inside'] = m; s.loader.exec_module(m)\n"
        f"sys.path.insert(0, {str(Path(layout.numpy_dir).parent)!r})\n"
        "import inside.worker, inside.server, inside.student, inside.harness_process\n"
        "print(sorted({'tempfile', 'shutil', 'random'} & set(sys.modules)))\n"
        "import tempfile\n"
        "print('tempfile' in sys.modules)\n"
    )
    done = subprocess.run(
        [str(layout.python), "-I", "-S", "-B", "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["[]", "True"]


_MANIFESTS_READ = """
import collections, sys, types
import grader.commands as commands
READ = collections.Counter()
real_load = commands.load_assignment
def load_assignment(ref, *, require_fixtures=True):
    READ[str(ref)] += 1
    return real_load(ref, require_fixtures=require_fixtures)
commands.load_assignment = load_assignment
if sys.argv[1] == "control":  # each helper reads the manifests itself, as before session 29
    # commands' own name only: functools.cache itself is every module's (schema, loaders, seccomp)
    commands.functools = types.SimpleNamespace(cache=lambda f: f)
def plan_only(settings, make_plan, jobs=None, **kwargs):
    make_plan()
    print(" ".join(f"{k}={v}" for k, v in sorted(READ.items())), flush=True)
    raise SystemExit(0)
commands._plan_and_pool = plan_only
from grader.entry import main
sys.argv = ["grader", "check", sys.argv[2]]
main()
"""


@pytest.mark.parametrize("mode", ["check", "control"], ids=["check", "control-read-each-time"])
def test_check_reads_each_shipped_manifest_once_to_infer(tmp_path: Path, mode: str) -> None:
    """The real `grader check`'s plan reads each shipped manifest once for inference and its notes (then its
    own assignment's twice more: its stage, its cases): ~1.8 ms of CPU each, beside the worker's start. The
    control builds the shipped candidates for each question (the assignment, the names graded elsewhere),
    and each manifest is read twice for it."""
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    done = _run_grader(tmp_path, _MANIFESTS_READ, mode, str(directory / "ann.py"))
    assert done.returncode == 0, done.stderr[-2000:]
    read = dict(item.split("=") for item in done.stdout.split())
    others = {ref: int(n) for ref, n in read.items() if ref != "miniflow"}
    assert others and set(others.values()) == ({2} if mode == "control" else {1}), read
    assert int(read["miniflow"]) == (4 if mode == "control" else 3), read
