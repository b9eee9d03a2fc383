# coding: utf-8
# 5.5 活性化関数レイヤの実装 (Relu と Sigmoid)
# 5.6 の Affine / Softmax はまだ
# (negative control: Relu.backward masks where dout <= 0 instead of where x <= 0)
import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0

        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[dout <= 0] = 0  # mask from dout, not from x

        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out

        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out

        return dx


if __name__ == '__main__':
    x = np.array( [[1.0, -0.5], [-2.0, 3.0]] )
    print(x)
    mask = (x <= 0)
    print(mask)

    relu = Relu()
    print(relu.forward(x))
    print(relu.backward(np.ones_like(x)))

    sigmoid = Sigmoid()
    print(sigmoid.forward(x))
    print(sigmoid.backward(np.ones_like(x)))
