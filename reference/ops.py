"""The op library: every op is a forward and a vector-Jacobian product, registered by name in `OPS`.

`forward(*xs) -> y` and `vjp(g, *xs, y) -> tuple[grad per input]`, where `g` is the upstream gradient of `y`
and `None` stands for an input that has no gradient (class labels). The three student-facing APIs, the
step interpreter and the mutations all go through this one table, so a formula lives in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

Grads = tuple[np.ndarray | None, ...]


class Op(Protocol):
    name: str

    def forward(self, *xs: np.ndarray) -> np.ndarray: ...

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads: ...


def _f64(a: object) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `g` down to `shape`: the gradient of an input that numpy broadcast in the forward pass."""
    g = _f64(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def sigmoid_of(x: np.ndarray) -> np.ndarray:
    # exp(-x) overflows to inf for x < -709; 1 / inf is the right limit, so the warning is noise.
    with np.errstate(over="ignore"):
        return _f64(1.0 / (1.0 + np.exp(-_f64(x))))


def softmax_of(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax as in DLFS common/functions.py (max subtracted first)."""
    z = _f64(x) - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(t: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Targets as one-hot rows shaped like the scores: one-hot passes through, labels are expanded."""
    t = _f64(t)
    if t.shape == like.shape:
        return t
    labels = np.rint(t).astype(np.int64).reshape(-1)
    out = np.zeros((labels.size, like.shape[-1]))
    out[np.arange(labels.size), labels] = 1.0
    return out.reshape(like.shape)


@dataclass(frozen=True)
class Linear:
    """x @ W + b; x of rank > 2 is flattened to (N, -1) like DLFS Affine and dx takes x's shape back."""

    name: str = "linear"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        x, w, b = xs
        if np.ndim(x) == 1:  # one sample as a vector (MiniFlow's Linear quiz: a neuron over a list of inputs)
            return _f64(_f64(x) @ _f64(w) + b)
        return _f64(_f64(x).reshape(np.shape(x)[0], -1) @ w + b)

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        x, w, b = xs
        if np.ndim(x) == 1:
            x1, w1, g1 = _f64(x), _f64(w), _f64(g)
            dx = g1 * w1 if w1.ndim == 1 else w1 @ g1
            dw = g1 * x1 if w1.ndim == 1 else np.outer(x1, g1)
            return dx, dw, unbroadcast(g1, np.shape(b))
        x2 = _f64(x).reshape(np.shape(x)[0], -1)
        dx = (g @ _f64(w).T).reshape(np.shape(x))
        return dx, x2.T @ g, unbroadcast(g, np.shape(b))


@dataclass(frozen=True)
class Sigmoid:
    name: str = "sigmoid"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return sigmoid_of(xs[0])

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (_f64(g * y * (1.0 - y)),)


@dataclass(frozen=True)
class Relu:
    name: str = "relu"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(np.where(xs[0] > 0, xs[0], 0.0))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        # DLFS keeps mask = (x <= 0) from the forward input and zeroes dout there.
        return (_f64(np.where(xs[0] > 0, g, 0.0)),)


@dataclass(frozen=True)
class MSE:
    """MiniFlow's MSE(y, a): both reshaped to (-1, 1), so the gradients have shape (m, 1)."""

    name: str = "mse"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        y, a = (_f64(v).reshape(-1, 1) for v in xs)
        return _f64(np.mean((y - a) ** 2))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        yy, a = (_f64(v).reshape(-1, 1) for v in xs)
        m = yy.shape[0]
        diff = yy - a
        return _f64(g * (2.0 / m) * diff), _f64(g * (-2.0 / m) * diff)


# The book's cross_entropy_error adds 1e-7 inside the log; the expected values keep it. A module constant so
# that tests can check no case turns on it (tests/reference/test_cross_entropy_epsilon.py).
CE_EPS = 1e-7


@dataclass(frozen=True)
class SoftmaxCE:
    """DLFS SoftmaxWithLoss(x, t): t one-hot (shape of x) or integer labels (shape (N,))."""

    name: str = "softmax_ce"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        x, t = _f64(xs[0]), xs[1]
        p = softmax_of(x)
        n = x.shape[0] if x.ndim > 1 else 1
        return _f64(-np.sum(one_hot(t, x) * np.log(p + CE_EPS)) / n)

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        x, t = _f64(xs[0]), xs[1]
        n = x.shape[0] if x.ndim > 1 else 1
        return _f64(g * (softmax_of(x) - one_hot(t, x)) / n), None


@dataclass(frozen=True)
class Mul:
    name: str = "mul"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(_f64(xs[0]) * xs[1])

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        x0, x1 = xs
        return unbroadcast(g * x1, np.shape(x0)), unbroadcast(g * x0, np.shape(x1))


@dataclass(frozen=True)
class Add:
    name: str = "add"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(_f64(xs[0]) + xs[1])

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return unbroadcast(g, np.shape(xs[0])), unbroadcast(g, np.shape(xs[1]))


@dataclass(frozen=True)
class Square:
    name: str = "square"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(_f64(xs[0]) ** 2)

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (_f64(2.0 * xs[0] * g),)


@dataclass(frozen=True)
class Exp:
    name: str = "exp"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(np.exp(xs[0]))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (_f64(g * y),)


@dataclass(frozen=True)
class Neg:
    name: str = "neg"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(-_f64(xs[0]))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (_f64(-g),)


@dataclass(frozen=True)
class Sub:
    name: str = "sub"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(_f64(xs[0]) - xs[1])

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return unbroadcast(g, np.shape(xs[0])), unbroadcast(-_f64(g), np.shape(xs[1]))


@dataclass(frozen=True)
class Div:
    name: str = "div"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(_f64(xs[0]) / xs[1])

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        x0, x1 = _f64(xs[0]), _f64(xs[1])
        return unbroadcast(g / x1, x0.shape), unbroadcast(g * (-x0 / x1**2), x1.shape)


@dataclass(frozen=True)
class Pow:
    """DeZero's Pow(c): the exponent `c` is a setting of the apply step, a constant, not an input."""

    name: str = "pow"

    def forward(self, *xs: np.ndarray, c: float = 2.0) -> np.ndarray:
        return _f64(_f64(xs[0]) ** c)

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray, c: float = 2.0) -> Grads:
        # The book's order of products, so documented values (12.0 for x**3 at 2) come out bit for bit.
        return (_f64(c * _f64(xs[0]) ** (c - 1) * g),)


@dataclass(frozen=True)
class Sin:
    """DeZero step 27 (dezero/functions.py from step 34)."""

    name: str = "sin"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(np.sin(xs[0]))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (_f64(g * np.cos(xs[0])),)  # the book's order: gy * cos(x)


@dataclass(frozen=True)
class Cos:
    """DeZero step 34."""

    name: str = "cos"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(np.cos(xs[0]))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (_f64(g * -np.sin(xs[0])),)


@dataclass(frozen=True)
class Tanh:
    """DeZero step 35: the derivative from the output, 1 - y * y."""

    name: str = "tanh"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(np.tanh(xs[0]))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (_f64(g * (1 - y * y)),)


def _shape(shape: object) -> tuple[int, ...]:
    """A shape setting as JSON carries it (a list), as numpy takes it."""
    return tuple(int(n) for n in np.atleast_1d(np.asarray(shape, dtype=np.int64)))


def sum_to(x: np.ndarray, shape: object) -> np.ndarray:
    """DeZero's utils.sum_to (step 40): sum the leading axes numpy added, then keep-dim sum where `shape` has
    1; `unbroadcast` is the same sum and gives the same numbers."""
    return unbroadcast(x, _shape(shape))


@dataclass(frozen=True)
class Reshape:
    """DeZero step 38: reshape(x, shape); the gradient takes x's shape back."""

    name: str = "reshape"

    def forward(self, *xs: np.ndarray, shape: object = ()) -> np.ndarray:
        return _f64(np.reshape(xs[0], _shape(shape)))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray, shape: object = ()) -> Grads:
        return (_f64(np.reshape(g, np.shape(xs[0]))),)


