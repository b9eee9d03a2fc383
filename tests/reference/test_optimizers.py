"""reference.optimizers, the book's common/optimizer.py rules: proven against torch.optim where torch has the
same rule (each test says how torch's differs in form and why the numbers agree), by hand otherwise."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from reference import optimizers
from reference.optimizers import AdaGrad, Adam, Momentum, Nesterov, RMSprop, run

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(21)
KEYS = ["W1", "b1", "W2"]
PARAMS = [RNG.standard_normal((2, 3)), RNG.standard_normal(3), RNG.standard_normal((3, 2))]
GRADS = [[RNG.standard_normal(p.shape) for p in PARAMS] for _ in range(4)]


def _torch_steps(make, grads=GRADS, before=lambda opt, t: None) -> list[np.ndarray]:
    """torch.optim's optimizer `make(params)` stepped once per entry of grads; the params after."""
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in PARAMS]
    opt = make(params)
    for t, step in enumerate(grads, start=1):
        for p, g in zip(params, step, strict=True):
            p.grad = torch.tensor(g, dtype=torch.float64)
        before(opt, t)
        opt.step()
    return [p.detach().numpy() for p in params]


def _ours(cls, grads=GRADS, **hyper) -> list[np.ndarray]:
    out = run(cls, [*PARAMS, *(g for step in grads for g in step)], keys=KEYS, **hyper)
    return [out[k] for k in KEYS]


def _close(ours, theirs, rtol=1e-13) -> None:
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-15)


def test_the_defaults_are_the_books():
    """common/optimizer.py's constructors: SGD(lr=0.01), Momentum and Nesterov(lr=0.01, momentum=0.9),
    AdaGrad(lr=0.01), RMSprop(lr=0.01, decay_rate=0.99), Adam(lr=0.001, beta1=0.9, beta2=0.999)."""
    defaults = {
        name: {k: p.default for k, p in inspect.signature(cls).parameters.items()}
        for name, cls in optimizers.OPTIMIZERS.items()
    }
    assert defaults == {
        "SGD": {"lr": 0.01},
        "Momentum": {"lr": 0.01, "momentum": 0.9},
        "Nesterov": {"lr": 0.01, "momentum": 0.9},
        "AdaGrad": {"lr": 0.01},
        "RMSprop": {"lr": 0.01, "decay_rate": 0.99},
        "Adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999},
    }


def test_sgd_is_torchs():
    _close(_ours(optimizers.SGD, lr=0.1), _torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.1)))


def test_momentum_is_torchs_sgd_with_momentum_in_its_sign_convention():
    """The book: v = m v - lr g, p += v. torch: buf = m buf + g (buf = g on the first step), p -= lr buf.
    With v = -lr buf the two are one rule at a constant lr (dampening 0)."""
    ours = _ours(Momentum, lr=0.05, momentum=0.8)
    _close(ours, _torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8)))
    # control: the velocity matters (SGD's steps are other numbers)
    assert not np.allclose(ours[0], _ours(optimizers.SGD, lr=0.05)[0])


def test_adagrad_is_torchs_with_the_books_eps():
    """torch: state_sum += g * g, p -= lr g / (sqrt(state_sum) + eps): the book's with eps 1e-7 outside the
    root (torch's default 1e-10; lr_decay 0 and initial_accumulator_value 0 are the book's)."""
    _close(_ours(AdaGrad, lr=0.3), _torch_steps(lambda ps: torch.optim.Adagrad(ps, lr=0.3, eps=1e-7)))


def test_rmsprop_is_torchs_with_alpha_the_decay_rate():
    """torch: sq = alpha sq + (1 - alpha) g * g, p -= lr g / (sqrt(sq) + eps): the book's h with alpha =
    decay_rate and eps 1e-7 outside the root (torch's default 1e-8; not centred, no momentum)."""
    _close(
        _ours(RMSprop, lr=0.02, decay_rate=0.9),
        _torch_steps(lambda ps: torch.optim.RMSprop(ps, lr=0.02, alpha=0.9, eps=1e-7)),
    )


def test_adam_is_torchs_once_torchs_eps_is_placed_where_the_book_puts_it():
    """torch: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps); the book: p -= lr_t * m /
    (sqrt(v) + eps) with lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), that is torch's with eps * sqrt(1 - b2^t) in
    place of eps. Setting torch's eps to 1e-7 / sqrt(1 - b2^t) before each step makes them one rule; with
    torch's eps at 1e-7 (control) they differ, by 3e-6 here where gradient elements are small (0.003,
    0.018): more than the grading tolerance of 1e-6 relative."""

    def book_eps(opt, t):
        opt.param_groups[0]["eps"] = 1e-7 / np.sqrt(1 - 0.99**t)

    ours = _ours(Adam, lr=0.01, beta1=0.8, beta2=0.99)
    _close(ours, _torch_steps(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99)), before=book_eps))
    plain = _torch_steps(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-7))
    assert any(not np.array_equal(a, b) for a, b in zip(ours, plain, strict=True))
    assert max(float(np.abs(a - b).max()) for a, b in zip(ours, plain, strict=True)) > 1e-6


def test_nesterov_is_the_books_worked_by_hand_and_not_torchs():
    """One parameter p = 1, momentum 0.5, lr 0.1, gradients 2 then 4. The book: v1 = -0.2, p1 = 1 + 0.25 *
    -0.2 - 1.5 * 0.2 = 0.65; v2 = 0.5 * -0.2 - 0.4 = -0.5, p2 = 0.65 + 0.25 * -0.5 - 1.5 * 0.4 = -0.075.
    torch's nesterov=True steps by -lr (g + m buf) with buf = m buf + g: p1 = 1 - 0.1 * (2 + 1) = 0.7,
    p2 = 0.7 - 0.1 * (4 + 0.5 * 5) = 0.05: another rule (it uses the velocity before the step where the book
    uses the one after)."""
    out = run(Nesterov, [np.array([1.0]), np.array([2.0]), np.array([4.0])], keys=["p"], lr=0.1, momentum=0.5)
    np.testing.assert_allclose(out["p"], [-0.075], rtol=1e-14)
    one = run(Nesterov, [np.array([1.0]), np.array([2.0])], keys=["p"], lr=0.1, momentum=0.5)
    np.testing.assert_allclose(one["p"], [0.65], rtol=1e-14)
    p = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.5, nesterov=True)
    for g in (2.0, 4.0):
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.05], rtol=1e-14)


def test_adam_worked_by_hand_for_two_steps():
    """p = 1, g = 2 then 1, lr 0.1, beta1 0.5, beta2 0.75. Step 1: m = 1, v = 1, lr_t = 0.1 * sqrt(0.25) /
    0.5 = 0.1, p = 1 - 0.1 * 1 / (1 + 1e-7). Step 2: m = 0.5 + 0.5 = 1, v = 0.75 + 0.25 = 1, lr_t = 0.1 *
    sqrt(1 - 0.5625) / 0.75 = 0.0881917..., p -= lr_t / (1 + 1e-7)."""
    arrays = [np.array([1.0]), np.array([2.0]), np.array([1.0])]
    out = run(Adam, arrays, keys=["p"], lr=0.1, beta1=0.5, beta2=0.75)
    lr2 = 0.1 * np.sqrt(0.4375) / 0.75
    np.testing.assert_allclose(out["p"], [1 - 0.1 / (1 + 1e-7) - lr2 / (1 + 1e-7)], rtol=1e-14)
