"""A DeZero step file's own test functions that cannot be called with the book's arguments are not graded."""

from __future__ import annotations

from grader.inside.own_functions import unlike_the_books
from grader.inside.params import parameters


def _sphere(*defs: str) -> list[str | None]:
    out: list[str | None] = []
    for signature in defs:
        space: dict[str, object] = {}
        exec(f"def sphere{signature}: pass", space)  # the test's own source
        out.append(unlike_the_books("sphere", parameters(space["sphere"])))
    return out


def test_a_function_the_cases_can_call_with_the_books_arguments_is_graded() -> None:
    """sphere(x, y), with a default or *args beside, or all positional via *args: no warning."""
    assert _sphere("(x, y)", "(x, y, z=1)", "(*args)", "(x, *rest)", "(a, b, **kw)") == [None] * 5


def test_a_function_taking_other_arguments_is_told_and_left_ungraded() -> None:
    """A demo with no arguments, a point, three required, a required keyword: the warning names both forms
    (a `def sphere():` demo lost its optional point and failed check on a TypeError; sample
    step24_sphere_demo_no_args.py)."""
    warnings = _sphere("()", "(p)", "(x, y, z)", "(x, y, *, scale)")
    assert warnings[0] == (
        "sphere() is not the book's sphere(x, y): its case calls sphere(x, y) and is not run (no points lost)"
    )
    assert all(w is not None and w.startswith("sphere(") for w in warnings)
    assert unlike_the_books("rosenbrock", parameters(lambda x: x)) is not None  # rosenbrock(x0, x1)
    assert unlike_the_books("Square", parameters(lambda x: x)) is None  # no book test function
    assert unlike_the_books("sphere", None) is None  # parameters unread: the call says what happens
