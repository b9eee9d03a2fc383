# coding: utf-8
# layer_naive.py -- 5.4 の乗算レイヤと加算レイヤ
# 5.5 の Relu / Sigmoid は試し書き: `python layer_naive.py` で実行したときだけ定義する
# (import されたときは定義しない)
import numpy as np


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        dx = dout * self.y  # x と y をひっくり返す
        dy = dout * self.x
        return dx, dy


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        dx = dout * 1
        dy = dout * 1
        return dx, dy


if __name__ != '__main__':
    pass  # モジュールとして読み込まれたとき
else:
    class Relu:
        def __init__(self):
            self.mask = None

        def forward(self, x):
            self.mask = (x <= 0)
            out = x.copy()
            out[self.mask] = 0
            return out

        def backward(self, dout):
            dout[self.mask] = 0
            dx = dout
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

    apple = 100
    apple_num = 2
    tax = 1.1

    mul_apple_layer = MulLayer()
    mul_tax_layer = MulLayer()

    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)
    print("price:", int(price))

    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    print("dApple:", dapple, "dApple_num:", int(dapple_num), "dTax:", dtax)

    relu = Relu()
    print(relu.forward(np.array([[1.0, -0.5], [-2.0, 3.0]])))
