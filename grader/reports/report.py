"""The report of one graded submission, as a frozen record with `to_dict()`.

Everything that varies between two runs of the same submission with the same seed lives in `timing`, so
`to_dict()` without `timing` is byte-identical across runs. Everything staff-only lives in `staff`, which the
student view drops.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from grader.flags.model import Flag

if TYPE_CHECKING:  # the judge imports this module; at run time the cases are only asked for to_dict()
    from grader.judge.results import Blame, CaseResult

SCHEMA_VERSION = 1
ReportStatus = Literal["graded", "load_failed", "error"]


@dataclass(frozen=True)
class AssignmentInfo:
    id: str
    title: str
    family: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "family": self.family}


@dataclass(frozen=True)
class SubmissionInfo:
    id: str
    path: str
    sha256: str | None
    files: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "sha256": self.sha256, "files": list(self.files)}


@dataclass(frozen=True)
class LoadSummary:
    """What the sandbox found: module name -> file, required name -> where, and what is missing."""

    modules: Mapping[str, str]
    found: Mapping[str, str]
    missing: tuple[str, ...]
    near: Mapping[str, tuple[str, ...]]
    standins: tuple[str, ...] = ()  # the grader's stand-in modules the submission imported (never graded)

    def to_dict(self) -> dict[str, Any]:
        return {
            "modules": dict(sorted(self.modules.items())),
            "found": dict(sorted(self.found.items())),
            "missing": list(self.missing),
            "near": {k: list(v) for k, v in sorted(self.near.items())},
            "standins": list(self.standins),
        }


@dataclass(frozen=True)
class StaffInfo:
    """Never shown to students: tracebacks per case, captured output, why the process stopped, and the
    static scan's flags (prompts for a human, not verdicts: grader/flags)."""

    tracebacks: Mapping[str, str] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    details: Mapping[str, str] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()
    # The blame the student view shows, worked out from the cases that view shows openly (STUDENT_BLAME):
    # the report's own blame is worded from every case, hidden ones included, whose diagnoses a hidden-phase
    # process can choose from a hidden input.
    student_blame: Mapping[str, tuple[Blame, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "tracebacks": dict(sorted(self.tracebacks.items())),
            "stdout": self.stdout,
            "stderr": self.stderr,
            "details": dict(sorted(self.details.items())),
            "flags": [f.to_dict() for f in sorted(self.flags, key=lambda f: f.sort_key)],
        }
        if self.student_blame:
            out["student_blame"] = {k: [b.to_dict() for b in v] for k, v in self.student_blame.items()}
        return out


# Which cases each student view shows openly (hidden cases show status and points only): the blame of that
# view is worked out from these alone.
STUDENT_BLAME: Mapping[str, tuple[str, ...]] = {
    "before_due_date": ("visible",),
    "after_due_date": ("visible", "after_due_date"),
    # Once grades are published (Gradescope's after_published), before or after the due date. Worked out
    # only for a report with after_published cases: without any they are the two views above.
    "published_before_due_date": ("visible", "after_published"),
    "published": ("visible", "after_due_date", "after_published"),
}
PUBLISHED_VIEWS = {"published_before_due_date": "before_due_date", "published": "after_due_date"}


def blame_view(*, after_due_date: bool, published: bool) -> str:
    """The STUDENT_BLAME view of a student view: after the due date or not, grades published or not."""
    if published:
        return "published" if after_due_date else "published_before_due_date"
    return "after_due_date" if after_due_date else "before_due_date"


@dataclass(frozen=True)
class Timing:
    wall_seconds: float = 0.0
    sandbox_seconds: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "wall_seconds": round(self.wall_seconds, 6),
            "sandbox_seconds": round(self.sandbox_seconds, 6),
        }


def points(x: float) -> float:
    """Points are rounded once, here, so that 0.1 + 0.2 never shows up as 0.30000000000000004."""
    return round(float(x), 4) + 0.0


def total(values: Iterable[float]) -> float:
    """A sum of points, exact (`math.fsum` rounds the exact sum of the binary fractions once, as adding
    them as Fractions would), rounded once for display: three cases worth 1/3 each give 1, never 0.9999."""
    return points(math.fsum(values))


