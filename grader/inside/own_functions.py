"""A DeZero step file's own test functions (steps 24 and 28) that the cases cannot call as the book does.

The `step24-own-*` and `step28-own-rosenbrock-documented` cases call the file's `sphere(x, y)`, `matyas`,
`goldstein` and `rosenbrock(x0, x1)`. A function of that name taking other arguments (a `def sphere():` demo
that builds its own Variables and prints, a `sphere(p)` taking a point) is not the book's function: calling it
raised Python's TypeError, cost the optional case's point and failed `grader check` for a correct file. It is
left out of what the load found, as a function not defined is, and the load says why (a warning the parent
quotes in the skipped case's message: grader/judge/stages.py). A student gains nothing by it: leaving the
function out skips the case the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from .params import KEYWORD_ONLY, POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL, Param

# the book's test functions -> the arguments the cases call them with
BOOK_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "sphere": ("x", "y"),
    "matyas": ("x", "y"),
    "goldstein": ("x", "y"),
    "rosenbrock": ("x0", "x1"),
}
# Between the function as written and the book's in the load's warning; the parent finds the warning by it.
NOT_THE_BOOKS = " is not the book's "
CALLS = ": its case calls "  # what follows the two spellings in the warning


def _takes(params: Sequence[Param], n: int) -> bool:
    """Whether a call with `n` positional arguments and nothing else binds these parameters."""
    positional = [p for p in params if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]
    required = sum(1 for p in positional if not p.has_default)
    more = any(p.kind == VAR_POSITIONAL for p in params)
    keywords_required = any(p.kind == KEYWORD_ONLY and not p.has_default for p in params)
    return required <= n and (len(positional) >= n or more) and not keywords_required


def unlike_the_books(name: str, params: Sequence[Param] | None) -> str | None:
    """The load's warning when `name`, one of the book's test functions, cannot be called with the book's
    arguments; None when it can, when `name` is no such function, or when its parameters cannot be read."""
    book = BOOK_ARGUMENTS.get(name)
    if book is None or params is None or _takes(params, len(book)):
        return None
    written = ", ".join(p.name for p in params)
    wanted = ", ".join(book)
    return (
        f"{name}({written}){NOT_THE_BOOKS}{name}({wanted}){CALLS}{name}({wanted}) and is not run (no points "
        "lost)"
    )
