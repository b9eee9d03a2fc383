"""Functions that change a Variable's shape (steps 37 to 40), each backward undoing its forward's shape."""
import numpy as np

from dezero.function import Function
from dezero.variable import as_variable


def _axes_to_sum(from_shape, to_shape):
    """The axes of `from_shape` that broadcasting added in front or stretched from 1."""
    lead = len(from_shape) - len(to_shape)
    stretched = [lead + i for i, n in enumerate(to_shape) if n == 1 and from_shape[lead + i] != 1]
    return tuple(range(lead)), tuple(stretched)


class Reshape(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape
        return np.reshape(x, self.shape)

    def backward(self, gy):
        return reshape(gy, self.x_shape)


class Transpose(Function):
    def forward(self, x):
        return x.T

    def backward(self, gy):
        return transpose(gy)


class Sum(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        if self.axis is not None and not self.keepdims:
            kept = list(self.x_shape)
            for a in ((self.axis,) if isinstance(self.axis, int) else self.axis):
                kept[a] = 1
            gy = reshape(gy, tuple(kept))
        return broadcast_to(gy, self.x_shape)


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape
        return np.broadcast_to(x, self.shape).copy()

    def backward(self, gy):
        return sum_to(gy, self.x_shape)


class SumTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape
        lead, stretched = _axes_to_sum(x.shape, self.shape)
        y = np.sum(x, axis=stretched, keepdims=True) if stretched else x
        return np.sum(y, axis=lead) if lead else y

    def backward(self, gy):
        return broadcast_to(gy, self.x_shape)


def reshape(x, shape):
    return as_variable(x) if tuple(x.shape) == tuple(shape) else Reshape(shape)(x)


def transpose(x):
    return Transpose()(x)


def sum(x, axis=None, keepdims=False):
    return Sum(axis, keepdims)(x)


def broadcast_to(x, shape):
    return as_variable(x) if tuple(x.shape) == tuple(shape) else BroadcastTo(shape)(x)


def sum_to(x, shape):
    return as_variable(x) if tuple(x.shape) == tuple(shape) else SumTo(shape)(x)
