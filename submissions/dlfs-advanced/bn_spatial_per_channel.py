# -*- coding: utf-8 -*-
# 6장: 드롭아웃과 배치 정규화 (합성곱 계층 뒤에도 쓸 수 있게 4차원 입력 지원)
# 4차원 입력은 채널별로 정규화한다 (CS231n의 spatial batchnorm 방식)
import numpy as np


class Dropout:
    """드롭아웃: 학습 때 뉴런을 무작위로 삭제"""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization:
    """배치 정규화 (http://arxiv.org/abs/1502.03167)"""

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        self.running_mean = running_mean
        self.running_var = running_var
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        if x.ndim == 4:
            # (N, C, H, W) -> (N*H*W, C): 채널마다 평균과 분산을 구한다
            N, C, H, W = x.shape
            x = x.transpose(0, 2, 3, 1).reshape(-1, C)
            out = self.__forward(x, train_flg)
            return out.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        return self.__forward(x, train_flg)

    def __forward(self, x, train_flg):
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
            # 이동 평균
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            xn = xc / np.sqrt(self.running_var + 10e-7)

        return self.gamma * xn + self.beta

    def backward(self, dout):
        if dout.ndim == 4:
            N, C, H, W = dout.shape
            dout = dout.transpose(0, 2, 3, 1).reshape(-1, C)
            dx = self.__backward(dout)
            return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        return self.__backward(dout)

    def __backward(self, dout):
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
        return dx


if __name__ == '__main__':
    x = np.random.randn(10, 3, 4, 4)
    bn = BatchNormalization(np.ones(3), np.zeros(3))
    y = bn.forward(x)
    print(y.mean(axis=(0, 2, 3)), y.std(axis=(0, 2, 3)))
