"""The process verdict and not_run bookkeeping of build_run_result, from synthetic worker replies."""

from __future__ import annotations

import signal

import pytest

from grader.sandbox.result import Reply, build_run_result

from .helpers import case
from .test_frames import DONE, LOADED, stream

JOB = {
    "harness": {"phases": [{"name": "visible", "cases": [case("c1", "dx"), case("c2", "dx")]}]},
    "limits": {"cpu_seconds": 2, "memory_mib": 100},
}
_WHOLE_RUN = ("result_truncated", "harness_lost")
C1 = {"type": "case", "id": "c1", "status": "ok", "records": {"dx": {"shape": [], "data": [1.0]}}}


def reply(frames: bytes, stdout: bytes = b"out", **meta: object) -> Reply:
    """A worker's reply for one visible phase whose student process ended as `meta` says."""
    base = {"phase": "visible", "exit_code": 0, "signal": None, "cpu_seconds": 0.1, "max_rss_kib": 1000}
    phase = {**base, "setup_ok": True, **{k: v for k, v in meta.items() if k not in _WHOLE_RUN}}
    top = {k: v for k, v in meta.items() if k in _WHOLE_RUN}
    return Reply({"phases": [phase], **top}, frames, ((stdout, b""),))


def run(frames: bytes, **meta: object):
    return build_run_result(JOB, reply(frames, **meta), "rlimits", 0.5)


