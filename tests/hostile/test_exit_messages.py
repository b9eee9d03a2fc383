"""What a student reads when their code ends its own process (grader/sandbox/result.py, `_no_result`): the
exit code, and where it happened (while the file loaded, or in which case), each with the likely call; a
sys.exit() is reported as the exception it is, with its line (the control)."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch.students import grader

from grader.sandbox.result import CHANNEL_LOST, IN_A_CASE, LIKELY_AT_LOAD, NOT_LOADED, WHILE_LOADING

HOSTILE = Path(__file__).resolve().parents[2] / "submissions" / "hostile"


def _check(sample: str) -> list[str]:
    done = grader("check", "--seed", "1", str(HOSTILE / sample))
    assert done.returncode == 1, done.stdout + done.stderr  # a visible case fails
    return done.stdout.splitlines()


def test_os_exit_at_import_is_said_as_an_exit_while_the_file_loaded() -> None:
    """os._exit(0) at the end of the module: "ended its process (exit code 0) while the grader was loading
    your file", once above the column of errors; never "inside a method" (it said both places before)."""
    lines = _check("os_exit_import.py")
    reason = f"Your code ended its process (exit code 0) {NOT_LOADED}"
    assert f"every case below is an error, for one reason: {reason}" in lines
    assert not any("inside a method" in line or "while running case" in line for line in lines)


def test_os_exit_in_a_method_is_said_with_the_case_that_called_it() -> None:
    """os._exit(0) in Linear.backward: the first case that calls it, its exit code, and the method as the
    likely place; never "at import"."""
    lines = [line.strip() for line in _check("os_exit_backward.py")]
    said = [line for line in lines if line.startswith("Your code ended its process")]
    assert said == [
        f"Your code ended its process (exit code 0) while running case 'quiz-documented', before reporting "
        f"its results. {IN_A_CASE}"
    ]
    assert not any("at import" in line or "loading your file" in line for line in lines)


@pytest.mark.parametrize("sample", ["sys_exit_backward.py", "sys_exit_import_top.py"])
def test_control_sys_exit_is_reported_as_the_exception_with_its_line(sample: str) -> None:
    """Control: a sys.exit() is an exception the process reports, with its file and line: none of the
    messages above, which are for an exit that says nothing."""
    lines = _check(sample)
    assert not any("Your code ended its process" in line for line in lines)
    assert any(sample in line and "line" in line for line in lines), lines


@pytest.mark.parametrize("sample", ["close_fds.py", "dup2_fds.py"])
def test_a_channel_closed_or_redirected_is_said_as_such_not_as_os_exit(sample: str) -> None:
    """Closing fds 0 to 255, or dup2 over them, at import: the process ends with exit code 1 when its channel
    fails; the student reads that, with the calls that do it, never "Likely os._exit() at the top level"
    (session 28 told them so: neither sample calls os._exit)."""
    lines = _check(sample)
    reason = f"Your code ended its process (exit code 1) {WHILE_LOADING} {CHANNEL_LOST}"
    assert f"every case below is an error, for one reason: {reason}" in lines
    assert not any(LIKELY_AT_LOAD in line for line in lines)
