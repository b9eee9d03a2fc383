"""Score one case, then a whole run: `judge_case` and `grade`.

Partial credit: a case's points are split evenly over its checks (one per expected record), so a case with 4
records and 3 right earns 3/4 of its points; `all_or_nothing` cases earn all or nothing. An input array that
the student's code changed in place counts as one more check, failed: 4 right records + a mutated input earn
4/5; an upstream gradient (dout) written in place is only a warning worth 0 points (grader/judge/upstream.py).
Error and not_run cases earn 0 and carry the failure code and message.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from grader.fault import GRADER_ERROR
from grader.inside.scale_names import NO_DECAY, handed_value
from grader.judge import (
    absent_layer,
    argmax_axis,
    drawn_mask,
    loader_order,
    main_block,
    recreated,
    saved_weights,
    source_notes,
    spelling,
)
from grader.judge.blame import COMPOSED_OF, INFRASTRUCTURE, blame, built_layers
from grader.judge.compare import MISSING, compare_as, fmt, fmt_shape, subject
from grader.judge.diagnose import (
    OPENING_METHOD,
    Evidence,
    Finding,
    batch_size,
    diagnose,
    input_mutated,
    none_against,
)
from grader.judge.higher_order import backward_applies
from grader.judge.judged_once import judged_once
from grader.judge.methods import no_creator, reshape_tuple_kept, returned_itself
from grader.judge.mutations import mutation_info, mutation_parts
from grader.judge.node_values import node_operand
from grader.judge.operators import number_not_wrapped, number_through_reflected, reflected_missing
from grader.judge.own_shape import expected_in_own_shape
from grader.judge.per_case import per_case
from grader.judge.probe_words import probe_false
from grader.judge.results import Blame, CaseResult, Check
from grader.judge.stages import apply_stage, is_later_stage
from grader.judge.support import LazySupport, contradicted, ranked
from grader.judge.text import TEXT_PROPERTIES, text_check
from grader.judge.upstream import split_mutated, upstream_note
from grader.judge.vacuous import without_vacuous_nones
from grader.judge.wording import is_forward, whole_pass_method
from grader.model import PHASES, Case, CaseOutput, Failure, RunResult, Tolerance
from grader.reports.report import (
    PUBLISHED_VIEWS,
    STUDENT_BLAME,
    AssignmentInfo,
    LoadSummary,
    Report,
    StaffInfo,
    StageInfo,
    SubmissionInfo,
    Timing,
    points,
)
from grader.reports.size import fit

INPUTS_UNCHANGED = "inputs_unchanged"
# Every isolation weaker than bwrap says so in the report (on the terminal: NOTES in grader/sandbox/pool.py).
ISOLATION_WARNINGS = {
    "rlimits-root-dropped": (
        "isolation: rlimits-root-dropped (bubblewrap not in use: student code ran as an unprivileged uid "
        "without capabilities, confined by resource limits, Landlock and a seccomp allow-list)"
    ),
    "rlimits-unprivileged": (
        "isolation: rlimits-unprivileged (bubblewrap not in use: student code ran as the grader's own user, "
        "confined only by resource limits, Landlock and a seccomp allow-list)"
    ),
    "none": "isolation: none (student code ran UNCONFINED, as asked: only for trusted code)",
}
_NO_RESULT = Failure("no_result", "the sandbox returned no result for this case")


# Errors with a known cause, by family, tried in order: a reflected operator missing (DeZero steps 21-22), a
# Variable method that does not hand its work to the function (steps 38-39: grader/judge/methods.py). Each
# words its finding in DeZero's terms ("Variable has no __mul__ ... define Variable.__mul__ = mul"), so only
# DeZero's errors are read by them: MiniFlow's Linear quiz multiplying two nodes (`x * w`, "unsupported
# operand type(s) for *: 'Input' and 'Input'") was told to define Variable.__mul__ (sample
# submissions/miniflow/linear_quiz_node_lists_times_nodes.py).
ERROR_FINDINGS: Mapping[str, tuple[Callable[[Failure], Finding | None], ...]] = {
    "dezero": (
        reflected_missing,
        number_not_wrapped,
        number_through_reflected,
        reshape_tuple_kept,
        returned_itself,
        no_creator,
    ),
    "miniflow": (node_operand,),  # `x * w` of two nodes (grader/judge/node_values.py)
}


def _error_finding(failure: Failure, family: str) -> Finding | None:
    findings = ERROR_FINDINGS.get(family, ())
    return next((f for f in (find(failure) for find in findings) if f is not None), None)


def _label(key: str) -> str:
    if key.startswith("d") and len(key) > 1:
        return f"gradient of {key[1:]}"
    return "forward value" if key in ("value", "out") else key


def _method(case: Case, key: str, step: Mapping[str, Any], family: str) -> str:
    if case.target:
        return f"{case.target}.backward" if key.startswith("d") else f"{case.target}.forward"
    return whole_pass_method(case, step, family)


@per_case
def _built(case: Case) -> tuple[str, ...]:
    """The layers the settings of the case's applies build (blame.built_layers): MultiLayerNetExtend's
    activation, BatchNormalization, Dropout as the case asks for them."""
    applies = (s for s in case.steps if s.get("do") == "apply" and "op" in s)
    return tuple(
        dict.fromkeys(layer for s in applies for layer in built_layers(str(s["op"]), s.get("settings") or {}))
    )


@per_case
def _ops(case: Case) -> tuple[str, ...]:
    """The ops the case's steps apply, and those its create_graph backward passes apply (higher_order.py)."""
    applied = tuple(dict.fromkeys(str(s["op"]) for s in case.steps if s.get("do") == "apply" and "op" in s))
    if any(s.get("do") == "backward" and s.get("create_graph") for s in case.steps):
        return backward_applies(applied)
    return applied


