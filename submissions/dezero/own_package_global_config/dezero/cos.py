import numpy as np

from dezero.function import Function


class Cos(Function):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        from dezero.sin import sin

        (x,) = self.inputs
        return -sin(x) * gy


def cos(x):
    return Cos()(x)
