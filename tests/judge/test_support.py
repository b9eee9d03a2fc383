"""mistake_support() and ranked(): the mistake that explains the submission names an ambiguous record."""

from __future__ import annotations

import numpy as np

from grader.judge.support import mistake_support, ranked
from grader.model import Case, Tolerance


def _case(cid, expected, known):
    return Case(
        id=cid,
        name=cid,
        kind="behaviour",
        target=None,
        inputs={},
        steps=(),
        expected={k: np.array(v) for k, v in expected.items()},
        tolerance=Tolerance(),
        points=1.0,
        known_mistakes={
            m: {k: None if v is None else np.array(v) for k, v in r.items()} for m, r in known.items()
        },
    )


# Values from FACTS.md and reference/mutations.py: add(x, x) gives 1 under both mistakes; add(square(x),
# square(y)) at (2, 3) leaves y.grad None only when Add.backward returns one gradient.
ADD_TWICE = _case("add-twice", {"dx": 2.0}, {"overwrite": {"dx": 1.0}, "add_one": {"dx": 1.0}})
SUM_OF_SQUARES = _case("sum-of-squares", {"dy": 6.0}, {"add_one": {"dy": None}})


def test_support_counts_explained_minus_contradicted_records():
    """An Add that returns one gradient explains both cases (+2); the overwrite mistake explains one (+1).
    A student who only overwrote is right on sum-of-squares, which counts against add_one (1 - 1 = 0)."""
    add_one_student = [(ADD_TWICE, {"dx": np.array(1.0)}), (SUM_OF_SQUARES, {"dy": None})]
    assert mistake_support(add_one_student) == {"overwrite": 1, "add_one": 2}
    overwrite_student = [(ADD_TWICE, {"dx": np.array(1.0)}), (SUM_OF_SQUARES, {"dy": np.array(6.0)})]
    assert mistake_support(overwrite_student) == {"overwrite": 1, "add_one": 0}


def test_unrelated_or_absent_records_count_for_nothing():
    """A record no mistake reproduces, or one the run never produced, leaves support at zero."""
    assert mistake_support([(ADD_TWICE, {"dx": np.array(7.0)})]) == {}
    assert mistake_support([(ADD_TWICE, {})]) == {}


def test_ranked_orders_by_support_then_keeps_registry_order():
    """Higher support first; ties keep the order they came in (the registry's)."""
    known = {"a": 1.0, "b": 2.0, "c": 3.0}
    assert list(ranked(known, {"c": 2, "b": 2})) == ["b", "c", "a"]
    assert list(ranked(known, {})) == ["a", "b", "c"]
