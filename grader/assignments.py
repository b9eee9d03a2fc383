"""Assignments: a manifest (`fixtures/<id>/manifest.json`, schema `manifest`) loaded into a frozen record.

`load_assignment` accepts a shipped id (`SHIPPED`) or a path to a manifest (or to its folder). Everything the
schema cannot say (fixture files that exist, support files that exist, case ids that are unique) is checked
here, with the same kind of message: file, JSON path, what is wrong, what would be valid.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.generate import GeneratedSpec, spec_from_dict
from grader.model import Limits, Tolerance
from grader.schema import ConfigError, load_validated
from grader.stages import (
    DEFAULT_NAME,
    PART_SEPARATOR,
    Stage,
    combine,
    implicit_stage,
    stage_from_dict,
    stage_ids,
    unmatched_patterns,
)

SHIPPED = ("miniflow", "dezero", "dlfs-layers", "dlfs-advanced")
FIXTURES_ENV = "GRADER_FIXTURES"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class CaseRef:
    """A stored case of a manifest: which fixture, for how many points, seen by whom."""

    fixture: str
    points: float
    visibility: str
    all_or_nothing: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "fixture": self.fixture,
            "points": self.points,
            "visibility": self.visibility,
            "all_or_nothing": self.all_or_nothing,
        }


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    family: str
    modules: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    support_files: tuple[str, ...]
    cases: tuple[CaseRef, ...]
    generated: tuple[GeneratedSpec, ...]
    limits: Limits
    tolerance: Tolerance
    forbidden_imports: tuple[str, ...]
    root: Path  # the folder holding manifest.json, cases/ and support/
    ops_module: str | None = None  # the assignment's own ops, relative to root (docs/EXTENDING.md)
    # Course stages (grader/stages.py, docs/STAGES.md); without them, one stage "default" holding all.
    stages: tuple[Stage, ...] = ()
    default_stage: str = ""
    declares_stages: bool = False
    # Groups of alternative modules (a course's step files): only the first present is graded
    # (grader/inside/choice.py).
    one_of: tuple[tuple[str, ...], ...] = ()
    # Course files the assignment does not grade, (path, what, names): the book's common/optimizer.py
    # (grader/infer.py tells a student who hands one in alone what is graded instead).
    ungraded_modules: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def fixture_path(self, case_id: str) -> Path:
        return self.root / "cases" / f"{case_id}.json"

    def support_bytes(self) -> dict[str, bytes]:
        """The support files (relative path -> content) copied into the sandbox beside the submission."""
        return {rel: (self.root / "support" / rel).read_bytes() for rel in self.support_files}

    def max_points(self, stage: str | None = None) -> float:
        """The stage's max score (default: the default stage): optional-class cases count only with points."""
        chosen = self.stage(stage)
        ids = set(self.stage_case_ids(chosen.name))
        total = sum(self.case_points(c.fixture, c.points, chosen) for c in self.cases if c.fixture in ids)
        total += sum(
            self.case_points(g.id, g.points, chosen) * g.count for g in self.generated if g.id in ids
        )
        return total

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    def stage(self, name: str | None = None) -> Stage:
        """The stage called `name` (None: the default stage), or several joined with `+` graded together
        ("layers+two-layer-net", in any order); an unknown name lists the valid ones."""
        wanted = name or self.default_stage
        by_name = {s.name: s for s in self.stages}
        parts = [p.strip() for p in wanted.split(PART_SEPARATOR)]
        unknown = [p for p in parts if p not in by_name]
        if unknown or not parts:
            raise ConfigError(
                f"unknown stage {wanted!r} for assignment {self.id}; valid: {', '.join(self.stage_names)}"
                f" (or several joined with {PART_SEPARATOR!r}, graded together)"
            )
        return combine([s for s in self.stages if s.name in parts])

    def stage_case_ids(self, name: str | None = None) -> list[str]:
        """Stored fixture ids and generated spec ids graded at stage `name`, in manifest order."""
        # Asked several times for every submission of a batch (the stage scan, the report): the pattern
        # matching is done once per stage name.
        known = self._stage_ids_memo.get(name)
        if known is None:
            stages = {s.name: s for s in self.stages}
            known = self._stage_ids_memo[name] = tuple(stage_ids(stages, self.stage(name), self._all_ids()))
        return list(known)

    @functools.cached_property
    def _stage_ids_memo(self) -> dict[str | None, tuple[str, ...]]:
        return {}

    def _all_ids(self) -> list[str]:
        return [*(c.fixture for c in self.cases), *(g.id for g in self.generated)]

    def optional_classes_of(self, case_id: str, stage: Stage) -> tuple[str, ...]:
        """The stage's optional classes that case `case_id` (a fixture or generated spec id) applies."""
        from grader.stages import optional_of

        if not stage.optional_classes:
            return ()
        return optional_of(self.case_steps(case_id), stage.optional_classes)

    def case_steps(self, case_id: str) -> Any:
        """The steps of case `case_id`: a generated spec's, or a stored fixture's (read from its file)."""
        spec = next((g for g in self.generated if g.id == case_id), None)
        if spec is not None:
            return spec.steps
        import json

        return json.loads(self.fixture_path(case_id).read_text(encoding="utf-8"))["steps"]

    def case_points(self, case_id: str, points: float, stage: Stage) -> float:
        """A case's points at `stage`: an optional-class case is worth 0 unless the stage gives points."""
        if stage.scores(self.optional_classes_of(case_id, stage)):
            return points
        return 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "id": self.id,
            "title": self.title,
            "family": self.family,
            "modules": list(self.modules),
            "required": list(self.required),
            "optional": list(self.optional),
            "support_files": list(self.support_files),
            "cases": [c.to_dict() for c in self.cases],
            "generated": [g.to_dict() for g in self.generated],
            "limits": self.limits.to_dict(),
            "tolerance": self.tolerance.to_dict(),
            "forbidden_imports": list(self.forbidden_imports),
            **({"one_of": [list(g) for g in self.one_of]} if self.one_of else {}),
            **(
                {
                    "ungraded_modules": [
                        {"path": p, "what": w, "names": list(n)} for p, w, n in self.ungraded_modules
                    ]
                }
                if self.ungraded_modules
                else {}
            ),
            **({"ops_module": self.ops_module} if self.ops_module else {}),
            **(
                {"stages": [s.to_dict() for s in self.stages], "default_stage": self.default_stage}
                if self.declares_stages
                else {}
            ),
        }


