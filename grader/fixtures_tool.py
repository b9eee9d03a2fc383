"""`grader fixtures build` / `verify`: prove every stored expected value with independent oracles.

Build reads each assignment's sources (`fixtures/<id>/sources.json`, or `fixtures/<id>/sources/*.json`, each
a `{"schema_version": 1, "cases": [...]}` file), computes the expected records with the reference engine,
proves them with torch autograd (float64) and, for input gradients of cases with one backward, with
per-element finite differences; it checks every `documented` value to its printed precision, and writes
`fixtures/<id>/cases/<case>.json` only when all agree (atomically, same bytes for the same sources).
Verify re-proves every stored fixture from scratch, including that its stored expected values equal a fresh
reference run and that it still matches its source, and reports every disagreement it finds.

This module imports torch (through `grader.oracles.torch_oracle`): never import it on the grading path.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TextIO

import numpy as np

from grader.assignments import SHIPPED, Assignment, load_assignment
from grader.atomic import write_text
from grader.cases import Fixture, fixture_from_dict, load_fixture
from grader.extension import extension_of
from grader.oracles import finite_diff
from grader.schema import ConfigError, load_validated

# The one table of agreement thresholds between oracles (finite differences have their own, in
# grader.oracles.finite_diff.TOLERANCES). Two analytic float64 engines agree to ~1e-15 (FACTS.md section 5).
AGREEMENT: dict[str, float] = {
    # reference vs torch, and stored expected vs a fresh reference run: |a - b| <= rtol * max(|a|, |b|) + ...
    "rtol": 1e-12,
    # ... + atol_scale * max(1, largest |value| of the record): elements that cancel to ~0 in both engines.
    "atol_scale": 1e-14,
    # a documented value agrees when |value - printed| <= half a unit in the last printed digit, plus
    # this relative slack for the decimal -> binary conversion of the printed number.
    "printed_slack": 1e-12,
}
ORACLE_ORDER = ("documented", "reference", "torch", "finite-difference")
# Kinds whose input gradients must be proven by finite differences (behaviour cases: reference and torch).
FD_REQUIRED_KINDS = ("unit", "graph")


@dataclass(frozen=True)
class Disagreement:
    """Two oracles (or a stored file and an oracle) that disagree on one value of one case."""

    case: str
    key: str
    oracles: tuple[str, str]
    index: tuple[int, ...] | None
    first: Any
    second: Any
    detail: str = ""

    def message(self) -> str:
        where = self.key + (f"[{', '.join(map(str, self.index))}]" if self.index else "")
        text = f"{self.case}: {where}: {self.oracles[0]} {self.first!r} vs {self.oracles[1]} {self.second!r}"
        return text + (f" ({self.detail})" if self.detail else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "key": self.key,
            "oracles": list(self.oracles),
            "index": None if self.index is None else list(self.index),
            "first": _plain(self.first),
            "second": _plain(self.second),
            "detail": self.detail,
            "message": self.message(),
        }


@dataclass(frozen=True)
class FixtureResult:
    """The verdict on one fixture: agreed (and by which oracles per key), or its disagreements."""

    assignment: str
    case: str
    path: str
    disagreements: tuple[Disagreement, ...]
    provenance: Mapping[str, tuple[str, ...]]
    written: bool = False
    kept: bool = False  # build: the stored file differs from the rebuilt one only by rounding: not rewritten

    @property
    def agreed(self) -> bool:
        return not self.disagreements

    def to_dict(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "case": self.case,
            "path": self.path,
            "agreed": self.agreed,
            "written": self.written,
            "kept": self.kept,
            "provenance": {k: list(v) for k, v in self.provenance.items()},
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


@dataclass(frozen=True)
class ToolResult:
    action: Literal["build", "verify"]
    fixtures: tuple[FixtureResult, ...]
    errors: tuple[str, ...] = ()  # problems outside any one fixture (a missing source, an invalid file)

    @property
    def ok(self) -> bool:
        return not self.errors and all(f.agreed for f in self.fixtures)

    def disagreements(self) -> list[Disagreement]:
        return [d for f in self.fixtures for d in f.disagreements]

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "ok": self.ok,
            "fixtures": [f.to_dict() for f in self.fixtures],
            "errors": list(self.errors),
        }

    def summary(self) -> str:
        lines = []
        for f in self.fixtures:
            verdict = "agreed" if f.agreed else f"{len(f.disagreements)} disagreement(s)"
            note = (
                ", written"
                if f.written
                else ", unchanged"
                if f.kept
                else (", NOT written" if self.action == "build" and not f.agreed else "")
            )
            lines.append(f"{f.assignment}/{f.case}: {verdict}{note}")
            lines.extend(f"  {d.message()}" for d in f.disagreements)
        lines.extend(f"error: {e}" for e in self.errors)
        agreed = sum(f.agreed for f in self.fixtures)
        lines.append(
            f"{self.action}: {agreed} of {len(self.fixtures)} fixtures agreed, {len(self.errors)} error(s)"
        )
        return "\n".join(lines)


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _describe(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array of shape {v.shape}"
    return "missing" if v is _MISSING else repr(v)


_MISSING = object()


def compare_records(
    case: str, key: str, oracles: tuple[str, str], a: Any, b: Any, *, rtol: float, atol_scale: float
) -> list[Disagreement]:
    """Every disagreement between two values of one record (type, shape, then each bad element)."""
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) or a is not b:
            return [
                Disagreement(case, key, oracles, None, _describe(a), _describe(b), "different kinds of value")
            ]
        return []
    if a.shape != b.shape:
        return [
            Disagreement(case, key, oracles, None, f"shape {a.shape}", f"shape {b.shape}", "shapes differ")
        ]
    finite = np.isfinite(a) & np.isfinite(b)
    scale = max(1.0, float(np.max(np.abs(np.where(finite, a, 0.0)), initial=0.0)))
    ok = np.where(
        finite,
        np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)) + atol_scale * scale,
        (a == b) | (np.isnan(a) & np.isnan(b)),
    )
    out = []
    for flat in np.flatnonzero(~ok):
        i = tuple(int(x) for x in np.unravel_index(int(flat), a.shape))
        out.append(
            Disagreement(
                case, key, oracles, i or None, float(a[i]), float(b[i]), f"element of shape {a.shape}"
            )
        )
    return out


def _half_unit(printed: str) -> float:
    """Half a unit in the last printed digit: "2.2" -> 0.05, "-3.34017280e-05" -> 5e-14, "220" -> 0.5."""
    exponent = Decimal(printed).as_tuple().exponent
    assert isinstance(exponent, int)
    return 0.5 * 10.0**exponent


def check_documented(
    case: str, records: Mapping[str, Any], documented: Mapping[str, Mapping[str, Any]]
) -> list[Disagreement]:
    """Every documented value against the reference's record, to the precision it was printed with."""
    out: list[Disagreement] = []
    for key, doc in sorted(documented.items()):
        printed = doc["printed"]
        value = records.get(key, _MISSING)
        pair = ("documented", "reference")
        if printed is None or isinstance(printed, bool):
            if value is not printed:
                out.append(Disagreement(case, key, pair, None, printed, _describe(value), doc["source"]))
            continue
        strings = [printed] if isinstance(printed, str) else list(printed)
        if not isinstance(value, np.ndarray):
            out.append(Disagreement(case, key, pair, None, printed, _describe(value), doc["source"]))
            continue
        if "shape" in doc and tuple(doc["shape"]) != value.shape:
            out.append(
                Disagreement(
                    case,
                    key,
                    pair,
                    None,
                    f"shape {tuple(doc['shape'])}",
                    f"shape {value.shape}",
                    doc["source"],
                )
            )
            continue
        if len(strings) != value.size:
            out.append(
                Disagreement(
                    case,
                    key,
                    pair,
                    None,
                    f"{len(strings)} printed values",
                    f"{value.size} values",
                    doc["source"],
                )
            )
            continue
        for flat_i, (text, v) in enumerate(zip(strings, value.ravel().tolist(), strict=True)):
            p = float(text)
            if not abs(v - p) <= _half_unit(text) + AGREEMENT["printed_slack"] * abs(p):
                index = tuple(int(i) for i in np.unravel_index(flat_i, value.shape)) if value.shape else None
                out.append(
                    Disagreement(
                        case,
                        key,
                        pair,
                        index,
                        text,
                        v,
                        f"not within half a unit of the last printed digit; {doc['source']}",
                    )
                )
    return out