def _receiver(case: Case, step: Mapping[str, Any]) -> str:
    """The graded layer whose backward made a gradient record: the one whose forward the case hands that
    input (`Convolution(x, W1, b1)`: Convolution for db1), else a unit case's own target; for a network
    built whole of the book's layers (TwoLayerNet, SimpleConvNet), the layer the book hands that parameter;
    "" where the case names no layer (chapter 4's TwoLayerNet, its gradient written from the formulas, has
    no Affine to name). Run only for a failing record."""
    of = str(step.get("grad_of") or "")
    op = _receivers(case).get(of, "") if of else ""
    cls, _, name = op.partition(".")
    if name != "forward":
        cls = case.target if case.kind == "unit" and case.target else ""
    if cls in COMPOSED_OF:
        # a parameter of the book's network not listed is an Affine's, where the network has Affine layers
        default = "Affine" if "Affine" in COMPOSED_OF[cls] else ""
        held = NETWORK_LAYERS.get(cls, {})
        return held.get(of) or held.get(of.rstrip("0123456789"), default)
    return cls


# A network built whole -> its parameters held by a layer other than the family's bias-summing one (by name,
# or by name without its layer's number): the book's SimpleConvNet hands W1 and b1 to its Convolution (its
# W2, b2, W3, b3 are Affine's, the default); MultiLayerNetExtend its gamma1, beta1 ... to BatchNormalization.
NETWORK_LAYERS: dict[str, dict[str, str]] = {
    "SimpleConvNet": {"W1": "Convolution", "b1": "Convolution"},
    "MultiLayerNetExtend": {"gamma": "BatchNormalization", "beta": "BatchNormalization"},
}


@per_case
def _receivers(case: Case) -> dict[str, str]:
    """Input name -> the method that first receives it: what to name when that input comes back changed."""
    made_by: dict[str, str] = {}
    out: dict[str, str] = {}
    updated = _updaters(case)
    for step in case.steps:
        do = step.get("do")
        if do == "apply":
            # A method checked on its own ("TwoLayerNet.predict") receives its args; for a class, its forward;
            # an optimizer (DLFS chapter 6) its update, which has no forward.
            op = str(step["op"])
            method = f"{op}.update" if op in updated else op if "." in op else f"{op}.forward"
            for arg in step.get("args", ()):
                out.setdefault(str(arg), method)
            made_by[str(step.get("out"))] = str(step["op"])
        elif do in ("backward", "backward_local") and step.get("upstream"):
            op = made_by.get(str(step.get("of")), case.target or "")
            out.setdefault(str(step["upstream"]), f"{op}.backward" if op else "backward")
    return out


def _updaters(case: Case) -> set[str]:
    """The optimizer classes a case applies (DLFS chapter 6): those its records name by `<op>.update`."""
    methods = {str(s.get("method")) for s in case.steps if s.get("do") == "record"}
    return {str(s["op"]) for s in case.steps if s.get("do") == "apply" and f"{s['op']}.update" in methods}


def _as_received(case: Case) -> dict[str, str]:
    """Input name -> what an optimizer's update(params, grads) received it as: `params['W1']` for the first
    len(keys) args of its apply step, then `grads['W1'] of call 1` ... in the order of `grad_keys`: "input
    array(s) dW1_1, db1_1 changed" named arrays the student never saw by those names."""
    updated = _updaters(case)
    out: dict[str, str] = {}
    for step in case.steps:
        settings = step.get("settings") or {}
        keys = [str(k) for k in settings.get("keys") or ()]
        if step.get("do") != "apply" or step.get("op") not in updated or not keys:
            continue
        order = [str(k) for k in settings.get("grad_keys") or keys]
        for i, arg in enumerate(str(a) for a in step.get("args", ())):
            call, j = divmod(i - len(keys), len(keys))
            said = f"params[{keys[i]!r}]" if i < len(keys) else f"grads[{order[j]!r}] of call {call + 1}"
            out.setdefault(arg, said)
    return out


@dataclasses.dataclass(frozen=True)
class _Record:
    """What the judge says of one expected record of a case before reading any submission's."""

    key: str
    expected: Any
    step: Mapping[str, Any]
    label: str
    method: str
    tolerance: Tolerance
    who: str  # the subject of its comparison's messages