@dataclass(frozen=True)
class Transpose:
    """DeZero step 38: transpose(x), every axis reversed (x.T); the gradient is transposed back."""

    name: str = "transpose"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(np.transpose(xs[0]))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (_f64(np.transpose(g)),)


@dataclass(frozen=True)
class Sum:
    """DeZero step 39: sum(x, axis=None, keepdims=False); the gradient is broadcast back to x's shape."""

    name: str = "sum"

    def forward(self, *xs: np.ndarray, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
        return _f64(np.sum(xs[0], axis=axis, keepdims=bool(keepdims)))

    def vjp(
        self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray, axis: int | None = None, keepdims: bool = False
    ) -> Grads:
        x = _f64(xs[0])
        g = _f64(g)
        if axis is not None and not keepdims and x.ndim:
            g = np.expand_dims(g, axis)  # the summed axis back, as length 1
        return (_f64(np.broadcast_to(g, x.shape)),)


@dataclass(frozen=True)
class BroadcastTo:
    """DeZero step 40: broadcast_to(x, shape); the gradient is summed back to x's shape (sum_to)."""

    name: str = "broadcast_to"

    def forward(self, *xs: np.ndarray, shape: object = ()) -> np.ndarray:
        return _f64(np.broadcast_to(xs[0], _shape(shape)))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray, shape: object = ()) -> Grads:
        return (sum_to(g, np.shape(xs[0])),)


