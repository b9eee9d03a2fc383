"""An upstream gradient written in place is a warning worth 0 points, not a failed check.

The book's own `Relu.backward` does `dout[self.mask] = 0; return dout` (FACTS.md section 3), so writing into
the gradient a backward receives is how the course teaches it; it costs no points. Changing a forward input
(x, W) in place still fails its check (grader/judge/score.py): a caller reads those again.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.judge.per_case import per_case
from grader.model import Case

NOTE_PREFIX = "Warning (0 points): "


def upstream_names(case: Case) -> set[str]:
    """The inputs a case hands to a backward as its upstream gradient (dout, gy, G)."""
    return {
        str(s["upstream"])
        for s in case.steps
        if s.get("do") in ("backward", "backward_local") and s.get("upstream")
    }


_upstream_names = per_case(upstream_names)  # read for every case of every submission


def split_mutated(case: Case, mutated: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(upstream gradients written in place, other inputs changed in place)."""
    if not mutated:
        return (), ()
    upstream = _upstream_names(case)
    return tuple(n for n in mutated if n in upstream), tuple(n for n in mutated if n not in upstream)


def upstream_note(methods: Sequence[str], names: Sequence[str]) -> str:
    """One line for the case message and the report's warnings."""
    who = ", ".join(dict.fromkeys(methods)) or "backward"
    return (
        f"{NOTE_PREFIX}{who} writes into its upstream gradient {', '.join(names)} in place; the book's "
        "Relu.backward does too, so it costs nothing here, but copy it (dx = dout.copy()) if a caller "
        "reuses it"
    )
