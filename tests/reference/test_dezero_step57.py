"""DeZero step 57's ops (im2col, conv2d, pooling): the reference equals torch autograd in float64 (unfold,
conv2d, max_pool2d) and central finite differences, and each mistake a student's step 57 makes, written out
here beside the right code (its negative control), disagrees with torch. No case grades them yet."""

from __future__ import annotations

import numpy as np
import pytest

from reference.ops import OPS

torch = pytest.importorskip("torch")
F = torch.nn.functional

RNG = np.random.default_rng(57)
X = RNG.normal(size=(2, 3, 5, 6))
W = RNG.normal(size=(4, 3, 3, 2))
B = RNG.normal(size=(4,))
DISTINCT = RNG.permutation(2 * 3 * 6 * 7).reshape(2, 3, 6, 7) / 10.0  # no tie inside a window


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def _torch_im2col(x: torch.Tensor, kernel: tuple[int, int], stride: int, pad: int) -> torch.Tensor:
    """DeZero's to_matrix layout: rows (n, oh, ow), columns (c, kh, kw); unfold gives (N, C*KH*KW, L)."""
    cols = F.unfold(x, kernel, padding=pad, stride=stride)
    return cols.transpose(1, 2).reshape(-1, cols.shape[1])


def _torch(setting: int | list[int]) -> int | tuple[int, ...]:
    """A setting as torch takes it: a pair (a list in JSON) as a tuple."""
    return tuple(setting) if isinstance(setting, list) else setting


# Strides leaving a remainder (rows or columns no window reaches: 5 + 2 - 3 = 4 by 3), pads as a pair
_UNEVEN = [(3, 1), ([2, 3], [1, 0]), (2, [0, 1])]


@pytest.mark.parametrize(
    ("kernel", "stride", "pad"),
    [((3, 3), 1, 0), ((3, 2), 2, 1), ((2, 2), 1, 1), *(((3, 2), s, p) for s, p in _UNEVEN)],
)
def test_im2col_and_its_gradient_equal_torch_unfold(kernel, stride, pad):
    """Values in DeZero's (N*OH*OW, C*KH*KW) layout, and Col2im's gradient adding overlapping windows."""
    tx = _t(X)
    cols = F.unfold(tx, kernel, padding=_torch(pad), stride=_torch(stride))
    want = cols.transpose(1, 2).reshape(-1, cols.shape[1])
    g = RNG.normal(size=tuple(want.shape))
    want.backward(torch.tensor(g))
    op = OPS["im2col"]
    y = op.forward(X, kernel_size=list(kernel), stride=stride, pad=pad)
    np.testing.assert_allclose(y, want.detach().numpy(), rtol=1e-15)
    (gx,) = op.vjp(g, X, y=y, kernel_size=list(kernel), stride=stride, pad=pad)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("stride", "pad"), [(1, 0), (2, 1), ([2, 1], 1), *_UNEVEN])
def test_conv2d_and_its_gradients_equal_torch(stride, pad):
    """conv2d(x, W, b, stride, pad): value, gx, gW, gb against torch's conv2d (a cross-correlation too)."""
    tx, tw, tb = _t(X), _t(W), _t(B)
    want = F.conv2d(tx, tw, tb, stride=_torch(stride), padding=_torch(pad))
    g = RNG.normal(size=tuple(want.shape))
    want.backward(torch.tensor(g))
    op = OPS["conv2d"]
    y = op.forward(X, W, B, stride=stride, pad=pad)
    np.testing.assert_allclose(y, want.detach().numpy(), rtol=1e-12, atol=1e-12)
    grads = op.vjp(g, X, W, B, y=y, stride=stride, pad=pad)
    for got, t in zip(grads, (tx, tw, tb), strict=True):
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("kernel", "stride"), [(2, 2), (3, 1), ((3, 2), 2)])
def test_pooling_and_its_gradient_equal_torch_max_pool(kernel, stride):
    """Max pooling without padding (the book pads with zeros, torch with -inf: no case pads a pooling):
    the value and the gradient routed to each window's maximum, overlapping windows (stride 1) adding."""
    tx = _t(DISTINCT)
    want = F.max_pool2d(tx, kernel, stride=stride)
    g = RNG.normal(size=tuple(want.shape))
    want.backward(torch.tensor(g))
    op = OPS["dezero_pooling"]
    settings = {"kernel_size": list(kernel) if isinstance(kernel, tuple) else kernel, "stride": stride}
    y = op.forward(DISTINCT, **settings)
    np.testing.assert_allclose(y, want.detach().numpy(), rtol=1e-15)
    (gx,) = op.vjp(g, DISTINCT, y=y, **settings)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize(("kernel", "stride", "pad"), [(2, 2, 1), (3, 2, [1, 0]), ([3, 2], [2, 3], [0, 1])])