@per_case
def _records(case: Case, family: str) -> tuple[_Record, ...]:
    """The case's expected records in the order it records them, so "the first failing check" means the
    same in every case; worked out once a run."""
    steps = case.record_steps()
    out = []
    # a dataloader step's records in the order it reads them (the Dataset's items before the batches built
    # of them), then any other
    read = [
        k
        for k in (*loader_order.read_order(case), *saved_weights.read_order(case))
        if k in case.expected and k not in steps
    ]
    rest = [k for k in case.expected if k not in steps and k not in read]
    for key in [*(k for k in steps if k in case.expected), *read, *rest]:
        step = steps.get(key, {})
        label = str(step.get("label") or _label(key))
        # a dataloader or save_load step's record: it has no record step
        loader = loader_order.label_of(case, key) or saved_weights.label_of(case, key)
        if loader is not None:
            label = loader[0]
            step = {"method": loader[1]}
        # Only a case with a target class isolates one method; elsewhere a gradient is the work of the whole
        # backward pass, and naming one method (the fixture's guess) would point at the wrong class.
        method = (
            str(step.get("method") or _method(case, key, step, family))
            if case.target
            else _method(case, key, step, family)
        )
        tolerance = case.tolerance_of(key)
        out.append(
            _Record(key, case.expected[key], step, label, method, tolerance, subject(label, method, key))
        )
    return tuple(out)


def _checks(
    case: Case,
    records: Mapping[str, Any],
    only_present: bool,
    support: Mapping[str, int],
    family: str,
    cleared: frozenset[str] = frozenset(),
) -> list[Check]:
    size: list[int | None] = []  # the case's batch size, read at its first failing record (most pass)
    checks = []
    for record in _records(case, family):
        key, step, label, method = record.key, record.step, record.label, record.method
        if only_present and key not in records:
            continue
        got = records.get(key, MISSING)
        expected = expected_in_own_shape(case.inputs, step, got, record.expected)
        result = compare_as(got, expected, record.tolerance, record.who)
        if not result.passed and drawn_mask.accepts(case, key, records):
            result = dataclasses.replace(
                result, passed=True, message=f"{method}: {label}: {drawn_mask.note(case)}"
            )
        if not result.passed and loader_order.accepts(case, key, records):
            result = dataclasses.replace(
                result, passed=True, message=f"{method}: {label}: {loader_order.NOTE}"
            )
        if result.passed and loader_order.in_data_order(case, key, records):
            result = dataclasses.replace(result, passed=False, outcome="values")
        explained = (
            None
            if result.passed
            else loader_order.explain(case, key, records) or saved_weights.explain(case, key, records)
        )
        finding = None
        if explained is not None:
            method = loader_order.explained_method(explained) or method
            result = dataclasses.replace(result, message=explained)
            finding = Finding("unknown", explained)
        elif not result.passed and step.get("property") in TEXT_PROPERTIES:
            message, finding = text_check(step, got, expected, f"{method}: {label}")
            result = dataclasses.replace(result, message=message)
        elif not result.passed:
            if not size:
                size.append(batch_size(case.inputs, case.steps))
            mistaken = _mistaken(case, key)
            known = {code: value for code, value in mistaken if not _cleared_forward(code, cleared)}
            known = ranked(known, support)
            evidence = Evidence(
                key,
                got,
                expected,
                record.tolerance,
                label,
                method,
                size[0],
                known,
                is_forward(step),
                _siblings(case, key),
                _of_value(case, step),
                family,
                _receiver(case, step),
                contradicted(support, known),
                none_against({code: case.known_mistakes[code] for code in known}, records),
            )
            # A probe reads a fact of Variable/Function (a generation, a bool): no gradient pattern applies.
            finding = _fact(evidence) if "probe" in step else diagnose(evidence)
            sibling = _sibling_at_fault(method, finding)
            if sibling is not None:
                finding = diagnose(dataclasses.replace(evidence, method=sibling))
                result = dataclasses.replace(result, message=_renamed(result.message, method, sibling))
                method = sibling
            plain = probe_false(step.get("probe"), method) if got is False else None
            if plain is not None:
                result = dataclasses.replace(result, message=plain[0])
                finding = Finding("unknown", plain[1])
        if result.passed:
            checks.append(_passing(record, result.outcome, result.message))
        else:
            checks.append(Check(key, label, method, False, result.outcome, result.message, finding))
    return checks


# The methods a record names as the fixture's guess of what breaks it, not as the method that computed it:
# the record is read after another method of the class ran (MLP's cleargrads records read after
# model.cleargrads(), named Layer.params because params() must recurse into the layers).
_NAMED_AS_GUESS = frozenset({"params"})


