"""A None-expected gradient is credited only when the case's backward set something (grader/judge/vacuous.py).

The case is the book's retain_grad example (DeZero step 18, FACTS.md section 2; the stored fixture
retain-grad-documented): t = add(x0, x1); y = add(x0, t); y.backward(). Without retain_grad the intermediate
gradients y.grad and t.grad are None, and x0.grad, x1.grad print 2.0 and 1.0.
"""

from __future__ import annotations

import numpy as np

from grader.judge import judge_case
from grader.model import Case, CaseOutput, Tolerance

STEPS = (
    {"do": "record", "key": "dy", "grad_of": "y", "label": "y.grad (None without retain_grad)"},
    {"do": "record", "key": "dt", "grad_of": "t", "label": "t.grad (None without retain_grad)"},
    {"do": "record", "key": "dx0", "grad_of": "x0", "label": "gradient of x0"},
    {"do": "record", "key": "dx1", "grad_of": "x1", "label": "gradient of x1"},
)
EXPECTED = {"dy": None, "dt": None, "dx0": np.array(2.0), "dx1": np.array(1.0)}


def _case(steps=STEPS, expected=EXPECTED) -> Case:
    return Case(
        id="retain-grad", name="retain_grad", kind="graph", target=None, inputs={}, steps=steps,
        expected=expected, tolerance=Tolerance(), points=4.0,
    )  # fmt: skip


def _judged(records: dict, case: Case | None = None):
    case = case or _case()
    return judge_case(case, CaseOutput(case.id, "ok", records), None)


def test_a_backward_that_sets_nothing_earns_nothing_for_the_nones() -> None:
    """Every gradient None (a Variable.backward reduced to `return`): dy and dt are None "as expected" but
    fail, saying why; the case earns 0 of 4."""
    result = _judged({"dy": None, "dt": None, "dx0": None, "dx1": None})
    assert result.points == 0.0
    by_key = {c.key: c for c in result.checks}
    assert not by_key["dy"].passed and not by_key["dt"].passed
    assert "no gradient of this case was set (dx0, dx1 are None too)" in by_key["dy"].message


def test_a_backward_that_ran_keeps_its_nones() -> None:
    """Controls: the right answer passes whole; a backward that ran but got dx0 wrong keeps the credit for
    leaving dy and dt alone (3 of 4 checks: 3 points); a case with only None gradients keeps its checks."""
    assert _judged(dict(EXPECTED)).points == 4.0
    wrong = _judged({"dy": None, "dt": None, "dx0": np.array(1.0), "dx1": np.array(1.0)})
    assert wrong.points == 3.0
    assert [c.key for c in wrong.checks if not c.passed] == ["dx0"]
    only_nones = _case(steps=STEPS[:2], expected={"dy": None, "dt": None})
    assert _judged({"dy": None, "dt": None}, only_nones).points == 4.0
