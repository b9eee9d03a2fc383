"""grader/inside/scalar_refused.py: a NumPy scalar refused by Variable, said as the as_array step."""

from __future__ import annotations

import pytest

from grader.inside.scalar_refused import clause

REFUSED = "TypeError: <class 'numpy.float64'> is not supported"
INIT = ("Variable.__init__", "raise TypeError('{} is not supported'.format(type(data)))")


def test_a_scalar_that_went_through_as_array_names_its_test() -> None:
    """Variable(as_array(y)) still refused: the student's as_array let the numpy.float64 through."""
    said = clause(
        REFUSED, [("Function.__call__.<locals>.<listcomp>", "[Variable(as_array(y)) for y in ys]"), INIT]
    )
    assert said is not None and "your as_array handed it back unchanged" in said and "np.isscalar(x)" in said


def test_a_scalar_wrapped_without_as_array_in_call_names_the_wrap() -> None:
    """Variable(y) in Function.__call__: the book's Variable(as_array(y)) is named."""
    said = clause(REFUSED, [("Function.__call__", "output = Variable(y)"), INIT])
    assert said is not None and "Variable(as_array(y))" in said and "your as_array" not in said


def test_a_scalar_made_elsewhere_is_told_only_what_it_is() -> None:
    """Variable(gy * 2) in a backward: no claim about Function.__call__ or the student's as_array."""
    said = clause(
        "TypeError: <class 'numpy.int64'> is not supported", [("Mul.backward", "Variable(gy * 2)"), INIT]
    )
    assert (
        said is not None and "numpy.int64" in said and "__call__" not in said and "your as_array" not in said
    )


@pytest.mark.parametrize(
    ("description", "frames"),
    [
        ("TypeError: <class 'float'> is not supported", [INIT]),  # a Python float: operators.py says it
        (REFUSED, [("Function.__call__", "y = self.forward(x)")]),  # not raised in a constructor
        ("ValueError: <class 'numpy.float64'> is not supported", [INIT]),  # not a TypeError
        (REFUSED, []),
    ],
)
def test_other_errors_get_no_clause(description: str, frames: list[tuple[str, str]]) -> None:
    """Negative controls: a Python number, another function, another exception, no frames."""
    assert clause(description, frames) is None
