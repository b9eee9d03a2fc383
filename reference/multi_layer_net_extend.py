"""DLFS chapter 6's MultiLayerNetExtend with batch normalization (common/multi_layer_net_extend.py).

`MultiLayerNetExtend(input_size, hidden_size_list, output_size, activation='relu', weight_init_std='relu',
weight_decay_lambda=0, use_dropout=False, dropout_ration=0.5, use_batchnorm=False)`: per hidden layer
Affine k -> BatchNorm k (params gamma k, beta k) -> Activation k (-> Dropout k), then Affine(n+1) and
SoftmaxWithLoss. Params in the order the cases give them: W1, b1, gamma1, beta1, ..., Wn, bn, gamman, betan,
W(n+1), b(n+1). Dropout is left out (its mask is drawn in the student's process by whatever call their Dropout
makes; docs/CASES.md). The rules the cases compute:

- training (train_flg=True, what gradient(x, t) runs): each BatchNorm normalises with the batch's own mean
  and variance (no Bessel correction), eps 10e-7 inside the square root as the book writes it, and moves its
  running statistics (started at zeros) by momentum 0.9: running = 0.9 * running + 0.1 * batch statistic
- test (train_flg=False, the book's default of loss and predict): each BatchNorm normalises with the running
  statistics; `inference_loss` is loss(x, t) after one training forward on the same x (the book's gradient
  runs one), with the decay
- loss = SoftmaxWithLoss + sum over every Affine's W of 0.5 * lambda * sum(W ** 2) (no b, gamma or beta)
- gradient: grads['Wk'] = dWk + lambda * Wk; bk, gammak, betak: the layers' db, dgamma, dbeta

Proven against torch autograd and by finite differences (tests/reference/test_multi_layer_net_extend.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reference.multi_layer_net import ACTIVATIONS, labels_of, softmax

BN_EPS = 10e-7  # the book's BatchNormalization: np.sqrt(var + 10e-7)
BN_MOMENTUM = 0.9

Params = Sequence[np.ndarray]


@dataclass(frozen=True)
class Hidden:
    w: np.ndarray
    b: np.ndarray
    gamma: np.ndarray | None
    beta: np.ndarray | None


def split(params: Params, use_batchnorm: bool) -> tuple[list[Hidden], tuple[np.ndarray, np.ndarray]]:
    """The hidden layers' params and the last Affine's (W, b), from the flat list the cases give."""
    per = 4 if use_batchnorm else 2
    n = (len(params) - 2) // per
    hidden = []
    for k in range(n):
        p = params[k * per : (k + 1) * per]
        hidden.append(Hidden(p[0], p[1], p[2] if use_batchnorm else None, p[3] if use_batchnorm else None))
    return hidden, (params[-2], params[-1])


def _batch_stats(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mu = h.mean(axis=0)
    return mu, ((h - mu) ** 2).mean(axis=0)


def train_scores(
    x: np.ndarray,
    params: Params,
    activation: str,
    use_batchnorm: bool,
    seen: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """predict(x, train_flg=True): each BatchNorm normalises with the batch's own statistics (appended to
    `seen`, first layer first, when given)."""
    act = ACTIVATIONS[activation][0]
    hidden, (w_last, b_last) = split(params, use_batchnorm)
    a = np.asarray(x, dtype=np.float64)
    for layer in hidden:
        h = a @ layer.w + layer.b
        if layer.gamma is not None and layer.beta is not None:
            mu, var = _batch_stats(h)
            if seen is not None:
                seen.append((mu, var))
            h = layer.gamma * (h - mu) / np.sqrt(var + BN_EPS) + layer.beta
        a = act(h)
    return a @ w_last + b_last


def book_running(mu: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A BatchNorm's running (mean, variance) after one training forward with batch statistics (mu, var):
    from zeros, running = momentum * running + (1 - momentum) * statistic."""
    return (1.0 - BN_MOMENTUM) * mu, (1.0 - BN_MOMENTUM) * var


Running = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def inference_scores(
    x: np.ndarray, params: Params, activation: str, use_batchnorm: bool, running: Running = book_running
) -> np.ndarray:
    """The test-time scores after one training forward on x: each BatchNorm's running statistics come from
    its input in that training forward, which differs from its input at test time past the first layer.
    `running` (the book's by default) turns a layer's batch statistics into its running ones: the known
    mistakes of fixtures/dlfs-advanced/ops.py give their own."""
    act = ACTIVATIONS[activation][0]
    hidden, (w_last, b_last) = split(params, use_batchnorm)
    a_train = a_test = np.asarray(x, dtype=np.float64)
    for layer in hidden:
        h_train, h_test = a_train @ layer.w + layer.b, a_test @ layer.w + layer.b
        if layer.gamma is not None and layer.beta is not None:
            mu, var = _batch_stats(h_train)
            h_train = layer.gamma * (h_train - mu) / np.sqrt(var + BN_EPS) + layer.beta
            run_mu, run_var = running(mu, var)
            h_test = layer.gamma * (h_test - run_mu) / np.sqrt(run_var + BN_EPS) + layer.beta
        a_train, a_test = act(h_train), act(h_test)
    return a_test @ w_last + b_last


