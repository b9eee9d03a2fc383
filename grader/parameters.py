"""Whether the parent quotes a def's parameters in a note: only when they are few and short.

Two notes read a def's parameters from the parsed source and spell them for the student: a helper that never
uses one (grader/helper_args.py: "add(x0, x1) never uses x1") and a method the book's call cannot reach
(grader/signatures.py: "Affine.backward(self, dout, extra) takes an extra required parameter"). The book's
helpers and methods take at most four. Python bounds neither how many parameters a def takes nor how long
their names are: `def add(x0, x1, p2=None, ...)` with 45,000 parameters in each of four 256 KiB files cost
helper_args 56 s of the parent's CPU per submission (a list searched for each unread parameter), and every
note spelt them all: hints of 400 KB on each failing case calling the helper made a 3.8 MB report.json,
past its 1 MiB cap (grader/reports/size.py does not cut hints). A def past these bounds is no course code:
the parent says nothing about it, as it says nothing about a def taking `*args`.
"""

from __future__ import annotations

import ast

MAX_PARAMETERS = 16
MAX_NAME_CHARS = 64  # a parameter name; the book's longest is `train_flg`


def quotable(args: ast.arguments) -> bool:
    """The def's parameters are few enough and short enough to spell in a note (and to read at all)."""
    count = len(args.posonlyargs) + len(args.args) + len(args.kwonlyargs)
    if count > MAX_PARAMETERS:  # before the names are read: a def of 45,000 is not walked
        return False
    named = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return all(len(a.arg) <= MAX_NAME_CHARS for a in named if a is not None)
