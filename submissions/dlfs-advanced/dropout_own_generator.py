# coding: utf-8
# Deep Learning from Scratch 6.4.3 Dropout with a generator of the layer's own, seeded once in __init__ for
# reproducible runs (NumPy's recommended np.random.default_rng): every forward draws a new mask from it, as
# from one training step to the next; a new layer starts its generator over.
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5, seed=0):
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.default_rng(seed)
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = self.rng.random(x.shape) > self.dropout_ratio
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
