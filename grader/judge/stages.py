"""What a course stage changes in a judged run (docs/STAGES.md).

- An optional class (Exp at DeZero's step 14) that the code does not define: its cases are skipped, never
  failed (`not_run`, 0 of 0 points). Defined, they are graded as feedback (0 points unless the stage gives
  them points), marked `optional`.
- A case that belongs to a later stage than the one the code looks like (read from its source in the parent,
  grader/stage_scan.py), and does not pass: `not_implemented`, naming the stage that adds it. A wrong value
  there is the absence of a feature, not a bug to debug with finite differences. Not when the code has what
  that stage needs (its names and `detect` identifiers): then a failure is a bug, and its own diagnosis
  shows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from grader.inside.contexts import NOT_RUN_NOTE
from grader.inside.own_functions import CALLS, NOT_THE_BOOKS
from grader.judge.diagnose import Finding
from grader.judge.results import CaseResult
from grader.model import Case, RunResult
from grader.stages import STEP_METHODS, case_ops

NOT_IMPLEMENTED = "not_implemented"
# Errors that mean "not there yet"; a timeout or a crash stays what it is.
_ABSENCE_CODES = ("missing_name", "exception", "not_implemented")
_GENERATED_SUFFIX = re.compile(r"-[0-9]+$")


def _absent(case: Case, run: RunResult, stage: Mapping[str, Any]) -> tuple[str, ...]:
    """The case's optional classes the code does not define: not found by the load, nor (a method such as
    save_weights, which the load never looks up) read from the source in the parent (`_methods`)."""
    if run.load is None:
        return ()  # nothing loaded: the load failure is the message, as for every other case
    have = {*run.load.found, *stage.get("_methods", ())}
    return tuple(c for c in case.optional_classes if c not in have)


# The load warnings of a module Python could not compile (grader/inside/loading.py syntax_message): the
# module's path, where the class that is not found may be written.
_NOT_COMPILED = re.compile(r"^(?:syntax error in (?P<at>\S+) |(?P<whole>\S+) cannot be read as Python)")


def _snake(name: str) -> str:
    """MultiLayerNet -> multi_layer_net: the module stem a class of that name is kept in, the book's way."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _not_compiled(
    absent: Sequence[str], warnings: Sequence[str], classes_in: Mapping[str, Sequence[str]]
) -> str | None:
    """The syntax error of a module that did not compile and plausibly defines an absent class: the class
    may well be written there (common/multi_layer_net.py with an unclosed bracket was "your code does not
    define MultiLayerNet"). Plausibly: the module is named after the class (multi_layer_net.py for
    MultiLayerNet) or the parent's read of its bytes finds `class <Name>` (`classes_in`, stage_scan.py). Never
    a module the loader did not need (NOT_RUN_NOTE): fixing it would not have it graded, and another
    module's error (nn.py beside a quiz's MiniFlow, scratch.py beside the book's files) says nothing of the
    absent class."""
    stems = {_snake(name) for name in absent}
    for warning in warnings:
        match = _NOT_COMPILED.match(warning)
        if match is None or NOT_RUN_NOTE in warning:
            continue
        path = match.group("at") or match.group("whole")
        stem = path.rsplit("/", 1)[-1].removesuffix(".py")
        if stem in stems or any(name in classes_in.get(path, ()) for name in absent):
            return warning
    return None


def _absent_message(
    absent: Sequence[str],
    stage: str,
    warnings: Sequence[str] = (),
    classes_in: Mapping[str, Sequence[str]] | None = None,
) -> str:
    one = len(absent) == 1
    names = f"{' and '.join(absent)} {'is' if one else 'are'} optional at stage {stage}"
    unlike = [w for w in warnings if NOT_THE_BOOKS in w and any(w.startswith(f"{n}(") for n in absent)]
    if unlike and len(unlike) == len(absent):  # defined with other arguments (grader/inside/own_functions.py)
        written = "; ".join(w.split(CALLS, 1)[0] for w in unlike)
        return f"{names}, and yours takes other arguments: {written}: not graded, no points lost"
    error = _not_compiled(absent, warnings, classes_in or {})
    if error is not None:
        return (
            f"{names} and not found in the code that loaded ({error}): a module Python cannot compile "
            f"defines nothing; fix it to have {'it' if one else 'them'} graded (not graded now, no points "
            "lost)"
        )
    return (
        f"{names} and your code does not define {'it' if one else 'them'}: not graded, no points lost"
        + _partners_not_graded(absent)
    )


def _partners_not_graded(absent: Sequence[str]) -> str:
    """The methods a case calls with an absent one, which the code defines and the case therefore does not
    grade either: save_weights without load_weights went unsaid, its save never checked (s35)."""
    partners = [
        m for group in STEP_METHODS.values() if set(absent) & set(group) for m in group if m not in absent
    ]
    if not partners:
        return ""
    one = len(partners) == 1
    return (
        f"; {' and '.join(partners)}, which your code defines, {'is' if one else 'are'} graded only beside "
        f"{' and '.join(absent)} (the case saves the weights, then loads them into a fresh layer): not "
        "graded either"
    )


