"""Central finite differences, per element and vectorised: the third oracle for gradients of unit/graph cases.

What is differentiated: the scalar `L = sum(upstream * f(inputs))`, where `f` is the value the case's single
`backward` (or `backward_local`) starts from and `upstream` its seed (ones by default). Its gradient with
respect to an input is what the reference records as that input's gradient.

How it is vectorised: this module has its own small *batched* forward interpreter of the step language
(`BATCHED_FORWARD`: every op takes arrays with a leading batch axis and broadcasts over it). To differentiate
an input with n elements, it stacks 2n copies of the inputs, copy k with element k moved by +h_k and copy n+k
with it moved by -h_k, runs the whole op graph once on the stack (in chunks of `TOLERANCES["chunk"]` copies
to bound memory), and reads all n central differences `(L[k] - L[n+k]) / (2 h_k)` at once. No Python loop
runs per element.

Why it is per-element exact: each stacked copy differs from the unperturbed inputs in exactly one element,
and the batch rows never mix (every op is row-wise in the batch axis), so entry k is the textbook central
difference of element k alone, the same number a loop calling the graph once per element would give. A
single wrong element anywhere in a gradient is therefore caught (unlike a random-projection check, which
sums errors and missed a single wrong element in FACTS.md section 5).

The forward interpreter is independent of `reference/` on purpose: an oracle that reused the reference's
forward code would share its mistakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.oracles.book_functions import TEST_FUNCTIONS

# The one table of finite-difference settings (FACTS.md section 5 for the thresholds' origin).
TOLERANCES: dict[str, float] = {
    # h_i = step * max(1, |x_i|): about the cube root of float64 epsilon, the best step for central
    # differences (truncation ~h^2, rounding ~eps/h).
    "step": 1e-5,
    # cs231n: below 1e-7 good, above 1e-2 wrong. Ours sits between: central differences at this step have
    # relative errors near 1e-9 on these cases, and a wrong gradient element is off far more than 1e-5.
    "rel_error": 1e-5,
    # An element also passes when its absolute error is below this times max(1, sum|upstream * f|): the
    # rounding noise of L divided by h. Needed where the true gradient is ~0 and relative error means nothing.
    "abs_error_scale": 1e-8,
    # The denominator floor of the relative error (both numbers exactly 0).
    "tiny": 1e-300,
    # Perturbed copies evaluated per batched call: bounds memory, not correctness. 64 keeps a chunk in
    # cache (bench/gradcheck.py: 2048 was ~3x slower at 10,000 parameters).
    "chunk": 64,
}

Batched = np.ndarray  # an array with a leading batch axis (size B, or 1 to broadcast)


def _sigmoid(x: Batched) -> Batched:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _linear(x: Batched, w: Batched, b: Batched) -> Batched:
    # DLFS Affine flattens x of rank > 2 to (N, -1); MiniFlow Linear is the rank-2 case.
    x2 = x.reshape(x.shape[0], x.shape[1], -1)
    b3 = b.reshape((b.shape[0],) + (1,) * (3 - b.ndim) + b.shape[1:])
    return x2 @ w + b3


def _mse(y: Batched, a: Batched) -> Batched:
    y2, a2 = y.reshape(y.shape[0], -1), a.reshape(a.shape[0], -1)
    return np.mean((y2 - a2) ** 2, axis=1)


def _softmax_with_loss(x: Batched, t: Batched) -> Batched:
    z = x - x.max(axis=-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    if t.ndim == x.ndim:  # one-hot rows
        onehot = np.broadcast_to(t, x.shape)
    else:  # class labels
        onehot = np.eye(x.shape[-1])[np.broadcast_to(np.rint(t).astype(np.int64), x.shape[:-1])]
    n = x.shape[1] if x.ndim > 2 else 1
    # DLFS cross_entropy_error adds 1e-7 inside the log; the expected values do too.
    return -np.sum(onehot * np.log(p + 1e-7), axis=tuple(range(1, x.ndim))) / n


def _two_layer_predict(x: Batched, w1: Batched, b1: Batched, w2: Batched, b2: Batched) -> Batched:
    h = _linear(x, w1, b1)
    return _linear(np.where(h > 0, h, 0.0), w2, b2)


def _two_layer_net(x: Batched, t: Batched, w1: Batched, b1: Batched, w2: Batched, b2: Batched) -> Batched:
    h = _linear(x, w1, b1)
    return _softmax_with_loss(_linear(np.where(h > 0, h, 0.0), w2, b2), t)


def _mlp(x: Batched, *params: Batched) -> Batched:
    """DeZero step 45's MLP: sigmoid after every Linear layer but the last."""
    layers = list(zip(params[::2], params[1::2], strict=True))
    for w, b in layers[:-1]:
        x = _sigmoid(_linear(x, w, b))
    return _linear(x, *layers[-1])