def _sibling_at_fault(method: str, finding: Finding | None) -> str | None:
    """The other method of the record's class that a known mistake reproducing the record names (a no-op
    Layer.cleargrads, where the record said Layer.params: book_step46_layer_cleargrad_no_call/), when the
    record's method is only the fixture's guess; None otherwise."""
    blamed = finding.blames if finding is not None else None
    cls, _, name = method.partition(".")
    if blamed is None or name not in _NAMED_AS_GUESS or blamed == method:
        return None
    return blamed if blamed.partition(".")[0] == cls else None


def _renamed(message: str, method: str, sibling: str) -> str:
    return f"{sibling}{message[len(method) :]}" if message.startswith(f"{method}:") else message


_PASSING = "_passing_checks"


def _passing(record: _Record, outcome: str, message: str) -> Check:
    """The check of a record that passed: a function of the record (one a run, `_records`) and its verdict's
    wording alone, so one frozen object for every submission of the run, kept on the record as `per_case`
    keeps its answers on the case. ~80 of a MiniFlow submission's ~90 records pass, and each was a new
    seven-field frozen dataclass. A record passes with a few wordings at most (right, None or a bool as
    expected, a drawn mask's note): a wording past `_MAX_PASSING` is built and not kept."""
    kept = record.__dict__.setdefault(_PASSING, {})  # two threads: one dict, equal checks
    check = kept.get((outcome, message))
    if check is None:
        check = Check(record.key, record.label, record.method, True, outcome, message)
        if len(kept) < _MAX_PASSING:
            kept[(outcome, message)] = check
    return check


_MAX_PASSING = 8


def _passing_classes(cases: Sequence[Case], results: Sequence[CaseResult]) -> frozenset[str]:
    """The classes whose unit cases all passed (one at least)."""
    passed: dict[str, bool] = {}
    for case, result in zip(cases, results, strict=True):
        if case.kind == "unit" and case.target:
            passed[case.target] = passed.get(case.target, True) and result.status == "passed"
    return frozenset(name for name, ok in passed.items() if ok)


def _cleared_forward(mistake: str, cleared: frozenset[str]) -> bool:
    """A known mistake in the forward of a class whose unit cases all pass: not what broke a graph case. An
    Affine keeping `self.b = b.copy()` computes its forward right, but TwoLayerNet's params set in place
    never reach it: its predict matched affine_forward_no_bias (the copy stays zeros), false."""
    if not cleared:
        return False
    # extension keys ("<assignment>:<name>") are read afresh, as mutation_info reads them
    cls = _forward_class(mistake) if ":" in mistake else _cached_forward_class(mistake)
    return cls is not None and cls in cleared


def _forward_class(mistake: str) -> str | None:
    """The class whose forward a known mistake is in (its code wrong_forward, its hint opening "X.forward"),
    else None."""
    code, hint = mutation_info(mistake)
    opening = OPENING_METHOD.match(hint or "")
    if code != "wrong_forward" or opening is None or _in_layer_only(mistake):
        return None
    cls, _, method = opening.group(1).partition(".")
    return cls if method == "forward" else None


def _in_layer_only(mistake: str) -> bool:
    """A mistake whose every changed op is keyed "layer:" (reference/evaluate.py LAYER_PREFIX): it is in the
    Layer that wraps a function (DeZero's L.Linear calling F.linear(x, self.W)), which unit cases of the
    function's class (linear(x, W, b), Linear) never run, so their passing clears nothing (sample
    dezero/book_step44_linear_no_bias/)."""
    parts = mutation_parts(mistake)
    return bool(parts) and all(p.partition(":")[2].startswith("layer:") for p in parts or ())


_cached_forward_class = functools.cache(_forward_class)  # read for every failing record of every case


@per_case
def _mistaken(case: Case, key: str) -> tuple[tuple[str, Any], ...]:
    """(known mistake, the value it records) of each known mistake of the case that records `key`."""
    return tuple((code, recs[key]) for code, recs in case.known_mistakes.items() if key in recs)


@per_case
def _siblings(case: Case, key: str) -> dict[str, Any]:
    """The case's other gradients by what a student reads ("gradient of b2 (db2)"): their expected values."""
    steps = case.record_steps()
    return {
        f"{steps.get(k, {}).get('label') or _label(k)} ({k})": value
        for k, value in case.expected.items()
        if k != key and not is_forward(steps.get(k, {}))
    }


def _of_value(case: Case, step: Mapping[str, Any]) -> tuple[str, Any] | None:
    """(name, value) of the input a gradient record is of, when the case feeds it."""
    name = step.get("grad_of")
    if not isinstance(name, str) or name not in case.inputs:
        return None
    return name, case.inputs[name]


def _said(value: Any) -> str:
    """A fact as a student reads it: True, None, 2 (a one-element array), or its shape."""
    if value is MISSING:
        return "missing"
    if value is None or isinstance(value, bool):
        return str(value)
    array = np.asarray(value, dtype=np.float64)
    if array.size == 1:
        return fmt(float(array.reshape(-1)[0]))
    return f"an array of shape {fmt_shape(array.shape)}"


