"""HW4: a two-layer network from scratch (chapter 4), my own helpers, no common/ folder."""
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(a):
    a = a - np.max(a, axis=-1, keepdims=True)
    return np.exp(a) / np.sum(np.exp(a), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    delta = 1e-7
    return -np.sum(t * np.log(y + delta)) / y.shape[0]


class TwoLayerNet:
    def __init__(self, n_in, n_hidden, n_out, weight_init_std=0.01):
        self.params = {
            "W1": weight_init_std * np.random.randn(n_in, n_hidden),
            "b1": np.zeros(n_hidden),
            "W2": weight_init_std * np.random.randn(n_hidden, n_out),
            "b2": np.zeros(n_out),
        }

    def predict(self, x):
        z1 = sigmoid(x @ self.params["W1"] + self.params["b1"])
        return softmax(z1 @ self.params["W2"] + self.params["b2"])

    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x, t):
        return np.mean(self.predict(x).argmax(axis=1) == t.argmax(axis=1))

    def numerical_gradient(self, x, t, h=1e-4):
        grads = {}
        for key, p in self.params.items():
            g = np.zeros_like(p)
            it = np.nditer(p, flags=["multi_index"])
            while not it.finished:
                i = it.multi_index
                old = p[i]
                p[i] = old + h
                up = self.loss(x, t)
                p[i] = old - h
                down = self.loss(x, t)
                p[i] = old
                g[i] = (up - down) / (2 * h)
                it.iternext()
            grads[key] = g
        return grads

    def gradient(self, x, t):
        n = x.shape[0]
        z1 = sigmoid(x @ self.params["W1"] + self.params["b1"])
        y = softmax(z1 @ self.params["W2"] + self.params["b2"])
        dy = (y - t) / n
        dz1 = (dy @ self.params["W2"].T) * z1 * (1 - z1)
        return {
            "W1": x.T @ dz1,
            "b1": dz1.sum(axis=0),
            "W2": z1.T @ dy,
            "b2": dy.sum(axis=0),
        }


if __name__ == "__main__":
    net = TwoLayerNet(4, 5, 3)
    x = np.random.rand(6, 4)
    t = np.eye(3)[np.random.randint(0, 3, 6)]
    num, bp = net.numerical_gradient(x, t), net.gradient(x, t)
    for k in num:
        print(k, np.abs(num[k] - bp[k]).mean())
