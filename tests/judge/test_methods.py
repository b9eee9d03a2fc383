"""DeZero steps 38-39: an errored case that called a Variable method is diagnosed and blamed on the method."""

from __future__ import annotations

import pytest

from grader.judge import blame
from grader.judge.methods import VARIABLE_METHOD, no_creator, reshape_tuple_kept, returned_itself
from grader.judge.results import CaseResult
from grader.judge.score import _error_finding
from grader.model import Failure

# As the adapter words it (grader/inside/adapters/dezero.py) around numpy's TypeError from the student's code.
NOT_UNPACKED = (
    "evaluating a = x.reshape((3, 2)) (Variable.reshape: step 38's def reshape(self, *shape) takes a tuple "
    "or several ints, then returns dezero.functions.reshape(self, shape)): TypeError: 'tuple' object cannot "
    "be interpreted as an integer (dezero/functions.py line 62, in Reshape.forward)"
)
ITSELF = (
    "y = x.T returned the Variable it was called on (x), not a new Variable: step 38's @property def "
    "T(self): return dezero.functions.transpose(self)"
)


def test_a_reshape_that_kept_its_tuple_is_diagnosed_with_the_books_unpacking() -> None:
    found = reshape_tuple_kept(Failure("exception", NOT_UNPACKED))
    assert found is not None and found.code == VARIABLE_METHOD
    assert "x.reshape((3, 2))" in found.hint and "shape = shape[0]" in found.hint
    assert _error_finding(Failure("exception", NOT_UNPACKED), "dezero") == found


@pytest.mark.parametrize(
    "message",
    [
        # the same TypeError raised by the function itself, not under a method call
        "Reshape applied to x: TypeError: 'tuple' object cannot be interpreted as an integer",
        # another error under the method call
        "evaluating a = x.reshape((3, 2)) (Variable.reshape: ...): NameError: name 'F' is not defined",
    ],
)
def test_other_errors_are_not_a_kept_tuple(message: str) -> None:
    assert reshape_tuple_kept(Failure("exception", message)) is None


def test_a_method_returning_self_is_diagnosed_naming_it() -> None:
    found = returned_itself(Failure("exception", ITSELF))
    assert found is not None and found.code == VARIABLE_METHOD
    assert found.hint.startswith("Variable.T returns self: x.T must be a new Variable")
    assert returned_itself(Failure("missing_name", ITSELF)) is None


NO_CREATOR = (
    "a = x.reshape((3, 2)) returned a Variable the graph does not know (no creator), so backward never "
    "reaches x: step 38's def reshape(self, *shape) takes a tuple or several ints, then returns "
    "dezero.functions.reshape(self, shape)"
)


def test_a_method_wrapping_the_data_in_a_new_variable_is_diagnosed_naming_the_function() -> None:
    """`return Variable(self.data.reshape(shape))`: the hint names the method and the function to call.
    Controls: another failure code, and the returned-itself message, are not this mistake."""
    found = _error_finding(Failure("exception", NO_CREATOR), "dezero")
    assert found is not None and found.code == VARIABLE_METHOD
    assert found.hint.startswith("Variable.reshape returns a Variable the graph does not know (no creator)")
    assert "dezero.functions.reshape(self, shape)" in found.hint and "reaches x" in found.hint
    assert no_creator(Failure("missing_name", NO_CREATOR)) is None
    assert no_creator(Failure("exception", ITSELF)) is None
    transposed = "y = x.T returned a Variable the graph does not know (no creator), ..."
    t = no_creator(Failure("exception", transposed))
    assert t is not None and "dezero.functions.transpose(self)" in t.hint


def test_a_case_stopped_in_a_method_is_blamed_on_the_method_not_on_combining_gradients() -> None:
    """Before, a case errored by x.T returning x read "look at how gradients are combined"."""
    finding = returned_itself(Failure("exception", ITSELF))
    errored = CaseResult(
        "t-doc",
        "t-doc",
        "graph",
        None,
        "error",
        0.0,
        1.0,
        "visible",
        ITSELF,
        ops=("Transpose",),
        diagnosis=finding,
    )
    unit = CaseResult(
        "transpose-unit", "transpose-unit", "unit", "Transpose", "passed", 2.0, 2.0, "visible", ""
    )
    (entry,) = blame([unit, errored])
    assert entry.message.startswith("t-doc fails in Variable.T, not in a function's forward or backward")
    assert entry.explains == ("t-doc",) and entry.codes == (VARIABLE_METHOD,)
