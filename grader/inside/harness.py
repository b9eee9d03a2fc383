"""The harness: runs a job's cases on the student's code through handles, one fresh student process per phase.

It holds the case views and the adapters; the student's processes hold only the submission and the small
server of server.py, and cannot reach this process (another process, not dumpable, no shared memory, no
descriptor of ours). Phases run in order (visible cases, then after-due-date ones, then hidden ones), each in
a student process forked fresh when its phase starts, so nothing a hidden case's inputs reach can flow into
what the student sees. Frames: docs/ARCHITECTURE.md section 4.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import program
from .adapters import ADAPTERS
from .failures import StudentFailure
from .names import StudentNames
from .remote import Session, StudentProcessEnded, Transport

Emit = Callable[[dict[str, Any]], None]
_LOADED_KEYS = ("modules", "found", "missing", "near", "notes", "warnings", "standins")


def _load_failed(emit: Emit, phase: str, failure: StudentFailure) -> None:
    emit({"type": "load_failed", "phase": phase, "failure": failure.to_dict()})


def _loaded_frame(phase: str, loaded: Mapping[str, Any]) -> dict[str, Any]:
    frame = {k: loaded[k] for k in _LOADED_KEYS if k in loaded}
    return {"type": "loaded", "phase": phase, **frame}


def run_phase(
    factory: Any, session: Session, load: Mapping[str, Any], phase: Mapping[str, Any], emit: Emit
) -> bool:
    """Load the submission in this phase's student process and run the phase's cases; False: load failed."""
    name = str(phase.get("name"))
    session.context = "loading the submission"
    loaded = session.load({**load, "aliases": {k: list(v) for k, v in factory.ALIASES.items()}})
    if loaded.get("failure"):
        failure = StudentFailure.from_dict(loaded["failure"])
        _load_failed(emit, name, failure or StudentFailure("exception", "the submission could not be loaded"))
        return False
    emit(_loaded_frame(name, loaded))
    names = StudentNames(session, loaded)
    names.prefetch(list(factory.ALIASES))
    for view in phase.get("cases") or ():
        emit(program.run_case(factory, session, names, view))
        if session.broken:
            raise StudentProcessEnded("broken")
    return True


def run_job(
    job: Mapping[str, Any],
    emit: Emit,
    connect: Callable[[str], Transport],
    finish: Callable[[str, str], None],
) -> None:
    """Every phase of the job: `connect(phase)` forks its student process, `finish(phase, why)` ends it
    (why: "done", "eof" when the student's process closed the channel, "broken" when it sent nonsense)."""
    family = str(job.get("family"))
    factory = ADAPTERS.get(family)
    phases = list(job.get("phases") or ())
    if factory is None:
        known = ", ".join(sorted(ADAPTERS))
        failure = StudentFailure("exception", f"the grader has no adapter for family {family!r} ({known})")
        _load_failed(emit, str(phases[0].get("name")) if phases else "visible", failure)
        return
    load = dict(job.get("load") or {})
    for index, phase in enumerate(phases):
        name = str(phase.get("name"))
        why = "done"
        try:
            session = Session(connect(name))
            if not run_phase(factory, session, load, phase, emit) and index == 0:
                return  # the first phase's load failure is the submission's: later phases would repeat it
        except StudentProcessEnded as ended:
            why = ended.why  # the parent explains the unreported cases from how the student's process ended
        except StudentFailure as failure:
            _load_failed(emit, name, failure)
            if index == 0:
                return
        finally:
            finish(name, why)
    emit({"type": "done"})
