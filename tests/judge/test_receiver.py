"""Which layer's backward made a gradient record, read from the shipped dlfs-advanced fixtures' steps (the
cases as the course's networks build them): the layer a bias-sum hint names (grader/judge/diagnose.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.judge.score import _receiver
from grader.model import Case, Tolerance

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "cases"


def _case(case_id: str) -> Case:
    data = json.loads((CASES / f"{case_id}.json").read_text(encoding="utf-8"))
    steps = tuple(data["steps"])
    return Case(case_id, data["name"], data["kind"], data["target"], {}, steps, {}, Tolerance(), 1.0)


def _record(case: Case, key: str) -> dict:
    return next(s for s in case.steps if s.get("do") == "record" and s.get("key") == key)


@pytest.mark.parametrize(
    ("case_id", "key", "layer"),
    [
        ("convolution-unit", "db", "Convolution"),  # a unit case: its own class
        ("simple-conv-net-graph", "db1", "Convolution"),  # built layer by layer: the layer handed b1
        ("simple-conv-net-graph", "db2", "Affine"),
        ("simple-conv-net-gradient", "db1", "Convolution"),  # built whole: the book's network's layer
        ("simple-conv-net-gradient", "db2", ""),  # an Affine's: the family's default, no name of its own
    ],
)
def test_the_record_names_the_layer_that_made_it(case_id: str, key: str, layer: str) -> None:
    case = _case(case_id)
    assert _receiver(case, _record(case, key)) == layer
