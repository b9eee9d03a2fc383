"""Helpers of the homework, imported by miniflow.py as a sibling module."""

import numpy as np


def as_column(x):
    return np.reshape(x, (-1, 1))
