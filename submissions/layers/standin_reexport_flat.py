# Negative control: no layer of its own, as a flattened copy of the book would write it. Every required class
# is the grader's stand-in, re-exported from the bare `layers` (by import, by alias, or as an empty subclass),
# so nothing here may earn a point.
import layers
from layers import *  # noqa: F403
from layers import Relu as Relu
from functions import sigmoid, softmax  # noqa: F401

Affine = layers.Affine


class SoftmaxWithLoss(layers.SoftmaxWithLoss):
    pass


class Sigmoid(layers.Sigmoid):
    def forward(self, x):
        return super().forward(x)
