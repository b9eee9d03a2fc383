# coding: utf-8
# 5.6 Affine/Softmaxレイヤの実装 (common/functions.py は3章・4章で書いたもの)
import sys, os
sys.path.append(os.pardir)  # 親ディレクトリのファイルをインポートするための設定
import numpy as np
from common.functions import softmax, cross_entropy_error


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        out = np.dot(x, self.W) + self.b
        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = dout
        return dx


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None  # 損失
        self.y = None     # softmaxの出力
        self.t = None     # 教師データ（one-hot vector）

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:  # 教師データがone-hot-vectorの場合
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


if __name__ == '__main__':
    x = np.array([[0.3, 2.9, 4.0]])
    t = np.array([[0, 0, 1]])
    layer = SoftmaxWithLoss()
    print(layer.forward(x, t), layer.backward())
