"""Blame: when whole-graph cases fail, the unit cases say which class (and which of its gradients) is wrong.

A failing graph or behaviour case is *explained* by a class when the case applies that class and one of that
class's unit cases fails. A failing graph case that no failing unit case explains, while the unit cases of
every class it uses pass, points at how gradients are combined (accumulation, ordering, the backward
driver): that is one more entry, with `class_name` None. A failing case with a target of its own
(TwoLayerNet.gradient) that no unit case explains names its target instead. A failing case of the shared
infrastructure (DeZero's Variable and Function, MiniFlow's Node and Input) that no function explains is the
only entry: it explains everything else (`INFRASTRUCTURE`) but the cases missing a name, which keep their own
"could not run" entry (and a missing name is never the infrastructure's fault). Cases stopped at a TODO, or
missing a name, get entries without gradient advice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from grader.inside import contexts
from grader.judge.results import Blame, CaseResult
from grader.judge.wording import WHOLE_PASS


def _upstream_shape_says(ids: str, one: bool, culprit: str) -> str:
    verb = "stops" if one else "stop"
    return (
        f"{ids} {verb} with an error in a later backward, but {culprit}.backward handed it a gradient of the "
        f"wrong shape: fix {culprit} first (the message says how)"
    )


def _earlier_cause_says(ids: str, one: bool, cause: str) -> str:
    verb = "stops" if one else "stop"
    return (
        f"{ids} {verb} with an error {cause} caused: fix {cause} first, then look again (the message says "
        "how)"
    )


# (what reads the cause from a case's message, what the entry says): a gradient of the wrong shape handed
# down (MiniFlow's _check_gradient_shapes), a sort that left nodes out or raised, a Linear storing np.matrix
# (contexts.earlier_cause; s26-realmf)
_NAMED_CAUSES: tuple[tuple[Callable[[str], str | None], Callable[[str, bool, str], str]], ...] = (
    (contexts.upstream_shape_class, _upstream_shape_says),
    (contexts.earlier_cause, _earlier_cause_says),
)


@dataclass(frozen=True)
class _Words:
    """What blame tells a student to look at: gradients when the graded cases run a backward pass, forward
    values when none does (a forward-only stage: MiniFlow's add to forward, DeZero's step 1 to 3; advice
    about gradients there is about code the stage never asks for)."""

    first: str  # after "define it" / "write it"
    before_any: str  # where a case stopped
    wrong: str  # what a known mistake gave
    precise: str  # what lost precision is not
    combined: str  # unit cases pass, graph cases fail
    uncovered: str  # a class with no unit case, the mistake most likely there
    no_unit: str  # no unit case covers the classes


_GRADIENT_WORDS = _Words(
    first="before looking at any gradient",
    before_any="before any gradient",
    wrong="every wrong gradient",
    precise="not a wrong gradient",
    combined="look at how gradients are combined (+= over several consumers, the order of the backward pass, "
    "clearing old gradients)",
    uncovered="the mistake is most likely in {where} (each case's hint names the wrong gradient)",
    no_unit="check each class's backward",
)
_FORWARD_WORDS = _Words(
    first="first (this stage grades forward values only)",
    before_any="before any value was computed",
    wrong="every wrong value",
    precise="not a wrong value",
    combined="look at how the nodes are sorted and run (the sort must list every node after its inputs, and "
    "the forward pass must call forward on each) and at how each forward reads its inputs' values",
    uncovered="the mistake is most likely in {where} (each case's message names the wrong value)",
    no_unit="check each class's forward",
)

_FAILING = ("failed", "error")
# Failures that say something is absent or did not load, not that a gradient is wrong: a case that failed for
# one of them gets no advice about gradients (issue 10: 31 of 67 reports advised on gradients for a missing
# name).
ABSENT = ("missing_name", "import_error", "syntax_error", "forbidden_import")
PRECISION = "precision"  # grader/judge/diagnose.py: close to the answer, outside the tolerance
# A case that stopped at a TODO (NotImplementedError, a value left unset): named, with no gradient advice.
TODO = "not_implemented"

# Classes built from other graded classes: a failing case of theirs is explained by their parts' unit cases
# (an Affine mistake also breaks TwoLayerNet.gradient, and names Affine alone).
COMPOSED_OF: dict[str, tuple[str, ...]] = {
    "TwoLayerNet": ("Affine", "Relu", "SoftmaxWithLoss"),
    "TwoLayerNet.predict": ("Affine", "Relu"),  # the scores: SoftmaxWithLoss belongs to loss
    "TwoLayerNet.accuracy": ("Affine", "Relu"),
    "SimpleConvNet": ("Convolution", "Relu", "Pooling", "Affine", "SoftmaxWithLoss"),
    # chapter 6's networks: a bias mistake of their Affine was told "the bias's sum in
    # MultiLayerNet.backward". The layers their settings choose are the case's (built_layers), not every
    # one the class could build
    "MultiLayerNet": ("Affine", "SoftmaxWithLoss"),
    "MultiLayerNetExtend": ("Affine", "SoftmaxWithLoss"),
    "MLP": ("Linear", "Sigmoid"),  # DeZero step 45: its Linear layers apply F.linear, then F.sigmoid
}

# Networks whose settings choose some of their layers (the book's chapter 6: activation='relu' or 'sigmoid',
# use_batchnorm, use_dropout): a case of theirs builds those alone, and only their unit cases explain it
# (a failing Dropout unit case "explained" a MultiLayerNetExtend case that built no Dropout, and the
# network's own mistake went unreported).
SETTINGS_CHOOSE_LAYERS: frozenset[str] = frozenset({"MultiLayerNet", "MultiLayerNetExtend"})
_ACTIVATION_LAYERS = {"relu": "Relu", "sigmoid": "Sigmoid"}  # the book's activation_layer dict
_SWITCHED_LAYERS = {"use_batchnorm": "BatchNormalization", "use_dropout": "Dropout"}
_DEFAULT_ACTIVATION = "relu"  # the book's default for both networks


def built_layers(op: str, settings: Mapping[str, object]) -> tuple[str, ...]:
    """The layers an apply of `op` with these settings builds beyond COMPOSED_OF's: its activation's, and
    those its use_* settings switch on."""
    if op not in SETTINGS_CHOOSE_LAYERS:
        return ()
    activation = _ACTIVATION_LAYERS.get(str(settings.get("activation", _DEFAULT_ACTIVATION)).lower())
    switched = tuple(layer for key, layer in _SWITCHED_LAYERS.items() if settings.get(key))
    return (activation, *switched) if activation else switched


# Families whose backward driver is a method of a graded class (DeZero's Variable.backward): graph cases that
# fail while every unit case passes, on a check of that class's methods, name that class, not an anonymous
# driver.
DRIVER_CLASS: dict[str, str] = {"dezero": "Variable"}

# Families whose graph cases the harness itself drives, layer by layer (DLFS: forward through the layers, then
# each backward in reverse): the student wrote no backward pass combining gradients, so a graph case failing
# beside passing unit cases is most likely in a class it applies that no unit case covers (chapter 5's Affine
# in dlfs-advanced's BatchNormalization net), never in "how gradients are combined".
HARNESS_DRIVEN: frozenset[str] = frozenset({"layers"})

# Shared infrastructure every other class is built on, most basic first among cases that apply functions
# (DeZero's Function makes the Variables and wires the creators that Variable.backward walks). A failing unit
# case of one of them explains every other failing case, unit cases of other classes included, and blame
# stops there: a broken Function.__call__ fails Square, Exp and Add alike, and naming them would mislead.
INFRASTRUCTURE: tuple[str, ...] = ("Function", "Variable", "Node", "Input")


def _classes_used(r: CaseResult, classes: Iterable[str] = ()) -> tuple[str, ...]:
    """The classes a case applies, composites expanded, and the layers its settings build (`built`). An op
    that equals one of `classes` but for case is that class: DeZero's helpers and operators (`pow`, `mul`,
    `sub`: `x ** 3`, `a * b`) are the functions `Pow`, `Mul`, `Sub` whose unit cases explain them, as
    `uses_optional` reads them (grader/stages.py)."""
    by_lower = {c.lower(): c for c in classes}
    ops = (by_lower.get(op.lower(), op) for op in r.ops)
    return tuple(dict.fromkeys([*(c for op in ops for c in (op, *COMPOSED_OF.get(op, ()))), *r.built]))


def _what_is_wrong(cases: list[CaseResult], methods: bool = True) -> tuple[str, tuple[str, ...]]:
    """'Linear.backward: gradient of W is wrong (transposed)', grouped by method, and the codes involved.
    Without `methods`, the problems alone: said of a known mistake elsewhere, the record's own method
    (RNN.__init__ for the count Layer.params gives) is the one not at fault."""
    # method -> problem ("gradient of W is wrong") -> codes, all in order of first appearance
    by_method: dict[str, dict[str, list[str]]] = {}
    for case in cases:
        if case.status == "error":
            method, problem = _stopped(case)
            codes = by_method.setdefault(method, {}).setdefault(problem, [])
            if (code := case.failure_code or "error") not in codes:
                codes.append(code)  # each of its cases once said "exception" again
            continue
        for check in case.checks:
            if check.passed:
                continue
            code = check.diagnosis.code if check.diagnosis else "unknown"
            problem = "changes an input in place" if check.outcome == "mutated" else f"{check.label} is wrong"
            codes = by_method.setdefault(check.method, {}).setdefault(problem, [])
            if code not in codes:
                codes.append(code)
    parts = [
        (f"{method}: " if methods else "")
        + ", ".join(f"{problem} ({', '.join(codes)})" for problem, codes in problems.items())
        for method, problems in by_method.items()
    ]
    all_codes = [c for problems in by_method.values() for codes in problems.values() for c in codes]
    return "; ".join(parts), tuple(dict.fromkeys(all_codes))


# The exception classes whose names the blame said, when it read them from the message (session 30's
# `_RAISED`): kept, so that a class named otherwise (a student's `Oops`) is "did not finish" as before.
_SAID_TYPE = re.compile(r"[A-Z]\w{0,80}(?:Error|Exception|Warning|Exit|Iteration|Interrupt)")


_KEYED_BY_NAME_SAYS = "keys gradients by a name for the node, not the node (the message says how)"


def _stopped(case: CaseResult) -> tuple[str, str]:
    """(whose, what stopped it) for an errored case: ('Linear.backward', 'raised ValueError at nn.py line
    110') when the message names the exception and the student's frame, a method of the case's class keyed
    as itself (beside its wrong gradients); else the class and 'raised ValueError' or 'did not finish'."""
    owner = case.target or case.name
    if contexts.KEYED_BY_NAME in case.message:
        # MiniFlow's gradients keyed by a name: the KeyError, or "did not finish", said nothing of it
        return f"{owner}.backward", _KEYED_BY_NAME_SAYS
    # the harness's fields (grader/sandbox/raised.py), never the message: it quotes the student's own
    # exception text, and one imitating the harness's words ("... (other.py line 3, in Other.backward)")
    # moved the blame (sample hostile/blame_imitated_frame.py)
    raised = case.raised if case.failure_code == "exception" else None
    if raised is None or not _SAID_TYPE.fullmatch(raised.type):
        return owner, "did not finish"
    if not raised.place:
        return owner, f"raised {raised.type}"
    place, line, function = raised.place, raised.shown_line, raised.function
    if function.startswith(f"{owner}."):
        return function, f"raised {raised.type} at {place} line {line}"
    return owner, f"raised {raised.type} in {function} at {place} line {line}"


def _infrastructure_at_fault(
    units: dict[str, list[CaseResult]], failing_units: dict[str, list[CaseResult]]
) -> str | None:
    """The infrastructure class whose own failing case is not explained by a function built on it.

    An infrastructure case that applies a function (Add, Linear) also fails when only that function is wrong.
    A behaviour case (gradients run through the function) is explained by any applied function whose unit
    cases fail. A unit case checks structure the function's arithmetic cannot change (wiring, creators,
    generations): it is explained by such a function only while another function's unit cases all pass,
    since a mistake in the infrastructure fails them all. A case that applies no function is never explained.
    """
    others = {cls for cls in units if cls not in INFRASTRUCTURE}
    broken = {cls for cls in others if cls in failing_units}
    sound = others - broken
    candidates = [
        r for cls in INFRASTRUCTURE for r in failing_units.get(cls, ())
        if not _absent(r) and not (broken & set(_classes_used(r, units)) and (sound or r.kind != "unit"))
        and not _raised_in_another_class(r, units)
    ]  # fmt: skip
    if not candidates:
        return None
    first = min(
        candidates,
        key=lambda r: (bool(set(r.ops) - set(INFRASTRUCTURE)), INFRASTRUCTURE.index(str(r.target))),
    )
    return first.target


def _own_class_cases(
    units: dict[str, list[CaseResult]], failing_units: dict[str, list[CaseResult]], others: list[CaseResult]
) -> set[str]:
    """The failing cases (of `others`) that apply a function whose own unit cases fail, while another
    function's unit cases all pass: an infrastructure mistake would have failed those too, so these cases
    are that function's to explain (s37: a Variable without step 19's `size` property was said to explain
    the cases of a Mul.backward returning its gradients swapped). Only a unit case that came back with wrong
    values counts: one that raised may have raised for the infrastructure (a Variable without step 19's
    `shape` fails Sum's and Reshape's unit cases, whose sum_to and reshape read `x.shape`, while Square's and
    Mul's pass), and Variable explains it, as it did before."""
    functions = {cls for cls in units if cls not in INFRASTRUCTURE}
    broken = {cls for cls in functions if any(r.status == "failed" for r in failing_units.get(cls, ()))}
    if not broken or not functions - broken:
        return set()
    return {r.case_id for r in others if r.status in _FAILING and broken & set(_classes_used(r, units))}


def _raised_in_another_class(r: CaseResult, units: dict[str, list[CaseResult]]) -> bool:
    """An infrastructure case that stopped in a method of a class it neither is nor applies: step 59's
    unchain case (target Variable) raising in Layer.cleargrads, whose Layer.params yields Linear layers
    (sample dezero/late_book_step60_params_not_recursive/). Variable's code did not raise, so blaming it
    ("shared machinery, fix it first") sent the student to the wrong class."""
    raised = r.raised if r.status == "error" and r.failure_code == "exception" else None
    if raised is None or not raised.place:
        return False
    owner, dot, _ = raised.function.partition(".")
    if not dot or not owner[:1].isupper():
        return False
    return owner not in INFRASTRUCTURE and owner not in _classes_used(r, units)


def _absent(r: CaseResult) -> bool:
    """Failed because something is missing or did not load: no class's mistake explains it."""
    return r.status == "error" and r.failure_code in ABSENT


def _infrastructure_blame(
    cls: str, results: list[CaseResult], failing: list[CaseResult], words: _Words
) -> tuple[Blame, ...]:
    """The infrastructure entry, explaining every other failing case but those missing a name (fixing `cls`
    will not define it: they get the "could not run" entry)."""
    own = [r for r in failing if not _absent(r)]
    what, codes = _what_is_wrong(own)
    others = [r for r in results if r.status in _FAILING and r not in own]
    explains = tuple(r.case_id for r in others if not _absent(r))
    message = f"The unit cases of {cls} fail: {what}"
    if explains:
        message += (
            f". {cls} is shared machinery every other class runs on, so fix it first: the other failing "
            f"cases ({', '.join(explains)}) may pass once it is right"
        )
    entry = Blame(cls, message, tuple(r.case_id for r in own), explains, codes)
    absent = [r for r in others if _absent(r)]
    return (entry, _absent_entry(absent, words)) if absent else (entry,)


def _absent_entry(absent: list[CaseResult], words: _Words) -> Blame:
    codes = tuple(dict.fromkeys(str(r.failure_code) for r in absent))
    message = (
        f"{', '.join(r.case_id for r in absent)} could not run: something they need is missing or did "
        f"not load (each case's message names it); define it {words.first}"
    )
    return Blame(None, message, (), tuple(r.case_id for r in absent), codes)


# DeZero's reflected operators (grader/judge/operators.py, reference mutations *_swapped): a case whose every
# wrong record, or whose error, is diagnosed so fails in a method of Variable, not in a backward pass.
REFLECTED = "reflected_operator"


def _first_wrong_is_a_step(r: CaseResult) -> bool:
    """A failed case whose first wrong record is neither a forward nor a backward value: an update step's."""
    wrong = [c.method for c in r.checks if not c.passed]
    return r.status == "failed" and bool(wrong) and not any(w in wrong[0] for w in ("backward", "forward"))


def _reflected(r: CaseResult) -> bool:
    if r.status == "error":
        return r.diagnosis is not None and r.diagnosis.code == REFLECTED
    wrong = [c for c in r.checks if not c.passed]
    return bool(wrong) and all(c.diagnosis is not None and c.diagnosis.code == REFLECTED for c in wrong)


# How operators.reflected_missing words a reflected method the Variable lacks ("Variable has no __rsub__").
_LACKS = re.compile(r"Variable has no (__r[a-z]+__)")
_SYMBOL = {"__radd__": "+", "__rsub__": "-", "__rmul__": "*", "__rtruediv__": "/", "__rpow__": "**"}


def _reflected_entry(cases: list[CaseResult]) -> Blame:
    """A reflected method missing (an errored case: "Variable has no __rtruediv__") or one with its operands
    swapped (wrong values), named as what it is; the Python 2 note in a hint (`__rdiv__`) names no method."""
    errors = " ".join(r.diagnosis.hint for r in cases if r.status == "error" and r.diagnosis is not None)
    swapped = " ".join(
        c.diagnosis.hint for r in cases for c in r.checks if not c.passed and c.diagnosis is not None
    )
    lacking = sorted(set(_LACKS.findall(errors)))
    wrong = sorted(set(re.findall(r"__r[a-z]+__", _LACKS.sub("", swapped))))
    ids = ", ".join(r.case_id for r in cases)
    verb = "fails" if len(cases) == 1 else "fail"
    named = " / ".join(f"Variable.{m}" for m in wrong) or "a reflected operator method of Variable"
    one = wrong[0] if wrong else "__rsub__"
    rsub = (
        f"for 2.0 {_SYMBOL.get(one, '-')} x Python calls x.{one}(2.0), so self is the right operand (each "
        "case's hint says more)"
    )
    if not lacking:
        message = f"{ids} {verb} in {named}, not in a backward pass: {rsub}"
    else:
        first = lacking[0]
        message = (
            f"{ids} {verb} in Variable's operators, not in a backward pass: Variable has no "
            f"{' / '.join(lacking)}: for 2.0 {_SYMBOL.get(first, '-')} x Python calls x.{first}(2.0) (each "
            "case's hint says what to define)"
        )
        if wrong:
            message += f"; {named} has its operands swapped: {rsub}"
    return Blame(None, message, (), tuple(r.case_id for r in cases), (REFLECTED,))


# DeZero's Variable methods of steps 38-39 (grader/judge/methods.py): an errored case diagnosed so stopped in
# the method (a tuple not unpacked, `return self`), before any function or backward pass ran.
VARIABLE_METHOD = "variable_method"


def _method_entry(cases: list[CaseResult]) -> Blame:
    hints = " ".join(r.diagnosis.hint for r in cases if r.diagnosis is not None)
    named = " / ".join(sorted(set(re.findall(r"Variable\.\w+", hints)))) or "a method of Variable"
    verb = "fails" if len(cases) == 1 else "fail"
    message = (
        f"{', '.join(r.case_id for r in cases)} {verb} in {named}, not in a function's forward or backward: "
        "the method must hand its work to the function and return its output (each case's hint says how)"
    )
    return Blame(None, message, (), tuple(r.case_id for r in cases), (VARIABLE_METHOD,))


def _only_imprecise(r: CaseResult) -> bool:
    """A failed case whose every wrong record is diagnosed `precision`: no gradient is wrong, none advised."""
    wrong = [c for c in r.checks if not c.passed]
    codes = {c.diagnosis.code if c.diagnosis else None for c in wrong}
    return r.status == "failed" and codes == {PRECISION}


def _stopped_in_forward(r: CaseResult) -> bool:
    """A case that ended with an error while a step applied a function (the harness's context for an apply
    step, "add applied to x, y: ...", or for an operator, "evaluating 2.0 - x ...: ..."), or while a forward
    value was read (MiniFlow runs its sort and forward pass there, the course's way, when no backward ran
    before: "reading forward value of f = Linear(X, W, b): ..."; its blame advised gradient code at stage
    forward, session 24's review): nothing of a backward pass ran."""
    head = r.message.split(": ", 1)[0]
    return r.status == "error" and (
        " applied to " in head or head.startswith(("evaluating ", "reading forward value of "))
    )


def _stopped_at_load(r: CaseResult) -> bool:
    """A case whose first batch stopped in the load's own lookups (a class that raises when the harness
    describes it, or a process that broke its channel then): no step of the case ran, so passing unit cases
    say nothing of it."""
    return r.status == "error" and contexts.at_load(r.message)


def _at_load_entry(cases: list[CaseResult], words: _Words) -> Blame:
    """The student's exception names its line; anything else there (a protocol violation) names none."""
    ids = tuple(r.case_id for r in cases)
    verb = "stops" if len(ids) == 1 else "stop"
    if all(r.failure_code == "exception" for r in cases):
        what = f"{verb} at an error your code raised while the grader looked up its classes after loading"
        return Blame(
            None,
            f"{', '.join(ids)} {what}, {words.before_any}: the message names the line; fix it first",
            (),
            ids,
            (),
        )
    what = f"{verb} while the grader looked up your classes after loading, before any step of the case ran"
    return Blame(None, f"{', '.join(ids)} {what}: each message says what went wrong there", (), ids, ())


def _own_mistake(cls: str, cases: list[CaseResult]) -> str | None:
    """The method of `cls` a known mistake names for some wrong record of these cases (a second mistake of
    the class's own, beside the one its unit cases show of another class), or None."""
    named = (c.diagnosis.blames for r in cases for c in r.checks if not c.passed and c.diagnosis is not None)
    return next((m for m in named if m and " " not in m and m.split(".", 1)[0] == cls), None)


def _known_method(rest: list[CaseResult]) -> str | None:
    """The one method a known mistake names for every wrong record of these cases (DeZero's Add.backward
    without sum_to, seen only where Add broadcasts, which its unit case does not): the backward driver is
    then not where the mistake is. None when a wrong record matches no known mistake, or several methods,
    or a case stopped with an error (its missing records are explained by nothing: a crash in
    Variable.backward is no Add.backward mistake)."""
    if any(r.status != "failed" for r in rest):
        return None
    failing = [c for r in rest for c in r.checks if not c.passed]
    methods = {c.diagnosis.blames if c.diagnosis else None for c in failing}
    return methods.pop() if len(methods) == 1 and None not in methods else None


def _known_of_another(cls: str, cases: list[CaseResult]) -> str | None:
    """`_known_method` of `cls`'s cases when it is one method of another class or module (utils.sum_to for
    Linear's cases, Layer.params for step 59's RNN's): that method is to blame, not `cls`'s own code."""
    known = _known_method(cases)
    if known is None or " " in known or known.split(".", 1)[0] == cls:
        return None
    return known


def _made_by_known(classes: Sequence[str], known: str, problems: str, through: str = "") -> str:
    """One entry for the classes whose every wrong record a known mistake of `known` gives: their problems
    said without their own methods, which are not at fault (session 34: "not by RNN's own code
    (RNN.__init__: ...)" named the method it cleared)."""
    whose = f"{classes[0]}'s" if len(classes) == 1 else "their"
    return (
        f"The cases of {' and '.join(classes)} fail as a known mistake of {known} makes them, not by {whose} "
        f"own code ({problems}){through}: fix {known} (each case's hint says how)"
    )


def _with_known(entries: list[Blame], known: str, owners: list[tuple[str, list[CaseResult]]]) -> list[Blame]:
    """`entries` with the classes `owners` whose cases a known mistake of `known` explains: one entry for
    that method, joined to the entry already naming its class (Layer.params() where other cases stopped:
    three entries named Layer for one cause, session 34)."""
    cases = [r for _, cs in owners for r in cs]
    problems, codes = _what_is_wrong(cases, methods=False)
    message = _made_by_known([cls for cls, _ in owners], known, problems)
    culprit, ids = known.split(".", 1)[0], tuple(r.case_id for r in cases)
    same = next((i for i, e in enumerate(entries) if e.class_name == culprit), None)
    if same is None:
        return [*entries, Blame(culprit, message, (), ids, codes)]
    e = entries[same]
    joined = Blame(
        culprit,
        f"{e.message}; {message[0].lower()}{message[1:]}",
        e.unit_cases,
        (*e.explains, *ids),
        tuple(dict.fromkeys((*e.codes, *codes))),
    )
    return [*entries[:same], joined, *entries[same + 1 :]]


# DeZero steps 33 to 36: a backward written on .data (reference/mutations.py backward_on_data, every function,
# and <op>_backward_on_data, one function's). Its unit cases run one backward and pass; only a second
# backward, under create_graph=True, misses the path. Two functions on .data (Pow and Mul) name two
# methods, which `_known_method` leaves to the driver: blame said "look at how gradients are combined ...
# Variable.backward" while every hint named a function (review of s23-realdz, finding 3).
ON_DATA = re.compile(r"(?:^|_)backward_on_data$")


def _on_data(rest: list[CaseResult]) -> tuple[str, ...] | None:
    """The backward methods named on .data when a known mistake on .data explains every wrong record of these
    cases (none named: each function's backward, backward_on_data); None otherwise, or when one stopped with
    an error."""
    if any(r.status != "failed" for r in rest):
        return None
    failing = [c.diagnosis for r in rest for c in r.checks if not c.passed]
    if not failing or not all(d is not None and d.mistake and ON_DATA.search(d.mistake) for d in failing):
        return None
    return tuple(sorted({d.blames for d in failing if d is not None and d.blames}))


def _on_data_message(passing: list[str], methods: tuple[str, ...]) -> str:
    where = " and ".join(methods) if methods else "each function's backward"
    verb = "computes" if len(methods) == 1 or not methods else "compute"
    return (
        f"Graph cases fail although the unit cases of {', '.join(passing)} pass: {where} {verb} on .data, so "
        "under create_graph=True the gradient has no graph back to the inputs and the next backward misses "
        "that path; a unit case runs one backward and cannot see it (each case's hint says what to write)"
    )


def _forward_first(rest: list[CaseResult], units: dict[str, list[CaseResult]], family: str) -> Blame | None:
    """The entry for graph cases whose first wrong record is a forward value (the loss) while the unit cases
    of the classes they apply pass: the function they apply that no unit case covers computes it wrong
    (step 42's mean_squared_error written in steps/step42.py without `/ len(diff)`), and every gradient after
    it is wrong for that reason. Blame said "look at how gradients are combined ... Variable.backward"
    (sample book_step42_local_mse_no_len/). None unless every such case is so, for a family whose driver is
    a class."""
    forward = WHOLE_PASS.get(family, ("", ""))[1]
    if family not in DRIVER_CLASS or not rest or _known_method(rest) is not None:
        return None
    firsts = [next((c for c in r.checks if not c.passed), None) for r in rest]
    if any(
        r.status != "failed" or c is None or c.method != forward for r, c in zip(rest, firsts, strict=True)
    ):
        return None
    used = [op for r in rest for op in _classes_used(r, units)]
    passing = sorted({op for op in used if op in units})
    uncovered = list(dict.fromkeys(op for op in used if op not in units))
    if not passing or not uncovered:
        return None
    ids = tuple(r.case_id for r in rest)
    one = len(uncovered) == 1
    keys = ", ".join(dict.fromkeys(c.key for c in firsts if c is not None))
    message = (
        f"Graph cases compute a wrong forward value ({keys}) although the unit cases of {', '.join(passing)} "
        f"pass: {', '.join(uncovered)}, which they also apply, {'has' if one else 'have'} no unit case here: "
        f"the mistake is most likely in {'its' if one else 'their'} forward computation (each case's hint "
        "says what the value looks like); the gradients are computed from that value, so fix it first"
    )
    unit_ids = tuple(r.case_id for cls in passing for r in units[cls])
    return Blame(uncovered[0] if one else None, message, unit_ids, ids, ())


def _driver(rest: list[CaseResult], family: str) -> str | None:
    """The class named by the driver entry: DRIVER_CLASS's when a failing check names one of its methods."""
    cls = DRIVER_CLASS.get(family)
    failing = (c for r in rest for c in r.checks if not c.passed)
    return cls if cls is not None and any(c.method.startswith(f"{cls}.") for c in failing) else None


def _uncovered(rest: list[CaseResult], units: dict[str, list[CaseResult]], family: str) -> list[str]:
    """The classes these graph cases apply that no unit case covers, where the harness drives the graph."""
    if family not in HARNESS_DRIVEN:
        return []
    return sorted({op for r in rest for op in _classes_used(r, units) if op not in units})


def _take_stopped(
    rest: list[CaseResult],
    entries: list[Blame],
    said: Callable[[str], bool],
    where: str,
    cls: str | None = None,
) -> list[CaseResult]:
    """The cases of `rest` left once those that errored with a message `said` holds, all stopped in one
    place, have their one entry in `entries` (`where` saying which place and why)."""
    stopped = [r for r in rest if r.status == "error" and said(r.message)]
    if not stopped:
        return rest
    ids = tuple(r.case_id for r in stopped)
    verb = "stops" if len(ids) == 1 else "stop"
    entries.append(Blame(cls, f"{', '.join(ids)} {verb} in {where}", (), ids, ()))
    return [r for r in rest if not (r.status == "error" and said(r.message))]


def blame(results: Iterable[CaseResult], family: str = "", *, backward: bool = True) -> tuple[Blame, ...]:
    """Blame entries in a stable order: failing classes by first appearance, then the driver entry.
    `backward`: whether the cases graded run a backward pass; without one (a forward-only stage) no entry
    speaks of gradients or points at the backward driver."""
    results = list(results)
    words = _GRADIENT_WORDS if backward else _FORWARD_WORDS
    units: dict[str, list[CaseResult]] = {}
    for r in results:
        # An infrastructure class's behaviour cases (several backward calls, cleargrad) are its unit cases.
        if r.target and (r.kind == "unit" or r.target in INFRASTRUCTURE):
            units.setdefault(r.target, []).append(r)
    failing_units = {cls: [r for r in rs if r.status in _FAILING] for cls, rs in units.items()}
    failing_units = {cls: rs for cls, rs in failing_units.items() if rs}
    at_fault = _infrastructure_at_fault(units, failing_units)
    if at_fault is not None:
        infra = failing_units[at_fault]
        apart = _own_class_cases(units, failing_units, [r for r in results if r not in infra])
        if not apart:
            return _infrastructure_blame(at_fault, results, infra, words)
        # Variable's own case fails (a step-19 property missing) beside a Mul whose own unit cases fail while
        # Square's and Add's pass: Mul's cases are Mul's, not "shared machinery ... may pass once it is right"
        kept = [r for r in results if r.case_id not in apart]
        by_function = blame([r for r in results if r.case_id in apart], family, backward=backward)
        return (*_infrastructure_blame(at_fault, kept, infra, words), *by_function)
    # Every failing infrastructure case is explained by a function it applies: it is one more graph case.
    infrastructure = [r for cls in INFRASTRUCTURE for r in failing_units.pop(cls, ())]
    composite = [r for r in results if r.kind != "unit" and r.status in _FAILING and r not in infrastructure]
    composite += infrastructure

    entries: list[Blame] = []
    explained: set[str] = set()
    for cls, cases in failing_units.items():
        what, codes = _what_is_wrong(cases)
        explains = tuple(r.case_id for r in composite if cls in _classes_used(r, units))
        explained.update(explains)
        if explains:
            message = f"The failing graph cases are explained by {what}"
        else:
            message = f"The unit cases of {cls} fail: {what}"
        # Every wrong record of this class's cases is what a known mistake of another class's method gives
        # (utils.sum_to without the leading axes: Linear's gb, BroadcastTo's gx): that method is named, not
        # this class's code, which the hints already say is right (book_step43_sum_to_no_lead/).
        known = _known_of_another(cls, cases)
        culprit = cls
        own = _own_mistake(cls, [r for r in composite if r.case_id in explains]) if explains else None
        if known is not None and own is not None:
            # Two mistakes: the graph cases hold a record only this class's own known mistake gives
            # (utils.sum_to without the leading axes and Linear.backward's gb = gy: blame named sum_to alone)
            message = (
                f"The cases of {cls} fail as known mistakes of {known} and of {own} make them ({what}); the "
                f"failing graph cases through {cls} too: fix both, {known} and {own} (each case's hint says "
                "how)"
            )
        elif known is not None:
            through = f"; the failing graph cases through {cls} too" if explains else ""
            problems = _what_is_wrong(cases, methods=False)[0]
            culprit, message = known.split(".", 1)[0], _made_by_known([cls], known, problems, through)
        entries.append(Blame(culprit, message, tuple(r.case_id for r in cases), explains, codes))

    rest = [r for r in composite if r.case_id not in explained]
    absent = [r for r in rest if _absent(r)]
    # (a case of a class of its own, TwoLayerNet's, names that class below even when it stopped at a TODO)
    todo = [r for r in rest if r.status == "error" and r.failure_code == TODO and not r.target]
    rest = [r for r in rest if r not in absent and r not in todo]
    if absent:
        entries.append(_absent_entry(absent, words))
    if todo:
        message = (
            f"{', '.join(r.case_id for r in todo)} stopped at code that is still a TODO or left a value "
            f"unset (each case's message names the method): write it {words.first}"
        )
        entries.append(Blame(None, message, (), tuple(r.case_id for r in todo), (TODO,)))
    # Layer.params() yielding what is not a parameter stops cleargrads and every update: the cases of MLP,
    # SGD and MomentumSGD, whose own code is right, are that one method's (book_step46_params_yield_*).
    rest = _take_stopped(
        rest,
        entries,
        contexts.params_yielded,
        "Layer.params(), not in the classes the cases are about: it yields something that is not a "
        "Parameter, which cleargrads and the optimizers' update then meet (the message says what it yields)",
        "Layer",
    )
    # A failing case of a class of its own (TwoLayerNet.gradient) that its parts' unit cases do not
    # explain names that class, not the driver.
    owned: dict[str, list[CaseResult]] = {}
    for r in rest:
        if r.target and r.target not in failing_units:
            owned.setdefault(r.target, []).append(r)
    by_known: dict[str, list[tuple[str, list[CaseResult]]]] = {}
    for cls, cases in owned.items():
        # every wrong record what a known mistake of another class's method gives: step 59's RNN counting
        # the Linear layers its Layer.params yields (sample dezero/late_book_step60_params_not_recursive/)
        known = _known_of_another(cls, cases)
        if known is not None:
            by_known.setdefault(known, []).append((cls, cases))
            continue
        what, codes = _what_is_wrong(cases)
        entries.append(
            Blame(cls, f"The cases of {cls} fail: {what}", (), tuple(r.case_id for r in cases), codes)
        )
    for known, owners in by_known.items():
        entries = _with_known(entries, known, owners)
    rest = [r for r in rest if not (r.target and r.target in owned)]
    # A failing case none of whose wrong records is a gradient (an update step, a forward value after it)
    # is no backward pass's doing: it names the method of its first wrong record (sgd_update). So is one
    # whose first wrong record is a step after the backward pass (neither a forward nor a backward: an
    # update), the gradients recorded after it taken at the values it left (sgd-gen-step's dW1_2 after a
    # wrong update: blame said to look at how gradients are combined, sample sgd_plus.py).
    # Only when every other failing graph case is such a case: sgd-gen-step records no gradient before its
    # update, so a backward bug that shows only in graph cases makes W1_after its first wrong record too
    # (review of s25-realmf: told both "fails in sgd_update" and "graph cases fail").
    update_first = [r for r in composite if _first_wrong_is_a_step(r)]
    only_updates = all(r in update_first for r in composite)
    elsewhere: dict[str, list[CaseResult]] = {}
    for r in rest:
        wrong = [c.method for c in r.checks if not c.passed]
        after_backward = only_updates and r in update_first
        if r.status == "failed" and wrong and (after_backward or not any("backward" in m for m in wrong)):
            elsewhere.setdefault(wrong[0], []).append(r)
    for method, cases in elsewhere.items():
        what, codes = _what_is_wrong(cases)
        verb = "fails" if len(cases) == 1 else "fail"
        message = f"{', '.join(r.case_id for r in cases)} {verb} in {method}, not in a backward pass: {what}"
        entries.append(Blame(None, message, (), tuple(r.case_id for r in cases), codes))
    rest = [r for r in rest if not any(r in cases for cases in elsewhere.values())]
    # Only when no other graph case fails: an update that raises after a backward pass that failed elsewhere
    # tells nothing about the update.
    in_update = [r for r in rest if r.status == "error" and contexts.in_sgd_step(r.message)]
    if in_update and all(r in in_update or r in update_first for r in composite):
        ids = tuple(r.case_id for r in in_update)
        verb = "stops" if len(ids) == 1 else "stop"
        message = (
            f"{', '.join(ids)} {verb} with an error in the update step (sgd_update, or an optimizer's "
            "update), not in a backward pass: the message names the line"
        )
        entries.append(Blame(None, message, (), ids, ()))
        rest = [r for r in rest if r not in in_update]
    reflected = [r for r in rest if _reflected(r)]
    if reflected:
        entries.append(_reflected_entry(reflected))
        rest = [r for r in rest if r not in reflected]
    rest = _take_stopped(
        rest,
        entries,
        contexts.array_first,
        "Variable's operators, not in a backward pass: numpy computed an ndarray on the left of an operator "
        "with a Variable itself, element by element (Variable.__array_priority__, step 21: the message says "
        "what to add or respell)",
    )
    in_method = [
        r for r in rest if r.status == "error" and r.diagnosis and r.diagnosis.code == VARIABLE_METHOD
    ]
    if in_method:
        entries.append(_method_entry(in_method))
        rest = [r for r in rest if r not in in_method]
    # An error whose message names the code that caused it before the node that raised: that code, not
    # "how gradients are combined". No class of its own: the views show a class's entry only beside its
    # unit cases, and those pass.
    for reader, say in _NAMED_CAUSES:
        caused: dict[str, list[CaseResult]] = {}
        for r in rest:
            cause = reader(r.message) if r.status == "error" else None
            if cause is not None:
                caused.setdefault(cause, []).append(r)
        for cause, cases in caused.items():
            ids = tuple(r.case_id for r in cases)
            entries.append(Blame(None, say(", ".join(ids), len(ids) == 1, cause), (), ids, ()))
            rest = [r for r in rest if r not in cases]
    at_load = [r for r in rest if _stopped_at_load(r)]
    if at_load:
        entries.append(_at_load_entry(at_load, words))
        rest = [r for r in rest if r not in at_load]
    imprecise = [r for r in rest if _only_imprecise(r)]
    if imprecise:
        ids = tuple(r.case_id for r in imprecise)
        message = (
            f"{', '.join(ids)} {'fails' if len(ids) == 1 else 'fail'} only by lost precision (the values are "
            f"close to the answer, outside the tolerance): float32 somewhere, {words.precise}"
        )
        entries.append(Blame(None, message, (), ids, (PRECISION,)))
        rest = [r for r in rest if r not in imprecise]
    forward_first = _forward_first(rest, units, family) if backward else None
    if forward_first is not None:
        entries.append(forward_first)
        rest = [r for r in rest if r.case_id not in forward_first.explains]
    if rest:
        # a case that stopped while applying a function ran no backward: passing unit cases say nothing of it
        forward_only = all(_stopped_in_forward(r) for r in rest)
        driven = backward and not forward_only  # a backward pass ran: its driver may be at fault
        passing = (
            []
            if forward_only
            else sorted({op for r in rest for op in _classes_used(r, units) if op in units})
        )
        known = _known_method(rest)
        on_data = _on_data(rest) if passing and known is None else None
        uncovered = _uncovered(rest, units, family) if passing else []
        if on_data is not None:
            message = _on_data_message(passing, on_data)
        elif passing and known is not None:
            message = (
                f"Graph cases fail although the unit cases of {', '.join(passing)} pass: {words.wrong} "
                f"is what a known mistake of {known} gives, where the unit cases do not reach it "
                "(each case's hint says how to fix it)"
            )
        elif passing and uncovered:
            one = len(uncovered) == 1
            verb, where = ("has", "its backward") if one else ("have", "one of their backwards")
            if not backward:
                where = "its forward" if one else "one of their forwards"
            message = (
                f"Graph cases fail although the unit cases of {', '.join(passing)} pass; "
                f"{', '.join(uncovered)}, which they also apply, {verb} no unit case here: "
                + words.uncovered.format(where=where)
            )
        elif passing:
            message = (
                f"Graph cases fail although the unit cases of {', '.join(passing)} pass: {words.combined}"
            )
        elif forward_only:
            message = (
                "Graph cases stop with an error while their functions are applied (the forward pass"
                f"{', before any backward' if backward else ''}): each case's message names the line; fix "
                "that first"
            )
        else:
            message = f"Graph cases fail and no unit case covers the classes they use: {words.no_unit}"
        unit_ids = tuple(r.case_id for cls in passing for r in units[cls])
        # The driver is not pointed at when a known mistake explains everything the passing units do not.
        driver = (
            None
            if not driven or (known is not None and passing) or on_data is not None
            else _driver(rest, family)
        )
        if driver is not None:
            message += f" ({driver}.backward is the backward pass: the mistake is most likely there)"
        # one class owns a known mistake of one method; one made in several (Sub, Mul and Div) names none
        owner = known.split(".", 1)[0] if known is not None and passing and " " not in known else driver
        if owner is None and known is None and len(uncovered) == 1:
            owner = uncovered[0]
        entries.append(Blame(owner, message, unit_ids, tuple(r.case_id for r in rest), ()))
    return _feedback_last(_one_entry_a_class(entries, results), results)


def _one_entry_a_class(entries: list[Blame], results: Sequence[CaseResult]) -> list[Blame]:
    """One entry for each class named: the others naming it joined to the one over its own unit cases,
    each message kept whole. utils.sum_to without the leading axes (book_step43_sum_to_no_lead/) got four
    entries naming SumTo, of which only its own unit cases' says what is wrong in it (s35). The joined entry's
    unit cases are the class's own; another class's (Linear's unit case, which SumTo's mistake fails) are
    among those it explains (s37: the SumTo entry listed linear-unit as a unit case of SumTo)."""
    target = {r.case_id: r.target for r in results}
    groups: dict[str, list[Blame]] = {}
    for e in entries:
        if e.class_name is not None:
            groups.setdefault(e.class_name, []).append(e)
    out: list[Blame] = []
    for e in entries:
        group = groups.get(e.class_name or "", [e])
        if len(group) < 2:
            out.append(e)
            continue
        own = [g for g in group if g.unit_cases and all(target.get(i) == e.class_name for i in g.unit_cases)]
        base = own[0] if own else group[0]
        if e is not base:
            continue
        rest = [g for g in group if g is not base]
        units = [i for g in (base, *rest) for i in g.unit_cases]
        # the unit cases of another class (Linear's, failing as SumTo's known mistake makes them) are cases
        # the entry explains, not the named class's own: "unit_cases" is what says the class was tried alone
        own_units = [i for i in units if target.get(i) == base.class_name]
        out.append(
            Blame(
                base.class_name,
                ". ".join(g.message.rstrip(".") for g in (base, *rest)),
                tuple(dict.fromkeys(own_units)),
                tuple(
                    dict.fromkeys(
                        (
                            *(i for g in (base, *rest) for i in g.explains),
                            *(i for i in units if i not in own_units),
                        )
                    )
                ),
                tuple(dict.fromkeys(c for g in (base, *rest) for c in g.codes)),
            )
        )
    return out


def _feedback_last(entries: list[Blame], results: Sequence[CaseResult]) -> tuple[Blame, ...]:
    """The entries whose cases are all optional feedback (0 points: MultiLayerNet at dlfs-advanced's ch06,
    layers and default) after the others, each group in its order. An Affine.backward leaving db unsummed
    failed the BatchNormalization net (4 points) and the book's MultiLayerNet beside it (feedback): the first
    blame line was "The cases of MultiLayerNet fail: ... gradient of b1 is wrong", the line about the layers
    the graded cases apply came after it (leftover (b) of session 22)."""
    optional = {r.case_id for r in results if r.optional and not r.max_points}

    def feedback(entry: Blame) -> bool:
        ids = (*entry.unit_cases, *entry.explains)
        return bool(ids) and all(i in optional for i in ids)

    return tuple(sorted(entries, key=feedback))