def _aligned(*xs: Batched) -> tuple[Batched, ...]:
    """Operands of one rank behind the batch axis, so that numpy broadcasts them as DeZero's do (step 40:
    (3,) + (1,), (2, 3) + (3,)) and never against the batch axis."""
    rank = max(x.ndim for x in xs)
    return tuple(x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs)


def _sum(x: Batched, *, axis: int | None = None, keepdims: bool = False) -> Batched:
    axes = tuple(range(1, x.ndim)) if axis is None else (axis + 1 if axis >= 0 else axis,)
    return np.sum(x, axis=axes, keepdims=bool(keepdims))


def _sum_to(x: Batched, *, shape: Sequence[int]) -> Batched:
    lead = x.ndim - 1 - len(shape)
    axes = tuple(range(1, 1 + lead)) + tuple(1 + lead + i for i, n in enumerate(shape) if n == 1)
    return np.sum(x, axis=axes, keepdims=True).reshape((x.shape[0], *shape))


def _broadcast_to(x: Batched, *, shape: Sequence[int]) -> Batched:
    x, _ = _aligned(x, np.zeros((1, *shape)))
    return np.broadcast_to(x, (x.shape[0], *shape))


def _mean_squared_error(a: Batched, b: Batched) -> Batched:
    diff = np.subtract(*_aligned(a, b))
    return np.sum(diff**2, axis=tuple(range(1, diff.ndim))) / diff.shape[1]


def _get_item(x: Batched, index: Batched) -> Batched:
    """DeZero step 47: x[slices] along the first axis behind the batch axis; the index is never perturbed."""
    labels = np.rint(index[0]).astype(np.int64)
    return x[:, int(labels)] if labels.ndim == 0 else x[:, labels]


def _softmax(x: Batched, *, axis: int = 1) -> Batched:
    shifted = np.exp(x - x.max(axis=axis + 1, keepdims=True))
    return shifted / shifted.sum(axis=axis + 1, keepdims=True)


