"""DeZero steps 38 and 39: the cases that call Variable's methods (reshape, transpose, T, sum) are stored,
proven by every oracle, and graded at the stage that adds each method (step38; sum at step40)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from grader import fixtures_tool as ft
from grader.assignments import load_assignment

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "dezero" / "cases"
STEP38 = (
    "step38-reshape-method-documented",
    "step38-transpose-property-documented",
    "reshape-method-graph",
    "transpose-method-graph",
)
STEP40 = ("sum-method-graph",)


def _stored(case: str) -> dict:
    return json.loads((CASES / f"{case}.json").read_text())


def _array(encoded: dict) -> np.ndarray:
    return np.asarray(encoded["data"], dtype=np.float64).reshape(encoded["shape"])


def test_each_method_case_is_graded_from_the_stage_that_adds_the_method():
    a = load_assignment("dezero")
    assert not set(STEP38 + STEP40) & set(a.stage_case_ids("step35"))
    assert set(STEP38) <= set(a.stage_case_ids("step38")) and not set(STEP40) & set(
        a.stage_case_ids("step38")
    )
    for later in ("step40", "step41", "step42"):
        assert set(STEP38 + STEP40) <= set(a.stage_case_ids(later)), later
    assert not set(STEP38 + STEP40) & set(a.stage_case_ids())  # the default stage (step18) is unchanged


def test_every_step_calls_the_method_not_the_function():
    forms = {
        c: [s.get("as_method") for s in _stored(c)["steps"] if s["do"] == "apply"] for c in STEP38 + STEP40
    }
    assert forms == {
        "step38-reshape-method-documented": ["reshape_ints"],
        "step38-transpose-property-documented": ["T"],
        "reshape-method-graph": ["reshape", "reshape_ints"],
        "transpose-method-graph": ["transpose"],
        "sum-method-graph": ["sum"],
    }


def test_the_method_fixtures_are_proven_by_every_oracle():
    result = ft.verify("dezero")
    assert result.ok, result.summary()
    proven = {f.case: f.provenance for f in result.fixtures}
    for case in STEP38 + STEP40:
        assert proven[case]["dx"][-3:] == ("reference", "torch", "finite-difference"), case
    assert proven["step38-reshape-method-documented"]["dx"][0] == "documented"
    assert proven["step38-transpose-property-documented"]["dx"][0] == "documented"


def test_the_stored_values_are_numpys_and_the_books():
    """The book's step 38 prints x.grad as ones of x's shape (2, 3) for y = x.reshape(6) and y = x.T; the
    graphs' values are numpy's reshape, transpose and sum of the inputs, and their gradients gy taken back."""
    for case in ("step38-reshape-method-documented", "step38-transpose-property-documented"):
        stored = _stored(case)
        x = _array(stored["inputs"]["x"])
        np.testing.assert_array_equal(_array(stored["expected"]["dx"]), np.ones((2, 3)))
        y = x.reshape(6) if "reshape" in case else x.T
        np.testing.assert_array_equal(_array(stored["expected"]["y"]), y)
    graph = _stored("reshape-method-graph")
    x, gy = _array(graph["inputs"]["x"]), _array(graph["inputs"]["gy"])
    np.testing.assert_array_equal(_array(graph["expected"]["a"]), x.reshape(3, 2))
    np.testing.assert_array_equal(_array(graph["expected"]["y"]), x.reshape(1, 6))
    np.testing.assert_array_equal(_array(graph["expected"]["dx"]), gy.reshape(2, 3))
    graph = _stored("transpose-method-graph")
    x, gy = _array(graph["inputs"]["x"]), _array(graph["inputs"]["gy"])
    np.testing.assert_array_equal(_array(graph["expected"]["y"]), x.T)
    np.testing.assert_array_equal(_array(graph["expected"]["dx"]), gy.T)
    graph = _stored("sum-method-graph")
    x, gy = _array(graph["inputs"]["x"]), _array(graph["inputs"]["gy"])
    np.testing.assert_allclose(_array(graph["expected"]["y"]), x.sum(axis=0, keepdims=True))
    np.testing.assert_array_equal(_array(graph["expected"]["dx"]), np.broadcast_to(gy, (2, 3)))