def _fact(ev: Evidence) -> Finding:
    said = f"{ev.subject} is {_said(ev.got)}, expected {_said(ev.expected)}"
    known = ev.best_known
    if known is not None and known[1]:  # a fact a known mistake gives (step 59's RNN with a bias in h2h)
        opening = OPENING_METHOD.match(known[1])
        method = opening.group(1) if opening else None
        if method is not None and method != ev.method:  # the method the mistake is in, not the record's
            said = f"{subject(ev.label, method, ev.key)} is {_said(ev.got)}, expected {_said(ev.expected)}"
        return Finding(known[0], f"{said}: {known[1]}", method, ev.best_known_key)
    return Finding("unknown", f"{said}: check {ev.method}")


def _mutation_check(case: Case, mutated: tuple[str, ...]) -> Check:
    as_received = _as_received(case)
    receivers = {as_received.get(n, n): method for n, method in _receivers(case).items()}
    mutated = tuple(as_received.get(n, n) for n in mutated)
    finding = input_mutated(mutated, receivers)
    methods = ", ".join(dict.fromkeys(receivers.get(n, "your code") for n in mutated))
    more = f" and {len(mutated) - 6} more" if len(mutated) > 6 else ""
    message = f"{methods}: input array(s) {', '.join(mutated[:6])}{more} changed in place"
    return Check(INPUTS_UNCHANGED, "input arrays left unchanged", methods, False, "mutated", message, finding)


def _upstream_warning(case: Case, written: Sequence[str]) -> str:
    receivers = _receivers(case)
    return upstream_note([receivers.get(n, "backward") for n in written], written)


def _handed_note(case: Case, handed: Sequence[str]) -> str:
    """A case whose network the grader built with a required constructor parameter filled in (the book's
    weight_init_std 0.01 for a name that says scale, 0 for one that says weight decay: layers adapter
    `_init_scale`, grader/inside/scale_names.py): wrong values may come from that guess, when the parameter
    is something else, so the note is shown beside them as it is beside an error (sample
    layers/ch04_reg_scale_required_dz1_da1.py; both values: tests/judge/test_score.py)."""
    cls = case.target or "the network"
    name = handed[0]
    if handed_value(name) == NO_DECAY:
        return (
            f"{cls}'s constructor requires {name} with no default: the grader handed it {name}=0.0, taking "
            "it for a weight decay's strength (the book's network has none); if it is something else, these "
            f"values may come from that 0: give {name} a default"
        )
    return (
        f"{cls}'s constructor requires {name} with no default: the grader handed it {name}=0.01, the book's "
        "weight_init_std, taking it for the weights' scale; if it is something else, these values may come "
        f"from that 0.01: give {name} a default"
    )


def _failed_message(checks: Sequence[Check]) -> str:
    bad = [c for c in checks if not c.passed]
    lines = [f"{len(bad)} of {len(checks)} check{'' if len(checks) == 1 else 's'} failed"]
    for c in bad:
        lines.append(c.message)
        if c.diagnosis:
            lines.append(f"Hint: {c.diagnosis.hint}")
    return "\n".join(lines)


def judge_case(
    case: Case,
    output: CaseOutput | None,
    process_failure: Failure | None,
    support: Mapping[str, int] | None = None,
    family: str = "",
    cleared: frozenset[str] = frozenset(),
) -> CaseResult:
    """Judge one case. `output` None means the sandbox produced nothing for it (see `process_failure`).
    `support` ranks the known mistakes that fit a wrong record (grader/judge/support.py); `family` picks
    family-specific advice (diagnose.Evidence.family); `cleared` the classes whose unit cases all pass, whose
    known forward mistakes are not named (`_cleared_forward`). An output equal to one an earlier submission
    of the batch handed in for this case is given that verdict (grader/judge/judged_once.py)."""
    return judged_once(
        case,
        output,
        process_failure,
        family,
        cleared,
        {} if support is None else support,
        lambda read: _judged(case, output, process_failure, read, family, cleared),
    )