@dataclass(frozen=True)
class StageInfo:
    """Which course stage was graded, how it was chosen ("default", "asked", "inferred") and why, and which
    stage the code looks like (from its source; None when no stage's names are all defined)."""

    name: str
    title: str
    chosen: str
    reason: str = ""
    looks_like: str | None = None
    # the stage's points (Assignment.max_points), optional classes included; None in reports from before
    # it was recorded. A student's max_score is less when the code leaves out an optional class.
    full_marks: float | None = None

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> StageInfo:
        return cls(
            str(meta["name"]),
            str(meta.get("title", "")),
            str(meta.get("chosen", "default")),
            str(meta.get("reason", "")),
            meta.get("looks_like"),
            float(meta["full_marks"]) if meta.get("full_marks") is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "chosen": self.chosen,
            "reason": self.reason,
            "looks_like": self.looks_like,
            **({"full_marks": self.full_marks} if self.full_marks is not None else {}),
        }


def class_summaries(cases: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per class (a case's `class`): points, max points and case ids by status, in order of first appearance.

    Works on case dicts so that the staff report and the student view (fewer cases) share one definition.
    """
    out: dict[str, dict[str, Any]] = {}
    for case in cases:
        entry = out.setdefault(
            case["class"],
            {
                "class": case["class"],
                "points": 0.0,
                "max_points": 0.0,
                "passed": [],
                "failed": [],
                "error": [],
                "not_run": [],
            },
        )
        entry.setdefault("_points", []).append(case["points"])
        entry.setdefault("_max", []).append(case["max_points"])
        entry[case["status"]].append(case["id"])
    for entry in out.values():
        entry["points"] = total(entry.pop("_points"))
        entry["max_points"] = total(entry.pop("_max"))
    return list(out.values())


@dataclass(frozen=True)
class Report:
    grader_version: str
    assignment: AssignmentInfo
    submission: SubmissionInfo
    seed: int | None
    isolation: str
    status: ReportStatus
    cases: tuple[CaseResult, ...]
    blame: tuple[Blame, ...] = ()
    load: LoadSummary | None = None
    warnings: tuple[str, ...] = ()
    staff: StaffInfo = field(default_factory=StaffInfo)
    timing: Timing = field(default_factory=Timing)
    schema_version: int = SCHEMA_VERSION
    stage: StageInfo | None = None
    # A per-student seed from the course secret (grader/gradescope_seed.py): the student view shows none.
    seed_private: bool = False

    @property
    def submission_id(self) -> str:
        return self.submission.id

    @cached_property
    def document(self) -> dict[str, Any]:
        """`to_dict()`, built once for the readers that only read it: report.json's writer and the
        gradebook row (a batch built it twice a student, ~180 dicts each time). Never change it: a reader
        that changes what it reads (the student view's redaction) takes its own `to_dict()`."""
        return self.to_dict()

    @property
    def score(self) -> float:
        return total(c.points for c in self.cases)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """Staff-only: what the static scan flagged (the student view drops `staff`, flags with it)."""
        return self.staff.flags

    @property
    def max_score(self) -> float:
        return total(c.max_points for c in self.cases)

    def to_dict(self) -> dict[str, Any]:
        cases = [c.to_dict() for c in self.cases]
        return {
            "schema_version": self.schema_version,
            "grader_version": self.grader_version,
            "assignment": self.assignment.to_dict(),
            "submission": self.submission.to_dict(),
            "seed": self.seed,
            "isolation": self.isolation,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "load": self.load.to_dict() if self.load else None,
            "cases": cases,
            "classes": class_summaries(cases),
            "blame": [b.to_dict() for b in self.blame],
            "warnings": list(self.warnings),
            "staff": self.staff.to_dict(),
            "timing": self.timing.to_dict(),
            **({"stage": self.stage.to_dict()} if self.stage else {}),
            **({"seed_private": True} if self.seed_private else {}),
        }


def skipped(case: Mapping[str, Any]) -> bool:
    """A case of an optional class the code does not define (docs/STAGES.md): not run, 0 of 0 points, no
    points lost. It was counted as failing in the pass rates (the Linear quiz alone at stage linear: Add 0 of
    3, Sigmoid 0 of 3) and in each student's failing cases (3 beside full marks). Not a 0-point case that
    did not run because the run stopped before it (a timeout in an earlier case): that one carries its
    failure code (not_run) and stays a failure (Gradescope listed it as passed: review of session 19)."""
    return case.get("status") == "not_run" and not case.get("max_points") and not case.get("failure_code")
