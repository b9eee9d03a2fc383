"""reference.evaluate's backward(create_graph=True) (DeZero steps 32 to 35, reference/graph_vjps.py): the
book's documented numbers, finite differences of the first derivative for every higher one, and the
mistakes of these steps (mutations) giving what a student's code with them gives."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reference.evaluate import run_case

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "dezero" / "sources" / "steps25-35.json"
CASES = {c["id"]: c for c in json.loads(SOURCES.read_text(encoding="utf-8"))["cases"]}


def _inputs(case_id: str, **moved: np.ndarray) -> dict[str, np.ndarray]:
    raw = CASES[case_id]["inputs"]
    arrays = {k: np.array(v["data"], dtype=np.float64).reshape(v["shape"]) for k, v in raw.items()}
    return {**arrays, **moved}


def _run(case_id: str, mutation: str | None = None, **moved: np.ndarray) -> dict:
    return run_case("dezero", _inputs(case_id, **moved), CASES[case_id]["steps"], mutation=mutation)


def test_newton_step33_documented():
    """y = x ** 4 - 2 * x ** 2 at 2: y.backward(create_graph=True) gives 24; gx = x.grad, x.cleargrad(),
    gx.backward() gives 44 (the book's step 33)."""
    records = _run("step33-newton-documented")
    assert (float(records["dx_1"]), float(records["dx_2"])) == (24.0, 44.0)


def test_without_cleargrad_the_second_derivative_accumulates_onto_the_first():
    """The book's warning at step 33: without x.cleargrad() before gx.backward(), x.grad is 24 + 44 = 68. A
    cleargrad that does nothing (mutation no_cleargrad) gives exactly that."""
    records = _run("step33-newton-documented", mutation="no_cleargrad")
    assert float(records["dx_2"]) == 68.0


# The function each higher-order case differentiates, evaluated directly (no engine).
FUNCTIONS = {
    "second-derivative-graph": lambda v: v * v * v + 2.0 / v,
    "sin-higher-order": np.sin,
    "tanh-higher-order": np.tanh,
}


@pytest.mark.parametrize("case_id", sorted(FUNCTIONS))
def test_each_derivative_is_the_central_difference_of_the_one_before(case_id):
    """Elementwise functions: dx_1 is the central difference of the function itself, and dx_k of dx_{k-1}
    (the reference's own, at x + h and x - h), element by element: every higher-order record has an oracle
    besides torch."""
    steps = CASES[case_id]["steps"]
    orders = sum(1 for s in steps if s.get("do") == "record")
    x, h, f = _inputs(case_id)["x"], 1e-5, FUNCTIONS[case_id]
    here, up, down = _run(case_id), _run(case_id, x=x + h), _run(case_id, x=x - h)
    np.testing.assert_allclose(here["dx_1"], (f(x + h) - f(x - h)) / (2 * h), rtol=1e-7, atol=1e-9)
    for k in range(2, orders + 1):
        numeric = (up[f"dx_{k - 1}"] - down[f"dx_{k - 1}"]) / (2 * h)
        np.testing.assert_allclose(here[f"dx_{k}"], numeric, rtol=1e-6, atol=1e-8)


def test_sin_derivatives_cycle_through_cos_and_sin():
    """d/dx sin = cos, then -sin, -cos, sin (step 34), on the case's inputs."""
    x = _inputs("sin-higher-order")["x"]
    records = _run("sin-higher-order")
    for k, want in enumerate((np.cos(x), -np.sin(x), -np.cos(x), np.sin(x)), start=1):
        np.testing.assert_allclose(records[f"dx_{k}"], want, rtol=1e-14, atol=1e-15)


def test_backward_on_data_leaves_the_second_derivative_none():
    """Backward computed with .data (mutation backward_on_data): the first derivative is right, the
    gradient has no graph, so the second backward never reaches x."""
    records = _run("step33-newton-documented", mutation="backward_on_data")
    assert float(records["dx_1"]) == 24.0 and records["dx_2"] is None


def test_cos_sign_flips_the_even_orders_of_cos():
    """Cos.backward without its minus sign (mutation cos_sign): dx_2 is +sin, dx_3 +cos, and dx_4 right
    again (the sign is wrong twice)."""
    x = _inputs("sin-higher-order")["x"]
    records = _run("sin-higher-order", mutation="cos_sign")
    np.testing.assert_allclose(records["dx_1"], np.cos(x), rtol=1e-14)
    np.testing.assert_allclose(records["dx_2"], np.sin(x), rtol=1e-14)
    np.testing.assert_allclose(records["dx_3"], np.cos(x), rtol=1e-14)
    np.testing.assert_allclose(records["dx_4"], np.sin(x), rtol=1e-14)


def test_tanh_from_input_is_wrong_from_the_first_derivative():
    """Tanh.backward from the input (mutation tanh_from_input): 1 - x * x instead of 1 - tanh(x) ** 2."""
    x = _inputs("tanh-higher-order")["x"]
    records = _run("tanh-higher-order", mutation="tanh_from_input")
    np.testing.assert_allclose(records["dx_1"], 1 - x * x, rtol=1e-14)
    np.testing.assert_allclose(records["dx_2"], -2 * x, rtol=1e-14)


def test_an_upstream_gradient_seeds_backward_with_create_graph():
    """`y.grad = u` before y.backward(create_graph=True), as a plain backward takes it (the schema allows
    `upstream` on either; the adapter and the torch oracle set it): x.grad is u * cos(x), and its own
    derivative -u * sin(x) (u a constant, no creator). The reference seeded ones and ignored u."""
    x = np.array([[-1.19, -0.06, 0.35], [0.85, 1.3, -0.4]])
    u = np.array([[2.0, -1.0, 0.5], [3.0, 0.25, -2.0]])
    steps = [
        {"do": "apply", "op": "sin", "args": ["x"], "out": "y"},
        {"do": "backward", "of": "y", "upstream": "u", "create_graph": True},
        {"do": "record", "key": "dx_1", "grad_of": "x"},
        {"do": "grad", "of": "x", "out": "g1"},
        {"do": "cleargrad", "of": "x"},
        {"do": "backward", "of": "g1", "create_graph": True},
        {"do": "record", "key": "dx_2", "grad_of": "x"},
    ]
    records = run_case("dezero", {"x": x, "u": u}, steps)
    np.testing.assert_allclose(records["dx_1"], u * np.cos(x), rtol=1e-12)
    np.testing.assert_allclose(records["dx_2"], -u * np.sin(x), rtol=1e-12)