def _judged(
    case: Case,
    output: CaseOutput | None,
    process_failure: Failure | None,
    support: Mapping[str, int],
    family: str,
    cleared: frozenset[str],
) -> CaseResult:
    common: dict[str, Any] = {
        "case_id": case.id,
        "name": case.name,
        "kind": case.kind,
        "target": case.target,
        "max_points": points(case.points),
        "visibility": case.visibility,
        "ops": _ops(case),
        "built": _built(case),
        "generated": case.generated,
    }
    if output is None or output.status == "error":
        failure = (output.failure if output else None) or process_failure or _NO_RESULT
        partial = _checks(case, output.records, True, support, family, cleared) if output else []
        return CaseResult(
            status="not_run" if failure.code == "not_run" else "error",
            points=0.0,
            message=failure.message or failure.code,
            checks=tuple(partial),
            diagnosis=_error_finding(failure, family),
            failure_code=failure.code,
            staff_detail=failure.detail,
            raised=failure.raised,
            **common,
        )
    records = output.records
    checks = without_vacuous_nones(case, records, _checks(case, records, False, support, family, cleared))
    written, changed = split_mutated(case, output.mutated)
    if changed:
        checks.append(_mutation_check(case, changed))
    note = f"\n{_upstream_warning(case, written)}" if written else ""
    n_passed = sum(c.passed for c in checks)
    if n_passed == len(checks):
        return CaseResult(
            status="passed",
            points=points(case.points),
            message=("the 1 check passed" if len(checks) == 1 else f"all {len(checks)} checks passed") + note,
            checks=tuple(checks),
            **common,
        )
    # Exact: 3 points * 2/3 is 2, not 1.9999999999999998; the report rounds once, when it sums (report.py).
    earned = 0.0 if case.all_or_nothing else float(Fraction(case.points) * n_passed / len(checks))
    first: Finding | None = next((c.diagnosis for c in checks if not c.passed and c.diagnosis), None)
    if output.handed:
        # beside the hint, which `grader check` shows: the case's message is not (grader/reports/terminal.py)
        handed = _handed_note(case, output.handed)
        note += f"\n{handed}"
        if first is not None:
            # a hint ending its own sentence is not given a second full stop ("(4.5.1's gradient).. ")
            first = dataclasses.replace(first, hint=f"{first.hint.rstrip('.')}. {handed}")
    return CaseResult(
        status="failed",
        points=earned,
        message=_failed_message(checks) + note,
        checks=tuple(checks),
        diagnosis=first,
        **common,
    )


def _failures_by_case(cases: Sequence[Case], run: RunResult) -> dict[str, Failure | None]:
    """The failure to attach to each case without an output.

    A load failure fails every case with its own code. A student process that died mid-phase fails the first
    case of its phase without a result (the one it was running); the ones after it were never run.
    """
    if run.load is None and run.process_failure is not None:
        return {c.id: run.process_failure for c in cases}
    out: dict[str, Failure | None] = {}
    stopped_at: dict[str, str] = {}
    for case in cases:
        output = run.outputs.get(case.id)
        if output is not None and not (output.failure is not None and output.failure.code == "not_run"):
            continue  # it ran: its own output says how
        phase = case.visibility
        failure = run.phase_failures.get(phase) or run.process_failure
        if failure is None:
            out[case.id] = _NO_RESULT
        elif phase not in stopped_at:
            stopped_at[phase] = case.id
            out[case.id] = failure
        else:
            out[case.id] = Failure(
                "not_run", f"not run: the run stopped earlier, at case {stopped_at[phase]} ({failure.code})"
            )
    return out


def _shown_with(phase: str) -> frozenset[str]:
    """The phases whose cases every student view that shows `phase`'s cases shows too (STUDENT_BLAME): a
    case of `phase` reads its hint's support and its cleared classes from those alone, so nothing the view
    withholds picks what it names. visible: visible; after_due_date: visible, after_due_date;
    after_published: visible, after_published (the published_before_due_date view withholds
    after_due_date); hidden, in no student view: all."""
    views = [set(shown) for shown in STUDENT_BLAME.values() if phase in shown]
    return frozenset(set.intersection(*views)) if views else frozenset(PHASES)


_SHOWN_WITH = {phase: _shown_with(phase) for phase in PHASES}


def _support_by_phase(cases: Sequence[Case], outputs: Mapping[str, CaseOutput]) -> dict[str, LazySupport]:
    """Phase -> the support of the known mistakes over the cases of the phases shown with it (`_shown_with`).
    A visible case's hint is chosen among the mistakes that fit its record by that support:
    counted over every case, a hidden-phase process could make its records back one mistake or another from
    a hidden input (the same records wrong, the same points) and choose the hint the student reads."""
    shares: dict[str, dict[str, int]] = {}  # each case's share, counted once for every phase that has it
    return {
        phase: LazySupport(
            (
                (c, outputs[c.id].records)
                for c in cases
                if c.id in outputs and c.visibility in _SHOWN_WITH[phase]
            ),
            shares,
        )
        for phase in PHASES
    }


def _blame(
    explained: Sequence[CaseResult], family: str, dropped: Sequence[Any] = (), *, backward: bool = True
) -> tuple[Blame, ...]:
    """Blame over the cases `explained` (all of them, or those a student view shows). Blame explains failing
    graph cases by failing unit cases; when nothing of them ran at all (a load failure, an empty file) every
    case failed for that one reason, and naming a class (Square!) would mislead. Decided over `explained`
    alone: over every case, a hidden case that failed rather than stopped (the same "failed" and 0 points in
    the student view) made the blame of a view whose cases all stopped appear, a bit of a hidden input. A
    stage feature not written yet is not a wrong gradient: no "how gradients are combined" advice. `backward`:
    whether any case of the run has a backward step; a forward-only stage's blame speaks of values only."""
    if _nothing_ran(explained):
        return ()
    entries = blame(tuple(r for r in explained if not is_later_stage(r)), family, backward=backward)
    return source_notes.blame_dropped(entries, explained, dropped)


_GRADIENT_STEPS = frozenset({"backward", "backward_local", "grad", "sgd", "optimize"})


