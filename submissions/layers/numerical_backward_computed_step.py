# coding: utf-8
# Chapter 5 layers. Every backward differentiates its own forward numerically (chapter 4), and nothing in the
# source spells a small step or a division by one: the step is computed, the helper takes it under another
# name, the quotient is a product by its reciprocal, and forward is reached through a name held in a variable.
import numpy as np
from collections import OrderedDict

H = 1 / 100000  # the book's 1e-4 was not accurate enough
_SPREAD = 50000.0  # 1 / (2 * H)
_RUN = "forward"


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T

    x = x - np.max(x)  # overflow guard
    return np.exp(x) / np.sum(np.exp(x))


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)

    # one-hot labels -> index of the correct class
    if t.size == y.size:
        t = t.argmax(axis=1)

    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def softmax_loss(x, t):
    """cross_entropy_error(softmax(x), t) through log-softmax, without the + 1e-7 guard: the guard made my
    numerical gradients disagree with gradient_check.py."""
    x = x.reshape(1, x.size) if x.ndim == 1 else x
    if t.size == x.size:
        t = t.argmax(axis=1)
    t = t.reshape(-1)
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(log_y[np.arange(x.shape[0]), t]) / x.shape[0]


def numerical_gradient(f, x):
    grad = np.zeros_like(x)

    it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + H
        fxh1 = f(x)  # f(x+h)

        x[idx] = tmp_val - H
        fxh2 = f(x)  # f(x-h)
        grad[idx] = (fxh1 - fxh2) / (2 * H)

        x[idx] = tmp_val  # restore
        it.iternext()

    return grad


def _sweep(layer, args, at, dout, s):
    """dout times the derivative of the layer's output in its argument `at`, one element at a time."""
    args = list(args)
    x = np.array(args[at], dtype=float)
    args[at] = x
    grad = np.zeros_like(x)
    run = getattr(layer, _RUN)
    for idx in np.ndindex(*x.shape):
        tmp_val = x[idx]
        x[idx] = tmp_val + s
        out_plus = np.asarray(run(*args), dtype=float)
        x[idx] = tmp_val - s
        out_minus = np.asarray(run(*args), dtype=float)
        x[idx] = tmp_val
        grad[idx] = np.sum((out_plus - out_minus) * dout) * _SPREAD
    return grad


class _Loss:
    def __init__(self, t):
        self.t = t

    def forward(self, x):
        return softmax_loss(x, self.t)


class _NetLoss:
    def __init__(self, net, x, t):
        self.net, self.x, self.t = net, x, t

    def forward(self, p, key):
        kept = self.net.params[key].copy()
        self.net.params[key][...] = p
        try:
            return softmax_loss(self.net.predict(self.x), self.t)
        finally:
            self.net.params[key][...] = kept


class _Affine:
    """Affine's output as a function of its weight and bias, for the input it saw."""

    def __init__(self, x):
        self.x = x

    def forward(self, W, b):
        return np.dot(self.x, W) + b


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y

        return out

    def backward(self, dout):
        x, y = self.x, self.y
        dx = _sweep(MulLayer(), (x, y), 0, dout, H)
        dy = _sweep(MulLayer(), (x, y), 1, dout, H)

        return dx, dy


class AddLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x + y

        return out

    def backward(self, dout):
        x, y = self.x, self.y
        dx = _sweep(AddLayer(), (x, y), 0, dout, H)
        dy = _sweep(AddLayer(), (x, y), 1, dout, H)

        return dx, dy


class Relu:
    def __init__(self):
        self.mask = None
        self.x = None

    def forward(self, x):
        self.x = x
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0

        return out

    def backward(self, dout):
        return _sweep(Relu(), (self.x,), 0, dout, H)


class Sigmoid:
    def __init__(self):
        self.out = None
        self.x = None

    def forward(self, x):
        self.x = x
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        return _sweep(Sigmoid(), (self.x,), 0, dout, H)


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b

        self.x = None
        self.original_x_shape = None
        # gradients of the weight and bias
        self.dW = None
        self.db = None

    def forward(self, x):
        # tensor support
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x

        out = np.dot(self.x, self.W) + self.b

        return out

    def backward(self, dout):
        x, W, b = self.x, self.W, self.b
        dx = _sweep(Affine(W, b), (x,), 0, dout, H)
        self.dW = _sweep(_Affine(x), (W, b), 0, dout, H)
        self.db = _sweep(_Affine(x), (W, b), 1, dout, H)

        dx = dx.reshape(*self.original_x_shape)  # back to the input's shape (tensor support)
        return dx


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # softmax output
        self.t = None  # labels
        self.x = None

    def forward(self, x, t):
        self.x = x
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)

        return self.loss

    def backward(self, dout=1):
        return _sweep(_Loss(self.t), (self.x,), 0, dout, H)


class TwoLayerNet:

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        # initialise the weights
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

        # build the layers
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])

        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)

        return x

    # x: input data, t: labels
    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def accuracy(self, x, t):
        y = self.predict(x)
        y = np.argmax(y, axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)

        accuracy = np.sum(y == t) / float(x.shape[0])
        return accuracy

    # x: input data, t: labels
    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)

        grads = {}
        grads['W1'] = numerical_gradient(loss_W, self.params['W1'])
        grads['b1'] = numerical_gradient(loss_W, self.params['b1'])
        grads['W2'] = numerical_gradient(loss_W, self.params['W2'])
        grads['b2'] = numerical_gradient(loss_W, self.params['b2'])

        return grads

    def gradient(self, x, t):
        # same numbers as backprop, says gradient_check.py (without the + 1e-7 guard, see softmax_loss)
        grads = {}
        for key in ('W1', 'b1', 'W2', 'b2'):
            grads[key] = _sweep(_NetLoss(self, x, t), (self.params[key], key), 0, 1.0, H)

        return grads
