# coding: utf-8
# Deep Learning from Scratch 6.4.3 Dropout written without a random draw: the units dropped are a fixed
# pattern (dropout_ratio of every ten, by position) stepped on by one unit at every call through a counter
# shared by every Dropout, so each call drops other units, yet nothing is drawn and no seed changes them.
import numpy as np


class Dropout:
    calls = 0  # class-level: moves on at every forward of any Dropout while training

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            Dropout.calls += 1
            keep = (np.arange(x.size) + Dropout.calls) % 10 >= 10 * self.dropout_ratio
            self.mask = keep.reshape(x.shape)
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
