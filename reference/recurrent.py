"""DeZero steps 59 and 60: L.RNN and L.LSTM as the primitive functions their forward applies.

A recurrent Layer keeps its last output (and the LSTM its cell) as state: each call's expansion takes the
layer's parameters, then the state the call before left (none after `reset_state()`), and says which slots
are the state after it. `mistake` (Semantics.recurrent_mistake) is a known deviation from the book (the
engine reads rnn_h2h_bias, recurrent_params_not_recursive and recurrent_layers_not_registered in its
param_count probe, unchain_top_only in its unchain_backward).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Expansion = list[tuple[str, str, tuple[int, ...], int]]


@dataclass(frozen=True)
class Call:
    """One call of a recurrent Layer: the primitive nodes in order, and the state slots it leaves."""

    nodes: Expansion
    state: tuple[int, ...]


Tmp = Callable[[], int]

# The book's parameter names, in the order an apply step lists them after x (grader/inside/adapters/dezero.py
# builds the student's Layer from the same order).
RNN_PARAMS = ("x2h.W", "x2h.b", "h2h.W")
GATES = ("f", "i", "o", "u")
LSTM_PARAMS = (*(f"x2{g}.{p}" for g in GATES for p in ("W", "b")), *(f"h2{g}.W" for g in GATES))
# The Linear layers each recurrent Layer holds (RNN: x2h, h2h; LSTM: x2f ... h2u): what a Layer.params that
# does not recurse yields when __setattr__ registers Layers too (the book's final Layer), one per sublayer.
SUBLAYERS = {
    op: len(dict.fromkeys(p.split(".")[0] for p in params))
    for op, params in (("rnn", RNN_PARAMS), ("lstm", LSTM_PARAMS))
}


def _into(x: int, w: int, b: int, h: int | None, hw: int | None, out: int, tmp: Tmp) -> Expansion:
    """x2g(x) (+ h2g(h) once there is a state) into `out`: F.linear's x @ W + b, h2g a Linear without b."""
    if h is None or hw is None:
        return [("Linear", "linear", (x, w, b), out)]
    a, m = tmp(), tmp()
    return [("Linear", "linear", (x, w, b), a), ("MatMul", "matmul", (h, hw), m), ("Add", "add", (a, m), out)]


def rnn(args: tuple[int, ...], out: int, tmp: Tmp, mistake: str) -> Call:
    """h_new = tanh(x2h(x) + h2h(h)), tanh(x2h(x)) on the first call (args: x, x2h.W, x2h.b, h2h.W[, h])."""
    if len(args) not in (4, 5):
        raise ValueError(f"RNN takes x, x2h.W, x2h.b, h2h.W and its state, got {len(args)} args")
    x, w, b, hw = args[:4]
    h = args[4] if len(args) == 5 else None
    if mistake == "rnn_no_tanh":
        return Call(_into(x, w, b, h, hw, out, tmp), (out,))
    s = tmp()
    return Call([*_into(x, w, b, h, hw, s, tmp), ("Tanh", "tanh", (s,), out)], (out,))


def lstm(args: tuple[int, ...], out: int, tmp: Tmp, mistake: str) -> Call:
    """f, i, o = sigmoid(x2g(x) + h2g(h)), u = tanh(...); c_new = f * c + i * u (i * u on the first call),
    h_new = o * tanh(c_new) (args: x, the twelve LSTM_PARAMS[, h, c])."""
    if len(args) not in (13, 15):
        raise ValueError(f"LSTM takes x, twelve parameters and its state (h, c), got {len(args)} args")
    x, params = args[0], args[1:13]
    h, c = (args[13], args[14]) if len(args) == 15 else (None, None)
    nodes: Expansion = []
    gate: dict[str, int] = {}
    for k, g in enumerate(GATES):
        pre, gate[g] = tmp(), tmp()
        nodes += _into(x, params[2 * k], params[2 * k + 1], h, params[8 + k], pre, tmp)
        act = ("Tanh", "tanh") if g == "u" else ("Sigmoid", "sigmoid")
        nodes.append((*act, (pre,), gate[g]))
    f, i = gate["f"], gate["i"]
    c_new, iu = tmp(), tmp()
    if c is None or mistake == "lstm_c_not_carried":
        nodes.append(("Mul", "mul", (i, gate["u"]), c_new))
    else:
        if mistake == "lstm_f_i_swapped":  # c_new = i * self.c + f * u; the first call's i * u is right
            f, i = i, f
        fc = tmp()
        nodes += [("Mul", "mul", (f, c), fc), ("Mul", "mul", (i, gate["u"]), iu)]
        nodes.append(("Add", "add", (fc, iu), c_new))
    t = tmp()
    nodes += [("Tanh", "tanh", (c_new,), t), ("Mul", "mul", (gate["o"], t), out)]
    return Call(nodes, (out, c_new))


RECURRENT: dict[str, Callable[[tuple[int, ...], int, Tmp, str], Call]] = {"rnn": rnn, "lstm": lstm}
