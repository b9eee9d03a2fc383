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


def _polynomial(f: _Formula, x: str, y: str, c: tuple[int, ...]) -> str:
    """`c0 - c1 * x + c2 * x ** 2 + c3 * y - c4 * x * y + c5 * y ** 2`, the signs as given (a negative
    coefficient subtracts its term), left to right as Python evaluates the book's line."""
    b = f.binary
    terms = (lambda k: b("mul", k, x), lambda k: b("mul", k, f.power(x, 2)), lambda k: b("mul", k, y))
    terms += (lambda k: b("mul", b("mul", k, x), y), lambda k: b("mul", k, f.power(y, 2)))
    t: str | float = c[0]
    for k, term in zip(c[1:], terms, strict=True):
        t = b("sub" if k < 0 else "add", t, term(abs(k)))
    assert isinstance(t, str)
    return t


def _goldstein(f: _Formula, x: str, y: str) -> str:
    # (1 + (x + y + 1)**2 * (19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2)) *
    # (30 + (2*x - 3*y)**2 * (18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))
    b, p = f.binary, f.power
    first = p(b("add", b("add", x, y), 1), 2)
    left = b("add", 1, b("mul", first, _polynomial(f, x, y, (19, -14, 3, -14, 6, 3))))
    second = p(b("sub", b("mul", 2, x), b("mul", 3, y)), 2)
    right = b("add", 30, b("mul", second, _polynomial(f, x, y, (18, -32, 12, 48, -36, 27))))
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
