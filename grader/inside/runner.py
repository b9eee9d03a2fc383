"""Both sides of the boundary in ONE process, for tests of the adapters and the step interpreter only.

Production never imports this module: there the harness and the student's code run in different processes
(worker.py). Here a job in the flat layout of the first build ({family, modules, required, optional,
forbidden_imports, support_files, cases; standins: the served stand-in files, as the pipeline sends them}) is
run with its files already in the working dir, through the same wire encoding, so that what the tests see is
what crosses the real boundary.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from . import confine, harness, server, standins, wire

Emit = Callable[[dict[str, Any]], None]


def run_job(job: Mapping[str, Any], emit: Emit) -> None:
    root = os.path.realpath(os.getcwd())
    if job.get("standins"):  # as the worker's student process does (worker._student_child)
        served = root + "-book"  # beside the working dir, as the worker's folder is beside its jobs
        os.mkdir(served, 0o700)
        confine.write_files(served, job["standins"])
        confine.seal(served)
        standins.serve(served)
    student = server.Server(root)

    def connect(label: str, phases: int) -> Callable[[bytes], bytes | None]:
        def transport(request: bytes) -> bytes | None:
            return wire.dumps(server.execute(student, wire.load_ops(request)))

        return transport

    harness_job = {
        "family": job.get("family"),
        "ops": dict(job.get("ops") or {}),
        "load": {
            "modules": list(job.get("modules") or ()),
            "required": list(job.get("required") or ()),
            "optional": list(job.get("optional") or ()),
            "forbidden_imports": list(job.get("forbidden_imports") or ()),
            "support_files": sorted(dict(job.get("support_files") or {})),
            "one_of": [list(g) for g in job.get("one_of") or ()],
            "copies": dict(job.get("copies") or {}),
            "copy_reasons": dict(job.get("copy_reasons") or {}),
            "stage_step": job.get("stage_step"),
            "pickle_defs": dict(job.get("pickle_defs") or {}),
        },
        "phases": [{"name": "visible", "cases": list(job.get("cases") or ())}],
    }
    harness.run_job(harness_job, emit, connect, lambda label, why, serves: None)