def decay(params: Params, use_batchnorm: bool, weight_decay_lambda: float) -> float:
    hidden, (w_last, _) = split(params, use_batchnorm)
    weights = [layer.w for layer in hidden] + [w_last]
    return float(sum(0.5 * weight_decay_lambda * np.sum(w**2) for w in weights))


def cross_entropy(s: np.ndarray, t: np.ndarray, *, book: bool = True) -> float:
    labels = labels_of(t)
    rows = np.arange(len(labels))
    if book:  # the book's cross_entropy_error: 1e-7 inside the log
        return float(-np.sum(np.log(softmax(s)[rows, labels] + 1e-7)) / len(labels))
    shifted = s - s.max(axis=1, keepdims=True)
    log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(log_y[rows, labels]) / len(labels))


def train_loss(
    x: np.ndarray,
    t: np.ndarray,
    params: Params,
    activation: str,
    use_batchnorm: bool,
    weight_decay_lambda: float,
    *,
    book: bool = True,
) -> float:
    """loss(x, t, train_flg=True); `book=False` leaves the 1e-7 out of the log (what backward
    differentiates)."""
    s = train_scores(x, params, activation, use_batchnorm)
    return cross_entropy(s, t, book=book) + decay(params, use_batchnorm, weight_decay_lambda)


def inference_loss(
    x: np.ndarray,
    t: np.ndarray,
    params: Params,
    activation: str,
    use_batchnorm: bool,
    weight_decay_lambda: float,
    running: Running = book_running,
) -> float:
    """loss(x, t) (train_flg=False, the book's default) after gradient(x, t) ran one training forward."""
    s = inference_scores(x, params, activation, use_batchnorm, running)
    return cross_entropy(s, t) + decay(params, use_batchnorm, weight_decay_lambda)


def backprop(
    x: np.ndarray, t: np.ndarray, params: Params, activation: str, use_batchnorm: bool
) -> list[np.ndarray]:
    """The layers' gradients of the data loss, in the params' order (dW1, db1, dgamma1, dbeta1, ...), each
    BatchNorm in training mode (the book's BatchNormalization.__backward)."""
    act, derivative = ACTIVATIONS[activation]
    hidden, (w_last, _) = split(params, use_batchnorm)
    a = np.asarray(x, dtype=np.float64)
    saved = []  # (input of the Affine, its output h, BN's xc and std and xn, the activation's input)
    for layer in hidden:
        h = a @ layer.w + layer.b
        norm = None
        z = h
        if layer.gamma is not None and layer.beta is not None:
            xc = h - h.mean(axis=0)
            std = np.sqrt((xc**2).mean(axis=0) + BN_EPS)
            xn = xc / std
            norm = (xc, std, xn)
            z = layer.gamma * xn + layer.beta
        saved.append((a, norm, z))
        a = act(z)
    labels = labels_of(t)
    d = softmax(a @ w_last + params[-1])
    d[np.arange(len(labels)), labels] -= 1.0
    d /= len(labels)  # SoftmaxWithLoss.backward: (y - t) / batch_size
    grads: list[np.ndarray] = [a.T @ d, d.sum(axis=0)]
    d = d @ w_last.T
    for layer, (a_in, norm, z) in zip(reversed(hidden), reversed(saved), strict=True):
        d = d * derivative(act(z), z)
        own: list[np.ndarray] = []
        if norm is not None and layer.gamma is not None:
            xc, std, xn = norm
            n = d.shape[0]
            dgamma, dbeta = np.sum(xn * d, axis=0), d.sum(axis=0)
            dxn = layer.gamma * d
            dxc = dxn / std
            dstd = -np.sum((dxn * xc) / (std * std), axis=0)
            dvar = 0.5 * dstd / std
            dxc = dxc + (2.0 / n) * xc * dvar
            d = dxc - dxc.sum(axis=0) / n
            own = [dgamma, dbeta]
        grads[:0] = [a_in.T @ d, d.sum(axis=0), *own]
        d = d @ layer.w.T
    return grads


def gradient(
    x: np.ndarray,
    t: np.ndarray,
    params: Params,
    activation: str,
    use_batchnorm: bool,
    weight_decay_lambda: float,
) -> list[np.ndarray]:
    """The book's gradient(x, t): every dW gets lambda * W; b, gamma and beta nothing."""
    grads = backprop(x, t, params, activation, use_batchnorm)
    per = 4 if use_batchnorm else 2
    n = (len(params) - 2) // per
    weights = {k * per for k in range(n)} | {len(params) - 2}
    return [g + weight_decay_lambda * params[i] if i in weights else g for i, g in enumerate(grads)]
