# TwoLayerNet with `lambda` misspelt: the file does not compile, so TwoLayerNet never exists.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from layers import Affine, Relu, SoftmaxWithLoss


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size):
        self.params = {"W1": np.zeros((input_size, hidden_size)), "b1": np.zeros(hidden_size)}

    def numerical_gradient(self, x, t):
        loss_W = lamdba W: self.loss(x, t)
        return loss_W
