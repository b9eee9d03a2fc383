# -*- coding: utf-8 -*-
# 第6章 学習に関するテクニック: パラメータの更新 (my own version, not copied from the book)
# Every update changes the arrays in place through params.items(); the state of each parameter lives in a
# dict of dicts; Adam is written as in the paper (bias-corrected m_hat and v_hat, eps 1e-8). Sample, session 21.
import numpy as np


class Optimizer:
    """Shared part: hyper-parameters and per-parameter state created on first use."""

    def __init__(self, lr):
        self.lr = lr
        self.state = {}

    def slot(self, key, like, *names):
        if key not in self.state:
            self.state[key] = {name: np.zeros_like(like) for name in names}
        return self.state[key]


class SGD(Optimizer):
    def __init__(self, lr=0.01):
        super().__init__(lr)

    def update(self, params, grads):
        for key, val in params.items():
            val -= self.lr * grads[key]


class Momentum(Optimizer):
    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def update(self, params, grads):
        for key, val in params.items():
            s = self.slot(key, val, "v")
            s["v"] *= self.momentum
            s["v"] -= self.lr * grads[key]
            val += s["v"]


class Nesterov(Optimizer):
    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def update(self, params, grads):
        mu = self.momentum
        for key, val in params.items():
            s = self.slot(key, val, "v")
            s["v"] = mu * s["v"] - self.lr * grads[key]
            val += mu * mu * s["v"] - (1 + mu) * self.lr * grads[key]


class AdaGrad(Optimizer):
    def __init__(self, lr=0.01):
        super().__init__(lr)

    def update(self, params, grads):
        for key, val in params.items():
            s = self.slot(key, val, "h")
            s["h"] += np.square(grads[key])
            val -= self.lr * grads[key] / (np.sqrt(s["h"]) + 1e-7)


class RMSprop(Optimizer):
    def __init__(self, lr=0.01, decay_rate=0.99):
        super().__init__(lr)
        self.decay_rate = decay_rate

    def update(self, params, grads):
        for key, val in params.items():
            s = self.slot(key, val, "h")
            s["h"] = self.decay_rate * s["h"] + (1 - self.decay_rate) * np.square(grads[key])
            val -= self.lr * grads[key] / (np.sqrt(s["h"]) + 1e-7)


class Adam(Optimizer):
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0

    def update(self, params, grads):
        self.t += 1
        for key, val in params.items():
            s = self.slot(key, val, "m", "v")
            g = grads[key]
            s["m"] = self.beta1 * s["m"] + (1 - self.beta1) * g
            s["v"] = self.beta2 * s["v"] + (1 - self.beta2) * g * g
            m_hat = s["m"] / (1 - self.beta1 ** self.t)
            v_hat = s["v"] / (1 - self.beta2 ** self.t)
            val -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


if __name__ == "__main__":
    # optimizer_compare_naive.py's f(x, y) = x**2 / 20 + y**2, from (-7, 2)
    params = {"x": np.array([-7.0]), "y": np.array([2.0])}
    opt = Adam(lr=0.3)
    for _ in range(30):
        grads = {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}
        opt.update(params, grads)
    print(params)
