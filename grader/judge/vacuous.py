"""A gradient expected to be None earns nothing when the case's backward set no gradient at all.

None is the right answer for a gradient that must not be kept (`y.grad` without `retain_grad`, `x.grad` after
`cleargrad()`), and also what a backward pass that never runs leaves everywhere: a Variable.backward reduced
to `return` would pass those records for free and outscore the starter. So a None-expected gradient passes
only when at least one gradient the same case expects to be set was set (right or wrong: that backward ran and
left this one alone). A case with no gradient expected to be set keeps its None checks as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from grader.judge.per_case import per_case
from grader.judge.results import Check
from grader.model import Case


@per_case
def _expected_gradients(case: Case) -> tuple[tuple[str, ...], frozenset[str]]:
    """(the gradient records expected set, those expected None): of the case alone, read once a run."""
    gradients = {
        str(s["key"]) for s in case.steps if s.get("do") == "record" and "grad_of" in s and "key" in s
    }
    wanted = tuple(sorted(k for k in gradients if k in case.expected and case.expected[k] is not None))
    return wanted, frozenset(k for k in gradients if k in case.expected and case.expected[k] is None)


def without_vacuous_nones(case: Case, records: Mapping[str, Any], checks: Sequence[Check]) -> list[Check]:
    """`checks`, with each passed None-expected gradient failed when no expected-set gradient was set."""
    wanted, nones = _expected_gradients(case)
    if not wanted or not nones or any(records.get(k) is not None for k in wanted):
        return list(checks)
    unset = ", ".join(sorted(wanted))
    return [
        dataclasses.replace(
            c,
            passed=False,
            outcome="missing",
            message=f"{c.method}: {c.label}: None as expected, but no gradient of this case was set ({unset} "
            "are None too): a backward pass that does nothing leaves every gradient None, so this one is "
            "credited once the gradients it must set are",
        )
        if c.key in nones and c.passed
        else c
        for c in checks
    ]
