"""Which layer's backward made a gradient record, read from the shipped dlfs-advanced (and dlfs-layers)
fixtures' steps (the cases as the course's networks build them): the layer a bias-sum hint names
(grader/judge/diagnose.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.judge.score import _receiver
from grader.model import Case, Tolerance

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "cases"


def _case(case_id: str) -> Case:
    assignment, _, case_id = case_id.rpartition("/")
    cases = CASES.parents[1] / assignment / "cases" if assignment else CASES
    data = json.loads((cases / f"{case_id}.json").read_text(encoding="utf-8"))
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
        ("simple-conv-net-gradient", "db2", "Affine"),  # an Affine's in the book's network
        ("dlfs-layers/two-layer-net-gradient", "dW1", "Affine"),  # chapter 5's network: Affine layers
        # chapter 4's network (TwoLayerNet.chapter4): its gradient is written from the formulas, no Affine
        ("dlfs-layers/ch04-two-layer-net-gradient", "db1", ""),
        # chapter 6's networks built whole: their Affine layers, MultiLayerNetExtend's BatchNormalization for
        # gamma and beta (was the network itself: "the bias's sum in MultiLayerNet.backward", no such method)
        ("multi-layer-net-relu", "db1", "Affine"),
        ("multi-layer-net-deep-relu-decay", "db4", "Affine"),
        ("multi-layer-net-extend-bn-no-decay", "db2", "Affine"),
        ("multi-layer-net-extend-bn-no-decay", "dgamma1", "BatchNormalization"),
        ("multi-layer-net-extend-bn-no-decay", "dbeta2", "BatchNormalization"),
    ],
)
def test_the_record_names_the_layer_that_made_it(case_id: str, key: str, layer: str) -> None:
    """The layer whose backward made the record, or "" where the case builds no graded layer."""
    case = _case(case_id)
    assert _receiver(case, _record(case, key)) == layer