def prove(
    family: str,
    case: str,
    kind: str,
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    documented: Mapping[str, Mapping[str, Any]],
    extension: Any = None,
) -> tuple[dict[str, Any], dict[str, tuple[str, ...]], list[Disagreement]]:
    """Run every oracle on one case: (reference records, provenance per key, disagreements).

    `extension` (reference/extension.py) adds the assignment's own ops to all three oracles.
    """
    from grader.oracles import torch_oracle
    from reference.evaluate import run_case
    from reference.mutations import canonical_family

    problems: list[Disagreement] = []
    try:
        ref = run_case(family, dict(inputs), list(steps), extension=extension)
    except Exception as err:  # the reference cannot run the source: nothing else can be proven
        return {}, {}, [Disagreement(case, "*", ("reference", "source"), None, type(err).__name__, str(err))]
    proofs: dict[str, set[str]] = {key: {"reference"} for key in ref}
    try:
        torch_records = torch_oracle.run_case(family, dict(inputs), list(steps), extension=extension)
    except Exception as err:
        problems.append(
            Disagreement(case, "*", ("reference", "torch"), None, "ran", f"{type(err).__name__}: {err}")
        )
        torch_records = {}
    for key in sorted(set(ref) | set(torch_records)):
        found = compare_records(
            case,
            key,
            ("reference", "torch"),
            ref.get(key, _MISSING),
            torch_records.get(key, _MISSING),
            rtol=AGREEMENT["rtol"],
            atol_scale=AGREEMENT["atol_scale"],
        )
        problems.extend(found)
        if not found and key in proofs:
            proofs[key].add("torch")
    try:
        extra = None if extension is None else extension.batched_forwards(canonical_family(family))
        for check in finite_diff.check_case(inputs, steps, ref, extra):
            if check.ok:
                proofs[check.key].add("finite-difference")
            else:
                problems.append(
                    Disagreement(
                        case,
                        check.key,
                        ("reference", "finite-difference"),
                        check.worst_index,
                        check.analytic,
                        check.numeric,
                        check.message,
                    )
                )
    except finite_diff.NotCheckable as err:
        gradients = [s["key"] for s in steps if s.get("do") == "record" and "grad_of" in s]
        if kind in FD_REQUIRED_KINDS and gradients:
            problems.append(
                Disagreement(
                    case,
                    ", ".join(gradients),
                    ("reference", "finite-difference"),
                    None,
                    "gradients",
                    "not checkable",
                    str(err),
                )
            )
    if kind in FD_REQUIRED_KINDS:
        for key, x in _input_gradients(inputs, steps, ref).items():
            if "finite-difference" not in proofs.get(key, set()) and not any(p.key == key for p in problems):
                problems.append(
                    Disagreement(
                        case,
                        key,
                        ("reference", "finite-difference"),
                        None,
                        f"gradient of {x}",
                        "not proven",
                        "a unit/graph gradient of an input must be proven by finite differences",
                    )
                )
    doc_problems = check_documented(case, ref, documented)
    problems.extend(doc_problems)
    for key in documented:
        if key in proofs and not any(p.key == key for p in doc_problems):
            proofs[key].add("documented")
    provenance = {k: tuple(o for o in ORACLE_ORDER if o in v) for k, v in sorted(proofs.items())}
    return ref, provenance, problems


