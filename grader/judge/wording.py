"""What a message about a record of a whole-graph case names: the family's own driver, never the case title.

A unit case isolates one method (its fixture names it: "Linear.backward"). In a graph or behaviour case a
gradient is the work of the whole backward pass, so the message names the family's driver in the family's
own words (DeZero `Variable.backward`, MiniFlow `forward_and_backward`), and a forward value the forward
pass. The family is the assignment's when the judge is told it; else it is read from the classes the case
applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.model import Case

# The classes (and DeZero helpers) only one family applies; Sigmoid is in two families and decides nothing,
# nor do Add and Mul: MiniFlow's first quiz is an Add too (its add-nested case was worded with DeZero's
# Function.__call__, review of s24-fixmut).
FAMILY_BY_OP: dict[str, str] = {
    **dict.fromkeys(("Square", "Exp", "square", "exp", "add", "mul"), "dezero"),
    **dict.fromkeys(("Linear", "MSE"), "miniflow"),
    **dict.fromkeys(("MulLayer", "AddLayer", "Relu", "Affine", "SoftmaxWithLoss", "TwoLayerNet"), "layers"),
    **dict.fromkeys(("TwoLayerNet.predict", "TwoLayerNet.accuracy"), "layers"),
}
# family -> (who computes gradients, who computes forward values) in a whole-graph case.
WHOLE_PASS: dict[str, tuple[str, str]] = {
    "dezero": ("Variable.backward", "the forward computation (Function.__call__ and each forward)"),
    "miniflow": ("forward_and_backward", "the forward pass (each node's forward)"),
    "layers": ("the backward pass (each layer's backward)", "the forward pass (each layer's forward)"),
}
_ANY = ("the backward pass", "the forward pass")


def family_of(case: Case) -> str | None:
    for step in case.steps:
        family = FAMILY_BY_OP.get(str(step.get("op"))) if step.get("do") == "apply" else None
        if family is not None:
            return family
    return None


def is_forward(step: Mapping[str, Any]) -> bool:
    """A record of a forward value (value_of), as opposed to a gradient or a DeZero bool."""
    return "value_of" in step


def whole_pass_method(case: Case, step: Mapping[str, Any], family: str = "") -> str:
    """The driver (or pass) a record of a graph/behaviour case is the work of; `family` the assignment's,
    when known (the classes a case applies can be two families' names)."""
    backward, forward = WHOLE_PASS.get(family if family in WHOLE_PASS else family_of(case) or "", _ANY)
    if "has_creator" in step:  # DeZero: whether Function.__call__ linked the output (off under no_grad)
        return "Function.__call__ (Config.enable_backprop, no_grad)"
    if not is_forward(step):
        return backward
    sgd_at = next((i for i, s in enumerate(case.steps) if s.get("do") == "sgd"), None)
    if sgd_at is None:
        return forward
    if step.get("value_of") in case.inputs:
        return "sgd_update"  # an input's value changes only through the update step
    if step in case.steps[sgd_at + 1 :]:
        # The cost after the step is computed from the updated trainables: a wrong update makes it wrong
        # too, and "the forward pass" alone sent students to forward methods that pass every other case.
        return f"sgd_update, then {forward}"
    return forward
