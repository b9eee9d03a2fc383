"""The harness: runs a job's cases on the student's code through handles, in fresh student processes.

It holds the case views and the adapters; the student's processes hold only the submission and the small
server of server.py, and cannot reach this process (another process, not dumpable, no shared memory, no
descriptor of ours). Phases run in order: visible cases, then after-due-date ones, after-published ones,
then hidden ones. The first phase has a student process of its own; the later phases share one more, forked
fresh when the first of them starts, so that nothing a later case's inputs reach can flow into what the
student sees (the later phases' output and failures are staff-only, and each runs only after the one before
it has reported), except that after-published cases never share a process with after-due-date ones
(`_may_join`: a view shows either without the other). When a process ends early, the phases after the one
it ended in get a fresh process again, unless the first phase's process ended while loading the submission:
then no phase runs after it, as after the first phase's load failure (every case carries its failure).
Frames: docs/ARCHITECTURE.md section 4.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import contexts, program, switches
from .adapters import ADAPTERS
from .adapters.extension import with_ops
from .failures import StudentFailure, grader_error, load_raised
from .names import StudentNames, prefetch
from .remote import Ref, Session, StudentProcessEnded, Transport

Emit = Callable[[dict[str, Any]], None]
_LOADED_KEYS = ("modules", "found", "missing", "near", "notes", "warnings", "standins")


def _load_failed(emit: Emit, phase: str, failure: StudentFailure) -> None:
    emit({"type": "load_failed", "phase": phase, "failure": failure.for_frame(load_raised(failure))})


def _loaded_frame(phase: str, loaded: Mapping[str, Any], stands_in: Mapping[str, str]) -> dict[str, Any]:
    """What the load says, less the names the adapter does without (`stands_in`: square when Square is
    found): "missing: square" above cases that all pass through Square told the student of a fault they
    do not have."""
    frame = {k: loaded[k] for k in _LOADED_KEYS if k in loaded}
    found, missing = frame.get("found"), frame.get("missing")
    if isinstance(found, dict) and isinstance(missing, list):
        frame["missing"] = [m for m in missing if not (isinstance(m, str) and stands_in.get(m) in found)]
        near = frame.get("near")
        if isinstance(near, dict):
            frame["near"] = {k: v for k, v in near.items() if k in frame["missing"]}
    return {"type": "loaded", "phase": phase, **frame}


class _Process:
    """A student process and what it has: its session, its loaded submission, the phases it served."""

    def __init__(self, label: str, session: Session) -> None:
        self.label = label
        self.session = session
        self.serves: list[str] = []
        self.loaded: Mapping[str, Any] | None = None
        self.names: StudentNames | None = None
        self.switches: tuple[switches.Switch, ...] = ()


def _load(factory: Any, process: _Process, load: Mapping[str, Any]) -> Mapping[str, Any]:
    """Load the submission once per process; its names are looked up in the load's own batch."""
    if process.loaded is None:
        session = process.session
        session.context = contexts.LOADING
        aliases = {k: list(v) for k, v in factory.ALIASES.items()}
        refs: dict[str, Ref] = {}

        def ahead() -> None:
            refs.update(prefetch(session, list(factory.ALIASES)))
            for name in getattr(factory, "SIGNATURES_AHEAD", ()):
                if name in refs:
                    session.ask_signature(refs[name], ("name", name))

        process.loaded = session.load({**load, "aliases": aliases, "family": factory.family}, ahead)
        if process.loaded.get("failure") is None:
            process.names = StudentNames(session, process.loaded, load, refs)
            # a switch the code itself sets False is graded as written, not put back True
            on = frozenset(getattr(factory, "SWITCHES_ON", frozenset())) - process.names.defaults_off
            process.switches = switches.keep(session, process.names, getattr(factory, "SWITCHES", ()), on)
    return process.loaded


def run_phase(
    factory: Any, process: _Process, load: Mapping[str, Any], phase: Mapping[str, Any], emit: Emit
) -> bool:
    """Run the phase's cases in this process (loading the submission first if it has not); False: the load
    failed."""
    name = str(phase.get("name"))
    session = process.session
    loaded = _load(factory, process, load)
    failure = loaded.get("failure")  # rebuilt strictly by Session.load: a student code, or None
    if isinstance(failure, StudentFailure):
        _load_failed(emit, name, failure)
        return False
    frame = _loaded_frame(name, loaded, getattr(factory, "STANDS_IN", {}))
    left_off = switches.left_off_warnings(process.switches)
    if left_off:
        frame["warnings"] = [*(frame.get("warnings") or ()), *left_off]
    emit(frame)
    names = process.names
    assert names is not None
    for view in phase.get("cases") or ():
        switches.restore(session, process.switches)
        # a case's end goes with the next case's first batch (Session.hold); the phase's last one alone
        program.start_case(factory, session, names, view, emit)
        if session.broken:
            raise StudentProcessEnded("broken")
    session.flush()
    if session.broken:
        raise StudentProcessEnded("broken")
    return True


