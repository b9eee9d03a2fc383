"""The judge's frozen result records: one check per record key, one result per case, blame entries."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from grader.judge.diagnose import Finding
from grader.model import Kind, Raised, Visibility

CaseStatus = Literal["passed", "failed", "error", "not_run"]


@dataclass(frozen=True)
class Check:
    """One record of one case (or the extra "inputs unchanged" check)."""

    key: str
    label: str
    method: str
    passed: bool
    outcome: str
    message: str
    diagnosis: Finding | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "method": self.method,
            "passed": self.passed,
            "outcome": self.outcome,
            "message": self.message,
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
        }


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    name: str
    kind: Kind
    target: str | None
    status: CaseStatus
    points: float
    max_points: float
    visibility: Visibility
    message: str
    checks: tuple[Check, ...] = ()
    diagnosis: Finding | None = None
    failure_code: str | None = None
    staff_detail: str = ""
    # The classes the case's steps apply, in order of first use: blame matches them to failing unit cases.
    ops: tuple[str, ...] = ()
    # The layers the case's settings build inside a network it applies (blame.built_layers: MultiLayerNet's
    # activation, BatchNormalization, Dropout), which blame adds to the network's parts. Not written in the
    # report: `ops` says what the case applies, and the reports name those (Gradescope's optional classes).
    built: tuple[str, ...] = ()
    # An optional class's case (grader/judge/stages.py): feedback, never a reason for `check` to fail.
    optional: bool = False
    # Drawn from this run's seed (grader/generate.py): only then does a report have a seed worth naming.
    generated: bool = False
    # The exception an errored case's failure states, as the harness's fields (grader/sandbox/raised.py): what
    # the blame says of it, never read from the message. Not written in the report: the message says it.
    raised: Raised | None = None

    @property
    def class_name(self) -> str:
        """The class a case belongs to in summaries: its target, or its kind for whole-graph cases."""
        return self.target or self.kind

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.case_id,
            "name": self.name,
            "class": self.class_name,
            "kind": self.kind,
            "target": self.target,
            "ops": list(self.ops),
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "visibility": self.visibility,
            "message": self.message,
            "checks": [c.to_dict() for c in self.checks],
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
            "failure_code": self.failure_code,
            **({"optional": True} if self.optional else {}),
            **({"generated": True} if self.generated else {}),
        }


@dataclass(frozen=True)
class Blame:
    """Which class (and which of its gradients) explains failures; `class_name` None: the driver."""

    class_name: str | None
    message: str
    unit_cases: tuple[str, ...]
    explains: tuple[str, ...]
    codes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.class_name,
            "message": self.message,
            "unit_cases": list(self.unit_cases),
            "explains": list(self.explains),
            "codes": list(self.codes),
        }


def rechecked(result: CaseResult, check: Callable[[Check], Check]) -> CaseResult:
    """`result` with each of its checks passed through `check`; the case's diagnosis, its first failing
    check's, follows that check's new one."""
    checks = tuple(check(c) for c in result.checks)
    if checks == result.checks:
        return result
    diagnosis = result.diagnosis
    if diagnosis is not None:
        diagnosis = next(
            (
                new.diagnosis
                for old, new in zip(result.checks, checks, strict=True)
                if old.diagnosis == diagnosis
            ),
            diagnosis,
        )
    return dataclasses.replace(result, checks=checks, diagnosis=diagnosis)
