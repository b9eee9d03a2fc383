"""Activation helpers shared by miniflow.py (my "platform" of small functions)."""
import numpy as np


def sigmoid(x):
    return 1. / (1. + np.exp(-x))


def sigmoid_prime(s):
    """Derivative of the sigmoid, from its output s."""
    return s * (1 - s)
