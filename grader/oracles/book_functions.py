"""The book's test functions for optimization (DeZero steps 24 and 28) as formulas, for the two oracles.

Written once, on tensors (torch_oracle) or batched arrays (finite_diff): the reference computes them operator
by operator instead (reference/optimization_functions.py), so a wrong formula here disagrees with it at build.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _goldstein(x: Any, y: Any) -> Any:
    first = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    return first * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2))


TEST_FUNCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "sphere": lambda x, y: x**2 + y**2,
    "matyas": lambda x, y: 0.26 * (x**2 + y**2) - 0.48 * x * y,
    "goldstein": _goldstein,
    "rosenbrock": lambda x0, x1: 100 * (x1 - x0**2) ** 2 + (x0 - 1) ** 2,
}
