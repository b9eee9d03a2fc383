"""Chapter 6 homework: a deep fully connected net with L2 regularisation (weight decay).

Written my own way: the layers come from common.layers, but I keep them in a plain list, count the layers
from the params dict, use np.linalg.norm for the penalty and build the grads with f-strings.
"""
import numpy as np

from common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}


def init_scale(kind, fan_in):
    if kind in ("relu", "he"):
        return np.sqrt(2.0 / fan_in)
    if kind in ("sigmoid", "xavier"):
        return np.sqrt(1.0 / fan_in)
    return float(kind)


class MultiLayerNet:
    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0.0):
        sizes = [input_size, *hidden_size_list, output_size]
        self.lam = weight_decay_lambda
        self.params = {}
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            self.params[f"W{i}"] = init_scale(weight_init_std, n_in) * np.random.randn(n_in, n_out)
            self.params[f"b{i}"] = np.zeros(n_out)
        self.depth = len(sizes) - 1
        self.affines = [Affine(self.params[f"W{i}"], self.params[f"b{i}"]) for i in range(1, self.depth + 1)]
        self.layers = []
        for i, affine in enumerate(self.affines):
            self.layers.append(affine)
            if i < self.depth - 1:
                self.layers.append(ACTIVATIONS[activation]())
        self.out = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def penalty(self):
        # ||W||_F^2 = sum of squares, halved so that its gradient is lam * W
        return self.lam / 2 * sum(np.linalg.norm(a.W) ** 2 for a in self.affines)

    def loss(self, x, t):
        return self.out.forward(self.predict(x), t) + self.penalty()

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.out.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        for i, a in enumerate(self.affines, start=1):
            grads[f"W{i}"] = a.dW + self.lam * a.W
            grads[f"b{i}"] = a.db.copy()
        return grads


if __name__ == "__main__":
    net = MultiLayerNet(784, [100, 100], 10, weight_decay_lambda=0.1)
    print(net.loss(np.random.rand(2, 784), np.array([3, 7])))
