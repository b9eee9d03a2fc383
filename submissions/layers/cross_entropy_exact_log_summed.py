# Chapter 5 layers written my own way: exact cross entropy (no 1e-7), @, np.maximum Relu with a boolean mask,
# labels turned one-hot with np.eye, TwoLayerNet with a plain list of layers.
# Mistake: the loss is summed over the batch, not averaged (the backward still divides by batch_size).
import numpy as np


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    # y is (batch, classes); t holds labels (batch,) or one-hot rows (batch, classes)
    batch_size = y.shape[0]
    if t.ndim == 1:  # labels -> one-hot
        t = np.eye(y.shape[1])[t]
    return -np.sum(t * np.log(y))  # summed over the batch, never averaged


class MulLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return (dout * self.y, dout * self.x)


class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout, dout


class Relu:
    def forward(self, x):
        self.mask = x > 0
        return np.maximum(0, x)

    def backward(self, dout):
        return dout * self.mask


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x_shape = x.shape
        self.x = x.reshape(len(x), -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.x_shape)


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.y = softmax(x)
        self.t = t
        self.loss = cross_entropy_error(self.y, t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.y.shape[0]
        t = self.t
        if t.ndim == 1:
            t = np.eye(self.y.shape[1])[t]
        return dout * (self.y - t) / batch_size


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            "W1": weight_init_std * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }
        self.layers = [
            Affine(self.params["W1"], self.params["b1"]),
            Relu(),
            Affine(self.params["W2"], self.params["b2"]),
        ]
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = self.predict(x).argmax(axis=1)
        if t.ndim != 1:
            t = t.argmax(axis=1)
        return np.mean(y == t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        a1, a2 = self.layers[0], self.layers[2]
        return {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}
