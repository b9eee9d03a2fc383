"""Activation and loss helpers with the documented behaviour of "Deep Learning from Scratch" common/functions.

Written for backprop-grader from the book's documented behaviour; numpy only. Students' layer files import
these by star import, by name, or relatively.
"""

import numpy as np


def identity_function(x):
    return x


def step_function(x):
    return np.array(x > 0, dtype=int)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    grad = np.zeros_like(x)
    grad[x >= 0] = 1
    return grad


def softmax(x):
    # The largest score is subtracted first so that exp never overflows; rows are samples.
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def sum_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


def mean_squared_error(y, t):
    return sum_squared_error(y, t)


def cross_entropy_error(y, t):
    """Mean cross entropy over the batch; t is one-hot (same size as y) or class labels.

    The 1e-7 inside the log is the book's: it keeps log(0) finite and shifts the loss slightly.
    """
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:  # one-hot targets become labels
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), np.asarray(t, dtype=int)] + 1e-7)) / batch_size


def softmax_loss(X, t):
    return cross_entropy_error(softmax(X), t)