@dataclass(frozen=True)
class FixturesLocation:
    """Where the shipped assignments were found, and why there (`origin` is one of FIXTURES_ORIGINS)."""

    path: Path
    origin: str


# In lookup order: the override, a source checkout (where `grader fixtures build` writes), an installed wheel.
FIXTURES_ORIGINS = (FIXTURES_ENV, "checkout", "package")


def _holds_assignments(folder: Path) -> bool:
    return (folder / SHIPPED[0] / MANIFEST).is_file()


def locate_fixtures() -> FixturesLocation:
    """$GRADER_FIXTURES when set; else the checkout's `fixtures/` (beside the package, with the checkout's
    pyproject.toml); else the copy a wheel carries as package data (`grader/fixtures/`, see setup.py)."""
    env = os.environ.get(FIXTURES_ENV)
    if env:
        path = Path(env)
        if not path.is_dir():
            raise ConfigError(
                f"{FIXTURES_ENV}={env!r} is not a folder; valid: the path of a fixtures/ folder"
            )
        return FixturesLocation(path, FIXTURES_ENV)
    package = Path(__file__).resolve().parent
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and _holds_assignments(checkout / "fixtures"):
        return FixturesLocation(checkout / "fixtures", "checkout")
    if _holds_assignments(package / "fixtures"):
        return FixturesLocation(package / "fixtures", "package")
    raise ConfigError(
        f"no fixtures found: neither a checkout's fixtures/ beside the grader package ({checkout}) nor the "
        f"packaged copy ({package / 'fixtures'}); reinstall backprop-grader, or set {FIXTURES_ENV} to a "
        "fixtures/ folder"
    )