def _runs_backward(case: Case) -> bool:
    """Whether a case's steps run a backward pass (a full one, a unit case's, DeZero's grad of a grad, an
    update) or read a gradient (TwoLayerNet.gradient's, computed by the class itself)."""
    return any(step.get("do") in _GRADIENT_STEPS or "grad_of" in step for step in case.steps)


def _nothing_ran(results: Sequence[CaseResult]) -> bool:
    """Every case errored or did not run, and not because the shared infrastructure's own code raised (a
    Function.__call__ that raises fails every case too, and blame names Function for it)."""
    return all(r.status in ("error", "not_run") for r in results) and not any(
        r.target in INFRASTRUCTURE and r.failure_code == "exception" for r in results
    )


def _grader_failed(run: RunResult) -> bool:
    failures = [run.process_failure, *run.phase_failures.values(), *(o.failure for o in run.outputs.values())]
    return any(f is not None and f.code == GRADER_ERROR for f in failures)


def _field(obj: Any, name: str, default: Any = "") -> Any:
    return obj.get(name, default) if isinstance(obj, Mapping) else getattr(obj, name, default)


def grade(cases: Sequence[Case], run: RunResult, meta: Mapping[str, Any]) -> Report:
    """Judge every case of one run and build the report.

    `meta`: `grader_version`, `assignment` (object or mapping with id, title, family), `submission_id`,
    `submission_path`, `sha256`, `files`, `seed`, `wall_seconds`, and optionally `seed_private`, `status`
    ("error" when the grader itself failed), `warnings`, `flags` (the static scan's, for staff) and
    `signatures` (grader/signatures.py: methods whose parameters cannot take the book's call),
    `dropped_args` (grader/helper_args.py: helper functions that never read a parameter) and
    `top_level_loops` (grader/toplevel.py: where the files loop at import, after a timeout), `recreated`
    (grader/recreated_gradients.py: MiniFlow gradients dicts re-created per outbound node), `named_keys`
    (grader/named_keys.py: where MiniFlow gradients are keyed by a node's name), `load_warnings`
    (the parent's own, said after the load's: grader/served_standins.py `stub_warning`).
    """
    failures = _failures_by_case(cases, run)
    # After a load failure the sandbox marks every case not_run; the student must see why (syntax_error...).
    outputs = {} if run.load is None and run.process_failure is not None else run.outputs
    # A case the sandbox marked not_run is judged with its phase's reason (the first one carries the cause).
    outputs = {
        k: v for k, v in outputs.items() if not (v.failure is not None and v.failure.code == "not_run")
    }
    support = _support_by_phase(cases, outputs)
    family = str(_field(meta.get("assignment"), "family"))

    def judged(c: Case, cleared: frozenset[str] = frozenset()) -> CaseResult:
        return judge_case(c, outputs.get(c.id), failures.get(c.id), support[c.visibility], family, cleared)

    # The unit cases first: which classes pass all of theirs (`cleared`) is read from them, and a unit case
    # applies its own class alone, so no other class's forward mistake could explain it. The rest once,
    # with `cleared` (each failing case was judged twice, a third more of the judge's time). Per phase, as
    # `support`: a case's hint reads the unit cases of the phases shown with its own (`_shown_with`), so
    # `grader check` (visible cases only) and `grader grade` word a visible case alike, and no case a view
    # withholds (hidden; after_due_date before the due date) picks what a shown hint names.
    units = {c.id: judged(c) for c in cases if c.kind == "unit"}
    unit_cases = [c for c in cases if c.id in units]
    cleared = {
        phase: _passing_classes(
            shown := [c for c in unit_cases if c.visibility in _SHOWN_WITH[phase]],
            [units[c.id] for c in shown],
        )
        for phase in PHASES
    }
    results = tuple(units[c.id] if c.id in units else judged(c, cleared[c.visibility]) for c in cases)
    stage = meta.get("stage")
    results = apply_stage(results, cases, run, stage)
    results, unmet = source_notes.explain(results, meta.get("signatures", ()))
    dropped = meta.get("dropped_args", ())
    results, unmet_dropped = source_notes.lead_dropped(results, cases, dropped)
    results = source_notes.place_loops(results, meta.get("top_level_loops", ()))
    results = recreated.told(results, meta.get("recreated", ()))
    results = main_block.told(results, meta.get("main_only", ()))
    results = absent_layer.told(results, str(_field(meta.get("assignment"), "family")), meta.get("classes"))
    results = argmax_axis.told(results, meta.get("argmax_axis0", ()))
    if meta.get("status"):
        status = meta["status"]
    elif _grader_failed(run):
        status = "error"  # flagged for staff from the code only the grader sets (grader/fault.py)
    else:
        status = "load_failed" if run.load is None and run.process_failure is not None else "graded"
    warnings = [*meta.get("warnings", ()), *unmet, *unmet_dropped]
    keyed = recreated.keyed_by_name(results, meta.get("named_keys", ()))
    if keyed is not None:
        warnings.append(keyed)
    if run.load is not None:
        warnings.extend(run.load.warnings)  # how the submission loaded: student-facing (docs/LOADING.md)
        warnings.extend(meta.get("load_warnings", ()))  # the parent's, on that load (stand-in stubs)
    if meta.get("size_note"):  # the parent's: a file whose size explains a load out of time
        warnings.append(meta["size_note"])
    for case in cases:  # each upstream gradient written in place, once per method, never a hidden case's name
        output = outputs.get(case.id)
        written = split_mutated(case, output.mutated)[0] if output is not None else ()
        if written and case.visibility == "visible":
            warning = _upstream_warning(case, written)
            if warning not in warnings:
                warnings.append(warning)
    if run.isolation in ISOLATION_WARNINGS:
        warnings.append(ISOLATION_WARNINGS[run.isolation])
    # A loader's refusal has no detail, only its message: staff read "unsafe_path: " and nothing else.
    details = (
        {
            "process_failure": f"{run.process_failure.code}: "
            f"{run.process_failure.detail or run.process_failure.message}"
        }
        if run.process_failure
        else {}
    )
    if run.isolation_notes:
        details["isolation_notes"] = "\n".join(run.isolation_notes)  # what the workers share: staff's
    if run.load is not None and run.load.notes:
        details["load_notes"] = "\n".join(run.load.notes)  # how the modules were found, for staff
    for phase, failure in run.phase_failures.items():
        details[f"{phase}_phase_failure"] = f"{failure.code}: {failure.message} {failure.detail}".strip()
    for phase, (out, err) in run.staff_output.items():
        if out or err:
            details[f"{phase}_phase_output"] = f"stdout:\n{out}\nstderr:\n{err}"
    load = (
        LoadSummary(
            run.load.modules, run.load.found, tuple(run.load.missing), run.load.near, run.load.standins
        )
        if run.load
        else None
    )
    a = meta.get("assignment")
    family = str(_field(a, "family"))
    backward = any(_runs_backward(c) for c in cases)
    blames = _blame(results, family, dropped, backward=backward)
    student_blame = {
        view: _blame([r for r in results if r.visibility in shown], family, dropped, backward=backward)
        for view, shown in STUDENT_BLAME.items()
        if view not in PUBLISHED_VIEWS or any(r.visibility == "after_published" for r in results)
    }
    # Worded with the class names the student wrote (Placeholder for Input): after blame, which reads the
    # canonical names, and only in text (grader/judge/spelling.py)
    defined = meta.get("defined")
    respelt = {str(k): str(v) for k, v in (meta.get("respelt") or {}).items()}
    spelt = spelling.spellings(family, run.load.found, defined) | respelt if run.load else {}
    respell = spelling.respeller(spelt)
    # a class's own cases and blame entries, where a namesake of another kind keeps the rest as written
    namesakes = spelling.beside_namesake(family, run.load.found, defined) if run.load else {}
    own = {cls: spelling.respeller(spelt | words) for cls, words in namesakes.items()}

    def of(cls: str | None) -> spelling.Respell | None:
        return own.get(cls or "") or respell

    results = tuple(spelling.case(r, w) if (w := of(r.target)) else r for r in results)
    blames = tuple(spelling.blame(b, w) if (w := of(b.class_name)) else b for b in blames)
    student_blame = {
        v: tuple(spelling.blame(b, w) if (w := of(b.class_name)) else b for b in bs)
        for v, bs in student_blame.items()
    }
    if respell is not None:
        warnings = [respell(w) for w in warnings]
    # after the respelling, which would respell the note's own names too (decided in session 30: titles
    # stay; docs/CASES.md "Titles and the student's names")
    failing = (r.name for r in results if r.status != "passed" and r.visibility == "visible")
    titled = spelling.title_note(spelt, failing)
    if titled is not None:
        warnings.append(titled)
    report = Report(
        grader_version=str(meta.get("grader_version", "")),
        assignment=AssignmentInfo(str(_field(a, "id")), str(_field(a, "title")), family),
        submission=SubmissionInfo(
            str(meta.get("submission_id", "")),
            str(meta.get("submission_path", "")),
            meta.get("sha256"),
            tuple(sorted(meta.get("files", ()))),
        ),
        seed=meta.get("seed"),
        seed_private=bool(meta.get("seed_private", False)),
        isolation=run.isolation,
        status=status,
        cases=results,
        blame=blames,
        load=load,
        warnings=tuple(warnings),
        staff=StaffInfo(
            tracebacks={r.case_id: r.staff_detail for r in results if r.staff_detail},
            stdout=run.stdout,
            stderr=run.stderr,
            details=details,
            flags=tuple(meta.get("flags", ())),
            student_blame=student_blame,
        ),
        timing=Timing(float(meta.get("wall_seconds") or 0.0), run.elapsed_seconds),
        stage=StageInfo.from_meta(stage) if stage else None,
    )
    return fit(report)  # the cap on the whole report.json (MAX_REPORT_BYTES); nearly always `report` itself
