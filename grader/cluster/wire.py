"""A run's result as plain JSON, for the trip from a Dask worker back to the client.

The worker sends `WorkerReply.to_bytes()`; the client rebuilds it with `WorkerReply.from_bytes`, which trusts
nothing: a Dask worker hosts the sandbox that runs student code, so what it sends is checked like a frame
(exact keys, types, known failure codes, case ids and record keys of the job, float64 arrays with an element
cap) and every string is normalised again by the records' own constructors (grader/model.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from grader import arrays, untrusted
from grader.fault import disowned
from grader.model import FAILURE_CODES, CaseOutput, Failure, LoadInfo, Raised, RecordValue, RunResult
from grader.sandbox.frames import FrameLimits
from grader.sandbox.result import Isolation

ISOLATIONS: tuple[str, ...] = get_args(Isolation)
MAX_REPLY_BYTES = 48 << 20  # a job's frames are capped at 32 MiB; JSON of the same numbers is close to it


class WireError(ValueError):
    """A worker's reply is malformed: it is not used, and the submission is reported as a grader failure."""


def _expect(cond: bool, what: str) -> None:
    if not cond:
        raise WireError(what)


def _keys(obj: Any, required: set[str], what: str) -> Mapping[str, Any]:
    _expect(isinstance(obj, dict), f"{what} must be an object")
    _expect(set(obj) == required, f"{what} has keys {sorted(obj)[:12]}, expected {sorted(required)}")
    return obj


def _str(value: Any, what: str) -> str:
    _expect(isinstance(value, str), f"{what} must be a string")
    return str(value)


def _str_map(value: Any, what: str) -> dict[str, Any]:
    _expect(isinstance(value, dict), f"{what} must be an object")
    return dict(value)


def _str_list(value: Any, what: str) -> tuple[str, ...]:
    _expect(isinstance(value, list) and all(isinstance(v, str) for v in value), f"{what}: list of strings")
    return tuple(value)


# ------------------------------------------------------------------ encode (on the worker)


def _failure_out(f: Failure | None) -> dict[str, Any] | None:
    if f is None:
        return None
    if f.raised is None:
        return f.to_dict()
    r = (
        f.raised
    )  # the blame's fields (grader/sandbox/raised.py): without them a case's blame differed by executor
    return {**f.to_dict(), "raised": [r.type, r.file, r.line, r.function, r.place, r.shown_line]}


def run_to_wire(run: RunResult) -> dict[str, Any]:
    load = run.load
    return {
        "isolation": run.isolation,
        "load": None
        if load is None
        else {
            "modules": dict(load.modules),
            "found": dict(load.found),
            "missing": list(load.missing),
            "near": {k: list(v) for k, v in load.near.items()},
            "notes": list(load.notes),
            # student-facing (a class defined twice, a stand-in used): dropped, dask reports lacked them
            "warnings": list(load.warnings),
            "standins": list(load.standins),
        },
        "outputs": {
            cid: {
                "status": out.status,
                "records": {k: arrays.encode_value(v) for k, v in out.records.items()},
                "mutated": list(out.mutated),
                "failure": _failure_out(out.failure),
                "packed": list(out.packed),
                "handed": list(out.handed),
            }
            for cid, out in run.outputs.items()
        },
        "process_failure": _failure_out(run.process_failure),
        "stdout": run.stdout,
        "stderr": run.stderr,
        "elapsed_seconds": run.elapsed_seconds,
        # a later phase's load failure states its type (grader/inside/failures.py load_raised) as the first's
        "phase_failures": {k: _failure_out(v) for k, v in run.phase_failures.items()},
        "staff_output": {k: list(v) for k, v in run.staff_output.items()},
        "isolation_notes": list(run.isolation_notes),
    }


# ------------------------------------------------------------------ decode (on the client)