def _input_gradients(
    inputs: Mapping[str, np.ndarray], steps: Sequence[Mapping[str, Any]], ref: Mapping[str, Any]
) -> dict[str, str]:
    return {
        s["key"]: s["grad_of"]
        for s in steps
        if s.get("do") == "record"
        and s.get("grad_of") in inputs
        and isinstance(ref.get(s["key"]), np.ndarray)
    }


# ---------------------------------------------------------------- files


def fixture_bytes(fixture: Fixture) -> bytes:
    """The canonical bytes of a fixture file: sorted keys, one indent, trailing newline (same every build)."""
    return (json.dumps(fixture.to_dict(), indent=1, sort_keys=True, allow_nan=False) + "\n").encode("utf-8")


def source_files(root: Path) -> list[Path]:
    """`sources.json` and/or every `sources/*.json` of an assignment folder, in name order."""
    files = [root / "sources.json"] if (root / "sources.json").is_file() else []
    return files + sorted((root / "sources").glob("*.json"))


def load_sources(assignment: Assignment) -> dict[str, Fixture]:
    """The assignment's fixture sources by case id (expected values empty: build computes them)."""
    files = source_files(assignment.root)
    if not files:
        raise ConfigError(
            f"{assignment.root}: no sources.json or sources/*.json; valid: see docs/FIXTURES.md"
        )
    out: dict[str, Fixture] = {}
    for path in files:
        data = load_validated(path, "fixture", definition="sources")
        for i, c in enumerate(data["cases"]):
            if c["id"] in out:
                raise ConfigError(
                    f"{path}: $.cases[{i}].id {c['id']!r} is defined twice; valid: unique case ids"
                )
            out[c["id"]] = fixture_from_dict({**c, "expected": {}, "provenance": {}}, source=path)
    return out


