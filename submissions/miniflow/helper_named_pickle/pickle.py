"""Math helpers copied out of the lesson notes."""
import numpy as np


def sigmoid(x):
    """The logistic function, elementwise."""
    return 1. / (1. + np.exp(-x))


def sigmoid_prime(s):
    """Derivative of the sigmoid written with its output: s * (1 - s)."""
    return s * (1 - s)