def _softmax_cross_entropy(x: Batched, t: Batched) -> Batched:
    """DeZero step 47: -mean over rows of log softmax(x)[t], x (B, N, C), t (1, N) labels; no 1e-7."""
    z = x - x.max(axis=2, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
    labels = np.rint(t[0]).astype(np.int64).reshape(-1)
    return -log_p[:, np.arange(x.shape[1]), labels].sum(axis=1) / x.shape[1]


def _dropout(x: Batched, *, dropout_ratio: float = 0.5, seed: int = 0, train: bool = True) -> Batched:
    """DeZero step 54 on x (B, ...): every copy in the batch keeps the units np.random.rand(*x.shape) >
    dropout_ratio keeps after np.random.seed(seed), scaled by 1 / (1 - dropout_ratio); test mode: x."""
    if not train:
        return x
    keep = np.random.RandomState(int(seed)).rand(*x.shape[1:]) > dropout_ratio
    return x * keep / (1.0 - dropout_ratio)


def _two(v: object) -> tuple[int, int]:
    pair = tuple(v) if isinstance(v, (list, tuple)) else (v, v)
    return int(pair[0]), int(pair[1])


def _sliding(x: Batched, kernel: object, stride: object, pad: object) -> Batched:
    """DeZero step 57's windows of x (B, N, C, H, W), zero-padded: (B, N, C, OH, OW, KH, KW), read through
    numpy's sliding_window_view (the reference copies them window by window)."""
    (kh, kw), (sh, sw), (ph, pw) = _two(kernel), _two(stride), _two(pad)
    padded = np.pad(x, ((0, 0), (0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(3, 4))
    return windows[:, :, :, ::sh, ::sw]


def _im2col(x: Batched, *, kernel_size: object = 1, stride: object = 1, pad: object = 0) -> Batched:
    w = _sliding(x, kernel_size, stride, pad)
    b, n, c, oh, ow, kh, kw = w.shape
    return w.transpose(0, 1, 3, 4, 2, 5, 6).reshape(b, n * oh * ow, c * kh * kw)


def _conv2d(x: Batched, w: Batched, bias: Batched, *, stride: object = 1, pad: object = 0) -> Batched:
    windows = _sliding(x, w.shape[3:], stride, pad)
    y: Batched = np.einsum("bncijkl,bockl->bnoij", windows, w)
    return y + bias[:, None, :, None, None]


def _pooling(x: Batched, *, kernel_size: object = 1, stride: object = 1, pad: object = 0) -> Batched:
    return _sliding(x, kernel_size, stride, pad).max(axis=(5, 6))


BATCHED_FORWARD: dict[str, Callable[..., Batched]] = {
    "Linear": _linear,
    "Affine": _linear,
    "Sigmoid": _sigmoid,
    "Relu": lambda x: np.where(x > 0, x, 0.0),
    "MSE": _mse,
    "SoftmaxWithLoss": _softmax_with_loss,
    "TwoLayerNet": _two_layer_net,
    "TwoLayerNet.predict": _two_layer_predict,  # accuracy has no gradient to prove
    "Square": lambda x: x**2,
    "Exp": np.exp,
    "Add": lambda a, b: np.add(*_aligned(a, b)),
    "Mul": lambda a, b: np.multiply(*_aligned(a, b)),
    "MulLayer": lambda a, b: a * b,
    "AddLayer": lambda a, b: a + b,
}
BATCHED_FORWARD.update(
    {
        "Neg": lambda x: -x,
        "Sub": lambda a, b: np.subtract(*_aligned(a, b)),
        "Div": lambda a, b: np.divide(*_aligned(a, b)),
        "Pow": lambda x, *, c=2.0: x**c,
        "Sin": np.sin,  # steps 27 and 34
        "Cos": np.cos,
        "Tanh": np.tanh,  # step 35
        # steps 37 to 41: the batch axis stays first
        "Reshape": lambda x, *, shape: x.reshape((x.shape[0], *shape)),
        "Transpose": lambda x: x.transpose(0, *reversed(range(1, x.ndim))),
        "Sum": _sum,
        "BroadcastTo": _broadcast_to,
        "SumTo": _sum_to,
        "MatMul": np.matmul,
        "MeanSquaredError": _mean_squared_error,  # step 42
        "MLP": _mlp,  # step 45
        "GetItem": _get_item,  # step 47
        "Softmax": _softmax,
        "SoftmaxCrossEntropy": _softmax_cross_entropy,
        "Im2col": _im2col,  # steps 55 to 57
        "Conv2d": _conv2d,
        "Pooling": _pooling,
    }
)
# DeZero's helper functions are the classes' ops.
BATCHED_FORWARD.update({"square": BATCHED_FORWARD["Square"], "exp": np.exp})
BATCHED_FORWARD.update({"add": BATCHED_FORWARD["Add"], "mul": BATCHED_FORWARD["Mul"]})
_HELPED = ("Neg", "Sub", "Div", "Pow", "Sin", "Cos", "Tanh")  # steps 22 to 35: neg(x) ... tanh(x)
BATCHED_FORWARD.update({name.lower(): BATCHED_FORWARD[name] for name in _HELPED})
_HELPERS = {"reshape": "Reshape", "transpose": "Transpose", "sum": "Sum", "matmul": "MatMul"}  # steps 37-41
_HELPERS.update({"broadcast_to": "BroadcastTo", "sum_to": "SumTo", "mean_squared_error": "MeanSquaredError"})
_HELPERS.update({"linear": "Linear", "sigmoid": "Sigmoid"})  # step 43
_HELPERS.update({"get_item": "GetItem", "softmax": "Softmax", "softmax_cross_entropy": "SoftmaxCrossEntropy"})
_HELPERS.update({"im2col": "Im2col", "conv2d": "Conv2d", "pooling": "Pooling"})  # step 57
BATCHED_FORWARD.update({helper: BATCHED_FORWARD[name] for helper, name in _HELPERS.items()})
# step 54: the helper alone, as its cases call it ("Dropout" is dlfs-advanced's layer, scaled at test time)
BATCHED_FORWARD["dropout"] = _dropout
BATCHED_FORWARD.update(TEST_FUNCTIONS)  # steps 24 and 28: the step file's own sphere ... rosenbrock


class NotCheckable(ValueError):
    """The case's program is not a single forward graph plus one backward (behaviour cases are not)."""


@dataclass(frozen=True)
class Objective:
    """`L = sum(upstream * value_of(of))` for the case's one backward, and which records it proves."""

    applies: tuple[Mapping[str, Any], ...]
    of: str
    upstream: str | None
    targets: Mapping[str, str]  # record key -> input name whose gradient it is
    forwards: Mapping[str, Callable[..., Batched]] = field(default_factory=lambda: BATCHED_FORWARD)

    def __call__(self, batched: Mapping[str, Batched]) -> np.ndarray:
        values = dict(batched)
        for step in self.applies:
            settings = step.get("settings") or {}
            values[step["out"]] = self.forwards[step["op"]](*(values[a] for a in step["args"]), **settings)
        out = values[self.of]
        weighted = out if self.upstream is None else values[self.upstream] * out
        if weighted.ndim == 1:
            return weighted
        return weighted.reshape(weighted.shape[0], -1).sum(axis=1)


_NOT_CHECKABLE_STEPS = (
    "cleargrad",
    "sgd",
    "cleargrads",
    "optimize",
    "reset_state",
    "unchain_backward",
    "dataloader",
)


def objective_of(
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    extra: Mapping[str, Callable[..., Batched]] | None = None,
) -> Objective:
    """The objective of a case with one backward; raise NotCheckable for anything else.

    `extra` adds batched forwards by class name (an assignment's own ops, reference/extension.py).

    A `via` record is proven only when its op takes the input directly and all of that op's arguments are
    inputs: then the op's local gradient is the gradient of L.
    """
    applies = [s for s in steps if s.get("do") == "apply"]
    backs = [s for s in steps if s.get("do") in ("backward", "backward_local")]
    if len(backs) != 1 or any(s.get("do") in _NOT_CHECKABLE_STEPS for s in steps):
        raise NotCheckable("finite differences need exactly one backward and no cleargrad/sgd steps")
    forwards = {**BATCHED_FORWARD, **(extra or {})}
    unknown = sorted({s["op"] for s in applies} - set(forwards))
    if unknown:
        raise NotCheckable(f"no batched forward for {', '.join(unknown)}")
    producer = {s["out"]: s for s in applies}
    back = backs[0]
    back_index = list(steps).index(back)
    targets: dict[str, str] = {}
    for step in list(steps)[back_index + 1 :]:
        if step.get("do") != "record" or "grad_of" not in step:
            continue
        x = step["grad_of"]
        if x not in inputs:
            continue  # an intermediate's gradient: nothing to perturb
        if "via" in step:
            op = producer.get(step["via"])
            if op is None or x not in op["args"] or not all(a in inputs for a in op["args"]):
                continue
            if step["via"] != back["of"]:
                continue
        targets[step["key"]] = x
    return Objective(tuple(applies), back["of"], back.get("upstream"), targets, forwards)


def numeric_gradient(
    objective: Callable[[Mapping[str, Batched]], np.ndarray],
    inputs: Mapping[str, np.ndarray],
    wrt: str,
    *,
    step: float = TOLERANCES["step"],
    chunk: int = int(TOLERANCES["chunk"]),
) -> np.ndarray:
    """Central differences of a batched scalar objective with respect to every element of `inputs[wrt]`."""
    x = np.asarray(inputs[wrt], dtype=np.float64)
    n = x.size
    flat = x.reshape(-1)
    h = step * np.maximum(1.0, np.abs(flat))
    # The steps actually taken in float64, so rounding of x +/- h does not bias the quotient.
    plus, minus = flat + h, flat - h
    width = plus - minus
    others = {k: np.asarray(v, dtype=np.float64)[None] for k, v in inputs.items() if k != wrt}
    grad = np.empty(n)
    for start in range(0, n, chunk):
        idx = np.arange(start, min(n, start + chunk))
        c = idx.size
        stack = np.empty((2 * c, n))
        stack[:] = flat  # broadcast assignment: much faster and steadier than broadcast_to(...).copy()
        rows = np.arange(c)
        stack[rows, idx] = plus[idx]
        stack[c + rows, idx] = minus[idx]
        values = objective({**others, wrt: stack.reshape((2 * c, *x.shape))})
        grad[idx] = (values[:c] - values[c:]) / width[idx]
    return grad.reshape(x.shape)


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> np.ndarray:
    """cs231n's |a - n| / max(|a| + |n|, tiny), element-wise."""
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), TOLERANCES["tiny"])


@dataclass(frozen=True)
class GradientCheck:
    """One gradient proven (or not) by finite differences; on failure, the worst element and both numbers."""

    key: str
    ok: bool
    mismatches: int
    size: int
    worst_index: tuple[int, ...]
    analytic: float
    numeric: float
    rel_error: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ok": self.ok,
            "mismatches": self.mismatches,
            "size": self.size,
            "worst_index": list(self.worst_index),
            "analytic": self.analytic,
            "numeric": self.numeric,
            "rel_error": self.rel_error,
            "message": self.message,
        }


