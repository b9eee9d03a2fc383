"""Turn a worker's reply and the child's frames into a `grader.model.RunResult`.

The process-level verdict is decided here, for each phase's student process, in a fixed order (first match
wins), each with a message that names what happened, the limit, the case that was running and the likely
mistake. Cases never reported become `not_run` outputs carrying the reason of their phase.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from grader.fault import GRADER_ERROR, GRADER_FAILED
from grader.inside import contexts
from grader.inside.folder_usage import MAX_DEPTH
from grader.inside.limits import NPROC_LIMIT
from grader.inside.scratch import MAX_INODES
from grader.model import CaseOutput, Failure, Limits, RunResult

from .caps import MAX_REPLY_BYTES
from .frames import FrameLimits, ParsedFrames, job_phases, parse_frames

Isolation = Literal["bwrap", "rlimits-root-dropped", "rlimits-unprivileged", "none"]
MEMORY_NEAR_FRACTION = 0.9
CPU_SLACK_SECONDS = 0.05
_MEMORY_SIGNALS = {signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT}
TRUNCATED_MARK = "\n[... output truncated by the grader ...]\n"


@dataclass(frozen=True)
class Reply:
    """What the worker sent back for one job: meta, the result frames, and (stdout, stderr) per phase."""

    meta: Mapping[str, Any]
    frames: bytes
    outputs: tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True)
class _Context:
    """One phase's student process: how it ended (`meta`), what it wrote, the frames of the whole job."""

    meta: Mapping[str, Any]
    stderr: bytes
    parsed: ParsedFrames
    limits: Limits
    running: str  # " while running case 'x'" or ""
    phase_loaded: bool

    @property
    def sig(self) -> int | None:
        value = self.meta.get("signal")
        ours = self.meta.get("ended_by_harness") or self.meta.get("killed_after_end")
        return value if isinstance(value, int) and not ours else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# A process that used at least this share of the wall time on the CPU was computing, not waiting.
BUSY_SHARE = 0.5
# In the message of a timeout while loading: the judge follows it with the files' top-level loops
# (grader/judge/source_notes.py).
AT_IMPORT = "at the top level of a file"


def _timeout(c: _Context) -> Failure | None:
    if not c.meta.get("timed_out"):
        return None
    cpu = float(c.meta.get("cpu_seconds") or 0.0)
    stopped = f"Stopped after {c.limits.wall_seconds:g} s of wall-clock time{c.running}"
    if cpu < BUSY_SHARE * c.limits.wall_seconds:
        waits = "Likely an endless loop that waits (sleep, input(), a lock) or code that blocks."
        return Failure("timeout", f"{stopped}. {waits}")
    if not c.phase_loaded:  # computing all along, before the first case: code at the top level of a file
        return Failure(
            "timeout",
            f"{stopped}, computing all along ({cpu:.1f} s of CPU). Likely a "
            f"training loop or demo {AT_IMPORT}, which runs when the file is imported: put it "
            'under `if __name__ == "__main__":`.',
        )
    return Failure(
        "timeout",
        f"{stopped}, computing all along ({cpu:.1f} s of CPU). Likely a loop that never ends (a backward "
        "pass that never reaches the inputs, a while loop without progress) or far too slow code.",
    )


def _output(c: _Context) -> Failure | None:
    if c.meta.get("output_exceeded"):
        return Failure(
            "output_limit",
            f"Printed far more than the {c.limits.output_kib} KiB output limit{c.running} and was stopped. "
            "Likely a print inside a loop; remove debugging prints.",
        )
    if c.sig == signal.SIGXFSZ:
        return Failure(
            "output_limit",
            f"Wrote a file past the size limit{c.running} and was stopped. Likely a file written in a loop.",
        )
    if c.meta.get("files_exceeded"):
        return Failure(
            "output_limit",
            f"Made more than {MAX_INODES:,} files and folders{c.running} and was stopped. Likely a file "
            "written per step of a loop: keep what you save in a few files.",
        )
    quota = c.meta.get("bytes_exceeded")
    if isinstance(quota, int) and not isinstance(quota, bool) and quota > 0:
        return Failure(
            "output_limit",
            f"Wrote more than {quota:,} MiB of files{c.running} and was stopped. Likely files written in a "
            "loop, or far larger than needed: keep what you save small.",
        )
    if c.meta.get("depth_exceeded"):
        return Failure(
            "output_limit",
            f"Made folders nested more than {MAX_DEPTH} deep{c.running} and was stopped. Likely a folder "
            "made inside the last one in a loop: the cases need none.",
        )
    return None


