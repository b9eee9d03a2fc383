"""A layer that differs from the book only in a convention constant is right: no case may turn on one.

BatchNormalization's epsilon inside the square root is the book's 10e-7 (1e-6); students write 1e-5 (cs231n,
PyTorch's default), 1e-7, 1e-8 or none at all. Every case that normalises must give the same records, within
its own tolerance, under each of them, as the cross-entropy cases keep the true-class probability away from 0
for the book's 1e-7 inside the log (FACTS.md section 5). The variances in the inputs are what makes it so:
MultiLayerNetExtend's test-time loss divides by 0.1 of each batch variance (its running variance after one
forward), so its cases draw every BatchNorm's input with a batch variance in the hundreds or more.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.extension import extension_of
from grader.judge.compare import compare
from grader.model import Case
from reference import multi_layer_net_extend as mlnx
from reference.evaluate import run_case

STUDENT_EPSILONS = (0.0, 1e-8, 1e-7, 1e-5)
SEEDS = (1, 2, 3, 20261122)
# the ops whose cases normalise: the layer itself and the network of chapter 6 that holds one per hidden layer
NORMALISING_OPS = ("BatchNormalization", "MultiLayerNetExtend")


def _normalising_cases() -> Iterator[Case]:
    assignment = load_assignment("dlfs-advanced")
    seen: set[str] = set()
    for seed in SEEDS:
        for case in cases_for_run(assignment, seed):
            normalises = any(str(s.get("op", "")).startswith(NORMALISING_OPS) for s in case.steps)
            if normalises and (case.generated or case.id not in seen):
                seen.add(case.id)
                yield case


CASES = list(_normalising_cases())


def test_every_normalising_case_is_checked() -> None:
    """The stored BatchNormalization cases and the generated ones of every seed are all here."""
    stored = {c.id for c in CASES if not c.generated}
    assert stored == {
        "batchnorm-train-unit",
        "batchnorm-4d-unit",
        "batchnorm-inference-unit",
        "batchnorm-net-graph",
        "batchnorm-running-stats-unit",
        "multi-layer-net-extend-bn-relu-decay",
        "multi-layer-net-extend-bn-sigmoid-deep-decay",
        "multi-layer-net-extend-bn-no-decay",
    }
    generated = {c.id.rsplit("-", 1)[0] for c in CASES if c.generated}
    assert "multi-layer-net-extend-gen" in generated
    assert sum(c.generated for c in CASES) >= 2 * len(SEEDS)


@pytest.mark.parametrize("eps", STUDENT_EPSILONS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_batchnorm_epsilon_decides_no_case(case: Case, eps: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference with the student's epsilon gives records the judge passes against the book's."""
    extension = extension_of(load_assignment("dlfs-advanced"))
    ops_globals = extension.ops["batchnorm"].forward.__globals__
    assert ops_globals["BN_EPS"] == 10e-7  # the book's, from which the expected values come
    monkeypatch.setitem(ops_globals, "BN_EPS", eps)
    assert mlnx.BN_EPS == 10e-7
    monkeypatch.setattr(mlnx, "BN_EPS", eps)  # the reference MultiLayerNetExtend's, read at each call
    records = run_case("layers", dict(case.inputs), list(case.steps), extension=extension)
    for key, expected in case.expected.items():
        result = compare(records[key], expected, case.tolerance, label=key, method=case.id, key=key)
        assert result.passed, f"{case.id} with eps {eps}: {result.message}"
