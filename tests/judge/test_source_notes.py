"""A case that errored in a method with the wrong parameters leads with the parent's own line about it."""

from __future__ import annotations

import dataclasses

from grader.judge.results import CaseResult
from grader.judge.source_notes import explain
from grader.signatures import Problem

NO_SELF = Problem("Sigmoid", "forward", "Sigmoid.forward is defined without `self` (layers.py line 2: ...)")
EXTRA = Problem("Affine", "backward", "Affine.backward(self, dout, extra) takes an extra required parameter")


def _case(cid: str, message: str, status: str = "error", visibility: str = "visible") -> CaseResult:
    return CaseResult(cid, cid, "unit", None, status, 0.0, 2.0, visibility, message)  # type: ignore[arg-type]


def test_the_error_of_that_method_is_led_by_the_problem_and_keeps_python_words() -> None:
    """Python's TypeError names `Sigmoid.forward()`: the problem's line first, Python's below it."""
    python = "Sigmoid applied to x: TypeError: Sigmoid.forward() takes 1 positional argument but 2 were given"
    (result,), unmet = explain([_case("sigmoid-unit", python)], [NO_SELF, EXTRA])
    assert result.message == f"{NO_SELF.message}\n{python}"
    assert unmet == (EXTRA.message,)


def test_self_undefined_inside_the_method_is_its_error_too() -> None:
    """A method without self called with no argument fails inside it: `self` is undefined there."""
    python = "NameError: name 'self' is not defined (layers.py line 3, in Sigmoid.forward: `self.out = out`)"
    (result,), unmet = explain([_case("sigmoid-unit", python)], [NO_SELF])
    assert result.message.startswith(NO_SELF.message) and unmet == ()


def test_other_errors_and_failures_are_left_alone() -> None:
    """Negative controls: another method's error, a failed (not errored) case; a problem met only by a
    hidden case stays a warning (the student sees no hidden message)."""
    other = _case("relu-unit", "TypeError: Relu.forward() takes 1 positional argument but 2 were given")
    failed = _case("sigmoid-unit", "Sigmoid.forward() values differ", status="failed")
    hidden = _case("affine-hidden", "TypeError: Affine.backward() missing 1 required", visibility="hidden")
    results, unmet = explain([other, failed, hidden], [NO_SELF, EXTRA])
    assert results[:2] == (other, failed)
    assert results[2].message.startswith(EXTRA.message)
    assert unmet == (NO_SELF.message, EXTRA.message)


def test_a_timeout_at_import_is_followed_by_the_top_level_loops() -> None:
    """A case stopped for time while the files loaded says where they loop at import; another timeout (in a
    case) and another error are left alone, as is every case when there is no loop."""
    from grader.judge.source_notes import place_loops

    at_import = dataclasses.replace(
        _case("a", "Stopped after 10 s ... Likely a training loop or demo at the top level of a file, ..."),
        failure_code="timeout",
    )
    in_case = dataclasses.replace(
        _case("b", "Stopped after 10 s ... Likely a loop that never ends"), failure_code="timeout"
    )
    other = _case("c", "NameError: name 'np' is not defined")
    loops = ("hw.py line 250: `while True:`",)
    placed = place_loops([at_import, in_case, other], loops)
    assert placed[0].message == (
        f"{at_import.message}\nLoops at the top level of your code (they run at import): {loops[0]}"
    )
    assert placed[1:] == (in_case, other)
    assert place_loops([at_import], ()) == (at_import,)
