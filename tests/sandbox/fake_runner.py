"""A stand-in for grader/inside/runner.py, loaded by the sandbox worker only in these tests.

It imports `solution.py` from the child's directory (module-level code runs there, hostile or not), emits
"loaded", then one "case" frame per job case with the records `solution.run_case(case)` returns (bools, None
or numbers, encoded here), then "done". MemoryError becomes a `memory_limit` failure, as in the real runner.
"""

import importlib
import os
import sys
import traceback

import numpy as np


def _encode(value):
    if value is None or isinstance(value, bool):
        return value
    a = np.asarray(value, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(x) for x in a.ravel()]}


def _failure(err):
    code = "memory_limit" if isinstance(err, MemoryError) else "exception"
    return {"code": code, "message": f"{type(err).__name__}: {err}", "detail": traceback.format_exc()}


def run_job(job, emit):
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module("solution")
    except Exception as err:
        emit({"type": "load_failed", "failure": _failure(err)})
        return
    emit({"type": "loaded", "modules": {"solution": "solution.py"}, "found": {}, "missing": [], "near": {}})
    for case in job["cases"]:
        try:
            records = module.run_case(case)
            emit(
                {
                    "type": "case",
                    "id": case["id"],
                    "status": "ok",
                    "records": {k: _encode(v) for k, v in records.items()},
                    "mutated": [],
                }
            )
        except Exception as err:
            emit(
                {"type": "case", "id": case["id"], "status": "error", "failure": _failure(err), "records": {}}
            )
    emit({"type": "done"})
