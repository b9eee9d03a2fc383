"""The torch oracle: the step language of docs/ARCHITECTURE.md section 2 run on torch autograd, float64.

Same signature and records as `reference.evaluate.run_case`, computed independently, so a fixture is only
stored when both agree. Torch is imported here and nowhere else in `grader/` (rule 5 of DESIGN.md): this
module is never on the grading path.

Limits: DeZero `retain_grad=True` across two backward calls is not modelled (DeZero then feeds its
accumulated intermediate grads into the next pass; torch does not).
"""

from __future__ import annotations

import io
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from grader.oracles.book_functions import TEST_FUNCTIONS
from reference.extension import Extension
from reference.properties import book_repr, text_codes

Record = np.ndarray | bool | None
Tensor = torch.Tensor

FAMILIES = {"miniflow": "miniflow", "dezero": "dezero", "layers": "layers", "dlfs-layers": "layers"}


def _rows(x: Tensor) -> int:
    return x.shape[0] if x.dim() > 1 else 1


def _one_hot(t: Tensor, x: Tensor) -> Tensor:
    t = t.detach()
    if t.shape == x.shape:
        return t
    labels = torch.round(t).to(torch.int64).reshape(-1)
    return torch.nn.functional.one_hot(labels, x.shape[-1]).to(torch.float64).reshape(x.shape)


def _softmax_ce(x: Tensor, t: Tensor) -> Tensor:
    onehot = _one_hot(t, x)
    book = -(onehot * torch.log(torch.softmax(x, dim=-1) + 1e-7)).sum() / _rows(x)
    exact = -(onehot * torch.log_softmax(x, dim=-1)).sum() / _rows(x)
    # The book's value keeps 1e-7 inside the log, but its backward is (y - t) / N, the derivative of the
    # exact loss; torch differentiates `exact` and reports the book's value.
    return exact + (book - exact).detach()


def _mse(y: Tensor, a: Tensor) -> Tensor:
    return ((y.reshape(-1, 1) - a.reshape(-1, 1)) ** 2).mean()


