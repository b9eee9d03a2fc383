"""Known student mistakes as mutations of the reference engine (docs/CASES.md, "Known mistakes").

A mutation either replaces one op's vector-Jacobian product (a wrong derivative) or flips one flag of the
family semantics that `reference.evaluate.run_case` honours (how gradients are combined, ordered, cleared).
When a student's wrong value equals what a mutation produces, the judge shows the mutation's code and hint.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from reference.graph_vjps import GRAPH_VJPS, Builder, GraphVjp
from reference.ops import (
    CE_EPS,
    OPS,
    Grads,
    TwoLayerPredict,
    book_dropout_mask,
    class_labels,
    index_of,
    one_hot,
    softmax_axis,
    softmax_of,
    unbroadcast,
)

Vjp = Callable[..., Grads]
Forward = Callable[..., np.ndarray]

FAMILIES = ("miniflow", "dezero", "layers")
# Assignment ids and short names that mean the same family.
FAMILY_ALIASES = {"dlfs-layers": "layers", "dlfs": "layers"}


def canonical_family(family: str) -> str:
    name = FAMILY_ALIASES.get(family, family)
    if name not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES + tuple(FAMILY_ALIASES))}")
    return name


@dataclass(frozen=True)
class Semantics:
    """How an engine combines gradients; the defaults are the textbook semantics."""

    accumulate: bool = True  # sum the gradients from several consumers (False: the last one wins)
    generation_order: bool = True  # DeZero pops the highest generation first (False: last in, first out)
    clear_between: bool = True  # cleargrad works / MiniFlow starts each backward afresh (False: carried)
    # Classes whose backward assigns (=) the gradient of each consumer instead of adding it (MiniFlow's
    # loop over outbound nodes lives in each class; "Input" is the Input node's own backward).
    overwrite_in: frozenset[str] = frozenset()
    unique_funcs: bool = True  # DeZero runs a function once per backward (False: step 14 re-appends it)
    free_intermediate: bool = True  # backward without retain_grad frees intermediate grads (False: kept)
    # DeZero step 22: a reflected operator (2.0 - x, 2.0 / x) computes its operands in the wrong order
    # (__rsub__ returning sub(self, other), x - 2.0). Only `operator` steps with a plain left operand.
    reflected_swapped: bool = False
    # Only these classes' reflected operators are swapped (empty: every one): a student who writes
    # `__rsub__ = sub` but the book's rdiv gets 2.0 - x wrong and 3.0 / x right.
    reflected_only: frozenset[str] = frozenset()
    # DeZero step 14's column: `x.grad += gx` adds in place into the array x.grad holds, which is the very
    # gy an Add (or a Sub's first input) handed on unchanged, so another variable's gradient changes with it.
    inplace_accumulate: bool = False
    # MiniFlow: classes whose backward applies its formula to each outbound node's gradient in turn (the
    # lesson's loop) and adds the results. The same as applying it once to their sum for every right formula
    # (they are linear in the gradient); not for one that drops the gradient, which counts once per consumer.
    per_consumer: frozenset[str] = frozenset()
    # DeZero step 8's loop written as `x.grad = f.backward(self.grad)`: every function gets the gradient the
    # backward started from (the last output's, often the seed ones) instead of its own output's. Right for
    # the last function only; with a seed of ones it looks like each earlier backward ignoring gy.
    upstream_from_start: bool = False
    # MiniFlow: every node's gradients dict set up once and never reset (`if not self.gradients: ...`), so
    # each backward adds onto the last pass's, and a node's carried gradients flow into the backward of the
    # nodes before it (with clear_between False; that alone keeps only the totals, as an Input's dict would).
    carry_locals: bool = False
    # DeZero steps 7 on: Variable.backward seeds `self.grad = np.ones_like(self.data)` every time, without
    # `if self.grad is None`: a gradient set on the output before backward() (y.grad = gy) becomes ones.
    seed_always: bool = False
    # DeZero steps 32 on: backward computes with Variables, so create_graph records the gradient's own graph
    # (False: with `.data`, ndarrays, so a gradient has no creator and a second backward reaches no input).
    graph_backward: bool = True

    # MiniFlow's sgd_update: -1 steps against the gradient (t.value -= lr * partial), +1 along it (+=), 0
    # leaves every trainable as it was (the lesson's TODO left as `pass`).
    sgd_direction: int = -1
    # DeZero step 18: using_config sets the flag and never puts the old value back (no try/finally, or no
    # restore at all): after the first no_grad every function records nothing.
    no_grad_sticks: bool = False
    # The step taken with the whole gradient, its learning rate never used (t.value -= t.gradients[t],
    # param.data -= param.grad.data): a learning rate of 1.
    sgd_lr_ignored: bool = False
    # DeZero's MomentumSGD (step 46): v *= momentum, then -1: v -= lr * grad (the book), +1: v += lr * grad.
    momentum_sign: int = -1
    # DeZero step 45: the steps ("cleargrads", "optimize") in which Layer.params() yields only the Layer's own
    # Parameters, not those of the Layers it holds (an MLP has none of its own). One mistake, two mutations:
    # what it does to cleargrads is a stale gradient, to an optimizer's update a wrong update.
    params_skip_layers_in: frozenset[str] = frozenset()
    # DeZero step 44: the steps in which Layer's method reaches no Parameter at all, the Layer's own as much
    # as those of the Layers it holds (Layer.cleargrads writing `param.cleargrad` without its parentheses).
    params_none_in: frozenset[str] = frozenset()
    # DeZero step 45: MLP.forward applies the activation after the last Linear layer too.
    activate_last: bool = False
    # DLFS TwoLayerNet built of chapter 5's layers with Sigmoid between the two Affine layers instead of
    # Relu (self.layers['Sigmoid1'] = Sigmoid()): every method follows that one choice.
    hidden_sigmoid: bool = False
    # DLFS TwoLayerNet with no layer between the two Affine layers (self.layers['Relu1'] = Relu() left out):
    # two Affine layers in a row, one linear map.
    hidden_missing: bool = False
    # DLFS TwoLayerNet.gradient returning the numerical gradient (`return self.numerical_gradient(x, t)`,
    # chapter 4's central differences, h = 1e-4, as the book's common/gradient.py), not backpropagation:
    # close to the answer, off by the difference's own error (about 1e-6 of it): read as lost precision, the
    # student was told to look for a float32 cast (sample layers/two_layer_net_numerical_gradient/).
    numerical_net_gradient: bool = False
    # DeZero steps 59 and 60: a recurrent Layer's deviation from the book (reference/recurrent.py reads
    # rnn_no_tanh, lstm_f_i_swapped, lstm_c_not_carried; the engine rnn_h2h_bias,
    # recurrent_params_not_recursive, recurrent_layers_not_registered and unchain_top_only).
    recurrent_mistake: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "accumulate": self.accumulate,
            "generation_order": self.generation_order,
            "clear_between": self.clear_between,
            "overwrite_in": sorted(self.overwrite_in),
            "unique_funcs": self.unique_funcs,
            "free_intermediate": self.free_intermediate,
            "reflected_swapped": self.reflected_swapped,
            "reflected_only": sorted(self.reflected_only),
            "inplace_accumulate": self.inplace_accumulate,
            "per_consumer": sorted(self.per_consumer),
            "upstream_from_start": self.upstream_from_start,
            "carry_locals": self.carry_locals,
            "seed_always": self.seed_always,
            "graph_backward": self.graph_backward,
            "sgd_direction": self.sgd_direction,
            "sgd_lr_ignored": self.sgd_lr_ignored,
            "no_grad_sticks": self.no_grad_sticks,
            "momentum_sign": self.momentum_sign,
            "params_skip_layers_in": sorted(self.params_skip_layers_in),
            "params_none_in": sorted(self.params_none_in),
            "activate_last": self.activate_last,
            "hidden_sigmoid": self.hidden_sigmoid,
            "hidden_missing": self.hidden_missing,
            "numerical_net_gradient": self.numerical_net_gradient,
            "recurrent_mistake": self.recurrent_mistake,
        }


@dataclass(frozen=True)
class Mutation:
    name: str
    code: str
    hint: str
    families: tuple[str, ...]
    vjps: Mapping[str, Vjp] = field(default_factory=lambda: MappingProxyType({}))
    semantics: Semantics = Semantics()
    # A mistake in a forward pass too (an assignment's own ops only: reference/extension.py).
    forwards: Mapping[str, Callable[..., np.ndarray]] = field(default_factory=lambda: MappingProxyType({}))
    # The same mistake in a backward written with Variables (DeZero steps 32 on: create_graph=True).
    graph_vjps: Mapping[str, GraphVjp] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": self.code,
            "hint": self.hint,
            "families": list(self.families),
            "replaced_vjps": sorted(self.vjps),
            "semantics": self.semantics.to_dict(),
        }


def _sigmoid_from_input(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (g * x * (1.0 - x),)


def _sigmoid_of_output(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    s = 1.0 / (1.0 + np.exp(-y))  # the sigmoid applied a second time, to the node's own value
    return (g * s * (1.0 - s),)


def _sigmoid_factor_dropped(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (g * (1.0 - y),)  # (1 - sigmoid) alone: the factor sigmoid of sigmoid * (1 - sigmoid) forgotten


def _square_from_output(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (2.0 * y * g,)


def _exp_from_input(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (g * x,)


# DeZero step 47. GetItemGrad written `gx[slices] = gy`: numpy's assignment through a repeated index keeps
# the last value written, where np.add.at sums them (tests/reference/test_dezero_step47.py, against torch).
def _get_item_assigned(g: np.ndarray, x: np.ndarray, index: np.ndarray, *, y: np.ndarray) -> Grads:
    gx = np.zeros(np.shape(x))
    gx[index_of(index)] = g
    return gx, None


# DeZero step 57: im2col_array sizing its output (H + 2 * PH - KH) // SH, without get_conv_outsize's + 1:
# the book's strided copy then takes the first OH - 1 rows and columns of windows.
def _im2col_outsize_no_plus_one(x: np.ndarray, **settings: Any) -> np.ndarray:
    rows = OPS["im2col"].forward(x, **settings)
    n = np.shape(x)[0]
    oh, ow = _outsize(x, settings)
    return rows.reshape(n, oh, ow, -1)[:, : oh - 1, : ow - 1].reshape(-1, rows.shape[1])


def _outsize(x: np.ndarray, settings: Mapping[str, Any]) -> tuple[int, int]:
    h, w = np.shape(x)[2:]
    (kh, kw), (sh, sw), (ph, pw) = (
        _two(settings.get(k, d)) for k, d in (("kernel_size", 1), ("stride", 1), ("pad", 0))
    )
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


def _two(v: object) -> tuple[int, int]:
    pair = tuple(v) if isinstance(v, (list, tuple)) else (v, v)
    return int(pair[0]), int(pair[1])


# DeZero step 57: Pooling2DGrad.forward scattering with `indexes = self.indexes.ravel()`, without the
# `+ xp.arange(0, self.indexes.size * KH * KW, KH * KW)` that moves each window's argmax into its own
# row of gcol: every window's gradient lands in the first window (the last write to a place kept).
def _pooling_grad_first_window(g: np.ndarray, x: np.ndarray, *, y: np.ndarray, **settings: Any) -> Grads:
    rows = OPS["im2col"].forward(x, **settings)
    n, c = np.shape(x)[:2]
    oh, ow = _outsize(x, settings)
    argmax = rows.reshape(n, oh, ow, c, -1).argmax(axis=4).transpose(0, 3, 1, 2)
    gcol = np.zeros(rows.size)
    gcol[argmax.ravel()] = np.asarray(g, dtype=np.float64).ravel()
    gcol = gcol.reshape(n, c, oh, ow, -1).transpose(0, 2, 3, 1, 4).reshape(rows.shape)
    return OPS["im2col"].vjp(gcol, x, y=rows, **settings)


# DeZero step 50: accuracy's prediction taken over the wrong axis, `y.data.argmax(axis=0)`, the best row of
# each class: on square scores it compares as many predictions as labels (any other shape raises, as the
# book's reshape(t.shape) does in the student's code).
def _accuracy_argmax_axis0(y: np.ndarray, t: np.ndarray, **_: Any) -> np.ndarray:
    labels = np.rint(np.asarray(t, dtype=np.float64)).astype(np.int64).reshape(-1)
    pred = np.argmax(np.asarray(y, dtype=np.float64), axis=0).reshape(labels.shape)
    return np.asarray(np.mean(pred == labels), dtype=np.float64)


# DeZero step 54: dropout's two ways of getting the scale wrong, as the factor each makes of x and of gy.
# Not scaled while training, `y = x * mask` (DLFS's Dropout, which scales at test time instead): the kept
# units and their gradients 1 - dropout_ratio times too small. Scaled in test mode, `return x * (1 -
# dropout_ratio)` beside the training-time 1 / (1 - dropout_ratio): the test-mode output that much too small.
def _not_scaled(shape: tuple[int, ...], ratio: float, seed: int, train: bool) -> np.ndarray:
    return book_dropout_mask(shape, ratio, seed).astype(np.float64) if train else np.ones(shape)


def _scaled_in_test_mode(shape: tuple[int, ...], ratio: float, seed: int, train: bool) -> np.ndarray:
    return book_dropout_mask(shape, ratio, seed) / (1.0 - ratio) if train else np.full(shape, 1.0 - ratio)


def _dropout_factored(
    factor: Callable[[tuple[int, ...], float, int, bool], np.ndarray],
) -> tuple[Forward, Vjp]:
    def forward(
        x: np.ndarray, *, dropout_ratio: float = 0.5, seed: int = 0, train: bool = True
    ) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) * factor(np.shape(x), dropout_ratio, seed, train)

    def vjp(
        g: np.ndarray,
        x: np.ndarray,
        *,
        y: np.ndarray,
        dropout_ratio: float = 0.5,
        seed: int = 0,
        train: bool = True,
    ) -> Grads:
        return (np.asarray(g, dtype=np.float64) * factor(np.shape(x), dropout_ratio, seed, train),)

    return forward, vjp


_DROPOUT_NOT_SCALED = _dropout_factored(_not_scaled)
_DROPOUT_SCALED_IN_TEST_MODE = _dropout_factored(_scaled_in_test_mode)


# softmax(x, axis=0): each column normalised; a SoftmaxCrossEntropy.backward calling softmax(x) with that
# default is wrong with it (its forward, log-sum-exp over axis 1, is not).
def _softmax_axis0(x: np.ndarray, **_: Any) -> np.ndarray:
    return softmax_axis(x, 0)


def _softmax_axis0_vjp(g: np.ndarray, x: np.ndarray, *, y: np.ndarray, **_: Any) -> Grads:
    gx = y * g
    return (gx - y * gx.sum(axis=0, keepdims=True),)


def _sce_softmax_axis0(g: np.ndarray, x: np.ndarray, t: np.ndarray, *, y: np.ndarray) -> Grads:
    labels = np.rint(t).astype(np.int64).reshape(-1)
    return g * (softmax_axis(x, 0) - np.eye(x.shape[1])[labels]) / len(x), None


# Softmax.backward written as an elementwise function's, gx = gy * y * (1 - y): the diagonal of softmax's
# Jacobian only, without the -y * sum(y * gy) every other score of the row adds.
def _softmax_diagonal_only(g: np.ndarray, x: np.ndarray, *, y: np.ndarray, **_: Any) -> Grads:
    return (g * y * (1.0 - y),)


# SoftmaxCrossEntropy.backward with its one-hot built by columns, t_onehot[:, t.data] = 1: every row gets a 1
# at every label any row has.
def _sce_onehot_by_columns(g: np.ndarray, x: np.ndarray, t: np.ndarray, *, y: np.ndarray) -> Grads:
    onehot = np.zeros(np.shape(x))
    onehot[:, np.rint(t).astype(np.int64).reshape(-1)] = 1.0
    return g * (softmax_axis(x) - onehot) / len(x), None


# DeZero steps 34 and 35, each mistake twice: on arrays (backward alone) and with Variables (create_graph).
def _cos_sign(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (g * np.sin(x),)


def _cos_sign_graph(b: Builder, g: int, xs: tuple[int, ...], y: int, s: Mapping[str, Any]) -> tuple[int, ...]:
    return (b.build("Mul", g, b.build("Sin", xs[0])),)  # gy * sin(x)


def _graph_on_data(op: str) -> GraphVjp:
    """`op`'s backward with Variables, but reading its inputs and output through `.data`: the gradient still
    carries gy's graph, none back to the inputs (`x = self.inputs[0].data` in Pow.backward)."""
    book = GRAPH_VJPS[op]

    def vjp(b: Builder, g: int, xs: tuple[int, ...], y: int, s: Mapping[str, Any]) -> tuple[int, ...]:
        return book(b, g, tuple(b.detached(x) for x in xs), b.detached(y), s)

    return vjp


