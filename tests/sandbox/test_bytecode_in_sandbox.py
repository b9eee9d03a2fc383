"""The parent's bytecode reaches the student process beside the submission's source (grader/bytecode.py)."""

from __future__ import annotations

import base64

from grader.bytecode import pyc_files
from grader.inside.lazy_annotations import OPTIMIZATION
from grader.sandbox import SandboxPool
from grader.sandbox.bench import SUBMISSION, bench_job

# The module says, as it is imported, whether a pyc sits where the submission's loader looks for its
# bytecode (grader/inside/lazy_annotations.py: a name of its own, which Python's loaders never read;
# tests/test_bytecode.py shows the loader runs it without compiling).
PROBE = SUBMISSION + (
    b"\nimport os as _os, importlib.util as _u\n"
    b"_at = _u.cache_from_source(__file__, optimization=" + repr(OPTIMIZATION).encode() + b")\n"
    b"print('pyc beside the source:', _os.path.exists(_at))\n"
)


def _job(job_id: str, with_bytecode: bool) -> dict:
    job = bench_job(job_id)
    job["student"]["files"] = {"dezero.py": base64.b64encode(PROBE).decode()}
    compiled = pyc_files({"dezero.py": PROBE}) if with_bytecode else {}
    job["student"]["bytecode"] = {rel: base64.b64encode(data).decode() for rel, data in compiled.items()}
    return job


def test_the_student_process_finds_the_parents_pyc_and_grades_as_before(isolation: str) -> None:
    with SandboxPool(1, isolation) as pool:  # type: ignore[arg-type]
        with_pyc = pool.run(_job("with", True))
        without = pool.run(_job("without", False))  # the negative control: no layer, no pyc
    assert "pyc beside the source: True" in with_pyc.stdout, with_pyc.stderr
    assert "pyc beside the source: False" in without.stdout, without.stderr
    for result in (with_pyc, without):
        assert result.process_failure is None, (result.process_failure, result.stderr)
        assert float(result.outputs["sq"].records["dx"]) == 6.0  # d(x^2)/dx at 3, by hand