@dataclass(frozen=True)
class SumTo:
    """DeZero step 40: sum_to(x, shape); the gradient is broadcast back to x's shape."""

    name: str = "sum_to"

    def forward(self, *xs: np.ndarray, shape: object = ()) -> np.ndarray:
        return sum_to(xs[0], shape)

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray, shape: object = ()) -> Grads:
        return (_f64(np.broadcast_to(g, np.shape(xs[0]))),)


@dataclass(frozen=True)
class MatMul:
    """DeZero step 41: matmul(x, W) = x.dot(W); gx = gy @ W.T, gW = x.T @ gy."""

    name: str = "matmul"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(_f64(xs[0]) @ _f64(xs[1]))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        x, w = _f64(xs[0]), _f64(xs[1])
        return _f64(g @ w.T), _f64(x.T @ g)


@dataclass(frozen=True)
class MeanSquaredError:
    """DeZero step 42: sum((x0 - x1) ** 2) / len(x0 - x1), len the first axis; gx0 = gy * diff * 2 / len."""

    name: str = "mean_squared_error"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        diff = _f64(xs[0]) - _f64(xs[1])
        return _f64(np.sum(diff**2) / len(diff))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        x0, x1 = _f64(xs[0]), _f64(xs[1])
        diff = x0 - x1
        gx0 = _f64(g * diff * (2.0 / len(diff)))
        return unbroadcast(gx0, x0.shape), unbroadcast(-gx0, x1.shape)


def index_of(idx: np.ndarray) -> np.ndarray | int:
    """A case's index (floats from JSON) as integers; a scalar as an int (x[1] drops the axis)."""
    labels = np.rint(_f64(idx)).astype(np.int64)
    return int(labels) if labels.ndim == 0 else labels


@dataclass(frozen=True)
class GetItem:
    """DeZero step 47: get_item(x, slices) = x[slices], the index along the first axis (x[[0, 0, 1]], x[1]).
    The gradient is GetItemGrad's: zeros of x's shape with gy added at the index by np.add.at, so a row taken
    twice gets both gradients (`gx[slices] = gy` keeps one of them). The index has no gradient."""

    name: str = "get_item"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return _f64(_f64(xs[0])[index_of(xs[1])])

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        gx = np.zeros(np.shape(xs[0]))
        np.add.at(gx, index_of(xs[1]), _f64(g))
        return gx, None


def softmax_axis(x: np.ndarray, axis: int = 1) -> np.ndarray:
    """DeZero's Softmax(axis=1).forward: the max along the axis subtracted before exp, so large logits do not
    overflow."""
    z = np.exp(_f64(x) - np.max(x, axis=axis, keepdims=True))
    return _f64(z / z.sum(axis=axis, keepdims=True))


@dataclass(frozen=True)
class Softmax:
    """DeZero step 47: softmax(x, axis=1); gx = y * gy - y * sum(y * gy, axis)."""

    name: str = "softmax"

    def forward(self, *xs: np.ndarray, axis: int = 1) -> np.ndarray:
        return softmax_axis(xs[0], axis)

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray, axis: int = 1) -> Grads:
        gx = _f64(y) * _f64(g)
        return (_f64(gx - y * gx.sum(axis=axis, keepdims=True)),)


