"""The blame reads the fields the harness sends beside a failure's message, never the message (issue 9).

`blame_imitated_frame.py` raises, in Linear.backward, a RuntimeError whose text imitates the harness's words
for a ValueError raised in Sigmoid.backward of another file ("ValueError: ... (helpers.py line 3, in
Sigmoid.backward: ...)"). Read from the message, the blame named Sigmoid.backward at helpers.py line 3, a file
the submission does not have. The fields name the sample's own line.
"""

from __future__ import annotations

import json
from typing import Any

from hostile_harness import HOSTILE_DIR, grade

SAMPLE = HOSTILE_DIR / "blame_imitated_frame.py"
_RAISING_LINE = 59  # `raise RuntimeError(...)` in the sample's Linear.backward


def test_a_message_imitating_the_harness_moves_no_blame(pool: Any, miniflow_plan: Any) -> None:
    """The Linear unit case errored with the forged text in its message (the control that the imitation
    reached the parent whole); the blame names Linear.backward at the sample's own raising line and nothing
    of helpers.py or Sigmoid."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert "raise RuntimeError" in lines[_RAISING_LINE - 1], "the sample's raising line moved"
    graded = grade(pool, miniflow_plan, SAMPLE)
    unit = next(c for c in graded.report.cases if c.case_id == "linear-unit")
    assert unit.status == "error" and "helpers.py line 3, in Sigmoid.backward" in unit.message, unit.message
    assert unit.raised is not None and unit.raised.place == SAMPLE.name, unit.raised
    said = json.dumps([b.to_dict() for b in graded.report.blame])
    assert f"Linear.backward: raised RuntimeError at {SAMPLE.name} line {_RAISING_LINE}" in said, said
    assert "helpers.py" not in said and "Sigmoid" not in said, said
