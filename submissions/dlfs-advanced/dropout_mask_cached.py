# coding: utf-8
# Deep Learning from Scratch 6.4.3 Dropout that draws its mask (the book's draw) on the first forward only
# and keeps it: every later training step drops the same units.
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            if self.mask is None:
                self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