@dataclass(frozen=True)
class SoftmaxCrossEntropy:
    """DeZero step 47: softmax_cross_entropy(x, t), x (N, C) scores, t (N,) class labels: the mean over rows
    of -log softmax(x)[t], computed as x - logsumexp(x) (no 1e-7 inside a log, unlike DLFS's SoftmaxWithLoss,
    and no overflow). gx = gy * (softmax(x) - onehot(t)) / N; the labels have no gradient."""

    name: str = "softmax_cross_entropy"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        x, labels = _f64(xs[0]), np.rint(_f64(xs[1])).astype(np.int64).reshape(-1)
        m = np.max(x, axis=1, keepdims=True)
        log_p = x - (m + np.log(np.exp(x - m).sum(axis=1, keepdims=True)))
        return _f64(-log_p[np.arange(len(x)), labels].sum() / len(x))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        x, labels = _f64(xs[0]), np.rint(_f64(xs[1])).astype(np.int64).reshape(-1)
        onehot = np.eye(x.shape[1])[labels]
        return _f64(_f64(g) * (softmax_axis(x) - onehot) / len(x)), None


@dataclass(frozen=True)
class Accuracy:
    """DeZero step 50: accuracy(y, t), y (N, C) scores, t (N,) class labels: the fraction of rows whose
    largest score (argmax over axis 1, the classes) is the label, a 0-d value; a Variable holding a number,
    made by no Function (no gradient). Cases keep each row's scores apart, so no tie decides."""

    name: str = "accuracy"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        y, labels = _f64(xs[0]), np.rint(_f64(xs[1])).astype(np.int64).reshape(-1)
        return _f64(np.mean(np.argmax(y, axis=1) == labels))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return None, None  # a count of right answers: no input has a gradient


def book_dropout_mask(shape: tuple[int, ...], dropout_ratio: float, seed: int) -> np.ndarray:
    """The units DeZero's step-54 dropout keeps after np.random.seed(seed): np.random.rand(*x.shape) >
    dropout_ratio, drawn from a generator of its own seeded the same way (the global one left alone)."""
    return np.random.RandomState(int(seed)).random_sample(shape) > dropout_ratio


@dataclass(frozen=True)
class DezeroDropout:
    """DeZero step 54: dropout(x, dropout_ratio) after np.random.seed(seed). Training (Config.train, the
    default): y = x * mask / (1 - dropout_ratio), the kept units scaled up (inverted dropout, unlike DLFS's
    Dropout, which scales at test time), gx = gy * mask / (1 - dropout_ratio). Test mode (`train` false):
    y = x, gx = gy."""

    name: str = "dezero_dropout"

    def forward(
        self, *xs: np.ndarray, dropout_ratio: float = 0.5, seed: int = 0, train: bool = True
    ) -> np.ndarray:
        x = _f64(xs[0])
        return x * self._scale(x.shape, dropout_ratio, seed, train)

    def vjp(
        self,
        g: np.ndarray,
        *xs: np.ndarray,
        y: np.ndarray,
        dropout_ratio: float = 0.5,
        seed: int = 0,
        train: bool = True,
    ) -> Grads:
        return (_f64(g) * self._scale(np.shape(xs[0]), dropout_ratio, seed, train),)

    @staticmethod
    def _scale(shape: tuple[int, ...], dropout_ratio: float, seed: int, train: bool) -> np.ndarray:
        if not train:
            return np.ones(shape)
        return book_dropout_mask(shape, dropout_ratio, seed) / (1.0 - dropout_ratio)


def _pair(v: object) -> tuple[int, int]:
    """DeZero's utils.pair: an int k is (k, k), a pair stays itself (a setting from JSON may be a list, or
    2.0 for 2: a whole float is its int; 1.5 is no size and raises)."""
    if isinstance(v, (int, float, np.integer, np.floating)):
        return _whole(v), _whole(v)
    a, b = v  # type: ignore[misc]
    return _whole(a), _whole(b)


def _whole(v: object) -> int:
    if isinstance(v, (float, np.floating)) and not float(v).is_integer():
        raise ValueError(f"a kernel size, stride or pad is a whole number, not {v!r}")
    return int(v)  # type: ignore[call-overload]


