"""DLFS chapter 6's optimizers, the book's common/optimizer.py rules ("Deep Learning from Scratch", 6.1).

Each class is built with its hyper-parameters (the book's defaults) and `update(params, grads)` changes the
arrays of the `params` dict in place, keeping its state (Momentum's v, AdaGrad's and RMSprop's h, Adam's m, v
and iter) per key, created on the first call. The rules are the book's own, eps included:

- SGD: p -= lr * g
- Momentum: v = momentum * v - lr * g; p += v
- Nesterov (the book's, after arXiv 1212.0901): v = momentum * v - lr * g, then
  p += momentum**2 * v - (1 + momentum) * lr * g, with the v just updated (torch's nesterov=True differs:
  tests/reference/test_optimizers.py)
- AdaGrad: h += g * g; p -= lr * g / (sqrt(h) + 1e-7)
- RMSprop: h = decay_rate * h + (1 - decay_rate) * g * g; p -= lr * g / (sqrt(h) + 1e-7)
- Adam: iter += 1; lr_t = lr * sqrt(1 - beta2**iter) / (1 - beta1**iter);
  m += (1 - beta1) * (g - m); v += (1 - beta2) * (g**2 - v); p -= lr_t * m / (sqrt(v) + 1e-7)

Proven against torch.optim where torch has the same rule, and by hand otherwise
(tests/reference/test_optimizers.py). `run(cls, arrays, keys=..., **hyper)` is what the cases compute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

EPS = 1e-7  # the book's, outside the square root (AdaGrad, RMSprop, Adam)
Arrays = dict[str, np.ndarray]


class SGD:
    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: Arrays, grads: Mapping[str, np.ndarray]) -> None:
        for key in params:
            params[key] -= self.lr * grads[key]


class Momentum:
    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr, self.momentum = lr, momentum
        self.v: Arrays | None = None

    def update(self, params: Arrays, grads: Mapping[str, np.ndarray]) -> None:
        if self.v is None:
            self.v = {key: np.zeros_like(p) for key, p in params.items()}
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class Nesterov:
    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr, self.momentum = lr, momentum
        self.v: Arrays | None = None

    def update(self, params: Arrays, grads: Mapping[str, np.ndarray]) -> None:
        if self.v is None:
            self.v = {key: np.zeros_like(p) for key, p in params.items()}
        m = self.momentum
        for key in params:
            self.v[key] = m * self.v[key] - self.lr * grads[key]
            params[key] += m * m * self.v[key] - (1 + m) * self.lr * grads[key]


class AdaGrad:
    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr
        self.h: Arrays | None = None

    def update(self, params: Arrays, grads: Mapping[str, np.ndarray]) -> None:
        if self.h is None:
            self.h = {key: np.zeros_like(p) for key, p in params.items()}
        for key in params:
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + EPS)


class RMSprop:
    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        self.lr, self.decay_rate = lr, decay_rate
        self.h: Arrays | None = None

    def update(self, params: Arrays, grads: Mapping[str, np.ndarray]) -> None:
        if self.h is None:
            self.h = {key: np.zeros_like(p) for key, p in params.items()}
        for key in params:
            self.h[key] = self.decay_rate * self.h[key] + (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + EPS)


class Adam:
    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m: Arrays | None = None
        self.v: Arrays | None = None

    def update(self, params: Arrays, grads: Mapping[str, np.ndarray]) -> None:
        if self.m is None or self.v is None:
            self.m = {key: np.zeros_like(p) for key, p in params.items()}
            self.v = {key: np.zeros_like(p) for key, p in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for key in params:
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + EPS)


OPTIMIZERS: dict[str, type] = {cls.__name__: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam)}


def calls(
    arrays: Sequence[np.ndarray], keys: Sequence[str], grad_keys: Sequence[str] | None = None
) -> tuple[Arrays, list[dict[str, np.ndarray]]]:
    """A case's args as the optimizer sees them: the params dict (the first len(keys) arrays, float64 copies,
    in the order of `keys`) and one grads dict per update call (the arrays after them, len(keys) a call,
    keyed in the order of `grad_keys`, by default `keys`: the book's MultiLayerNetExtend.gradient returns
    gamma1 and beta1 before W2, which its params hold after every W and b)."""
    n, order = len(keys), list(grad_keys or keys)
    if n == 0 or sorted(order) != sorted(keys) or len(arrays) <= n or (len(arrays) - n) % n:
        raise ValueError(f"{len(arrays)} arrays for keys {list(keys)} and grad_keys {order}")
    params = {key: np.array(a, dtype=np.float64) for key, a in zip(keys, arrays[:n], strict=True)}
    rest = arrays[n:]
    grads = [dict(zip(order, rest[i : i + n], strict=True)) for i in range(0, len(rest), n)]
    return params, grads


def run(
    cls: type,
    arrays: Sequence[np.ndarray],
    *,
    keys: Sequence[str],
    grad_keys: Sequence[str] | None = None,
    **hyper: Any,
) -> Arrays:
    """`cls(**hyper)`, its update(params, grads) called once per grads dict of `calls`: the params after."""
    params, grads = calls(arrays, keys, grad_keys)
    opt = cls(**hyper)
    for g in grads:
        opt.update(params, g)
    return params