def _failure(value: Any, what: str) -> Failure:
    _expect(
        isinstance(value, dict) and set(value) - {"raised"} == {"code", "message", "detail"},
        f"{what}: bad failure",
    )
    code = _str(value["code"], f"{what}.code")
    _expect(code in FAILURE_CODES, f"{what}: unknown failure code {code[:40]!r}")
    raised = _raised(value["raised"], what) if "raised" in value else None
    return Failure(code, _str(value["message"], what), _str(value["detail"], what), raised)


def _raised(value: Any, what: str) -> Raised:
    """The fields as the worker's parent placed them, its texts disowned again here: its place was checked
    against the job's files there (grader/sandbox/raised.py), the client holds no file to check it by."""
    _expect(
        isinstance(value, list) and len(value) == 6,
        f"{what}.raised: [type, file, line, function, place, line]",
    )
    kind, file, line, function, place, shown = value
    texts, numbers = (kind, file, function, place), (line, shown)
    _expect(all(isinstance(t, str) for t in texts), f"{what}.raised: its texts must be strings")
    _expect(all(type(n) is int and n >= 0 for n in numbers), f"{what}.raised: its lines must be numbers")
    name = untrusted.NAME
    return Raised(
        disowned(kind, name), file, line, disowned(function, name), disowned(place, untrusted.PATH), shown
    )


def _optional_failure(value: Any, what: str) -> Failure | None:
    return None if value is None else _failure(value, what)


def _load(value: Any) -> LoadInfo | None:
    if value is None:
        return None
    obj = _keys(value, {"modules", "found", "missing", "near", "notes", "warnings", "standins"}, "load")
    near = _str_map(obj["near"], "load.near")
    return LoadInfo(
        modules={k: _str(v, "load.modules") for k, v in _str_map(obj["modules"], "load.modules").items()},
        found={k: _str(v, "load.found") for k, v in _str_map(obj["found"], "load.found").items()},
        missing=_str_list(obj["missing"], "load.missing"),
        near={k: _str_list(v, "load.near") for k, v in near.items()},
        notes=_str_list(obj["notes"], "load.notes"),
        warnings=_str_list(obj["warnings"], "load.warnings"),
        standins=_str_list(obj["standins"], "load.standins"),
    )


def _record(value: Any, limits: FrameLimits, what: str) -> RecordValue:
    try:
        return arrays.decode_value(value, max_elements=limits.max_elements)
    except arrays.ArrayFormatError as err:
        raise WireError(f"{what}: {err}") from None


def _outputs(value: Any, record_keys: Mapping[str, set[str]], limits: FrameLimits) -> dict[str, CaseOutput]:
    outputs = {}
    for cid, raw in _str_map(value, "outputs").items():
        _expect(cid in record_keys, f"outputs: case {cid[:80]!r} is not a case of this job")
        obj = _keys(raw, {"status", "records", "mutated", "failure", "packed", "handed"}, f"outputs[{cid}]")
        _expect(obj["status"] in ("ok", "error"), f"outputs[{cid}].status")
        records = _str_map(obj["records"], f"outputs[{cid}].records")
        _expect(set(records) <= record_keys[cid], f"outputs[{cid}]: a record key the case does not record")
        outputs[cid] = CaseOutput(
            cid,
            obj["status"],
            {k: _record(v, limits, f"outputs[{cid}].records[{k}]") for k, v in records.items()},
            _str_list(obj["mutated"], f"outputs[{cid}].mutated"),
            _optional_failure(obj["failure"], f"outputs[{cid}].failure"),
            _str_list(obj["packed"], f"outputs[{cid}].packed")[:8],
            _str_list(obj["handed"], f"outputs[{cid}].handed")[:4],
        )
    return outputs


RUN_KEYS = {
    "isolation", "load", "outputs", "process_failure", "stdout", "stderr", "elapsed_seconds",
    "phase_failures", "staff_output", "isolation_notes",
}  # fmt: skip


