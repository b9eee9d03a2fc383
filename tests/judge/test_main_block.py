"""A case's NameError for a class defined only under the main block says so (grader/judge/main_block.py)."""

from __future__ import annotations

from grader.defined import nested_methods
from grader.inside.missing import MAIN_BLOCK
from grader.judge.main_block import told
from grader.judge.results import CaseResult

SOURCE = b"""class Function:
    pass


def square(x):
    return Square()(x)


if __name__ == "__main__":
    class Square(Function):
        pass
"""
RAISED = "Square applied to x: NameError: name 'Square' is not defined (step16.py line 6, in square)"


def _errored(message: str, status: str = "error") -> CaseResult:
    return CaseResult("square-unit", "square-unit", "unit", "Square", status, 0.0, 2.0, "visible", message)


def test_a_nameerror_for_a_class_under_the_main_block_says_where_the_class_is():
    """Session 34 (sample dezero/step16_square_under_main.py): the helper square() calling a Square written
    in the main block raised NameError in every case, with no word of the block; the message's first line
    now says the class is defined under it, read from the parent's parse of the source. Controls: a
    NameError for another name, a case that did not err, and a source without such a class are unchanged."""
    places = [p for p in nested_methods({"step16.py": SOURCE}) if "__main__" in p]
    assert places == ['Square under if __name__ == "__main__"']
    (result,) = told([_errored(f"{RAISED}\nTraceback ...")], places)
    first, rest = result.message.split("\n", 1)
    assert (
        first
        == f"{RAISED}: class Square is defined under {MAIN_BLOCK}, which runs only when the file is "
        + ("run as a script, never when the grader imports it: move the class above that block, unindented")
    )
    assert rest == "Traceback ..."
    other = _errored("Exp applied to x: NameError: name 'Exp' is not defined")
    passed = _errored(RAISED, status="failed")
    assert told([other, passed], places) == (other, passed)
    assert told([_errored(RAISED)], []) == (_errored(RAISED),)
