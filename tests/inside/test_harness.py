"""The harness's student processes: the first phase alone, the later phases sharing one fresh process, and a
fresh one again for the phases after a process that ended early."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inside_helpers import case, modules_imported_by, run_inside

# The harness over in-process "student processes" (each a fresh server.Server); every connect, begin and
# finish is emitted as a frame, so the test sees the process plan. `die` = [label, case id]: that process's
# channel closes once that case has been reported (its process "ended").
_DRIVER = """
import json, os, sys
mount, numpy_parent, job_path, frames_path = sys.argv[1:5]
sys.path[:0] = [mount, numpy_parent]
out = open(frames_path, "w")
reported = set()
def emit(frame):
    reported.add(frame.get("id"))
    out.write(json.dumps(frame, allow_nan=False) + "\\n")
    out.flush()
with open(job_path) as f:
    job = json.load(f)
from inside import harness, server, wire
die = job.get("die")
def connect(label, phases):
    emit({"type": "connect", "label": label, "phases": phases})
    student = server.Server(os.path.realpath(os.getcwd()))
    def transport(request):
        if die and die[0] == label and die[1] in reported:
            return None
        return wire.dumps(server.execute(student, wire.load_ops(request)))
    return transport
def finish(label, why, serves):
    emit({"type": "finish", "label": label, "why": why, "serves": serves})
def begin(label):
    emit({"type": "begin", "label": label})
harness.run_job(job["harness"], emit, connect, finish, begin)
"""

RELU = (
    "import numpy as np\n\nclass Relu:\n    def forward(self, x):\n        self.mask = x <= 0\n"
    "        out = x.copy()\n        out[self.mask] = 0\n        return out\n\n"
    "    def backward(self, dout):\n        dout = dout.copy()\n"
    "        dout[self.mask] = 0\n        return dout\n"
)
STEPS = [
    {"do": "apply", "op": "Relu", "args": ["x"], "out": "y"},
    {"do": "backward_local", "of": "y", "upstream": "dout"},
    {"do": "record", "key": "dx", "grad_of": "x", "via": "y", "method": "Relu.backward"},
]
X = {"x": [[1.0, -2.0]], "dout": [[3.0, 4.0]]}


def _job(published: bool = False, **extra: Any) -> dict[str, Any]:
    phases = [
        {"name": "visible", "cases": [case("v1", X, STEPS)]},
        {"name": "after_due_date", "cases": [case("a1", X, STEPS), case("a2", X, STEPS)]},
        *([{"name": "after_published", "cases": [case("p1", X, STEPS)]}] if published else []),
        {"name": "hidden", "cases": [case("h1", X, STEPS)]},
    ]
    load = {"modules": ["layers.py"], "required": ["Relu"], "optional": [], "forbidden_imports": []}
    return {"harness": {"family": "dlfs-layers", "load": load, "phases": phases}, **extra}


def _plan(frames: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    keep = {"connect": ("label", "phases"), "begin": ("label",), "finish": ("label", "why", "serves")}
    return [(f["type"], *(f[k] for k in keep[f["type"]])) for f in frames if f["type"] in keep]


def test_later_phases_share_one_fresh_process() -> None:
    """Visible runs alone; after-due-date and hidden share a second process, forked with CPU for both."""
    ran = run_inside({"layers.py": RELU}, _job(), driver=_DRIVER)
    assert _plan(ran.frames) == [
        ("connect", "visible", 1),
        ("finish", "visible", "done", ["visible"]),
        ("connect", "after_due_date", 2),
        ("begin", "after_due_date"),
        ("finish", "after_due_date", "done", ["after_due_date", "hidden"]),
    ], ran.stderr
    assert {c: ran.case(c)["status"] for c in ("v1", "a1", "a2", "h1")} == dict.fromkeys(
        ("v1", "a1", "a2", "h1"), "ok"
    )
    loaded = [f["phase"] for f in ran.frames if f["type"] == "loaded"]
    assert loaded == ["visible", "after_due_date", "hidden"]  # one "loaded" per phase, as the parent expects


def test_phases_after_an_ended_process_get_a_fresh_one() -> None:
    """The shared process ends during after-due-date: its unreported case is left to the parent's verdict,
    and hidden runs in a process of its own."""
    ran = run_inside({"layers.py": RELU}, _job(die=["after_due_date", "a1"]), driver=_DRIVER)
    assert _plan(ran.frames) == [
        ("connect", "visible", 1),
        ("finish", "visible", "done", ["visible"]),
        ("connect", "after_due_date", 2),
        ("finish", "after_due_date", "eof", ["after_due_date"]),
        ("connect", "hidden", 1),
        ("finish", "hidden", "done", ["hidden"]),
    ], ran.stderr
    assert "a2" not in ran.cases
    assert ran.case("a1")["status"] == "ok" and ran.case("h1")["status"] == "ok"


def test_no_phase_runs_after_the_first_process_ended_while_loading() -> None:
    """The visible phase's process ends before its load is answered (its wall clock, memory, an exit at
    import): no later phase's process is forked, since it would run the same top-level code again (each up
    to its own wall limit: submissions/hostile/sleep_forever.py took three of them); every case carries the
    first phase's failure (grader/sandbox/result.py _skipped). Control: a later phase's process ending
    while loading leaves the phases after it their fresh process (the first phase's load alone decides)."""
    ran = run_inside({"layers.py": RELU}, _job(die=["visible", None]), driver=_DRIVER)
    assert _plan(ran.frames) == [("connect", "visible", 1), ("finish", "visible", "eof", ["visible"])], (
        ran.stderr
    )
    assert not ran.cases and not [f for f in ran.frames if f["type"] == "loaded"]
    later = run_inside({"layers.py": RELU}, _job(die=["after_due_date", None]), driver=_DRIVER)
    assert _plan(later.frames)[-2:] == [("connect", "hidden", 1), ("finish", "hidden", "done", ["hidden"])]
    assert later.case("h1")["status"] == "ok", later.stderr


def test_after_published_never_shares_a_process_with_after_due_date() -> None:
    """Grades published before the due date show the after-published cases openly and not the after-due-date
    ones: the after-published phase gets a process of its own (shared with the hidden phase after it), so
    that nothing the after-due-date inputs reached can be quoted in its messages (sample
    submissions/hostile/earlier_phase_inputs_leak.py). Each process's CPU budget counts the phases it
    serves."""
    ran = run_inside({"layers.py": RELU}, _job(published=True), driver=_DRIVER)
    assert _plan(ran.frames) == [
        ("connect", "visible", 1),
        ("finish", "visible", "done", ["visible"]),
        ("connect", "after_due_date", 1),
        ("finish", "after_due_date", "done", ["after_due_date"]),
        ("connect", "after_published", 2),
        ("begin", "after_published"),
        ("finish", "after_published", "done", ["after_published", "hidden"]),
    ], ran.stderr
    assert {c: ran.case(c)["status"] for c in ("v1", "a1", "a2", "p1", "h1")} == dict.fromkeys(
        ("v1", "a1", "a2", "p1", "h1"), "ok"
    )


def test_the_harness_imports_nothing_of_the_submissions_loading(tmp_path: Path) -> None:
    """The harness starts beside the worker on every cold `grader check`: it imports its adapters, never the
    loader, the stand-ins or the student module (and what they import), which only student processes use."""
    imported = modules_imported_by("inside.harness_process, inside.harness", tmp_path)
    assert "inside.adapters.miniflow" in imported  # what the harness does import: the check can see it
    assert not imported & {"inside.student", "inside.loading", "inside.standins"}
