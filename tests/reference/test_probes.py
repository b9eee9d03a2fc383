"""The shared machinery's records (`probe`) and MiniFlow's Input local backward, in both analytic engines:
the reference (expected values) and torch (their proof), against values derived by hand."""

from __future__ import annotations

import numpy as np
import pytest

from grader.oracles.torch_oracle import run_case as torch_run
from reference.evaluate import run_case as reference_run

ENGINES = [pytest.param(reference_run, id="reference"), pytest.param(torch_run, id="torch")]
RNG = np.random.default_rng(15)


def _probe(key: str, probe: str, of: str) -> dict[str, str]:
    return {"do": "record", "key": key, "probe": probe, "of": of}


@pytest.mark.parametrize("run", ENGINES)
def test_dezero_generations_follow_the_book(run):
    """a = add(x0, x1), b = add(a, x0): generations 0, 1, 2 (step 16: an output's is its creator's + 1);
    the function that made b has generation 1 (the largest of its inputs')."""
    inputs = {"x0": RNG.normal(size=(2, 3)), "x1": RNG.normal(size=(2, 3))}
    steps = [
        {"do": "apply", "op": "Add", "args": ["x0", "x1"], "out": "a"},
        {"do": "apply", "op": "Add", "args": ["a", "x0"], "out": "b"},
        _probe("g_x0", "generation", "x0"),
        _probe("g_a", "generation", "a"),
        _probe("g_b", "generation", "b"),
        _probe("f_b", "function_generation", "b"),
    ]
    got = run("dezero", inputs, steps)
    assert [float(got[k]) for k in ("g_x0", "g_a", "g_b", "f_b")] == [0.0, 1.0, 2.0, 1.0]


@pytest.mark.parametrize("run", ENGINES)
def test_dezero_facts_of_variable_and_function(run):
    """Variable(1.0) is refused (step 9), one output comes back alone (step 12), the creator keeps inputs and
    output; under no_grad there is no creator, so nothing is kept (the negative control)."""
    inputs = {"s": np.array(1.0), "x0": RNG.normal(size=(2, 3)), "x1": RNG.normal(size=(2, 3))}
    steps = [
        {"do": "apply", "op": "Add", "args": ["x0", "x1"], "out": "y"},
        {"do": "apply", "op": "Add", "args": ["x0", "x1"], "out": "z", "no_grad": True},
        _probe("rejects", "rejects_float", "s"),
        _probe("alone", "returns_variable", "y"),
        _probe("inputs", "keeps_inputs", "y"),
        _probe("output", "keeps_output", "y"),
        _probe("inputs_no_grad", "keeps_inputs", "z"),
    ]
    got = run("dezero", inputs, steps)
    assert (got["rejects"], got["alone"], got["inputs"], got["output"]) == (True, True, True, True)
    assert got["inputs_no_grad"] is False


def _two_consumers() -> tuple[dict[str, np.ndarray], list[dict]]:
    """X feeding two Linear nodes, each given its upstream gradient G1, G2, then Input.backward on its own."""
    x, w1, w2 = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    g1, g2 = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))
    inputs = {"X": x, "W1": w1, "b1": np.zeros(2), "W2": w2, "b2": np.ones(2), "G1": g1, "G2": g2}
    steps = [
        {"do": "apply", "op": "Linear", "args": ["X", "W1", "b1"], "out": "f1"},
        {"do": "apply", "op": "Linear", "args": ["X", "W2", "b2"], "out": "f2"},
        {"do": "backward_local", "of": "f1", "upstream": "G1"},
        {"do": "backward_local", "of": "f2", "upstream": "G2"},
        {"do": "backward_local", "of": "X"},
        {"do": "record", "key": "dX", "grad_of": "X", "via": "X"},
    ]
    return inputs, steps


@pytest.mark.parametrize("run", ENGINES)
def test_miniflow_input_local_backward_sums_its_consumers(run):
    """X feeds two Linear nodes; each Linear's own backward with G1, G2, then Input.backward alone:
    X's gradient is G1 W1^T + G2 W2^T (the Linear rule, summed over consumers)."""
    inputs, steps = _two_consumers()
    w1, w2, g1, g2 = (inputs[k] for k in ("W1", "W2", "G1", "G2"))
    got = run("miniflow", inputs, [*steps, _probe("inbound", "inbound", "f1")])
    np.testing.assert_allclose(got["dX"], g1 @ w1.T + g2 @ w2.T, rtol=1e-12)
    assert got["inbound"] is True


def test_reference_input_local_backward_with_overwrite_keeps_the_last_consumer():
    """Under the overwrite_in_input mutation (Input.backward assigns), X keeps f2's gradient alone: the value
    the judge matches to name missing_accumulation."""
    from reference.evaluate import run_case

    inputs, steps = _two_consumers()
    w2, g2 = inputs["W2"], inputs["G2"]
    got = run_case("miniflow", inputs, steps, mutation="overwrite_in_input")
    np.testing.assert_allclose(got["dX"], g2 @ w2.T, rtol=1e-12)
