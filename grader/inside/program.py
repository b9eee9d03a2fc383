"""The step interpreter (docs/ARCHITECTURE.md section 2), in the harness, generic over families.

Inputs reach the student's process as fresh copies; the originals stay here, and after the case the copies
are read back to decide which inputs the student's code mutated. Records are read as plain float64 the
moment they are taken (later steps may change the student's arrays in place). One case's failure ends that
case only; the student's process ending (`StudentProcessEnded`) ends the phase and is left to the caller.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from . import codec
from .adapters.base import AdapterFactory, FamilyAdapter, Reading, StepUnsupported
from .failures import MalformedReply, StudentFailure, clean_text, grader_error, raised_of
from .loader_keys import loader_keys, weights_keys
from .names import StudentNames
from .remote import MAX_ELEMENTS, Pending, Ref, Session, StudentProcessEnded, decode_array

# Captured at import, like codec's: in the one-process test runner (runner.py) student code shares numpy.
_array_equal = np.array_equal
_asarray = np.asarray


class StepError(Exception):
    """The case itself is malformed (unknown step, missing name): the grader's problem, not the student's."""


@dataclass(frozen=True)
class _Later:
    """A record whose value arrives with a later batch (taken at its place in the sequence of operations)."""

    pending: Pending
    what: str
    reading: Reading | None = None


class Run:
    """One case in progress: the adapter, the input copies, the records taken so far."""

    def __init__(self, session: Session, adapter: FamilyAdapter, copies: dict[str, Ref]) -> None:
        self.session = session
        self.adapter = adapter
        self.copies = copies
        self.records: dict[str, Any] = {}
        self.updated: set[str] = set()  # inputs an sgd step changes on purpose
        self.records_follow = False  # every step after this one reads a record, with no round trip of its own
        # every step after this one only queues its operations: a plain record, an sgd step, another backward
        # pass (session 29: a pass before an sgd step goes with the case's end too)
        self.queues_follow = False
        # The backward passes queued without their own sync (they go with the case's end), in order, each
        # with the records taken before it: settled before the case's records are read (`_settled`).
        self.later: list[tuple[_Settles, dict[str, Any]]] = []

    def upstream(self, step: Mapping[str, Any]) -> Ref | None:
        name = step.get("upstream")
        if name is None:
            return None
        if name not in self.copies:
            raise StepError(f"upstream {name!r} is not an input of the case")
        return self.copies[name]


Step = Callable[[Run, Mapping[str, Any]], str]  # a step's work: its record's key, or ""


class _Settles(Protocol):
    """A backward pass queued, settled once its batch is answered (MiniFlow's `PassLater`)."""

    marker: Pending  # answered once the batch got past the pass

    def settle(self, error: BaseException | None) -> BaseException | None: ...


def _method(step: Mapping[str, Any], default: str) -> str:
    return str(step.get("method") or default)


def _apply(run: Run, step: Mapping[str, Any]) -> str:
    op, args, out, no_grad, extra = _apply_args(step)
    run.adapter.apply(op, args, out, no_grad=no_grad, **extra)
    return ""


def _apply_args(step: Mapping[str, Any]) -> tuple[str, list[Any], str, bool, dict[str, Any]]:
    """What `adapter.apply` is given for an apply step: the op, its args, its out, no_grad, and the
    keywords of the step's options."""
    op, args = step.get("op"), step.get("args")
    if not isinstance(op, str) or not isinstance(args, list) or not isinstance(step.get("out"), str):
        raise StepError("apply needs 'op', a list 'args' and 'out'")
    settings = step.get("settings")
    # Only an assignment's own layers take settings (adapters/extension.py); other adapters never see them.
    extra: dict[str, Any] = {"settings": dict(settings)} if isinstance(settings, dict) and settings else {}
    # DeZero steps 20-24 (adapters/dezero.py): the Python operator and inputs passed as plain values;
    # MiniFlow's Linear quiz (adapters/miniflow.py): Input values as the course feeds them, a list or a float.
    if step.get("operator"):
        extra["operator"] = True
    if step.get("operator") or step.get("plain"):
        extra["plain"] = {str(k): str(v) for k, v in dict(step.get("plain") or {}).items()}
    if step.get("as_list"):  # DeZero step 11: Add()([x0, x1]), inputs and outputs as lists
        extra["as_list"] = True
    # DeZero steps 38 and 39: the Variable method in place of the function (x.reshape(3, 2), x.T).
    if step.get("as_method"):
        extra["as_method"] = str(step["as_method"])
    # DeZero step 44: the student's Layer of that class (L.Linear), its parameters the args after the first.
    if step.get("layer"):
        extra["layer"] = str(step["layer"])
    # DLFS Dropout: forward again on the layer that made that value, not on a fresh one (after another seed).
    if step.get("again"):
        extra["again"] = str(step["again"])
    return op, args, step["out"], bool(step.get("no_grad", False)), extra


def _apply_planned(op: str, args: list[Any], out: str, no_grad: bool) -> Step:
    """An apply step with no options, its fields read once a run (`_plan`)."""

    def apply(run: Run, step: Mapping[str, Any]) -> str:
        run.adapter.apply(op, args, out, no_grad=no_grad)
        return ""

    return apply


def _backward(run: Run, step: Mapping[str, Any]) -> str:
    of, upstream, retain_grad = str(step.get("of")), run.upstream(step), bool(step.get("retain_grad"))
    if step.get("create_graph"):  # DeZero steps 32 on: only that adapter knows create_graph
        run.adapter.backward_graph(of, upstream, retain_grad=retain_grad)
    elif (run.records_follow or run.queues_follow) and hasattr(run.adapter, "backward_later"):
        # only records (or an sgd step, another pass) follow: the pass's sync is the case's end's, and what
        # it raises is explained then; before an sgd step the batch stops at a fed value left unset
        later = run.adapter.backward_later(of, upstream, stop=not run.records_follow)
        run.later.append((later, dict(run.records)))
    else:
        run.adapter.backward(of, upstream, retain_grad=retain_grad)
    return ""


def _grad(run: Run, step: Mapping[str, Any]) -> str:
    if not isinstance(step.get("out"), str):
        raise StepError("grad needs 'of' and an 'out' name")
    run.adapter.take_grad(str(step.get("of")), step["out"])
    return ""


def _backward_local(run: Run, step: Mapping[str, Any]) -> str:
    of, upstream = str(step.get("of")), run.upstream(step)
    later = getattr(run.adapter, "backward_local_later", None)
    if run.records_follow and later is not None:  # as `_backward`: its sync is the case's end's
        settles = later(of, upstream)
        if settles is not None:
            run.later.append((settles, dict(run.records)))
    else:
        run.adapter.backward_local(of, upstream)
    return ""


def _record(run: Run, step: Mapping[str, Any]) -> str:
    return _recorder(step)(run, step)


def _recorder(step: Mapping[str, Any]) -> Step:
    """A record step's work, its names and words read from the step once (`_plan`); a malformed step's
    error is raised when the step runs, after the steps before it, as before."""
    key = step.get("key")
    if not isinstance(key, str):
        return _refuse("record needs a string 'key'")
    label = str(step.get("label") or key)
    if "has_creator" in step:
        of = str(step["has_creator"])

        def has_creator(run: Run, step: Mapping[str, Any]) -> str:
            run.records[key] = bool(run.adapter.has_creator(of))
            return key

        return has_creator
    if "probe" in step:  # the shared machinery itself (DeZero Variable / Function): a bool or a number
        probe, of = str(step["probe"]), str(step.get("of"))

        def probed(run: Run, step: Mapping[str, Any]) -> str:
            found = run.adapter.probe(probe, of)
            as_array = None if isinstance(found, bool) else codec.encode(_asarray(found, dtype=np.float64))
            run.records[key] = found if as_array is None else as_array
            return key

        return probed
    read: Callable[[FamilyAdapter], Any]
    if "value_of" in step and "property" in step:  # DeZero step 19: x.shape, len(x), repr(x), ...
        value_of, prop = str(step["value_of"]), str(step["property"])
        read = lambda adapter: adapter.property_of(value_of, prop)  # noqa: E731
        what = f"{_method(step, 'Variable')}: {label}"
    elif "value_of" in step:
        value_of = str(step["value_of"])
        read = lambda adapter: adapter.value_of(value_of)  # noqa: E731
        # "Affine.forward: forward value of out", not "Affine.forward value forward value of out"
        method = _method(step, "forward")
        what = f"{method}: {label}" if label.startswith("forward value") else f"{method} value {label}"
    elif "grad_of" in step and "via" in step:
        grad_of, via = str(step["grad_of"]), str(step["via"])
        read = lambda adapter: adapter.grad_via(grad_of, via)  # noqa: E731
        what = f"{_method(step, 'backward')}: {label}"
    elif "grad_of" in step:
        grad_of = str(step["grad_of"])
        read = lambda adapter: adapter.grad_of(grad_of)  # noqa: E731
        what = f"{_method(step, 'backward')}: {label}"
    else:
        return _refuse("record needs one of grad_of, value_of, has_creator, probe")

    def recorded(run: Run, step: Mapping[str, Any]) -> str:
        raw = read(run.adapter)
        if isinstance(raw, Reading):  # gated: an unset one is explained, of the case's objects, at its end
            asked = run.session.array_later(raw.ref, what, gate=raw.unset is not None)
            run.records[key] = _Later(asked, what, raw)
        elif isinstance(raw, Ref):
            run.records[key] = _Later(run.session.array_later(raw, what), what)  # read when the case ends
        else:
            run.records[key] = None if raw is None else codec.encode(_asarray(raw, dtype=np.float64))
        return key

    return recorded


def _refuse(message: str) -> Step:
    def refused(run: Run, step: Mapping[str, Any]) -> str:
        raise StepError(message)

    return refused


def _resolve(records: Mapping[str, Any]) -> tuple[dict[str, Any], StudentFailure | None]:
    """The records answered so far, decoded, in the order they were taken, up to the first one that came back
    unset (a TODO in the student's code): that one's failure is the case's, as if it had stopped there."""
    out: dict[str, Any] = {}
    for key, value in records.items():
        if isinstance(value, _Later):
            # asked first: reading what is not the record's kind of object can be what stopped the batch
            wrong = None if value.reading is None or value.reading.wrong is None else value.reading.wrong()
            if wrong is not None:
                return out, wrong
            if not value.pending.done:
                continue  # its batch stopped at an earlier failing operation: it was never taken
            raw = value.pending.value
            if raw is None and value.reading is not None and value.reading.unset is not None:
                return out, value.reading.unset()
            scalar = value.reading is not None and value.reading.scalar
            value = None if raw is None else _record_form(raw, value.what, scalar)
        out[key] = value
    return out, None


def _record_form(raw: Any, what: str, scalar: bool) -> dict[str, Any]:
    """A record as the frames carry it, from the student process's answer; `scalar`: one number is sent
    with the shape () (a Reading's `scalar`)."""
    form = codec.bytes_as_plain(raw, MAX_ELEMENTS)
    if form is None:  # another form, or one decoding refuses (said in the words of `decode_array`)
        array = decode_array(raw, what)
        return codec.encode(array.reshape(()) if scalar and array.size == 1 else array)
    if scalar and len(form["data"]) == 1:
        form["shape"] = []
    return form


def _cleargrad(run: Run, step: Mapping[str, Any]) -> str:
    run.adapter.cleargrad(str(step.get("of")))
    return ""


def _sgd(run: Run, step: Mapping[str, Any]) -> str:
    params = [str(p) for p in step.get("params", [])]
    run.adapter.sgd(params, float(step.get("lr", 1e-2)))
    run.updated.update(params)
    return ""


def _cleargrads(run: Run, step: Mapping[str, Any]) -> str:
    run.adapter.cleargrads(str(step.get("of")))
    return ""


def _optimize(run: Run, step: Mapping[str, Any]) -> str:
    """DeZero step 46: `optimizer.setup(layer)` then `optimizer.update()` `times` times."""
    settings = step.get("settings") or {}
    if not isinstance(settings, dict) or not isinstance(step.get("optimizer"), str):
        raise StepError("optimize needs an 'optimizer' name and a dict 'settings'")
    times = int(step.get("times", 1))
    updated = run.adapter.optimize(step["optimizer"], str(step.get("target")), dict(settings), times)
    run.updated.update(updated)
    return ""


def _reset_state(run: Run, step: Mapping[str, Any]) -> str:
    """DeZero step 59: `rnn.reset_state()`."""
    run.adapter.reset_state(str(step.get("of")))
    return ""


def _unchain_backward(run: Run, step: Mapping[str, Any]) -> str:
    """DeZero step 59: `loss.unchain_backward()`."""
    run.adapter.unchain_backward(str(step.get("of")))
    return ""


def _dataloader(run: Run, step: Mapping[str, Any]) -> str:
    """DeZero steps 49 and 50: a Dataset of the student's over the args (data, labels) and a DataLoader
    over it; each of what it read is a record `<out>_<part>` (adapters/dezero_data.py)."""
    args, out, settings = step.get("args"), step.get("out"), step.get("settings") or {}
    if (
        not isinstance(args, list)
        or len(args) != 2
        or not isinstance(out, str)
        or not isinstance(settings, dict)
    ):
        raise StepError("dataloader needs 'args' [data, labels], an 'out' name and a dict 'settings'")
    for name in args:
        if name not in run.copies:
            raise StepError(f"dataloader's {name!r} is not an input of the case")
    read = run.adapter.dataloader(str(args[0]), str(args[1]), dict(settings))
    for key in loader_keys(step):
        if key[len(out) + 1 :] in read:
            run.records[key] = codec.encode(_asarray(read[key[len(out) + 1 :]], dtype=np.float64))
    return ""


def _save_load(run: Run, step: Mapping[str, Any]) -> str:
    """DeZero step 53: the case's layer saved by its save_weights, a fresh one loading the file by its
    load_weights; each parameter it loaded is a record `<out>_<name>` (adapters/dezero_weights.py)."""
    args, out, layer = step.get("args"), step.get("out"), step.get("layer")
    if not isinstance(args, list) or len(args) < 2 or not isinstance(out, str) or not isinstance(layer, str):
        raise StepError("save_load needs 'args' [x, parameters...], an 'out' name and a 'layer'")
    read = run.adapter.save_load(layer, [str(a) for a in args])
    for key, name in zip(weights_keys(step), args[1:], strict=True):
        run.records[key] = codec.encode(_asarray(read[str(name)], dtype=np.float64))
    return ""


STEPS: dict[str, Step] = {
    "apply": _apply,
    "backward": _backward,
    "backward_local": _backward_local,
    "record": _record,
    "cleargrad": _cleargrad,
    "grad": _grad,
    "sgd": _sgd,
    "cleargrads": _cleargrads,
    "optimize": _optimize,
    "reset_state": _reset_state,
    "unchain_backward": _unchain_backward,
    "dataloader": _dataloader,
    "save_load": _save_load,
}


# Op names that say how a class is driven, not a method the student wrote: `TwoLayerNet.chapter4` is the
# student's TwoLayerNet graded as chapter 4's network; messages name the class (review of s24-dlfsreal, 4).
_DRIVEN_AS = frozenset({"chapter4"})


def _op_shown(op: str) -> str:
    cls, _, how = op.partition(".")
    return cls if how in _DRIVEN_AS else op


def _context(step: Mapping[str, Any]) -> str:
    """What the student's code was asked to do, in the words of the book."""
    do = step.get("do")
    if do == "apply":
        return f"{_op_shown(str(step.get('op')))} applied to {', '.join(map(str, step.get('args', [])))}"
    if do in ("backward", "backward_local"):
        graph = "(create_graph=True) " if step.get("create_graph") else ""
        return _method(step, f"backward {graph}from {step.get('of')}")
    if do == "grad":
        return f"{step.get('out')} = {step.get('of')}.grad"
    if do == "optimize":
        settings = step.get("settings")  # as the book writes it, SGD(lr=0.1): not SGD({'lr': 0.1})
        shown = ", ".join(f"{k}={v!r}" for k, v in settings.items()) if isinstance(settings, dict) else ""
        return f"{step.get('optimizer')}({shown}).setup({step.get('target')}), update()"
    if do == "record":
        return f"reading {step.get('label') or step.get('key')}"
    return f"{do} on {step.get('of') or step.get('params')}"


def _partial(run: Run | None) -> tuple[dict[str, Any], StudentFailure | None]:
    if run is None:
        return {}, None
    try:
        return _resolve(run.records)
    except StudentFailure:
        return {}, None


def _ask_inputs(run: Run, originals: Mapping[str, np.ndarray]) -> dict[str, Pending]:
    """Queue the read-back of every input the case does not update on purpose (sent with the last batch).
    `soft`: an input the student's code made unreadable is answered as such, never stops the batch (it is a
    changed input, not the case's failure)."""
    return {
        n: run.session.array_later(run.copies[n], f"input {n}", soft=True)
        for n in originals
        if n not in run.updated
    }


def _mutated(
    run: Run,
    originals: Mapping[str, np.ndarray],
    sent: Mapping[str, Any],
    asked: Mapping[str, Pending] | None = None,
) -> list[str]:
    """The inputs whose copies in the student's process no longer equal the originals kept here. A copy read
    back in the very form it was sent in (`sent`: its shape and bytes) is the original's bytes, unchanged,
    without being decoded (every input of every case is read back)."""
    if asked is None or not all(p.done for p in asked.values()):
        asked = _ask_inputs(run, originals)
    names = list(asked)
    try:
        raw = {n: asked[n].value for n in names}
        copies = {
            n: decode_array(raw[n], f"input {n}") for n in names if not _as_sent(raw[n], n, sent, originals)
        }
    except StudentFailure:
        return names  # an input the student's code replaced by something unreadable has changed too
    return [n for n in names if n in copies and not _same_values(originals[n], copies[n])]


def _as_sent(raw: Any, name: str, sent: Mapping[str, Any], originals: Mapping[str, np.ndarray]) -> bool:
    """Whether an input's copy came back in the very form it was sent in: the original's shape and bytes.
    (An input larger than decoding takes is decoded all the same, and refused, as before.)"""
    return raw == sent[name] and originals[name].size <= MAX_ELEMENTS


def _same_values(original: np.ndarray, copy: np.ndarray) -> bool:
    """`np.array_equal(..., equal_nan=True)`, with identical bytes (what an input left alone reads back as)
    answered without it: the check runs on every input of every case."""
    if original.shape == copy.shape and original.dtype == copy.dtype and original.tobytes() == copy.tobytes():
        return True
    return bool(_array_equal(original, copy, equal_nan=True))


@dataclass(frozen=True)
class _Planned:
    """A step of a view, read once a run: what runs it (None: an unknown step, refused when reached) and
    its words for the student (None: made when it runs, as an error in making them is raised there)."""

    step: Any
    run: Step | None
    context: str | None


def _planned_apply(step: Mapping[str, Any]) -> Step:
    try:
        op, args, out, no_grad, extra = _apply_args(step)
    except Exception:  # malformed (not only a StepError: a 'plain' that is no mapping is a ValueError)
        return _apply  # refused when it runs, after the steps before it, as it was before planning
    if extra:  # options (settings, plain values...): read as the step runs, a fresh dict each time
        return _apply
    return _apply_planned(op, args, out, no_grad)


_PLANNERS: dict[str, Callable[[Mapping[str, Any]], Step]] = {"apply": _planned_apply, "record": _recorder}


def _is_plain_record(step: Any) -> bool:
    """A record step that only queues its reading (MiniFlow's values and gradients): no round trip, no
    error of its own."""
    return (
        isinstance(step, dict)
        and step.get("do") == "record"
        and isinstance(step.get("key"), str)
        and ("value_of" in step or "grad_of" in step)
        and not any(k in step for k in ("has_creator", "probe", "property"))
    )


def _records_from(steps: Any, queues: Callable[[Any], bool] = _is_plain_record) -> int:
    """The first index from which every step is a plain record (`queues`: one that only queues its
    operations; the length of a list that ends otherwise; a step list that is no list: never)."""
    if not isinstance(steps, list):
        return 1 << 30
    tail = len(steps)
    while tail > 0 and queues(steps[tail - 1]):
        tail -= 1
    return tail


def _only_queues(step: Any) -> bool:
    """A step that only queues its operations, with no round trip and no error of its own before the batch
    is answered: a plain record, an sgd step, a backward pass (its own queued in turn, `_backward`)."""
    if _is_plain_record(step):
        return True
    return isinstance(step, dict) and (
        step.get("do") == "sgd" or (step.get("do") == "backward" and not step.get("create_graph"))
    )


def _plan(steps: Any) -> tuple[_Planned, ...] | None:
    """The view's steps with what `run_case` derives from each alone; None: not a list, run as it is."""
    if not isinstance(steps, list):
        return None
    planned = []
    for step in steps:
        handler = STEPS.get(str(step.get("do"))) if isinstance(step, dict) else None
        if handler is None:
            planned.append(_Planned(step, None, None))
            continue
        try:
            context: str | None = _context(step)
        except Exception:
            context = None
        planner = _PLANNERS.get(str(step.get("do")))
        planned.append(_Planned(step, handler if planner is None else planner(step), context))
    return tuple(planned)


# What a case view gives every job that runs it, kept by the view's identity: a harness parses a run's views
# once (harness_process.JobReader) and runs the same ones in every job. Its inputs were decoded from their
# JSON lists and encoded to bytes again each time (~95 arrays a MiniFlow job), its steps' words and fields
# read again (~170 steps a MiniFlow job). The arrays are made read-only: whatever reads them in one job reads
# the same values in the next.
VIEWS_KEPT = 512


@dataclass(frozen=True)
class _Prepared:
    view: Mapping[str, Any]  # held, so that its id is not another view's while it is kept
    originals: dict[str, np.ndarray]
    sent: dict[str, Any]
    steps: tuple[_Planned, ...] | None
    records_from: int  # `_records_from`
    queued_from: int  # `_records_from` of the steps that only queue (`_only_queues`)


_views_kept: dict[int, _Prepared] = {}


def _prepared(view: Mapping[str, Any]) -> _Prepared:
    """The view's input arrays by name, their wire form (`codec.encode_bytes`), and its steps planned."""
    kept = _views_kept.get(id(view))
    if kept is None or kept.view is not view:
        originals = {str(n): codec.decode(a) for n, a in dict(view.get("inputs", {})).items()}
        for array in originals.values():
            array.flags.writeable = False
        sent = {n: codec.encode_bytes(a) for n, a in originals.items()}
        if len(_views_kept) >= VIEWS_KEPT:
            _views_kept.clear()
        steps = view.get("steps", [])
        kept = _views_kept[id(view)] = _Prepared(
            view, originals, sent, _plan(steps), _records_from(steps), _records_from(steps, _only_queues)
        )
    return kept


def run_case(
    factory: AdapterFactory, session: Session, names: StudentNames, view: Mapping[str, Any]
) -> dict[str, Any]:
    """Run one job view and return its `case` frame; never raises for anything the student's code does.

    `StudentProcessEnded` propagates: the case is left unreported, and the parent explains it from how the
    student's process ended.
    """
    frames: list[dict[str, Any]] = []
    start_case(factory, session, names, view, frames.append)
    session.flush()
    return frames[-1]


def start_case(
    factory: AdapterFactory,
    session: Session,
    names: StudentNames,
    view: Mapping[str, Any],
    emit: Callable[[dict[str, Any]], None],
) -> None:
    """Run one job view up to its end and `emit` its `case` frame once the end is answered: then, or with
    the next case's first batch (`Session.hold`: one round trip for both; `Session.flush` after a phase's
    last case). Frames are emitted in the cases' order. Never raises for anything the student's code does;
    `StudentProcessEnded` propagates, here or from the next case's sync, with this case unreported."""
    case = _Case(session, clean_text(view.get("id", "?"), 200))
    try:
        prepared = _prepared(view)
        case.originals, case.sent = dict(prepared.originals), dict(prepared.sent)
        session.context = "setting up the case"
        copies = {n: session.new_array(encoded) for n, encoded in case.sent.items()}
        run = case.run = Run(session, factory(session, names, copies, case.originals), copies)
        if prepared.steps is None:
            _run_steps(run, view.get("steps", []))
        for i, planned in enumerate(prepared.steps or ()):
            if planned.run is None:
                raise StepError(f"step {i}: unknown step {planned.step!r}")
            session.context = _context(planned.step) if planned.context is None else planned.context
            run.records_follow = i + 1 >= prepared.records_from
            run.queues_follow = i + 1 >= prepared.queued_from
            planned.run(run, planned.step)
        session.context = "checking the inputs"
        case.asked = _ask_inputs(run, case.originals)
    except Exception as exc:
        case.verdict(exc, step=True)
        _read_back(case, emit)
        return
    if session.hold(lambda error: case.conclude(error, emit, release=False)):
        session.release()  # the next batch's first operation: what the case's end leaves to ask runs before
        return
    try:
        session.sync()
    except Exception as exc:
        case.conclude(exc, emit, release=True)
        return
    case.conclude(None, emit, release=True)


def _read_back(case: _Case, emit: Callable[[dict[str, Any]], None], *, release: bool = True) -> None:
    """A case that stopped before its end (or whose end stopped early): its inputs read back, held like an
    end (`Session.hold`) so that they go with the next case's first batch; now when there is one held
    already or nothing to ask. `release`: queue the release of its objects (not when the next case's
    batch, already queued, begins with it)."""
    session, run = case.session, case.run
    asked = case.asked
    if session.broken or run is None or (asked is not None and all(p.done for p in asked.values())):
        # a case held before this one is finished first: frames go out in the cases' order (a case that
        # failed before its first round trip, its inputs unreadable, was emitted ahead of the one before it)
        session.flush()
        emit(case.readback(None, release=release))
        return
    session.context = "checking the inputs"
    case.asked = _ask_inputs(run, case.originals)
    if session.hold(lambda error: emit(case.readback(error, release=False))):
        if release:
            session.release()
        return
    emit(case.readback(None, release=release))


class _Case:
    """A case run up to its end: what its frame is concluded from once the end is answered."""

    def __init__(self, session: Session, case_id: str) -> None:
        self.session = session
        self.frame: dict[str, Any] = {"type": "case", "id": case_id}
        self.run: Run | None = None
        self.originals: dict[str, np.ndarray] = {}
        self.sent: dict[str, Any] = {}
        self.asked: dict[str, Pending] | None = None

    def conclude(
        self, error: BaseException | None, emit: Callable[[dict[str, Any]], None], *, release: bool
    ) -> None:
        """The case's frame emitted, given what its steps or its end's sync raised (None: the end was
        answered): at once, or, when the end stopped before its inputs were read back, once they are, held
        for the next batch (`_read_back`). `release`: queue the release of its objects (not when the next
        case's batch begins with it)."""
        self.session.context = "checking the inputs"  # as when its end's sync returned (held: it ends later)
        self.verdict(error)
        _read_back(self, emit, release=release)

    def verdict(self, error: BaseException | None, *, step: bool = False) -> None:
        """The frame's status, failure and records, given what the steps (`step`) or the end's sync
        raised."""
        session, run, frame = self.session, self.run, self.frame
        try:
            if run is not None and run.later:
                error = _settled(run, error, step=step)
            if error is not None:
                raise error
            assert run is not None
            records, unset = _resolve(run.records)
            if unset is None:
                frame.update(status="ok", records=records)
            else:
                # with the fields of the exception it states, as a step's failure has them (review32: none
                # were sent): its own (a course form's failure, the student process's RemoteFailure), else
                # the unset record's it was worded from
                said = run.adapter.failure_of(unset)
                raised = raised_of(said, said) or raised_of(said, unset)
                frame.update(status="error", failure=said.for_frame(raised), records=records)
        except StudentProcessEnded:
            raise
        except StudentFailure as failure:
            records, unset = _partial(run)
            said = (unset or failure) if run is None else run.adapter.failure_of(unset or failure)
            frame.update(status="error", failure=said.for_frame(raised_of(said, failure)), records=records)
        except MalformedReply as exc:  # an answer read outside Session.sync: the student's doing all the same
            violation = session.malformed(session.context, exc)
            frame.update(status="error", failure=violation.to_dict(), records={})
        except (StepError, StepUnsupported, codec.CodecError) as exc:  # the case itself is malformed
            broken = grader_error(f"the grader could not run this case: {clean_text(exc)}")
            frame.update(status="error", failure=broken.to_dict(), records=_partial(run)[0])
        except Exception:  # a bug of the grader's own met on this submission: its code, for staff's traceback
            broken = grader_error("the grader failed on this case", traceback.format_exc())
            frame.update(status="error", failure=broken.to_dict(), records=_partial(run)[0])

    def readback(self, error: BaseException | None, *, release: bool) -> dict[str, Any]:
        """The frame with the inputs the student's code changed, given what the sync of their read-back,
        held, raised (None: answered, or not asked yet)."""
        session, run, frame = self.session, self.run, self.frame
        if isinstance(error, StudentProcessEnded):
            raise error
        if session.broken and error is None:
            frame["mutated"] = []  # nothing more can be asked of this process: the phase ends after this case
            _packed(run, frame)
            return frame
        session.context = "checking the inputs"
        if error is not None and self.asked is not None:  # the read-back itself failed: as `_mutated` says
            frame["mutated"] = list(self.asked)
        else:
            frame["mutated"] = _mutated(run, self.originals, self.sent, self.asked) if run else []
        _packed(run, frame)
        _handed(run, frame)
        if release:
            session.release()
        return frame


def _settled(run: Run, error: BaseException | None, *, step: bool) -> BaseException | None:
    """The backward passes that went with the case's end settled in order (`Run.later`): a failure raised
    as its own sync raised it, with the records taken before that pass only, as when the case stopped at
    the pass; so too when a later step raised (`step`) before any sync sent the pass (settling sends it):
    the records after it were never answered then."""
    laters, run.later = run.later, []
    dropped: dict[str, Any] | None = None
    for later, before in laters:
        unsent = run.session.queued(later.marker)
        try:
            error = later.settle(error)
        except BaseException:
            run.records = before
            raise
        if step and unsent and dropped is None:
            dropped = before
    if dropped is not None:
        run.records = dropped
    return error


def _run_steps(run: Run, steps: Any) -> None:
    """Steps that are not a list, run as they come (what `_plan` does not read ahead)."""
    for i, step in enumerate(steps):
        handler = STEPS.get(str(step.get("do"))) if isinstance(step, dict) else None
        if handler is None:
            raise StepError(f"step {i}: unknown step {step!r}")
        run.session.context = _context(step)
        handler(run, step)


def _handed(run: Run | None, frame: dict[str, Any]) -> None:
    """The required constructor parameters the grader filled in with the book's weight scale (layers adapter:
    `handed_scale`), by name, on a case that ran: the parent's judge says so beside wrong values, which a
    parameter that was no weight scale may explain (an error says it already: failure_of)."""
    handed = sorted(getattr(run.adapter, "handed_scale", {})) if run is not None else []
    if handed and frame.get("status") == "ok":
        frame["handed"] = handed[:4]


def _packed(run: Run | None, frame: dict[str, Any]) -> None:
    """The ops the adapter built from one list of their nodes (MiniFlow's `Linear([X, W, b])`), as plain
    names, when there are any: the parent's note says so (grader/constructors.py)."""
    packed = sorted(getattr(run.adapter, "packed", ())) if run is not None else []
    if packed:
        frame["packed"] = packed
