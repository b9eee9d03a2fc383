"""The hint of a MiniFlow case whose wrong gradients are `=` in place of `+=`, where the source shows the
real mistake: the gradients dict re-created inside the loop over outbound nodes
(grader/recreated_gradients.py).

The values cannot tell the two apart (each keeps the last outbound node's gradient alone), so the known
mistake `overwrite_in_sigmoid` said "Sigmoid.backward assigns (=)" to code whose every line adds. Only the
mistake's own words are replaced, for the classes the source shows re-creating their dict; a class the
mistake names that does not (overwrite_throughout's others) keeps "assigns (=)".

Also the warning listing where the source keys gradients by a node's name (grader/named_keys.py), given when
a visible case was told its gradients are keyed by a name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from grader.inside.contexts import KEYED_BY_NAME
from grader.judge.diagnose import Finding
from grader.judge.mutations import mutation_info
from grader.judge.results import CaseResult

# known mistake -> the classes whose backward it overwrites with (reference/mutations.py, MiniFlow's)
OVERWRITES: Mapping[str, tuple[str, ...]] = {
    "overwrite_in_input": ("Input",),
    "overwrite_in_linear": ("Linear",),
    "overwrite_in_sigmoid": ("Sigmoid",),
    "overwrite_throughout": ("Input", "Linear", "Sigmoid"),
}


def told(results: Sequence[CaseResult], found: Sequence[Any]) -> tuple[CaseResult, ...]:
    """The results with each overwrite hint of a class in `found` (Recreated records) saying what the code
    does instead."""
    if not found:
        return tuple(results)
    by_class = {f.cls: f for f in found}
    return tuple(_case(r, by_class) for r in results)


def _case(result: CaseResult, by_class: Mapping[str, Any]) -> CaseResult:
    diagnosis = _finding(result.diagnosis, by_class)
    checks = tuple(
        dataclasses.replace(c, diagnosis=_finding(c.diagnosis, by_class)) if c.diagnosis else c
        for c in result.checks
    )
    if diagnosis is result.diagnosis and checks == result.checks:
        return result
    return dataclasses.replace(result, diagnosis=diagnosis, checks=checks)


def _finding(finding: Finding | None, by_class: Mapping[str, Any]) -> Finding | None:
    mistake = finding.mistake if finding is not None else None
    if finding is None or mistake is None or mistake not in OVERWRITES:
        return finding
    classes = OVERWRITES[mistake]
    shown = [by_class[c] for c in classes if c in by_class]
    original = mutation_info(mistake)[1]
    if not shown or not original or original not in finding.hint:
        return finding
    from grader.recreated_gradients import assigned_lines, hint

    remade = [f for f in shown if not f.assigned]
    assigned = [f for f in shown if f.assigned]  # the mistake's own words are right: their lines added
    words = hint(remade) if remade else original
    rest = [c for c in classes if c not in by_class or by_class[c].assigned]
    if remade and rest:
        verb = "assigns" if len(rest) == 1 else "assign"
        words += (
            f" {' and '.join(f'{c}.backward' for c in rest)} {verb} (=) the gradient from each outbound node "
            "instead of adding it (+=)."
        )
    if assigned:
        words += " " + assigned_lines(assigned)
    return dataclasses.replace(finding, hint=finding.hint.replace(original, words))


def keyed_by_name(results: Sequence[CaseResult], found: Sequence[Any]) -> str | None:
    """The warning naming every line that keys gradients by a node's name, when a visible case was told so
    (a hidden case's message is not the student's to read, nor what it met)."""
    if not found or not any(r.visibility == "visible" and KEYED_BY_NAME in r.message for r in results):
        return None
    from grader.named_keys import warning

    return warning(tuple(found))
