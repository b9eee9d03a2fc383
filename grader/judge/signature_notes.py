"""A case that errored in a method defined with the wrong parameters says so first (grader/signatures.py).

Python's words for such an error ("Sigmoid.forward() takes 1 positional argument but 2 were given") stay on
the line below, with where they happened. The error is the method's when its message names the method
(`Sigmoid.forward()`: how Python words a call its parameters refuse) or, for a method without `self`
called with no argument, says `self` is undefined inside it. The message is the student process's text: it
only picks which of the parent's own findings to show, and a case already failing can show nothing worse.
A problem no visible case met (a method only hidden cases call, or none) is a warning of the report instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from grader.judge.results import CaseResult

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