def _cpu(c: _Context) -> Failure | None:
    cpu = float(c.meta.get("cpu_seconds") or 0.0)
    at_limit = c.sig == signal.SIGKILL and cpu >= c.limits.cpu_seconds - CPU_SLACK_SECONDS
    if c.sig != signal.SIGXCPU and not at_limit:
        return None
    return Failure(
        "cpu_limit",
        f"Used up its {c.limits.cpu_seconds:g} s of CPU time{c.running}. Likely an infinite loop (a backward "
        "pass that never reaches the inputs, a while loop without progress) or far too slow code.",
    )


def _memory(c: _Context) -> Failure | None:
    if c.meta.get("threads_exceeded"):
        return Failure(
            "memory_limit",
            f"Ran more than {NPROC_LIMIT:,} threads at once{c.running} and was stopped. Likely a thread "
            "started in a loop and never ended; the cases need none.",
        )
    rss = float(c.meta.get("max_rss_kib") or 0)
    if c.sig not in _MEMORY_SIGNALS or rss < MEMORY_NEAR_FRACTION * c.limits.memory_mib * 1024:
        return None
    return Failure(
        "memory_limit",
        f"Ran out of its {c.limits.memory_mib} MiB of memory{c.running} ({_signal_name(c.sig or 0)}). Likely "
        "a graph or list that grows without end, or huge arrays.",
    )


def _crash(c: _Context) -> Failure | None:
    if c.sig is None:
        return None
    return Failure(
        "crashed",
        f"The process was killed by {_signal_name(c.sig)}{c.running}. Likely a crash in native code, a stack "
        "overflow from deep recursion, or a call to os.abort().",
    )


def _confine_failed(c: _Context) -> Failure | None:
    if c.meta.get("setup_ok", True):
        return None
    detail = c.stderr[-4000:].decode("utf-8", "replace")
    return Failure(
        "crashed", "The grader could not set up its sandbox for this submission (not your fault).", detail
    )


def _garbled(c: _Context) -> Failure | None:
    if c.meta.get("end_reason") != "broken":
        return None
    return Failure(
        "protocol_violation",
        f"Sent the grader unreadable answers{c.running}, so nothing more could be asked of it. Likely code "
        "that writes to, closes or redirects file descriptor 3.",
    )


def _oversized(c: _Context) -> Failure | None:
    if c.meta.get("end_reason") != "oversize":
        return None
    cap = MAX_REPLY_BYTES >> 20  # the harness's cap (grader/inside/remote.py), held equal by test_caps
    return Failure(
        "protocol_violation",
        f"Answered the grader with more than {cap} MiB at once{c.running}, more than any case's values can "
        "take, so it was not read. Are the arrays your code returns far larger than the case's inputs (a "
        "record holds at most a million numbers)?",
    )


def _closed_channel(c: _Context) -> Failure | None:
    if not c.meta.get("killed_after_end"):
        return None
    return Failure(
        "no_result",
        f"Stopped answering the grader{c.running} while still running. Likely code that closes or redirects "
        "file descriptor 3 (or every file descriptor).",
    )


def _no_result(c: _Context) -> Failure | None:
    """The student's process ended by itself, cleanly, before its answers were in. A sys.exit() in their
    code is an exception the process reports (with its line); what ends it without a word is os._exit(),
    said with where it ran: while the file loaded, or in a case (it said "at import or inside a method")."""
    if not c.running or c.meta.get("ended_by_harness"):
        return None
    code = c.meta.get("exit_code")
    ended = f"Your code ended its process (exit code {code})"
    # The code of a process whose channel failed: its file descriptors closed or redirected, not os._exit()
    channel = code == contexts.CHANNEL_FAILED_EXIT
    if not c.phase_loaded:  # the load's answer never came: its top-level code, or a name's lookup after it
        return Failure("no_result", f"{ended} {WHILE_LOADING} {CHANNEL_LOST if channel else LIKELY_AT_LOAD}")
    likely = CHANNEL_LOST if channel else IN_A_CASE
    return Failure("no_result", f"{ended}{c.running}, before reporting its results. {likely}")


