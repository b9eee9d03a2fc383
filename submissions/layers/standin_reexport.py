# Negative control: no layer of its own. Every required class is the grader's stand-in, re-exported
# (by import, by alias, or as an empty subclass), so nothing here may earn a point.
import common.layers
from common.layers import *  # noqa: F403
from common.layers import Relu as Relu
from common.functions import sigmoid, softmax  # noqa: F401

Affine = common.layers.Affine


class SoftmaxWithLoss(common.layers.SoftmaxWithLoss):
    pass


class Sigmoid(common.layers.Sigmoid):
    def forward(self, x):
        return super().forward(x)
