"""The functions a DeZero backward pass applies when it builds a graph (create_graph=True, step 33).

From step 33 on, the book writes every backward with DeZero's functions (`Sin.backward` is `gy * cos(x)`), and
`backward(create_graph=True)` records them: differentiating the result runs those functions' backwards too. A
higher-order case that applies only `sin` therefore also runs Mul and Cos, and a wrong `Mul.backward`
explains its failure (before: blame said the unit cases of Sin pass, "look at how gradients are combined").
"""

from __future__ import annotations

from collections.abc import Iterable

# op -> the functions the book's backward of that op applies (dezero/core.py and dezero/functions.py, steps
# 33-42); ops not listed add nothing (their backward applies none of the graded functions, or is not graded).
BACKWARD_APPLIES: dict[str, tuple[str, ...]] = {
    "square": ("mul",),
    "exp": ("mul",),
    "sin": ("cos", "mul"),
    "cos": ("sin", "neg", "mul"),
    "tanh": ("mul", "sub"),
    "mul": ("mul",),
    "sub": ("neg",),
    "neg": ("neg",),
    "div": ("div", "mul", "neg", "pow"),
    "pow": ("pow", "mul"),
}


def backward_applies(ops: Iterable[str]) -> tuple[str, ...]:
    """The ops a create_graph backward of a graph applying `ops` applies, new ones last, until nothing is
    added (the derivative of order n applies the backwards of the derivative of order n - 1)."""
    seen = list(dict.fromkeys(ops))
    i = 0
    while i < len(seen):
        for op in BACKWARD_APPLIES.get(seen[i].lower(), ()):
            if op not in seen:
                seen.append(op)
        i += 1
    return tuple(seen)
