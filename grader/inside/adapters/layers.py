"""DLFS layers ("Deep Learning from Scratch", ch. 5): layer objects with forward/backward, and TwoLayerNet.

`apply` instantiates the layer and calls forward at once; `backward` walks the applied layers in reverse,
summing the gradients of a value used twice. Accepts `ReLu`/`ReLU`, `(dx, dy)` as a tuple or a list,
`SoftmaxWithLoss.backward(dout=1)` or `backward()`, and reports a backward without `return` and a class
whose `__init__` is misspelt. TwoLayerNet's params are overwritten in place so its layers see them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..failures import StudentFailure
from ..plain import to_array
from ..student import Names
from .base import AdapterBase, accepts_positional, construct


@dataclass(frozen=True)
class LayerSpec:
    """How a step's `args` map onto a layer: constructor, forward, backward's returns, grad attributes."""

    ctor: tuple[int, ...] = ()
    forward: tuple[int, ...] = (0,)
    returns: tuple[int, ...] = (0,)
    attrs: Mapping[int, str] = field(default_factory=dict)
    loss: bool = False  # backward(dout=1): the book calls it with 1, not an array


SPECS: dict[str, LayerSpec] = {
    "MulLayer": LayerSpec(forward=(0, 1), returns=(0, 1)),
    "AddLayer": LayerSpec(forward=(0, 1), returns=(0, 1)),
    "Relu": LayerSpec(),
    "Sigmoid": LayerSpec(),
    "Affine": LayerSpec(ctor=(1, 2), attrs={1: "dW", 2: "db"}),
    "SoftmaxWithLoss": LayerSpec(forward=(0, 1), loss=True),
}
# Which arg is a target `t`: class labels travel as float64 like every input, but the book indexes with them
# (`y[np.arange(batch_size), t]`), so 1-D integral targets are handed over as int64.
LABEL_ARG = {"SoftmaxWithLoss": 1, "TwoLayerNet": 1}
NET_PARAMS = ("W1", "b1", "W2", "b2")  # TwoLayerNet args are [x, t, W1, b1, W2, b2]


@dataclass
class Applied:
    out: str
    op: str
    args: list[str]
    obj: Any


def _f64(a: Any) -> np.ndarray:
    return np.array(a, dtype=np.float64)


class LayersAdapter(AdapterBase):
    family = "layers"
    ALIASES: ClassVar[dict[str, tuple[str, ...]]] = {
        "MulLayer": ("MulLayer", "MultiplyLayer", "MulLayers"),
        "AddLayer": ("AddLayer", "AddLayers"),
        "Relu": ("Relu", "ReLU", "ReLu", "RELU", "Relu_Layer"),
        "Sigmoid": ("Sigmoid",),
        "Affine": ("Affine",),
        "SoftmaxWithLoss": ("SoftmaxWithLoss", "SoftMaxWithLoss", "SoftmaxWithLoss_Layer"),
        "TwoLayerNet": ("TwoLayerNet",),
    }

    def __init__(self, names: Names, inputs: dict[str, np.ndarray]) -> None:
        super().__init__(names, inputs)
        self.values: dict[str, Any] = {}
        self.applied: list[Applied] = []
        self.totals: dict[str, np.ndarray] = {}
        self.local: dict[str, dict[str, np.ndarray]] = {}

    def value(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name in self.inputs:
            return self.inputs[name]
        raise self.unknown(name)

    # ---------------------------------------------------------------- forward
    def apply(self, op: str, args: Sequence[str], out: str, *, no_grad: bool = False) -> None:
        cls = self.names.require(op)
        xs = [self.value(a) for a in args]
        if op in LABEL_ARG and LABEL_ARG[op] < len(xs):
            xs[LABEL_ARG[op]] = _as_labels(xs[LABEL_ARG[op]])
        if op == "TwoLayerNet":
            obj, y = self._two_layer_net(cls, xs)
        else:
            spec = SPECS[op]
            obj = construct(
                cls, *(xs[i] for i in spec.ctor), label=f"{op}({', '.join(args[i] for i in spec.ctor)})"
            )
            y = obj.forward(*(xs[i] for i in spec.forward))
        if y is None:
            raise StudentFailure(
                "not_implemented", f"{op}.forward returned None: a missing `return`, or a TODO?"
            )
        self.values[out] = y
        self.applied.append(Applied(out, op, list(args), obj))

    def _two_layer_net(self, cls: Any, xs: list[Any]) -> tuple[Any, Any]:
        x, t, w1, _, w2, _ = xs
        sizes = (w1.shape[0], w1.shape[1], w2.shape[1])
        net = construct(cls, *sizes, label=f"TwoLayerNet{sizes}")
        params = getattr(net, "params", None)
        if not isinstance(params, dict):
            raise StudentFailure("exception", "TwoLayerNet has no dict `params` (W1, b1, W2, b2) to set")
        for key, value in zip(NET_PARAMS, xs[2:], strict=False):
            if key not in params:
                raise StudentFailure(
                    "missing_name", f"TwoLayerNet.params has no {key!r}; found {sorted(params)}"
                )
            current = params[key]
            if not isinstance(current, np.ndarray) or current.shape != value.shape:
                shape = getattr(current, "shape", type(current).__name__)
                raise StudentFailure(
                    "exception",
                    f"TwoLayerNet{sizes}.params[{key!r}] is {shape}, expected shape {value.shape}",
                )
            current[...] = value  # in place: the layers hold the same arrays
        return net, net.loss(x, t)

    # ---------------------------------------------------------------- backward
    def _seed(self, entry: Applied, upstream: np.ndarray | None) -> Any:
        if upstream is not None:
            return upstream
        if entry.op == "TwoLayerNet" or SPECS[entry.op].loss:
            return 1
        return np.ones_like(_f64(self.values[entry.out]))

    def _run(self, entry: Applied, dout: Any) -> dict[str, np.ndarray]:
        """Gradients of entry's args from its own backward, summed where an arg repeats."""
        if entry.op == "TwoLayerNet":
            return self._net_gradient(entry)
        spec = SPECS[entry.op]
        backward = entry.obj.backward
        result = backward() if spec.loss and not accepts_positional(backward, 1) else backward(dout)
        method = f"{entry.op}.backward"
        if result is None:
            raise StudentFailure(
                "not_implemented", f"{method} returned None: a missing `return dx`, or is it still a TODO?"
            )
        # (dx, dy) may be a tuple or a list; a lone dx returned as a nested list is the gradient itself.
        several = isinstance(result, tuple) or (isinstance(result, list) and len(spec.returns) > 1)
        results = list(result) if several else [result]
        if len(results) < len(spec.returns):
            raise StudentFailure(
                "exception",
                f"{method} returned {len(results)} value(s); expected {len(spec.returns)} "
                f"({', '.join('d' + entry.args[i] for i in spec.returns)})",
            )
        pairs: list[tuple[int, Any]] = list(zip(spec.returns, results, strict=False))
        for i, attr in spec.attrs.items():
            pairs.append((i, getattr(entry.obj, attr, None)))
            if pairs[-1][1] is None:
                raise StudentFailure(
                    "not_implemented", f"{method} left self.{attr} unset: is it still a TODO?"
                )
        grads: dict[str, np.ndarray] = {}
        for i, g in pairs:
            if g is None:
                raise StudentFailure(
                    "not_implemented", f"{method} returned None for d{entry.args[i]}: a TODO?"
                )
            name = entry.args[i]
            g = to_array(g, f"{method}: gradient d{name}")
            grads[name] = grads[name] + g if name in grads else g
        return grads

    def _net_gradient(self, entry: Applied) -> dict[str, np.ndarray]:
        x, t = (self.value(a) for a in entry.args[:2])
        grads = entry.obj.gradient(x, _as_labels(t))
        if not isinstance(grads, dict):
            raise StudentFailure(
                "not_implemented", f"TwoLayerNet.gradient returned {type(grads).__name__}, expected a dict"
            )
        out = {}
        for key, name in zip(NET_PARAMS, entry.args[2:], strict=False):
            if grads.get(key) is None:
                raise StudentFailure(
                    "not_implemented", f"TwoLayerNet.gradient gave no grads[{key!r}]: a TODO?"
                )
            out[name] = to_array(grads[key], f"TwoLayerNet.gradient: grads[{key!r}]")
        return out

    def backward(self, of: str, upstream: np.ndarray | None, *, retain_grad: bool = False) -> None:
        start = self._entry(of)
        pending: dict[str, Any] = {of: self._seed(start, upstream)}
        self.local = {}
        for entry in reversed(self.applied):
            if entry.out not in pending:
                continue
            dout = pending[entry.out]
            # Our own arrays go in as copies: a layer that mutates dout must not corrupt the sums.
            grads = self._run(
                entry, dout.copy() if isinstance(dout, np.ndarray) and dout is not upstream else dout
            )
            self.local[entry.out] = grads
            for name, g in grads.items():
                pending[name] = pending[name] + g if isinstance(pending.get(name), np.ndarray) else g
        self.totals = {k: v for k, v in pending.items() if isinstance(v, np.ndarray)}

    def backward_local(self, of: str, upstream: np.ndarray | None) -> None:
        entry = self._entry(of)
        self.local[of] = self._run(entry, self._seed(entry, upstream))

    def _entry(self, out: str) -> Applied:
        for entry in reversed(self.applied):
            if entry.out == out:
                return entry
        raise self.unknown(out)

    # ---------------------------------------------------------------- reading
    def grad_of(self, name: str) -> Any:
        return self.totals.get(name)

    def grad_via(self, name: str, via: str) -> Any:
        return self.local.get(via, {}).get(name)

    def value_of(self, name: str) -> Any:
        return self.value(name)


def _as_labels(t: Any) -> Any:
    """1-D integral float targets as int64 labels; anything else (one-hot) unchanged."""
    if isinstance(t, np.ndarray) and t.ndim == 1 and np.all(np.isfinite(t)) and np.all(t == np.round(t)):
        return t.astype(np.int64)
    return t
