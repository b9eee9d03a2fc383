"""The chapter 6-7 known mistakes of fixtures/dlfs-advanced/ops.py, worked out by hand on tiny inputs, each
beside the right gradient (its negative control): the judge names a mistake only when its values are these."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

OPS = Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "ops.py"


def _ops() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dlfs_advanced_ops", OPS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bn_dgamma_from_centred_sums_the_centred_input_not_the_normalised_one():
    """One feature, x = [0, 4]: mean 2, xc = [-2, 2], var 4, std = sqrt(4 + 1e-6) ~ 2, xn ~ [-1, 1]. With
    dout = [1, 3]: dgamma = sum(xn * dout) ~ -1 + 3 = 2 (right), sum(xc * dout) = -2 + 6 = 4 (the mistake);
    dbeta = 1 + 3 = 4 either way."""
    ops = _ops()
    x, g = np.array([[0.0], [4.0]]), np.array([[1.0], [3.0]])
    gamma, beta = np.ones(1), np.zeros(1)
    y = ops.bn_forward(x, gamma, beta, train_flg=True)
    _, dgamma, dbeta = ops.bn_vjp(g, x, gamma, beta, y=y, train_flg=True)
    _, wrong, wrong_dbeta = ops.bn_dgamma_from_centred(g, x, gamma, beta, y=y, train_flg=True)
    np.testing.assert_allclose(dgamma, [2.0], rtol=1e-6)
    np.testing.assert_allclose(wrong, [4.0], rtol=1e-12)
    np.testing.assert_allclose([dbeta, wrong_dbeta], [[4.0], [4.0]], rtol=1e-12)


def test_conv_dw_not_transposed_puts_each_channel_in_the_wrong_filter():
    """Two filters over two channels, 1x1, one pixel: x = [1, 2] (channels), dout = [3, 5] (filters), so
    dW[f, c] = dout[f] * x[c] = [[3, 6], [5, 10]]. Reshaping np.dot(col.T, dout), (C*FH*FW, FN), to
    (FN, C, FH, FW) without .transpose(1, 0) gives the matrix transposed: [[3, 5], [6, 10]]."""
    ops = _ops()
    x = np.array([1.0, 2.0]).reshape(1, 2, 1, 1)
    w, b = np.zeros((2, 2, 1, 1)), np.zeros(2)
    g = np.array([3.0, 5.0]).reshape(1, 2, 1, 1)
    y = ops.conv_forward(x, w, b, stride=1, pad=0)
    _, dw, _ = ops.conv_vjp(g, x, w, b, y=y, stride=1, pad=0)
    _, wrong, _ = ops.conv_dw_not_transposed(g, x, w, b, y=y, stride=1, pad=0)
    np.testing.assert_allclose(dw.reshape(2, 2), [[3.0, 6.0], [5.0, 10.0]], rtol=1e-12)
    np.testing.assert_allclose(wrong.reshape(2, 2), [[3.0, 5.0], [6.0, 10.0]], rtol=1e-12)
