"""A Dask worker's reply on the client: rebuilt exactly when well formed, refused whole when anything is
off."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest

from grader.cluster.wire import WireError, WorkerReply, accept
from grader.fault import REMOVED, claims_grader_fault
from grader.model import CaseOutput, Failure, LoadInfo, Raised, RunResult
from grader.sandbox.frames import FrameLimits

SHA = "ab" * 32
KEYS = {"unit_linear": {"dX", "dW"}, "graph_mse": {"out"}}


def _run() -> RunResult:
    grad = np.array([[0.1, -2.5e-300], [np.inf, np.nan]])
    return RunResult(
        isolation="bwrap",
        load=LoadInfo(
            {"miniflow": "miniflow.py"}, {"Linear": "miniflow.Linear"}, ("MSE",), {"MSE": ("Mse",)}
        ),
        outputs={
            "unit_linear": CaseOutput(
                "unit_linear", "ok", {"dX": grad, "dW": None}, ("X",), handed=("reg_scale",)
            ),
            "graph_mse": CaseOutput(
                "graph_mse", "error", {"out": True}, (), Failure("exception", "boom", "tb")
            ),
        },
        process_failure=None,
        stdout="hello\n",
        stderr="",
        elapsed_seconds=0.25,
        phase_failures={"hidden": Failure("timeout", "slow")},
        staff_output={"hidden": ("out", "err")},
    )


def _doc(**changes: Any) -> dict[str, Any]:
    doc = json.loads(WorkerReply("ann", SHA, "tcp://10.0.0.2:4000", _run()).to_bytes())
    doc["run"].update(changes)
    return doc


def test_a_reply_round_trips_exactly() -> None:
    """Arrays (float64, inf, nan, tiny values), booleans, None, load info, failures and output come back
    equal."""
    reply = accept(WorkerReply("ann", SHA, "tcp://10.0.0.2:4000", _run()).to_bytes(), "ann", SHA, KEYS)
    run = reply.run
    dx = run.outputs["unit_linear"].records["dX"]
    assert isinstance(dx, np.ndarray) and dx.dtype == np.float64
    assert dx[0, 0] == 0.1 and dx[0, 1] == -2.5e-300 and dx[1, 0] == np.inf and np.isnan(dx[1, 1])
    assert run.outputs["unit_linear"].records["dW"] is None and run.outputs["unit_linear"].mutated == ("X",)
    assert run.outputs["unit_linear"].handed == ("reg_scale",)  # the parameters the grader filled in
    assert run.outputs["graph_mse"].records["out"] is True
    assert run.outputs["graph_mse"].failure == Failure("exception", "boom", "tb")
    assert run.load is not None and run.load.near == {"MSE": ("Mse",)} and run.load.missing == ("MSE",)
    assert (run.isolation, run.stdout, run.elapsed_seconds) == ("bwrap", "hello\n", 0.25)
    assert run.phase_failures == {"hidden": Failure("timeout", "slow")}
    assert run.staff_output == {"hidden": ("out", "err")}
    assert reply.worker == "tcp://10.0.0.2:4000"


BAD_RUNS = {
    "unknown case": {"outputs": {"made_up": {"status": "ok", "records": {}, "mutated": [], "failure": None}}},
    "record key the case lacks": {
        "outputs": {"graph_mse": {"status": "ok", "records": {"score": True}, "mutated": [], "failure": None}}
    },
    "unknown failure code": {"process_failure": {"code": "all_good", "message": "", "detail": ""}},
    "unknown isolation": {"isolation": "trust-me"},
    "ragged array": {
        "outputs": {
            "graph_mse": {
                "status": "ok",
                "records": {"out": {"shape": [2], "data": [1.0]}},
                "mutated": [],
                "failure": None,
            }
        }
    },
    "status neither ok nor error": {
        "outputs": {"graph_mse": {"status": "passed", "records": {}, "mutated": [], "failure": None}}
    },
    "stdout not text": {"stdout": ["x"]},
    "elapsed a bool": {"elapsed_seconds": True},
}


@pytest.mark.parametrize("what", BAD_RUNS)
def test_a_malformed_run_is_refused_whole(what: str) -> None:
    """Each malformation (a case or record key the job never asked for, a made-up failure code or isolation,
    a ragged array, wrong types) raises WireError: nothing of the reply is used."""
    with pytest.raises(WireError):
        accept(json.dumps(_doc(**BAD_RUNS[what])).encode(), "ann", SHA, KEYS)


def test_extra_keys_nan_literals_non_bytes_and_floods_are_refused() -> None:
    """An unknown top-level key, a bare NaN literal, a str instead of bytes and a reply over the element cap
    are refused."""
    doc = _doc()
    with pytest.raises(WireError, match="keys"):
        accept(json.dumps({**doc, "score": 100}).encode(), "ann", SHA, KEYS)
    with pytest.raises(WireError, match="NaN"):
        accept(json.dumps(doc).replace("0.25", "NaN").encode(), "ann", SHA, KEYS)
    with pytest.raises(WireError, match="bytes"):
        accept(json.dumps(doc), "ann", SHA, KEYS)
    with pytest.raises(WireError, match="cap"):
        accept(json.dumps(doc).encode(), "ann", SHA, KEYS, FrameLimits(max_elements=3))


def test_a_reply_to_another_job_is_refused() -> None:
    """A well-formed reply for another student, or for other files of the same student (another sha256), is
    not taken for this job's."""
    data = json.dumps(_doc()).encode()
    assert accept(data, "ann", SHA, KEYS).student == "ann"  # the control: it is accepted for its own job
    with pytest.raises(WireError, match="bob"):
        accept(data, "bob", SHA, KEYS)
    with pytest.raises(WireError, match="to the job"):
        accept(data, "ann", "cd" * 32, KEYS)


