"""A graded layer of the student's that holds a grader stand-in and hands its work to it is not the student's.

The student's process only reports a fact: which of an object's own attributes hold an instance of a
stand-in class (server `held`). The harness decides here what the fact means. A unit layer (Relu, Affine,
SoftmaxWithLoss, ...) of chapter 5 never holds another layer, so holding *any* stand-in layer, not only the
one of its own name, means its forward or backward can be the grader's code (`self.inner = Relu()` with
`forward` calling `self.inner.forward`, or a Sigmoid that keeps a stand-in Affine). TwoLayerNet is never
asked: the book's own TwoLayerNet holds the book's layers, and grading it on stand-in layers is what the
stand-ins are for. A student's own helper object in an attribute is no stand-in and is never refused.

The answer is the student's claim: a malformed one is read as "nothing held" (a process that wants to hide
a wrapper can answer [] as easily; LOADING.md says what this is for and what it is not).
"""

from __future__ import annotations

from typing import Any

from .failures import StudentFailure, clean_text

_CAP = 200
_MAX_NAMED = 3


def held_entries(raw: Any) -> list[tuple[str, str, str]]:
    """The (attribute, class, module) triples of a `held` answer; anything malformed is dropped."""
    if not isinstance(raw, list):
        return []
    out = []
    for item in raw[:32]:
        if isinstance(item, list) and len(item) == 3 and all(isinstance(x, str) for x in item):
            attr, qualname, module = (clean_text(x, _CAP) for x in item)
            out.append((attr, qualname, module))
    return out


def wrapper_failure(cls_name: str, raw: Any) -> StudentFailure | None:
    """`missing_name` for a graded class whose instance holds a stand-in's instance; None if it holds none."""
    entries = held_entries(raw)
    if not entries:
        return None
    held = ", ".join(f"{module}.{qualname} in self.{attr}" for attr, qualname, module in entries[:_MAX_NAMED])
    return StudentFailure(
        "missing_name",
        f"{cls_name} holds the grader's stand-in {held}: a class that hands its work to the stand-in is not "
        f"a layer of your own, so {cls_name} counts as missing; write the layer yourself (the stand-in only "
        "lets your other classes run)",
    )
