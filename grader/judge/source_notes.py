"""Case messages led or followed by what the parent read in the source (never run).

A case that errored in a method defined with the wrong parameters says so first (grader/signatures.py).

Python's words for such an error ("Sigmoid.forward() takes 1 positional argument but 2 were given") stay on
the line below, with where they happened. The error is the method's when its message names the method
(`Sigmoid.forward()`: how Python words a call its parameters refuse) or, for a method without `self`
called with no argument, says `self` is undefined inside it. The message is the student process's text: it
only picks which of the parent's own findings to show, and a case already failing can show nothing worse.
A problem no visible case met (a method only hidden cases call, or none) is a warning of the report instead.

A case stopped for time while the files were loading ("likely a training loop or demo at the top level of a
file") is followed by where the files loop at their top level (grader/toplevel.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from grader.judge.results import CaseResult
from grader.sandbox.result import AT_IMPORT  # how a timeout while the submission loaded is worded

_NO_SELF = "name 'self' is not defined"


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
    return tuple(out), tuple(p.message for i, p in enumerate(problems) if i not in met)


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
