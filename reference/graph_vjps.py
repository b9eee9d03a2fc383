"""DeZero's backward written with Variables (steps 32 to 35), for `backward(create_graph=True)`.

From step 32 each Function's backward computes its gradient with the functions themselves (`gy * cos(x)`,
not `gy * np.cos(x.data)`), so under `create_graph=True` the gradient is a graph of its own that the next
backward walks: the second derivative of step 33, the higher derivatives of sin and tanh (steps 34, 35).
Each entry builds the book's expression, in the book's order of operations, through a `Builder` (the
reference engine's DeZero interpreter), so the numbers come out as the book's do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol


class Builder(Protocol):
    def build(self, cls: str, *args: int, **settings: Any) -> int:
        """Apply DeZero class `cls` to the values in slots `args` with backprop on; the output's slot."""
        ...

    def const(self, value: float, like: int) -> int:
        """A Python number in the book's expression (`1 - y * y`), shaped like the value in slot `like`."""
        ...

    def detached(self, slot: int) -> int:
        """The value in `slot` as a Variable of its own, no creator: what `x.data` is in a backward written
        on ndarrays (`x = self.inputs[0].data`), which a later backward cannot differentiate through."""
        ...


# op -> (builder, upstream gradient slot, input slots, output slot, settings) -> gradient slot per input.
GraphVjp = Callable[[Builder, int, tuple[int, ...], int, Mapping[str, Any]], tuple[int, ...]]


Slots = tuple[int, ...]


def _square(b: Builder, g: int, xs: Slots, y: int, s: Mapping[str, Any]) -> Slots:
    return (b.build("Mul", b.build("Mul", b.const(2.0, xs[0]), xs[0]), g),)  # 2 * x * gy


def _mul(b: Builder, g: int, xs: Slots, y: int, s: Mapping[str, Any]) -> Slots:
    return b.build("Mul", g, xs[1]), b.build("Mul", g, xs[0])  # gy * x1, gy * x0


def _div(b: Builder, g: int, xs: Slots, y: int, s: Mapping[str, Any]) -> Slots:
    x0, x1 = xs
    minus_x0_over_x1_squared = b.build("Div", b.build("Neg", x0), b.build("Pow", x1, c=2.0))
    return b.build("Div", g, x1), b.build("Mul", g, minus_x0_over_x1_squared)  # gy / x1, gy * (-x0 / x1 ** 2)


def _pow(b: Builder, g: int, xs: Slots, y: int, s: Mapping[str, Any]) -> Slots:
    c = float(s.get("c", 2.0))
    return (
        b.build("Mul", b.build("Mul", b.const(c, xs[0]), b.build("Pow", xs[0], c=c - 1)), g),
    )  # c * x ** (c - 1) * gy


def _sin(b: Builder, g: int, xs: Slots, y: int, s: Mapping[str, Any]) -> Slots:
    return (b.build("Mul", g, b.build("Cos", xs[0])),)  # gy * cos(x)


def _cos(b: Builder, g: int, xs: Slots, y: int, s: Mapping[str, Any]) -> Slots:
    return (b.build("Mul", g, b.build("Neg", b.build("Sin", xs[0]))),)  # gy * -sin(x)


def _tanh(b: Builder, g: int, xs: Slots, y: int, s: Mapping[str, Any]) -> Slots:
    # gy * (1 - y * y): from the output, itself a function of x, so the next order differentiates it too
    return (b.build("Mul", g, b.build("Sub", b.const(1.0, y), b.build("Mul", y, y))),)


GRAPH_VJPS: dict[str, GraphVjp] = {
    "square": _square,
    "exp": lambda b, g, xs, y, s: (b.build("Mul", g, y),),  # gy * y
    "add": lambda b, g, xs, y, s: (g, g),
    "mul": _mul,
    "neg": lambda b, g, xs, y, s: (b.build("Neg", g),),
    "sub": lambda b, g, xs, y, s: (g, b.build("Neg", g)),
    "div": _div,
    "pow": _pow,
    "sin": _sin,
    "cos": _cos,
    "tanh": _tanh,
}
