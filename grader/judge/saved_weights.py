"""What a failing record of DeZero's step-53 round trip says about save_weights and load_weights.

A save_load step (grader/inside/adapters/dezero_weights.py) records, for each parameter of the case's layer,
the data a FRESH layer holds after `load_weights` of the file `save_weights` wrote; before loading, the
harness set the fresh layer's parameters to zeros. Expected: the arrays the case set (its own inputs). The
likely mistakes, each told by the value that came back:

- zeros: nothing reached that parameter. In a Linear (W and b its own) load_weights did not set `.data` (a
  new Parameter bound to a name or set as another attribute leaves the layer's own unchanged); in an MLP,
  whose parameters are all its Linear layers', either that or a `_flatten_params` that does not recurse into
  the Layers it holds (only top-level Parameters saved: none).
- the case's gradient of that parameter: save_weights saved `param.grad`, not `param.data`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.cases import Case
from grader.inside.loader_keys import SAVED_LAYERS, WEIGHTS_FILL, mlp_params, weights_keys


def _step_of(case: Case, key: str) -> tuple[Mapping[str, Any], str] | None:
    for step in case.steps:
        if step.get("do") == "save_load" and key in weights_keys(step):
            names = [str(n) for n in step["args"][1:]]
            return step, names[weights_keys(step).index(key)]
    return None


def read_order(case: Case) -> list[str]:
    """The record keys of the case's save_load steps, in the order the harness reads them."""
    return [key for step in case.steps if step.get("do") == "save_load" for key in weights_keys(step)]


def _path(step: Mapping[str, Any], name: str) -> str:
    """`model.l0.W` for the case's W0 of an MLP, `fc.W` for a Linear's W."""
    names = [str(n) for n in step["args"][1:]]
    layer, op = str(step.get("layer")), str(step.get("op", ""))
    paths = SAVED_LAYERS.get(op, mlp_params)(len(names)) or ()
    index = names.index(name)
    attr = paths[index] if index < len(paths) else name
    return f"{layer}.{attr}"


def label_of(case: Case, key: str) -> tuple[str, str] | None:
    """(label, method) of a save_load record, as messages name it; None for any other record."""
    found = _step_of(case, key)
    if found is None:
        return None
    step, name = found
    flat = _path(step, name).split(".", 1)[1].replace(".", "/")
    return (
        f"{_path(step, name)}.data of a fresh {step.get('op', 'layer')} after load_weights (key '{flat}' of "
        "the file save_weights wrote)",
        "Layer.load_weights",
    )


def explain(case: Case, key: str, records: Mapping[str, Any]) -> str | None:
    """The likely mistake a failing save_load record shows (module docstring); None when the value says
    nothing more than the comparison (or the record is no save_load step's)."""
    found = _step_of(case, key)
    if found is None or key not in case.expected:
        return None
    try:
        got = np.asarray(records.get(key), dtype=np.float64)
    except (TypeError, ValueError):
        return None
    want = np.asarray(case.expected[key], dtype=np.float64)
    if got.shape != want.shape:
        return None
    step, name = found
    where = _path(step, name)
    flat = where.split(".", 1)[1].replace(".", "/")
    said = f"Layer.load_weights: {where}.data of a fresh {step.get('op', 'layer')} after load_weights: "
    if np.all(got == WEIGHTS_FILL) and np.any(want != WEIGHTS_FILL):
        unchanged = (
            "load_weights did not set each Parameter's data (param.data = npz[key]: a new Parameter bound to "
            "a name, or set as another attribute, leaves the layer's own Parameter unchanged)"
        )
        if "/" not in flat:  # the layer's own parameter (a Linear's W), none of a Layer it holds
            return (
                f"{said}it kept the zeros it held before load_weights, expected {_shown(want)}: {unchanged}"
            )
        return (
            f"{said}it kept the zeros it held before load_weights, expected {_shown(want)}: either "
            f"save_weights saved only the model's own Parameters, not those of the Layers it holds "
            f"(_flatten_params should recurse into each Layer, keys like '{flat}'), or {unchanged}; the "
            "Linear's round trip (its W and b its own) tells which"
        )
    grad = _grad_of(case, name)
    if grad is not None and grad.shape == got.shape and np.allclose(got, grad, rtol=1e-9, atol=1e-12):
        said = said.replace("Layer.load_weights: ", "Layer.save_weights: ", 1)
        return (
            f"{said}it holds the gradient of {where} ({_shown(grad)}), expected its data {_shown(want)}: "
            "save_weights saved param.grad; the file holds the data, array_dict[key] = param.data"
        )
    return None


def _grad_of(case: Case, name: str) -> np.ndarray | None:
    """The case's expected gradient of the parameter `name` (a record step with grad_of it)."""
    for step in case.steps:
        if step.get("do") == "record" and step.get("grad_of") == name and step.get("key") in case.expected:
            return np.asarray(case.expected[step["key"]], dtype=np.float64)
    return None


def _shown(value: np.ndarray) -> str:
    flat = np.round(value.reshape(-1), 6).tolist()
    return str(flat[:4])[:-1] + (", ...]" if len(flat) > 4 else "]")