def test_padded_pooling_and_its_gradient_equal_torch_on_the_zero_padded_input(kernel, stride, pad):
    """A padded pooling, as the book pads (zeros; torch's own padding is -inf): torch's max_pool2d of the
    input zero-padded by F.pad, on negative values so a window at the edge takes the padding's 0 (and its
    gradient goes nowhere); strides leaving a remainder. gx is the padded input's gradient, cropped."""
    negative = -(DISTINCT + 0.1)
    (ph, pw) = _torch(pad) if isinstance(pad, list) else (pad, pad)
    tp = _t(negative)
    padded = F.pad(tp, (pw, pw, ph, ph))  # zeros
    want = F.max_pool2d(padded, _torch(kernel), stride=_torch(stride))
    g = RNG.normal(size=tuple(want.shape))
    want.backward(torch.tensor(g))
    assert (want.detach().numpy() == 0).any()  # some window took the padding: the case is tested
    op = OPS["dezero_pooling"]
    settings = {"kernel_size": kernel, "stride": stride, "pad": pad}
    y = op.forward(negative, **settings)
    np.testing.assert_allclose(y, want.detach().numpy(), rtol=1e-15)
    (gx,) = op.vjp(g, negative, y=y, **settings)
    np.testing.assert_allclose(gx, tp.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize("k", [2, 2.0, np.int64(2), [2, 2.0], (np.int32(2), 2)])
def test_a_whole_number_of_any_type_is_a_size_to_the_reference_and_the_torch_oracle(k):
    """DeZero's pair(k): 2.0 (JSON) and numpy's integers read as 2; the torch oracle took np.int64(2) for a
    pair and raised on 2.0 (review of s24-dz48, finding 7). 1.5 is no size: both raise."""
    from grader.oracles.torch_oracle import TORCH_OPS

    want = OPS["im2col"].forward(X, kernel_size=2, stride=2, pad=1)
    np.testing.assert_array_equal(OPS["im2col"].forward(X, kernel_size=k, stride=k, pad=1), want)
    with torch.no_grad():
        got = TORCH_OPS["im2col"](_t(X), kernel_size=k, stride=k, pad=1).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-15)
    with pytest.raises(ValueError, match="whole number"):
        OPS["im2col"].forward(X, kernel_size=1.5)
    with pytest.raises(ValueError, match="whole number"), torch.no_grad():
        TORCH_OPS["im2col"](_t(X), kernel_size=1.5)


def _col2im_assigned(g: np.ndarray, x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """A student's Col2im writing `img[...] = col[...]` instead of `+=`: overlapping windows keep one."""
    n, c, h, w = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    rows = g.reshape(n, oh, ow, c, kh, kw)
    img = np.zeros_like(x)
    for a in range(oh):
        for b in range(ow):
            img[:, :, a : a + kh, b : b + kw] = rows[:, a, b]
    return img


def _pool_grad_spread(g: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    """A student's pooling backward spreading gy over the whole window (average pooling's), not its max."""
    gx = np.zeros_like(x)
    for a in range(g.shape[2]):
        for b in range(g.shape[3]):
            gx[:, :, a * k : a * k + k, b * k : b * k + k] += g[:, :, a, b, None, None] / (k * k)
    return gx


def test_the_known_mistakes_of_step_57_disagree_with_torch():
    """Negative controls: col2im assigning instead of adding, a pooling gradient spread over the window, and
    conv2d's gW from one sample (no sum over the batch) each differ from torch where the reference agrees."""
    tx = _t(X)
    cols = _torch_im2col(tx, (3, 3), 1, 0)
    g = RNG.normal(size=tuple(cols.shape))
    cols.backward(torch.tensor(g))
    assert not np.allclose(_col2im_assigned(g, X, 3, 3), tx.grad.numpy())
    np.testing.assert_allclose(OPS["im2col"].vjp(g, X, y=None, kernel_size=3)[0], tx.grad.numpy(), atol=1e-12)

    tp = _t(DISTINCT)
    pooled = F.max_pool2d(tp, 2, stride=2)
    gp = RNG.normal(size=tuple(pooled.shape))
    pooled.backward(torch.tensor(gp))
    assert not np.allclose(_pool_grad_spread(gp, DISTINCT, 2), tp.grad.numpy())

    tw = _t(W)
    out = F.conv2d(_t(X), tw, None)
    gc = RNG.normal(size=tuple(out.shape))
    out.backward(torch.tensor(gc))
    y = OPS["conv2d"].forward(X[:1], W, np.zeros(4))
    one_sample = OPS["conv2d"].vjp(gc[:1], X[:1], W, np.zeros(4), y=y)[1]
    assert not np.allclose(one_sample, tw.grad.numpy())


def test_the_torch_oracle_computes_step_57_as_the_reference():
    """grader/oracles/torch_oracle.py's im2col, conv2d and pooling (for the fixtures of a later stage) give
    the reference's values; a padded pooling is refused (torch pads with -inf, DeZero with zeros)."""
    from grader.oracles.torch_oracle import TORCH_OPS

    with torch.no_grad():
        cols = TORCH_OPS["im2col"](_t(X), kernel_size=[3, 2], stride=2, pad=1).numpy()
        conv = TORCH_OPS["conv2d"](_t(X), _t(W), _t(B), stride=[2, 1], pad=1).numpy()
        pool = TORCH_OPS["dezero_pooling"](_t(DISTINCT), kernel_size=3, stride=1).numpy()
    want = OPS["im2col"].forward(X, kernel_size=[3, 2], stride=2, pad=1)
    np.testing.assert_allclose(cols, want, rtol=1e-15)
    np.testing.assert_allclose(conv, OPS["conv2d"].forward(X, W, B, stride=[2, 1], pad=1), atol=1e-12)
    pooled = OPS["dezero_pooling"].forward(DISTINCT, kernel_size=3, stride=1)
    np.testing.assert_allclose(pool, pooled, rtol=1e-15)
    with pytest.raises(ValueError, match="without padding"):
        TORCH_OPS["dezero_pooling"](_t(DISTINCT), kernel_size=2, pad=1)
