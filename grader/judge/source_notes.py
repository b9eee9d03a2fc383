"""Case messages led or followed by what the parent read in the source (never run).

A case that errored in a method defined with the wrong parameters says so first (grader/signatures.py).

Python's words for such an error ("Sigmoid.forward() takes 1 positional argument but 2 were given") stay on
the line below, with where they happened. The error is the method's when its message names the method
(`Sigmoid.forward()`: how Python words a call its parameters refuse) or, for a method without `self`
called with no argument, says `self` is undefined inside it. The message is the student process's text: it
only picks which of the parent's own findings to show, and a case already failing can show nothing worse.
A problem no visible case met (a method only hidden cases call, or none) is a warning of the report instead,
unless only the student's own code calls that method (grader/signatures.py `OWN_CALLS`: DeZero's forward,
which their own Function.__call__ may well call with what it takes).

A case that did not pass and calls a helper function that never reads one of its parameters
(grader/helper_args.py: `def add(x0, x1): return Add()(x0, x0)`) is led by that line: what the judge read in
the values may be only its effect.

A case stopped for time while the files were loading ("likely a training loop or demo at the top level of a
file") is followed by where the files loop at their top level (grader/toplevel.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from grader.judge.diagnose import Finding
from grader.judge.results import Blame, CaseResult
from grader.model import Case
from grader.sandbox.result import AT_IMPORT  # how a timeout while the submission loaded is worded

_NO_SELF = "name 'self' is not defined"
HELPER_DROPS_ARGUMENT = "helper_drops_argument"


def _met(problem: Any, message: str) -> bool:
    method = f"{problem.cls}.{problem.method}"
    return f"{method}()" in message or (_NO_SELF in message and method in message)


def explain(
    results: Sequence[CaseResult], problems: Sequence[Any]
) -> tuple[tuple[CaseResult, ...], tuple[str, ...]]:
    """The results with each error met by a problem led by its line, and the problems no case met."""
    met: set[int] = set()
    out = []
    for r in results:
        hit = next((i for i, p in enumerate(problems) if r.status == "error" and _met(p, r.message)), None)
        if hit is None:
            out.append(r)
            continue
        if r.visibility == "visible":  # a hidden case's message is not the student's to read
            met.add(hit)
        out.append(dataclasses.replace(r, message=f"{problems[hit].message}\n{r.message}"))
    # a method only the student's own code calls (DeZero's forward) is said where a case errors in it alone
    unmet = (p.message for i, p in enumerate(problems) if i not in met and getattr(p, "warn_unmet", True))
    return tuple(out), tuple(unmet)


def lead_dropped(
    results: Sequence[CaseResult], cases: Sequence[Case], dropped: Sequence[Any]
) -> tuple[tuple[CaseResult, ...], tuple[str, ...]]:
    """The results that did not pass and call a helper that drops a parameter with arguments it can tell
    apart, led by that line and diagnosed with it (the judge's reading of the values may be only its effect),
    and the notes of a dropped required parameter no visible case met (a warning of the report: true of every
    call). A dropped parameter with a default that no case passes (`transpose(x, axes=None)`) says nothing."""
    if not dropped:
        return tuple(results), ()
    steps = {c.id: c.steps for c in cases}
    met: set[int] = set()
    out = []
    for r in results:
        hits = [
            i
            for i, d in enumerate(dropped)
            if r.status in ("failed", "error") and _calls_telling_apart(steps.get(r.case_id, ()), d)
        ]
        if not hits:
            out.append(r)
            continue
        if r.visibility == "visible":
            met.update(hits)
        lead = "\n".join(dropped[i].message for i in hits)
        finding = Finding(HELPER_DROPS_ARGUMENT, lead)
        out.append(dataclasses.replace(r, message=f"{lead}\n{r.message}", diagnosis=finding))
    unmet = (d.message for i, d in enumerate(dropped) if i not in met and d.required)
    return tuple(out), tuple(unmet)


def blame_dropped(
    entries: Sequence[Blame], results: Sequence[CaseResult], dropped: Sequence[Any]
) -> tuple[Blame, ...]:
    """Blame entries whose every failing unit case was led by a helper's dropped parameter name the helper:
    those cases fail through it, and the class itself may be right."""
    led = {r.case_id for r in results if r.diagnosis and r.diagnosis.code == HELPER_DROPS_ARGUMENT}
    out = []
    for entry in entries:
        d = next((d for d in dropped if entry.class_name in d.ops), None)
        if d is None or not entry.unit_cases or not set(entry.unit_cases) <= led:
            out.append(entry)
            continue
        message = f"The failing cases calling {d.helper}() are explained by the helper itself: {d.summary}"
        out.append(dataclasses.replace(entry, message=message, codes=(HELPER_DROPS_ARGUMENT,)))
    return tuple(out)


def _calls_telling_apart(steps: Sequence[Mapping[str, Any]], dropped: Any) -> bool:
    """Whether a step calls the helper passing an argument it drops, where that changes the result: not
    `add(x, x)`, whose two arguments are one variable, nor `transpose(x)` dropping `axes=None`."""
    for step in steps:
        if step.get("do") != "apply" or step.get("op") not in dropped.ops:
            continue
        args, settings = step.get("args", ()), step.get("settings") or {}
        passed = len(args) + len(settings)  # variables, then constants, by position (the adapter's call)
        if not any(i < passed for i in dropped.positions):
            continue
        if len(args) < 2 or len(set(args)) > 1 or settings:
            return True
    return False


def place_loops(results: Sequence[CaseResult], loops: Sequence[str]) -> tuple[CaseResult, ...]:
    """The results with each timeout at import followed by the files' top-level loops, when there are any."""
    if not loops:
        return tuple(results)
    said = f"\nLoops at the top level of your code (they run at import): {'; '.join(loops)}"
    return tuple(
        dataclasses.replace(r, message=r.message + said)
        if r.failure_code == "timeout" and AT_IMPORT in r.message
        else r
        for r in results
    )
