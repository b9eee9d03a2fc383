"""The job inside the sandbox: guard imports, load the submission, run every case, emit frames.

Called by the worker in the confined child, with the working dir (submission + support files) as cwd.
Frames are plain dicts of str/float/bool/None/list built by this package; expected values never come here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from . import guard, program, student
from .adapters import ADAPTERS
from .failures import StudentFailure

_getcwd = os.getcwd
_stderr = sys.__stderr__

Emit = Callable[[dict[str, Any]], None]


def _note(text: str) -> None:
    """Staff notes also go to stderr, which the parent captures for feedback (never parsed)."""
    if _stderr is not None:
        try:
            _stderr.write(f"[grader] {text}\n")
            _stderr.flush()
        except (OSError, ValueError):
            pass


def _load_failed(emit: Emit, failure: StudentFailure) -> None:
    emit({"type": "load_failed", "failure": failure.to_dict()})


def run_job(job: Mapping[str, Any], emit: Emit) -> None:
    """Emit `loaded` (or `load_failed` and stop), one `case` frame per case as it finishes, then `done`."""
    root = os.path.realpath(_getcwd())
    guard.install(job.get("forbidden_imports") or ())
    family = str(job.get("family"))
    factory = ADAPTERS.get(family)
    if factory is None:
        known = ", ".join(sorted(ADAPTERS))
        _load_failed(
            emit, StudentFailure("exception", f"the grader has no adapter for family {family!r} ({known})")
        )
        return
    loaded = student.load(
        root,
        preferred=list(job.get("modules") or ()),
        required=list(job.get("required") or ()),
        optional=list(job.get("optional") or ()),
        aliases=factory.ALIASES,
        exclude=dict(job.get("support_files") or {}).keys(),
    )
    for note in loaded.notes:
        _note(note)
    if loaded.failure is not None:
        _load_failed(emit, loaded.failure)
        return
    emit(loaded.frame())
    for view in job.get("cases") or ():
        emit(program.run_case(factory, loaded.names, view, root))
    emit({"type": "done"})