def fixtures_root() -> Path:
    """The folder holding one sub-folder per shipped assignment (see `locate_fixtures`)."""
    return locate_fixtures().path


def _manifest_path(id_or_path: str | Path) -> Path:
    text = str(id_or_path)
    if text in SHIPPED:
        return fixtures_root() / text / MANIFEST
    path = Path(id_or_path)
    if path.is_dir():
        path = path / MANIFEST
    if path.is_file():
        return path
    looks_like_path = isinstance(id_or_path, Path) or os.sep in text or text.endswith(".json")
    if looks_like_path:
        raise ConfigError(
            f"{path}: no such manifest; valid: a shipped id ({', '.join(SHIPPED)}) or a manifest path"
        )
    raise ConfigError(
        f"unknown assignment {text!r}; valid: a shipped id ({', '.join(SHIPPED)}) or a manifest path"
    )


def _check(path: Path, where: str, ok: bool, what: str, valid: str) -> None:
    if not ok:
        raise ConfigError(f"{path} is not a valid manifest file:\n  {where}: {what}; valid: {valid}")


def _check_consistency(path: Path, data: Mapping[str, Any], *, require_fixtures: bool) -> None:
    root = path.parent
    seen: dict[str, str] = {}
    for i, c in enumerate(data["cases"]):
        where = f"$.cases[{i}].fixture"
        _check(
            path, where, c["fixture"] not in seen, f"case {c['fixture']!r} listed twice", "unique case ids"
        )
        seen[c["fixture"]] = where
        if require_fixtures:
            existing = sorted(p.stem for p in (root / "cases").glob("*.json"))
            _check(
                path,
                where,
                (root / "cases" / f"{c['fixture']}.json").is_file(),
                f"no fixture file cases/{c['fixture']}.json",
                "one of " + (", ".join(existing) or "(no fixtures built yet: run `grader fixtures build`)"),
            )
    for i, g in enumerate(data["generated"]):
        for k in range(1, g["count"] + 1):
            cid = f"{g['id']}-{k}"
            _check(
                path,
                f"$.generated[{i}].id",
                cid not in seen,
                f"case id {cid!r} also at {seen.get(cid)}",
                "an id prefix no stored case starts with",
            )
            seen[cid] = f"$.generated[{i}].id"
    for i, rel in enumerate(data["support_files"]):
        _check(
            path,
            f"$.support_files[{i}]",
            (root / "support" / rel).is_file(),
            f"no file support/{rel}",
            "a path relative to the assignment's support/ folder",
        )
    if "ops_module" in data:
        _check(
            path,
            "$.ops_module",
            (root / data["ops_module"]).is_file(),
            f"no file {data['ops_module']}",
            "a .py file relative to the manifest's folder (docs/EXTENDING.md)",
        )
    both = sorted(set(data["required"]) & set(data["optional"]))
    _check(path, "$.optional", not both, f"{', '.join(both)} also in $.required", "names not in $.required")
    for i, group in enumerate(data.get("one_of", ())):
        stray = [m for m in group if m not in data["modules"]]
        _check(
            path,
            f"$.one_of[{i}]",
            not stray,
            f"{', '.join(stray)} not in $.modules",
            "names listed in $.modules",
        )
    _check_stages(path, data)


