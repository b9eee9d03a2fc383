"""DLFS chapter 6's MultiLayerNet with weight decay (the book's common/multi_layer_net.py, 6.4.2).

`MultiLayerNet(input_size, hidden_size_list, output_size, activation='relu', weight_init_std='relu',
weight_decay_lambda=0)`: Affine1, Activation1, ..., Affine(n+1), then SoftmaxWithLoss; params W1, b1, ...,
W(n+1), b(n+1), where n = len(hidden_size_list). The rules the cases compute:

- loss(x, t) = SoftmaxWithLoss(predict(x), t) + sum over every Affine's W of 0.5 * lambda * sum(W ** 2)
  (the biases carry no decay)
- gradient(x, t): backpropagation through the layers, then grads['Wk'] = dWk + lambda * Wk and
  grads['bk'] = dbk

The book's cross_entropy_error keeps 1e-7 inside the log; `loss` does too, and `exact_loss` (no 1e-7) is
what its backward (y - t) / batch_size differentiates (the finite-difference oracle's forward). Proven against
torch autograd and by finite differences (tests/reference/test_multi_layer_net.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Params = Sequence[np.ndarray]  # W1, b1, W2, b2, ...


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# activation name -> (forward, derivative from the forward's output and input)
ACTIVATIONS = {
    "relu": (lambda h: np.maximum(h, 0.0), lambda out, h: (h > 0).astype(np.float64)),
    "sigmoid": (_sigmoid, lambda out, h: out * (1.0 - out)),
}


def labels_of(t: np.ndarray) -> np.ndarray:
    """Class labels from labels or one-hot rows (the book's SoftmaxWithLoss takes both)."""
    t = np.asarray(t)
    return (t.argmax(axis=1) if t.ndim == 2 else np.round(t)).astype(np.int64)


def _pairs(params: Params) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(params[i], params[i + 1]) for i in range(0, len(params), 2)]


def _layers(x: np.ndarray, params: Params, activation: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each Affine's input and output, in order; the last output is the scores."""
    act = ACTIVATIONS[activation][0]
    inputs, outputs = [], []
    a = np.asarray(x, dtype=np.float64)
    pairs = _pairs(params)
    for k, (w, b) in enumerate(pairs):
        inputs.append(a)
        h = a @ w + b
        outputs.append(h)
        a = act(h) if k < len(pairs) - 1 else h
    return inputs, outputs


def softmax(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def decay(params: Params, weight_decay_lambda: float) -> float:
    return float(sum(0.5 * weight_decay_lambda * np.sum(w**2) for w, _ in _pairs(params)))


def data_loss(x: np.ndarray, t: np.ndarray, params: Params, activation: str, *, book: bool = True) -> float:
    scores = _layers(x, params, activation)[1][-1]
    labels = labels_of(t)
    if book:  # the book's cross_entropy_error: 1e-7 inside the log
        return float(-np.sum(np.log(softmax(scores)[np.arange(len(labels)), labels] + 1e-7)) / len(labels))
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(log_y[np.arange(len(labels)), labels]) / len(labels))


def loss(x: np.ndarray, t: np.ndarray, params: Params, activation: str, weight_decay_lambda: float) -> float:
    return data_loss(x, t, params, activation) + decay(params, weight_decay_lambda)


def exact_loss(
    x: np.ndarray, t: np.ndarray, params: Params, activation: str, weight_decay_lambda: float
) -> float:
    return data_loss(x, t, params, activation, book=False) + decay(params, weight_decay_lambda)


def backprop(x: np.ndarray, t: np.ndarray, params: Params, activation: str) -> list[np.ndarray]:
    """dW1, db1, dW2, db2, ... of the data loss alone (the layers' dW and db after backward)."""
    inputs, outputs = _layers(x, params, activation)
    labels = labels_of(t)
    act, derivative = ACTIVATIONS[activation]
    d = softmax(outputs[-1])
    d[np.arange(len(labels)), labels] -= 1.0
    d /= len(labels)  # SoftmaxWithLoss.backward: (y - t) / batch_size
    grads: list[np.ndarray] = []
    pairs = _pairs(params)
    for k in range(len(pairs) - 1, -1, -1):
        w = pairs[k][0]
        grads[:0] = [inputs[k].T @ d, d.sum(axis=0)]
        if k:
            h = outputs[k - 1]
            d = (d @ w.T) * derivative(act(h), h)
    return grads


def gradient(
    x: np.ndarray, t: np.ndarray, params: Params, activation: str, weight_decay_lambda: float
) -> list[np.ndarray]:
    """The book's gradient(x, t): every dW gets lambda * W, the biases nothing."""
    grads = backprop(x, t, params, activation)
    return [g + weight_decay_lambda * params[i] if i % 2 == 0 else g for i, g in enumerate(grads)]
