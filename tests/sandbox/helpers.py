"""Builders shared by the sandbox tests: jobs around a `solution.py` run by fake_runner.py."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path
from typing import Any

FAKE_RUNNER = Path(__file__).with_name("fake_runner.py")


def case(case_id: str, *keys: str, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    steps = [{"do": "record", "key": k, "value_of": "x"} for k in keys]
    return {"id": case_id, "kind": "unit", "target": None, "inputs": inputs or {}, "steps": steps}


def make_job(
    solution: str,
    cases: list[dict[str, Any]] | None = None,
    job_id: str = "job",
    support: dict[str, bytes] | None = None,
    **limits: float,
) -> dict[str, Any]:
    src = textwrap.dedent(solution).encode()
    return {
        "job_id": job_id,
        "limits": {"wall_seconds": 10.0, "cpu_seconds": 5.0, "memory_mib": 512, "output_kib": 64, **limits},
        "student": {
            "files": {"solution.py": base64.b64encode(src).decode()},
            "support_files": {k: base64.b64encode(v).decode() for k, v in (support or {}).items()},
        },
        "harness": {
            "family": "miniflow",
            "load": {"modules": ["solution.py"], "required": ["run_case"]},
            "phases": [{"name": "visible", "cases": cases if cases is not None else [case("c1", "v")]}],
        },
    }


TRIVIAL = """
def run_case(case):
    return {"v": 1.5}
"""
