"""Turn a worker's reply and the child's frames into a `grader.model.RunResult`.

The process-level verdict is decided here, in a fixed order (first match wins), each with a message that
names what happened, the limit, the case that was running and the likely mistake. Cases the child never
reported become `not_run` outputs carrying the reason.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from grader.inside.confine import CONFINE_FAILED_EXIT
from grader.model import CaseOutput, Failure, Limits, RunResult

from .frames import FrameLimits, ParsedFrames, parse_frames

Isolation = Literal["bwrap", "rlimits-root-dropped", "rlimits-unprivileged", "none"]
MEMORY_NEAR_FRACTION = 0.9
CPU_SLACK_SECONDS = 0.05
_MEMORY_SIGNALS = {signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT}
TRUNCATED_MARK = "\n[... output truncated by the grader ...]\n"


@dataclass(frozen=True)
class Reply:
    """What the worker sent back for one job (meta fields plus the three raw byte streams)."""

    meta: Mapping[str, Any]
    frames: bytes
    stdout: bytes
    stderr: bytes


@dataclass(frozen=True)
class _Context:
    reply: Reply
    parsed: ParsedFrames
    limits: Limits
    running: str  # " while running case 'x'" or ""

    @property
    def sig(self) -> int | None:
        value = self.reply.meta.get("signal")
        return value if isinstance(value, int) else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _timeout(c: _Context) -> Failure | None:
    if not c.reply.meta.get("timed_out"):
        return None
    return Failure(
        "timeout",
        f"Stopped after {c.limits.wall_seconds:g} s of wall-clock time{c.running}. Likely an endless loop "
        "that waits (sleep, input(), a lock) or code that blocks.",
    )


def _output(c: _Context) -> Failure | None:
    if c.reply.meta.get("output_exceeded"):
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
    return None


def _result_overflow(c: _Context) -> Failure | None:
    if not c.reply.meta.get("result_truncated"):
        return None
    return Failure(
        "protocol_violation",
        f"Flooded the grader's result channel{c.running}; its results cannot be trusted. Likely code that "
        "writes to file descriptor 3.",
    )


def _cpu(c: _Context) -> Failure | None:
    cpu = float(c.reply.meta.get("cpu_seconds") or 0.0)
    at_limit = c.sig == signal.SIGKILL and cpu >= c.limits.cpu_seconds - CPU_SLACK_SECONDS
    if c.sig != signal.SIGXCPU and not at_limit:
        return None
    return Failure(
        "cpu_limit",
        f"Used up its {c.limits.cpu_seconds:g} s of CPU time{c.running}. Likely an infinite loop (a backward "
        "pass that never reaches the inputs, a while loop without progress) or far too slow code.",
    )


def _memory(c: _Context) -> Failure | None:
    rss = float(c.reply.meta.get("max_rss_kib") or 0)
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
    if c.reply.meta.get("exit_code") != CONFINE_FAILED_EXIT or c.reply.frames:
        return None
    detail = c.reply.stderr[-4000:].decode("utf-8", "replace")
    return Failure(
        "crashed", "The grader could not set up its sandbox for this submission (not your fault).", detail
    )


def _violation(c: _Context) -> Failure | None:
    if c.parsed.violation is None and not c.parsed.truncated_tail:
        return None
    what = c.parsed.violation or "the last result frame was cut off"
    return Failure(
        "protocol_violation",
        f"Sent malformed results to the grader ({what}){c.running}; they cannot be trusted. Likely code that "
        "writes to, closes or redirects file descriptor 3.",
    )


def _load_failed(c: _Context) -> Failure | None:
    return c.parsed.load_failure


def _no_result(c: _Context) -> Failure | None:
    if c.parsed.done:
        return None
    code = c.reply.meta.get("exit_code")
    return Failure(
        "no_result",
        f"The process ended (exit code {code}) before reporting all results{c.running}. Likely sys.exit(), "
        "exit(), quit() or os._exit() in the submission, at import or inside a method.",
    )


# First match wins: a kill explains everything after it; a clean but early exit is the last resort.
VERDICTS: tuple[Callable[[_Context], Failure | None], ...] = (
    _timeout,
    _output,
    _result_overflow,
    _cpu,
    _memory,
    _crash,
    _confine_failed,
    _violation,
    _load_failed,
    _no_result,
)


def job_limits(job: Mapping[str, Any]) -> Limits:
    given = job.get("limits") or {}
    defaults = Limits().to_dict()
    return Limits(**{k: type(v)(given.get(k, v)) for k, v in defaults.items()})  # type: ignore[arg-type]


def _text(data: bytes, truncated: bool) -> str:
    text = data.decode("utf-8", "replace")
    return text + TRUNCATED_MARK if truncated else text


def build_run_result(
    job: Mapping[str, Any],
    reply: Reply,
    isolation: Isolation,
    elapsed_seconds: float,
    frame_limits: FrameLimits | None = None,
) -> RunResult:
    parsed = parse_frames(reply.frames, job, frame_limits)
    pending = [c["id"] for c in job.get("cases", []) if c["id"] not in parsed.outputs]
    running = f" while running case '{pending[0]}'" if pending and parsed.load is not None else ""
    context = _Context(reply, parsed, job_limits(job), running)
    failure = next((f for f in (verdict(context) for verdict in VERDICTS) if f is not None), None)
    reason = (
        f"Not run: {failure.message}" if failure else "Not run: the sandbox reported no result for this case."
    )
    outputs = dict(parsed.outputs)
    for case_id in pending:
        outputs[case_id] = CaseOutput(case_id, "error", {}, (), Failure("not_run", reason))
    return RunResult(
        isolation=isolation,
        load=parsed.load,
        outputs=outputs,
        process_failure=failure,
        stdout=_text(reply.stdout, bool(reply.meta.get("stdout_truncated"))),
        stderr=_text(reply.stderr, bool(reply.meta.get("stderr_truncated"))),
        elapsed_seconds=elapsed_seconds,
    )


def lost_worker_result(job: Mapping[str, Any], isolation: Isolation, why: str, elapsed: float) -> RunResult:
    """The worker itself died or stopped answering: every case is not_run, the run is `crashed`."""
    failure = Failure(
        "crashed", "The grader's sandbox stopped unexpectedly while running this submission.", why
    )
    reason = f"Not run: {failure.message}"
    outputs = {
        c["id"]: CaseOutput(c["id"], "error", {}, (), Failure("not_run", reason))
        for c in job.get("cases", [])
    }
    return RunResult(isolation, None, outputs, failure, "", "", elapsed)