def _two_layer_net(x: Tensor, t: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
    h = torch.relu(_linear(x, w1, b1))
    return _softmax_ce(_linear(h, w2, b2), t)


def _linear(x: Tensor, w: Tensor, b: Tensor) -> Tensor:
    if x.dim() == 1:  # one sample as a vector: the Linear quiz's neuron, sum(x_i * w_i) + b
        return torch.matmul(x, w) + b
    return x.reshape(x.shape[0], -1) @ w + b


def _two_layer_predict(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
    return _linear(torch.relu(_linear(x, w1, b1)), w2, b2)


def _two_layer_accuracy(x: Tensor, t: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
    # Written from the book's accuracy, not from the reference: argmax of the scores against the class of t.
    guess = torch.argmax(_two_layer_predict(x, w1, b1, w2, b2), dim=1)
    target = torch.argmax(t, dim=1) if t.dim() != 1 else torch.round(t).to(torch.int64)
    return (guess == target).to(torch.float64).mean().detach()


def _mlp(x: Tensor, *params: Tensor) -> Tensor:
    # Written from the book's MLP.forward (step 45), not from the reference: x = sigmoid(l(x)) for every
    # Linear layer but the last, whose output is returned as it is.
    pairs = list(zip(params[::2], params[1::2], strict=True))
    for w, b in pairs[:-1]:
        x = torch.sigmoid(x @ w + b)
    w, b = pairs[-1]
    return x @ w + b


def _sum(x: Tensor, *, axis: int | None = None, keepdims: bool = False) -> Tensor:
    dims = tuple(range(x.dim())) if axis is None else (axis,)
    return torch.sum(x, dim=dims, keepdim=bool(keepdims)) if dims else x


def _sum_to(x: Tensor, *, shape: Sequence[int]) -> Tensor:
    # Written from the book's utils.sum_to, not from the reference: the leading axes, then the 1-long ones.
    lead = x.dim() - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1)
    y = torch.sum(x, dim=axes, keepdim=True) if axes else x
    return y.reshape(tuple(shape))


def _labels(t: Tensor) -> Tensor:
    return torch.round(t.detach()).to(torch.int64)


def _get_item(x: Tensor, index: Tensor) -> Tensor:
    # DeZero step 47's x[slices] along the first axis; torch's indexing backward sums a repeated index.
    labels = _labels(index)
    return x[int(labels)] if labels.dim() == 0 else x[labels]


def _accuracy(y: Tensor, t: Tensor) -> Tensor:
    # DeZero step 50, written from the book: the rows whose argmax over the classes is the label, a fraction.
    return (torch.argmax(y.detach(), dim=1) == _labels(t).reshape(-1)).to(torch.float64).mean()


def _dropout(x: Tensor, *, dropout_ratio: float = 0.5, seed: int = 0, train: bool = True) -> Tensor:
    # DeZero step 54, written from the book: after np.random.seed(seed), keep np.random.rand(*x.shape) >
    # dropout_ratio and scale the kept by 1 / (1 - dropout_ratio) while training; test mode returns x.
    if not train:
        return x
    draw = np.random.RandomState(int(seed)).rand(*x.shape)
    return x * torch.from_numpy(draw > dropout_ratio).to(torch.float64) / (1.0 - dropout_ratio)


def _softmax_cross_entropy(x: Tensor, t: Tensor) -> Tensor:
    # DeZero step 47: the mean over rows of -log softmax(x)[t], no 1e-7 anywhere (unlike DLFS's softmax_ce).
    return torch.nn.functional.cross_entropy(x, _labels(t).reshape(-1))


def _pair(v: object) -> tuple[int, int]:
    """DeZero's utils.pair, as reference/ops.py reads it: k (an int, numpy's or a whole float such as 2.0
    from JSON) is (k, k); a pair stays itself. It read np.int64(2) as a pair and raised on 2.0."""
    if isinstance(v, (numbers.Integral, float, np.floating)):
        return _whole(v), _whole(v)
    return _whole(v[0]), _whole(v[1])  # type: ignore[index]


def _whole(v: object) -> int:
    if isinstance(v, (float, np.floating)) and not float(v).is_integer():
        raise ValueError(f"a kernel size, stride or pad is a whole number, not {v!r}")
    return int(v)  # type: ignore[call-overload]


def _im2col(x: Tensor, *, kernel_size: object = 1, stride: object = 1, pad: object = 0) -> Tensor:
    # DeZero step 57's to_matrix layout, rows (n, oh, ow) and columns (c, kh, kw), from torch's unfold
    cols = torch.nn.functional.unfold(x, _pair(kernel_size), padding=_pair(pad), stride=_pair(stride))
    return cols.transpose(1, 2).reshape(-1, cols.shape[1])


def _pooling(x: Tensor, *, kernel_size: object = 1, stride: object = 1, pad: object = 0) -> Tensor:
    # DeZero pads a pooling with zeros, torch with -inf: equal only without padding (no case pads one)
    if _pair(pad) != (0, 0):
        raise ValueError("the torch oracle pools without padding only (DeZero pads with zeros)")
    return torch.nn.functional.max_pool2d(x, _pair(kernel_size), stride=_pair(stride))


TORCH_OPS: dict[str, Callable[..., Tensor]] = {
    "linear": _linear,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "mse": _mse,
    "softmax_ce": _softmax_ce,
    "get_item": _get_item,  # DeZero step 47
    "softmax": lambda x, axis=1: torch.softmax(x, dim=axis),
    "softmax_cross_entropy": _softmax_cross_entropy,
    "accuracy": _accuracy,  # DeZero step 50
    "dezero_dropout": _dropout,  # DeZero step 54
    # DeZero step 57 (stage step57; tests/reference/test_dezero_step57.py proves the reference's against them)
    "im2col": _im2col,
    "conv2d": lambda x, w, b, *, stride=1, pad=0: torch.nn.functional.conv2d(
        x, w, b, stride=_pair(stride), padding=_pair(pad)
    ),
    "dezero_pooling": _pooling,  # "pooling" is dlfs-advanced's extension op (fixtures/dlfs-advanced/ops.py)
    "mul": torch.mul,
    "add": torch.add,
    "square": torch.square,
    "exp": torch.exp,
    "neg": torch.neg,
    "sub": torch.sub,
    "div": torch.div,
    "pow": lambda x, *, c=2.0: x**c,
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "reshape": lambda x, *, shape: x.reshape(tuple(shape)),
    "transpose": lambda x: x.permute(*reversed(range(x.dim()))),
    "sum": _sum,
    "broadcast_to": lambda x, *, shape: torch.broadcast_to(x, tuple(shape)),
    "sum_to": _sum_to,
    "matmul": torch.matmul,
    "mean_squared_error": lambda a, b: ((a - b) ** 2).sum() / (a - b).shape[0],  # DeZero step 42
    "two_layer_net": _two_layer_net,
    "two_layer_predict": _two_layer_predict,
    "two_layer_accuracy": _two_layer_accuracy,
    "mlp": _mlp,
    **TEST_FUNCTIONS,  # steps 24 and 28: the step file's own sphere ... rosenbrock
}
# Class names per family, kept here so that this oracle shares no code with the reference.
CLASS_OPS: dict[str, dict[str, str]] = {
    "miniflow": {"Linear": "linear", "Sigmoid": "sigmoid", "MSE": "mse", "Add": "add", "Mul": "mul"},
    "dezero": {
        "Square": "square",
        "Exp": "exp",
        "Add": "add",
        "Mul": "mul",
        "square": "square",
        "exp": "exp",
        "add": "add",
        "mul": "mul",
        **{name: name.lower() for name in ("Neg", "Sub", "Div", "Pow", "neg", "sub", "div", "pow")},
        **{name: name.lower() for name in ("Sin", "Cos", "Tanh", "sin", "cos", "tanh")},
        # steps 37 to 41: tensors
        **{name: name.lower() for name in ("Reshape", "Transpose", "Sum", "MatMul")},
        **{name: name for name in ("reshape", "transpose", "sum", "matmul", "broadcast_to", "sum_to")},
        **{"BroadcastTo": "broadcast_to", "SumTo": "sum_to"},
        **{"MeanSquaredError": "mean_squared_error", "mean_squared_error": "mean_squared_error"},  # step 42
        **{name: name.lower() for name in ("Linear", "Sigmoid", "linear", "sigmoid")},  # step 43
        "MLP": "mlp",  # step 45: a Layer holding Linear layers
        # step 47
        **{"GetItem": "get_item", "get_item": "get_item", "Softmax": "softmax", "softmax": "softmax"},
        **{"SoftmaxCrossEntropy": "softmax_cross_entropy", "softmax_cross_entropy": "softmax_cross_entropy"},
        **{"Accuracy": "accuracy", "accuracy": "accuracy"},  # step 50
        **{"Dropout": "dezero_dropout", "dropout": "dezero_dropout"},  # step 54
        # steps 55 to 57
        **{"Im2col": "im2col", "im2col": "im2col", "Conv2d": "conv2d", "conv2d": "conv2d"},
        **{"Pooling": "dezero_pooling", "pooling": "dezero_pooling"},
        **{name: name for name in TEST_FUNCTIONS},  # steps 24 and 28: the step file's own functions
    },
    "layers": {
        "MulLayer": "mul",
        "AddLayer": "add",
        "Relu": "relu",
        "Sigmoid": "sigmoid",
        "Affine": "linear",
        "SoftmaxWithLoss": "softmax_ce",
        "TwoLayerNet": "two_layer_net",
        "TwoLayerNet.predict": "two_layer_predict",
        "TwoLayerNet.accuracy": "two_layer_accuracy",
    },
}


# DeZero step 19's properties read from the tensor (reference/properties.py reads the ndarray): shape, sizes
# and dtype are torch's own; the repr's text is numpy's formatting of the same numbers, which torch cannot
# prove (docs/STAGES.md says so).
TORCH_PROPERTIES: dict[str, Callable[[Tensor], np.ndarray]] = {
    "shape": lambda t: np.array(tuple(t.shape), dtype=np.float64),
    "ndim": lambda t: np.array(t.dim(), dtype=np.float64),
    "size": lambda t: np.array(t.numel(), dtype=np.float64),
    "len": lambda t: np.array(len(t), dtype=np.float64),
    "dtype": lambda t: text_codes(str(t.dtype).removeprefix("torch.")),
    "repr": lambda t: text_codes(book_repr(t.numpy())),
}


def _torch_rnn(x: Tensor, wx: Tensor, bx: Tensor, wh: Tensor, *state: Tensor) -> tuple[Tensor, ...]:
    """DeZero step 59's L.RNN written in torch: tanh(x Wx + b + h Wh), no h term on the first call."""
    pre = x @ wx + bx
    h = torch.tanh(pre if not state else pre + state[0] @ wh)
    return (h,)


def _torch_lstm(x: Tensor, *args: Tensor) -> tuple[Tensor, ...]:
    """DeZero step 60's L.LSTM written in torch: gates f, i, o (sigmoid) and u (tanh) from x (and h),
    c = f c + i u (i u on the first call), h = o tanh(c). args: (W, b) of x2f, x2i, x2o, x2u, then the
    h2f, h2i, h2o, h2u W, then the state (h, c) after the first call."""
    xw, hw, state = args[:8], args[8:12], args[12:]
    pre = [x @ xw[2 * k] + xw[2 * k + 1] + (state[0] @ hw[k] if state else 0.0) for k in range(4)]
    f, i, o = (torch.sigmoid(p) for p in pre[:3])
    u = torch.tanh(pre[3])
    c = i * u + (f * state[1] if state else 0.0)
    return o * torch.tanh(c), c


TORCH_RECURRENT: dict[str, Callable[..., tuple[Tensor, ...]]] = {"RNN": _torch_rnn, "LSTM": _torch_lstm}


@dataclass(eq=False)
class _Applied:
    op: str
    args: tuple[int, ...]
    out: int
    no_grad: bool
    upstream: Tensor | None = None  # gradient arriving at `out` in the last (local) backward
    settings: Mapping[str, Any] = field(default_factory=dict)  # the apply step's non-array settings


@dataclass
class _Torch:
    family: str
    inputs: Mapping[str, np.ndarray]
    classes: Mapping[str, str] = field(default_factory=dict)  # class in steps -> op
    ops: Mapping[str, Callable[..., Tensor]] = field(default_factory=lambda: TORCH_OPS)
    tensors: dict[int, Tensor] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)
    program: list[_Applied] = field(default_factory=list)
    producer: dict[int, _Applied] = field(default_factory=dict)
    grads: dict[int, Tensor | None] = field(default_factory=dict)  # MiniFlow/layers totals; DeZero leaves
    retained: bool = False
    records: dict[str, Record] = field(default_factory=dict)
    step: int = 0
    layers: dict[str, list[int]] = field(default_factory=dict)  # DeZero step 44: a Layer's parameter slots
    states: dict[str, tuple[Tensor, ...]] = field(default_factory=dict)  # steps 59, 60: h (and c) per Layer

    def fail(self, step: Mapping[str, Any], why: str) -> ValueError:
        return ValueError(f"step {self.step} {dict(step)!r}: {why}")

    def ref(self, step: Mapping[str, Any], name: Any) -> int:
        if name not in self.names:
            if name not in self.inputs:
                raise self.fail(step, f"unknown name {name!r}")
            leaf = torch.tensor(np.asarray(self.inputs[name], dtype=np.float64), requires_grad=True)
            self.names[name] = len(self.tensors)
            self.tensors[len(self.tensors)] = leaf
        return self.names[name]

    def run(self, a: _Applied) -> None:
        fn = self.ops[a.op]
        with torch.set_grad_enabled(not a.no_grad):
            out = fn(*(self.tensors[s] for s in a.args), **a.settings)
        # DeZero: a variable made under no_grad has no creator but still collects gradients, like a leaf.
        self.tensors[a.out] = out.detach().requires_grad_(True) if a.no_grad else out

    def recurrent(self, step: Mapping[str, Any]) -> None:
        """Steps 59 and 60: `h = rnn(x)`, the Layer's state from its last call (none after reset_state)."""
        layer = str(step["layer"])
        args = [self.tensors[self.ref(step, n)] for n in step["args"]]
        self.layers.setdefault(layer, [self.ref(step, n) for n in step["args"][1:]])
        state = TORCH_RECURRENT[str(step["op"])](*args, *self.states.get(layer, ()))
        self.states[layer] = state
        out = len(self.tensors)
        self.tensors[out] = state[0]
        self.names[step["out"]] = out

    def reset_state(self, step: Mapping[str, Any]) -> None:
        self.layer_params(step, "of")
        self.states.pop(str(step["of"]), None)

    def unchain_backward(self, step: Mapping[str, Any]) -> None:
        """Step 59: every tensor the variable's graph computed becomes a leaf holding its value (the graph
        below it cut), in the names, the program and the Layers' states alike."""
        below: set[Any] = set()
        todo = [self.tensors[self.ref(step, step["of"])].grad_fn]
        while todo:
            fn = todo.pop()
            if fn is None or fn in below:
                continue
            below.add(fn)
            todo += [n for n, _ in fn.next_functions]
        top = self.tensors[self.ref(step, step["of"])]
        cut: dict[int, Tensor] = {}

        def leaf(t: Tensor) -> Tensor:
            if t is top or t.grad_fn is None or t.grad_fn not in below:
                return t
            return cut.setdefault(id(t), t.detach().requires_grad_(True))

        self.tensors = {slot: leaf(t) for slot, t in self.tensors.items()}
        self.states = {name: tuple(leaf(t) for t in state) for name, state in self.states.items()}

    def apply(self, step: Mapping[str, Any]) -> None:
        if step.get("op") in TORCH_RECURRENT and self.family == "dezero" and step.get("layer"):
            self.recurrent(step)
            return
        ops = self.classes
        if step.get("op") not in ops:
            raise self.fail(step, f"unknown op {step.get('op')!r} for {self.family}")
        args = tuple(self.ref(step, n) for n in step["args"])
        out = len(self.tensors)
        self.tensors[out] = torch.zeros(())
        a = _Applied(ops[step["op"]], args, out, bool(step.get("no_grad", False)))
        a.settings = dict(step.get("settings") or {})
        self.run(a)
        self.program.append(a)
        self.producer[out] = a
        self.names[step["out"]] = out
        if step.get("layer"):  # DeZero step 44: a Layer computes its function; the other args its parameters
            self.layers.setdefault(str(step["layer"]), [self.ref(step, n) for n in step["args"][1:]])

    def seed(self, step: Mapping[str, Any], y: Tensor) -> Tensor:
        name = step.get("upstream")
        return torch.ones_like(y) if name is None else self.tensors[self.ref(step, name)].detach()

    def backward(self, step: Mapping[str, Any]) -> None:
        if self.family == "miniflow":
            for a in self.program:  # forward_and_backward recomputes; sgd may have replaced the leaves
                self.run(a)
        out = self.ref(step, step.get("of"))
        y = self.tensors[out]
        g = self.seed(step, y)
        outs = [a.out for a in self.program if self.tensors[a.out].grad_fn is not None]
        for s in outs:
            self.tensors[s].retain_grad()
            self.tensors[s].grad = None
        leaves = [s for s, t in self.tensors.items() if t.grad_fn is None]
        if self.family != "dezero":
            for s in leaves:
                self.tensors[s].grad = None  # fresh gradients per backward
        if y.grad_fn is not None:
            # create_graph (DeZero steps 32 on): the gradients keep their own graph for the next backward.
            # Torch warns of the cycle between a leaf and its gradient; these tensors die with the case.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Using backward\\(\\) with create_graph=True")
                y.backward(g, retain_graph=True, create_graph=bool(step.get("create_graph", False)))
        else:
            # A variable without a creator: DeZero seeds its grad (only if unset) and stops there.
            if step.get("upstream") is not None or y.grad is None:
                y.grad = g
        for a in self.program:
            a.upstream = g if a.out == out else self.tensors[a.out].grad
        self.retained = bool(step.get("retain_grad", False))

    def backward_local(self, step: Mapping[str, Any]) -> None:
        slot = self.ref(step, step.get("of"))
        if self.family == "miniflow" and slot not in self.producer and step.get("upstream") is None:
            return  # Input.backward: its gradient is what its consumers' own backward gave it (`via`)
        if slot not in self.producer:
            raise self.fail(step, f"{step.get('of')!r} was not produced by an apply step")
        self.producer[slot].upstream = self.seed(step, self.tensors[slot])

    def via(self, step: Mapping[str, Any], slot: int) -> Record:
        held = self.ref(step, step["via"])
        if self.family == "miniflow" and held not in self.producer and held == slot:
            # An Input's own gradient: the sum of every consumer's own vjp for it, as autograd sums them.
            parts = [self._local(a, slot) for a in self.program if slot in a.args and a.upstream is not None]
            found = [p for p in parts if p is not None]
            return np.sum(found, axis=0) if found else None
        f = self.producer.get(held)
        if f is None:
            raise self.fail(step, f"{step['via']!r} was not produced by an apply step")
        return self._local(f, slot)

    def _local(self, f: _Applied, slot: int) -> np.ndarray | None:
        """The gradient of `slot` as the one op `f` alone computes it from its upstream."""
        if f.upstream is None or slot not in f.args:
            return None
        # One op alone: re-apply it to detached copies of its inputs and take its own vjp.
        xs = [self.tensors[s].detach().clone().requires_grad_(True) for s in f.args]
        y = self.ops[f.op](*xs, **f.settings)
        wanted = [x for s, x in zip(f.args, xs, strict=True) if s == slot]
        gs = torch.autograd.grad(y, wanted, f.upstream, allow_unused=True)
        total = None
        for g in gs:
            if g is not None:
                total = g if total is None else total + g
        if total is not None and f.op == "mse":
            total = total.reshape(-1, 1)
        return total.numpy() if total is not None else None

    def grad(self, slot: int) -> Record:
        t = self.tensors[slot]
        if t.grad_fn is not None and self.family == "dezero" and not self.retained:
            return None  # DeZero clears intermediate grads unless retain_grad=True
        g = t.grad
        if g is None:
            return None
        if self.family == "miniflow" and any(a.op == "mse" and slot in a.args for a in self.program):
            g = g.reshape(-1, 1)  # MiniFlow's MSE hands back (m, 1) gradients
        return g.detach().numpy()

    def record(self, step: Mapping[str, Any]) -> None:
        slot: int
        value: Record
        if "value_of" in step and "property" in step:
            slot = self.ref(step, step["value_of"])
            value = TORCH_PROPERTIES[str(step["property"])](self.tensors[slot].detach())
        elif "value_of" in step:
            slot = self.ref(step, step["value_of"])
            value = self.tensors[slot].detach().numpy()
        elif "has_creator" in step:
            value = self.tensors[self.ref(step, step["has_creator"])].grad_fn is not None
        elif step.get("probe") == "param_count":  # DeZero steps 59, 60: of names a Layer
            value = np.array(float(len(self.layer_params(step, "of"))))
        elif "probe" in step:
            value = self.probe(step, self.ref(step, step.get("of")))
        elif "grad_of" in step:
            slot = self.ref(step, step["grad_of"])
            value = self.via(step, slot) if "via" in step else self.grad(slot)
        else:
            raise self.fail(step, "record needs grad_of, value_of or has_creator")
        self.records[step["key"]] = value if value is None or isinstance(value, bool) else np.array(value)

    def probe(self, step: Mapping[str, Any], slot: int) -> Record:
        """DeZero's Variable / Function facts from torch's own graph: a grad_fn is a creator that kept its
        inputs and output; a generation is the longest path of grad_fn nodes down to the leaves."""
        t, name = self.tensors[slot], step.get("probe")
        if self.family == "miniflow" and name in ("inbound", "outbound", "gradients_dict"):
            return slot in self.producer  # autograd wires every op to its inputs; a node is built empty
        if self.family != "dezero":
            raise self.fail(step, f"probe {name!r} is not a record of {self.family}")
        if name == "rejects_float":  # a Python float is not an ndarray: step 9's check refuses it
            return not isinstance(float(t.detach().reshape(-1)[0]), np.ndarray)
        if name == "returns_variable":
            return slot in self.producer and isinstance(t, Tensor)
        if name in ("keeps_inputs", "keeps_output"):
            return t.grad_fn is not None
        if name == "generation":
            return np.array(float(_depth(t.grad_fn)))
        if name == "function_generation" and t.grad_fn is not None:
            return np.array(float(_depth(t.grad_fn) - 1))
        raise self.fail(step, f"unknown probe {name!r}")

    def cleargrad(self, step: Mapping[str, Any]) -> None:
        self.tensors[self.ref(step, step["of"])].grad = None

    def take_grad(self, step: Mapping[str, Any]) -> None:
        """`gx = x.grad` (DeZero steps 32 on): torch's own gradient tensor, with its graph if it has one."""
        g = self.tensors[self.ref(step, step["of"])].grad
        if g is None:
            raise self.fail(step, f"{step['of']!r} has no gradient to take")
        out = len(self.tensors)
        self.tensors[out] = g if g.grad_fn is not None else g.detach().requires_grad_(True)
        self.names[step["out"]] = out

    def sgd(self, step: Mapping[str, Any]) -> None:
        lr = float(step.get("lr", 1e-2))
        for name in step["params"]:
            slot = self.ref(step, name)
            t = self.tensors[slot]
            if t.grad is None:
                raise self.fail(step, f"sgd on {name!r} before any backward gave it a gradient")
            self.tensors[slot] = (t.detach() - lr * t.grad).requires_grad_(True)

    def layer_params(self, step: Mapping[str, Any], key: str) -> list[Tensor]:
        if step.get(key) not in self.layers:
            raise self.fail(step, f"{step.get(key)!r} is no layer of an earlier apply step")
        return [self.tensors[s] for s in self.layers[str(step[key])]]

    def cleargrads(self, step: Mapping[str, Any]) -> None:
        for t in self.layer_params(step, "of"):
            t.grad = None

    def optimize(self, step: Mapping[str, Any]) -> None:
        """DeZero step 46 by torch.optim.SGD: MomentumSGD's v = m v - lr g, p += v is torch's buf = m buf + g,
        p -= lr buf with v = -lr buf (dampening 0, a constant lr); SGD is momentum 0."""
        settings = dict(step.get("settings") or {})
        momenta = {"SGD": 0.0, "MomentumSGD": float(settings.get("momentum", 0.9))}
        momentum = momenta.get(str(step.get("optimizer")))
        if momentum is None:
            raise self.fail(step, f"unknown optimizer {step.get('optimizer')!r}")
        opt = torch.optim.SGD(
            self.layer_params(step, "target"), lr=float(settings.get("lr", 0.01)), momentum=momentum
        )
        for _ in range(int(step.get("times", 1))):
            opt.step()

    def save_load(self, step: Mapping[str, Any]) -> None:
        """DeZero step 53 by torch's own serialisation: the case's parameters as a state dict keyed as the
        book flattens them (by the case's names), torch.save to a buffer, torch.load back."""
        names = [str(name) for name in step["args"][1:]]
        buffer = io.BytesIO()
        torch.save(
            {name: torch.tensor(np.asarray(self.inputs[name], dtype=np.float64)) for name in names}, buffer
        )
        buffer.seek(0)
        loaded = torch.load(buffer, weights_only=True)
        for name in names:
            self.records[f"{step['out']}_{name}"] = loaded[name].numpy()

    def dataloader(self, step: Mapping[str, Any]) -> None:
        """DeZero steps 49 and 50 by torch.utils.data: a map-style Dataset doubling each item (the case's
        transform) and a DataLoader(shuffle=False, drop_last=False) over it, each epoch to its end."""
        data, label = (np.asarray(self.inputs[str(name)], dtype=np.float64) for name in step["args"])
        settings, out = dict(step.get("settings") or {}), str(step["out"])
        dataset = _Doubled(torch.from_numpy(data.reshape(len(data), -1)), torch.from_numpy(label.reshape(-1)))
        self.records[f"{out}_items_x"] = torch.stack([dataset[i][0] for i in range(len(dataset))]).numpy()
        self.records[f"{out}_items_t"] = torch.stack([dataset[i][1] for i in range(len(dataset))]).numpy()
        self.records[f"{out}_len"] = np.array(float(len(dataset)))
        loader = DataLoader(
            dataset, batch_size=int(settings.get("batch_size", 1)), shuffle=False, drop_last=False
        )
        for epoch in range(int(settings.get("epochs", 1))):
            batches = list(loader)
            self.records[f"{out}_e{epoch}_sizes"] = np.array([float(len(x)) for x, _ in batches])
            self.records[f"{out}_e{epoch}_x"] = torch.cat([x for x, _ in batches]).numpy()
            self.records[f"{out}_e{epoch}_t"] = torch.cat([t for _, t in batches]).numpy()


class _Doubled(Dataset[tuple[Tensor, Tensor]]):
    def __init__(self, data: Tensor, label: Tensor) -> None:
        self.data, self.label = data, label

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        return self.data[i] * 2, self.label[i]


def _depth(fn: Any) -> int:
    """Autograd nodes from `fn` down to a leaf (0: a leaf itself, or no graph)."""
    if fn is None or type(fn).__name__ == "AccumulateGrad":
        return 0
    return 1 + max((_depth(n) for n, _ in fn.next_functions), default=0)


STEPS: dict[str, Callable[[_Torch, Mapping[str, Any]], None]] = {
    "apply": _Torch.apply,
    "backward": _Torch.backward,
    "backward_local": _Torch.backward_local,
    "record": _Torch.record,
    "cleargrad": _Torch.cleargrad,
    "grad": _Torch.take_grad,
    "sgd": _Torch.sgd,
    "cleargrads": _Torch.cleargrads,
    "optimize": _Torch.optimize,
    "reset_state": _Torch.reset_state,  # DeZero steps 59 and 60
    "unchain_backward": _Torch.unchain_backward,
    "dataloader": _Torch.dataloader,
    "save_load": _Torch.save_load,
}


def run_case(
    family: str,
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    *,
    extension: Extension | None = None,
) -> dict[str, Record]:
    """Run `steps` with torch autograd in float64; records as in reference.evaluate.run_case.

    `extension` adds an assignment's own ops through their `torch_forward` (reference/extension.py).
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    fam = FAMILIES[family]
    classes, ops = dict(CLASS_OPS[fam]), dict(TORCH_OPS)
    if extension is not None:
        classes.update(extension.classes(fam))
        ops.update(extension.torch_forwards(torch))
    engine = _Torch(fam, inputs, classes, ops)
    for i, step in enumerate(steps):
        engine.step = i
        do = step.get("do")
        if do not in STEPS:
            raise ValueError(f"step {i} {dict(step)!r}: unknown step {do!r}; known: {', '.join(STEPS)}")
        STEPS[do](engine, step)
    return engine.records
