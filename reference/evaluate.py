"""The expected-value engine: interprets a case's steps (docs/ARCHITECTURE.md section 2) on the op library.

Two small engines share the step language: a tape (MiniFlow and DLFS layers: reverse pass over every applied
node, fresh gradients per backward) and DeZero's own algorithm (generation ordering, accumulation across
backward calls until `cleargrad`, `retain_grad`, `no_grad`). A mutation (reference/mutations.py) swaps an
op's vjp or flips one semantic flag, which is how the judge learns what a known mistake would produce.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from reference.extension import Extension
from reference.graph_vjps import GRAPH_VJPS, GraphVjp
from reference.mutations import FAMILY_ALIASES, MUTATIONS, Mutation, Semantics, Vjp, canonical_family
from reference.ops import OPS, Grads, Op
from reference.optimization_functions import FORMULAS, expand
from reference.properties import PROPERTIES
from reference.recurrent import RECURRENT, SUBLAYERS

Record = np.ndarray | bool | None

_LAYERS_OPS = {
    "MulLayer": "mul",
    "AddLayer": "add",
    "Relu": "relu",
    "Sigmoid": "sigmoid",
    "Affine": "linear",
    "SoftmaxWithLoss": "softmax_ce",
    "TwoLayerNet": "two_layer_net",
    # TwoLayerNet's other methods, each checked on its own: a step names the class and the method.
    "TwoLayerNet.predict": "two_layer_predict",
    "TwoLayerNet.accuracy": "two_layer_accuracy",
}
# family -> the class a step names -> the op (or composite) that computes it.
FAMILY_OPS: dict[str, dict[str, str]] = {
    "miniflow": {"Linear": "linear", "Sigmoid": "sigmoid", "MSE": "mse", "Add": "add", "Mul": "mul"},
    "dezero": {
        "Square": "square",
        "Exp": "exp",
        "Add": "add",
        "Mul": "mul",
        "Neg": "neg",  # steps 22 onwards: the arithmetic operators' functions
        "Sub": "sub",
        "Div": "div",
        "Pow": "pow",
        "Sin": "sin",  # steps 27 and 34
        "Cos": "cos",
        "Tanh": "tanh",  # step 35
        "Reshape": "reshape",  # steps 37 to 41: tensors
        "Transpose": "transpose",
        "Sum": "sum",
        "BroadcastTo": "broadcast_to",
        "SumTo": "sum_to",
        "MatMul": "matmul",
        "MeanSquaredError": "mean_squared_error",  # step 42
        "Linear": "linear",  # step 43: x @ W + b, gW = x.T @ gy, gb = sum_to(gy, b.shape)
        "Sigmoid": "sigmoid",
        "MLP": "mlp",  # step 45 (dezero/models.py): Linear layers, the activation between them
        "GetItem": "get_item",  # step 47: x[slices], GetItemGrad's np.add.at
        "Softmax": "softmax",
        "SoftmaxCrossEntropy": "softmax_cross_entropy",
        "Accuracy": "accuracy",  # step 50: no class in the book, the helper alone
        "Dropout": "dezero_dropout",  # step 54: the helper dropout; "Dropout" is DLFS's layer elsewhere
        "Im2col": "im2col",  # steps 55 to 57 (dezero/functions_conv.py)
        "Conv2d": "conv2d",
        "Pooling": "dezero_pooling",  # "pooling" is dlfs-advanced's extension op
        "RNN": "rnn",  # steps 59 and 60 (dezero/layers.py): Layers with state, reference/recurrent.py
        "LSTM": "lstm",
    },
    "layers": _LAYERS_OPS,
}
FAMILY_OPS.update({alias: FAMILY_OPS[name] for alias, name in FAMILY_ALIASES.items()})
# DeZero's helper functions are the same ops as the classes.
DEZERO_HELPERS = {
    "square": "Square",
    "exp": "Exp",
    "add": "Add",
    "mul": "Mul",
    "neg": "Neg",
    "sub": "Sub",
    "div": "Div",
    "pow": "Pow",
    "sin": "Sin",
    "cos": "Cos",
    "tanh": "Tanh",
    "reshape": "Reshape",
    "transpose": "Transpose",
    "sum": "Sum",
    "broadcast_to": "BroadcastTo",
    "sum_to": "SumTo",
    "matmul": "MatMul",
    "mean_squared_error": "MeanSquaredError",
    "linear": "Linear",  # step 43
    "sigmoid": "Sigmoid",
    "get_item": "GetItem",  # step 47
    "softmax": "Softmax",
    "softmax_cross_entropy": "SoftmaxCrossEntropy",
    "accuracy": "Accuracy",  # step 50
    "dropout": "Dropout",  # step 54
    "im2col": "Im2col",  # step 57
    "conv2d": "Conv2d",
    "pooling": "Pooling",
}


class StepError(ValueError):
    """A step the engine cannot run: unknown step, op or name; the message names the step."""


@dataclass(eq=False)
class _Node:
    cls: str
    op: str
    args: tuple[int, ...]  # slot ids, so rebinding a name later does not rewire the graph
    out: int
    index: int
    local: Grads | None = None  # this node's own input gradients from the last backward
    settings: Mapping[str, Any] = field(default_factory=dict)  # the apply step's non-array settings


# A composite expands into primitive (class, op, args, out) nodes; `tmp()` makes a hidden slot. The family
# semantics say how a known mistake changes the expansion (Semantics.activate_last).
Expansion = list[tuple[str, str, tuple[int, ...], int]]
Composite = Callable[[tuple[int, ...], int, Callable[[], int], Semantics], Expansion]


def _two_layer_net(
    args: tuple[int, ...], out: int, tmp: Callable[[], int], semantics: Semantics
) -> Expansion:
    x, t, w1, b1, w2, b2 = args
    h, r, s = tmp(), tmp(), tmp()
    hidden = ("Sigmoid", "sigmoid") if semantics.hidden_sigmoid else ("Relu", "relu")
    if semantics.hidden_missing:  # Relu left out: the second Affine reads the first's output
        return [
            ("Affine", "linear", (x, w1, b1), h),
            ("Affine", "linear", (h, w2, b2), s),
            ("SoftmaxWithLoss", "softmax_ce", (s, t), out),
        ]
    return [
        ("Affine", "linear", (x, w1, b1), h),
        (*hidden, (h,), r),
        ("Affine", "linear", (r, w2, b2), s),
        ("SoftmaxWithLoss", "softmax_ce", (s, t), out),
    ]


def _mlp(args: tuple[int, ...], out: int, tmp: Callable[[], int], semantics: Semantics) -> Expansion:
    """DeZero step 45's MLP.forward: each Linear layer (x, W0, b0, W1, b1, ...) then the activation (the
    default F.sigmoid), the last layer without it."""
    x, params = args[0], args[1:]
    if len(params) < 2 or len(params) % 2:
        raise ValueError(f"MLP takes x then a W and a b per layer, got {len(args)} args")
    nodes: Expansion = []
    last = len(params) // 2 - 1
    for i in range(last + 1):
        activated = i < last or semantics.activate_last
        h = tmp() if activated else out
        nodes.append(("Linear", "linear", (x, params[2 * i], params[2 * i + 1]), h))
        x = h
        if activated:
            x = out if i == last else tmp()
            nodes.append(("Sigmoid", "sigmoid", (h,), x))
    return nodes


# A mistake's forward (and vjp) keyed "layer:<op>" replaces <op> only where a Layer applies it (an apply step
# with "layer", and the Linear layers of an MLP): DeZero's L.Linear is the student's own code around F.linear.
LAYER_PREFIX = "layer:"


def _unprefixed(op: str) -> str:
    """A Layer's op ("layer:linear") as its function's ("linear"): a mistake keyed "layer:" replaces only
    what it keys (a forward, a vjp), the rest is the function's, plain or with Variables under create_graph.
    Before, a graph backward looked up GRAPH_VJPS["layer:linear"] and raised (review of s23-realdz, finding
    6)."""
    return op.removeprefix(LAYER_PREFIX)


COMPOSITES: dict[str, Composite] = {
    "two_layer_net": _two_layer_net,
    "mlp": _mlp,
}


def _f64(a: Any) -> np.ndarray:
    return np.array(a, dtype=np.float64)


def _reflected(step: Mapping[str, Any]) -> bool:
    """An operator step Python answers with the right operand's reflected method (`2.0 - x`)."""
    args, plain = step.get("args") or [], step.get("plain") or {}
    return bool(step.get("operator")) and len(args) == 2 and args[0] in plain and args[1] not in plain