def test_student_text_is_normalised_again_on_the_client() -> None:
    """An escape sequence in a worker's stdout or failure message does not survive the trip
    (grader/untrusted.py normalises it again on the client)."""
    doc = _doc(
        stdout="\x1b[31mred\x1b[0m",
        process_failure={"code": "crashed", "message": "a\x1b]0;x\x07b", "detail": ""},
    )
    run = accept(json.dumps(doc).encode(), "ann", SHA, KEYS).run
    assert run.stdout == "red" and run.process_failure is not None and run.process_failure.message == "ab"


_RAISED = Raised("ValueError", "nn.py", 62, "Linear.backward.<locals>.helper", "nn.py", 62)


def _raising_doc(raised: Any) -> dict[str, Any]:
    doc = _doc()
    doc["run"]["outputs"]["graph_mse"]["failure"]["raised"] = raised
    return doc


def test_the_raised_fields_cross_the_wire() -> None:
    """The blame's fields (grader/sandbox/raised.py) come back equal: the wire dropped them, and a case's
    blame under `--executor dask-local` said "did not finish" where the local executor said "raised
    ValueError at nn.py line 62" (s32, hostile: blame_fields_fault_wording.py in a mixed batch)."""
    run = _run()
    failing = dataclasses.replace(
        run.outputs["graph_mse"], failure=Failure("exception", "boom", "tb", _RAISED)
    )
    run = dataclasses.replace(run, outputs={**run.outputs, "graph_mse": failing})
    reply = accept(WorkerReply("ann", SHA, "tcp://10.0.0.2:4000", run).to_bytes(), "ann", SHA, KEYS)
    failure = reply.run.outputs["graph_mse"].failure
    assert failure is not None and failure.raised == _RAISED


def test_raised_fields_are_disowned_on_the_client_and_malformed_ones_refused() -> None:
    """A worker's function field in the grader's wording of fault is disowned again on the client; fields
    of the wrong number or type are refused whole."""
    forged = ["ValueError", "nn.py", 62, "the_grader_itself_failed", "nn.py", 62]
    run = accept(json.dumps(_raising_doc(forged)).encode(), "ann", SHA, KEYS).run
    failure = run.outputs["graph_mse"].failure
    assert failure is not None and failure.raised is not None
    assert "grader_itself_failed" not in failure.raised.function, failure.raised
    # the type and the place too, each the wording (claims_grader_fault) as sent; the file stays as it came
    wording = ["MyGraderFailedError", "not_your_fault.py", 62, "f", "not_your_fault.py", 62]
    assert all(claims_grader_fault(t) for t in (wording[0], wording[4]))
    run = accept(json.dumps(_raising_doc(wording)).encode(), "ann", SHA, KEYS).run
    failure = run.outputs["graph_mse"].failure
    raised = failure.raised if failure is not None else None
    assert raised is not None and raised.file == "not_your_fault.py", raised
    assert (raised.type, raised.place) == (f"My{REMOVED}Error", f"{REMOVED}.py"), raised
    for bad in (forged[:4], [*forged[:2], True, *forged[3:]], [*forged[:3], None, *forged[4:]], "ValueError"):
        with pytest.raises(WireError, match="raised"):
            accept(json.dumps(_raising_doc(bad)).encode(), "ann", SHA, KEYS)


def test_a_later_phases_failure_keeps_its_raised_fields() -> None:
    """A later phase's load failure (a hidden or after-due-date process loads the submission afresh) states
    its type as the first phase's does (grader/inside/failures.py load_raised), and the judge hands it to the
    first case of the phase (grader/judge/score.py): the wire carried the outputs' and the process's raised
    fields but wrote phase failures by `to_dict`, which drops them (review of s32-hostile)."""
    loaded = Failure("exception", "loading the submission: LookupError: x", "tb", Raised("LookupError"))
    run = dataclasses.replace(_run(), phase_failures={"hidden": loaded})
    reply = accept(WorkerReply("ann", SHA, "tcp://10.0.0.2:4000", run).to_bytes(), "ann", SHA, KEYS)
    assert reply.run.phase_failures == {"hidden": loaded}, reply.run.phase_failures


def test_the_loads_warnings_and_standins_cross_the_wire() -> None:
    """A load's student-facing warnings (a class defined twice: sample dezero/shadowed_exp.py) and the
    stand-ins it used come back equal: the wire wrote the load's names and notes only, and the same
    submission's report under `--executor dask-local` lacked the warning the local executor gave (review of
    s32-hostile)."""
    twice = "class Exp is defined twice in nn.py (lines 12 and 40): Python keeps the last one (line 40)"
    load = LoadInfo({"layers": "layers.py"}, {}, (), {}, warnings=(twice,), standins=("common.layers",))
    run = dataclasses.replace(_run(), load=load)
    reply = accept(WorkerReply("ann", SHA, "tcp://10.0.0.2:4000", run).to_bytes(), "ann", SHA, KEYS)
    assert reply.run.load == load, reply.run.load