# The phases whose cases a view showing a phase's cases openly shows too (reports/report.py STUDENT_BLAME):
# a phase may run in the process of the phases before it only when they are all among them, since what the
# earlier cases' inputs reached stays in that process. Grades published before the due date show the
# after-published cases and not the after-due-date ones: an after-published case run after those in one
# process could quote their inputs there, before the due date. Hidden cases (pass/fail and points only,
# whatever the view) are not listed: they join the process before them.
_SHOWN_WITH: dict[str, frozenset[str]] = {
    "after_due_date": frozenset({"visible", "after_due_date"}),
    "after_published": frozenset({"visible", "after_published"}),
}


def _may_join(served: list[str], phase: str) -> bool:
    """Whether `phase` may run in the process that ran the phases `served`."""
    shown = _SHOWN_WITH.get(phase)
    return shown is None or set(served) <= shown


def _phases_for(names: list[str], index: int) -> int:
    """How many phases, from `names[index]` on, a process forked for it may serve (its CPU budget)."""
    if index == 0:
        return 1
    served = [names[index]]
    for later in names[index + 1 :]:
        if not _may_join(served, later):
            break
        served.append(later)
    return len(served)


def run_job(
    job: Mapping[str, Any],
    emit: Emit,
    connect: Callable[[str, int], Transport],
    finish: Callable[[str, str, list[str]], None],
    begin: Callable[[str], None] = lambda label: None,
) -> None:
    """Every phase of the job. `connect(label, phases)` forks a student process for up to `phases` phases
    (its CPU budget), `begin(label)` starts a further phase in it (its wall-clock budget starts again),
    `finish(label, why, serves)` ends it (why: "done", "eof" when the student's process closed the channel,
    "broken" when it sent nonsense; serves: the phases it ran)."""
    family = str(job.get("family"))
    factory = with_ops(ADAPTERS.get(family), job.get("ops"))
    phases = list(job.get("phases") or ())
    if factory is None:
        known = ", ".join(sorted(ADAPTERS))
        failure = grader_error(f"the grader has no adapter for family {family!r} ({known})")
        _load_failed(emit, str(phases[0].get("name")) if phases else "visible", failure)
        return
    load = dict(job.get("load") or {})
    process: _Process | None = None
    names = [str(p.get("name")) for p in phases]
    for index, phase in enumerate(phases):
        name = str(phase.get("name"))
        # the visible phase's process serves it alone; a later one serves what no view tells apart
        if process is not None and (index == 1 or not _may_join(process.serves, name)):
            finish(process.label, "done", process.serves)
            process = None
        try:
            if process is None:
                session = Session(
                    connect(name, _phases_for(names, index)),
                    book_helpers=factory.BOOK_HELPERS,
                    family=factory.family,
                )
                process = _Process(name, session)
            else:
                begin(process.label)
            process.serves.append(name)
            if not run_phase(factory, process, load, phase, emit) and index == 0:
                finish(process.label, "done", process.serves)
                return  # the first phase's load failure is the submission's: later phases would repeat it
        except StudentProcessEnded as ended:
            # The parent explains the unreported cases from how the student's process ended; the phases
            # after this one get a fresh process.
            if process is not None:
                finish(process.label, ended.why, process.serves)
                if index == 0 and process.loaded is None:
                    # Ended while loading (its wall clock, memory, an exit or a crash at import): every case
                    # carries that failure (judge/score.py _failures_by_case), and a later phase's fresh
                    # process would only run the same top-level code again, up to its own limits.
                    return
            process = None
        except StudentFailure as failure:
            _load_failed(emit, name, failure)
            if process is not None:  # a load answered with nonsense broke the channel: the student's doing
                finish(process.label, "broken" if process.session.broken else "done", process.serves)
            process = None
            if index == 0:
                return
    if process is not None:
        finish(process.label, "done", process.serves)
    emit({"type": "done"})
