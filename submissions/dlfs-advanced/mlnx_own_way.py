"""A correct MultiLayerNetExtend written its own way: the blocks kept in a list of (Affine, BatchNormalization,
activation) triples, predict switching on isinstance, the decay as lam / 2 * sum(np.linalg.norm(W) ** 2), the
grads built with f-strings from the layers themselves; use_dropout accepted and never used."""
import numpy as np

from common.layers import Affine, BatchNormalization, Relu, Sigmoid, SoftmaxWithLoss


class MultiLayerNetExtend:
    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0.0, use_dropout=False, dropout_ration=0.5, use_batchnorm=False):
        sizes = [input_size, *hidden_size_list, output_size]
        self.lam = weight_decay_lambda
        self.use_batchnorm = use_batchnorm
        self.params = {}
        for i in range(1, len(sizes)):
            std = np.sqrt(2.0 / sizes[i - 1]) if str(weight_init_std) in ("relu", "he") else 0.01
            self.params[f"W{i}"] = std * np.random.randn(sizes[i - 1], sizes[i])
            self.params[f"b{i}"] = np.zeros(sizes[i])
        self.blocks = []
        for i in range(1, len(sizes) - 1):
            bn = None
            if use_batchnorm:
                self.params[f"gamma{i}"] = np.ones(sizes[i])
                self.params[f"beta{i}"] = np.zeros(sizes[i])
                bn = BatchNormalization(self.params[f"gamma{i}"], self.params[f"beta{i}"])
            act = Relu() if activation == "relu" else Sigmoid()
            self.blocks.append((Affine(self.params[f"W{i}"], self.params[f"b{i}"]), bn, act))
        n = len(sizes) - 1
        self.head = Affine(self.params[f"W{n}"], self.params[f"b{n}"])
        self.out = SoftmaxWithLoss()

    def predict(self, x, train_flg=False):
        for affine, bn, act in self.blocks:
            x = affine.forward(x)
            if isinstance(bn, BatchNormalization):
                x = bn.forward(x, train_flg=train_flg)
            x = act.forward(x)
        return self.head.forward(x)

    def loss(self, x, t, train_flg=False):
        weights = [affine.W for affine, _, _ in self.blocks] + [self.head.W]
        penalty = self.lam / 2 * sum(np.linalg.norm(w) ** 2 for w in weights)
        return self.out.forward(self.predict(x, train_flg), t) + penalty

    def gradient(self, x, t):
        self.loss(x, t, train_flg=True)
        dout = self.head.backward(self.out.backward(1))
        for affine, bn, act in reversed(self.blocks):
            dout = act.backward(dout)
            if bn is not None:
                dout = bn.backward(dout)
            dout = affine.backward(dout)
        layers = [affine for affine, _, _ in self.blocks] + [self.head]
        grads = {f"W{i}": a.dW + self.lam * a.W for i, a in enumerate(layers, 1)}
        grads.update({f"b{i}": a.db.copy() for i, a in enumerate(layers, 1)})
        for i, (_, bn, _) in enumerate(self.blocks, 1):
            if bn is not None:
                grads[f"gamma{i}"], grads[f"beta{i}"] = bn.dgamma, bn.dbeta
        return grads


if __name__ == "__main__":
    net = MultiLayerNetExtend(784, [100, 100], 10, use_batchnorm=True)
    print(sorted(net.params))
