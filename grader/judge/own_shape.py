"""A gradient in the shape of the value it belongs to is accepted beside the reference's shape.

MiniFlow's MSE reshapes y and a to columns and hands back (m, 1) gradients whatever their shape, so the
course's printed gradient of a y fed as (m,) is (m, 1) (FACTS.md 1). A student's MSE that gives each input a
gradient of its own shape (`.reshape(y.value.shape)`) is right by the rule the hints teach ("a gradient has
the shape of the value it belongs to"), and was told to "keep the shape (2, 1)" (sample
submissions/miniflow/mse_grad_own_shape.py). A record of the gradient of an input whose got value has that
input's shape, where the answer differs from it only by axes of length 1, is compared in that shape. Any
other shape still fails: a bias gradient kept with keepdims=True, (1, n) for b of shape (n,), is not b's
shape (layers/affine_db_keepdims.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def expected_in_own_shape(inputs: Mapping[str, Any], step: Mapping[str, Any], got: Any, expected: Any) -> Any:
    """`expected` reshaped to `got`'s shape when `got` has the shape of the input the record is the gradient
    of and the two shapes differ only by axes of length 1; else `expected` unchanged."""
    of = step.get("grad_of")
    fed = inputs.get(of) if isinstance(of, str) else None
    if not (isinstance(got, np.ndarray) and isinstance(expected, np.ndarray) and isinstance(fed, np.ndarray)):
        return expected
    if got.shape != fed.shape or got.shape == expected.shape or got.size != expected.size:
        return expected
    if _squeezed(got.shape) != _squeezed(expected.shape):
        return expected
    return expected.reshape(got.shape)


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)
