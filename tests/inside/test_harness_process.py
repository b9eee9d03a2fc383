"""The harness process's job reader: every job read as json.loads reads it, a run's phases parsed once and
run again as they were (their views never changed by a job)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from inside_helpers import case, run_inside

from grader.inside.harness_process import JobReader
from grader.sandbox.job_json import harness_json

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
    {"do": "record", "key": "y", "value_of": "y"},
]
X = {"x": [[1.0, -2.0, 0.5]], "dout": [[3.0, 4.0, 5.0]]}
PHASES = (
    {"name": "visible", "cases": (case("v1", X, STEPS),)},
    {"name": "hidden", "cases": (case("h1", X, STEPS), case("h2", {"x": [[-1.0]], "dout": [[2.0]]}, STEPS))},
)
LOAD = {"modules": ["layers.py"], "required": ["Relu"], "optional": [], "forbidden_imports": []}


def _payload(phases: Any = PHASES, **fields: Any) -> bytes:
    """A job as the pool sends it (job_json: a run's phases last, their text shared)."""
    return harness_json({"family": "dlfs-layers", "load": LOAD, **fields, "phases": phases})


def test_a_runs_jobs_read_as_json_loads_reads_them_their_phases_parsed_once() -> None:
    """Two jobs of a run (other fields, the same phases): each read equals json.loads of it, and the second's
    phases are the first's objects, not parsed again; other phases are parsed."""
    reader = JobReader()
    first, second = _payload(job_id="a"), bytearray(_payload(job_id="b", extra={"k": [1, 2]}))
    read_first, read_second = reader.read(first), reader.read(second)
    assert read_first == json.loads(first) and read_second == json.loads(second)
    assert read_second["phases"] is read_first["phases"]
    other = _payload(phases=(PHASES[0],), job_id="c")
    read_other = reader.read(other)
    assert read_other == json.loads(other) and read_other["phases"] is not read_first["phases"]


@pytest.mark.parametrize(
    "text",
    [
        b'{"phases": [1, 2]}',  # the phases alone
        b'{"a": 1}',  # none
        b'{"phases": [1], "a": 2}',  # not last
        b'{"a": "x, \\"phases\\": [3]}"}',  # the key's text inside a string
        b'{"a": 1, "phases": [1], "phases": [2]}',  # twice: the last one wins, as in json.loads
        b'{"phases": [0], "b": {"c": 1}, "phases": {"d": []}}',
        b'[1, "phases": 2}',
    ],
)
def test_any_other_job_is_read_as_json_loads_reads_it(text: bytes) -> None:
    """Jobs built by hand, and JSON that only looks like job_json's: read as json.loads reads them (or refused
    as it refuses them)."""
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            JobReader().read(text)
        return
    reader = JobReader()
    assert reader.read(text) == expected and reader.read(bytearray(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        b'{, "phases": [1]}',
        b'{"a": 1 "phases": [1]}',
        b'{"a": 1,, "phases": [1]}',
        b'{"a": [1, "phases": []}',
    ],
)
def test_malformed_jobs_are_refused_as_json_loads_refuses_them(text: bytes) -> None:
    """A head that is no object's members before `"phases"` (its comma dropped, it would parse): refused."""
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        JobReader().read(text)


# Three jobs of one run through one JobReader, as harness_process.main reads them; each job's frames, and the
# phases after all three, are written out.
_DRIVER = """
import json, os, sys
mount, numpy_parent, job_path, frames_path = sys.argv[1:5]
sys.path[:0] = [mount, numpy_parent]
out = open(frames_path, "w")
from inside import harness, harness_process, program, server, wire
payload = json.load(open(job_path))["payload"].encode()
reader = harness_process.JobReader()
jobs = []
def connect(label, phases):
    student = server.Server(os.path.realpath(os.getcwd()))
    return lambda request: wire.dumps(server.execute(student, wire.load_ops(request)))
for n in range(3):
    job = reader.read(bytearray(payload))
    jobs.append(job)
    emitted = []
    harness.run_job(job, emitted.append, connect, lambda *a: None, lambda label: None)
    out.write(json.dumps({"type": "job", "frames": emitted}) + "\\n")
    out.flush()
kept = [v for p in jobs[0]["phases"] for v in p["cases"] if id(v) in program._views_kept]
same = [j["phases"] is jobs[0]["phases"] for j in jobs]
out.write(json.dumps({"type": "after", "phases": jobs[0]["phases"], "same": same, "kept": len(kept)}) + "\\n")
out.flush()
"""


def test_jobs_of_a_run_share_their_views_and_leave_them_as_they_were() -> None:
    """The same views run three times give the same frames each time, are unchanged after, and their inputs
    are decoded once (kept by the views' identity)."""
    payload = _payload()
    ran = run_inside({"layers.py": RELU}, {"payload": payload.decode()}, driver=_DRIVER)
    jobs = [f["frames"] for f in ran.frames if f["type"] == "job"]
    assert len(jobs) == 3, ran.stderr
    cases = [f for f in jobs[0] if f["type"] == "case"]
    assert [c["id"] for c in cases] == ["v1", "h1", "h2"] and {c["status"] for c in cases} == {"ok"}, cases
    assert cases[0]["records"]["y"]["data"] == [1.0, 0.0, 0.5]  # Relu of x, from numpy's own maximum
    assert cases[0]["records"]["dx"]["data"] == [3.0, 0.0, 5.0]
    assert jobs[1] == jobs[0] and jobs[2] == jobs[0]
    after = ran.frames[-1]
    assert after["type"] == "after" and after["same"] == [True, True, True]
    assert after["phases"] == json.loads(json.dumps(PHASES))  # as the parent built them
    assert after["kept"] == 3


# Jobs of several runs through one JobReader (each payload's phases their own text), each job's frames
# written; then each payload again in a harness that kept nothing (program's views emptied), its frames.
_RUNS_DRIVER = """
import json, os, sys
mount, numpy_parent, job_path, frames_path = sys.argv[1:5]
sys.path[:0] = [mount, numpy_parent]
out = open(frames_path, "w")
from inside import harness, harness_process, program, server, wire
payloads = [p.encode() for p in json.load(open(job_path))["payloads"]]
def connect(label, phases):
    student = server.Server(os.path.realpath(os.getcwd()))
    return lambda request: wire.dumps(server.execute(student, wire.load_ops(request)))
def run(reader, payload):
    emitted = []
    harness.run_job(reader.read(bytearray(payload)), emitted.append, connect, lambda *a: None, lambda l: None)
    return emitted
reader = harness_process.JobReader()
kept = [run(reader, p) for p in payloads]
fresh = []
for p in payloads:
    program._views_kept.clear()
    fresh.append(run(harness_process.JobReader(), p))
out.write(json.dumps({"type": "runs", "kept": kept, "fresh": fresh}) + "\\n")
out.flush()
"""


def test_views_of_another_run_with_the_same_case_ids_are_read_as_theirs() -> None:
    """What is kept of a view (its inputs, its steps' words and fields) is the view's own: a run whose cases
    have the same ids but other inputs, labels, records and steps, read after another run's (and that run's
    again after it), gives each job the frames a harness that kept nothing gives it."""
    steps = [
        {"do": "apply", "op": "Relu", "args": ["x"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "dout"},
        {"do": "record", "key": "g", "grad_of": "x", "via": "y", "method": "Relu.backward", "label": "dx2"},
        {"do": "record", "key": "y2", "value_of": "y", "label": "forward value of y"},
        {"do": "explode"},
    ]
    other = (
        {"name": "visible", "cases": (case("v1", {"x": [[-4.0, 2.0]], "dout": [[1.0, 7.0]]}, steps),)},
        {
            "name": "hidden",
            "cases": (case("h1", {"x": [[9.0]], "dout": [[2.0]]}, STEPS[:2]), PHASES[1]["cases"][1]),
        },
    )
    payloads = [_payload(), _payload(phases=other), _payload()]
    ran = run_inside({"layers.py": RELU}, {"payloads": [p.decode() for p in payloads]}, driver=_RUNS_DRIVER)
    runs = [f for f in ran.frames if f["type"] == "runs"]
    assert len(runs) == 1, ran.stderr
    kept, fresh = runs[0]["kept"], runs[0]["fresh"]
    assert kept == fresh
    assert kept[0] == kept[2] and kept[0] != kept[1]
    v1 = next(f for f in kept[1] if f["type"] == "case" and f["id"] == "v1")
    assert v1["records"]["g"]["data"] == [0.0, 7.0]  # dout where x > 0
    assert v1["status"] == "error" and "step 4: unknown step" in v1["failure"]["message"], v1