def compare(key: str, analytic: np.ndarray, numeric: np.ndarray, *, scale: float = 1.0) -> GradientCheck:
    """Element-wise verdict under TOLERANCES; `scale` is the magnitude of L (for the absolute floor)."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        if a.size != n.size:
            return GradientCheck(
                key,
                False,
                a.size,
                a.size,
                (),
                float("nan"),
                float("nan"),
                float("inf"),
                f"{key}: analytic shape {a.shape} but the input has shape {n.shape}",
            )
        # MiniFlow's MSE hands back (m, 1) for an input fed as (m,) (FACTS.md section 1): same elements.
        n = n.reshape(a.shape)
    rel = relative_error(a, n)
    absolute = np.abs(a - n)
    bad = ~((rel <= TOLERANCES["rel_error"]) | (absolute <= TOLERANCES["abs_error_scale"] * max(1.0, scale)))
    bad |= ~np.isfinite(a) | ~np.isfinite(n)
    score = np.where(np.isfinite(rel), rel, np.inf) * np.where(bad, 2.0, 1.0)
    worst = np.unravel_index(int(np.argmax(score)), a.shape) if a.size else ()
    w = tuple(int(i) for i in worst)
    av, nv, rv = (float(a[w]), float(n[w]), float(rel[w])) if a.size else (0.0, 0.0, 0.0)
    count = int(bad.sum())
    if count:
        message = (
            f"{key}: {count} of {a.size} elements disagree with finite differences; worst at {list(w)}: "
            f"analytic {av!r}, finite difference {nv!r} (relative error {rv:.3g})"
        )
    else:
        message = (
            f"{key}: all {a.size} elements agree with finite differences (worst relative error {rv:.3g})"
        )
    return GradientCheck(key, count == 0, count, int(a.size), w, av, nv, rv, message)


def check_case(
    inputs: Mapping[str, np.ndarray],
    steps: Sequence[Mapping[str, Any]],
    records: Mapping[str, Any],
    extra: Mapping[str, Callable[..., Batched]] | None = None,
) -> list[GradientCheck]:
    """Prove every input gradient among `records` by finite differences; NotCheckable if the case has none."""
    objective = objective_of(inputs, steps, extra)
    base = {k: np.asarray(v, dtype=np.float64)[None] for k, v in inputs.items()}
    scale = float(np.abs(objective(base)).max())
    checks = []
    for key, name in sorted(objective.targets.items()):
        analytic = records.get(key)
        if not isinstance(analytic, np.ndarray):
            continue  # None/bool records are not gradients to differentiate
        checks.append(compare(key, analytic, numeric_gradient(objective, inputs, name), scale=scale))
    return checks
