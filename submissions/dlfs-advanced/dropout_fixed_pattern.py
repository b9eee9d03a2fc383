# coding: utf-8
# Deep Learning from Scratch 6.4.3 Dropout, written without a random draw: the same units are dropped on
# every call (two of every five, by position), so nothing is random and no seed changes the mask.
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            # 1 = kept, 0 = dropped: a fixed pattern keeping three of every five units
            self.mask = (np.arange(x.size) % 5 >= 2).reshape(x.shape)
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