def _optional(result: CaseResult, case: Case, run: RunResult, stage: Mapping[str, Any]) -> CaseResult:
    absent = _absent(case, run, stage)
    name = str(stage["name"])
    if absent:
        return dataclasses.replace(
            result,
            status="not_run",
            points=0.0,
            max_points=0.0,
            message=_absent_message(
                absent, name, run.load.warnings if run.load else (), stage.get("_classes_in", {})
            ),
            checks=(),
            diagnosis=None,
            failure_code=None,
            optional=True,
        )
    worth = "feedback only, 0 points" if case.points == 0 else f"{case.points:g} points"
    return dataclasses.replace(
        result,
        message=f"optional at stage {name} ({worth}): {result.message}",
        optional=True,
    )


def _introduced(case_id: str, introduced: Mapping[str, str]) -> str | None:
    return introduced.get(case_id) or introduced.get(_GENERATED_SUFFIX.sub("", case_id))


# How a case relabelled for a later stage begins its hint and message (`is_later_stage`).
LATER_STAGE = "not implemented yet: this case is part of stage "


def _not_implemented(result: CaseResult, later: str, adds: str, looks_like: str) -> CaseResult:
    hint = (
        f"{LATER_STAGE}{later}, which adds {adds}; your code looks like "
        f"stage {looks_like} (grade with --stage {looks_like} to leave it out)"
    )
    message = f"{hint}\n{result.message}"
    if result.status == "error":
        return dataclasses.replace(result, failure_code=NOT_IMPLEMENTED, message=message)
    return dataclasses.replace(result, diagnosis=Finding(NOT_IMPLEMENTED, hint), message=message)


def _lacks_a_class(case: Case, run: RunResult) -> bool:
    """The case applies a class the load did not find: "no class Exp" says more than a stage name."""
    found = {name.lower() for name in (run.load.found if run.load else ())}
    return any(str(op).lower() not in found for op in case_ops(case.steps))


def is_later_stage(result: CaseResult) -> bool:
    """Relabelled not_implemented because a later stage adds the case (not a TODO left in the code)."""
    return is_not_implemented(result) and result.message.startswith(LATER_STAGE)


def is_not_implemented(result: CaseResult) -> bool:
    return result.failure_code == NOT_IMPLEMENTED or (
        result.diagnosis is not None and result.diagnosis.code == NOT_IMPLEMENTED
    )


def _reached(later: str, run: RunResult, stage: Mapping[str, Any]) -> bool:
    """The code has what stage `later` needs: its names (defined in the source or found by the load) and its
    `detect` identifiers. A failing case of that stage is then a bug to diagnose, not a missing feature."""
    if later in stage.get("_satisfied", ()):
        return True
    if later not in stage.get("_mentioned", ()):
        return False
    # Both are the manifest's own spellings (the load's found names and the scan's `defines`): compared as
    # spelt, so that the class Square never stands for the helper square.
    have = set(stage.get("_defined", ()))
    have.update(run.load.found if run.load else ())
    return all(n in have for n in stage.get("_needs", {}).get(later, ()))


def _later_stage(case: Case, run: RunResult, stage: Mapping[str, Any]) -> str | None:
    """The stage that adds this (failing) case when the code has not reached it: relabel it not_implemented.
    Never a case of a stage the code looks like or has reached (stages need not be a chain: DLFS's book files
    are not), nor one of an earlier stage (in manifest order) than it looks like."""
    order: list[str] = list(stage.get("_order", ()))
    parts = stage.get("_looks_parts") or [stage.get("looks_like")]
    looks: list[str] = [p for p in parts if p in order]
    later = _introduced(case.id, stage.get("_introduced", {}))
    if later is None or later not in order or not looks:
        return None
    if later in looks or _reached(later, run, stage):
        return None
    if order.index(later) < max(order.index(p) for p in looks):
        return None
    return later


def apply_stage(
    results: Sequence[CaseResult], cases: Sequence[Case], run: RunResult, stage: Mapping[str, Any] | None
) -> tuple[CaseResult, ...]:
    """The judged results with the stage's rules applied; unchanged when the report carries no stage."""
    if not stage:
        return tuple(results)
    looks_like = str(stage.get("looks_like"))
    adds: Mapping[str, str] = stage.get("_adds", {})
    out = []
    for result, case in zip(results, cases, strict=True):
        if case.optional_classes:
            out.append(_optional(result, case, run, stage))
            continue
        absence = result.status == "failed" or (
            result.status == "error" and result.failure_code in _ABSENCE_CODES
        )
        later = (
            _later_stage(case, run, stage)
            if absence and run.load is not None and not _lacks_a_class(case, run)
            else None
        )
        if later is not None:
            out.append(_not_implemented(result, later, adds.get(later, later), looks_like))
            continue
        out.append(result)
    return tuple(out)
