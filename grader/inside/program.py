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
from typing import Any

import numpy as np

from . import codec
from .adapters.base import AdapterFactory, FamilyAdapter, Reading, StepUnsupported
from .failures import MalformedReply, StudentFailure, clean_text, grader_error
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

    def upstream(self, step: Mapping[str, Any]) -> Ref | None:
        name = step.get("upstream")
        if name is None:
            return None
        if name not in self.copies:
            raise StepError(f"upstream {name!r} is not an input of the case")
        return self.copies[name]


def _method(step: Mapping[str, Any], default: str) -> str:
    return str(step.get("method") or default)


def _apply(run: Run, step: Mapping[str, Any]) -> str:
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
    run.adapter.apply(op, args, step["out"], no_grad=bool(step.get("no_grad", False)), **extra)
    return ""


def _backward(run: Run, step: Mapping[str, Any]) -> str:
    of, upstream, retain_grad = str(step.get("of")), run.upstream(step), bool(step.get("retain_grad"))
    if step.get("create_graph"):  # DeZero steps 32 on: only that adapter knows create_graph
        run.adapter.backward_graph(of, upstream, retain_grad=retain_grad)
    else:
        run.adapter.backward(of, upstream, retain_grad=retain_grad)
    return ""


def _grad(run: Run, step: Mapping[str, Any]) -> str:
    if not isinstance(step.get("out"), str):
        raise StepError("grad needs 'of' and an 'out' name")
    run.adapter.take_grad(str(step.get("of")), step["out"])
    return ""


def _backward_local(run: Run, step: Mapping[str, Any]) -> str:
    run.adapter.backward_local(str(step.get("of")), run.upstream(step))
    return ""


def _record(run: Run, step: Mapping[str, Any]) -> str:
    key = step.get("key")
    if not isinstance(key, str):
        raise StepError("record needs a string 'key'")
    label = str(step.get("label") or key)
    if "has_creator" in step:
        run.records[key] = bool(run.adapter.has_creator(str(step["has_creator"])))
        return key
    if "probe" in step:  # the shared machinery itself (DeZero Variable / Function): a bool or a number
        found = run.adapter.probe(str(step["probe"]), str(step.get("of")))
        as_array = None if isinstance(found, bool) else codec.encode(_asarray(found, dtype=np.float64))
        run.records[key] = found if as_array is None else as_array
        return key
    if "value_of" in step and "property" in step:  # DeZero step 19: x.shape, len(x), repr(x), ...
        raw: Any = run.adapter.property_of(str(step["value_of"]), str(step["property"]))
        what = f"{_method(step, 'Variable')}: {label}"
    elif "value_of" in step:
        raw = run.adapter.value_of(str(step["value_of"]))
        # "Affine.forward: forward value of out", not "Affine.forward value forward value of out"
        method = _method(step, "forward")
        what = f"{method}: {label}" if label.startswith("forward value") else f"{method} value {label}"
    elif "grad_of" in step and "via" in step:
        raw = run.adapter.grad_via(str(step["grad_of"]), str(step["via"]))
        what = f"{_method(step, 'backward')}: {label}"
    elif "grad_of" in step:
        raw = run.adapter.grad_of(str(step["grad_of"]))
        what = f"{_method(step, 'backward')}: {label}"
    else:
        raise StepError("record needs one of grad_of, value_of, has_creator, probe")
    if isinstance(raw, Reading):
        run.records[key] = _Later(run.session.array_later(raw.ref, what), what, raw)
    elif isinstance(raw, Ref):
        run.records[key] = _Later(run.session.array_later(raw, what), what)  # read when the case ends
    else:
        run.records[key] = None if raw is None else codec.encode(_asarray(raw, dtype=np.float64))
    return key


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
            array = None if raw is None else decode_array(raw, value.what)
            if array is not None and value.reading is not None and value.reading.scalar and array.size == 1:
                array = array.reshape(())
            value = None if array is None else codec.encode(array)
        out[key] = value
    return out, None


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


