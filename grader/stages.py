"""Course stages: one step of a course, graded for what that step asks (docs/STAGES.md).

A manifest declares its stages (`stages`, `default_stage`). Each names the cases it grades (fnmatch patterns
over stored fixture ids and generated spec ids, plus every case of the stage it `extends`), the names the code
must define at that step (`requires`), identifiers whose presence in the source marks the step (`detect`: used
only to infer the stage, never to grade), the classes that are optional there (`optional_classes`: their cases
are checked when the code defines them, worth 0 points unless `optional_points`, and always 0 for those in
`optional_feedback`), and a one-line `adds` for messages ("retain_grad and no_grad / using_config").

A manifest without stages has one implicit stage, `DEFAULT_NAME`, holding every case: today's behaviour.

Stages need not be a chain. The book files of "Deep Learning from Scratch" (`ch05/layer_naive.py`,
`common/layers.py`, `ch05/two_layer_net.py`) are separate steps: a submission holding two of them is graded on
both, as one *combined* stage (`combine`, named `layers+two-layer-net`; `--stage` takes such a name too).
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader.inside.missing import MAIN_BLOCK, UNDER_MAIN

DEFAULT_NAME = "default"
# Operators a stage's `detect` can name, by the method they call (grader/stage_scan.py records `X @ W` as
# `__matmul__`), shown to students as they wrote them.
OPERATOR_IDENTIFIERS = {"__matmul__": "@"}
PART_SEPARATOR = "+"  # joins the stages of a combined stage: "layers+two-layer-net" (never in a slug)


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
    # Optional classes whose cases are feedback only (0 points) even where `optional_points` holds: the
    # book's chapter-6 optimizers at dlfs-advanced's ch06, layers and default, so that handing in the book's
    # unchanged common/optimizer.py beside the layers does not change the percentage for the same layers
    # (points only at stage `optimizers`; review of s21-adv, finding 2).
    optional_feedback: tuple[str, ...] = ()
    adds: str = ""
    parts: tuple[str, ...] = ()  # a combined stage (`combine`): the manifest stages it grades together
    # Names a file at this stage never defines (inference only): code defining one is past it, even when
    # this stage's names are all there. DLFS's chapter-7 file of its own (`conv`) has no Dropout: a
    # common/layers.py with Dropout, Convolution and Pooling but no BatchNormalization forgot a class.
    excludes: tuple[str, ...] = ()
    # Identifiers a file at this stage never mentions, imports included (inference only; compared as
    # spelt). Chapter 4's TwoLayerNet never names Affine, Relu, SoftmaxWithLoss or lastLayer: a chapter-5
    # TwoLayerNet importing its layers from common.layers (defining none of them) that also imports
    # softmax and cross_entropy_error was inferred chapter 4 and scored 0 (review of s24-dlfsreal, 1).
    absent: tuple[str, ...] = ()

    def scores(self, optional: Sequence[str]) -> bool:
        """Whether a case applying the optional classes `optional` (none: required) keeps its points."""
        if not optional:
            return True
        feedback = {c.lower() for c in self.optional_feedback}
        return self.optional_points and not any(c.lower() in feedback for c in optional)

    @property
    def part_names(self) -> tuple[str, ...]:
        """The manifest stages this stage stands for: its parts, or itself."""
        return self.parts or (self.name,)

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
        if self.optional_feedback:
            out["optional_feedback"] = list(self.optional_feedback)
        if self.adds:
            out["adds"] = self.adds
        if self.excludes:
            out["excludes"] = list(self.excludes)
        if self.absent:
            out["absent"] = list(self.absent)
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
        optional_feedback=tuple(data.get("optional_feedback", ())),
        adds=data.get("adds", ""),
        excludes=tuple(data.get("excludes", ())),
        absent=tuple(data.get("absent", ())),
    )


def implicit_stage(required: Sequence[str]) -> Stage:
    return Stage(DEFAULT_NAME, "the whole assignment", tuple(required), ("*",))


def select_ids(stages: Mapping[str, Stage], name: str, ids: Sequence[str]) -> list[str]:
    """The ids (in the manifest's order) that stage `name` grades, its `extends` chain included."""
    patterns: list[str] = []
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current in stages and current not in seen:
        seen.add(current)
        patterns.extend(stages[current].cases)
        current = stages[current].extends
    selects = _selector(patterns)
    return [i for i in ids if selects(i)]


def stage_ids(stages: Mapping[str, Stage], stage: Stage, ids: Sequence[str]) -> list[str]:
    """The ids (in the manifest's order) that `stage` grades: a combined stage grades every part's."""
    chosen = {i for part in stage.part_names for i in select_ids(stages, part, ids)}
    return [i for i in ids if i in chosen]


def combine(parts: Sequence[Stage]) -> Stage:
    """Several manifest stages graded as one (parts in manifest order): every part's cases and required
    names. A class stays optional when a part makes it optional and no part requires it; its cases keep
    their points when every part with optional classes says so, and no part makes it feedback only."""
    if len(parts) == 1:
        return parts[0]
    requires = tuple(dict.fromkeys(n for p in parts for n in p.requires))
    required = {n.lower() for n in requires}
    optional = tuple(dict.fromkeys(c for p in parts for c in p.optional_classes if c.lower() not in required))
    with_optional = [p for p in parts if p.optional_classes]
    return Stage(
        name=PART_SEPARATOR.join(p.name for p in parts),
        title=" + ".join(p.title for p in parts),
        requires=requires,
        cases=(),
        detect=tuple(dict.fromkeys(g for p in parts for g in p.detect)),
        optional_classes=optional,
        optional_points=bool(with_optional) and all(p.optional_points for p in with_optional),
        optional_feedback=tuple(
            dict.fromkeys(
                c for p in parts for c in p.optional_feedback if c.lower() in {o.lower() for o in optional}
            )
        ),
        adds="; ".join(p.adds or p.title for p in parts),
        parts=tuple(p.name for p in parts),
        excludes=tuple(dict.fromkeys(n for p in parts for n in p.excludes if n.lower() not in required)),
        absent=tuple(dict.fromkeys(n for p in parts for n in p.absent)),
    )


def unmatched_patterns(stage: Stage, ids: Sequence[str]) -> list[str]:
    """Patterns of `stage` that select nothing: a typo in a manifest, reported when it is loaded."""
    known = set(ids)
    return [p for p in stage.cases if not _selects_any(p, ids, known)]


# fnmatch's special characters: a pattern without them matches exactly the id it spells. Most stage patterns
# are plain case ids (dezero: 139 of 144), and fnmatch compiles each pattern to a regular expression the first
# time it meets it: ~10 ms of the patterns' checks on every cold `grader check`, for set lookups.
_WILDCARDS = frozenset("*?[")


def _literal(pattern: str) -> bool:
    return _WILDCARDS.isdisjoint(pattern)


def _selects_any(pattern: str, ids: Sequence[str], known: Collection[str]) -> bool:
    if _literal(pattern):
        return pattern in known
    return any(fnmatch.fnmatchcase(i, pattern) for i in ids)


def _selector(patterns: Sequence[str]) -> Callable[[str], bool]:
    """Whether an id matches any of `patterns` as fnmatch.fnmatchcase would."""
    exact = {p for p in patterns if _literal(p)}
    wild = [p for p in patterns if not _literal(p)]
    return lambda i: i in exact or any(fnmatch.fnmatchcase(i, p) for p in wild)


def uses_optional(ops: Iterable[str], optional_classes: Sequence[str]) -> tuple[str, ...]:
    """The optional classes a case applies. DeZero's helpers (`exp`) are their classes (`Exp`): compared
    without case, so `optional_classes: ["Exp"]` covers a case written with either."""
    wanted = {c.lower(): c for c in optional_classes}
    return tuple(dict.fromkeys(wanted[op.lower()] for op in ops if op.lower() in wanted))


# Step kinds other than `apply` that build the student's classes by their names (no `op`): the classes each
# uses, so that a stage's optional classes, "no class DataLoader" and the points at stake see them as they
# see an applied op (DeZero's dataloader step: a Dataset subclass of the student's and their DataLoader).
STEP_CLASSES: dict[str, tuple[str, ...]] = {"dataloader": ("Dataset", "DataLoader")}
# Step kinds that call methods of the student's classes by name: the methods each calls. The load looks up
# module-level names only, so whether the code defines them is read from its source in the parent
# (stage_scan.stage_context `_methods`); a stage lists them in `optional_classes` to grade such a case only
# where the code has them (DeZero's step54 and later: step 53's save_weights and load_weights, session 34).
STEP_METHODS: dict[str, tuple[str, ...]] = {"save_load": ("save_weights", "load_weights")}
METHOD_NAMES = frozenset(m for methods in STEP_METHODS.values() for m in methods)


def case_ops(steps: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """The classes and functions a case's steps apply or build, in order, each once."""
    return tuple(
        dict.fromkeys(
            name
            for s in steps
            for name in (
                (str(s["op"]),)
                if s.get("do") == "apply" and "op" in s
                else STEP_CLASSES.get(str(s.get("do")), ())
            )
        )
    )


def optional_of(steps: Iterable[Mapping[str, Any]], optional_classes: Sequence[str]) -> tuple[str, ...]:
    """The optional classes (and STEP_METHODS' methods) a case's steps apply, build or call."""
    if not optional_classes:
        return ()
    steps = list(steps)
    called = (m for s in steps for m in STEP_METHODS.get(str(s.get("do")), ()))
    return uses_optional((*case_ops(steps), *called), optional_classes)


@dataclass(frozen=True)
class Inference:
    """Which stage a submission's source looks like, and why (printed by `grader check`)."""

    stage: str
    reason: str


def inference_requires(stage: Stage, stages: Mapping[str, Stage]) -> tuple[str, ...]:
    """The required names inference looks for: `requires` without the classes an earlier stage of the
    `extends` chain makes optional (and their helpers: compared without case). A step's file may drop a class
    an earlier step left optional: the book's step18.py has no Exp, and still is step 18."""
    relaxed: set[str] = set()
    seen: set[str] = set()
    current = stage.extends
    while current is not None and current in stages and current not in seen:
        seen.add(current)
        relaxed.update(c.lower() for c in stages[current].optional_classes)
        current = stages[current].extends
    return tuple(r for r in stage.requires if r.lower() not in relaxed)


def known_names(stages: Iterable[Stage]) -> frozenset[str]:
    """Every name some stage requires, as the manifest spells it."""
    return frozenset(n for s in stages for n in s.requires)


class DefinedNames(set[str]):
    """The names a source defines, and which of them it defines only as functions (`def relu(x)`), never as a
    class or an assignment: a function spelt as a class in lower case is that class's helper, not the class
    (stage_scan.names_in)."""

    def __init__(
        self,
        names: Iterable[str] = (),
        functions: Iterable[str] = (),
        behind: Mapping[str, tuple[str, str]] | None = None,
        methods: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(names)
        self.functions = frozenset(functions)
        # a class the book names, spelt in another script and called by its helper: {"Square": ("二乗",
        # "square")} for `def square(x): return 二乗()(x)` (stage_scan._classes_behind)
        self.behind: Mapping[str, tuple[str, str]] = dict(behind or {})
        # a name defined only as a method of a class, never at a module's top level: {"topological_sort":
        # "Graph.topological_sort"}; the load reports it missing, so the stage line says where it is
        self.methods: Mapping[str, str] = dict(methods or {})
        # the names by their lower case, set by keep_names on a copy of its own (None: read the names)
        self.lowered: Mapping[str, tuple[str, ...]] | None = None


def keep_names(defined: Iterable[str]) -> DefinedNames:
    """A copy of `defined` that keeps which names are functions only (none for a plain set), with its names
    by their lower case (`lowered`, read by `defines`: inference asks of each stage's every name whether
    some defined name is it in another case, ~1.5 million such questions over the bundled samples). The
    copy is the caller's own, never changed after: the index stays true of it."""
    names = DefinedNames(
        defined,
        getattr(defined, "functions", ()),
        getattr(defined, "behind", None),
        getattr(defined, "methods", None),
    )
    lowered: dict[str, tuple[str, ...]] = {}
    for d in names:
        lowered[d.lower()] = (*lowered.get(d.lower(), ()), d)
    names.lowered = lowered
    return names


def behind_helper(name: str, defined: Collection[str]) -> tuple[str, str] | None:
    """(the student's class, the helper calling it) that `name` is, spelt in another script and called by
    the book's helper (`二乗`, `square` for Square), or None. A step-9 file whose Square was `class 二乗` was
    inferred at no stage and told "missing: Square" (sample step09_japanese_class_names.py)."""
    behind: Mapping[str, tuple[str, str]] = getattr(defined, "behind", {})
    return behind.get(name)


def defines(
    name: str, defined: Collection[str], aliases: Mapping[str, Iterable[str]], known: Collection[str]
) -> bool:
    """`name` (or one of its aliases) is among `defined` (the source's names, as spelt). Case is ignored (a
    `Mse` is MSE), except where the other spelling is itself a name some stage requires: DeZero's class
    `Square` is not its helper `square`. A book step-7 file has the classes only; read as their helpers, it
    looked like steps 9-10 ("your code defines ... square, exp", then "missing: square")."""
    spellings = (name, *aliases.get(name, ()))
    if any(a in defined for a in spellings) or behind_helper(name, defined) is not None:
        return True
    wanted = {a.lower() for a in spellings}
    # Nor is a class its function of the same name in lower case: the book's common/functions.py defines
    # relu and sigmoid, and a 5.6 file of Affine and SoftmaxWithLoss beside it was "Relu (as relu)", stage
    # layers, where grading found no class Relu (sample submissions/layers/affine_softmax_book_functions/)
    helpers: frozenset[str] = (
        getattr(defined, "functions", frozenset()) if name[:1].isupper() else frozenset()
    )
    lowered: Mapping[str, tuple[str, ...]] | None = getattr(defined, "lowered", None)
    if lowered is not None:  # the same names as the loop below, found by their lower case (keep_names)
        return any(d not in known and d not in helpers for w in wanted for d in lowered.get(w, ()))
    return any(d.lower() in wanted and d not in known and d not in helpers for d in defined)


def _satisfied(
    needed: Sequence[str],
    stage: Stage,
    defined: Collection[str],
    identifiers: set[str],
    aliases: Mapping[str, Iterable[str]],
    known: Collection[str],
) -> bool:
    def has(name: str) -> bool:
        return defines(name, defined, aliases, known) or misspelt(name, defined) is not None

    return all(has(r) for r in needed) and all(
        any(i.lower() in identifiers for i in group) for group in stage.detect
    )


_MIN_MISSPELT = 5  # shorter names (Add, Mul, Exp, Relu) are too close to other words to call a typo


def misspelt(name: str, defined: Collection[str]) -> str | None:
    """The defined name (as spelt) that is `name` misspelt (`Sigmoyd` for Sigmoid, `Variabel`), or
    spelt with underscores between its words and a capital letter (`Softmax_with_loss`, `Two_Layer_Net`;
    a snake_case variable such as `add_layer = AddLayer()` is no class): a stage whose class is only
    misspelt is the stage the student is at, graded with that class missing ("did you mean Sigmoyd?"),
    not an earlier stage that never asks for it (which passed everything). A chapter-5 file with its
    SoftmaxWithLoss spelt `Softmax_with_loss` was inferred layer-naive+two-layer-net, its Relu, Sigmoid and
    Affine never run: a wrong Sigmoid passed `grader check` (sample
    submissions/layers/softmax_snake_case_sigmoid_from_input.py)."""
    if len(name) < _MIN_MISSPELT:
        return None
    wanted = name.lower()
    # `_sigmoid`, the class's own helper, is not the class misspelt
    own = {d.lower() for d in defined if d.strip("_").lower() != wanted}
    pool = [d for d in own if abs(len(d) - len(name)) <= 1]
    close = difflib.get_close_matches(wanted, pool, n=1, cutoff=0.8)
    if close:
        # as the student spelt it; of `Softmax_with_loss` and its instance `softmax_with_loss`, the class
        return min((d for d in defined if d.lower() == close[0]), key=lambda d: (d == d.lower(), d))
    words = wanted.replace("_", "")
    snake = sorted(
        d
        for d in defined
        if "_" in d.strip("_") and d != d.lower() and d.lower() in own and d.lower().replace("_", "") == words
    )
    return snake[0] if snake else None


def _supersedes(kept: Stage, other: Stage, graded: Mapping[str, Collection[str]]) -> bool:
    """`kept` stands for `other` when it needs every name `other` needs (a later step of one progression, as
    MiniFlow's backprop after forward) or grades one of its cases (DeZero's steps, which extend each other).
    Stages sharing neither are separate parts of a course (the DLFS book files): graded together."""
    names = {r.lower() for r in kept.requires}
    if all(r.lower() in names for r in other.requires):
        return True
    return bool(set(graded.get(kept.name, ())) & set(graded.get(other.name, ())))


def satisfied_stages(
    stages: Sequence[Stage],
    defined: Iterable[str],
    identifiers: Iterable[str],
    aliases: Mapping[str, Iterable[str]] | None = None,
    table: Progression | None = None,
) -> list[Stage]:
    """The stages (manifest order) whose required names the source defines and whose `detect` groups it
    mentions. `defined`: the names the source binds (classes, functions, assignments); `identifiers`: every
    identifier it mentions (names, attributes, parameters, imports). Compared without case, but for a
    stage's `absent` identifiers (as spelt: chapter 4's own `relu` function is not chapter 5's Relu).
    `table`: `progression(stages)`, when the caller keeps one."""
    if table is None:
        table = Progression(tuple(stages), {}, {}, {}, known_names(stages), _needed(stages), {})
    names = keep_names(defined)
    spelt = set(identifiers)
    idents = {i.lower() for i in spelt} | {n.lower() for n in names}
    alias_map = aliases or {}
    return [
        s
        for s in table.stages
        if not any(a in spelt for a in s.absent)
        and _satisfied(table.needed[s.name], s, names, idents, alias_map, table.known)
    ]


def _needed(stages: Sequence[Stage]) -> dict[str, tuple[str, ...]]:
    by_name = {s.name: s for s in stages}
    return {s.name: inference_requires(s, by_name) for s in stages}


@dataclass(frozen=True)
class Progression:
    """What inference reads of the stages alone, the same for every source: made once per assignment and
    process by grader/stage_scan.py (remade for each submission, it was most of a batch's stage scan)."""

    stages: tuple[Stage, ...]
    graded: Mapping[str, Collection[str]]  # stage name -> the case ids it grades
    by_name: Mapping[str, Stage]
    order: Mapping[str, int]
    known: frozenset[str]  # known_names
    needed: Mapping[str, tuple[str, ...]]  # stage name -> inference_requires
    outgrowing: Mapping[str, tuple[str, ...]]  # stage name -> _outgrowing_names


def progression(stages: Sequence[Stage], graded: Mapping[str, Collection[str]] | None = None) -> Progression:
    """`stages` read once for inference; `graded` as `infer_stage` takes it (None: each stage's patterns)."""
    by_name = {s.name: s for s in stages}
    if graded is None:
        patterns = [p for s in stages for p in s.cases]
        graded = {s.name: select_ids(by_name, s.name, patterns) for s in stages}
    order = {s.name: i for i, s in enumerate(stages)}
    islands = _islands(stages, graded)
    return Progression(
        tuple(stages),
        graded,
        by_name,
        order,
        known_names(stages),
        _needed(stages),
        {s.name: _outgrowing_names(s, stages, order, graded, islands) for s in stages},
    )


def _islands(stages: Sequence[Stage], graded: Mapping[str, Collection[str]]) -> dict[str, frozenset[str]]:
    """Each stage's name -> the stages that share a graded case with it (itself included when it grades one).
    Computed once per inference: recomputed per name compared, it was most of a DeZero file's inference."""
    cases = {s.name: set(graded.get(s.name, ())) for s in stages}
    return {s.name: frozenset(o.name for o in stages if cases[s.name] & cases[o.name]) for s in stages}


def _outgrowing_names(
    stage: Stage,
    stages: Sequence[Stage],
    order: Mapping[str, int],
    graded: Mapping[str, Collection[str]],
    islands: Mapping[str, frozenset[str]],
) -> tuple[str, ...]:
    """The names that only a later step of the same progression asks for (a later stage that shares a case
    and needs or allows every name `stage` needs): code defining one is past `stage`, even when that later
    step's other names are missing (`infer_stage`'s outgrown stages). A step-18 file that
    calls the classes (Square()(x), no square() helper) satisfies the steps-7-8 stage by its names; it has
    Add, which step 13 brings, so it is not read as step 8 and graded on 9 points."""
    mine = {n.lower() for n in (*stage.requires, *stage.optional_classes)}
    mine_required = {n.lower() for n in stage.requires}
    found: dict[str, None] = {}
    own_cases = set(graded.get(stage.name, ()))
    island = islands[stage.name]
    # Names a separate part of the course asks for (a stage sharing no case with this one, but a case with a
    # stage this one shares one with) say nothing of how far this part got: DLFS's default extends
    # layer-naive and needs Relu, but Relu is `layers`' name, and a chapter-5 file with MulLayer, AddLayer and
    # Relu is still at layer-naive. A stage sharing no case with any of these is no such part: DeZero's
    # forward-only step 12 (Add) is a step of the progression whose cases no later step grades.
    elsewhere = {
        n.lower()
        for other in stages
        if other.name != stage.name
        and not set(graded.get(other.name, ())) & own_cases
        and not (island and islands[other.name].isdisjoint(island))
        for n in other.requires
    }
    for later in stages:
        if order[later.name] <= order[stage.name]:
            continue
        theirs = {n.lower() for n in (*later.requires, *later.optional_classes)}
        if not mine_required <= theirs:
            continue  # not a later step of this one: DLFS's default needs no TwoLayerNet, yet grades its case
        if set(graded.get(later.name, ())) & own_cases:
            new = [n for n in later.requires if n.lower() not in mine and n.lower() not in elsewhere]
        elif island and islands[later.name].isdisjoint(island):
            # No stage of either shares a case with the other's, yet it needs or allows every name this one
            # needs: a later step after a forward-only one (DeZero's steps 2-3 and 12 grade forward values
            # that no later step grades). A step-18 file calling the classes is past step 3: it has Add.
            new = [n for n in later.requires if n.lower() not in mine]
        else:
            continue  # a separate part of the course (DLFS's book files), not a later step
        found.update(dict.fromkeys(new))
    return tuple(found)


def infer_stage(
    stages: Sequence[Stage],
    defined: Iterable[str],
    identifiers: Iterable[str],
    aliases: Mapping[str, Iterable[str]] | None = None,
    graded: Mapping[str, Collection[str]] | None = None,
    default: str | None = None,
) -> Inference | None:
    """The satisfied stages no other satisfied stage stands for (`_supersedes`), as one stage: the most
    demanding one (requirements: names + detect groups; a tie goes to the later one) first, then each
    satisfied stage it does not stand for, most demanding first. Several: a combined stage (`combine`).

    `graded`: stage name -> the case ids it grades (default: its patterns, its `extends` chain included).
    `default`: the assignment's default stage (`_between_steps`). None: no stage satisfied.
    """
    return infer_in(progression(stages, graded), defined, identifiers, aliases, default)


def infer_in(
    table: Progression,
    defined: Iterable[str],
    identifiers: Iterable[str],
    aliases: Mapping[str, Iterable[str]] | None = None,
    default: str | None = None,
) -> Inference | None:
    """`infer_stage` on the stages as `progression` read them (kept by the caller across sources)."""
    stages, graded, by_name, order, known = (
        table.stages,
        table.graded,
        table.by_name,
        table.order,
        table.known,
    )
    alias_map = aliases or {}
    found = satisfied_stages(stages, defined, identifiers, aliases, table)
    names = keep_names(defined)
    grown = {
        s.name for s in found if any(defines(n, names, alias_map, known) for n in table.outgrowing[s.name])
    }
    kept_up = [
        s
        for s in found
        if s.name not in grown and not any(defines(n, names, alias_map, known) for n in s.excludes)
    ]
    # Stages complete in the code but left out for a name they exclude (dlfs-advanced's `optimizers`, beside
    # a Dropout): said in the reason when the stage graded does not grade their cases (`_also_defined`).
    excluded = [s for s in found if s.name not in grown and s not in kept_up]
    found = kept_up or _between_steps(found, order, default)
    # Stages that share a case are steps of one progression (DeZero's): the latest satisfied one stands for
    # the earlier ones even when it names fewer classes (step 14 needs Add but not the Square and Exp of
    # steps 1-10; a step-14 file that keeps them is still step 14).
    found = [
        s
        for s in found
        if not any(
            order[t.name] > order[s.name] and set(graded.get(t.name, ())) & set(graded.get(s.name, ()))
            for t in found
        )
    ]
    ranked = sorted(found, key=lambda s: (len(s.requires) + len(s.detect), order[s.name]), reverse=True)
    kept: list[Stage] = []
    for stage in ranked:
        if not any(_supersedes(k, stage, graded) for k in kept):
            kept.append(stage)
    if not kept:
        return None
    parts = sorted(kept, key=lambda s: order[s.name])
    reasons = [_reason(s, table.needed[s.name], names, alias_map, known) for s in parts]
    also = _also_defined(excluded, parts, graded, by_name, names, alias_map, known)
    if len(parts) == 1:
        return Inference(parts[0].name, f"your code defines {reasons[0]}{also}")
    each = " and ".join(f"{why} (stage {s.name})" for s, why in zip(parts, reasons, strict=True))
    return Inference(combine(parts).name, f"your code defines {each}: separate stages, graded together{also}")


def _also_defined(
    excluded: Sequence[Stage],
    parts: Sequence[Stage],
    graded: Mapping[str, Collection[str]],
    by_name: Mapping[str, Stage],
    names: DefinedNames,
    aliases: Mapping[str, Iterable[str]],
    known: Collection[str],
) -> str:
    """The reason's "; it also defines SGD, ... (stage optimizers, not graded here: pass --stage optimizers)"
    for each complete stage left out by its `excludes` whose cases the graded stage does not grade: a Dropout
    file holding the book's optimizers was graded at `dropout`, its optimizers never mentioned (review of
    s21-adv, finding 4)."""
    mine = {c for p in parts for c in graded.get(p.name, ())}
    # the names the graded stages check (theirs and their chains'): dlfs-layers' `layers` checks the Affine
    # and SoftmaxWithLoss of `affine-softmax`, which it excludes for Relu; nothing to say of them
    checked: set[str] = set()
    seen: set[str] = set()
    for part in parts:
        current: Stage | None = part
        while current is not None and current.name not in seen:
            seen.add(current.name)
            checked |= {n.lower() for n in (*current.requires, *current.optional_classes)}
            current = by_name.get(current.extends) if current.extends else None
    said = []
    for stage in excluded:
        needed = inference_requires(stage, by_name)
        if set(graded.get(stage.name, ())) <= mine or all(n.lower() in checked for n in needed):
            continue
        why = _reason(stage, needed, names, aliases, known)
        said.append(
            f"; it also defines {why} (stage {stage.name}, not graded here: pass --stage {stage.name})"
        )
    return "".join(said)


def _between_steps(outgrown: Sequence[Stage], order: Mapping[str, int], default: str | None) -> list[Stage]:
    """Every satisfied stage outgrown (the code has a name of the next step, not all of that step's): the
    latest of them when it comes after the default stage, else none (the default is graded). A DeZero
    step-52 package with `linear` but no `sigmoid` is past step 42 and short of step 43: with no stage it was
    graded at step18, the default, where the book's core.py has no Square to grade. Before the default it is
    a file the default stands for better (a step-18 file calling the classes outgrows steps 7-8)."""
    if not outgrown or default is None or default not in order:
        return []
    latest = max(outgrown, key=lambda s: order[s.name])
    return [latest] if order[latest.name] > order[default] else []


def _reason(
    stage: Stage,
    needed: Sequence[str],
    defined: set[str],
    aliases: Mapping[str, Iterable[str]],
    known: Collection[str],
) -> str:
    """`defined`: the source's names, as spelt."""

    methods: Mapping[str, str] = getattr(defined, "methods", {})

    def spelt(name: str) -> str:
        top_alias = any(a in defined and a not in methods for a in aliases.get(name, ()))
        if name in methods and not top_alias:
            if methods[name].endswith(UNDER_MAIN):  # the class of a block that never runs at import
                return f"{name} (only under {MAIN_BLOCK})"
            # a required class nested in a class or a function (grader/defined.py) is no method
            kind = (
                "the class"
                if name[:1].isupper() and methods[name].split(" inside ")[0].endswith(name)
                else "the method"
            )
            return f"{name} (only as {kind} {methods[name]})"
        if name in defined:
            return name
        alias = next((a for a in aliases.get(name, ()) if a in defined), None)
        if alias is not None:  # another name the adapter grades it by (MiniFlow's Placeholder for Input)
            return f"{name} (as {alias})"
        own = behind_helper(name, defined)
        if own is not None:
            return f"{name} (as {own[0]}, which your {own[1]} calls)"
        spellings = (name, *aliases.get(name, ()))
        if defines(name, defined, aliases, known):  # in another case: say how (`sigmoid` is no class Sigmoid)
            wanted = {a.lower() for a in spellings}
            return f"{name} (as {next(d for d in sorted(defined) if d.lower() in wanted)})"
        typo = misspelt(name, defined)
        return f"{name} (misspelt {typo}?)" if typo is not None else name

    why = ", ".join(spelt(n) for n in needed)
    if stage.detect:
        why += "; uses " + ", ".join(
            " or ".join(OPERATOR_IDENTIFIERS.get(i, i) for i in g) for g in stage.detect
        )
    return why
