# mypy: ignore-errors
# (written in the book's own untyped style, as the modules it stands in for)
"""Grader's stand-in for the book's common/functions.py: the helpers its chapters import, written afresh.

Never graded as a student's work; used only so that a submission's own classes can run.
"""

import numpy as np


def identity_function(x):
    return x


def step_function(x):
    return np.array(x > 0, dtype=int)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return (1.0 - s) * s


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return (x > 0).astype(float)


def softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)  # exp of a large logit would overflow
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def sum_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


mean_squared_error = sum_squared_error


def cross_entropy_error(y, t):
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1)
    if t.size == y.size:  # one-hot rows: keep the index of each row's 1
        t = t.argmax(axis=1)
    rows = y.shape[0]
    return -np.sum(np.log(y[np.arange(rows), t] + 1e-7)) / rows


def softmax_loss(x, t):
    return cross_entropy_error(softmax(x), t)
