# mypy: ignore-errors
# (written in the book's own untyped style, as the modules it stands in for)
"""Grader's stand-in for the book's common/layers.py, written afresh for the grader.

Used only when a submission imports `common.layers` without containing it, so that the submission's own
classes (a TwoLayerNet, say) can be graded. Nothing here is ever graded as the student's: a required class
that resolves to one of these counts as missing. Self-contained on purpose: a student's own (possibly
buggy) common/functions.py must not change what the stand-in computes.
"""

import numpy as np

# Set by the grader when this module is imported (standins.Registry.register): each method below but
# `__init__` (which computes nothing) calls it first, and it raises while a graded layer of the student's is
# being called, so that a layer calling these (`common.layers.Affine.forward(self, x)`, an instance kept in
# a global) is not graded as the student's.
_GRADER_GUARD = None


def _windows(x, fh, fw, stride, pad):
    """(N, C, H, W) -> every filter-sized window as one row: (N * out_h * out_w, C * fh * fw).
    The book keeps this as im2col in common/util.py; it is here so that a student's own util.py cannot
    change what the stand-in computes."""
    n, c, h, w = x.shape
    out_h = (h + 2 * pad - fh) // stride + 1
    out_w = (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.empty((n, c, fh, fw, out_h, out_w), dtype=img.dtype)
    for i in range(fh):
        for j in range(fw):
            col[:, :, i, j] = img[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1), out_h, out_w


def _unwindow(col, shape, fh, fw, stride, pad):
    """The gradient of `_windows`: each row added back where its window came from (overlaps summed)."""
    n, c, h, w = shape
    out_h = (h + 2 * pad - fh) // stride + 1
    out_w = (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, out_h, out_w, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    for i in range(fh):
        for j in range(fw):
            img[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride] += col[:, :, i, j]
    return img[:, :, pad : pad + h, pad : pad + w]


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
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        return np.where(self.mask, 0.0, dout)  # a new array: the caller's dout is left alone


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, dout):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
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
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        self.t = t
        self.y = _softmax(x)
        self.loss = _cross_entropy(self.y, t)
        return self.loss

    def backward(self, dout=1):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
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
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        return dout * self.mask


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.input_shape = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc**2, axis=0)
            self.std = np.sqrt(var + 10e-7)
            self.xn = xc / self.std
            self.xc = xc
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
            xn = self.xn
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + 10e-7)
        return (self.gamma * xn + self.beta).reshape(self.input_shape)

    def backward(self, dout):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        dout = dout.reshape(dout.shape[0], -1)
        rows = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        # d/dx of (x - mean) / std, with the mean and the std both depending on every row
        dx = (dxn - dxn.mean(axis=0) - self.xn * np.sum(dxn * self.xn, axis=0) / rows) / self.std
        return dx.reshape(self.input_shape)


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.x = None
        self.col = None
        self.dW = None
        self.db = None

    def forward(self, x):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        fn, _, fh, fw = self.W.shape
        self.x = x
        self.col, out_h, out_w = _windows(x, fh, fw, self.stride, self.pad)
        out = self.col @ self.W.reshape(fn, -1).T + self.b
        return out.reshape(x.shape[0], out_h, out_w, fn).transpose(0, 3, 1, 2)

    def backward(self, dout):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).T.reshape(fn, c, fh, fw)
        dcol = dout @ self.W.reshape(fn, -1)
        return _unwindow(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self.arg_max = None

    def forward(self, x):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        n, c = x.shape[:2]
        col, out_h, out_w = _windows(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # one window of one channel per row
        self.x = x
        self.arg_max = np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        if _GRADER_GUARD is not None:
            _GRADER_GUARD()
        size = self.pool_h * self.pool_w
        dout = dout.transpose(0, 2, 3, 1)
        dmax = np.zeros((dout.size, size))
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.reshape(-1)
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return _unwindow(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
