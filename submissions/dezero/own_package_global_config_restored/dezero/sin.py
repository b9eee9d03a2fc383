import numpy as np

from dezero.function import Function


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        from dezero.cos import cos  # sin and cos use each other

        (x,) = self.inputs
        return cos(x) * gy


def sin(x):
    return Sin()(x)
