# Negative control for the stand-ins: MulLayer and AddLayer are the student's own; every other required
# class borrows the grader's stand-in methods as class attributes (forward = common.layers.Relu.forward):
# no stand-in instance is held and no class is built on one, yet whatever runs is the grader's code, so
# those classes count as missing and earn nothing.
import numpy as np
import common.layers as _book


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


class Relu:
    __init__ = _book.Relu.__init__
    forward = _book.Relu.forward
    backward = _book.Relu.backward


class Sigmoid:
    __init__ = _book.Sigmoid.__init__
    forward = _book.Sigmoid.forward
    backward = _book.Sigmoid.backward


class Affine:
    __init__ = _book.Affine.__init__
    forward = _book.Affine.forward
    backward = _book.Affine.backward


class SoftmaxWithLoss:
    __init__ = _book.SoftmaxWithLoss.__init__
    forward = _book.SoftmaxWithLoss.forward
    backward = _book.SoftmaxWithLoss.backward
