"""The book's test functions for optimization (DeZero steps 24 and 28), as step files define them.

`sphere(x, y)`, `matyas(x, y)`, `goldstein(x, y)` (steps/step24.py) and `rosenbrock(x0, x1)` (steps/step28.py)
are the student's own functions: a case applying one calls it, and a typo in its formula must cost the case
(before, the cases wrote each formula with the student's operators and never called the file's own function:
a goldstein with `- 14 * y` misspelt passed step 24).

The reference computes each as the book writes it, one operator at a time (`19 - 14 * x`: a Python int on the
left, Sub's reflected method), so that a known mistake of an operator (reference/mutations.py: rsub as sub, a
wrong Pow) changes the function as it changes the student's: the judge names the operator, not the formula.
`expand` turns one apply step into those operator steps; the oracles compute the formulas on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Step = dict[str, Any]


@dataclass
class _Formula:
    """Operator steps under a prefix, and the constants they name (each a slot of its own)."""

    prefix: str
    steps: list[Step] = field(default_factory=list)
    constants: dict[str, np.ndarray] = field(default_factory=dict)

    def const(self, value: float) -> str:
        name = f"{self.prefix}.k{value:g}"
        self.constants[name] = np.array(float(value))
        return name

    def _op(self, op: str, args: list[str], **extra: Any) -> str:
        out = f"{self.prefix}.t{len(self.steps) + 1}"
        self.steps.append({"do": "apply", "op": op, "args": args, "out": out, "operator": True, **extra})
        return out

    def binary(self, op: str, a: str | float, b: str | float) -> str:
        """`a op b`, a number on either side as Python sees it (an int when whole, as the book writes)."""
        plain: dict[str, str] = {}
        names = []
        for v in (a, b):
            if isinstance(v, str):
                names.append(v)
            else:
                names.append(self.const(v))
                plain[names[-1]] = "int" if float(v).is_integer() else "float"
        return self._op(op, names, **({"plain": plain} if plain else {}))

    def power(self, a: str, c: int) -> str:
        return self._op("pow", [a], settings={"c": c})


def _sphere(f: _Formula, x: str, y: str) -> str:
    return f.binary("add", f.power(x, 2), f.power(y, 2))  # x ** 2 + y ** 2


def _matyas(f: _Formula, x: str, y: str) -> str:
    # 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y
    t = f.binary("mul", 0.26, f.binary("add", f.power(x, 2), f.power(y, 2)))
    return f.binary("sub", t, f.binary("mul", f.binary("mul", 0.48, x), y))


def _goldstein(f: _Formula, x: str, y: str) -> str:
    # (1 + (x + y + 1)**2 * (19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2)) *
    # (30 + (2*x - 3*y)**2 * (18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))
    b, p = f.binary, f.power
    first = p(b("add", b("add", x, y), 1), 2)
    t = b("sub", 19, b("mul", 14, x))
    t = b("add", t, b("mul", 3, p(x, 2)))
    t = b("sub", t, b("mul", 14, y))
    t = b("add", t, b("mul", b("mul", 6, x), y))
    t = b("add", t, b("mul", 3, p(y, 2)))
    left = b("add", 1, b("mul", first, t))
    second = p(b("sub", b("mul", 2, x), b("mul", 3, y)), 2)
    u = b("sub", 18, b("mul", 32, x))
    u = b("add", u, b("mul", 12, p(x, 2)))
    u = b("add", u, b("mul", 48, y))
    u = b("sub", u, b("mul", b("mul", 36, x), y))
    u = b("add", u, b("mul", 27, p(y, 2)))
    right = b("add", 30, b("mul", second, u))
    return b("mul", left, right)


def _rosenbrock(f: _Formula, x0: str, x1: str) -> str:
    # 100 * (x1 - x0 ** 2) ** 2 + (x0 - 1) ** 2
    t = f.binary("mul", 100, f.power(f.binary("sub", x1, f.power(x0, 2)), 2))
    return f.binary("add", t, f.power(f.binary("sub", x0, 1), 2))


FORMULAS: Mapping[str, Callable[[_Formula, str, str], str]] = {
    "sphere": _sphere,
    "matyas": _matyas,
    "goldstein": _goldstein,
    "rosenbrock": _rosenbrock,
}


@dataclass(frozen=True)
class Expansion:
    steps: tuple[Step, ...]  # operator steps; the last one's out is the function's value
    constants: Mapping[str, np.ndarray]  # the names the steps use for the numbers in the formula


def expand(op: str, args: list[str], out: str) -> Expansion:
    """The operator steps of `out = op(*args)` (op one of FORMULAS), its last step's out renamed `out`."""
    formula = _Formula(prefix=f"{out}.{op}")
    last = FORMULAS[op](formula, *args)
    steps = [dict(s, out=out) if s["out"] == last else s for s in formula.steps]
    return Expansion(tuple(steps), dict(formula.constants))
