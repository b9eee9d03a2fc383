"""A case that errored in a method with the wrong parameters leads with the parent's own line about it."""

from __future__ import annotations

from grader.judge.results import CaseResult
from grader.judge.signature_notes import explain
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