STEPS: dict[str, Callable[[Run, Mapping[str, Any]], str]] = {
    "apply": _apply,
    "backward": _backward,
    "backward_local": _backward_local,
    "record": _record,
    "cleargrad": _cleargrad,
    "grad": _grad,
    "sgd": _sgd,
    "cleargrads": _cleargrads,
    "optimize": _optimize,
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


# A case's inputs, decoded and encoded for the student's process, kept by the view's identity: a harness
# parses a run's views once (harness_process.JobReader) and runs the same ones in every job, whose inputs
# were decoded from their JSON lists and encoded to bytes again each time (~95 arrays a MiniFlow job). The
# arrays are made read-only: whatever reads them in one job reads the same values in the next.
INPUTS_KEPT = 512
_inputs_kept: dict[int, tuple[Mapping[str, Any], dict[str, np.ndarray], dict[str, Any]]] = {}


def _inputs(view: Mapping[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The view's input arrays by name, and their wire form (`codec.encode_bytes`)."""
    kept = _inputs_kept.get(id(view))
    if kept is None or kept[0] is not view:
        originals = {str(n): codec.decode(a) for n, a in dict(view.get("inputs", {})).items()}
        for array in originals.values():
            array.flags.writeable = False
        sent = {n: codec.encode_bytes(a) for n, a in originals.items()}
        if len(_inputs_kept) >= INPUTS_KEPT:
            _inputs_kept.clear()
        kept = _inputs_kept[id(view)] = (view, originals, sent)
    return dict(kept[1]), dict(kept[2])


def run_case(
    factory: AdapterFactory, session: Session, names: StudentNames, view: Mapping[str, Any]
) -> dict[str, Any]:
    """Run one job view and return its `case` frame; never raises for anything the student's code does.

    `StudentProcessEnded` propagates: the case is left unreported, and the parent explains it from how the
    student's process ended.
    """
    case_id = clean_text(view.get("id", "?"), 200)
    frame: dict[str, Any] = {"type": "case", "id": case_id}
    run: Run | None = None
    originals: dict[str, np.ndarray] = {}
    sent: dict[str, Any] = {}
    asked: dict[str, Pending] | None = None
    try:
        originals, sent = _inputs(view)
        session.context = "setting up the case"
        copies = {n: session.new_array(encoded) for n, encoded in sent.items()}
        run = Run(session, factory(session, names, copies, originals), copies)
        for i, step in enumerate(view.get("steps", [])):
            handler = STEPS.get(str(step.get("do"))) if isinstance(step, dict) else None
            if handler is None:
                raise StepError(f"step {i}: unknown step {step!r}")
            session.context = _context(step)
            handler(run, step)
        session.context = "checking the inputs"
        asked = _ask_inputs(run, originals)
        session.sync()
        records, unset = _resolve(run.records)
        if unset is None:
            frame.update(status="ok", records=records)
        else:
            frame.update(status="error", failure=run.adapter.failure_of(unset).to_dict(), records=records)
    except StudentProcessEnded:
        raise
    except StudentFailure as failure:
        records, unset = _partial(run)
        said = (unset or failure) if run is None else run.adapter.failure_of(unset or failure)
        frame.update(status="error", failure=said.to_dict(), records=records)
    except MalformedReply as exc:  # an answer read outside Session.sync: the student's doing all the same
        frame.update(status="error", failure=session.malformed(session.context, exc).to_dict(), records={})
    except (StepError, StepUnsupported, codec.CodecError) as exc:  # the case itself is malformed
        broken = grader_error(f"the grader could not run this case: {clean_text(exc)}")
        frame.update(status="error", failure=broken.to_dict(), records=_partial(run)[0])
    except Exception:  # a bug of the grader's own met on this submission: its own code, for staff's traceback
        broken = grader_error("the grader failed on this case", traceback.format_exc())
        frame.update(status="error", failure=broken.to_dict(), records=_partial(run)[0])
    if session.broken:
        frame["mutated"] = []  # nothing more can be asked of this process: the phase ends after this case
        _packed(run, frame)
        return frame
    session.context = "checking the inputs"
    frame["mutated"] = _mutated(run, originals, sent, asked) if run else []
    _packed(run, frame)
    _handed(run, frame)
    session.release()
    return frame


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
