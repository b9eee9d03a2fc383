# coding: utf-8
# 6章 ドロップアウトとバッチ正規化 (PyTorch の nn.Module のように train() / eval() でモードを切り替える)
import numpy as np


class Layer:
    """学習モードとテストモードを self.training で持つ基底クラス"""

    def __init__(self):
        self.training = True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.trainning = False  # typo: never switches
        return self


class Dropout(Layer):
    def __init__(self, dropout_ratio=0.5):
        super().__init__()
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x):
        if self.training:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        # テスト時は消去した割合を掛けて出力する
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization(Layer):
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        super().__init__()
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        # テスト時に使用する平均と分散
        self.running_mean = running_mean
        self.running_var = running_var
        # backward時に使用する中間データ
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x):
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])

        if self.training:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + 10e-7)
            xn = xc / std
            self.batch_size = x.shape[0]
            self.xc, self.xn, self.std = xc, xn, std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + 10e-7)

        out = self.gamma * xn + self.beta
        return out.reshape(*self.input_shape)

    def backward(self, dout):
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


class MultiLayerNetExtend:
    """Affine - BatchNorm - Relu - Dropout ... のネットワーク (層は common.layers のもの)"""

    def __init__(self, layers, last_layer):
        self.layers = layers
        self.last_layer = last_layer

    def predict(self, x, train_flg=False):
        for layer in self.layers:
            if isinstance(layer, Layer):
                layer.train() if train_flg else layer.eval()
            x = layer.forward(x)
        return x

    def loss(self, x, t, train_flg=False):
        y = self.predict(x, train_flg)
        return self.last_layer.forward(y, t)
