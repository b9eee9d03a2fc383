"""The exception a failure states, as fields: their shape checked, their file and line against the job's."""

from __future__ import annotations

import base64

import pytest

from grader.fault import REMOVED, claims_grader_fault
from grader.inside import cells
from grader.model import Raised
from grader.sandbox.raised import JobFiles, shaped


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


NOTEBOOK = "\n".join(
    [cells.header("hw.ipynb"), cells.marker(1), "import numpy as np", cells.marker(2), "x = 1"]
)
JOB = {
    "student": {
        "files": {"nn.py": _b64("a = 1\nb = 2\nc = 3\n"), "hw.py": _b64(NOTEBOOK)},
        "support_files": {"common/util.py": _b64("def im2col():\n    pass\n")},
    },
    "standins": {"common/layers.py": _b64("class Affine:\n    pass\n")},
}


@pytest.mark.parametrize(
    "value",
    [
        ["ValueError", "nn.py", 2],  # three fields
        [1, "nn.py", 2, "f"],
        ["not a name", "nn.py", 2, "f"],
        ["ValueError", "nn.py", True, "f"],  # a bool is no line number
        ["ValueError", "nn.py", -1, "f"],
        ["ValueError", "nn.py", 2, "f(x)"],
        ["ValueError", "x" * 2000, 2, "f"],
        ["ValueError", "", 2, "f"],  # a line without a file
        "ValueError",
    ],
)
def test_a_raised_out_of_shape_is_refused(value: object) -> None:
    """Anything but [identifier, bounded path, line number, function name] is refused (a violation)."""
    with pytest.raises(ValueError):
        shaped(value)


def test_the_file_and_line_are_kept_only_within_the_jobs_files() -> None:
    """A file of the job's (the submission's, a support file, a stand-in) with the line in it keeps its place;
    a file the job never handed in (written or compiled at run time) or a line past its end keeps the type
    alone; a notebook's module is named by its cell, from the parent's own copy of the text."""
    files = JobFiles(JOB)
    kept = files.placed(shaped(["ValueError", "nn.py", 3, "Linear.backward"]))
    assert (kept.place, kept.shown_line, kept.function) == ("nn.py", 3, "Linear.backward")
    assert files.placed(shaped(["KeyError", "common/util.py", 2, "im2col"])).place == "common/util.py"
    assert files.placed(shaped(["KeyError", "common/layers.py", 1, "Affine"])).place == "common/layers.py"
    assert files.placed(shaped(["ValueError", "other.py", 3, "Sigmoid.backward"])) == Raised("ValueError")
    assert files.placed(shaped(["ValueError", "nn.py", 99, "f"])) == Raised("ValueError")
    cell = files.placed(shaped(["NameError", "hw.py", 5, "<module>"]))
    assert (cell.place, cell.shown_line) == ("hw.ipynb, code cell 2", 1)
    assert files.placed(shaped(["SystemExit", "", 0, ""])) == Raised("SystemExit")


@pytest.mark.parametrize(
    "function", ["गणना", "x·y", "a\u0301b", "f.<locals>.<lambda>", "<module>", "Linear.backward"]
)
def test_every_name_python_gives_a_function_is_in_shape(function: str) -> None:
    """The harness sends co_qualname as Python writes it: identifiers in any script (`\\w` refuses the
    Devanagari vowel sign of `गणना`, the middle dot, combining marks), so the parent takes each; refused, the
    honest file lost every case of the phase as "Sent malformed results" (review of s31-trust)."""
    assert function.replace("<", "").replace(">", "").replace(".", "x").isidentifier()
    assert shaped(["ValueError", "nn.py", 3, function]).function == function


@pytest.mark.parametrize(
    "value", [["ValueError", "nn.py", 0, "f"], ["ValueError", "nn.py", 2, ""], ["ValueError", "", False, ""]]
)
def test_a_place_half_given_is_refused(value: object) -> None:
    """A file without a line or a function, and a bool standing for the line 0, are out of shape."""
    with pytest.raises(ValueError):
        shaped(value)


def test_the_fields_the_blame_shows_are_disowned_and_the_file_kept_for_the_lookup() -> None:
    """The type, the function and the place (the job's own file name) carry no grader wording of fault
    (grader/fault.py), each checked against the text as it came: the blame quotes them to the student (s32,
    hostile). The file stays as the harness sent it, so that it still finds the job's file and its line."""
    wording = "not_your_fault"
    job = {"student": {"files": {f"{wording}.py": _b64("a = 1\nb = 2\n")}}}
    sent = ["MyGraderFailedError", f"{wording}.py", 2, f"Linear.backward.<locals>.{wording}"]
    assert all(claims_grader_fault(t) for t in (sent[0], sent[1], sent[3]))  # the control: each is wording
    raised = JobFiles(job).placed(shaped(sent))
    assert (raised.file, raised.line, raised.shown_line) == (f"{wording}.py", 2, 2), raised
    shown = (raised.type, raised.function, raised.place)
    assert shown == ("My" + REMOVED + "Error", f"Linear.backward.<locals>.{REMOVED}", f"{REMOVED}.py"), shown