CASES = {
    "timeout": ({"timed_out": True, "signal": signal.SIGKILL}, "timeout"),
    "sigxcpu": ({"signal": signal.SIGXCPU}, "cpu_limit"),
    "sigkill at cpu limit": ({"signal": signal.SIGKILL, "cpu_seconds": 2.0}, "cpu_limit"),
    "sigkill near memory": ({"signal": signal.SIGKILL, "max_rss_kib": 95 * 1024}, "memory_limit"),
    "sigsegv low memory": ({"signal": signal.SIGSEGV}, "crashed"),
    "output flood": ({"output_exceeded": True, "signal": signal.SIGKILL}, "output_limit"),
    "file too big": ({"signal": signal.SIGXFSZ}, "output_limit"),
    "too many files": ({"files_exceeded": True, "signal": signal.SIGKILL}, "output_limit"),
    "too many bytes": ({"bytes_exceeded": 512, "signal": signal.SIGKILL}, "output_limit"),
    "folders too deep": ({"depth_exceeded": True, "signal": signal.SIGKILL}, "output_limit"),
    "too many threads": ({"threads_exceeded": True, "signal": signal.SIGKILL}, "memory_limit"),
    "result flood": ({"result_truncated": True}, "protocol_violation"),
    "clean early exit": ({}, "no_result"),
    "confinement failed": ({"exit_code": 121, "setup_ok": False}, "crashed"),
    "garbled channel": ({"end_reason": "broken", "ended_by_harness": False}, "protocol_violation"),
    "answer too large": (
        {"end_reason": "oversize", "killed_after_end": True, "signal": signal.SIGKILL},
        "protocol_violation",
    ),
    "closed channel, still running": (
        {"end_reason": "eof", "killed_after_end": True, "signal": signal.SIGKILL},
        "no_result",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_process_verdicts(name: str) -> None:
    """Each way a child can end maps to its documented failure code; c2 (unreported) becomes not_run."""
    meta, code = CASES[name]
    frames = b"" if name == "confinement failed" else stream(LOADED, C1)
    result = run(frames, **meta)
    assert result.process_failure is not None and result.process_failure.code == code
    if name == "result flood":  # nothing of a flooded stream is trusted: no load info, no output at all
        assert result.load is None and result.outputs == {}
        return
    assert result.outputs["c2"].failure is not None and result.outputs["c2"].failure.code == "not_run"
    assert result.process_failure.message in result.outputs["c2"].failure.message


def test_too_many_files_is_said_so_not_a_crash() -> None:
    """A process the worker stopped for filling its scratch with files is told how many it may make, never
    that it printed too much; the same SIGKILL without the worker's flag is a crash (negative control)."""
    files = run(stream(LOADED, C1), files_exceeded=True, signal=signal.SIGKILL).process_failure
    killed = run(stream(LOADED, C1), signal=signal.SIGKILL).process_failure
    assert files is not None and "more than 20,000 files and folders" in files.message
    assert "'c2'" in files.message and "Printed" not in files.message
    assert killed is not None and killed.code == "crashed"


def test_a_folder_counted_past_its_quota_or_depth_is_said_so_not_a_crash() -> None:
    """Where the worker counts a student process's folder on the host's disk (folder_usage.py) and stops it,
    the student reads the quota it passed, or the nesting, with the case; a flag that is no positive MiB
    count (True, 0, a string) is no quota, and that SIGKILL a crash (negative control)."""
    written = run(stream(LOADED, C1), bytes_exceeded=512, signal=signal.SIGKILL).process_failure
    deep = run(stream(LOADED, C1), depth_exceeded=True, signal=signal.SIGKILL).process_failure
    assert (
        written is not None and "Wrote more than 512 MiB of files while running case 'c2'" in written.message
    )
    assert deep is not None and "nested more than 32 deep while running case 'c2'" in deep.message
    for odd in (True, 0, "512"):
        killed = run(stream(LOADED, C1), bytes_exceeded=odd, signal=signal.SIGKILL).process_failure
        assert killed is not None and killed.code == "crashed", odd


def test_too_many_threads_is_said_so_not_a_crash() -> None:
    """A process the worker stopped for running too many threads is told the bound, not that it ran out of
    memory or crashed; the same SIGKILL without the worker's flag is a crash (negative control)."""
    threads = run(stream(LOADED, C1), threads_exceeded=True, signal=signal.SIGKILL).process_failure
    killed = run(stream(LOADED, C1), signal=signal.SIGKILL).process_failure
    assert threads is not None and "more than 1,024 threads at once" in threads.message
    assert "'c2'" in threads.message and "Ran out" not in threads.message
    assert killed is not None and killed.code == "crashed"


def test_an_answer_too_large_is_said_to_be_too_large_not_garbled() -> None:
    """An answer over the harness's cap was left unread: the message says it was too large, never that the
    code wrote to file descriptor 3 (the garbled channel's wording is the negative control)."""
    large = run(stream(LOADED, C1), end_reason="oversize", killed_after_end=True).process_failure
    garbled = run(stream(LOADED, C1), end_reason="broken").process_failure
    assert large is not None and "33 MiB at once" in large.message and "'c2'" in large.message
    assert "file descriptor" not in large.message
    assert garbled is not None and "file descriptor 3" in garbled.message


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
    failed = {
        "type": "load_failed",
        "phase": "visible",
        "failure": {"code": "syntax_error", "message": "line 3", "detail": "tb"},
    }
    result = run(stream(failed), ended_by_harness=True, signal=signal.SIGKILL)
    assert result.process_failure is not None and result.process_failure.code == "syntax_error"
    assert {o.failure.code for o in result.outputs.values() if o.failure} == {"not_run"}


def test_truncated_output_is_marked() -> None:
    """Capped stdout is marked as truncated for the reader."""
    result = build_run_result(JOB, reply(b"", stdout=b"abc", stdout_truncated=True), "bwrap", 0.1)
    assert result.stdout.startswith("abc") and "truncated" in result.stdout


def test_a_process_the_harness_ended_is_not_the_students_failure() -> None:
    """Negative control: SIGKILL sent by the grader after the last case is not reported as a crash."""
    c2 = {**C1, "id": "c2"}
    result = run(
        stream(LOADED, C1, c2, DONE), signal=signal.SIGKILL, ended_by_harness=True, end_reason="done"
    )
    assert result.process_failure is None


VISIBLE_HIDDEN = {
    "harness": {
        "phases": [
            {"name": "visible", "cases": [case("c1", "dx")]},
            {"name": "hidden", "cases": [case("c2", "dx")]},
        ]
    },
    "limits": {"cpu_seconds": 2, "memory_mib": 100, "wall_seconds": 3},
}


def test_a_later_phase_failure_is_for_staff_and_its_cases() -> None:
    """A hidden phase that timed out fails its own cases; the student-facing process failure stays empty."""
    visible = {"phase": "visible", "exit_code": 0, "signal": None, "setup_ok": True, "ended_by_harness": True}
    hidden = {"phase": "hidden", "exit_code": None, "signal": 9, "setup_ok": True, "timed_out": True}
    hidden_loaded = {**LOADED, "phase": "hidden"}
    frames = stream(LOADED, C1, hidden_loaded, DONE)
    worker = Reply({"phases": [visible, hidden]}, frames, ((b"seen", b""), (b"secret", b"")))
    result = build_run_result(VISIBLE_HIDDEN, worker, "bwrap", 1.0)
    assert result.process_failure is None
    assert result.phase_failures["hidden"].code == "timeout"
    assert result.stdout == "seen" and result.staff_output["hidden"] == ("secret", "")


def test_a_later_phases_load_failure_is_its_own_not_no_result() -> None:
    """The hidden phase's process could not load the submission (its own words: staff read them, and its
    cases carry them), not "The sandbox reported no result"; the student-facing process failure stays
    empty. Control: the visible phase, loaded, has no failure."""
    ended = {"exit_code": 0, "signal": None, "setup_ok": True, "ended_by_harness": True}
    failed = {
        "type": "load_failed",
        "phase": "hidden",
        "failure": {"code": "exception", "message": "RuntimeError at import, line 7", "detail": "tb"},
    }
    frames = stream(LOADED, C1, failed, DONE)
    phases = [{**ended, "phase": "visible"}, {**ended, "phase": "hidden"}]
    outputs = ((b"", b""), (b"", b""))
    result = build_run_result(VISIBLE_HIDDEN, Reply({"phases": phases}, frames, outputs), "bwrap", 1.0)
    assert result.process_failure is None and "visible" not in result.phase_failures
    hidden = result.phase_failures["hidden"]
    assert (hidden.code, hidden.message) == ("exception", "RuntimeError at import, line 7")
    c2 = result.outputs["c2"].failure
    assert c2 is not None and c2.code == "not_run" and "RuntimeError at import, line 7" in c2.message


def test_a_later_phases_process_ending_at_its_load_is_told_it_ended_while_loading() -> None:
    """A hidden phase's process that ends itself (os._exit) before its 'loaded' frame ended while loading the
    submission: its cases say so, with the load's likely place, never "while running case" and "in a method
    this case calls" (what they said until session 29: only a load failure counted as not loaded). Control:
    the same exit after its 'loaded' frame is told with the case it ran."""
    from grader.sandbox.result import IN_A_CASE, NOT_LOADED

    visible = {**_ENDED, "phase": "visible"}
    exited = {"phase": "hidden", "exit_code": 0, "signal": None, "setup_ok": True}
    phases, outputs = [visible, exited], ((b"", b""), (b"", b""))
    for frames, said in (
        (stream(LOADED, C1), f"Your code ended its process (exit code 0) {NOT_LOADED}"),
        (
            stream(LOADED, C1, {**LOADED, "phase": "hidden"}),
            f"Your code ended its process (exit code 0) while running case 'c2', before reporting its "
            f"results. {IN_A_CASE}",
        ),
    ):
        result = build_run_result(VISIBLE_HIDDEN, Reply({"phases": phases}, frames, outputs), "bwrap", 1.0)
        assert result.process_failure is None
        assert result.phase_failures["hidden"].message == said


def test_the_visible_process_ending_at_its_load_is_told_so_whatever_a_later_process_loaded() -> None:
    """The visible phase's process ends itself before its 'loaded' frame and a later phase's process loads
    (the harness runs one when the visible process ended after its load was answered, while its names were
    looked up, or a load that ended only the first time): the student is told their code ended while
    loading, never "while running case 'c1'" and "in a method this case calls": the later phase's 'loaded'
    frame is no load of the visible phase's process (it read so until session 37). Control: the same exit
    after the visible phase's own 'loaded' frame is told with the case it ran."""
    from grader.sandbox.result import IN_A_CASE, NOT_LOADED

    exited = {"phase": "visible", "exit_code": 0, "signal": None, "setup_ok": True}
    hidden = {**_ENDED, "phase": "hidden"}
    ok2 = {"type": "case", "id": "c2", "status": "ok", "records": {"dx": {"shape": [], "data": [2.0]}}}
    phases, outputs = [exited, hidden], ((b"", b""), (b"", b""))
    for frames, said in (
        (
            stream({**LOADED, "phase": "hidden"}, ok2, DONE),
            f"Your code ended its process (exit code 0) {NOT_LOADED}",
        ),
        (
            stream(LOADED, {**LOADED, "phase": "hidden"}, ok2, DONE),
            f"Your code ended its process (exit code 0) while running case 'c1', before reporting its "
            f"results. {IN_A_CASE}",
        ),
    ):
        result = build_run_result(VISIBLE_HIDDEN, Reply({"phases": phases}, frames, outputs), "bwrap", 1.0)
        assert result.process_failure is not None and result.process_failure.message == said, (
            result.process_failure
        )


TWO_PHASES = {
    "harness": {
        "phases": [
            {"name": "visible", "cases": [case("c1", "dx")]},
            {"name": "hidden", "cases": [case("c2", "dx"), case("c3", "dx")]},
        ]
    },
    "limits": {"cpu_seconds": 2, "memory_mib": 100, "wall_seconds": 3},
}
_ENDED = {"exit_code": 0, "signal": None, "setup_ok": True, "ended_by_harness": True}


def test_phases_skipped_after_the_first_process_could_not_load_say_why() -> None:
    """The visible phase's process never loaded the submission (out of time at import; or its load failed):
    the harness forks no later process (grader/inside/harness.py run_job), and the hidden phase's staff
    record says it was skipped and why, in the words the student is told, never "The sandbox reported no
    result". Control: a visible process that had loaded leaves an unstarted phase "no result"."""
    timed_out = {"phase": "visible", "exit_code": None, "signal": 9, "setup_ok": True, "timed_out": True}
    import_error = {"code": "import_error", "message": "No module named 'matplotlib'", "detail": ""}
    for meta, frames in (
        (timed_out, b""),
        (
            {**_ENDED, "phase": "visible"},
            stream({"type": "load_failed", "phase": "visible", "failure": import_error}),
        ),
    ):
        result = build_run_result(
            VISIBLE_HIDDEN, Reply({"phases": [meta]}, frames, ((b"", b""),)), "bwrap", 1.0
        )
        told = result.process_failure
        assert told is not None and told.code in ("timeout", "import_error")
        hidden = result.phase_failures["hidden"]
        assert hidden.code == "not_run" and hidden.message.startswith("Skipped: the process of the visible ")
        assert f"({told.code})" in hidden.message and hidden.message.endswith(told.message), hidden.message
        assert result.staff_output == {}  # no later process ran
    ran = Reply({"phases": [{**_ENDED, "phase": "visible"}]}, stream(LOADED, C1), ((b"", b""),))
    loaded = build_run_result(VISIBLE_HIDDEN, ran, "bwrap", 1.0)
    assert loaded.phase_failures["hidden"].code == "no_result"


@pytest.mark.parametrize("how", ["result flood", "refused frame"])
def test_a_later_phase_that_floods_or_garbles_the_results_spoils_only_itself(how: str) -> None:
    """The result stream goes wrong in the hidden phase (the worker's cap on results, or a frame the parent
    refuses): the hidden phase fails (staff), its cases are not run, and the visible phase, reported before,
    stands with no process failure (DESIGN rule 11: the hidden phase's process chooses whether it happens);
    the same in the visible phase (the control) refuses everything."""
    hidden_loaded = {**LOADED, "phase": "hidden"}
    c2 = {"type": "case", "id": "c2", "status": "ok", "records": {"dx": {"shape": [], "data": [1.0]}}}
    if how == "result flood":
        meta: dict[str, object] = {"result_truncated": True}
        frames = stream(LOADED, C1, hidden_loaded, c2)
    else:
        meta = {}
        frames = stream(LOADED, C1, hidden_loaded, {**c2, "records": {"dx": {"shape": [2], "data": [1.0]}}})
    metas = [{"phase": "visible", **_ENDED}, {"phase": "hidden", **_ENDED}]
    outputs = ((b"seen", b""), (b"", b""))
    result = build_run_result(TWO_PHASES, Reply({"phases": metas, **meta}, frames, outputs), "bwrap", 1.0)
    assert result.process_failure is None and result.load is not None
    assert result.outputs["c1"].status == "ok" and result.outputs["c1"].failure is None
    assert result.phase_failures["hidden"].code == "protocol_violation"
    for case_id in ("c2", "c3"):
        failure = result.outputs[case_id].failure
        assert failure is not None and failure.code == "not_run"
    early = stream(LOADED, {**C1, "records": {"dx": {"shape": [2], "data": [1.0]}}}) if meta == {} else b""
    control = build_run_result(
        TWO_PHASES, Reply({"phases": metas, **meta}, early or stream(LOADED), outputs), "bwrap", 1.0
    )
    assert control.process_failure is not None and control.process_failure.code == "protocol_violation"
    assert control.load is None and control.outputs == {}


def test_a_timeout_says_whether_the_code_waited_or_computed() -> None:
    """Stopped by the wall clock (10 s by default: the job sets no wall limit here): with little CPU used it
    waited (sleep, input()); with the CPU busy all along it computed, and before the first case that is code
    at the top level of a file (a training loop), told to go under `if __name__ == "__main__":`."""
    waited = run(stream(LOADED, C1), timed_out=True, signal=signal.SIGKILL, cpu_seconds=0.1).process_failure
    assert waited is not None and "waits (sleep, input(), a lock)" in waited.message
    busy = run(stream(LOADED, C1), timed_out=True, signal=signal.SIGKILL, cpu_seconds=9.8).process_failure
    assert busy is not None and "computing all along (9.8 s of CPU)" in busy.message
    assert "loop that never ends" in busy.message
    loading = run(b"", timed_out=True, signal=signal.SIGKILL, cpu_seconds=9.8).process_failure
    assert loading is not None and loading.code == "timeout"
    assert 'put it under `if __name__ == "__main__":`' in loading.message
