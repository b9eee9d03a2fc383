"""Typed records that cross the boundaries between loader, sandbox, judge and reports.

All are frozen: a result, once built, is never edited. See docs/ARCHITECTURE.md for the contracts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np

from grader import arrays, untrusted

Kind = Literal["unit", "graph", "behaviour"]
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
RecordValue = np.ndarray | bool | None

# How a check's message indents the rows of its got/expected table (judge/compare.py): the report writers
# find the table by it (the terminal cuts it, Gradescope puts it in a code block).
TABLE_ROW = "    "

FAILURE_CODES = (
    "syntax_error",
    "import_error",
    "forbidden_import",
    "missing_name",
    "not_implemented",
    "exception",
    "timeout",
    "cpu_limit",
    "memory_limit",
    "output_limit",
    "crashed",
    "no_result",
    "protocol_violation",
    "not_run",
    "grader_error",  # the grader's own bug: never claimed by a student process, worded by grader/fault.py
)


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-6
    atol: float = 1e-9

    def to_dict(self) -> dict[str, float]:
        return {"rtol": self.rtol, "atol": self.atol}


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10.0
    cpu_seconds: float = 10.0
    memory_mib: int = 512
    output_kib: int = 256

    def to_dict(self) -> dict[str, float | int]:
        return {
            "wall_seconds": self.wall_seconds,
            "cpu_seconds": self.cpu_seconds,
            "memory_mib": self.memory_mib,
            "output_kib": self.output_kib,
        }


@dataclass(frozen=True)
class Case:
    """One case of one run: what the student's code is driven through, and what must come out.

    `expected` lives only in the trusted parent; `job_view()` is all the sandbox ever sees.
    """

    id: str
    name: str
    kind: Kind
    target: str | None
    inputs: Mapping[str, np.ndarray]
    steps: tuple[Mapping[str, Any], ...]
    expected: Mapping[str, RecordValue]
    tolerance: Tolerance
    points: float
    visibility: Visibility = "visible"
    all_or_nothing: bool = False
    generated: bool = False
    provenance: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # mutation name (reference/mutations.py) -> the records that known mistake produces, where they differ.
    known_mistakes: Mapping[str, Mapping[str, RecordValue]] = field(default_factory=dict)
    # The stage's optional classes this case applies (grader/stages.py): graded only when the code defines
    # them; absent, the case is skipped, never failed.
    optional_classes: tuple[str, ...] = ()
    # Records graded to a tolerance other than the case's: a drawn chapter 4 gradient case's loss keeps the
    # assignment's, its gradients the spec's (looser, for finite differences), so whether a loss passes does
    # not depend on the draw it sits in (review of s25-realdlfs, finding 6).
    record_tolerances: Mapping[str, Tolerance] = field(default_factory=dict)

    def tolerance_of(self, key: str) -> Tolerance:
        """The tolerance record `key` is graded to."""
        return self.record_tolerances.get(key, self.tolerance)

    @cached_property
    def mistake_changes(self) -> Mapping[str, frozenset[str]]:
        """Known mistake -> the records whose value it changes (beyond tolerance): a property of the case,
        worked out once per run instead of once per submission (grader/judge/support.py)."""
        from grader.judge.compare import values_match  # the judge's rule; grader.judge imports this module

        return {
            name: frozenset(
                key
                for key, value in predicted.items()
                if key in self.expected
                and not values_match(value, self.expected[key], self.tolerance_of(key))
            )
            for name, predicted in self.known_mistakes.items()
        }

    @cached_property
    def mistakes_changing(self) -> Mapping[str, tuple[str, ...]]:
        """Record key -> the known mistakes that change it (`mistake_changes`), in the known mistakes' order:
        what a record says for or against a mistake is read only of these (grader/judge/support.py), the same
        for every submission, so looked up once per run instead of tested for every mistake of every record
        of every submission."""
        changes = self.mistake_changes
        return {key: tuple(n for n in self.known_mistakes if key in changes[n]) for key in self.expected}

    def job_view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "inputs": {name: arrays.encode(a) for name, a in self.inputs.items()},
            "steps": [dict(s) for s in self.steps],
        }

    def record_steps(self) -> dict[str, Mapping[str, Any]]:
        """The record steps by key: they carry the label and method used in messages. One dict a run (the
        judge asks for it in every case of every submission, and again for each failing record): callers
        read it, never change it."""
        return self._record_steps

    @cached_property
    def _record_steps(self) -> dict[str, Mapping[str, Any]]:
        return {s["key"]: s for s in self.steps if s.get("do") == "record"}


# The records below are where text from a submission enters the parent: each normalises its own fields once,
# in __post_init__ (grader/untrusted.py), so nothing built from them can carry raw student text.
def _set(record: object, **fields: object) -> None:
    for key, value in fields.items():
        object.__setattr__(record, key, value)


@dataclass(frozen=True)
class Raised:
    """The exception a case's failure states, as the harness sent it beside the message (the frame's
    FAILURE `raised`: docs/ARCHITECTURE.md): its class name, and the submission's file, line and function it
    was raised in ("" and 0 when none is known). `place` and `shown_line` are where a message names that line
    (a notebook's cell and the line in it), set by the parent once it checked the file is one of the job's and
    the line within it (grader/sandbox/frames.py); "" until then, and the place is then not to be said."""

    type: str
    file: str = ""
    line: int = 0
    function: str = ""
    place: str = ""
    shown_line: int = 0

    def __post_init__(self) -> None:
        _set(
            self,
            type=untrusted.name(self.type),
            file=untrusted.path(self.file),
            function=untrusted.name(self.function),
            place=untrusted.path(self.place),
        )


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    detail: str = ""
    raised: Raised | None = None  # checked against the job where it enters (grader/sandbox/frames.py)

    def __post_init__(self) -> None:
        _set(
            self,
            code=untrusted.name(self.code),
            message=untrusted.message(self.message),
            detail=untrusted.detail(self.detail),
        )

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


@dataclass(frozen=True)
class LoadInfo:
    modules: Mapping[str, str]
    found: Mapping[str, str]
    missing: tuple[str, ...]
    near: Mapping[str, tuple[str, ...]]
    notes: tuple[str, ...] = ()  # the runner's staff notes on how it found the modules (optional)
    # Student-facing: modules that failed to load, where an import stopped, duplicate classes, stand-ins
    # used (docs/LOADING.md). The student's process wrote them: normalised and capped here like the rest.
    warnings: tuple[str, ...] = ()
    standins: tuple[str, ...] = ()  # the stand-in modules the submission imported ("common.layers")

    def __post_init__(self) -> None:
        _set(
            self,
            modules=untrusted.mapping(self.modules, untrusted.path, limit=untrusted.MAX_NAMES),
            found=untrusted.mapping(self.found, untrusted.name, limit=untrusted.MAX_NAMES),
            missing=untrusted.items(self.missing, limit=untrusted.MAX_NAMES),
            near=untrusted.mapping(self.near, _near_names, limit=untrusted.MAX_NAMES),
            notes=untrusted.items(self.notes, untrusted.message),
            warnings=untrusted.items(self.warnings, untrusted.message),
            standins=untrusted.items(self.standins),
        )


def _near_names(names: object) -> tuple[str, ...]:
    return untrusted.items(names if isinstance(names, list | tuple) else (), limit=untrusted.MAX_NEAR)


@dataclass(frozen=True)
class CaseOutput:
    case_id: str
    status: Literal["ok", "error"]
    records: Mapping[str, RecordValue]
    mutated: tuple[str, ...] = ()
    failure: Failure | None = None
    # The ops the adapter built from one list of their nodes (grader/constructors.py words its note so).
    packed: tuple[str, ...] = ()
    # Required constructor parameters the grader filled in with the book's weight scale 0.01 (layers adapter).
    handed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(
            self,
            case_id=untrusted.name(self.case_id),
            mutated=untrusted.items(self.mutated),
            packed=untrusted.items(self.packed),
            handed=untrusted.items(self.handed),
        )


# The phases of a run, in order: each runs in a fresh student process, so that nothing the inputs of a later
# (less visible) phase reach can flow into what an earlier one shows. A case's phase is its visibility.
# after_published cases (Gradescope shows them once grades are published) come after the after-due-date ones:
# courses publish grades after the due date.
PHASES: tuple[Visibility, ...] = ("visible", "after_due_date", "after_published", "hidden")


@dataclass(frozen=True)
class RunResult:
    """What one submission's run produced. `stdout`, `stderr` and `process_failure` are the visible phase's
    (student-facing); `phase_failures` says why a later phase's process ended early and `staff_output` holds
    the later phases' output: both are for staff, like everything a hidden case's inputs reach."""

    isolation: Literal["bwrap", "rlimits-root-dropped", "rlimits-unprivileged", "none"]
    load: LoadInfo | None
    outputs: Mapping[str, CaseOutput]
    process_failure: Failure | None
    stdout: str
    stderr: str
    elapsed_seconds: float
    phase_failures: Mapping[str, Failure] = field(default_factory=dict)
    staff_output: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # What the isolation shares beyond its name says (the pool's uid note: every worker one uid), for staff
    isolation_notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(
            self,
            isolation_notes=untrusted.items(self.isolation_notes, untrusted.message),
            stdout=untrusted.output(self.stdout),
            stderr=untrusted.output(self.stderr),
            staff_output={
                untrusted.name(phase): (untrusted.output(out), untrusted.output(err))
                for phase, (out, err) in list(self.staff_output.items())[: untrusted.MAX_ITEMS]
            },
        )


@dataclass(frozen=True)
class Confinement:
    """The isolation a submission ran in, or would have run in, and what its workers share beyond its name
    (RunResult.isolation_notes): every report stating the one carries the other, those of runs that never
    happened too (an entry the loader refused, a job that could not be built, a job lost with its Dask
    worker; before, those stated the isolation without its notes)."""

    isolation: str
    notes: tuple[str, ...] = ()

    def unrun(self, failure: Failure) -> RunResult:
        """The run record of a submission that did not run in a sandbox, or whose run is lost: `failure`."""
        isolation: Any = self.isolation
        return RunResult(isolation, None, {}, failure, "", "", 0.0, isolation_notes=self.notes)
