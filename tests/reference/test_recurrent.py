"""reference/recurrent.py's cases and constants: the RNN and LSTM cases of steps 59 and 60."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference.recurrent import SUBLAYERS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dezero"
RECURRENT_OPS = ("RNN", "LSTM")


def _recurrent_cases() -> list[tuple[str, dict, list]]:
    """(id, inputs (name -> spec with a shape), steps) of every stored source and drawn template applying a
    recurrent Layer."""
    found = []
    for step in ("step59", "step60"):
        for case in json.loads((FIXTURES / "sources" / f"{step}.json").read_text())["cases"]:
            found.append((case["id"], case["inputs"], case["steps"]))
    manifest = json.loads((FIXTURES / "manifest.json").read_text())
    for spec in manifest["generated"]:
        steps = spec["template"]["steps"]
        if any(s.get("op") in RECURRENT_OPS for s in steps):
            found.append((spec["id"], spec["inputs"], steps))
    return found


CASES = _recurrent_cases()


def test_every_step59_and_step60_case_is_found():
    """Six stored cases and six drawn templates (docs/STAGES.md): the shape test below sees them all."""
    assert len(CASES) == 12


@pytest.mark.parametrize(("case_id", "inputs", "steps"), CASES, ids=[c[0] for c in CASES])
def test_batch_input_and_hidden_sizes_differ_two_by_two(case_id, inputs, steps):
    """x (N, I) into a Layer of hidden size H (x2h.W (I, H)): with N == I a Linear reading in_size =
    x.shape[0] created W of the right shape and passed (sample dezero/late_book_step60_in_size_axis0/, whose
    LSTM passed every x (2, 2) case); with N == H the RNN's h2h, built from h (N, H), passed the same way."""
    for step in steps:
        if step.get("op") not in RECURRENT_OPS:
            continue
        x, weight = (inputs[name]["shape"] for name in step["args"][:2])
        batch, in_size = x
        assert weight[0] == in_size, case_id
        hidden = weight[1]
        assert len({batch, in_size, hidden}) == 3, f"{case_id}: N {batch}, in {in_size}, hidden {hidden}"


def test_a_non_recursive_params_yields_one_item_per_linear_layer():
    """The book's RNN holds x2h and h2h, its LSTM x2f, x2i, x2o, x2u, h2f, h2i, h2o, h2u (steps 59, 60)."""
    assert SUBLAYERS == {"rnn": 2, "lstm": 8}
