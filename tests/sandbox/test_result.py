"""The process verdict and not_run bookkeeping of build_run_result, from synthetic worker replies."""

from __future__ import annotations

import signal

import pytest

from grader.inside.confine import CONFINE_FAILED_EXIT
from grader.sandbox.result import Reply, build_run_result

from .helpers import case
from .test_frames import DONE, LOADED, stream

JOB = {"cases": [case("c1", "dx"), case("c2", "dx")], "limits": {"cpu_seconds": 2, "memory_mib": 100}}
C1 = {"type": "case", "id": "c1", "status": "ok", "records": {"dx": {"shape": [], "data": [1.0]}}}


def run(frames: bytes, **meta: object):
    base = {"exit_code": 0, "signal": None, "cpu_seconds": 0.1, "max_rss_kib": 1000}
    return build_run_result(JOB, Reply({**base, **meta}, frames, b"out", b""), "rlimits", 0.5)


CASES = {
    "timeout": ({"timed_out": True, "signal": signal.SIGKILL}, "timeout"),
    "sigxcpu": ({"signal": signal.SIGXCPU}, "cpu_limit"),
    "sigkill at cpu limit": ({"signal": signal.SIGKILL, "cpu_seconds": 2.0}, "cpu_limit"),
    "sigkill near memory": ({"signal": signal.SIGKILL, "max_rss_kib": 95 * 1024}, "memory_limit"),
    "sigsegv low memory": ({"signal": signal.SIGSEGV}, "crashed"),
    "output flood": ({"output_exceeded": True, "signal": signal.SIGKILL}, "output_limit"),
    "file too big": ({"signal": signal.SIGXFSZ}, "output_limit"),
    "result flood": ({"result_truncated": True}, "protocol_violation"),
    "clean early exit": ({}, "no_result"),
    "confinement failed": ({"exit_code": CONFINE_FAILED_EXIT}, "crashed"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_process_verdicts(name: str) -> None:
    """Each way a child can end maps to its documented failure code; c2 (unreported) becomes not_run."""
    meta, code = CASES[name]
    frames = b"" if name == "confinement failed" else stream(LOADED, C1)
    result = run(frames, **meta)
    assert result.process_failure is not None and result.process_failure.code == code
    assert result.outputs["c2"].failure is not None and result.outputs["c2"].failure.code == "not_run"
    assert result.process_failure.message in result.outputs["c2"].failure.message


def test_segv_names_the_signal_and_running_case() -> None:
    """A crash message names the signal and the case that was running."""
    failure = run(stream(LOADED, C1), signal=signal.SIGSEGV).process_failure
    assert failure is not None and "SIGSEGV" in failure.message and "'c2'" in failure.message


def test_complete_run_has_no_failure() -> None:
    """Negative control: every case reported and done -> no process failure, no not_run."""
    c2 = {**C1, "id": "c2"}
    result = run(stream(LOADED, C1, c2, DONE))
    assert result.process_failure is None and all(o.status == "ok" for o in result.outputs.values())


def test_load_failed_is_the_process_failure() -> None:
    """load_failed's own failure becomes the process failure and every case is not_run."""
    failed = {"type": "load_failed", "failure": {"code": "syntax_error", "message": "line 3", "detail": "tb"}}
    result = run(stream(failed))
    assert result.process_failure is not None and result.process_failure.code == "syntax_error"
    assert {o.failure.code for o in result.outputs.values() if o.failure} == {"not_run"}


def test_truncated_output_is_marked() -> None:
    """Capped stdout is marked as truncated for the reader."""
    result = build_run_result(JOB, Reply({"stdout_truncated": True}, b"", b"abc", b""), "bwrap", 0.1)
    assert result.stdout.startswith("abc") and "truncated" in result.stdout
