# coding: utf-8
# Deep Learning from Scratch 6.4.3 Dropout with the book's draw, whose forward multiplies x in place and
# returns it: the values are right, but the caller's x is changed.
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            x *= self.mask
            return x
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
