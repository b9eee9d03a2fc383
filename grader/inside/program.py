"""The step interpreter (docs/ARCHITECTURE.md section 2) on the student's code, generic over families.

Inputs reach student code as fresh copies; the pristine originals are kept to report, after the case, which
inputs the student's code mutated. Records are converted to plain float64 the moment they are taken (later
steps may change the student's arrays in place). One case's failure ends that case only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import codec
from .adapters.base import AdapterFactory, FamilyAdapter, StepUnsupported
from .failures import StudentFailure, clean_text, from_exception
from .plain import to_array
from .student import Names

_array_equal = np.array_equal
_copy = np.ndarray.copy


class StepError(Exception):
    """The case itself is malformed (unknown step, missing name): the grader's problem, not the student's."""


class Run:
    """One case in progress: the adapter, the input copies, the records taken so far."""

    def __init__(self, adapter: FamilyAdapter, copies: dict[str, np.ndarray]) -> None:
        self.adapter = adapter
        self.copies = copies
        self.records: dict[str, Any] = {}
        self.updated: set[str] = set()  # inputs an sgd step changes on purpose

    def upstream(self, step: Mapping[str, Any]) -> np.ndarray | None:
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
    run.adapter.apply(op, args, step["out"], no_grad=bool(step.get("no_grad", False)))
    return ""


def _backward(run: Run, step: Mapping[str, Any]) -> str:
    run.adapter.backward(str(step.get("of")), run.upstream(step), retain_grad=bool(step.get("retain_grad")))
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
    if "value_of" in step:
        raw = run.adapter.value_of(str(step["value_of"]))
        what = f"{_method(step, 'forward')} value {label}"
    elif "grad_of" in step and "via" in step:
        raw = run.adapter.grad_via(str(step["grad_of"]), str(step["via"]))
        what = f"{_method(step, 'backward')}: {label}"
    elif "grad_of" in step:
        raw = run.adapter.grad_of(str(step["grad_of"]))
        what = f"{_method(step, 'backward')}: {label}"
    else:
        raise StepError("record needs one of grad_of, value_of, has_creator")
    run.records[key] = None if raw is None else codec.encode(to_array(raw, what))
    return key


def _cleargrad(run: Run, step: Mapping[str, Any]) -> str:
    run.adapter.cleargrad(str(step.get("of")))
    return ""


def _sgd(run: Run, step: Mapping[str, Any]) -> str:
    params = [str(p) for p in step.get("params", [])]
    run.adapter.sgd(params, float(step.get("lr", 1e-2)))
    run.updated.update(params)
    return ""


STEPS: dict[str, Callable[[Run, Mapping[str, Any]], str]] = {
    "apply": _apply,
    "backward": _backward,
    "backward_local": _backward_local,
    "record": _record,
    "cleargrad": _cleargrad,
    "sgd": _sgd,
}


def _context(step: Mapping[str, Any]) -> str:
    """What the student's code was asked to do, in the words of the book."""
    do = step.get("do")
    if do == "apply":
        return f"{step.get('op')} applied to {', '.join(map(str, step.get('args', [])))}"
    if do in ("backward", "backward_local"):
        return _method(step, f"backward from {step.get('of')}")
    if do == "record":
        return f"reading {step.get('label') or step.get('key')}"
    return f"{do} on {step.get('of') or step.get('params')}"


def _mutated(
    originals: Mapping[str, np.ndarray], copies: Mapping[str, np.ndarray], skip: set[str]
) -> list[str]:
    changed = []
    for name, original in originals.items():
        if name in skip:
            continue
        try:
            same = bool(_array_equal(original, copies[name], equal_nan=True))
        except BaseException:
            same = False
        if not same:
            changed.append(name)
    return changed


def run_case(factory: AdapterFactory, names: Names, view: Mapping[str, Any], root: str) -> dict[str, Any]:
    """Run one job view and return its `case` frame; never raises for anything the student's code does."""
    case_id = clean_text(view.get("id", "?"), 200)
    frame: dict[str, Any] = {"type": "case", "id": case_id}
    run: Run | None = None
    originals: dict[str, np.ndarray] = {}
    try:
        originals = {str(n): codec.decode(a) for n, a in dict(view.get("inputs", {})).items()}
        copies = {n: _copy(a) for n, a in originals.items()}
        run = Run(factory(names, copies), copies)
        for i, step in enumerate(view.get("steps", [])):
            handler = STEPS.get(str(step.get("do"))) if isinstance(step, dict) else None
            if handler is None:
                raise StepError(f"step {i}: unknown step {step!r}")
            try:
                handler(run, step)
            except (StudentFailure, StepError, StepUnsupported, codec.CodecError):
                raise
            except BaseException as exc:
                raise from_exception(exc, _context(step), root) from None
        frame.update(status="ok", records=run.records)
    except StudentFailure as failure:
        frame.update(status="error", failure=failure.to_dict(), records=run.records if run else {})
    except (StepError, StepUnsupported, codec.CodecError) as exc:
        broken = StudentFailure("exception", f"the grader could not run this case: {clean_text(exc)}")
        frame.update(status="error", failure=broken.to_dict(), records=run.records if run else {})
    frame["mutated"] = _mutated(originals, run.copies, run.updated) if run else []
    return frame