WHILE_LOADING = (
    "while the grader was loading your file (running its top-level code, then looking up the names it "
    "grades), so no case could run."
)
LIKELY_AT_LOAD = (
    "Likely os._exit() at the top level of your file, or in code that runs when one of those names is looked "
    "up; remove it."
)
NOT_LOADED = f"{WHILE_LOADING} {LIKELY_AT_LOAD}"
IN_A_CASE = "Likely os._exit() in a method this case calls; remove it."
CHANNEL_LOST = (
    "Its channel to the grader (file descriptor 3) failed: likely code that closes or redirects file "
    "descriptors (os.close, os.closerange, os.dup2), or os._exit(1); remove it."
)


# First match wins: a kill explains everything after it; a clean but early exit is the last resort.
VERDICTS: tuple[Callable[[_Context], Failure | None], ...] = (
    _timeout,
    _output,
    _cpu,
    _memory,
    _garbled,
    _oversized,
    _closed_channel,
    _crash,
    _confine_failed,
    _no_result,
)


def job_limits(job: Mapping[str, Any]) -> Limits:
    given = job.get("limits") or {}
    defaults = Limits().to_dict()
    return Limits(**{k: type(v)(given.get(k, v)) for k, v in defaults.items()})  # type: ignore[arg-type]


def _text(data: bytes, truncated: bool) -> str:
    text = data.decode("utf-8", "replace")
    return text + TRUNCATED_MARK if truncated else text


def _phase_context(
    job: Mapping[str, Any], reply: Reply, parsed: ParsedFrames, phase: Mapping[str, Any], index: int
) -> tuple[_Context | None, list[str]]:
    """The context of one phase's process (None if it never started) and the phase's unreported cases."""
    pending = [c["id"] for c in phase.get("cases", []) if c["id"] not in parsed.outputs]
    metas = [m for m in reply.meta.get("phases", []) if isinstance(m, dict)]
    position = next((i for i, m in enumerate(metas) if phase["name"] in _serves(m)), None)
    if position is None:
        return None, pending
    # A process that ended before its phase's 'loaded' frame was still loading the submission: told so, not
    # "in a method this case calls" (until session 29 only a later phase's load failure counted as unloaded;
    # until session 37 the first phase read `parsed.load`, which a later phase's 'loaded' frame sets too).
    loaded = phase["name"] in parsed.phases_loaded
    running = (
        (f" while running case '{pending[0]}'" if loaded else f" while {contexts.LOADING}") if pending else ""
    )
    stderr = reply.outputs[position][1] if position < len(reply.outputs) else b""
    return _Context(metas[position], stderr, parsed, job_limits(job), running, loaded), pending


def _whole_run(reply: Reply) -> Failure | None:
    """What spoils every phase: the harness itself lost or failing."""
    if reply.meta.get("grader_error"):  # the harness's own bug (its traceback: staff only)
        return Failure(GRADER_ERROR, GRADER_FAILED, str(reply.meta["grader_error"]))
    if reply.meta.get("harness_lost"):
        return Failure(
            "crashed", "The grader's sandbox stopped unexpectedly while running this submission.",
            "the in-sandbox harness was lost",
        )  # fmt: skip
    return None


def _stream_failure(reply: Reply, parsed: ParsedFrames) -> Failure | None:
    """What spoils the phase the result stream went wrong in (`parsed.spoilt`) and every later one: a flood
    of results or a frame the parent refuses. The phases before it were reported before that phase's process
    ran: they stand, so that nothing a later (hidden) phase's process does reaches the visible cases."""
    if reply.meta.get("result_truncated"):
        return Failure(
            "protocol_violation", "Flooded the grader's result channel; its results cannot be trusted."
        )
    if parsed.violation is not None or parsed.truncated_tail:
        what = parsed.violation or "the last result frame was cut off"
        return Failure(
            "protocol_violation", f"Sent malformed results to the grader ({what}); they cannot be trusted."
        )
    return None


