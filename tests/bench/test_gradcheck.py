"""Smoke test of `python -m bench.gradcheck` at small sizes, plus its analytic gradient against torch."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.torch


def test_both_checks_pass_the_right_gradient_and_catch_the_wrong_element(tmp_path, bench_tools):
    """At 10 and 100 parameters: right passes, one element off by 1e-4 fails both, ours names the element."""
    stdout, payload = bench_tools.run(
        "gradcheck", "--sizes", "10,100", "--repeat", "1", json_path=tmp_path / "gradcheck.json"
    )
    bench_tools.assert_well_formed(stdout, payload)
    for row in payload["sizes"]:
        fd, tc = row["finite_difference"], row["torch"]
        assert fd["passed_right"] and tc["passed_right"], row
        assert fd["failed_wrong"] and fd["located"] and tc["failed_wrong"], row
        assert (
            bench_tools.figure(payload, f"both catch one element off by 0.0001, P={row['parameters']}")[
                "value"
            ]
            == 1.0
        )


@pytest.fixture(scope="module")
def gradcheck_module(bench_tools):
    return bench_tools.module("gradcheck")


def test_hand_derived_gradient_matches_torch_autograd(gradcheck_module):
    """The benchmark's analytic dW, db equal torch autograd's (float64) on the same inputs."""
    import torch

    inputs = gradcheck_module.problem(12, seed=5)
    t = {k: torch.tensor(v, requires_grad=k in ("W", "b")) for k, v in inputs.items()}
    cost = ((t["y"] - torch.sigmoid(t["X"] @ t["W"] + t["b"])) ** 2).mean()
    cost.backward()
    ours = gradcheck_module.analytic(inputs)
    np.testing.assert_allclose(ours["dW"], t["W"].grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours["db"], t["b"].grad.numpy(), rtol=1e-12, atol=1e-15)
    # Negative control: a wrong sign would not pass this comparison.
    assert not np.allclose(-ours["dW"], t["W"].grad.numpy())
