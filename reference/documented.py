"""The documented outputs of FACTS.md as cases in the step language, with the printed values.

These are the ground truth that the reference, the torch oracle and the student-facing APIs are tested
against; the fixture builder may use them too. Expected values are the textbook's and course's printed
numbers, never computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class DocumentedCase:
    id: str
    family: str
    source: str
    inputs: Mapping[str, np.ndarray]
    steps: tuple[Mapping[str, Any], ...]
    expected: Mapping[str, Any]  # key -> printed value (list/float) or None/bool
    rtol: float = 1e-7  # the MiniFlow quiz is printed to 6 to 9 significant digits


def _a(x: Any) -> np.ndarray:
    return np.array(x, dtype=np.float64)


def _apply(op: str, args: list[str], out: str, **extra: Any) -> dict[str, Any]:
    return {"do": "apply", "op": op, "args": args, "out": out, **extra}


def _grad(key: str, name: str) -> dict[str, Any]:
    return {"do": "record", "key": key, "grad_of": name}


def _value(key: str, name: str) -> dict[str, Any]:
    return {"do": "record", "key": key, "value_of": name}


_APPLE_STEPS = (
    _apply("MulLayer", ["apple", "apple_num"], "apple_price"),
    _apply("MulLayer", ["apple_price", "tax"], "price"),
    {"do": "backward", "of": "price"},
    _value("price", "price"),
    _grad("dapple", "apple"),
    _grad("dapple_num", "apple_num"),
    _grad("dtax", "tax"),
)

_APPLE_ORANGE_STEPS = (
    _apply("MulLayer", ["apple", "apple_num"], "apple_price"),
    _apply("MulLayer", ["orange", "orange_num"], "orange_price"),
    _apply("AddLayer", ["apple_price", "orange_price"], "all_price"),
    _apply("MulLayer", ["all_price", "tax"], "price"),
    {"do": "backward", "of": "price"},
    _value("price", "price"),
    *(_grad("d" + n, n) for n in ("apple", "apple_num", "orange", "orange_num", "tax")),
)

DOCUMENTED: dict[str, DocumentedCase] = {
    c.id: c
    for c in (
        DocumentedCase(
            "quiz-documented",
            "miniflow",
            "FACTS.md 1: MiniFlow Sigmoid backward quiz",
            {
                "X": _a([[-1.0, -2.0], [-1, -2]]),
                "W": _a([[2.0], [3.0]]),
                "b": _a([-3.0]),
                "y": _a([1, 2]),
            },
            (
                _apply("Linear", ["X", "W", "b"], "f"),
                _apply("Sigmoid", ["f"], "a"),
                _apply("MSE", ["y", "a"], "cost"),
                {"do": "backward", "of": "cost"},
                *(_grad("d" + n, n) for n in ("X", "y", "W", "b")),
            ),
            {
                "dX": [[-3.34017280e-05, -5.01025919e-05], [-6.68040138e-05, -1.00206021e-04]],
                "dy": [[0.9999833], [1.9999833]],
                "dW": [[5.01028709e-05], [1.00205742e-04]],
                "db": [-5.01028709e-05],
            },
        ),
        DocumentedCase(
            "add-twice-documented",
            "dezero",
            "FACTS.md 2: add(x, x), cleargrad, add(add(x, x), x)",
            {"x": _a(2.0)},
            (
                _apply("Add", ["x", "x"], "y"),
                {"do": "backward", "of": "y"},
                _grad("dx_1", "x"),
                {"do": "cleargrad", "of": "x"},
                _apply("Add", ["x", "x"], "t"),
                _apply("Add", ["t", "x"], "y"),
                {"do": "backward", "of": "y"},
                _grad("dx_2", "x"),
            ),
            {"dx_1": 2.0, "dx_2": 3.0},
        ),
        DocumentedCase(
            "diamond-documented",
            "dezero",
            "FACTS.md 2: a = square(x), y = add(square(a), square(a))",
            {"x": _a(2.0)},
            (
                _apply("Square", ["x"], "a"),
                _apply("Square", ["a"], "b"),
                _apply("Square", ["a"], "c"),
                _apply("Add", ["b", "c"], "y"),
                {"do": "backward", "of": "y"},
                _value("y", "y"),
                _grad("dx", "x"),
            ),
            {"y": 32.0, "dx": 64.0},
        ),
        DocumentedCase(
            "sum-of-squares-documented",
            "dezero",
            "FACTS.md 2: z = add(square(x), square(y))",
            {"x": _a(2.0), "y": _a(3.0)},
            (
                _apply("Square", ["x"], "sx"),
                _apply("Square", ["y"], "sy"),
                _apply("Add", ["sx", "sy"], "z"),
                {"do": "backward", "of": "z"},
                _value("z", "z"),
                _grad("dx", "x"),
                _grad("dy", "y"),
            ),
            {"z": 13.0, "dx": 4.0, "dy": 6.0},
        ),
        DocumentedCase(
            "retain-grad-documented",
            "dezero",
            "FACTS.md 2: step 18, t = add(x0, x1), y = add(x0, t)",
            {"x0": _a(1.0), "x1": _a(1.0)},
            (
                _apply("Add", ["x0", "x1"], "t"),
                _apply("Add", ["x0", "t"], "y"),
                {"do": "backward", "of": "y"},
                _grad("dy", "y"),
                _grad("dt", "t"),
                _grad("dx0", "x0"),
                _grad("dx1", "x1"),
            ),
            {"dy": None, "dt": None, "dx0": 2.0, "dx1": 1.0},
        ),
        DocumentedCase(
            "buy-apple-documented",
            "layers",
            "FACTS.md 3: buy apple (DLFS 5.4)",
            {"apple": _a(100.0), "apple_num": _a(2.0), "tax": _a(1.1)},
            _APPLE_STEPS,
            {"price": 220.0, "dapple": 2.2, "dapple_num": 110.0, "dtax": 200.0},
        ),
        DocumentedCase(
            "apple-orange-documented",
            "layers",
            "FACTS.md 3: buy apples and oranges (DLFS 5.5)",
            {
                "apple": _a(100.0),
                "apple_num": _a(2.0),
                "orange": _a(150.0),
                "orange_num": _a(3.0),
                "tax": _a(1.1),
            },
            _APPLE_ORANGE_STEPS,
            {
                "price": 715.0,
                "dapple": 2.2,
                "dapple_num": 110.0,
                "dorange": 3.3,
                "dorange_num": 165.0,
                "dtax": 650.0,
            },
        ),
    )
}
