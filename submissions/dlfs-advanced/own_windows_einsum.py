"""DLFS layers through chapter 7 written differently: Dropout via np.random.random and np.where, BatchNormalization
with the compact backward, Convolution by einsum over a strided window view, Pooling by put_along_axis, and an
adjoint of the window view (col2im) written by hand. im2col/col2im imports kept from the book file."""
from collections import OrderedDict

import numpy as np

from common.functions import cross_entropy_error, softmax
from common.util import col2im, im2col


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


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
            return (self.y - self.t) / batch_size
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx / batch_size


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if not train_flg:
            return x * (1.0 - self.dropout_ratio)
        self.mask = np.random.random(x.shape) > self.dropout_ratio
        return np.where(self.mask, x, 0.0)

    def backward(self, dout):
        return np.where(self.mask, dout, 0.0)


class BatchNormalization:
    """Compact backward; running statistics updated in place."""

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.eps = 1e-6

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        x = x.reshape(len(x), -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mu = np.mean(x, axis=0)
            var = np.var(x, axis=0)
            self.inv_std = 1.0 / np.sqrt(var + self.eps)
            self.xhat = (x - mu) * self.inv_std
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
            xhat = self.xhat
        else:
            xhat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        out = self.gamma * xhat + self.beta
        return out.reshape(self.input_shape)

    def backward(self, dout):
        dout = dout.reshape(len(dout), -1)
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.xhat).sum(axis=0)
        dxhat = dout * self.gamma
        dx = (self.inv_std / n) * (n * dxhat - dxhat.sum(axis=0) - self.xhat * (dxhat * self.xhat).sum(axis=0))
        return dx.reshape(self.input_shape)


def _windows(x, fh, fw, stride, pad):
    """(N, C, out_h, out_w, fh, fw) view of every window, by loops over the filter."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    N, C, H, W = x.shape
    out_h = (H - fh) // stride + 1
    out_w = (W - fw) // stride + 1
    win = np.empty((N, C, out_h, out_w, fh, fw), dtype=x.dtype)
    for i in range(fh):
        for j in range(fw):
            win[:, :, :, :, i, j] = x[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride]
    return win


def _unwindows(dwin, x_shape, stride, pad):
    """Adjoint of _windows: add every window's gradient back (overlaps accumulate)."""
    N, C, H, W = x_shape
    _, _, out_h, out_w, fh, fw = dwin.shape
    dx = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=dwin.dtype)
    for i in range(fh):
        for j in range(fw):
            dx[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride] += dwin[:, :, :, :, i, j]
    return dx[:, :, pad:pad + H, pad:pad + W]


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        self.x_shape = x.shape
        self.win = _windows(x, self.W.shape[2], self.W.shape[3], self.stride, self.pad)
        out = np.einsum("ncijkl,fckl->nfij", self.win, self.W)
        return out + self.b.reshape(1, -1, 1, 1)

    def backward(self, dout):
        self.db = dout.sum(axis=(0, 2, 3))
        self.dW = np.einsum("ncijkl,nfij->fckl", self.win, dout)
        dwin = np.einsum("nfij,fckl->ncijkl", dout, self.W)
        return _unwindows(dwin, self.x_shape, self.stride, self.pad)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        self.x_shape = x.shape
        win = _windows(x, self.pool_h, self.pool_w, self.stride, self.pad)
        N, C, oh, ow, ph, pw = win.shape
        flat = win.reshape(N, C, oh, ow, ph * pw)
        self.arg = flat.argmax(axis=-1)
        return flat.max(axis=-1)

    def backward(self, dout):
        N, C, oh, ow = dout.shape
        k = self.pool_h * self.pool_w
        dflat = np.zeros((N, C, oh, ow, k), dtype=dout.dtype)
        np.put_along_axis(dflat, self.arg[..., None], dout[..., None], axis=-1)
        dwin = dflat.reshape(N, C, oh, ow, self.pool_h, self.pool_w)
        return _unwindows(dwin, self.x_shape, self.stride, self.pad)


class SimpleConvNet:
    """Chapter 7's network: conv - relu - pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        filter_num = conv_param['filter_num']
        filter_size = conv_param['filter_size']
        filter_pad = conv_param['pad']
        filter_stride = conv_param['stride']
        input_size = input_dim[1]
        conv_output_size = (input_size - filter_size + 2 * filter_pad) / filter_stride + 1
        pool_output_size = int(filter_num * (conv_output_size / 2) * (conv_output_size / 2))

        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(filter_num, input_dim[0], filter_size, filter_size)
        self.params['b1'] = np.zeros(filter_num)
        self.params['W2'] = weight_init_std * np.random.randn(pool_output_size, hidden_size)
        self.params['b2'] = np.zeros(hidden_size)
        self.params['W3'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b3'] = np.zeros(output_size)

        self.layers = OrderedDict()
        self.layers['Conv1'] = Convolution(self.params['W1'], self.params['b1'],
                                           conv_param['stride'], conv_param['pad'])
        self.layers['Relu1'] = Relu()
        self.layers['Pool1'] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers['Affine1'] = Affine(self.params['W2'], self.params['b2'])
        self.layers['Relu2'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W3'], self.params['b3'])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.last_layer.forward(y, t)

    def gradient(self, x, t):
        self.loss(x, t)

        dout = 1
        dout = self.last_layer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        grads['W1'], grads['b1'] = self.layers['Conv1'].dW, self.layers['Conv1'].db
        grads['W2'], grads['b2'] = self.layers['Affine1'].dW, self.layers['Affine1'].db
        grads['W3'], grads['b3'] = self.layers['Affine2'].dW, self.layers['Affine2'].db
        return grads