def _check_stages(path: Path, data: Mapping[str, Any]) -> None:
    """Stage names unique, `extends` earlier, patterns that select something, a default that exists."""
    stages = data.get("stages")
    _check(
        path,
        "$.default_stage",
        (stages is None) == ("default_stage" not in data),
        "stages and default_stage go together",
        "both $.stages and $.default_stage, or neither",
    )
    if stages is None:
        return
    ids = [*(c["fixture"] for c in data["cases"]), *(g["id"] for g in data["generated"])]
    names: list[str] = []
    # A class one stage makes optional may be what another stage is about: MiniFlow's Add, optional from the
    # Linear quiz on, is the whole of the first quiz. The assignment itself never grades it, so it is in
    # neither list (in `optional` it would make the add quiz's copy of miniflow.py run beside the last one).
    known = (
        set(data["required"])
        | set(data["optional"])
        | {c for entry in stages for c in entry.get("optional_classes", ())}
    )
    for i, entry in enumerate(stages):
        stage = stage_from_dict(entry, data["required"])
        where = f"$.stages[{i}]"
        _check(path, f"{where}.name", stage.name not in names, f"stage {stage.name!r} twice", "unique names")
        _check(
            path,
            f"{where}.extends",
            stage.extends is None or stage.extends in names,
            f"extends {stage.extends!r}, not an earlier stage",
            "one of " + (", ".join(names) or "(no earlier stage)"),
        )
        bad = unmatched_patterns(stage, ids)
        _check(path, f"{where}.cases", not bad, f"{', '.join(bad)} selects no case", "case ids or patterns")
        unknown = sorted(set(stage.requires) - known)
        _check(
            path,
            f"{where}.requires",
            not unknown,
            f"{', '.join(unknown)} not in $.required or $.optional",
            "names the manifest lists, or a stage's optional_classes",
        )
        stray = sorted(set(stage.optional_feedback) - set(stage.optional_classes))
        _check(
            path,
            f"{where}.optional_feedback",
            not stray,
            f"{', '.join(stray)} not in this stage's optional_classes",
            "some of the stage's optional_classes",
        )
        names.append(stage.name)
    _check(
        path,
        "$.default_stage",
        data["default_stage"] in names,
        f"{data['default_stage']!r} is not a stage",
        "one of " + ", ".join(names),
    )


def load_assignment(id_or_path: str | Path, *, require_fixtures: bool = True) -> Assignment:
    """Load a shipped assignment by id, or any manifest by path; every problem is a ConfigError.

    `require_fixtures=False` is for `grader fixtures build`, which writes the case files the manifest lists.
    """
    path = _manifest_path(id_or_path)
    data = load_validated(path, "manifest")
    _check_consistency(path, data, require_fixtures=require_fixtures)
    return Assignment(
        id=data["id"],
        title=data["title"],
        family=data["family"],
        modules=tuple(data["modules"]),
        required=tuple(data["required"]),
        optional=tuple(data["optional"]),
        support_files=tuple(data["support_files"]),
        cases=tuple(
            CaseRef(c["fixture"], float(c["points"]), c["visibility"], bool(c.get("all_or_nothing", False)))
            for c in data["cases"]
        ),
        generated=tuple(spec_from_dict(g) for g in data["generated"]),
        limits=Limits(
            wall_seconds=float(data["limits"]["wall_seconds"]),
            cpu_seconds=float(data["limits"]["cpu_seconds"]),
            memory_mib=int(data["limits"]["memory_mib"]),
            output_kib=int(data["limits"]["output_kib"]),
        ),
        tolerance=Tolerance(float(data["tolerance"]["rtol"]), float(data["tolerance"]["atol"])),
        forbidden_imports=tuple(data["forbidden_imports"]),
        root=path.resolve().parent,
        ops_module=data.get("ops_module"),
        stages=tuple(stage_from_dict(s, data["required"]) for s in data["stages"])
        if "stages" in data
        else (implicit_stage(data["required"]),),
        default_stage=data.get("default_stage", DEFAULT_NAME),
        declares_stages="stages" in data,
        one_of=tuple(tuple(g) for g in data.get("one_of", ())),
        ungraded_modules=tuple(
            (u["path"], u["what"], tuple(u["names"])) for u in data.get("ungraded_modules", ())
        ),
    )