def build_run_result(
    job: Mapping[str, Any],
    reply: Reply,
    isolation: Isolation,
    elapsed_seconds: float,
    frame_limits: FrameLimits | None = None,
) -> RunResult:
    parsed = parse_frames(reply.frames, job, frame_limits, cut=bool(reply.meta.get("result_truncated")))
    outputs = dict(parsed.outputs)
    whole = _whole_run(reply)
    stream = None if whole else _stream_failure(reply, parsed)
    names = [phase["name"] for phase in job_phases(job)]
    spoilt_from = len(names)  # the index of the first phase refused
    if stream is not None:
        spoilt_from = names.index(parsed.spoilt) if parsed.spoilt in names else 0
    phase_failures: dict[str, Failure] = {}
    unloaded: Failure | None = None  # why the first phase's process never loaded the submission
    for index, phase in enumerate(job_phases(job)):
        context, pending = _phase_context(job, reply, parsed, phase, index)
        failure = whole or (stream if index >= spoilt_from else None)
        if failure is None and context is not None:
            failure = next((f for f in (verdict(context) for verdict in VERDICTS) if f is not None), None)
        elif failure is None and unloaded is not None:  # no process started for it: the harness's skip
            failure = _skipped(names[0], unloaded)
        # The phase's own load failure (a later phase's process loads the submission afresh): its words, not
        # "no result", for staff and the cases it left unrun.
        load_failure = parsed.load_failure if index == 0 else parsed.phase_load_failures.get(phase["name"])
        if failure is None and load_failure is not None:
            failure = load_failure
        if index == 0 and context is not None and not context.phase_loaded:
            unloaded = load_failure or failure  # what the student is told (process_failure below)
        if failure is None and pending:
            failure = Failure("no_result", "The sandbox reported no result for this case.")
        if failure is not None:
            phase_failures[phase["name"]] = failure
        reason = f"Not run: {failure.message}" if failure else "Not run: the sandbox reported no result."
        for case_id in pending:
            outputs[case_id] = CaseOutput(case_id, "error", {}, (), Failure("not_run", reason))
    metas = [m for m in reply.meta.get("phases", []) if isinstance(m, dict)]
    texts = {
        "+".join(_serves(m)): (
            _text(out, bool(m.get("stdout_truncated"))),
            _text(err, bool(m.get("stderr_truncated"))),
        )
        for m, (out, err) in zip(metas, reply.outputs, strict=False)
    }
    first = job_phases(job)[0]["name"] if job_phases(job) else "visible"
    visible = texts.pop(first, ("", ""))  # the first phase's process serves it alone
    refused = whole or (stream if spoilt_from == 0 else None)  # nothing of the run stands
    process_failure = refused or parsed.load_failure or phase_failures.get(first)
    return RunResult(
        isolation=isolation,
        load=None if refused else parsed.load,
        outputs={} if refused else outputs,
        process_failure=process_failure,
        stdout=visible[0],
        stderr=visible[1],
        elapsed_seconds=elapsed_seconds,
        phase_failures={k: v for k, v in phase_failures.items() if k != first},
        staff_output=texts,
    )


def _skipped(first: str, unloaded: Failure) -> Failure:
    """A later phase the harness never started because the first phase's process could not load the
    submission (a load failure, or the process ended while loading: grader/inside/harness.py run_job), as a
    fresh process would run the same top-level code. For staff: every case carries the first phase's failure
    (grader/judge/score.py _failures_by_case). Until session 37 a process ended while loading had each later
    phase load the code again (up to its wall limit each), and after a load failure they read "The sandbox
    reported no result"."""
    return Failure(
        "not_run",
        f"Skipped: the process of the {first} cases could not load the submission ({unloaded.code}), and a "
        f"fresh process would run the same top-level code. {unloaded.message}",
    )


def _serves(meta: Mapping[str, Any]) -> list[str]:
    """The phases one student process ran (the worker's account; only names, matched against the job's)."""
    serves = meta.get("serves")
    if isinstance(serves, list) and serves:
        return [str(p) for p in serves]
    return [str(meta.get("phase"))]


def lost_worker_result(job: Mapping[str, Any], isolation: Isolation, why: str, elapsed: float) -> RunResult:
    """The worker itself died or stopped answering: every case is not_run, the run is `crashed`."""
    failure = Failure(
        "crashed", "The grader's sandbox stopped unexpectedly while running this submission.", why
    )
    return RunResult(isolation, None, {}, failure, "", "", elapsed)
