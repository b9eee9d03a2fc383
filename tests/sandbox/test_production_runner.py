"""The production path: the real harness (no fake) driven through the pool in each isolation mode."""

from __future__ import annotations

from grader.sandbox import SandboxPool
from grader.sandbox.bench import bench_job


def test_real_runner_grades_a_dezero_square(isolation: str) -> None:
    """A correct Square gives d(x^2)/dx = 2x = 6 at x = 3 (hand-derived), through the real runner."""
    with SandboxPool(1, isolation) as pool:  # type: ignore[arg-type]
        result = pool.run(bench_job("prod"))
    assert result.process_failure is None, (result.process_failure, result.stderr)
    assert result.load is not None and result.load.missing == ()
    assert float(result.outputs["sq"].records["dx"]) == 6.0


def test_real_runner_reports_a_wrong_gradient_as_is(isolation: str) -> None:
    """Negative control: a Square whose backward forgets the factor 2 comes back as 3, not 6."""
    job = bench_job("wrong")
    import base64

    from grader.sandbox.bench import SUBMISSION

    wrong = SUBMISSION.replace(b"return 2 * self.inputs[0].data * gy", b"return self.inputs[0].data * gy")
    assert wrong != SUBMISSION
    job["student"]["files"] = {"dezero.py": base64.b64encode(wrong).decode()}
    with SandboxPool(1, isolation) as pool:  # type: ignore[arg-type]
        result = pool.run(job)
    assert float(result.outputs["sq"].records["dx"]) == 3.0
