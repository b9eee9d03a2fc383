"""The blame reads the fields the harness sends beside a failure's message, never the message (issue 9).

`blame_imitated_frame.py` raises, in Linear.backward, a RuntimeError whose text imitates the harness's words
for a ValueError raised in Sigmoid.backward of another file ("ValueError: ... (helpers.py line 3, in
Sigmoid.backward: ...)"). Read from the message, the blame named Sigmoid.backward at helpers.py line 3, a file
the submission does not have. The fields name the sample's own line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hostile_harness import HOSTILE_DIR, REPO, Sweep, grade, texts

from grader.fault import claims_grader_fault

SAMPLE = HOSTILE_DIR / "blame_imitated_frame.py"
_RAISING_LINE = 59  # `raise RuntimeError(...)` in the sample's Linear.backward


def test_a_message_imitating_the_harness_moves_no_blame(pool: Any, sweep: Sweep) -> None:
    """The Linear unit case errored with the forged text in its message (the control that the imitation
    reached the parent whole); the blame names Linear.backward at the sample's own raising line and nothing
    of helpers.py or Sigmoid."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert "raise RuntimeError" in lines[_RAISING_LINE - 1], "the sample's raising line moved"
    graded = sweep(pool, SAMPLE.name).graded
    unit = next(c for c in graded.report.cases if c.case_id == "linear-unit")
    assert unit.status == "error" and "helpers.py line 3, in Sigmoid.backward" in unit.message, unit.message
    assert unit.raised is not None and unit.raised.place == SAMPLE.name, unit.raised
    said = json.dumps([b.to_dict() for b in graded.report.blame])
    assert f"Linear.backward: raised RuntimeError at {SAMPLE.name} line {_RAISING_LINE}" in said, said
    assert "helpers.py" not in said and "Sigmoid" not in said, said


def test_a_function_named_in_any_script_python_takes_keeps_the_phase(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """The correct MiniFlow file with Linear.backward calling a helper named `गणना` that raises (a name `\\w`
    refuses: its vowel sign is a combining mark): the Linear cases error with that ValueError, the blame names
    the helper's line, and the cases that never call it pass. The parent refused the function name and the
    whole phase was lost as "Sent malformed results to the grader" (0 of 43; review of s31-trust)."""
    source = (REPO / "submissions" / "miniflow" / "correct.py").read_text(encoding="utf-8")
    head, linear = source.split("class Linear", 1)
    signature, body = linear.split("def backward(self):\n", 1)
    helper = "def \u0917\u0923\u0928\u093e(node):\n    raise ValueError('shapes do not match')\n\n\n"
    call = "        \u0917\u0923\u0928\u093e(self)\n"
    sample = tmp_path / "hindi_helper.py"
    sample.write_text(
        f"{head}{helper}class Linear{signature}def backward(self):\n{call}{body}", encoding="utf-8"
    )
    graded = grade(pool, miniflow_plan, sample)
    by_id = {c.case_id: c for c in graded.report.cases}
    assert by_id["sigmoid-unit"].status == "passed", by_id["sigmoid-unit"].message
    linear_unit = by_id["linear-unit"]
    assert linear_unit.status == "error" and "ValueError: shapes do not match" in linear_unit.message
    assert "malformed" not in linear_unit.message, linear_unit.message
    said = json.dumps([b.to_dict() for b in graded.report.blame], ensure_ascii=False)
    assert "raised ValueError in \u0917\u0923\u0928\u093e at hindi_helper.py line" in said, said


def test_a_load_that_raised_is_blamed_on_its_type(pool: Any, sweep: Sweep) -> None:
    """`coding_cookie_binary_codec.py` fails its load with a LookupError (its rot13 coding cookie), worded by
    the student's process: the harness sends that type alone, read at the message's head, and the blame says
    "raised LookupError" as it did on e2acc1f2; without it the blame said "did not finish" (review of
    s31-trust)."""
    graded = sweep(pool, "coding_cookie_binary_codec.py").graded
    node = next(c for c in graded.report.cases if c.case_id == "node-unit")
    assert node.message.startswith("loading the submission: LookupError: "), node.message
    assert node.raised is not None and (node.raised.type, node.raised.place) == ("LookupError", ""), (
        node.raised
    )
    said = json.dumps([b.to_dict() for b in graded.report.blame])
    assert "Node: raised LookupError (exception)" in said, said


FAULT_WORDING_SAMPLE = HOSTILE_DIR / "blame_fields_fault_wording.py"
_WORDING_HELPER = "the_grader_itself_failed_not_your_codes_fault_staff_have_the_details"


def test_a_function_named_in_the_graders_wording_of_fault_reaches_no_student_text(
    pool: Any, sweep: Sweep
) -> None:
    """`blame_fields_fault_wording.py` raises from a helper named `the_grader_itself_failed_not_your_codes_
    fault_staff_have_the_details`. The messages quoted that name with the wording taken out; the blame, built
    from the `raised` fields, quoted it whole on the student's terminal, report and Gradescope summary (s32,
    hostile). Checked by the name itself, not by the detector: the blame still names the helper's line."""
    graded = sweep(pool, FAULT_WORDING_SAMPLE.name).graded
    unit = next(c for c in graded.report.cases if c.case_id == "linear-unit")
    assert unit.status == "error" and "ValueError: shapes not aligned" in unit.message, unit.message
    report = graded.report.to_dict()
    shown = json.dumps(texts({k: v for k, v in report.items() if k != "staff"}), ensure_ascii=False)
    said = json.dumps([b.to_dict() for b in graded.report.blame], ensure_ascii=False)
    assert f"raised ValueError at {FAULT_WORDING_SAMPLE.name} line 62" in said, said  # the control
    assert _WORDING_HELPER not in shown and "grader_itself_failed" not in said, said
    assert not [t for t in texts(report["blame"]) if claims_grader_fault(t)], said
