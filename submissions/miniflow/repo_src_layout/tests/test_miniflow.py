from mf import Input, Linear, MSE, Sigmoid, forward_and_backward, topological_sort
import numpy as np
import pytest


def test_sigmoid_quiz():
    X, W, b, y = Input(), Input(), Input(), Input()
    cost = MSE(y, Sigmoid(Linear(X, W, b)))
    feed = {X: np.array([[-1.0, -2.0], [-1, -2]]), W: np.array([[2.0], [3.0]]), b: np.array([-3.0]), y: np.array([1, 2])}
    forward_and_backward(topological_sort(feed))
    assert W.gradients[W].shape == (2, 1)