def run_from_wire(value: Any, record_keys: Mapping[str, set[str]], limits: FrameLimits) -> RunResult:
    """`record_keys`: case id -> the record keys its steps ask for (from the client's own plan)."""
    obj = _keys(value, RUN_KEYS, "run")
    _expect(obj["isolation"] in ISOLATIONS, f"unknown isolation {str(obj['isolation'])[:40]!r}")
    elapsed = obj["elapsed_seconds"]
    _expect(isinstance(elapsed, int | float) and not isinstance(elapsed, bool), "elapsed_seconds")
    staff = _str_map(obj["staff_output"], "staff_output")
    for pair in staff.values():
        _expect(isinstance(pair, list) and len(pair) == 2, "staff_output: [stdout, stderr] per phase")
    return RunResult(
        isolation=obj["isolation"],
        load=_load(obj["load"]),
        outputs=_outputs(obj["outputs"], record_keys, limits),
        process_failure=_optional_failure(obj["process_failure"], "process_failure"),
        stdout=_str(obj["stdout"], "stdout"),
        stderr=_str(obj["stderr"], "stderr"),
        elapsed_seconds=float(elapsed),
        phase_failures={
            k: _failure(v, f"phase_failures[{k}]")
            for k, v in _str_map(obj["phase_failures"], "phase_failures").items()
        },
        staff_output={k: (_str(o, "staff_output"), _str(e, "staff_output")) for k, (o, e) in staff.items()},
        isolation_notes=_str_list(obj["isolation_notes"], "isolation_notes"),
    )


REPLY_KEYS = {"student", "sha256", "worker", "run"}  # and "build", from every worker since session 36


@dataclass(frozen=True)
class WorkerReply:
    """One graded job as a Dask worker returns it: which submission (student and the sha256 of the files the
    client sent), which worker ran it with what isolation, the run, and which build of the grader ran it
    (the worker's `build.source_digest` read as its sandbox started; "" from a grader too old to say: the
    client grades from a reply of its own build only, executor._same_build)."""

    student: str
    sha256: str
    worker: str
    run: RunResult
    build: str = ""

    def to_bytes(self) -> bytes:
        doc = {"student": self.student, "sha256": self.sha256, "worker": self.worker, "build": self.build}
        return json.dumps({**doc, "run": run_to_wire(self.run)}, allow_nan=False).encode()

    @classmethod
    def from_bytes(
        cls, data: Any, record_keys: Mapping[str, set[str]], limits: FrameLimits | None = None
    ) -> WorkerReply:
        _expect(isinstance(data, bytes), "a worker reply must be bytes")
        _expect(len(data) <= MAX_REPLY_BYTES, f"a worker reply of {len(data)} bytes (cap {MAX_REPLY_BYTES})")
        try:
            doc = json.loads(data, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as err:
            raise WireError(f"a worker reply that is not JSON: {str(err)[:200]}") from None
        # A worker of a grader from before session 36 sends no build: read as "", another build than any
        # client's, which stops the batch in the TA's words rather than costing each of its replies
        keys = REPLY_KEYS | ({"build"} if isinstance(doc, dict) and "build" in doc else set())
        obj = _keys(doc, keys, "reply")
        run = run_from_wire(obj["run"], record_keys, limits or FrameLimits())
        student, sha256 = _str(obj["student"], "student"), _str(obj["sha256"], "sha256")
        said = _str(obj.get("build", ""), "build")
        return cls(student, sha256, _str(obj["worker"], "worker"), run, said)


def _refuse_constant(name: str) -> Any:
    raise WireError(f"the JSON literal {name} is not allowed")


def accept(
    data: Any,
    student: str,
    sha256: str,
    record_keys: Mapping[str, set[str]],
    limits: FrameLimits | None = None,
) -> WorkerReply:
    """The reply to the job sent for `student` with files of `sha256`, checked; WireError if it is malformed
    or answers another job."""
    reply = WorkerReply.from_bytes(data, record_keys, limits)
    if (reply.student, reply.sha256) != (student, sha256):
        got = f"{reply.student[:80]!r} ({reply.sha256[:16]})"
        raise WireError(f"a reply for {got} to the job for {student!r} ({sha256[:16]})")
    return reply
