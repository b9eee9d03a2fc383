"""SoftmaxWithLoss's loss with or without the book's 1e-7 inside the log is right: no case may turn on it.

The book's cross_entropy_error adds 1e-7 to the probabilities before the log; students write the exact
-log(p) (np.log(y) alone, or scipy-free one-hot sums), 1e-8, or 1e-12. The shift of the loss is about
1e-7 / p per sample, so a case decides on it when a true-class probability comes near 0 (FACTS.md section 5)
or near 1 (the loss itself, and with it the relative tolerance, goes to 0). Every stored case and every
generated case of many seeds must give the same records, within the case's tolerance, under each epsilon.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import pytest

import reference.ops
from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.extension import extension_of
from grader.judge.compare import compare
from grader.model import Case
from reference.evaluate import run_case

STUDENT_EPSILONS = (0.0, 1e-12, 1e-8)
# Generated draws are fresh every run: 40 seeds, among them those whose draws used to turn on it (6, 9, 13,
# 15 failed gen-two-layer's loss for a student's exact -log(p) before the draws were bounded). That no seed
# can is test_gen_two_layer_draws_bound_the_true_class_probability's proof; these are its sample (200 seeds
# were 95 s of the suite).
SEEDS = tuple(range(1, 41))
ASSIGNMENTS = ("dlfs-layers", "dlfs-advanced")


def _cross_entropy_cases() -> Iterator[tuple[str, Case]]:
    for assignment_id in ASSIGNMENTS:
        assignment = load_assignment(assignment_id)
        seen: set[str] = set()
        for seed in SEEDS:
            for case in cases_for_run(assignment, seed):
                ops = {str(s.get("op", "")) for s in case.steps}
                if not ops & {"SoftmaxWithLoss", "TwoLayerNet", "SimpleConvNet"}:
                    continue
                if case.generated or case.id not in seen:
                    seen.add(case.id)
                    yield assignment_id, case


@functools.cache
def _cases() -> list[tuple[str, Case]]:
    """Made on first use, not at collection (~400 runs' cases: every collection paid for them)."""
    return list(_cross_entropy_cases())


def test_the_generated_cross_entropy_cases_are_checked() -> None:
    assert sum(c.generated for _, c in _cases()) >= 2 * len(SEEDS)
    assert {"two-layer-graph", "shared-weight-graph"} <= {c.id for _, c in _cases()}


@pytest.mark.parametrize("eps", STUDENT_EPSILONS)
def test_cross_entropy_epsilon_decides_no_case(eps: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference with the student's epsilon gives records the judge passes against the book's."""
    assert reference.ops.CE_EPS == 1e-7  # the book's, from which the expected values come
    monkeypatch.setattr(reference.ops, "CE_EPS", eps)
    failures = []
    for assignment_id, case in _cases():
        extension = extension_of(load_assignment(assignment_id))
        records = run_case("layers", dict(case.inputs), list(case.steps), extension=extension)
        for key, expected in case.expected.items():
            result = compare(records[key], expected, case.tolerance, label=key, method=case.id, key=key)
            if not result.passed:
                failures.append(f"{assignment_id} {case.id}: {result.message}")
    assert not failures, f"{len(failures)} records turn on eps {eps}: {failures[:5]}"


def test_gen_two_layer_draws_bound_the_true_class_probability() -> None:
    """Whatever the seed: bounded draws keep every logit gap small enough that the shift 1e-7 / p of each
    sample's loss stays inside the relative tolerance of that sample's -log p (so of their mean)."""
    assignment = load_assignment("dlfs-layers")
    spec = next(s for s in assignment.generated if s.id == "gen-two-layer")
    ins = spec.inputs
    assert all(ins[k].dist == "uniform" and ins[k].low is None for k in ("x", "W1", "b1", "W2", "b2"))
    n_in, hidden = ins["W1"].shape
    relu_max = n_in * ins["x"].scale * ins["W1"].scale + ins["b1"].scale
    gap = 2 * (hidden * relu_max * ins["W2"].scale + ins["b2"].scale)  # largest logit difference
    classes = ins["W2"].shape[1]
    p_low = 1 / (1 + (classes - 1) * np.exp(gap))
    p_high = np.exp(gap) / (np.exp(gap) + classes - 1)
    rtol = assignment.tolerance.rtol
    for p in np.linspace(p_low, p_high, 1001):
        assert np.log1p(1e-7 / p) < 0.9 * rtol * -np.log(p), f"p {p:.4f} in [{p_low:.4f}, {p_high:.4f}]"
