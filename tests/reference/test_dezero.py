"""reference.dezero: every documented DeZero example, used as a student's dezero module is."""

from __future__ import annotations

import numpy as np
import pytest

from reference.dezero import (
    Config,
    Variable,
    add,
    as_array,
    exp,
    mul,
    no_grad,
    square,
    using_config,
)


def test_add_twice_with_cleargrad():
    """add(x, x) gives x.grad 2; after cleargrad add(add(x, x), x) gives 3 (5 without cleargrad)."""
    x = Variable(np.array(2.0))
    add(x, x).backward()
    assert x.grad == 2.0
    x.cleargrad()
    add(add(x, x), x).backward()
    assert x.grad == 3.0
    add(add(x, x), x).backward()
    assert x.grad == 6.0  # no cleargrad this time: accumulates


def test_diamond_generation_order():
    """a = square(x), y = add(square(a), square(a)) at 2: y 32, x.grad 64; generations 0, 1, 2, 3."""
    x = Variable(np.array(2.0))
    a = square(x)
    b, c = square(a), square(a)
    y = add(b, c)
    y.backward()
    assert (y.data, x.grad) == (32.0, 64.0)
    assert (x.generation, a.generation, b.generation, y.generation) == (0, 1, 2, 3)


def test_sum_of_squares():
    """z = add(square(x), square(y)) at 2, 3: z 13, x.grad 4, y.grad 6."""
    x, y = Variable(np.array(2.0)), Variable(np.array(3.0))
    z = add(square(x), square(y))
    z.backward()
    assert (z.data, x.grad, y.grad) == (13.0, 4.0, 6.0)


@pytest.mark.parametrize(("retain", "kept"), [(False, None), (True, 1.0)])
def test_retain_grad(retain, kept):
    """Step 18: intermediate grads are None unless retain_grad=True; x0.grad 2, x1.grad 1 either way."""
    x0, x1 = Variable(np.array(1.0)), Variable(np.array(1.0))
    t = add(x0, x1)
    y = add(x0, t)
    y.backward(retain_grad=retain)
    assert y.grad == kept and t.grad == kept
    assert (x0.grad, x1.grad) == (2.0, 1.0)


def test_no_grad_and_config():
    """Inside no_grad outputs have no creator; Config is restored afterwards; using_config sets any flag."""
    x = Variable(np.array(3.0))
    with no_grad():
        assert Config.enable_backprop is False
        assert square(x).creator is None
    assert Config.enable_backprop is True
    assert square(x).creator is not None
    with using_config("enable_backprop", False):
        assert exp(x).creator is None


def test_variable_types_and_as_array():
    """Variable accepts None or ndarray only; as_array turns numpy scalars into 0-d arrays."""
    with pytest.raises(TypeError):
        Variable(1.0)
    assert Variable(None).data is None
    out = square(Variable(np.array(3.0)))
    assert isinstance(out.data, np.ndarray) and out.data.shape == ()
    assert isinstance(as_array(np.float64(2.0)), np.ndarray)


def test_exp_and_mul_gradients():
    """exp backward is exp(x) * gy; mul backward gives (gy * x1, gy * x0)."""
    x = Variable(np.array([0.5, -1.0]))
    y = exp(x)
    y.backward()
    np.testing.assert_allclose(x.grad, np.exp([0.5, -1.0]), rtol=1e-15)
    a, b = Variable(np.array(3.0)), Variable(np.array(5.0))
    mul(a, b).backward()
    assert (a.grad, b.grad) == (5.0, 3.0)