def _assignments(assignment_id: str | Path | None) -> list[str | Path]:
    return list(SHIPPED) if assignment_id is None else [assignment_id]


def _fixture_result(
    a: Assignment,
    fx: Fixture,
    problems: Sequence[Disagreement],
    provenance: Mapping[str, tuple[str, ...]],
    written: bool,
    kept: bool = False,
) -> FixtureResult:
    path = str(a.fixture_path(fx.id))
    return FixtureResult(a.id, fx.id, path, tuple(problems), dict(provenance), written, kept)


def _kept(path: Path, new: Fixture) -> bool:
    """The stored fixture is `new` but for expected values within verify's own agreement of the rebuilt ones
    (np.exp's last bit differs between CPUs' vector code paths, and sums carry it on): a rebuild on another
    machine then rewrites nothing, and whatever it keeps, verify accepts. Everything else (inputs, steps,
    provenance, which records there are) must be identical."""
    try:
        stored = load_fixture(path)
    except ConfigError:
        return False
    without_expected = [{k: v for k, v in f.to_dict().items() if k != "expected"} for f in (stored, new)]
    if without_expected[0] != without_expected[1] or stored.expected.keys() != new.expected.keys():
        return False
    return not any(
        compare_records(
            new.id,
            key,
            ("stored expected", "rebuilt"),
            stored.expected[key],
            new.expected[key],
            rtol=AGREEMENT["rtol"],
            atol_scale=AGREEMENT["atol_scale"],
        )
        for key in new.expected
    )


