# -*- coding: utf-8 -*-
"""第6章: Dropout 和 Batch Normalization

MultiLayerNetExtend 里只传 gamma 和 beta: BatchNormalization(gamma, beta)，
所以构造函数里不要 running_mean / running_var 参数，第一次 forward 时再初始化。
"""
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            # 随机删除神经元
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        # 测试时乘以保留的比例
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        # 测试时用的均值和方差（第一次 forward 时初始化）
        self.running_mean = None
        self.running_var = None
        # backward 时用的中间数据
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        if x.ndim != 2:
            x = x.reshape(x.shape[0], -1)

        if self.running_mean is None:
            D = x.shape[1]
            self.running_mean = np.zeros(D)
            self.running_var = np.zeros(D)

        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + 10e-7)
            xn = xc / std

            self.batch_size = x.shape[0]
            self.xc = xc
            self.xn = xn
            self.std = std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            # 测试时也用这个 batch 自己的均值和方差
            xc = x - x.mean(axis=0)
            xn = xc / np.sqrt(np.mean(xc ** 2, axis=0) + 10e-7)

        out = self.gamma * xn + self.beta
        return out.reshape(*self.input_shape)

    def backward(self, dout):
        if dout.ndim != 2:
            dout = dout.reshape(dout.shape[0], -1)

        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size

        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx.reshape(*self.input_shape)
