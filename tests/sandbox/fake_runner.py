"""A stand-in for grader/inside/harness.py, loaded by the sandbox's harness process only in these tests.

It drives the student's process through the real boundary (grader/inside/remote.py): loads `solution.py`
there (its module-level code runs in the student's process, hostile or not), emits "loaded", then one
"case" frame per case with the records that `solution.run_case(case)` returns (bools, None or numbers),
then "done". A student error becomes a failure frame; the student's process ending ends the phase.
"""

import sys

_inside = sys.modules["inside"]
from inside.failures import StudentFailure  # noqa: E402
from inside.remote import Session, StudentProcessEnded  # noqa: E402


def _records(session, result, keys):
    out = {}
    for key in keys:
        item = session.getitem(result, key, missing_ok=True)
        if item.missing:
            continue
        if item.kind in ("bool", "none"):
            out[key] = item.desc.get("v") if item.kind == "bool" else None
        else:
            a = session.array(item, key)
            out[key] = {"shape": list(a.shape), "data": [float(x) for x in a.ravel()]}
    return out


def _run_phase(session, phase, emit):
    loaded = session.load({"modules": ["solution.py"], "required": ["run_case"], "aliases": {}})
    if loaded.get("failure"):
        emit({"type": "load_failed", "phase": phase["name"], "failure": loaded["failure"].to_dict()})
        return False
    emit(
        {
            "type": "loaded",
            "phase": phase["name"],
            "modules": {"solution": "solution.py"},
            "found": {},
            "missing": [],
            "near": {},
        }
    )
    run_case = session.lookup("run_case")
    for case in phase["cases"]:
        try:
            result = session.call(run_case, {k: v for k, v in case.items() if k != "inputs"})
            keys = [s["key"] for s in case.get("steps", []) if s.get("do") == "record"]
            records = _records(session, result, keys)
            emit({"type": "case", "id": case["id"], "status": "ok", "records": records, "mutated": []})
        except StudentFailure as failure:
            emit(
                {
                    "type": "case",
                    "id": case["id"],
                    "status": "error",
                    "failure": failure.to_dict(),
                    "records": {},
                }
            )
        if session.broken:
            raise StudentProcessEnded("broken")
    return True


def run_job(job, emit, connect, finish, begin=None):
    """One process per phase (the production harness shares one among the later phases: both are valid).
    A job asking for `harness_bug` meets a bug of the harness's own after its first phase."""
    for index, phase in enumerate(job["phases"]):
        why = "done"
        try:
            session = Session(connect(phase["name"], 1))
            if not _run_phase(session, phase, emit) and index == 0:
                return
        except StudentProcessEnded as ended:
            why = ended.why
        finally:
            finish(phase["name"], why, [phase["name"]])
        if job.get("harness_bug"):
            raise ValueError("a bug of the harness's own")
    emit({"type": "done"})
