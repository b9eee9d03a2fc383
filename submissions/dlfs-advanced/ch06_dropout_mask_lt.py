# coding: utf-8
# ch06/dropout.py -- Dropout (6.4.3), typed in from the book
import numpy as np


class Dropout:
    """http://arxiv.org/abs/1207.0580"""
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) < self.dropout_ratio
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


if __name__ == '__main__':
    np.random.seed(0)
    layer = Dropout(0.5)
    x = np.arange(12, dtype=float).reshape(3, 4)
    print(layer.forward(x))
    print(layer.backward(np.ones_like(x)))
    print(layer.forward(x, train_flg=False))
