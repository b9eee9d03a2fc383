# coding: utf-8
# HW5 - backpropagation (ch05). Run: python demo_at_import.py
import numpy as np
from common.functions import softmax, cross_entropy_error
import sys, os
sys.path.append(os.pardir)  # for common/ (TA said to add this)


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout, dout


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0, x)

    def backward(self, dout):
        return np.where(self.mask, 0, dout)


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        dx = dout @ self.W.T
        return dx.reshape(self.x_shape)


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
        n = self.y.shape[0]
        if self.t.size == self.y.size:
            t = self.t
        else:
            t = np.zeros_like(self.y)
            t[np.arange(n), self.t] = 1  # labels -> one-hot
        return dout * (self.y - t) / n


# ---- quick checks -------------------------------------------------------
mul_apple, mul_tax = MulLayer(), MulLayer()
price = mul_tax.forward(mul_apple.forward(100, 2), 1.1)
dall, dtax = mul_tax.backward(1)
print("price", price, "dApple", mul_apple.backward(dall), "dTax", dtax)

# ---- train on MNIST (saved with np.savez from keras.datasets on my laptop) ----
data = np.load("mnist.npz")
x_train, t_train = data["x_train"].reshape(-1, 784) / 255.0, data["y_train"]
W1 = 0.01 * np.random.randn(784, 50)
b1 = np.zeros(50)
W2 = 0.01 * np.random.randn(50, 10)
b2 = np.zeros(10)
layers = [Affine(W1, b1), Relu(), Affine(W2, b2)]
last = SoftmaxWithLoss()
for i in range(10000):
    idx = np.random.choice(x_train.shape[0], 100)
    h = x_train[idx]
    for layer in layers:
        h = layer.forward(h)
    loss = last.forward(h, t_train[idx])
    d = last.backward()
    for layer in reversed(layers):
        d = layer.backward(d)
    for a in (layers[0], layers[2]):
        a.W -= 0.1 * a.dW
        a.b -= 0.1 * a.db
    if i % 1000 == 0:
        print(i, loss)
