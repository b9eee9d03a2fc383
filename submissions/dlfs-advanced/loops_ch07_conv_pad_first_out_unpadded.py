# coding: utf-8
# Negative control of loops_ch07_conv_pad_first.py: Convolution.forward computes out_h and out_w without
# the padding (H - FH) // s + 1: with pad 1 the output loses its border rows and columns.
# Convolution(W, b, pad=0, stride=1): pad first, as in the course notes' conv_param {"pad": ..., "stride": ...}.
# ch07 layers written with explicit loops (no im2col), following the lecture notes:
# "implement conv and pooling naively first, vectorise later".
import numpy as np
from common.functions import softmax, cross_entropy_error


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


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
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


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


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        self.running_mean = running_mean
        self.running_var = running_var
        self.cache = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            std = np.sqrt(var + 10e-7)
            xn = (x - mu) / std
            self.cache = (x - mu, std, xn)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + 10e-7)
        out = self.gamma * xn + self.beta
        return out.reshape(*self.input_shape)

    def backward(self, dout):
        dout = dout.reshape(dout.shape[0], -1)
        xc, std, xn = self.cache
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / std
        dstd = -np.sum((dxn * xc) / (std * std), axis=0)
        dvar = 0.5 * dstd / std
        dxc += (2.0 / n) * xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / n
        return dx.reshape(*self.input_shape)


class Convolution:
    """Four nested loops over (sample, filter, row, column)."""

    def __init__(self, W, b, pad=0, stride=1):
        self.W = W
        self.b = b
        self.pad = pad
        self.stride = stride
        self.x_padded = None
        self.x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        s, p = self.stride, self.pad
        out_h = (H - FH) // s + 1
        out_w = (W - FW) // s + 1
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
        out = np.zeros((N, FN, out_h, out_w))
        for n in range(N):
            for f in range(FN):
                for i in range(out_h):
                    for j in range(out_w):
                        window = xp[n, :, i * s:i * s + FH, j * s:j * s + FW]
                        out[n, f, i, j] = np.sum(window * self.W[f]) + self.b[f]
        self.x_padded = xp
        self.x_shape = x.shape
        return out

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        N, _, out_h, out_w = dout.shape
        s, p = self.stride, self.pad
        xp = self.x_padded
        dxp = np.zeros_like(xp)
        self.dW = np.zeros_like(self.W)
        self.db = dout.sum(axis=(0, 2, 3))
        for n in range(N):
            for f in range(FN):
                for i in range(out_h):
                    for j in range(out_w):
                        window = xp[n, :, i * s:i * s + FH, j * s:j * s + FW]
                        self.dW[f] += window * dout[n, f, i, j]
                        dxp[n, :, i * s:i * s + FH, j * s:j * s + FW] += self.W[f] * dout[n, f, i, j]
        H, W = self.x_shape[2], self.x_shape[3]
        return dxp[:, :, p:p + H, p:p + W]


class Pooling:
    """Max pooling, one window at a time; the gradient goes to the argmax of each window."""

    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None

    def forward(self, x):
        N, C, H, W = x.shape
        s = self.stride
        out_h = (H - self.pool_h) // s + 1
        out_w = (W - self.pool_w) // s + 1
        out = np.zeros((N, C, out_h, out_w))
        for i in range(out_h):
            for j in range(out_w):
                window = x[:, :, i * s:i * s + self.pool_h, j * s:j * s + self.pool_w]
                out[:, :, i, j] = np.max(window, axis=(2, 3))
        self.x = x
        return out

    def backward(self, dout):
        N, C, out_h, out_w = dout.shape
        s = self.stride
        dx = np.zeros_like(self.x)
        for n in range(N):
            for c in range(C):
                for i in range(out_h):
                    for j in range(out_w):
                        window = self.x[n, c, i * s:i * s + self.pool_h, j * s:j * s + self.pool_w]
                        k = np.argmax(window)
                        a, b = np.unravel_index(k, window.shape)
                        dx[n, c, i * s + a, j * s + b] += dout[n, c, i, j]
        return dx
