"""The cases of one grading run: stored fixtures plus generated cases, expected values, known mistakes.

Stored fixtures carry their expected values (proven by `grader fixtures build`). Generated cases get theirs
live from the reference engine. For both, `known_mistakes` holds what each applicable reference mutation
(docs/CASES.md, "Known mistakes") would produce, so the judge can name a student's mistake. They are worked
out on first use (`KnownMistakes`): only a wrong record needs them, and a run whose records are all right
(most `grader check`s of finished work) never pays for the mutations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from grader import arrays
from grader.assignments import Assignment
from grader.case_digest import case_digest
from grader.extension import extension_of
from grader.frozen import frozen
from grader.generate import GeneratedSpec, case_id, draw_inputs
from grader.model import Case, RecordValue, Tolerance
from grader.schema import ConfigError, load_validated
from grader.stages import Stage, optional_of

if TYPE_CHECKING:
    from reference.evaluate import RightRun

ALL_VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


@dataclass(frozen=True)
class Fixture:
    """A stored fixture file (`fixtures/<assignment>/cases/<id>.json`), decoded."""

    id: str
    name: str
    kind: str
    target: str | None
    inputs: Mapping[str, np.ndarray]
    steps: tuple[Mapping[str, Any], ...]
    expected: Mapping[str, RecordValue]
    provenance: Mapping[str, tuple[str, ...]]
    documented: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    tolerance: Tolerance | None = None
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": 1,
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "target": self.target,
            "inputs": {k: arrays.encode(v) for k, v in self.inputs.items()},
            "steps": [dict(s) for s in self.steps],
            "expected": {k: arrays.encode_value(v) for k, v in self.expected.items()},
            "provenance": {k: list(v) for k, v in self.provenance.items()},
        }
        if self.description:
            out["description"] = self.description
        if self.documented:
            out["documented"] = {k: dict(v) for k, v in self.documented.items()}
        if self.tolerance is not None:
            out["tolerance"] = self.tolerance.to_dict()
        return out


def fixture_from_dict(data: Mapping[str, Any], *, source: str | Path) -> Fixture:
    """Decode an already schema-validated fixture; array problems become ConfigErrors naming `source`."""
    # The schema checks each array's shape and that `data` is a list; its elements are checked here, where
    # decoding has to look at each one anyway (per-element schema checks made every run ~0.15 s slower).
    decoded: dict[str, dict[str, Any]] = {"inputs": {}, "expected": {}}
    for section, decode in (("inputs", arrays.decode), ("expected", arrays.decode_value)):
        for key, value in data.get(section, {}).items():
            try:
                decoded[section][key] = decode(value)
            except arrays.ArrayFormatError as err:
                raise ConfigError(
                    f"{source}: $.{section}.{key}: {err}; valid: an array "
                    '{"shape": [...], "data": [numbers or "nan", "inf", "-inf"]}'
                ) from None
    inputs, expected = decoded["inputs"], decoded["expected"]
    tol = data.get("tolerance")
    return Fixture(
        id=data["id"],
        name=data["name"],
        kind=data["kind"],
        target=data["target"],
        inputs=inputs,
        steps=tuple(dict(s) for s in data["steps"]),
        expected=expected,
        provenance={k: tuple(v) for k, v in data.get("provenance", {}).items()},
        documented=dict(data.get("documented", {})),
        tolerance=Tolerance(float(tol["rtol"]), float(tol["atol"])) if tol else None,
        description=data.get("description", ""),
    )


def load_fixture(path: str | Path) -> Fixture:
    path = Path(path)
    fixture = fixture_from_dict(load_validated(path, "fixture"), source=path)
    if fixture.id != path.stem:
        raise ConfigError(f"{path}: $.id is {fixture.id!r}; valid: the file name's stem {path.stem!r}")
    missing = sorted(set(fixture.expected) - set(fixture.provenance))
    if missing:
        raise ConfigError(
            f"{path}: $.provenance lacks {', '.join(missing)}; valid: one entry per expected key"
        )
    return fixture


def _same(a: RecordValue, b: RecordValue) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    return a is b or a == b


class KnownMistakes(Mapping[str, Mapping[str, RecordValue]]):
    """`known_mistakes(...)` of one case, computed on first read, once (the judge's threads may ask at once).

    Pickled as the plain dict it stands for (computed then): nothing lazy crosses a process boundary.
    """

    def __init__(self, compute: Callable[[], dict[str, dict[str, RecordValue]]]) -> None:
        self._compute: Callable[[], dict[str, dict[str, RecordValue]]] | None = compute
        self._value: dict[str, dict[str, RecordValue]] = {}
        self._lock = threading.Lock()

    def _get(self) -> dict[str, dict[str, RecordValue]]:
        if self._compute is not None:
            with self._lock:
                if self._compute is not None:
                    self._value = self._compute()
                    self._compute = None
        return self._value

    def __getitem__(self, key: str) -> Mapping[str, RecordValue]:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    # The dict's own views and lookups: Mapping's mixins go through __getitem__ (and _get) once a key, and
    # its `get` through a KeyError for each absent one. The judge reads every case's known mistakes by
    # `items()` for each wrong record (grader/judge/score.py `_checks`; ~480 a bench submission), then the
    # ones it ranks by `[code]`; `get`, `in`, `keys()` and `values()` answer as the dict does. Views of the
    # dict cannot change it.
    def __contains__(self, key: object) -> bool:
        return key in self._get()

    def get(self, key: str, default: Any = None) -> Any:
        return self._get().get(key, default)

    def keys(self) -> KeysView[str]:
        return self._get().keys()

    def items(self) -> ItemsView[str, Mapping[str, RecordValue]]:
        return self._get().items()

    def values(self) -> ValuesView[Mapping[str, RecordValue]]:
        return self._get().values()

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return (
            "KnownMistakes(<not computed yet>)"
            if self._compute is not None
            else f"KnownMistakes({self._value})"
        )

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, dict[str, RecordValue]]]]:
        return dict, (self._get(),)


def _lazy_mistakes(
    family: str,
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    expected: Mapping[str, Any],
    extension: Any,
    right: RightRun | None = None,
) -> KnownMistakes:
    """The case's known mistakes, shared with every earlier case of the same content (`case_digest`) still
    kept: computed once a process, not once a run (each stage of a TA's session, each run of a test session
    loads its cases again). A course's own mutations (`extension`, loaded once a path) key by that object."""
    digest = case_digest(family, inputs, steps, expected)
    if digest is None:  # a value the digest cannot write exactly: this case's own, not shared
        return _fresh_mistakes(family, inputs, steps, expected, extension, right)
    # By the extension's identity (a frozen dataclass of dicts has no hash); the entry keeps it alive, so
    # its id names no other object while the entry is kept.
    key = (id(extension), digest)
    with _SHARED_LOCK:
        entry = _SHARED.pop(key, None)
        if entry is None:
            entry = (extension, _fresh_mistakes(family, inputs, steps, expected, extension, right))
        _SHARED[key] = entry  # last used last: the first entry is the one to drop
        while len(_SHARED) > SHARED_CASES:
            del _SHARED[next(iter(_SHARED))]
    return entry[1]


def _fresh_mistakes(
    family: str,
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    expected: Mapping[str, Any],
    extension: Any,
    right: RightRun | None = None,
) -> KnownMistakes:
    # The inputs as they are now: the mutations run later, and must see what the expected values saw. The
    # steps and expected values too, read-only (grader/frozen.py): the entry is shared by every case of this
    # content (`_lazy_mistakes`), and computed when some later submission's record is wrong, so a change to
    # the first case's own would change what another submission is compared with.
    kept = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
    steps, expected = frozen(steps), frozen(expected)
    return KnownMistakes(lambda: known_mistakes(family, kept, steps, expected, extension, right))


# How many cases' known mistakes a process keeps beyond the runs that made them: the largest shipped plan has
# under 200 cases (dezero's last stage), so a TA's stages one after another and a test session reuse them,
# while a long-lived process holds a bounded number (a case's known mistakes are a few KiB of small arrays).
SHARED_CASES = 1024
_SHARED: dict[tuple[int, bytes], tuple[Any, KnownMistakes]] = {}
_SHARED_LOCK = threading.Lock()


def known_mistakes(
    family: str,
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    expected: Mapping[str, Any],
    extension: Any = None,
    right: RightRun | None = None,
) -> dict[str, dict[str, RecordValue]]:
    """Mutation name -> the records that mutation produces, only where they differ from expected.

    Keyed by mutation, not by diagnosis code: several mutations share a code (`wrong_derivative`) but each has
    its own hint ("Sigmoid.backward uses the input..."), and the judge names the one that matches. A mutation
    the case cannot run (its program fails under that mistake) says nothing about the case and is left out.
    `right`: the case's right run (`mistake_lookups`) when its caller has it already (a generated case).
    """
    from reference.evaluate import mistake_lookups, run_case
    from reference.mutations import MUTATIONS, applicable, canonical_family

    out: dict[str, dict[str, RecordValue]] = {}
    own = [] if extension is None else extension.mutations_for(canonical_family(family))
    names = applicable(family) + own
    # A mutation that replaces none of the names the right run looks up in a mistake's tables and changes none
    # of the semantic flags it reads runs exactly as the right engine does (reference/evaluate.py `RightRun`):
    # its records are the right run's, and it is not run again. (A stored fixture's values may differ from
    # today's run in the last bit: such a mutation is kept there as that run differs, as when it was run.)
    if right is None:
        right = mistake_lookups(family, dict(inputs), list(steps), extension)
    for name in names:
        m = MUTATIONS.get(name)  # a course's own mistakes (extension.mutations_for) are always run
        if right is not None and m is not None and right.runs_as(m):
            records = right.records
        else:
            try:
                records = run_case(family, dict(inputs), list(steps), mutation=name, extension=extension)
            except (ValueError, ArithmeticError, IndexError, KeyError):
                continue
        differing = {k: v for k, v in records.items() if k in expected and not _same(v, expected[k])}
        if differing:
            out[name] = differing
    return out


def _stored_cases(assignment: Assignment, include: Sequence[str], stage: Stage) -> list[Case]:
    extension = extension_of(assignment)
    cases = []
    selected = set(assignment.stage_case_ids(stage.name))
    for ref in assignment.cases:
        if ref.visibility not in include or ref.fixture not in selected:
            continue
        fx = load_fixture(assignment.fixture_path(ref.fixture))
        optional = optional_of(fx.steps, stage.optional_classes)
        cases.append(
            Case(
                id=fx.id,
                name=fx.name,
                kind=fx.kind,  # type: ignore[arg-type]
                target=fx.target,
                inputs=fx.inputs,
                steps=fx.steps,
                expected=fx.expected,
                tolerance=fx.tolerance or assignment.tolerance,
                points=ref.points if stage.scores(optional) else 0.0,
                visibility=ref.visibility,  # type: ignore[arg-type]
                all_or_nothing=ref.all_or_nothing,
                generated=False,
                provenance=fx.provenance,
                known_mistakes=_lazy_mistakes(assignment.family, fx.inputs, fx.steps, fx.expected, extension),
                optional_classes=optional,
            )
        )
    return cases


def _values_to(tolerance: Tolerance, steps: Sequence[Mapping[str, Any]]) -> dict[str, Tolerance]:
    """`tolerance` for every record of `steps` that is not a gradient: a spec's own tolerance is for the
    gradients it names (chapter 4's, met by finite differences), not for the loss recorded beside them."""
    return {
        str(step["key"]): tolerance for step in steps if step.get("do") == "record" and "grad_of" not in step
    }


def generated_case(
    assignment: Assignment, spec: GeneratedSpec, seed: int, k: int, stage: Stage | None = None
) -> Case:
    """Case `<spec.id>-<k>` of a run with `seed`: fresh inputs, expected values from the reference engine."""
    from reference.evaluate import mistake_lookups, run_case

    inputs = draw_inputs(spec, seed, k)
    extension = extension_of(assignment)
    # The right run that gives the expected values tells its known mistakes which mutations need no run of
    # their own: done once, not again when they are worked out. Where it cannot tell, run_case gives the
    # values (or the error that names the step it cannot run).
    right = mistake_lookups(assignment.family, inputs, list(spec.steps), extension)
    expected = (
        right.records
        if right is not None
        else run_case(assignment.family, inputs, list(spec.steps), extension=extension)
    )
    optional = optional_of(spec.steps, stage.optional_classes) if stage else ()
    keep_points = stage is None or stage.scores(optional)
    return Case(
        id=case_id(spec.id, k),
        name=f"{spec.name} (generated #{k})",
        kind=spec.kind,  # type: ignore[arg-type]
        target=spec.target,
        inputs=inputs,
        steps=spec.steps,
        expected=expected,
        tolerance=spec.tolerance or assignment.tolerance,
        record_tolerances=_values_to(assignment.tolerance, spec.steps) if spec.tolerance else {},
        points=spec.points if keep_points else 0.0,
        visibility=spec.visibility,  # type: ignore[arg-type]
        all_or_nothing=spec.all_or_nothing,
        generated=True,
        provenance={key: ("reference",) for key in expected},
        known_mistakes=_lazy_mistakes(assignment.family, inputs, spec.steps, expected, extension, right),
        optional_classes=optional,
    )


def stage_steps(assignment: Assignment, stage: str | None = None) -> list[tuple[Sequence[Any], str | None]]:
    """(steps, target) of every case of `stage` (None: the default), every visibility, with no expected value
    computed: what a run of that stage grades, the same for `grader check` (visible cases only) and `grader
    grade`, so that both serve the same stand-in (grader/served_standins.py, pipeline.RunPlan)."""
    chosen = assignment.stage(stage)
    selected = set(assignment.stage_case_ids(chosen.name))
    out: list[tuple[Sequence[Any], str | None]] = []
    for ref in assignment.cases:
        if ref.fixture in selected:
            fx = load_fixture(assignment.fixture_path(ref.fixture))
            out.append((fx.steps, fx.target))
    out += [(spec.steps, spec.target) for spec in assignment.generated if spec.id in selected]
    return out


def cases_for_run(
    assignment: Assignment,
    seed: int,
    *,
    include: Sequence[str] = ALL_VISIBILITIES,
    stage: str | None = None,
) -> list[Case]:
    """Every case of one run at `stage` (None: the default stage), in manifest order: stored fixtures, then
    generated cases `<prefix>-1` ...

    `include` filters by visibility (e.g. `grader check` runs only "visible"). Same assignment, stage and
    seed: the same cases, inputs and expected values, bit for bit. An unknown stage is a ConfigError listing
    the stages.
    """
    unknown = sorted(set(include) - set(ALL_VISIBILITIES))
    if unknown:
        raise ConfigError(f"unknown visibility {', '.join(unknown)}; valid: {', '.join(ALL_VISIBILITIES)}")
    chosen = assignment.stage(stage)
    selected = set(assignment.stage_case_ids(chosen.name))
    cases = _stored_cases(assignment, include, chosen)
    for spec in assignment.generated:
        if spec.visibility in include and spec.id in selected:
            cases.extend(generated_case(assignment, spec, seed, k, chosen) for k in range(1, spec.count + 1))
    return cases