def build(assignment_id: str | Path | None = None) -> ToolResult:
    """Prove and write every fixture of one assignment (or all shipped); refuse to write any that disagree."""
    results: list[FixtureResult] = []
    errors: list[str] = []
    for aid in _assignments(assignment_id):
        try:
            a = load_assignment(aid, require_fixtures=False)
            sources = load_sources(a)
            extension = extension_of(a)
        except ConfigError as err:
            errors.append(str(err))
            continue
        missing = [c.fixture for c in a.cases if c.fixture not in sources]
        errors.extend(f"{a.manifest_path}: case {m!r} has no source in {a.root}" for m in missing)
        for src in sources.values():
            expected, provenance, problems = prove(
                a.family, src.id, src.kind, src.inputs, src.steps, src.documented, extension
            )
            written = kept = False
            if not problems:
                fixture = Fixture(
                    src.id,
                    src.name,
                    src.kind,
                    src.target,
                    src.inputs,
                    src.steps,
                    expected,
                    provenance,
                    src.documented,
                    src.tolerance,
                    src.description,
                )
                kept = _kept(a.fixture_path(src.id), fixture)
                if not kept:
                    write_text(a.fixture_path(src.id), fixture_bytes(fixture).decode("utf-8"))
                written = not kept
            results.append(_fixture_result(a, src, problems, provenance, written, kept))
    return ToolResult("build", tuple(results), tuple(errors))


def _against_source(fx: Fixture, src: Fixture | None) -> list[Disagreement]:
    if src is None:
        return [
            Disagreement(
                fx.id,
                "*",
                ("stored", "sources"),
                None,
                "present",
                "missing",
                "every stored fixture must have a source",
            )
        ]
    stored, source = fx.to_dict(), src.to_dict()
    return [
        Disagreement(
            fx.id,
            field,
            ("stored", "sources"),
            None,
            "differs",
            "differs",
            f"{field} changed since the last build: run `grader fixtures build`",
        )
        for field in ("name", "kind", "target", "inputs", "steps", "documented", "tolerance", "description")
        if stored.get(field) != source.get(field)
    ]


def verify(assignment_id: str | Path | None = None) -> ToolResult:
    """Re-prove every stored fixture of one assignment (or all shipped) and report every disagreement."""
    results: list[FixtureResult] = []
    errors: list[str] = []
    for aid in _assignments(assignment_id):
        try:
            a = load_assignment(aid, require_fixtures=False)
            extension = extension_of(a)
        except ConfigError as err:
            errors.append(str(err))
            continue
        try:
            sources: dict[str, Fixture] | None = load_sources(a)
        except ConfigError as err:
            errors.append(str(err))
            sources = None
        for ref in a.cases:
            try:
                fx = load_fixture(a.fixture_path(ref.fixture))
            except ConfigError as err:
                errors.append(str(err))
                continue
            fresh, provenance, problems = prove(
                a.family, fx.id, fx.kind, fx.inputs, fx.steps, fx.documented, extension
            )
            for key in sorted(set(fresh) | set(fx.expected)):
                problems.extend(
                    compare_records(
                        fx.id,
                        key,
                        ("stored expected", "fresh reference"),
                        fx.expected.get(key, _MISSING),
                        fresh.get(key, _MISSING),
                        rtol=AGREEMENT["rtol"],
                        atol_scale=AGREEMENT["atol_scale"],
                    )
                )
            if dict(fx.provenance) != provenance:
                problems.append(
                    Disagreement(
                        fx.id,
                        "provenance",
                        ("stored", "proven now"),
                        None,
                        {k: list(v) for k, v in fx.provenance.items()},
                        {k: list(v) for k, v in provenance.items()},
                    )
                )
            if sources is not None:
                problems.extend(_against_source(fx, sources.get(fx.id)))
            results.append(_fixture_result(a, fx, problems, provenance, False))
    return ToolResult("verify", tuple(results), tuple(errors))


ACTIONS = {"build": build, "verify": verify}


def run(action: str, assignment_id: str | None = None, *, out: TextIO | None = None) -> int:
    """The `grader fixtures ACTION [ASSIGNMENT]` command: print the summary; 0 if every fixture agreed."""
    result = ACTIONS[action](assignment_id)
    print(result.summary(), file=out or sys.stdout)
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.fixtures_tool")
    parser.add_argument("action", choices=sorted(ACTIONS))
    parser.add_argument(
        "assignment", nargs="?", help="a shipped id or a manifest path (default: all shipped)"
    )
    args = parser.parse_args(argv)
    try:
        return run(args.action, args.assignment)
    except ConfigError as err:
        print(f"grader fixtures {args.action}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
