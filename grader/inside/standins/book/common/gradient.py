# mypy: ignore-errors
# (written in the book's own untyped style, as the modules it stands in for)
"""Grader's stand-in for the book's common/gradient.py: central differences, one element at a time."""

import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros(x.shape, dtype=float)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + h
        up = f(x)
        x[idx] = keep - h
        down = f(x)
        x[idx] = keep  # f may read x again later: leave it as it was
        grad[idx] = (up - down) / (2 * h)
    return grad


_numerical_gradient_1d = numerical_gradient
numerical_gradient_1d = numerical_gradient
numerical_gradient_2d = numerical_gradient