@dataclass
class _Engine:
    """State shared by both engines: named slots holding arrays, the applied nodes and the records."""

    family: str
    inputs: Mapping[str, np.ndarray]
    vjps: Mapping[str, Vjp]
    semantics: Semantics
    ops: Mapping[str, Op] = field(default_factory=lambda: OPS)
    family_ops: Mapping[str, str] = field(default_factory=dict)  # class in steps -> op (set by run_case)
    forwards: Mapping[str, Callable[..., np.ndarray]] = field(default_factory=dict)  # a mistake's forwards
    graph_vjps: Mapping[str, GraphVjp] = field(default_factory=dict)  # a mistake's backward with Variables
    step: int = 0
    values: dict[int, np.ndarray] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)
    nodes: list[_Node] = field(default_factory=list)
    groups: dict[int, list[_Node]] = field(default_factory=dict)  # out slot -> nodes of that apply step
    records: dict[str, Record] = field(default_factory=dict)
    layers: dict[str, list[int]] = field(default_factory=dict)  # DeZero step 44: a Layer's parameter slots
    nested: set[str] = field(default_factory=set)  # step 45: Layers whose parameters are their Layers'
    composites: dict[int, tuple[str, tuple[int, ...]]] = field(default_factory=dict)  # out -> (op, args)
    states: dict[str, tuple[int, ...]] = field(default_factory=dict)  # steps 59, 60: a Layer's h (and c)
    layer_ops: dict[str, str] = field(default_factory=dict)  # steps 59, 60: a recurrent Layer's op

    def fail(self, step: Mapping[str, Any], why: str) -> StepError:
        return StepError(f"step {self.step} {dict(step)!r}: {why}")

    def new_slot(self, value: np.ndarray) -> int:
        slot = len(self.values)
        self.values[slot] = value
        return slot

    def ref(self, step: Mapping[str, Any], name: Any) -> int:
        if not isinstance(name, str):
            raise self.fail(step, f"a name must be a string, got {name!r}")
        if name not in self.names:
            if name not in self.inputs:
                raise self.fail(step, f"unknown name {name!r} (neither an input nor an earlier out)")
            self.names[name] = self.new_slot(_f64(self.inputs[name]))
        return self.names[name]

    def array(self, step: Mapping[str, Any], key: str) -> np.ndarray | None:
        name = step.get(key)
        return None if name is None else self.values[self.ref(step, name)]

    def apply_formula(self, step: Mapping[str, Any], op: str) -> None:
        """`z = goldstein(x, y)` as the book writes the function, one operator step at a time
        (reference/optimization_functions.py)."""
        args = step.get("args")
        if not isinstance(args, list | tuple) or len(args) != 2 or "out" not in step:
            raise self.fail(step, f"{op} takes a list of two 'args' and an 'out' name")
        expansion = expand(op, [str(a) for a in args], str(step["out"]))
        for name, value in expansion.constants.items():
            self.names[name] = self.new_slot(_f64(value))
        for sub in expansion.steps:
            self.apply(sub)

    def vjp(self, node: _Node, g: np.ndarray) -> Grads:
        xs = [self.values[a] for a in node.args]
        base = _unprefixed(node.op)
        fn = self.vjps.get(node.op) or self.vjps.get(base) or self.ops[base].vjp
        grads = fn(g, *xs, y=self.values[node.out], **node.settings)
        if self.semantics.inplace_accumulate:  # the arrays themselves: which are shared is the mistake
            return tuple(None if gx is None else np.asarray(gx, dtype=np.float64) for gx in grads)
        return tuple(None if gx is None else _f64(gx) for gx in grads)

    def forward(self, op: str, xs: Sequence[np.ndarray], settings: Mapping[str, Any]) -> np.ndarray:
        fn = self.forwards.get(op) or self.ops[op].forward
        return _f64(fn(*xs, **settings))

    def apply(self, step: Mapping[str, Any]) -> None:
        cls = str(step.get("op"))
        ops = self.family_ops
        if self.family == "dezero" and cls in FORMULAS:  # the step file's own goldstein: its operators
            self.apply_formula(step, cls)
            return
        cls = DEZERO_HELPERS.get(cls, cls) if self.family == "dezero" else cls
        if cls not in ops:
            raise self.fail(step, f"unknown op {cls!r} for {self.family}; known: {', '.join(ops)}")
        args = step.get("args")
        if not isinstance(args, list | tuple) or "out" not in step:
            raise self.fail(step, "apply needs a list 'args' and an 'out' name")
        arg_slots = tuple(self.ref(step, a) for a in args)
        only = self.semantics.reflected_only
        if self.semantics.reflected_swapped and _reflected(step) and (not only or cls in only):
            arg_slots = arg_slots[::-1]
        op = ops[cls]
        out = self.new_slot(np.zeros(()))
        if op in RECURRENT:
            expansion = self.recurrent(step, op, arg_slots, out)
        elif op in COMPOSITES:
            try:
                expansion = COMPOSITES[op](
                    arg_slots, out, lambda: self.new_slot(np.zeros(())), self.semantics
                )
            except ValueError as exc:
                raise self.fail(step, str(exc)) from exc
        else:
            expansion = [(cls, op, arg_slots, out)]
        settings = dict(step.get("settings") or {})
        group = []
        for sub_cls, sub_op, sub_args, sub_out in expansion:
            if step.get("layer") and LAYER_PREFIX + sub_op in self.forwards:
                # a mistake of the Layer alone (step 44's Linear calling F.linear(x, self.W)): the function
                # linear, applied outside a Layer, stays right
                sub_op = LAYER_PREFIX + sub_op
            arity = len(sub_args)
            try:
                self.values[sub_out] = self.forward(sub_op, [self.values[a] for a in sub_args], settings)
            except (ValueError, TypeError, IndexError) as exc:
                raise self.fail(step, f"{sub_cls}.forward failed on {arity} inputs: {exc}") from exc
            node = _Node(sub_cls, sub_op, sub_args, sub_out, len(self.nodes), settings=settings)
            self.nodes.append(node)
            group.append(node)
        self.groups[out] = group
        if op in COMPOSITES:
            self.composites[out] = (op, arg_slots)
        self.names[step["out"]] = out
        if step.get("layer"):  # a Layer (step 44) computes its function; its parameters are the other args
            self.layers.setdefault(str(step["layer"]), [self.ref(step, a) for a in args[1:]])
            if op in COMPOSITES:  # a Layer of Layers (step 45's MLP): its params() must recurse into them
                self.nested.add(str(step["layer"]))
        self.on_apply(step, group)

    def on_apply(self, step: Mapping[str, Any], group: list[_Node]) -> None:
        """Family hook: DeZero wires creators here."""

    def recurrent(self, step: Mapping[str, Any], op: str, args: tuple[int, ...], out: int) -> Expansion:
        """Steps 59 and 60: `h = rnn(x)` with the state the Layer's last call left (recurrent.py)."""
        layer = step.get("layer")
        if self.family != "dezero" or not layer:
            raise self.fail(step, f"{op} is a DeZero Layer (steps 59 and 60): its apply step names a 'layer'")
        try:
            call = RECURRENT[op](
                (*args, *self.states.get(str(layer), ())),
                out,
                lambda: self.new_slot(np.zeros(())),
                self.semantics.recurrent_mistake,
            )
        except ValueError as exc:
            raise self.fail(step, str(exc)) from exc
        self.states[str(layer)] = call.state
        self.layer_ops[str(layer)] = op
        return call.nodes

    def param_count(self, step: Mapping[str, Any]) -> int:
        """Steps 59 and 60: how many Parameters `layer.params()` yields (the RNN's h2h has no bias)."""
        count = len(self.layer_params(step, "of"))
        op = self.layer_ops.get(str(step["of"]))
        if self.semantics.recurrent_mistake == "recurrent_params_not_recursive" and op in SUBLAYERS:
            return SUBLAYERS[op]  # the Linear layers themselves, none of their Parameters
        if self.semantics.recurrent_mistake == "recurrent_layers_not_registered" and op in SUBLAYERS:
            return 0  # __setattr__ keeps Parameters only: the Linear layers never enter _params
        return count + (op == "rnn" and self.semantics.recurrent_mistake == "rnn_h2h_bias")

    def reset_state(self, step: Mapping[str, Any]) -> None:
        """Step 59: `rnn.reset_state()`, the next call the first of a new sequence."""
        self.layer_params(step, "of")
        self.states.pop(str(step["of"]), None)

    def unchain_backward(self, step: Mapping[str, Any]) -> None:
        raise self.fail(step, f"unchain_backward is a DeZero step (59); {self.family} has no creators")

    def group_of(self, step: Mapping[str, Any], key: str) -> list[_Node]:
        slot = self.ref(step, step.get(key))
        if slot not in self.groups:
            raise self.fail(step, f"{step.get(key)!r} was not produced by an apply step")
        return self.groups[slot]

    def via(self, step: Mapping[str, Any], slot: int) -> Record:
        """X's gradient as the producer of `via` computed it alone (summed if X is used twice there)."""
        total = None
        for node in self.group_of(step, "via"):
            if node.local is None:
                continue
            for arg, gx in zip(node.args, node.local, strict=True):
                if arg == slot and gx is not None:
                    total = gx if total is None else total + gx
        return total

    def record(self, step: Mapping[str, Any]) -> None:
        key = step.get("key")
        if not isinstance(key, str):
            raise self.fail(step, "record needs a string 'key'")
        if key in self.records:
            raise self.fail(step, f"record key {key!r} used twice (suffix repeated records: _1, _2)")
        kinds = [k for k in ("grad_of", "value_of", "has_creator", "probe") if k in step]
        if len(kinds) != 1:
            raise self.fail(step, "record needs exactly one of grad_of, value_of, has_creator, probe")
        kind = kinds[0]
        if kind == "probe" and step.get("probe") == "param_count":  # of names a Layer, not a value
            self.records[key] = np.array(float(self.param_count(step)))
            return
        slot = self.ref(step, step["of" if kind == "probe" else kind])
        value: Record
        if kind == "probe":
            value = self.probe(step, slot)
        elif kind == "value_of" and "property" in step:
            value = self.property(step, self.values[slot])
        elif kind == "value_of":
            value = self.values[slot]
        elif kind == "has_creator":
            value = self.has_creator(step, slot)
        elif "via" in step:
            value = self.via(step, slot)
        else:
            value = self.grad(slot)
        self.records[key] = value if value is None or isinstance(value, bool) else _f64(value)

    def property(self, step: Mapping[str, Any], value: np.ndarray) -> np.ndarray:
        name = str(step["property"])
        if self.family != "dezero" or name not in PROPERTIES:
            known = ", ".join(PROPERTIES)
            raise self.fail(step, f"no property {name!r} for {self.family}; DeZero's: {known}")
        return PROPERTIES[name](value)

    # Family-specific steps; the defaults reject the step for families that lack it.
    def backward(self, step: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def grad(self, slot: int) -> np.ndarray | None:
        raise NotImplementedError

    def backward_local(self, step: Mapping[str, Any]) -> None:
        group = self.group_of(step, "of")
        out = group[-1].out
        seed = self.array(step, "upstream")
        # Only the nodes' own (local) gradients matter here; totals stay as the last backward left them.
        self.reverse(group, out, np.ones_like(self.values[out]) if seed is None else seed)

    def reverse(self, nodes: Sequence[_Node], out: int, seed: np.ndarray) -> dict[int, np.ndarray]:
        raise NotImplementedError

    def has_creator(self, step: Mapping[str, Any], slot: int) -> bool:
        raise self.fail(step, f"has_creator is a DeZero record; {self.family} has no creators")

    def probe(self, step: Mapping[str, Any], slot: int) -> Record:
        raise self.fail(step, f"probe is a DeZero record; {self.family} has no probe {step.get('probe')!r}")

    def cleargrad(self, step: Mapping[str, Any]) -> None:
        raise self.fail(step, f"cleargrad is a DeZero step; {self.family} has no cleargrad")

    def take_grad(self, step: Mapping[str, Any]) -> None:
        raise self.fail(step, f"grad is a DeZero step (steps 32 on); {self.family} has no Variable gradients")

    def sgd(self, step: Mapping[str, Any]) -> None:
        raise self.fail(step, f"sgd is a MiniFlow step; {self.family} has no sgd_update")

    def layer_params(self, step: Mapping[str, Any], key: str) -> list[int]:
        name = step.get(key)
        if self.family != "dezero" or name not in self.layers:
            raise self.fail(step, f"{name!r} is no layer of an earlier apply step (DeZero step 44 on)")
        if str(name) in self.nested and step.get("do") in self.semantics.params_skip_layers_in:
            return []  # the mistake: params() yields the Layer's own Parameters only, and an MLP has none
        if step.get("do") in self.semantics.params_none_in:
            return []  # the mistake: the Layer's method reaches no Parameter, nested or its own
        return self.layers[str(name)]

    def cleargrads(self, step: Mapping[str, Any]) -> None:
        raise self.fail(step, f"cleargrads is a DeZero step; {self.family} has no Layer")

    def optimize(self, step: Mapping[str, Any]) -> None:
        raise self.fail(step, f"optimize is a DeZero step; {self.family} has no Optimizer")

    def save_load(self, step: Mapping[str, Any]) -> None:
        """DeZero step 53: a fresh layer loading what the case's layer saved holds the arrays the case set
        (the case's own inputs: the expected values need no engine; the torch oracle round-trips them)."""
        if self.family != "dezero":
            raise self.fail(step, f"save_load is a DeZero step; {self.family} has no save_weights")
        out = str(step["out"])
        for name in step["args"][1:]:
            if name not in self.inputs:
                raise self.fail(step, f"save_load's {name!r} is not an input of the case")
            self.records[f"{out}_{name}"] = _f64(self.inputs[name])

    def dataloader(self, step: Mapping[str, Any]) -> None:
        """DeZero steps 49 and 50, by hand: the Dataset's items (data doubled by the case's transform, the
        labels as given) and, each epoch, the batches of `batch_size` in order, the last one partial:
        ceil(n / batch_size) of them. A shuffled epoch's records are this order; the judge accepts any
        permutation of it (grader/judge/loader_order.py)."""
        if self.family != "dezero":
            raise self.fail(step, f"dataloader is a DeZero step; {self.family} has no DataLoader")
        data, label = (self.values[self.ref(step, name)] for name in step["args"])
        settings = dict(step.get("settings") or {})
        n, size = len(data), int(settings.get("batch_size", 1))
        out = str(step["out"])
        self.records[f"{out}_items_x"] = _f64(data.reshape(n, -1) * 2)
        self.records[f"{out}_items_t"] = _f64(label.reshape(-1))
        self.records[f"{out}_len"] = _f64(np.array(n))
        for epoch in range(int(settings.get("epochs", 1))):
            starts = range(0, n, size)
            self.records[f"{out}_e{epoch}_sizes"] = _f64(np.array([len(data[i : i + size]) for i in starts]))
            self.records[f"{out}_e{epoch}_x"] = _f64(np.concatenate([data[i : i + size] for i in starts]) * 2)
            self.records[f"{out}_e{epoch}_t"] = _f64(np.concatenate([label[i : i + size] for i in starts]))


@dataclass
class _Tape(_Engine):
    """MiniFlow and DLFS layers: each backward walks every applied node in reverse, gradients fresh."""

    totals: dict[int, np.ndarray] = field(default_factory=dict)

    def combine(self, contributions: list[tuple[float, np.ndarray]], cls: str) -> np.ndarray:
        """The gradient of a value from its consumers' contributions, as the backward of `cls` (the class
        that produced the value, "Input" for an input) sums them."""
        ordered = sorted(contributions, key=lambda c: c[0])  # consumers in the order they were built
        if not self.semantics.accumulate or cls in self.semantics.overwrite_in:
            return ordered[-1][1]  # the student assigned in a loop: the last consumer built wins
        total = ordered[0][1]
        for _, g in ordered[1:]:
            total = total + g
        return total

    def reverse(
        self,
        nodes: Sequence[_Node],
        out: int,
        seed: np.ndarray,
        carried: Mapping[int, Grads | None] | None = None,
    ) -> dict[int, np.ndarray]:
        """`carried`: each node's local gradients of the last pass, which its own are added onto (and passed
        on, so the nodes before it compute from them: Semantics.carry_locals). Not the cost's: MiniFlow's
        MSE.backward assigns its gradients (`=`); the others sum over their outbound nodes (`+=`)."""
        contributions: dict[int, list[tuple[float, np.ndarray]]] = {out: [(math.inf, _f64(seed))]}
        for node in reversed(nodes):
            if node.out not in contributions:
                continue
            node.local = self.local(node, contributions[node.out])
            old = carried.get(node.index) if carried is not None and node.out != out else None
            if old is not None:
                node.local = tuple(
                    None if a is None or b is None else a + b for a, b in zip(node.local, old, strict=True)
                )
            for arg, gx in zip(node.args, node.local, strict=True):
                if gx is not None:
                    contributions.setdefault(arg, []).append((node.index, gx))
        producers = {node.out: node.cls for node in self.nodes}
        return {slot: self.combine(c, producers.get(slot, "Input")) for slot, c in contributions.items()}

    def local(self, node: _Node, contributions: list[tuple[float, np.ndarray]]) -> Grads:
        """A node's own input gradients from its consumers' gradients for its output."""
        if node.cls not in self.semantics.per_consumer or len(contributions) < 2:
            return self.vjp(node, self.combine(contributions, node.cls))
        # The lesson's loop over outbound nodes, each one's gradient through the formula, the results added.
        parts = [self.vjp(node, g) for _, g in sorted(contributions, key=lambda c: c[0])]
        total = list(parts[0])
        for part in parts[1:]:
            total = [None if a is None or b is None else a + b for a, b in zip(total, part, strict=True)]
        return tuple(total)

    def backward_local(self, step: Mapping[str, Any]) -> None:
        if self.family == "miniflow" and self.ref(step, step.get("of")) not in self.groups:
            return  # Input.backward computes nothing: it sums what its consumers' own backward gave it (via)
        super().backward_local(step)

    def via(self, step: Mapping[str, Any], slot: int) -> Record:
        held = self.ref(step, step.get("via"))
        if self.family != "miniflow" or held in self.groups:
            return super().via(step, slot)
        # An Input's own gradient: its consumers' local gradients for it, combined as Input.backward does.
        contributions = [
            (float(node.index), gx)
            for node in self.nodes
            if node.local is not None
            for arg, gx in zip(node.args, node.local, strict=True)
            if arg == slot == held and gx is not None
        ]
        return self.combine(contributions, "Input") if contributions else None

    def probe(self, step: Mapping[str, Any], slot: int) -> Record:
        """MiniFlow's Node wiring as the lesson's Node.__init__ sets it: always as built."""
        if self.family == "miniflow" and step.get("probe") in ("inbound", "outbound", "gradients_dict"):
            return slot in self.groups
        return super().probe(step, slot)

    def forward_all(self) -> None:
        for node in self.nodes:
            self.values[node.out] = self.forward(node.op, [self.values[a] for a in node.args], node.settings)

    def backward(self, step: Mapping[str, Any]) -> None:
        if self.family == "miniflow":
            self.forward_all()  # forward_and_backward recomputes values (sgd may have moved the inputs)
        out = self.ref(step, step.get("of"))
        seed = self.array(step, "upstream")
        previous = {node.index: node.local for node in self.nodes}
        for node in self.nodes:
            node.local = None
        carried = previous if self.semantics.carry_locals else None
        start = np.ones_like(self.values[out]) if seed is None else seed
        numerical = self.numerical_net(out)
        fresh = numerical if numerical is not None else self.reverse(self.nodes, out, start, carried)
        if self.semantics.clear_between:
            self.totals = fresh
            return
        # The mistake: nothing was reset, so this call's gradients land on top of the last call's.
        self.totals = {s: self.totals[s] + g if s in self.totals else g for s, g in fresh.items()}
        if carried is not None:
            return  # each node's local gradients hold the last pass's already (reverse)
        for node in self.nodes:
            old = previous[node.index]
            if old is not None and node.local is not None:
                node.local = tuple(
                    None if a is None or b is None else a + b for a, b in zip(node.local, old, strict=True)
                )

    def numerical_net(self, out: int, h: float = 1e-4) -> dict[int, np.ndarray] | None:
        """Semantics.numerical_net_gradient: the gradients of a TwoLayerNet's params by the book's central
        differences (common/gradient.py numerical_gradient: each element moved by +h, then -h, its loss
        recomputed), where `out` is a TwoLayerNet's loss; None for anything else."""
        op, args = self.composites.get(out, ("", ()))
        if not self.semantics.numerical_net_gradient or op != "two_layer_net":
            return None
        group = self.groups[out]

        def loss() -> float:
            for node in group:
                xs = [self.values[a] for a in node.args]
                self.values[node.out] = self.forward(node.op, xs, node.settings)
            return float(self.values[out])

        grads: dict[int, np.ndarray] = {}
        for slot in args[2:]:  # x and t have no entry in the network's gradients
            x = self.values[slot]
            g = np.zeros_like(x)
            for idx in np.ndindex(x.shape):
                kept = float(x[idx])
                x[idx] = kept + h
                above = loss()
                x[idx] = kept - h
                below = loss()
                g[idx] = (above - below) / (2 * h)
                x[idx] = kept
            grads[slot] = g
        loss()  # the values as the unmoved params give them
        return grads

    def grad(self, slot: int) -> np.ndarray | None:
        return self.totals.get(slot)

    def sgd(self, step: Mapping[str, Any]) -> None:
        if self.family != "miniflow":
            super().sgd(step)
        lr = 1.0 if self.semantics.sgd_lr_ignored else float(step.get("lr", 1e-2))
        for name in step.get("params", []):
            slot = self.ref(step, name)
            if slot not in self.totals:
                raise self.fail(step, f"sgd on {name!r} before any backward gave it a gradient")
            if self.semantics.sgd_direction < 0:  # the textbook step
                self.values[slot] = self.values[slot] - lr * self.totals[slot]
            elif self.semantics.sgd_direction > 0:
                self.values[slot] = self.values[slot] + lr * self.totals[slot]


@dataclass(eq=False)
class _Var:
    data: np.ndarray
    grad: np.ndarray | None = None
    creator: _Fn | None = None
    generation: int = 0
    # The slot of the Variable `grad` is when backward(create_graph=True) built it (steps 32 on): the next
    # backward can start from it. None when the gradient was computed without a graph.
    grad_var: int | None = None


@dataclass(eq=False)
class _Fn:
    node: _Node
    inputs: list[_Var]
    output: _Var
    generation: int


@dataclass
class _Pending:
    """Variable.backward's list of functions still to run: each once (the step-14 loop re-appends it), the
    highest generation popped first (without generation order: last in, first out)."""

    semantics: Semantics
    waiting: list[_Fn] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def add(self, f: _Fn) -> None:
        if id(f) not in self.seen or not self.semantics.unique_funcs:
            self.waiting.append(f)
            self.seen.add(id(f))
            if self.semantics.generation_order:
                self.waiting.sort(key=lambda fn: fn.generation)


@dataclass
class _DeZero(_Engine):
    """DeZero steps 1 to 18, following the book's Variable.backward line by line."""

    vars: dict[int, _Var] = field(default_factory=dict)
    producers: dict[int, _Fn] = field(default_factory=dict)
    velocities: dict[int, np.ndarray] = field(default_factory=dict)  # MomentumSGD's vs (step 46)
    backprop_left_off: bool = False  # no_grad_sticks: a no_grad switched backprop off for good

    def var(self, slot: int) -> _Var:
        if slot not in self.vars:
            self.vars[slot] = _Var(self.values[slot])
        return self.vars[slot]

    def on_apply(self, step: Mapping[str, Any], group: list[_Node]) -> None:
        off = bool(step.get("no_grad", False)) or self.backprop_left_off
        self.backprop_left_off = off and self.semantics.no_grad_sticks
        for node in group:  # a composite (step 45's MLP) is its functions, each wired in turn
            self.wire(node, recorded=not off)

    def wire(self, node: _Node, *, recorded: bool) -> None:
        inputs = [self.var(a) for a in node.args]
        output = self.var(node.out)
        fn = _Fn(node, inputs, output, max(v.generation for v in inputs))
        self.producers[node.out] = fn
        if recorded:
            output.creator = fn
            output.generation = fn.generation + 1

    def reverse(self, nodes: Sequence[_Node], out: int, seed: np.ndarray) -> dict[int, np.ndarray]:
        (node,) = nodes
        node.local = self.vjp(node, seed)
        return {}

    def pending(self, y: _Var) -> _Pending:
        funcs = _Pending(self.semantics)
        if y.creator is not None:
            funcs.add(y.creator)
        return funcs

    def backward(self, step: Mapping[str, Any]) -> None:
        if step.get("create_graph"):
            self.backward_graph(step)
            return
        y = self.var(self.ref(step, step.get("of")))
        seed = self.array(step, "upstream")
        if seed is not None:
            y.grad = _f64(seed)
        if y.grad is None or self.semantics.seed_always:
            y.grad = np.ones_like(y.data)
        start = y.grad  # what `f.backward(self.grad)` hands every function (Semantics.upstream_from_start)
        retain = bool(step.get("retain_grad", False))
        funcs = self.pending(y)
        while funcs.waiting:
            f = funcs.waiting.pop()
            gy = start if self.semantics.upstream_from_start else f.output.grad
            if gy is None:
                continue
            f.node.local = self.vjp(f.node, gy)
            for x, gx in zip(f.inputs, f.node.local, strict=True):
                if gx is None:
                    continue
                x.grad_var = None  # computed without a graph
                if x.grad is not None and self.semantics.inplace_accumulate:
                    x.grad += gx
                else:
                    x.grad = gx if x.grad is None or not self.semantics.accumulate else _f64(x.grad + gx)
                if x.creator is not None:
                    funcs.add(x.creator)
            if not retain and self.semantics.free_intermediate:
                f.output.grad, f.output.grad_var = None, None

    # Steps 32 to 35: backward(create_graph=True), the gradients built as Variables with creators.
    def build(self, cls: str, *args: int, **settings: Any) -> int:
        """Builder.build (reference/graph_vjps.py): a function applied with backprop on, as under
        `using_config('enable_backprop', True)` inside a function's backward."""
        op = self.family_ops[cls]
        out = self.new_slot(self.forward(op, [self.values[a] for a in args], settings))
        node = _Node(cls, op, tuple(args), out, len(self.nodes), settings=settings)
        self.nodes.append(node)
        self.groups[out] = [node]
        self.wire(node, recorded=True)
        return out

    def const(self, value: float, like: int) -> int:
        return self.new_slot(np.full(np.shape(self.values[like]), value, dtype=np.float64))

    def detached(self, slot: int) -> int:
        return self.new_slot(np.array(self.values[slot], dtype=np.float64))

    def graph_vjp(self, node: _Node, g: int) -> tuple[int | None, ...]:
        if not self.semantics.graph_backward:
            # The mistake: backward computed on `.data` (ndarrays), so each gradient is a Variable with no
            # creator and the next backward finds no path back to the inputs.
            return tuple(None if gx is None else self.new_slot(gx) for gx in self.vjp(node, self.values[g]))
        base = _unprefixed(node.op)
        fn = self.graph_vjps.get(node.op) or self.graph_vjps.get(base) or GRAPH_VJPS.get(base)
        if fn is None:
            raise StepError(f"step {self.step}: {node.cls} has no backward written with Variables")
        return fn(self, g, node.args, node.out, node.settings)

    def backward_graph(self, step: Mapping[str, Any]) -> None:
        y = self.var(self.ref(step, step.get("of")))
        seed = self.array(step, "upstream")
        if seed is not None:  # `y.grad = u` before the call, as the plain backward takes it: a constant
            y.grad, y.grad_var = _f64(seed), None
        if y.grad is None or self.semantics.seed_always:
            y.grad, y.grad_var = np.ones_like(y.data), None
        if y.grad_var is None:
            y.grad_var = self.new_slot(y.grad)  # the seed Variable(np.ones_like(self.data)): no creator
        retain = bool(step.get("retain_grad", False))
        funcs = self.pending(y)
        while funcs.waiting:
            f = funcs.waiting.pop()
            if f.output.grad_var is None:
                continue
            gxs = self.graph_vjp(f.node, f.output.grad_var)
            f.node.local = tuple(None if gx is None else self.values[gx] for gx in gxs)
            for x, gx in zip(f.inputs, gxs, strict=True):
                if gx is None:
                    continue
                if x.grad is not None and x.grad_var is None:
                    x.grad_var = self.new_slot(x.grad)  # a gradient kept from a backward without a graph
                if x.grad_var is not None and self.semantics.accumulate:
                    gx = self.build("Add", x.grad_var, gx)  # x.grad = x.grad + gx, itself recorded
                x.grad_var, x.grad = gx, self.values[gx]
                if x.creator is not None:
                    funcs.add(x.creator)
            if not retain and self.semantics.free_intermediate:
                f.output.grad, f.output.grad_var = None, None

    def take_grad(self, step: Mapping[str, Any]) -> None:
        """`gx = x.grad`: the gradient as a Variable of its own, with its graph when it has one."""
        x = self.var(self.ref(step, step.get("of")))
        if x.grad is None:
            raise self.fail(step, f"{step.get('of')!r} has no gradient to take")
        out = step.get("out")
        if not isinstance(out, str):
            raise self.fail(step, "grad needs an 'out' name")
        self.names[out] = x.grad_var if x.grad_var is not None else self.new_slot(_f64(x.grad))

    def grad(self, slot: int) -> np.ndarray | None:
        return self.var(slot).grad

    def has_creator(self, step: Mapping[str, Any], slot: int) -> bool:
        return self.var(slot).creator is not None

    def probe(self, step: Mapping[str, Any], slot: int) -> Record:
        """The book's Variable and Function (steps 9 to 17), read directly."""
        name = step.get("probe")
        v = self.var(slot)
        if name == "rejects_float":  # step 9: data must be an ndarray (or None)
            return not isinstance(float(self.values[slot].reshape(-1)[0]), np.ndarray)
        if name == "returns_variable":  # step 12: one output comes back alone
            return slot in self.producers
        if name in ("keeps_inputs", "keeps_output"):  # kept only when the function was recorded
            return v.creator is not None
        if name == "generation":
            return np.array(float(v.generation))
        if name == "function_generation":
            if v.creator is None:
                raise self.fail(step, "function_generation of a value without a creator")
            return np.array(float(v.creator.generation))
        return super().probe(step, slot)

    def unchain_backward(self, step: Mapping[str, Any]) -> None:
        """Step 59's Variable.unchain_backward: every function below the variable, its inputs' creators set
        to None (the variable's own kept, as the book's loop leaves it); the mistake unchains it alone."""
        y = self.var(self.ref(step, step.get("of")))
        if self.semantics.recurrent_mistake == "unchain_top_only":
            y.creator = None
            return
        funcs = [] if y.creator is None else [y.creator]
        while funcs:
            f = funcs.pop()
            for x in f.inputs:
                if x.creator is not None:
                    funcs.append(x.creator)
                    x.creator = None

    def cleargrad(self, step: Mapping[str, Any]) -> None:
        if self.semantics.clear_between:
            x = self.var(self.ref(step, step.get("of")))
            x.grad, x.grad_var = None, None

    def cleargrads(self, step: Mapping[str, Any]) -> None:
        """Step 44: Layer.cleargrads(), each parameter's cleargrad()."""
        if self.semantics.clear_between:
            for slot in self.layer_params(step, "of"):
                self.var(slot).grad, self.var(slot).grad_var = None, None

    def optimize(self, step: Mapping[str, Any]) -> None:
        """Step 46: `optimizer.setup(layer)`, then `update()` `times` times on the parameters with a grad."""
        kind = step.get("optimizer")
        if kind not in OPTIMIZERS:
            raise self.fail(step, f"unknown optimizer {kind!r}; known: {', '.join(OPTIMIZERS)}")
        settings = dict(step.get("settings") or {})
        for _ in range(int(step.get("times", 1))):
            for slot in self.layer_params(step, "target"):
                g = self.var(slot).grad
                if g is not None and np.shape(g) != np.shape(self.values[slot]):  # as param.data -= would
                    raise self.fail(
                        step, f"a gradient of shape {np.shape(g)} cannot update {np.shape(self.values[slot])}"
                    )
                if g is not None:
                    self.values[slot] = self.var(slot).data = _f64(OPTIMIZERS[kind](self, slot, g, settings))


def _sgd(e: _DeZero, slot: int, g: np.ndarray, settings: Mapping[str, Any]) -> np.ndarray:
    """Step 46's SGD.update_one: param.data -= self.lr * param.grad.data."""
    lr = 1.0 if e.semantics.sgd_lr_ignored else float(settings.get("lr", 0.01))
    return e.values[slot] + e.semantics.sgd_direction * lr * g


def _momentum_sgd(e: _DeZero, slot: int, g: np.ndarray, settings: Mapping[str, Any]) -> np.ndarray:
    """Step 46's MomentumSGD.update_one: v *= momentum; v -= lr * grad; param.data += v (v from zeros)."""
    lr, momentum = float(settings.get("lr", 0.01)), float(settings.get("momentum", 0.9))
    v = momentum * e.velocities.get(slot, np.zeros_like(g)) + e.semantics.momentum_sign * lr * g
    e.velocities[slot] = v
    return e.values[slot] + v


OPTIMIZERS: dict[str, Callable[[_DeZero, int, np.ndarray, Mapping[str, Any]], np.ndarray]] = {
    "SGD": _sgd,
    "MomentumSGD": _momentum_sgd,
}


ENGINES: dict[str, type[_Engine]] = {"miniflow": _Tape, "dezero": _DeZero, "layers": _Tape}

STEPS: dict[str, Callable[[_Engine, Mapping[str, Any]], None]] = {
    "apply": _Engine.apply,
    "backward": lambda e, s: e.backward(s),
    "backward_local": lambda e, s: e.backward_local(s),
    "record": _Engine.record,
    "cleargrad": lambda e, s: e.cleargrad(s),
    "grad": lambda e, s: e.take_grad(s),
    "sgd": lambda e, s: e.sgd(s),
    "cleargrads": lambda e, s: e.cleargrads(s),
    "optimize": lambda e, s: e.optimize(s),
    "reset_state": lambda e, s: e.reset_state(s),  # steps 59 and 60
    "unchain_backward": lambda e, s: e.unchain_backward(s),
    "dataloader": lambda e, s: e.dataloader(s),
    "save_load": lambda e, s: e.save_load(s),
}


def run_case(
    family: str,
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    *,
    mutation: str | None = None,
    extension: Extension | None = None,
) -> dict[str, Record]:
    """Run `steps` on `inputs` with `family`'s semantics; return the records (float64 arrays, bools, None).

    With `mutation` (a name in reference.mutations.MUTATIONS, or a key of `extension.mutations`) the engine
    reproduces that known mistake. `extension` adds an assignment's own ops (reference/extension.py).
    Raises StepError (a ValueError) naming the step for anything it cannot run.
    """
    fam = canonical_family(family)
    vjps: Mapping[str, Vjp] = {}
    forwards: Mapping[str, Callable[..., np.ndarray]] = {}
    graph_vjps: Mapping[str, GraphVjp] = {}
    semantics = Semantics()
    mutations: Mapping[str, Mutation] = {**MUTATIONS, **(extension.mutations if extension else {})}
    if mutation is not None:
        if mutation not in mutations:
            raise ValueError(f"unknown mutation {mutation!r}; known: {', '.join(mutations)}")
        m = mutations[mutation]
        if fam not in m.families:
            raise ValueError(f"mutation {mutation!r} does not apply to {fam} (it applies to {m.families})")
        vjps, semantics, forwards, graph_vjps = m.vjps, m.semantics, m.forwards, m.graph_vjps
    return _run(fam, inputs, steps, vjps, semantics, forwards, graph_vjps, extension)


def _run(
    fam: str,
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    vjps: Mapping[str, Vjp],
    semantics: Semantics,
    forwards: Mapping[str, Callable[..., np.ndarray]],
    graph_vjps: Mapping[str, GraphVjp],
    extension: Extension | None,
) -> dict[str, Record]:
    ops: Mapping[str, Op] = OPS if extension is None else {**OPS, **extension.reference_ops()}
    family_ops = FAMILY_OPS[fam] if extension is None else {**FAMILY_OPS[fam], **extension.classes(fam)}
    engine = ENGINES[fam](fam, inputs, vjps, semantics, ops, family_ops, forwards, graph_vjps)
    for i, step in enumerate(steps):
        engine.step = i
        do = step.get("do") if isinstance(step, Mapping) else None
        if do not in STEPS:
            raise StepError(f"step {i} {step!r}: unknown step {do!r}; known: {', '.join(STEPS)}")
        STEPS[do](engine, step)
    return engine.records


class _Asked(Mapping[str, Any]):
    """An empty table of a mistake's replacements that keeps every name it is asked for. The engine only
    looks names up in these tables (`get`, `in`); anything else would make `mistake_lookups` unsound: it
    raises."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.asked.add(name)
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        self.asked.add(name)
        return default

    def __contains__(self, name: object) -> bool:
        self.asked.add(str(name))
        return False

    def __iter__(self) -> Any:
        raise TypeError("a mistake's table was iterated: mistake_lookups cannot tell what it replaces")

    def __len__(self) -> int:
        raise TypeError("a mistake's table was sized: mistake_lookups cannot tell what it replaces")


class _AskedSemantics(Semantics):
    """The textbook `Semantics` that keeps the name of every attribute the engine reads of it (a flag, or a
    method, whose own reads of the flags are kept too). A flag the right run never read cannot have changed
    its course: a mutation that changes only such flags runs exactly as the right engine does."""

    def __init__(self, read: set[str]) -> None:
        super().__init__()
        object.__setattr__(self, "_read", read)

    def __getattribute__(self, name: str) -> Any:
        if name != "_read" and not name.startswith("__"):
            object.__getattribute__(self, "_read").add(name)
        return object.__getattribute__(self, name)


@functools.cache
def _changed_flags(semantics: Semantics) -> frozenset[str]:
    """The flags of `semantics` that differ from the textbook's (a mutation's own, read once a mutation)."""
    return frozenset(
        f.name for f in fields(Semantics) if getattr(semantics, f.name) != getattr(_TEXTBOOK, f.name)
    )


_TEXTBOOK = Semantics()


@dataclass(frozen=True)
class RightRun:
    """The right run of a case's steps (`mistake_lookups`): its records, the names it looked up in a mistake's
    tables (`vjps`, `forwards`, `graph_vjps`), and the `Semantics` flags it read."""

    records: dict[str, Record]
    looked_up: frozenset[str]
    flags_read: frozenset[str]

    def runs_as(self, mutation: Mutation) -> bool:
        """Whether `mutation` runs exactly as this right run did (and gives its records): it replaces none of
        the names the run looked up and changes none of the flags it read. A mistake in a table the run never
        asks for, or in a flag it never reads, cannot change its course."""
        return self.looked_up.isdisjoint(
            {*mutation.vjps, *mutation.forwards, *mutation.graph_vjps}
        ) and self.flags_read.isdisjoint(_changed_flags(mutation.semantics))


def mistake_lookups(
    family: str,
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    extension: Extension | None = None,
) -> RightRun | None:
    """The right run of `steps` (`RightRun`: its records, the names the engine looked up in a mistake's
    tables and the semantic flags it read on the way); None where it cannot tell (the run fails). A mutation
    that changes none of these runs exactly as the right engine does and gives these records: grader/cases.py
    need not run it (most of a case's mutations are other ops' or other steps' flags)."""
    asked, read = _Asked(), set[str]()
    try:
        records = _run(
            canonical_family(family), inputs, steps, asked, _AskedSemantics(read), asked, asked, extension
        )
    except Exception:  # the run itself fails or a table was used otherwise: every mutation is run
        return None
    return RightRun(records, frozenset(asked.asked), frozenset(read))