def _windows(x: np.ndarray, kernel: object, stride: object, pad: object) -> tuple[np.ndarray, int, int]:
    """(x zero-padded by pad on each side, OH, OW): DeZero's get_conv_outsize, (H + 2P - K) // S + 1."""
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel), _pair(stride), _pair(pad)
    padded = np.pad(_f64(x), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (np.shape(x)[2] + 2 * ph - kh) // sh + 1
    ow = (np.shape(x)[3] + 2 * pw - kw) // sw + 1
    return padded, oh, ow


def _unpad(gp: np.ndarray, pad: object) -> np.ndarray:
    ph, pw = _pair(pad)
    return _f64(gp[:, :, ph : gp.shape[2] - ph, pw : gp.shape[3] - pw])


@dataclass(frozen=True)
class Im2col:
    """DeZero step 57: im2col(x, kernel_size, stride, pad, to_matrix=True) of x (N, C, H, W): one row per
    output position (n, oh, ow), one column per (c, kh, kw), zeros where a window reaches the padding. Its
    gradient (Col2im) adds each row back into the window it came from, overlapping windows summing. Written
    window by window, independent of the book's strided copy; proven against torch's unfold."""

    name: str = "im2col"

    def forward(
        self, *xs: np.ndarray, kernel_size: object = 1, stride: object = 1, pad: object = 0
    ) -> np.ndarray:
        padded, oh, ow = _windows(xs[0], kernel_size, stride, pad)
        (kh, kw), (sh, sw) = _pair(kernel_size), _pair(stride)
        n = padded.shape[0]
        rows = [
            padded[i, :, a * sh : a * sh + kh, b * sw : b * sw + kw].reshape(-1)
            for i in range(n)
            for a in range(oh)
            for b in range(ow)
        ]
        return _f64(np.stack(rows))

    def vjp(
        self,
        g: np.ndarray,
        *xs: np.ndarray,
        y: np.ndarray,
        kernel_size: object = 1,
        stride: object = 1,
        pad: object = 0,
    ) -> Grads:
        padded, oh, ow = _windows(xs[0], kernel_size, stride, pad)
        (kh, kw), (sh, sw) = _pair(kernel_size), _pair(stride)
        gp = np.zeros_like(padded)
        c = padded.shape[1]
        rows = _f64(g).reshape(padded.shape[0], oh, ow, c, kh, kw)
        for a in range(oh):
            for b in range(ow):
                gp[:, :, a * sh : a * sh + kh, b * sw : b * sw + kw] += rows[:, a, b]
        return (_unpad(gp, pad),)


@dataclass(frozen=True)
class Conv2d:
    """DeZero step 57: conv2d(x, W, b, stride, pad) (conv2d_simple is the same numbers): x (N, C, H, W),
    W (OC, C, KH, KW), b (OC,); y[n, o] = sum over c, kh, kw of the window times W[o] + b[o], a
    cross-correlation as torch's conv2d. gx adds W back over every window, gW sums window * gy, gb sums gy
    over N, OH, OW."""

    name: str = "conv2d"

    def forward(self, *xs: np.ndarray, stride: object = 1, pad: object = 0) -> np.ndarray:
        x, w, b = (_f64(v) for v in xs)
        padded, oh, ow = _windows(x, w.shape[2:], stride, pad)
        (sh, sw), (kh, kw) = _pair(stride), w.shape[2:]
        y = np.zeros((x.shape[0], w.shape[0], oh, ow))
        for a in range(oh):
            for c in range(ow):
                window = padded[:, :, a * sh : a * sh + kh, c * sw : c * sw + kw]
                y[:, :, a, c] = np.tensordot(window, w, axes=((1, 2, 3), (1, 2, 3)))
        return _f64(y + b.reshape(1, -1, 1, 1))

    def vjp(
        self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray, stride: object = 1, pad: object = 0
    ) -> Grads:
        x, w, b = (_f64(v) for v in xs)
        g = _f64(g)
        padded, oh, ow = _windows(x, w.shape[2:], stride, pad)
        (sh, sw), (kh, kw) = _pair(stride), w.shape[2:]
        gp, gw = np.zeros_like(padded), np.zeros_like(w)
        for a in range(oh):
            for c in range(ow):
                window = padded[:, :, a * sh : a * sh + kh, c * sw : c * sw + kw]
                gw += np.tensordot(g[:, :, a, c], window, axes=((0,), (0,)))
                gp[:, :, a * sh : a * sh + kh, c * sw : c * sw + kw] += np.tensordot(
                    g[:, :, a, c], w, axes=((1,), (0,))
                )
        return _unpad(gp, pad), _f64(gw), _f64(g.sum(axis=(0, 2, 3)).reshape(np.shape(b)))


@dataclass(frozen=True)
class Pooling:
    """DeZero step 57: pooling(x, kernel_size, stride, pad), max pooling over each channel's windows (padding
    with zeros, as the book's im2col does). The gradient goes to the first maximum of each window (np.argmax,
    as the book's Pooling2DGrad), overlapping windows adding; keep case values distinct within a window."""

    name: str = "dezero_pooling"

    def forward(
        self, *xs: np.ndarray, kernel_size: object = 1, stride: object = 1, pad: object = 0
    ) -> np.ndarray:
        padded, oh, ow = _windows(xs[0], kernel_size, stride, pad)
        (kh, kw), (sh, sw) = _pair(kernel_size), _pair(stride)
        y = np.zeros((*padded.shape[:2], oh, ow))
        for a in range(oh):
            for b in range(ow):
                y[:, :, a, b] = padded[:, :, a * sh : a * sh + kh, b * sw : b * sw + kw].max(axis=(2, 3))
        return _f64(y)

    def vjp(
        self,
        g: np.ndarray,
        *xs: np.ndarray,
        y: np.ndarray,
        kernel_size: object = 1,
        stride: object = 1,
        pad: object = 0,
    ) -> Grads:
        padded, oh, ow = _windows(xs[0], kernel_size, stride, pad)
        (kh, kw), (sh, sw) = _pair(kernel_size), _pair(stride)
        gp, g = np.zeros_like(padded), _f64(g)
        for a in range(oh):
            for b in range(ow):
                window = padded[:, :, a * sh : a * sh + kh, b * sw : b * sw + kw]
                n, c = window.shape[:2]
                first = window.reshape(n, c, -1).argmax(axis=2)
                mask = np.zeros((n, c, kh * kw))
                np.put_along_axis(mask, first[..., None], 1.0, axis=2)
                gp[:, :, a * sh : a * sh + kh, b * sw : b * sw + kw] += (
                    mask.reshape(n, c, kh, kw) * g[:, :, a, b, None, None]
                )
        return (_unpad(gp, pad),)


def class_labels(t: np.ndarray) -> np.ndarray:
    """Targets as class indices, as DLFS TwoLayerNet.accuracy reads them: one-hot rows by argmax, labels as
    they are."""
    t = _f64(t)
    return np.argmax(t, axis=1) if t.ndim != 1 else np.rint(t).astype(np.int64)


@dataclass(frozen=True)
class TwoLayerPredict:
    """DLFS TwoLayerNet.predict(x) with params W1, b1, W2, b2: Affine, Relu, Affine, the scores before softmax
    (the last layer, SoftmaxWithLoss, belongs to `loss`)."""

    name: str = "two_layer_predict"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        x, w1, b1, w2, b2 = xs
        r = _RELU.forward(_LINEAR.forward(x, w1, b1))
        return _LINEAR.forward(r, w2, b2)

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        x, w1, b1, w2, b2 = xs
        h = _LINEAR.forward(x, w1, b1)
        r = _RELU.forward(h)
        dr, dw2, db2 = _LINEAR.vjp(g, r, w2, b2, y=y)
        (dh,) = _RELU.vjp(_f64(dr), h, y=r)
        dx, dw1, db1 = _LINEAR.vjp(_f64(dh), x, w1, b1, y=h)
        return dx, dw1, db1, dw2, db2


@dataclass(frozen=True)
class TwoLayerAccuracy:
    """DLFS TwoLayerNet.accuracy(x, t): the fraction of rows whose largest score is the target class (t
    one-hot or labels). np.argmax takes the first of tied scores; cases keep scores apart, so no tie
    decides."""

    name: str = "two_layer_accuracy"

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        x, t, *params = xs
        y = np.argmax(TwoLayerPredict().forward(x, *params), axis=1)
        return _f64(np.sum(y == class_labels(t)) / float(np.shape(x)[0]))

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray) -> Grads:
        return (None,) * len(xs)  # a count of right answers: piecewise constant, no input has a gradient


_LINEAR, _RELU = Linear(), Relu()

OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Linear(),
        Sigmoid(),
        Relu(),
        MSE(),
        SoftmaxCE(),
        Mul(),
        Add(),
        Square(),
        Exp(),
        Neg(),
        Sub(),
        Div(),
        Pow(),
        Sin(),
        Cos(),
        Tanh(),
        Reshape(),
        Transpose(),
        Sum(),
        BroadcastTo(),
        SumTo(),
        MatMul(),
        MeanSquaredError(),
        GetItem(),
        Softmax(),
        SoftmaxCrossEntropy(),
        Accuracy(),
        DezeroDropout(),
        Im2col(),
        Conv2d(),
        Pooling(),
        TwoLayerPredict(),
        TwoLayerAccuracy(),
    )
}
