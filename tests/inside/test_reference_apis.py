"""The adapters drive the reference engine's student-facing APIs (reference/*.py) to documented outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from inside_helpers import case, job, run_inside

REFERENCE = Path(__file__).resolve().parents[2] / "reference"


def _files(api: str) -> dict[str, str]:
    """The reference package as the sandbox would see it when shipped beside a submission."""
    needed = ["__init__.py", "ops.py", f"{api}.py"]
    if not all((REFERENCE / n).exists() for n in needed):
        pytest.skip(f"reference/{api}.py is not written yet")
    return {f"reference/{n}": (REFERENCE / n).read_text() for n in needed}


def _rec(key: str, of: str) -> dict:
    return {"do": "record", "key": key, "grad_of": of}


def test_reference_miniflow_quiz() -> None:
    """reference/miniflow.py gives the documented Sigmoid-quiz gradients (FACTS.md section 1)."""
    steps = [
        {"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"},
        {"do": "apply", "op": "Sigmoid", "args": ["f"], "out": "a"},
        {"do": "apply", "op": "MSE", "args": ["y", "a"], "out": "cost"},
        {"do": "backward", "of": "cost"},
        _rec("dX", "X"),
        _rec("dy", "y"),
        _rec("dW", "W"),
        _rec("db", "b"),
    ]
    inputs = {"X": [[-1.0, -2.0], [-1, -2]], "W": [[2.0], [3.0]], "b": [-3.0], "y": [1, 2]}
    mods = {"modules": ["reference/miniflow.py"], "required": ["Input", "Linear", "Sigmoid", "MSE"]}
    ran = run_inside(_files("miniflow"), job("miniflow", [case("c", inputs, steps)], **mods))
    np.testing.assert_allclose(
        ran.record("dX"), [[-3.34017280e-05, -5.01025919e-05], [-6.68040138e-05, -1.00206021e-04]], rtol=1e-6
    )
    np.testing.assert_allclose(ran.record("dy"), [[0.9999833], [1.9999833]], rtol=1e-6)
    np.testing.assert_allclose(ran.record("dW"), [[5.01028709e-05], [1.00205742e-04]], rtol=1e-6)
    np.testing.assert_allclose(ran.record("db"), [-5.01028709e-05], rtol=1e-6)


def test_reference_dezero_documented() -> None:
    """reference/dezero.py: sum of squares 13 / 4 / 6 and step-18 retain_grad (FACTS.md 2)."""
    squares = [
        {"do": "apply", "op": "square", "args": ["x"], "out": "a"},
        {"do": "apply", "op": "square", "args": ["y"], "out": "b"},
        {"do": "apply", "op": "add", "args": ["a", "b"], "out": "z"},
        {"do": "backward", "of": "z"},
        {"do": "record", "key": "z", "value_of": "z"},
        _rec("dx", "x"),
        _rec("dy", "y"),
    ]
    retain = [
        {"do": "apply", "op": "add", "args": ["x0", "x1"], "out": "t"},
        {"do": "apply", "op": "add", "args": ["x0", "t"], "out": "y"},
        {"do": "backward", "of": "y"},
        _rec("dy", "y"),
        _rec("dt", "t"),
        _rec("dx0", "x0"),
        _rec("dx1", "x1"),
    ]
    cases = [case("sq", {"x": 2.0, "y": 3.0}, squares), case("rg", {"x0": 1.0, "x1": 1.0}, retain)]
    mods = {"modules": ["reference/dezero.py"], "required": ["Variable", "Function", "Square", "Add"]}
    ran = run_inside(_files("dezero"), job("dezero", cases, **mods))
    assert [ran.record(k, "sq").item() for k in ("z", "dx", "dy")] == [13.0, 4.0, 6.0]
    got = [ran.record(k, "rg") for k in ("dy", "dt", "dx0", "dx1")]
    assert got[:2] == [None, None] and [g.item() for g in got[2:]] == [2.0, 1.0]


def test_reference_layers_buy_apple() -> None:
    """reference/layers.py: buy apple: price 220, dApple 2.2, dApple_num 110, dTax 200 (FACTS.md 3)."""
    steps = [
        {"do": "apply", "op": "MulLayer", "args": ["apple", "apple_num"], "out": "apple_price"},
        {"do": "apply", "op": "MulLayer", "args": ["apple_price", "tax"], "out": "price"},
        {"do": "backward", "of": "price"},
        {"do": "record", "key": "price", "value_of": "price"},
        _rec("dapple", "apple"),
        _rec("dapple_num", "apple_num"),
        _rec("dtax", "tax"),
    ]
    mods = {"modules": ["reference/layers.py"], "required": ["MulLayer", "Relu", "Affine", "SoftmaxWithLoss"]}
    ran = run_inside(
        _files("layers"), job("layers", [case("c", dict(apple=100.0, apple_num=2.0, tax=1.1), steps)], **mods)
    )
    got = [ran.record(k).item() for k in ("price", "dapple", "dapple_num", "dtax")]
    assert got == pytest.approx([220.0, 2.2, 110.0, 200.0], rel=1e-12)
