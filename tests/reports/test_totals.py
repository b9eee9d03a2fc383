"""Sums of points: exact, rounded once (grader/reports/report.py `total`)."""

from __future__ import annotations

import random
from fractions import Fraction

from grader.reports.report import total


def test_three_thirds_make_one_point_and_a_tenth_plus_a_fifth_is_three_tenths():
    assert total([1 / 3, 1 / 3, 1 / 3]) == 1.0
    assert total([0.1, 0.2]) == 0.3
    assert total([]) == 0.0


def test_a_total_is_the_exact_sum_of_the_floats_rounded_once():
    # The oracle: the floats added as Fractions (no rounding at all), converted once, rounded as points are.
    rng = random.Random(9)
    for _ in range(2000):
        values = [
            rng.choice((1 / 3, 0.1, 0.7, 2.5, 1e-9, rng.random() * 10)) for _ in range(rng.randint(0, 40))
        ]
        exact = float(sum((Fraction(v) for v in values), Fraction(0)))
        assert total(values) == round(exact, 4) + 0.0
