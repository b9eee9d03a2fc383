"""Course stages: one step of a course, graded for what that step asks (docs/STAGES.md).

A manifest declares its stages (`stages`, `default_stage`). Each names the cases it grades (fnmatch patterns
over stored fixture ids and generated spec ids, plus every case of the stage it `extends`), the names the code
must define at that step (`requires`), identifiers whose presence in the source marks the step (`detect`: used
only to infer the stage, never to grade), the classes that are optional there (`optional_classes`: their cases
are checked when the code defines them, worth 0 points unless `optional_points`), and a one-line `adds` for
messages ("retain_grad and no_grad / using_config").

A manifest without stages has one implicit stage, `DEFAULT_NAME`, holding every case: today's behaviour.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_NAME = "default"


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    requires: tuple[str, ...]
    cases: tuple[str, ...]  # patterns, matched against stored fixture ids and generated spec ids
    extends: str | None = None
    detect: tuple[tuple[str, ...], ...] = ()  # every group needs one of its identifiers in the source
    optional_classes: tuple[str, ...] = ()
    optional_points: bool = False
    adds: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "requires": list(self.requires),
            "cases": list(self.cases),
        }
        if self.extends:
            out["extends"] = self.extends
        if self.detect:
            out["detect"] = [list(g) for g in self.detect]
        if self.optional_classes:
            out["optional_classes"] = list(self.optional_classes)
        if self.optional_points:
            out["optional_points"] = True
        if self.adds:
            out["adds"] = self.adds
        return out


def stage_from_dict(data: Mapping[str, Any], required: Sequence[str]) -> Stage:
    """A schema-validated stage entry; `requires` defaults to the manifest's `required`."""
    return Stage(
        name=data["name"],
        title=data["title"],
        requires=tuple(data.get("requires", required)),
        cases=tuple(data["cases"]),
        extends=data.get("extends"),
        detect=tuple(tuple(g) for g in data.get("detect", ())),
        optional_classes=tuple(data.get("optional_classes", ())),
        optional_points=bool(data.get("optional_points", False)),
        adds=data.get("adds", ""),
    )


def implicit_stage(required: Sequence[str]) -> Stage:
    return Stage(DEFAULT_NAME, "the whole assignment", tuple(required), ("*",))


def select_ids(stages: Mapping[str, Stage], name: str, ids: Sequence[str]) -> list[str]:
    """The ids (in the manifest's order) that stage `name` grades, its `extends` chain included."""
    patterns: list[str] = []
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current not in seen:
        seen.add(current)
        patterns.extend(stages[current].cases)
        current = stages[current].extends
    return [i for i in ids if any(fnmatch.fnmatchcase(i, p) for p in patterns)]


def unmatched_patterns(stage: Stage, ids: Sequence[str]) -> list[str]:
    """Patterns of `stage` that select nothing: a typo in a manifest, reported when it is loaded."""
    return [p for p in stage.cases if not any(fnmatch.fnmatchcase(i, p) for i in ids)]


def uses_optional(ops: Iterable[str], optional_classes: Sequence[str]) -> tuple[str, ...]:
    """The optional classes a case applies. DeZero's helpers (`exp`) are their classes (`Exp`): compared
    without case, so `optional_classes: ["Exp"]` covers a case written with either."""
    wanted = {c.lower(): c for c in optional_classes}
    return tuple(dict.fromkeys(wanted[op.lower()] for op in ops if op.lower() in wanted))


def case_ops(steps: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(s["op"]) for s in steps if s.get("do") == "apply" and "op" in s))


@dataclass(frozen=True)
class Inference:
    """Which stage a submission's source looks like, and why (printed by `grader check`)."""

    stage: str
    reason: str


def _satisfied(
    stage: Stage, defined: set[str], identifiers: set[str], aliases: Mapping[str, Iterable[str]]
) -> bool:
    def has(name: str) -> bool:
        return any(a.lower() in defined for a in (name, *aliases.get(name, ())))

    return all(has(r) for r in stage.requires) and all(
        any(i.lower() in identifiers for i in group) for group in stage.detect
    )


def infer_stage(
    stages: Sequence[Stage],
    defined: Iterable[str],
    identifiers: Iterable[str],
    aliases: Mapping[str, Iterable[str]] | None = None,
) -> Inference | None:
    """The satisfied stage with the most requirements (names + detect groups); a tie goes to the later one.

    `defined`: the names the source binds (classes, functions, assignments); `identifiers`: every identifier
    it mentions (names, attributes, parameters, imports). Compared without case. None: no stage satisfied.
    """
    names = {n.lower() for n in defined}
    idents = {i.lower() for i in identifiers} | names
    alias_map = aliases or {}
    best: tuple[int, int, Stage] | None = None
    for order, stage in enumerate(stages):
        if not _satisfied(stage, names, idents, alias_map):
            continue
        weight = len(stage.requires) + len(stage.detect)
        if best is None or (weight, order) >= best[:2]:
            best = (weight, order, stage)
    if best is None:
        return None
    stage = best[2]
    why = ", ".join(stage.requires)
    if stage.detect:
        why += "; uses " + ", ".join(" or ".join(g) for g in stage.detect)
    return Inference(stage.name, f"your code defines {why}")
