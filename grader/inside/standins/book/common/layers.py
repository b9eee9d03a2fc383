# mypy: ignore-errors
# (written in the book's own untyped style, as the modules it stands in for)
"""Grader's stand-in for the book's common/layers.py, written afresh for the grader.

Used only when a submission imports `common.layers` without containing it, so that the submission's own
classes (a TwoLayerNet, say) can be graded. Nothing here is ever graded as the student's: a required class
that resolves to one of these counts as missing. Self-contained on purpose: a student's own (possibly
buggy) common/functions.py must not change what the stand-in computes.
"""

import numpy as np


def _softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def _cross_entropy(y, t):
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1)
    if t.size == y.size:
        t = t.argmax(axis=1)
    rows = y.shape[0]
    return -np.sum(np.log(y[np.arange(rows), t] + 1e-7)) / rows


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)  # a new array: the caller's dout is left alone


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1.0 - self.out)


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = _softmax(x)
        self.loss = _cross_entropy(self.y, t)
        return self.loss

    def backward(self, dout=1):
        rows = self.t.shape[0]
        if self.t.size == self.y.size:
            return dout * (self.y - self.t) / rows
        dx = self.y.copy()
        dx[np.arange(rows), self.t] -= 1
        return dout * dx / rows


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