# DeZero steps 33 to 36: one Function's backward still written on ndarrays, the others on Variables (a step-32
# copy that converted some of them). The first derivative is right; under create_graph its gradient reaches
# x only through the other functions, so the second derivative is None or wrong (book step 36's z = gx ** 3 +
# y). backward_on_data is the same mistake in every function at once. Sin, Cos and Tanh on .data give None at
# every order the cases record (no path but theirs), which backward_on_data's hint already says; no case yet
# tells them apart by a wrong number, so they have no mutation of their own.
_ON_DATA = {
    "pow": "x = self.inputs[0].data; x, = self.inputs",
    "mul": "self.inputs[0].data; x0, x1 = self.inputs",
    "div": "self.inputs[0].data; x0, x1 = self.inputs",
}


def _on_data_in(op: str) -> Mutation:
    cls = op.capitalize()
    wrote, right = _ON_DATA[op].split("; ", 1)
    return _mutation(
        f"{op}_backward_on_data",
        "wrong_derivative",
        f"{cls}.backward computes on .data ({wrote}): under create_graph=True its gradient has no graph back "
        f"to the input, so the next backward misses that path; use the Variables: {right} (step 33).",
        ("dezero",),
        graph_vjps={op: _graph_on_data(op)},
    )


def _tanh_from_input(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (g * (1.0 - x * x),)


def _tanh_from_input_graph(
    b: Builder, g: int, xs: tuple[int, ...], y: int, s: Mapping[str, Any]
) -> tuple[int, ...]:
    return (b.build("Mul", g, b.build("Sub", b.const(1.0, xs[0]), b.build("Mul", xs[0], xs[0]))),)


# DeZero steps 38 to 41: a backward that hands the gradient back in the output's shape, not the input's.
def _add_no_sum_to(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return g, g  # step 35's Add.backward: numpy broadcast x1 in the forward pass, nothing sums it back


# Step 35's Mul, Sub and Div backward kept at step 40: each gradient in the shape numpy broadcast to.
def _mul_no_sum_to(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return g * x1, g * x0


def _sub_no_sum_to(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return _as_float(g), -_as_float(g)


def _div_no_sum_to(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    x0, x1 = _as_float(x0), _as_float(x1)
    return g / x1, g * (-x0 / x1**2)


def _no_sum_to(cls: str, vjp: Vjp, returns: str) -> Mutation:
    return _mutation(
        f"{cls.lower()}_no_sum_to",
        "wrong_shape",
        f"{cls}.backward returns {returns} in the shape numpy broadcast to: when x0.shape != x1.shape, sum "
        f"each back to its input's shape, gx1 = sum_to(gx1, x1.shape) (step 40).",
        ("dezero",),
        vjps={cls.lower(): vjp},
    )


# Step 40 in the book shows Add.backward alone and asks for the same edit in Sub, Mul and Div: students skip
# all four, or fix Add and keep the other three. Each per-class mistake reproduces its own class only, so a
# graph mixing Sub, Mul and Div (broadcast-arithmetic-graph) was left to sum_to_no_lead, whose hint blames a
# right utils.sum_to (review sample allfour/).
_ARITH_NO_SUM_TO: dict[str, Vjp] = {"mul": _mul_no_sum_to, "sub": _sub_no_sum_to, "div": _div_no_sum_to}
_CLASS_NO_SUM_TO: dict[str, Vjp] = {
    "add": _add_no_sum_to,
    "mul": _mul_no_sum_to,
    "sub": _sub_no_sum_to,
    "div": _div_no_sum_to,
}
_BOOK_ORDER = ("add", "sub", "mul", "div")  # the order the hint names the classes in


def _some_no_sum_to() -> list[Mutation]:
    """Every other two or three of the four left without sum_to: a student fixes the ones step 40 reminds
    them of and misses the rest, any of them. Each record of a graph mixing them is the combination's own
    value (x1's gradient through Add and Mul both unsummed): no single-class mistake reproduces it, and
    arith_no_sum_to, which does, is contradicted by the right Sub and Div (book_step40_add_mul_no_sum_to/)."""
    covered = {frozenset(_ARITH_NO_SUM_TO)}  # mul_sub_div_no_sum_to; the four are arith_no_sum_to
    out = []
    for size in (2, 3):
        for ops in itertools.combinations(("add", "mul", "sub", "div"), size):
            if frozenset(ops) in covered:
                continue
            named = [f"{op.capitalize()}.backward" for op in _BOOK_ORDER if op in ops]
            listed = f"{', '.join(named[:-1])} and {named[-1]}"
            out.append(
                _mutation(
                    f"{'_'.join(ops)}_no_sum_to",
                    "wrong_shape",
                    f"{listed} {'both' if size == 2 else 'all'} keep step 35's gradients in the shape numpy "
                    "broadcast to: when x0.shape != x1.shape, sum each back to its input's shape, gx1 = "
                    "sum_to(gx1, x1.shape) (step 40).",
                    ("dezero",),
                    vjps={op: _CLASS_NO_SUM_TO[op] for op in ops},
                )
            )
    return out


def _broadcast_to_gy(g: np.ndarray, x: np.ndarray, *, y: np.ndarray, **settings: Any) -> Grads:
    return (_as_float(g),)  # BroadcastTo.backward returning gy: the broadcast shape, never summed back


def _sum_to_no_lead(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """DeZero's utils.sum_to written without its leading axes: `axis = tuple(i for i, sx in enumerate(shape)
    if sx == 1)`, `x.sum(axis, keepdims=True)`, the indices never shifted by `lead = x.ndim - len(shape)`.
    Right when numpy broadcast within the same rank ((2, 3) to (1, 3)); a (2, 3) gradient stays (2, 3) for
    a (3,) input, and a (N, 1) one becomes (1, 1) for a (1,) bias."""
    x = np.asarray(x, dtype=np.float64)
    if x.shape == tuple(shape):
        return x  # the book calls sum_to only when the shapes differ
    return x.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)


def _no_lead_pair(g0: np.ndarray, g1: np.ndarray, x0: np.ndarray, x1: np.ndarray) -> Grads:
    return _sum_to_no_lead(g0, np.shape(x0)), _sum_to_no_lead(g1, np.shape(x1))


# Every step-40 backward that sums a broadcast gradient back goes through that one sum_to.
_NO_LEAD_VJPS: dict[str, Vjp] = {
    "add": lambda g, x0, x1, *, y: _no_lead_pair(g, g, x0, x1),
    "sub": lambda g, x0, x1, *, y: _no_lead_pair(g, -_as_float(g), x0, x1),
    "mul": lambda g, x0, x1, *, y: _no_lead_pair(g * x1, g * x0, x0, x1),
    "div": lambda g, x0, x1, *, y: _no_lead_pair(g / x1, g * (-_as_float(x0) / _as_float(x1) ** 2), x0, x1),
    "broadcast_to": lambda g, x, *, y, **s: (_sum_to_no_lead(g, np.shape(x)),),
    # Step 43's Linear.backward too (gb = sum_to(gy, b.shape)): without it, the book's right Linear over that
    # sum_to was told "Linear.backward: the bias gradient was not summed over the batch" (session 27). A
    # Linear.backward whose own `gb = gy` is left unsummed over a right sum_to (sample
    # book_step43_linear_gb_gy/, review sample gb_gy/) is linear_gb_unsummed, which no right sum_to record
    # contradicts, where this one is.
    "linear": lambda g, x, w, b, *, y: (g @ w.T, x.T @ g, _sum_to_no_lead(g, np.shape(b))),
}


def _linear_gb_unsummed(
    g: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray, *, y: np.ndarray
) -> Grads:
    return g @ w.T, x.T @ g, _as_float(g)  # DeZero step 43: gb = gy, one row per sample


def _setting_shape(shape: object) -> tuple[int, ...]:
    return tuple(int(n) for n in np.atleast_1d(np.asarray(shape, dtype=np.int64)))


def _as_float(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _shape_kept(g: np.ndarray, x: np.ndarray, *, y: np.ndarray, **settings: Any) -> Grads:
    return (g,)  # Reshape, Transpose or Sum backward returning gy as it came


def _matmul_no_transpose(g: np.ndarray, x: np.ndarray, w: np.ndarray, *, y: np.ndarray) -> Grads:
    return g @ w, x.T @ g  # gx = gy @ W: runs only when W is square


def _linear_gw_transposed(
    g: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray, *, y: np.ndarray
) -> Grads:
    # DeZero step 43: gW = matmul(gy.T, x), shaped (O, I) where W is (I, O); gx and gb right
    return g @ w.T, g.T @ x, unbroadcast(g, np.shape(b))


def _affine_x_unflattened(
    g: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray, *, y: np.ndarray
) -> Grads:
    # DLFS Affine keeping `self.x = x` before its reshape: dW = np.dot(self.x.T, dout) on the input as it
    # came, (W, H, C, out) for a 4-D (N, C, H, W); right for a 2-D input. dx and db right.
    x = np.asarray(x, dtype=np.float64)
    dx = (g @ np.asarray(w, dtype=np.float64).T).reshape(x.shape)
    return dx, np.dot(x.T, g), unbroadcast(g, np.shape(b))


def _relu_mask_from_dout(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (np.where(g <= 0, 0.0, g),)


def _dezero_linear_no_bias_vjp(
    g: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray, *, y: np.ndarray
) -> Grads:
    # DeZero step 44: the Linear layer's bias never entered the graph (F.linear(x, self.W)), so backward never
    # reaches it: b.grad stays None; gx and gW are those of x @ W
    return g @ w.T, np.asarray(x, dtype=np.float64).T @ g, None


def _add_one_gradient(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return g, None  # `return gy`: DeZero pairs the lone gradient with the first input and drops the second


def _overwrite_in(cls: str) -> Mutation:
    return _mutation(
        f"overwrite_in_{cls.lower()}",
        "missing_accumulation",
        f"{cls}.backward assigns (=) the gradient from each outbound node instead of adding it (+=), so when "
        f"{'an Input' if cls == 'Input' else f'a {cls} node'} feeds several nodes only the last one counts.",
        ("miniflow",),
        semantics=Semantics(overwrite_in=frozenset({cls})),
    )


def _passed_on(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    # The book's Add.backward, `return gy, gy`: the same array for both inputs (broadcast ones are summed,
    # as from step 40, into arrays of their own).
    return _as_is(g, x0), _as_is(g, x1)


def _passed_on_first(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return _as_is(g, x0), unbroadcast(-g, np.shape(x1))  # Sub.backward, `return gy, -gy`: gy itself first


def _as_is(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    return g if np.shape(g) == np.shape(x) else unbroadcast(g, np.shape(x))


def _mul_swapped(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return g * x0, g * x1


def _add_subtracts(x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    return x0 - x1


def _div_denominator_sign(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return g / x1, g * x0 / x1**2


def _predict_softmax(x: np.ndarray, *params: np.ndarray) -> np.ndarray:
    return softmax_of(TwoLayerPredict().forward(x, *params))


def _chapter4_predict(x: np.ndarray, *params: np.ndarray) -> np.ndarray:
    # ch04/two_layer_net.py: a1 = x W1 + b1, z1 = sigmoid(a1), y = softmax(z1 W2 + b2); no layers.
    w1, b1, w2, b2 = params
    hidden = OPS["sigmoid"].forward(OPS["linear"].forward(x, w1, b1))
    return softmax_of(OPS["linear"].forward(hidden, w2, b2))


def _sigmoid_hidden_scores(x: np.ndarray, *params: np.ndarray) -> np.ndarray:
    # chapter 5's layers with Sigmoid in Relu's place: Affine, Sigmoid, Affine, the scores (no softmax)
    w1, b1, w2, b2 = params
    hidden = OPS["sigmoid"].forward(OPS["linear"].forward(x, w1, b1))
    return OPS["linear"].forward(hidden, w2, b2)


def _sigmoid_hidden_accuracy(x: np.ndarray, t: np.ndarray, *params: np.ndarray) -> np.ndarray:
    guesses = np.argmax(_sigmoid_hidden_scores(x, *params), axis=1)
    return np.asarray(np.sum(guesses == class_labels(t)) / float(x.shape[0]), dtype=np.float64)


def _no_hidden_scores(x: np.ndarray, *params: np.ndarray) -> np.ndarray:
    # chapter 5's layers with nothing between the two Affine layers: Affine, Affine, the scores
    w1, b1, w2, b2 = params
    return OPS["linear"].forward(OPS["linear"].forward(x, w1, b1), w2, b2)


def _no_hidden_accuracy(x: np.ndarray, t: np.ndarray, *params: np.ndarray) -> np.ndarray:
    guesses = np.argmax(_no_hidden_scores(x, *params), axis=1)
    return np.asarray(np.sum(guesses == class_labels(t)) / float(x.shape[0]), dtype=np.float64)


def _chapter4_hidden(x: np.ndarray) -> np.ndarray:
    return OPS["sigmoid"].forward(x)


def _chapter4_hidden_vjp(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return OPS["sigmoid"].vjp(g, x, y=y)  # sigmoid_grad(a1) * da1: the book's own chapter-4 derivative


def _chapter4_softmax_ce_vjp(g: np.ndarray, x: np.ndarray, t: np.ndarray, *, y: np.ndarray) -> Grads:
    # dy = (y - t) / batch_num with t as it is: right for one-hot t; class labels broadcast along the rows
    # when there are as many samples as classes (numpy raises otherwise, leaving this out of that case).
    n = x.shape[0] if x.ndim > 1 else 1
    return g * (softmax_of(x) - np.asarray(t, dtype=np.float64)) / n, None


def _guesses(x: np.ndarray, params: tuple[np.ndarray, ...]) -> np.ndarray:
    return np.argmax(TwoLayerPredict().forward(x, *params), axis=1)


def _accuracy_t_as_given(x: np.ndarray, t: np.ndarray, *params: np.ndarray) -> np.ndarray:
    # `np.sum(y == t)` with one-hot t left as it is: numpy broadcasts (N,) against (N, C) when N == C
    # (and raises otherwise, which leaves this mistake out of a case it cannot run).
    return np.asarray(np.sum(_guesses(x, params) == np.asarray(t)) / float(x.shape[0]), dtype=np.float64)


def _accuracy_axis0(x: np.ndarray, t: np.ndarray, *params: np.ndarray) -> np.ndarray:
    # argmax over the samples (axis 0) instead of the classes, for the scores and a one-hot t: shapes (C,)
    # against (N,), so it runs only when N == C (numpy raises otherwise, leaving it out of that case).
    scores, t = TwoLayerPredict().forward(x, *params), np.asarray(t)
    labels = np.argmax(t, axis=0) if t.ndim != 1 else t
    return np.asarray(np.sum(np.argmax(scores, axis=0) == labels) / float(x.shape[0]), dtype=np.float64)


def _accuracy_summed(x: np.ndarray, t: np.ndarray, *params: np.ndarray) -> np.ndarray:
    return np.asarray(np.sum(_guesses(x, params) == class_labels(t)), dtype=np.float64)


def _linear_no_bias(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return OPS["linear"].forward(x, w, np.zeros_like(np.asarray(b, dtype=np.float64)))


def _no_bias_scores(x: np.ndarray, *params: np.ndarray) -> np.ndarray:
    # TwoLayerNet.predict on Affine layers that leave the bias out: Affine, Relu, Affine, the scores
    w1, b1, w2, b2 = params
    return _linear_no_bias(OPS["relu"].forward(_linear_no_bias(x, w1, b1)), w2, b2)


def _no_bias_accuracy(x: np.ndarray, t: np.ndarray, *params: np.ndarray) -> np.ndarray:
    guesses = np.argmax(_no_bias_scores(x, *params), axis=1)
    return np.asarray(np.sum(guesses == class_labels(t)) / float(x.shape[0]), dtype=np.float64)


def _mse_mean_squared(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    # np.mean(diff) ** 2: the mean of the differences, squared, where the cost is the mean of the squares
    diff = np.asarray(y, dtype=np.float64).reshape(-1, 1) - np.asarray(a, dtype=np.float64).reshape(-1, 1)
    return np.asarray(np.mean(diff) ** 2, dtype=np.float64)


def _mse_grad_mean(g: np.ndarray, y0: np.ndarray, a: np.ndarray, *, y: np.ndarray) -> Grads:
    # MSE.backward handing one number, 2 * np.mean(diff), to y and its negative to a: the derivative of
    # mean(diff**2) taken as that of mean(diff) ** 2 with the mean left outside, one number for every row
    diff = np.asarray(y0, dtype=np.float64).reshape(-1, 1) - np.asarray(a, dtype=np.float64).reshape(-1, 1)
    mean = np.asarray(g, dtype=np.float64) * 2.0 * np.mean(diff)
    return np.asarray(mean, dtype=np.float64), np.asarray(-mean, dtype=np.float64)


def _mse_not_reshaped(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    # y - a without the lesson's reshape(-1, 1): a y of shape (m,) against an a of shape (m, 1) broadcasts to
    # (m, m), and the mean runs over m * m differences
    diff = np.asarray(y, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    return np.asarray(np.mean(diff**2), dtype=np.float64)


def _softmax_over_batch(x: np.ndarray) -> np.ndarray:
    # Chapter 3's one-sample softmax used on a batch: every exp over ONE sum (np.sum(exp_a), no axis).
    e = np.exp(np.asarray(x, dtype=np.float64) - np.max(x))
    return e / e.sum()


def _softmax_ce_with(softmax: Callable[[np.ndarray], np.ndarray]) -> tuple[Forward, Vjp]:
    """SoftmaxWithLoss's forward (the book's cross entropy, 1e-7 in the log) and backward ((y - t) / N)
    around a wrong `softmax`."""

    def forward(x: np.ndarray, t: np.ndarray) -> np.ndarray:
        n = x.shape[0] if x.ndim > 1 else 1
        return np.asarray(-np.sum(one_hot(t, x) * np.log(softmax(x) + 1e-7)) / n, dtype=np.float64)

    def vjp(g: np.ndarray, x: np.ndarray, t: np.ndarray, *, y: np.ndarray) -> Grads:
        n = x.shape[0] if x.ndim > 1 else 1
        return g * (softmax(x) - one_hot(t, x)) / n, None

    return forward, vjp


def _softmax_over_axis0(x: np.ndarray) -> np.ndarray:
    # The book's 2-D softmax without its transposes: each column (one class over the samples) sums to 1
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2:
        return _softmax_over_batch(x)
    e = np.exp(x - np.max(x, axis=0))
    return e / e.sum(axis=0)


def _softmax_column_max(x: np.ndarray) -> np.ndarray:
    # The book's 2-D softmax with its transposes dropped and only the sum's axis put right: each row divided
    # by its own sum, after subtracting each column's maximum (one class over the samples), not each row's
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2:
        return _softmax_over_batch(x)
    e = np.exp(x - np.max(x, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):  # a row far below the columns' maxima: 0 / 0, NaN
        return e / e.sum(axis=1, keepdims=True)


_SOFTMAX_CE_OVER_BATCH = _softmax_ce_with(_softmax_over_batch)
_SOFTMAX_CE_OVER_AXIS0 = _softmax_ce_with(_softmax_over_axis0)
_SOFTMAX_CE_COLUMN_MAX = _softmax_ce_with(_softmax_column_max)


def _relu_mask_inverted(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    # dout * self.mask with mask = (x <= 0): dout passes where it must be zeroed, and only there
    return (np.where(np.asarray(x) <= 0, g, 0.0),)


def _sigmoid_sign_dropped(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + np.exp(x)): sigmoid(-x); the backward from the output, out * (1 - out), is unchanged
    return OPS["sigmoid"].forward(-np.asarray(x, dtype=np.float64))


def _cross_entropy_onehot_only(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    # Chapter 4's first cross_entropy_error, -np.sum(t * np.log(y + 1e-7)) / batch_size, fed class labels:
    # t (shape (N,)) broadcasts along each row, which NumPy allows only when N is the number of classes.
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0] if x.ndim > 1 else 1
    product = np.asarray(t, dtype=np.float64) * np.log(softmax_of(x) + CE_EPS)
    return np.asarray(-np.sum(product) / n, dtype=np.float64)


def _div_denominator_copied(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return g / x1, g / x1  # gx0's line copied for gx1


def _pow_exponent_gradient(g: np.ndarray, x: np.ndarray, *, y: np.ndarray, c: float = 2.0) -> Grads:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (g * y * np.log(x),)  # d(x ** c)/dc: the exponent treated as the variable


def _upstream_ignored(op: str) -> Vjp:
    """The op's own vector-Jacobian product fed ones for the upstream gradient: the local derivative alone,
    what a backward that forgets the chain rule returns (`return 2 * x` for `return 2 * x * gy`). It differs
    from the right gradient only where the upstream gradient is not ones."""

    def vjp(g: np.ndarray, *xs: np.ndarray, y: np.ndarray, **settings: Any) -> Grads:
        return OPS[op].vjp(np.ones_like(np.asarray(g, dtype=np.float64)), *xs, y=y, **settings)

    return vjp


def _ignores_upstream(name: str, op: str, family: str, hint: str, cls: str = "") -> Mutation:
    # MiniFlow's backward adds its formula once per outbound node: dropped, the gradient counts that often.
    per_consumer = frozenset({cls}) if family == "miniflow" else frozenset()
    return _mutation(
        name,
        "ignores_upstream",
        hint,
        (family,),
        vjps={op: _upstream_ignored(op)},
        semantics=Semantics(per_consumer=per_consumer),
    )


def _mutation(
    name: str,
    code: str,
    hint: str,
    families: tuple[str, ...],
    vjps: Mapping[str, Vjp] | None = None,
    semantics: Semantics | None = None,
    forwards: Mapping[str, Callable[..., np.ndarray]] | None = None,
    graph_vjps: Mapping[str, GraphVjp] | None = None,
) -> Mutation:
    return Mutation(
        name,
        code,
        hint,
        families,
        MappingProxyType(dict(vjps or {})),
        semantics or Semantics(),
        MappingProxyType(dict(forwards or {})),
        MappingProxyType(dict(graph_vjps or {})),
    )


def _unique_names(mutations: tuple[Mutation, ...]) -> dict[str, Mutation]:
    """The registry, name -> mutation, in order; a name given twice raises (a dict built from the tuple kept
    the last of two silently: session 31's DeZero accuracy_argmax_axis0 hid the layers one of that name)."""
    seen = Counter(m.name for m in mutations)
    twice = sorted(name for name, count in seen.items() if count > 1)
    if twice:
        raise ValueError(f"reference/mutations.py: mutation name(s) given more than once: {', '.join(twice)}")
    return {m.name: m for m in mutations}


MUTATIONS: dict[str, Mutation] = _unique_names(
    (
        # MiniFlow: one mutation per class that loops over outbound nodes, so the hint names the class that
        # overwrote; then the mistake made everywhere at once. Registry order is the order of trial.
        *(_overwrite_in(cls) for cls in ("Input", "Linear", "Sigmoid")),
        _mutation(
            "overwrite_throughout",
            "missing_accumulation",
            "Input.backward, Linear.backward and Sigmoid.backward assign (=) the gradient from each outbound "
            "node instead of adding it (+=), so a node that feeds several nodes keeps only the last one's.",
            ("miniflow",),
            semantics=Semantics(accumulate=False),
        ),
        _mutation(
            "overwrite_not_accumulate",
            "missing_accumulation",
            "Variable.backward assigns x.grad = gx when x already has a gradient; add it "
            "(x.grad = x.grad + gx) so a variable used twice, or a second backward, keeps both.",
            ("dezero",),
            semantics=Semantics(accumulate=False),
        ),
        _mutation(
            "inplace_accumulate",
            "missing_accumulation",
            "Variable.backward adds with x.grad += gx, in place: x.grad may be the very array another "
            "variable holds (Add passes gy on), so both change; write x.grad = x.grad + gx.",
            ("dezero",),
            semantics=Semantics(inplace_accumulate=True),
            vjps={"add": _passed_on, "sub": _passed_on_first},
        ),
        _mutation(
            "add_one_gradient",
            "missing_input_gradient",
            "Add.backward returns one gradient (gy) for two inputs, so only the first input gets one; "
            "return gy, gy: one gradient per input.",
            ("dezero",),
            vjps={"add": _add_one_gradient},
        ),
        _mutation(
            "retain_grad_ignored",
            "missing_retain_grad",
            "Variable.backward keeps every intermediate gradient: unless retain_grad=True, set the grad of "
            "each function's outputs to None once the function has run (step 18).",
            ("dezero",),
            semantics=Semantics(free_intermediate=False),
        ),
        _mutation(
            "step14_loop",
            "order",
            "Variable.backward is the book's step-14 loop (no seen set, no sort by generation, no "
            "retain_grad): a function on two paths runs twice, so the diamond gives 96, "
            "not 64 (steps 16-18).",
            ("dezero",),
            semantics=Semantics(generation_order=False, unique_funcs=False, free_intermediate=False),
        ),
        _mutation(
            "no_generation_order",
            "order",
            # set_creator without + 1 leaves every generation 0, and the sort then changes nothing
            "Variable.backward runs functions last-in first-out, not by generation (highest first), so one "
            "runs before all its output gradients arrive: sort by generation, set_creator giving each "
            "output its creator's + 1.",
            ("dezero",),
            semantics=Semantics(generation_order=False),
        ),
        _mutation(
            "upstream_from_start",
            "ignores_upstream",
            "Variable.backward hands every function the gradient it started from (f.backward(self.grad)); "
            "pass each function its own output's gradient: x, y = f.input, f.output; f.backward(y.grad).",
            ("dezero",),
            semantics=Semantics(upstream_from_start=True),
        ),
        _mutation(
            "seed_always",
            "ignores_upstream",
            "Variable.backward replaces a gradient already set on the output with ones: seed only when there "
            "is none, if self.grad is None: self.grad = np.ones_like(self.data).",
            ("dezero",),
            semantics=Semantics(seed_always=True),
        ),
        _mutation(
            "no_cleargrad",
            "stale_gradient",
            "cleargrad does not set grad back to None, so the next backward adds onto the previous "
            "computation's gradient; cleargrad must do self.grad = None.",
            ("dezero",),
            semantics=Semantics(clear_between=False),
        ),
        _mutation(
            "gradients_carried",
            "stale_gradient",
            "Input.backward adds onto its gradient of the previous pass: start its dict afresh in every "
            "backward, self.gradients = {self: 0}, before summing.",
            ("miniflow",),
            semantics=Semantics(clear_between=False),
        ),
        _mutation(
            "gradients_dict_kept",
            "stale_gradient",
            "Input, Linear and Sigmoid backward keep the last pass's gradients dict (set up once, never "
            "reset), so gradients grow pass after pass: set self.gradients afresh in each backward.",
            ("miniflow",),
            semantics=Semantics(clear_between=False, carry_locals=True),
        ),
        _mutation(
            "sigmoid_from_input",
            "wrong_derivative",
            "Sigmoid.backward uses the input x; the derivative is value * (1 - value) of the output.",
            ("miniflow", "layers"),
            vjps={"sigmoid": _sigmoid_from_input},
        ),
        _mutation(
            "sigmoid_sign_dropped",
            "wrong_forward",
            "Sigmoid.forward computes 1 / (1 + np.exp(x)), the minus sign dropped: sigmoid is "
            "1 / (1 + np.exp(-x)) (its backward from the output is right).",
            ("miniflow", "layers"),
            forwards={"sigmoid": _sigmoid_sign_dropped},
        ),
        _mutation(
            "sigmoid_of_output",
            "wrong_derivative",
            "Sigmoid.backward applies _sigmoid to self.value, which already is the sigmoid: use "
            "sigmoid = self.value, then add sigmoid * (1 - sigmoid) * grad_cost.",
            ("miniflow",),
            vjps={"sigmoid": _sigmoid_of_output},
        ),
        _mutation(
            "sigmoid_factor_dropped",
            "wrong_derivative",
            "Sigmoid.backward adds (1 - sigmoid) * grad_cost, the factor sigmoid forgotten: the derivative "
            "is sigmoid * (1 - sigmoid) with sigmoid = self.value; add sigmoid * (1 - sigmoid) * grad_cost.",
            ("miniflow",),
            vjps={"sigmoid": _sigmoid_factor_dropped},
        ),
        _mutation(  # the same mistake in the book's words (one hint per family, as sigmoid_ignores_dout)
            "sigmoid_out_factor_dropped",
            "wrong_derivative",
            "Sigmoid.backward returns dout * (1.0 - self.out), the factor self.out forgotten: the derivative "
            "is (1.0 - self.out) * self.out; dx = dout * (1.0 - self.out) * self.out.",
            ("layers",),
            vjps={"sigmoid": _sigmoid_factor_dropped},
        ),
        _mutation(
            "sgd_ascends",
            "wrong_update",
            "sgd_update moved this trainable along its gradient, not against it: if the gradient cases pass, "
            "write t.value -= learning_rate * t.gradients[t] (not +=).",
            ("miniflow",),
            semantics=Semantics(sgd_direction=1),
        ),
        _mutation(
            "sgd_unchanged",
            "wrong_update",
            "sgd_update left this trainable as it was: if the gradient cases pass, sgd_update is still a "
            "TODO: for t in trainables: t.value -= learning_rate * t.gradients[t].",
            ("miniflow",),
            semantics=Semantics(sgd_direction=0),
        ),
        _mutation(
            "sgd_lr_ignored",
            "wrong_update",
            "sgd_update subtracted the whole gradient, its learning rate never used: if the gradient cases "
            "pass, write t.value -= learning_rate * t.gradients[t].",
            ("miniflow",),
            semantics=Semantics(sgd_lr_ignored=True),
        ),
        _mutation(  # the miniflow mistake sgd_ascent, in DeZero's words
            "dezero_sgd_ascent",
            "wrong_update",
            "SGD.update_one adds the gradient, stepping uphill: "
            "param.data -= self.lr * param.grad.data (step 46).",
            ("dezero",),
            semantics=Semantics(sgd_direction=1),
        ),
        _mutation(  # the miniflow mistake sgd_lr_ignored, in DeZero's words
            "dezero_sgd_lr_ignored",
            "wrong_update",
            "SGD.update_one subtracts the whole gradient, self.lr never used: "
            "param.data -= self.lr * param.grad.data (step 46).",
            ("dezero",),
            semantics=Semantics(sgd_lr_ignored=True),
        ),
        _mutation(
            "no_grad_sticks",
            "config_not_restored",
            "no_grad / using_config left Config.enable_backprop False after the with block: keep the old "
            "value, yield inside try, and set it back in finally (step 18).",
            ("dezero",),
            semantics=Semantics(no_grad_sticks=True),
        ),
        _mutation(
            "momentum_velocity_added",
            "wrong_update",
            "MomentumSGD.update_one adds the gradient to the velocity, v += self.lr * param.grad.data: "
            "v *= self.momentum; v -= self.lr * param.grad.data; param.data += v (step 46).",
            ("dezero",),
            semantics=Semantics(momentum_sign=1),
        ),
        _mutation(
            "params_not_recursive",
            "stale_gradient",
            "Layer.params() skips the Layers it holds (an MLP's self.l0, self.l1), so cleargrads() leaves "
            "their grads: keep Layer attributes in __setattr__ and yield from obj.params() (step 45).",
            ("dezero",),
            semantics=Semantics(params_skip_layers_in=frozenset({"cleargrads"})),
        ),
        _mutation(
            "layer_cleargrads_noop",
            "stale_gradient",
            "Layer.cleargrads clears no Parameter's grad, its own W and b as much as an MLP's layers': "
            "for param in self.params(): param.cleargrad(), the parentheses included (step 44).",
            ("dezero",),
            semantics=Semantics(params_none_in=frozenset({"cleargrads"})),
        ),
        _mutation(
            "optimizer_params_not_recursive",
            "wrong_update",
            "Layer.params() skips the Layers it holds (an MLP's self.l0, self.l1), so update() moves none of "
            "their W and b: keep Layer attributes in __setattr__ and yield from obj.params() (step 45).",
            ("dezero",),
            semantics=Semantics(params_skip_layers_in=frozenset({"optimize"})),
        ),
        _mutation(
            "mlp_activation_after_last",
            "wrong_forward",
            "MLP.forward applies the activation after the last Linear layer too: x = self.activation(l(x)) "
            "for l in self.layers[:-1] only, then return self.layers[-1](x) (step 45).",
            ("dezero",),
            semantics=Semantics(activate_last=True),
        ),
        _mutation(
            "rnn_no_tanh",
            "wrong_forward",
            "RNN.forward returns x2h(x) + h2h(h) without F.tanh: h_new = F.tanh(self.x2h(x) + "
            "self.h2h(self.h)), F.tanh(self.x2h(x)) on the first call (step 59).",
            ("dezero",),
            semantics=Semantics(recurrent_mistake="rnn_no_tanh"),
        ),
        _mutation(
            "rnn_h2h_bias",
            "wrong_forward",
            "RNN.__init__ gives h2h a bias, so params() yields 4 Parameters: the book's h2h is "
            "L.Linear(hidden_size, nobias=True), x2h's b the only bias (step 59).",
            ("dezero",),
            semantics=Semantics(recurrent_mistake="rnn_h2h_bias"),
        ),
        _mutation(
            "recurrent_params_not_recursive",
            "wrong_forward",
            "Layer.params yields an RNN's or LSTM's Linear layers (x2h, h2h, ...), not their Parameters: "
            "params does not recurse into Layer attributes: if isinstance(obj, Layer): yield from "
            "obj.params() (step 45).",
            ("dezero",),
            semantics=Semantics(recurrent_mistake="recurrent_params_not_recursive"),
        ),
        _mutation(
            "recurrent_layers_not_registered",
            "wrong_forward",
            "Layer.params yields no Parameter of an RNN or LSTM: Layer.__setattr__ keeps only Parameter "
            "attributes, not the Linear layers x2h, h2h, ...: if isinstance(value, (Parameter, Layer)) "
            "(step 45).",
            ("dezero",),
            semantics=Semantics(recurrent_mistake="recurrent_layers_not_registered"),
        ),
        _mutation(
            "lstm_f_i_swapped",
            "wrong_forward",
            "LSTM.forward swaps the forget and input gates in the carried cell, c_new = i * self.c + f * u: "
            "the forget gate f scales the old cell, c_new = f * self.c + i * u (step 60).",
            ("dezero",),
            semantics=Semantics(recurrent_mistake="lstm_f_i_swapped"),
        ),
        _mutation(
            "lstm_c_not_carried",
            "wrong_forward",
            "LSTM.forward does not carry the cell: c_new = f * self.c + i * u once self.c is set (i * u on "
            "the first call only), and self.h, self.c = h_new, c_new (step 60).",
            ("dezero",),
            semantics=Semantics(recurrent_mistake="lstm_c_not_carried"),
        ),
        _mutation(
            "unchain_top_only",
            "stale_gradient",
            "Variable.unchain_backward cuts only the variable's own creator: it should walk the graph "
            "below it, x.unchain() for every input with a creator, so the next backward stops at the kept h "
            "(step 59).",
            ("dezero",),
            semantics=Semantics(recurrent_mistake="unchain_top_only"),
        ),
        _mutation(
            "get_item_grad_assigned",
            "wrong_derivative",
            "GetItem.backward's GetItemGrad writes gx[slices] = gy, so a row taken twice keeps one gradient: "
            "np.add.at(gx, self.slices, gy) adds them (step 47).",
            ("dezero",),
            vjps={"get_item": _get_item_assigned},
        ),
        _mutation(
            "dezero_accuracy_argmax_axis0",
            "wrong_forward",
            "accuracy(y, t) takes y.data.argmax(axis=0), the best row of each class: the prediction of each "
            "row is its argmax over axis 1, the classes (step 50).",
            ("dezero",),
            forwards={"accuracy": _accuracy_argmax_axis0},
        ),
        _mutation(
            "dropout_not_scaled",
            "wrong_forward",
            "dropout(x, ratio) returns x * mask while training: the kept units are scaled, y = x * mask / "
            "(1 - dropout_ratio), so that test mode can return x as it is (step 54).",
            ("dezero",),
            forwards={"dezero_dropout": _DROPOUT_NOT_SCALED[0]},
            vjps={"dezero_dropout": _DROPOUT_NOT_SCALED[1]},
        ),
        _mutation(
            "dropout_scaled_in_test_mode",
            "wrong_forward",
            "dropout(x, ratio) returns x * (1 - dropout_ratio) in test mode (DLFS's Dropout): DeZero scales "
            "while training, so in test mode it returns x itself (step 54).",
            ("dezero",),
            forwards={"dezero_dropout": _DROPOUT_SCALED_IN_TEST_MODE[0]},
            vjps={"dezero_dropout": _DROPOUT_SCALED_IN_TEST_MODE[1]},
        ),
        _mutation(
            "im2col_outsize_no_plus_one",
            "wrong_shape",
            "Im2col.forward (im2col_array) sizes its output (H + 2 * PH - KH) // SH without "
            "get_conv_outsize's + 1: one window short a side, in conv2d's and pooling's forward and backward "
            "too (step 57).",
            ("dezero",),
            forwards={"im2col": _im2col_outsize_no_plus_one},
        ),
        _mutation(
            "pooling_grad_first_window",
            "wrong_derivative",
            "Pooling.backward's Pooling2DGrad scatters gy to indexes = self.indexes.ravel(), places in one "
            "window: + xp.arange(0, self.indexes.size * KH * KW, KH * KW) puts each in its own (step 57).",
            ("dezero",),
            vjps={"dezero_pooling": _pooling_grad_first_window},
        ),
        _mutation(
            "softmax_axis0",
            "wrong_forward",
            "Softmax.forward normalises over axis 0 (each column sums to 1), and so does the softmax(x) "
            "SoftmaxCrossEntropy.backward calls: axis=1 makes each row, one sample's scores, sum to 1 "
            "(step 47).",
            ("dezero",),
            forwards={"softmax": _softmax_axis0},
            vjps={"softmax": _softmax_axis0_vjp, "softmax_cross_entropy": _sce_softmax_axis0},
        ),
        _mutation(
            "softmax_diagonal_only",
            "wrong_derivative",
            "Softmax.backward returns (1 - y) * y * gy, as if each score moved only its own probability: "
            "gx = y * gy; gx -= y * gx.sum(axis=self.axis, keepdims=True) adds what the others' do "
            "(step 47).",
            ("dezero",),
            vjps={"softmax": _softmax_diagonal_only},
        ),
        _mutation(
            "sce_onehot_by_columns",
            "wrong_derivative",
            "SoftmaxCrossEntropy.backward sets t_onehot[:, t] = 1, a 1 in every row at every label: "
            "t_onehot = np.eye(CLS_NUM, dtype=t.dtype)[t.data] puts one 1 per row (step 47).",
            ("dezero",),
            vjps={"softmax_cross_entropy": _sce_onehot_by_columns},
        ),
        _ignores_upstream(
            "sce_ignores_gy",
            "softmax_cross_entropy",
            "dezero",
            "SoftmaxCrossEntropy.backward returns (softmax(x) - t_onehot) / N without multiplying by gy, the "
            "gradient that arrives from the loss (chain rule): gy *= 1/N; return (y - t_onehot) * gy "
            "(step 47).",
        ),
        _mutation(
            "square_from_output",
            "wrong_derivative",
            "Square.backward uses the output y (2 * y * gy); the derivative is 2 * x * gy with x the input.",
            ("dezero",),
            vjps={"square": _square_from_output},
        ),
        _mutation(
            "exp_from_input",
            "wrong_derivative",
            "Exp.backward multiplies gy by the input x; the derivative of exp is exp(x) * gy.",
            ("dezero",),
            vjps={"exp": _exp_from_input},
        ),
        _mutation(
            "cos_sign",
            "wrong_derivative",
            "Cos.backward: the derivative of cos(x) is -sin(x), so gx = gy * -sin(x); the minus sign is "
            "missing.",
            ("dezero",),
            vjps={"cos": _cos_sign},
            graph_vjps={"cos": _cos_sign_graph},
        ),
        _mutation(
            "tanh_from_input",
            "wrong_derivative",
            "Tanh.backward uses the input x (1 - x * x); the derivative of tanh is 1 - y * y with y the "
            "output: y = self.outputs[0]() (a weak reference), gx = gy * (1 - y * y).",
            ("dezero",),
            vjps={"tanh": _tanh_from_input},
            graph_vjps={"tanh": _tanh_from_input_graph},
        ),
        _mutation(
            "add_no_sum_to",
            "wrong_shape",
            "Add.backward returns gy for both inputs, but numpy broadcast one in forward: when x0.shape != "
            "x1.shape, sum each back to its input's shape, gx1 = sum_to(gx1, self.x1_shape) (step 40).",
            ("dezero",),
            vjps={"add": _add_no_sum_to},
        ),
        _no_sum_to("Mul", _mul_no_sum_to, "gy * x1 and gy * x0"),
        _no_sum_to("Sub", _sub_no_sum_to, "gy and -gy"),
        _no_sum_to("Div", _div_no_sum_to, "gy / x1 and gy * (-x0 / x1 ** 2)"),
        _mutation(
            "arith_no_sum_to",
            "wrong_shape",
            "Add.backward, Sub.backward, Mul.backward and Div.backward all return step 35's gradients in the "
            "shape numpy broadcast to: when x0.shape != x1.shape, sum each back, gx1 = sum_to(gx1, x1.shape) "
            "(step 40).",
            ("dezero",),
            vjps={"add": _add_no_sum_to, **_ARITH_NO_SUM_TO},
        ),
        _mutation(
            "mul_sub_div_no_sum_to",
            "wrong_shape",
            "Sub.backward, Mul.backward and Div.backward keep step 35's gradients in the broadcast shape "
            "(the book shows Add's fix; these three need it too): when the shapes differ, gx1 = "
            "sum_to(gx1, x1.shape) (step 40).",
            ("dezero",),
            vjps=_ARITH_NO_SUM_TO,
        ),
        *_some_no_sum_to(),
        _mutation(
            "broadcast_to_gy",
            "wrong_shape",
            "BroadcastTo.backward returns gy in the broadcast shape: sum it back to the input's, gx = "
            "sum_to(gy, self.x_shape), with x_shape saved in forward (step 40).",
            ("dezero",),
            vjps={"broadcast_to": _broadcast_to_gy},
        ),
        _mutation(
            "sum_to_no_lead",
            "wrong_shape",
            "SumTo.forward's utils.sum_to, which every broadcast backward uses, never sums the leading "
            "axes broadcasting added ((3,) to (2, 3)): sum tuple(range(lead)), lead = x.ndim - len(shape) "
            "(step 40)",
            ("dezero",),
            vjps=_NO_LEAD_VJPS,
            forwards={"sum_to": lambda x, *, shape=(): _sum_to_no_lead(x, _setting_shape(shape))},
        ),
        _mutation(
            "reshape_shape_kept",
            "wrong_shape",
            "Reshape.backward returns gy in the output's shape: reshape it back to the input's, "
            "reshape(gy, self.x_shape), with x_shape saved in forward (step 38).",
            ("dezero",),
            vjps={"reshape": _shape_kept},
        ),
        _mutation(
            "transpose_not_back",
            "transposed",
            "Transpose.backward returns gy as it came: transpose it back, gx = transpose(gy) (step 38).",
            ("dezero",),
            vjps={"transpose": _shape_kept},
        ),
        _mutation(
            "sum_not_broadcast",
            "wrong_shape",
            "Sum.backward returns gy in the sum's shape: broadcast it back to x's, broadcast_to(gy, "
            "self.x_shape), after utils.reshape_sum_backward when axis is set without keepdims (step 39).",
            ("dezero",),
            vjps={"sum": _shape_kept},
        ),
        _mutation(
            "matmul_no_transpose",
            "wrong_derivative",
            "MatMul.backward computes gx = gy @ W: for y = x @ W, gx = matmul(gy, W.T) and "
            "gW = matmul(x.T, gy) (step 41).",
            ("dezero",),
            vjps={"matmul": _matmul_no_transpose},
        ),
        # The Linear layer (step 44) calling F.linear(x, self.W) without self.b: unlike MiniFlow's and DLFS's,
        # DeZero's backward follows the graph, so b gets no gradient at all (None) where the other two hand it
        # the summed gradient. Only where a Layer applies linear ("layer:"): the function linear(x, W, b)
        # dropping b is helper_drops_argument's (sample book_step44_linear_no_bias/)
        _mutation(
            "dezero_linear_no_bias",
            "wrong_forward",
            "Linear.forward (the layer) leaves the bias out, F.linear(x, self.W) without self.b, so b gets "
            "no gradient (None): y = F.linear(x, self.W, self.b) (step 44).",
            ("dezero",),
            vjps={"layer:linear": _dezero_linear_no_bias_vjp},
            forwards={"layer:linear": _linear_no_bias},
        ),
        # The function's own forward leaving the bias out (F.linear's Linear.forward: y = x.dot(W) without
        # y += b), its backward the book's, so b still gets sum_to(gy): the value is x @ W in the unit case
        # and in every Layer that applies it, and db is right. Without it a Layer's wrong value fitted only
        # dezero_linear_no_bias, which a right db contradicts, and the student was told to change a right
        # layer (review of s23-realdz, finding 1; sample book_step44_linear_function_no_bias/)
        _mutation(
            "dezero_linear_function_no_bias",
            "wrong_forward",
            "Linear.forward (the function F.linear uses) leaves the bias out, y = x.dot(W) with b never "
            "added; its backward still hands b sum_to(gy): if b is not None: y += b (step 43).",
            ("dezero",),
            forwards={"linear": _linear_no_bias},
        ),
        _mutation(
            "linear_gb_unsummed",
            "wrong_shape",
            "Linear.backward hands b the upstream gradient as it came, one row per sample: the bias gradient "
            "was not summed over the batch; gb = sum_to(gy, b.shape) (step 43).",
            ("dezero",),
            vjps={"linear": _linear_gb_unsummed},
        ),
        _mutation(
            "linear_gw_transposed",
            "transposed",
            "Linear.backward computes gW = matmul(gy.T, x), shaped like W.T: for y = x @ W + b, "
            "gW = matmul(x.T, gy), gx = matmul(gy, W.T), gb = sum_to(gy, b.shape) (step 43).",
            ("dezero",),
            vjps={"linear": _linear_gw_transposed},
        ),
        _mutation(  # the miniflow/layers mistake sigmoid_from_input, in DeZero's words
            "dezero_sigmoid_from_input",
            "wrong_derivative",
            "Sigmoid.backward uses the input x, gy * x * (1 - x); the derivative is y * (1 - y) of the "
            "output: y = self.outputs[0](), gx = gy * y * (1 - y) (step 43).",
            ("dezero",),
            vjps={"sigmoid": _sigmoid_from_input},
        ),
        # Its code is wrong_derivative, as the one-function mistakes below: a record it leaves None is told
        # by zero_or_missing (tried first) with this hint; a wrong number (step 36's z = gx ** 3 + y gives 4,
        # only y's path) was "unknown" under zero_or_missing, which names no value (session 23)
        _mutation(
            "backward_on_data",
            "wrong_derivative",
            "each function's backward computes on .data (ndarrays), so create_graph=True records no graph "
            "and gx.backward() never reaches x; use the Variables, not self.inputs[0].data: "
            "x0, x1 = self.inputs; gy * x1 in Mul",
            ("dezero",),
            semantics=Semantics(graph_backward=False),
        ),
        *(_on_data_in(op) for op in _ON_DATA),
        _mutation(
            "relu_mask_from_dout",
            "wrong_derivative",
            "Relu.backward builds its mask from dout; the mask must come from the forward input (x <= 0).",
            ("layers",),
            vjps={"relu": _relu_mask_from_dout},
        ),
        _mutation(
            "relu_mask_inverted",
            "wrong_derivative",
            "Relu.backward lets dout through where x <= 0 and zeroes it where x > 0: dx must be dout where "
            "x > 0 and 0 elsewhere; backward must use forward's mask as forward means it (the elements to "
            "zero, or the ones to keep).",
            ("layers",),
            vjps={"relu": _relu_mask_inverted},
        ),
        _mutation(
            "mul_swapped",
            "wrong_derivative",
            "MulLayer.backward (DeZero: Mul.backward) returns dx and dy swapped: dx is dout * y, "
            "dy is dout * x.",
            ("dezero", "layers"),
            vjps={"mul": _mul_swapped},
        ),
        _mutation(
            "add_subtracts",
            "wrong_forward",
            "Add.forward returns x0 - x1: Add's forward is y = x0 + x1.",
            ("dezero",),
            forwards={"add": _add_subtracts},
        ),
        _mutation(
            "div_denominator_sign",
            "wrong_derivative",
            "Div.backward: the gradient of the denominator x1 is gy * (-x0 / x1 ** 2); the minus sign is "
            "missing.",
            ("dezero",),
            vjps={"div": _div_denominator_sign},
        ),
        # A forward that leaves the bias out (its backward still hands b the summed gradient): every value
        # from there on, and every gradient, is that network's (samples miniflow/linear_forward_no_bias.py,
        # layers/affine_forward_no_bias.py; the Linear quiz summing from 0, linear_quiz_no_bias.py).
        _mutation(
            "linear_forward_no_bias",
            "wrong_forward",
            "Linear.forward leaves the bias out: its value is X @ W + b (np.dot(X, W) + b; in the quiz on "
            "lists, the sum of x * w over the inputs, plus the bias).",
            ("miniflow",),
            forwards={"linear": _linear_no_bias},
        ),
        _mutation(
            "affine_forward_no_bias",
            "wrong_forward",
            "Affine.forward leaves the bias out: out = np.dot(x, self.W) + self.b (5.6.1).",
            ("layers",),
            forwards={
                "linear": _linear_no_bias,
                "two_layer_predict": _no_bias_scores,
                "two_layer_accuracy": _no_bias_accuracy,
            },
        ),
        # Affine's 4-D support (7.4) with the input kept before the reshape: only a 4-D input shows it
        # (sample layers/affine_x_kept_before_reshape.py; it was "check the axes Affine.backward multiplies").
        _mutation(
            "affine_x_kept_unflattened",
            "wrong_shape",
            "Affine.backward multiplies the input as it came, 4-D: self.x was kept before the reshape. "
            "Keep the 2-D one: x = x.reshape(x.shape[0], -1); self.x = x (7.4's Affine).",
            ("layers",),
            vjps={"linear": _affine_x_unflattened},
        ),
        _mutation(
            "mse_mean_squared",
            "wrong_forward",
            "MSE.forward squares the mean of the differences (np.mean(diff) ** 2); the cost is the mean of "
            "the squared differences: np.mean(diff ** 2).",
            ("miniflow",),
            forwards={"mse": _mse_mean_squared},
        ),
        _mutation(
            "mse_grad_mean",
            "wrong_shape",
            "MSE.backward hands every element one number, 2 * np.mean(diff) (and its negative): the "
            "gradient of mean(diff ** 2) has one element per row, (2 / m) * diff for y and (-2 / m) * diff "
            "for a, in diff's shape (m, 1).",
            ("miniflow",),
            vjps={"mse": _mse_grad_mean},
        ),
        _mutation(
            "mse_not_reshaped",
            "wrong_forward",
            "MSE.forward subtracts y and a without reshaping them: y of shape (m,) minus a of shape (m, 1) "
            "broadcasts to (m, m); reshape both to (-1, 1) first, as the lesson's MSE does.",
            ("miniflow",),
            forwards={"mse": _mse_not_reshaped},
        ),
        # TwoLayerNet's forward methods (dlfs-layers stage two-layer-net): a wrong value, not a derivative.
        _mutation(
            "predict_softmax",
            "wrong_forward",
            "TwoLayerNet.predict applies softmax to the scores: predict returns the last Affine's output "
            "(the scores); softmax belongs to lastLayer (SoftmaxWithLoss), which loss calls.",
            ("layers",),
            forwards={"two_layer_predict": _predict_softmax},
        ),
        _mutation(
            "chapter4_two_layer_net",
            "wrong_forward",
            "TwoLayerNet.predict is chapter 4's network (sigmoid hidden layer, softmax in predict); "
            "stage two-layer-net grades chapter 5's (Affine, Relu, SoftmaxWithLoss): try --stage "
            "ch04-two-layer-net.",
            ("layers",),
            vjps={"relu": _chapter4_hidden_vjp, "softmax_ce": _chapter4_softmax_ce_vjp},
            forwards={"relu": _chapter4_hidden, "two_layer_predict": _chapter4_predict},
        ),
        _mutation(
            "two_layer_net_sigmoid_hidden",
            "wrong_forward",
            "TwoLayerNet.predict puts a sigmoid between the two Affine layers (a Sigmoid layer, or a Relu "
            "computing one); the book's chapter-5 network (5.7.2) puts Relu there: "
            "self.layers['Relu1'] = Relu().",
            ("layers",),
            semantics=Semantics(hidden_sigmoid=True),
            forwards={
                "two_layer_predict": _sigmoid_hidden_scores,
                "two_layer_accuracy": _sigmoid_hidden_accuracy,
            },
        ),
        _mutation(
            "two_layer_net_no_hidden_activation",
            "wrong_forward",
            "TwoLayerNet.predict has nothing between the two Affine layers (two linear maps in a row are "
            "one): 5.7.2 puts Relu there, self.layers['Relu1'] = Relu(), whose forward zeroes what is "
            "negative (not returns x).",
            ("layers",),
            semantics=Semantics(hidden_missing=True),
            forwards={
                "two_layer_predict": _no_hidden_scores,
                "two_layer_accuracy": _no_hidden_accuracy,
            },
        ),
        _mutation(
            "net_gradient_numerical",
            "precision",
            "TwoLayerNet.gradient differentiates the loss with cross_entropy_error's 1e-7 in the log, "
            "as numerical_gradient (h = 1e-4) does; backpropagation's (y - t) / batch_size leaves it out "
            "(5.7.2).",
            ("layers",),
            semantics=Semantics(numerical_net_gradient=True),
        ),
        _mutation(
            "softmax_onehot_only",
            "wrong_derivative",
            "SoftmaxWithLoss.backward: (self.y - self.t) / batch_size is right for one-hot t only; for class "
            "labels copy y, then dx[np.arange(batch_size), self.t] -= 1 and divide by batch_size.",
            ("layers",),
            vjps={"softmax_ce": _chapter4_softmax_ce_vjp},
        ),
        _mutation(
            "softmax_over_batch",
            "wrong_forward",
            "SoftmaxWithLoss.forward: softmax divides by one sum over the whole batch (chapter 3's "
            "np.sum(exp_a)); sum each row: axis=1, keepdims=True (in your common/functions.py if it is "
            "yours).",
            ("layers",),
            vjps={"softmax_ce": _SOFTMAX_CE_OVER_BATCH[1]},
            forwards={"softmax_ce": _SOFTMAX_CE_OVER_BATCH[0]},
        ),
        _mutation(
            "softmax_over_axis0",
            "wrong_forward",
            "SoftmaxWithLoss.forward: softmax sums over axis 0 (each column, one class over the samples); "
            "each row must sum to 1: axis=1, keepdims=True, or the book's x.T ... .T (in your "
            "common/functions.py if it is yours).",
            ("layers",),
            vjps={"softmax_ce": _SOFTMAX_CE_OVER_AXIS0[1]},
            forwards={"softmax_ce": _SOFTMAX_CE_OVER_AXIS0[0]},
        ),
        _mutation(
            "softmax_column_max",
            "wrong_forward",
            "SoftmaxWithLoss.forward: softmax subtracts each column's maximum, np.max(x, axis=0); subtract "
            "each row's, np.max(x, axis=1, keepdims=True) (in your common/functions.py if it is yours).",
            ("layers",),
            vjps={"softmax_ce": _SOFTMAX_CE_COLUMN_MAX[1]},
            forwards={"softmax_ce": _SOFTMAX_CE_COLUMN_MAX[0]},
        ),
        _mutation(
            "cross_entropy_onehot_only",
            "wrong_forward",
            "SoftmaxWithLoss.forward: cross_entropy_error's -np.sum(t * np.log(y + 1e-7)) takes one-hot t "
            "only; class labels broadcast along each row: if t.size == y.size: t = t.argmax(axis=1), then "
            "read y[np.arange(N), t].",
            ("layers",),
            forwards={"softmax_ce": _cross_entropy_onehot_only},
        ),
        _mutation(
            "accuracy_onehot_not_argmaxed",
            "wrong_forward",
            "TwoLayerNet.accuracy compares the predicted classes with one-hot t as it is: when t is one-hot "
            "(t.ndim != 1) take t = np.argmax(t, axis=1) first.",
            ("layers",),
            forwards={"two_layer_accuracy": _accuracy_t_as_given},
        ),
        _mutation(
            "accuracy_summed",
            "wrong_forward",
            "TwoLayerNet.accuracy returns the number of right predictions (np.sum(y == t)): divide it by the "
            "number of samples, x.shape[0], to get a fraction.",
            ("layers",),
            forwards={"two_layer_accuracy": _accuracy_summed},
        ),
        _mutation(
            "accuracy_argmax_axis0",
            "wrong_forward",
            "TwoLayerNet.accuracy takes np.argmax along axis 0 (over the samples): the class of each sample "
            "is np.argmax(y, axis=1), and of a one-hot t np.argmax(t, axis=1).",
            ("layers",),
            forwards={"two_layer_accuracy": _accuracy_axis0},
        ),
        _mutation(
            "div_denominator_copied",
            "wrong_derivative",
            "Div.backward gives the denominator x1 the numerator's gradient (gy / x1); the denominator's is "
            "gy * (-x0 / x1 ** 2).",
            ("dezero",),
            vjps={"div": _div_denominator_copied},
        ),
        _mutation(
            "pow_exponent_gradient",
            "wrong_derivative",
            "Pow.backward differentiates with respect to the exponent (gy * x ** c * log(x)): c is a "
            "constant kept on the function (Pow(c)), not a variable; the gradient of x is "
            "gy * c * x ** (c - 1).",
            ("dezero",),
            vjps={"pow": _pow_exponent_gradient},
        ),
        # The chain rule forgotten: a backward that returns its local derivative without the upstream
        # gradient (gy, dout, grad_cost). One mutation per class, so the hint names it and its own line.
        _ignores_upstream(
            "square_ignores_gy",
            "square",
            "dezero",
            "Square.backward returns the local derivative 2 * x without multiplying by gy, the gradient that "
            "arrives from the output (chain rule): return 2 * x * gy.",
        ),
        _ignores_upstream(
            "exp_ignores_gy",
            "exp",
            "dezero",
            "Exp.backward returns the local derivative np.exp(x) without multiplying by gy, the gradient "
            "that arrives from the output (chain rule): return np.exp(x) * gy.",
        ),
        _ignores_upstream(
            "pow_ignores_gy",
            "pow",
            "dezero",
            "Pow.backward returns the local derivative c * x ** (c - 1) without multiplying by gy, the "
            "gradient that arrives from the output (chain rule): return c * x ** (c - 1) * gy.",
        ),
        _ignores_upstream(
            "mul_ignores_gy",
            "mul",
            "dezero",
            "Mul.backward returns the local derivatives x1, x0 without multiplying by gy, the gradient that "
            "arrives from the output (chain rule): return gy * x1, gy * x0.",
        ),
        _ignores_upstream(
            "div_ignores_gy",
            "div",
            "dezero",
            "Div.backward returns the local derivatives 1 / x1 and -x0 / x1 ** 2 without multiplying by gy, "
            "the gradient that arrives from the output (chain rule): multiply both by gy.",
        ),
        _ignores_upstream(
            "mullayer_ignores_dout",
            "mul",
            "layers",
            "MulLayer.backward returns the local derivatives y, x without multiplying by dout, the gradient "
            "that arrives from above (chain rule): dx = dout * self.y, dy = dout * self.x.",
        ),
        _ignores_upstream(
            "sigmoid_ignores_dout",
            "sigmoid",
            "layers",
            "Sigmoid.backward returns the local derivative (1 - out) * out without multiplying by dout, the "
            "gradient that arrives from above (chain rule): dx = dout * (1.0 - self.out) * self.out.",
        ),
        _ignores_upstream(
            "sigmoid_ignores_grad_cost",
            "sigmoid",
            "miniflow",
            "Sigmoid.backward adds sigmoid * (1 - sigmoid) without multiplying by grad_cost, the gradient "
            "from each outbound node (chain rule): add sigmoid * (1 - sigmoid) * grad_cost.",
            cls="Sigmoid",
        ),
        _mutation(
            "reflected_swapped",
            "reflected_operator",
            "Variable.__rsub__ / __rtruediv__ swap the operands: for 2.0 - x Python calls x.__rsub__(2.0), "
            "self is the RIGHT operand, so return sub(other, self) (div(other, self)); yours gives x - 2.0.",
            ("dezero",),
            semantics=Semantics(reflected_swapped=True),
        ),
        _mutation(
            "rsub_swapped",
            "reflected_operator",
            "Variable.__rsub__ keeps the operands in order (__rsub__ = sub): for 2.0 - x Python calls "
            "x.__rsub__(2.0), self is the RIGHT operand, so return sub(other, self) (the book's rsub).",
            ("dezero",),
            semantics=Semantics(reflected_swapped=True, reflected_only=frozenset({"Sub"})),
        ),
        _mutation(
            "rtruediv_swapped",
            "reflected_operator",
            "Variable.__rtruediv__ keeps the operands in order (__rtruediv__ = div): for 3.0 / x Python "
            "calls x.__rtruediv__(3.0), self is the RIGHT operand, so return div(other, self) "
            "(the book's rdiv).",
            ("dezero",),
            semantics=Semantics(reflected_swapped=True, reflected_only=frozenset({"Div"})),
        ),
    )
)


def applicable(family: str) -> list[str]:
    """The names of the mutations that describe a mistake possible in `family`, in registry order."""
    fam = canonical_family(family)
    return [name for name, m in MUTATIONS.items() if fam in m.families]
