"""whole_pass_method(): records of whole-graph cases name the family's driver, never the case title."""

from __future__ import annotations

import numpy as np

from grader.judge.wording import family_of, whole_pass_method
from grader.model import Case, Tolerance


def _case(ops, *, sgd=False):
    steps = [{"do": "apply", "op": op, "args": ["x"], "out": f"o{i}"} for i, op in enumerate(ops)]
    if sgd:
        steps.append({"do": "sgd", "params": ["x"], "lr": 0.1})
    return Case(
        "c", "A diamond: the case title", "graph", None, {"x": np.zeros(1)}, tuple(steps), {}, Tolerance(), 1
    )


def test_each_family_names_its_own_driver():
    """DeZero: Variable.backward; MiniFlow: forward_and_backward; layers: the layers' backward pass."""
    grad = {"do": "record", "key": "dx", "grad_of": "x"}
    assert whole_pass_method(_case(["square", "Add"]), grad) == "Variable.backward"
    assert whole_pass_method(_case(["Sigmoid", "Linear"]), grad) == "forward_and_backward"
    assert whole_pass_method(_case(["Affine", "Relu"]), grad).startswith("the backward pass")
    assert "title" not in whole_pass_method(_case(["Add"]), grad)


def test_forward_records_name_the_forward_pass_and_sgd_names_the_update():
    """A value_of record is the forward pass's work; an input's value after an sgd step is sgd_update's."""
    value = {"do": "record", "key": "cost", "value_of": "o1"}
    assert whole_pass_method(_case(["Linear", "MSE"]), value).startswith("the forward pass")
    moved = {"do": "record", "key": "x_after", "value_of": "x"}
    assert whole_pass_method(_case(["Linear", "MSE"], sgd=True), moved) == "sgd_update"
    assert whole_pass_method(_case(["Linear", "MSE"]), moved).startswith("the forward pass")  # no sgd step


def test_a_value_recorded_after_the_sgd_step_names_the_update_first():
    """The cost after sgd_update is computed from the updated trainables: named "sgd_update, then the forward
    pass" (it was the forward pass alone); a value recorded before the step stays the forward pass's."""
    before = {"do": "record", "key": "cost", "value_of": "o1"}
    after = {"do": "record", "key": "cost_after", "value_of": "o1"}
    case = _case(["Linear", "MSE"], sgd=True)
    case = Case(
        case.id,
        case.name,
        case.kind,
        case.target,
        case.inputs,
        (before, *case.steps, after),
        {},
        Tolerance(),
        1,
    )
    assert whole_pass_method(case, after).startswith("sgd_update, then the forward pass")
    assert whole_pass_method(case, before).startswith("the forward pass")


def test_sigmoid_alone_decides_no_family():
    """Sigmoid is in MiniFlow and in the layers: alone, it names no family (a neutral wording)."""
    assert family_of(_case(["Sigmoid"])) is None
    assert whole_pass_method(_case(["Sigmoid"]), {"grad_of": "x"}) == "the backward pass"


def test_creator_records_name_function_call():
    """A has_creator record (no_grad) is Function.__call__'s work, not Variable.backward's."""
    step = {"do": "record", "key": "has_creator_inside", "has_creator": "o0"}
    assert whole_pass_method(_case(["square"]), step).startswith("Function.__call__")


def test_add_and_mul_are_worded_by_the_assignments_family():
    """MiniFlow's add-nested (t = Add(Add(x, y), z)) told a MiniFlow student about DeZero's
    Function.__call__: Add and Mul are both families' classes (review of s24-fixmut, add_wrong.py).
    The assignment's family words it; without one, Add alone is neutral. Control: square still decides."""
    value = {"do": "record", "key": "value_t", "value_of": "o1"}
    assert (
        whole_pass_method(_case(["Add", "Add"]), value, "miniflow")
        == "the forward pass (each node's forward)"
    )
    assert whole_pass_method(_case(["Add", "Add"]), value) == "the forward pass"
    assert family_of(_case(["Mul"])) is None
    assert whole_pass_method(_case(["Add"]), value, "dezero").startswith("the forward computation")
    assert family_of(_case(["square", "Add"])) == "dezero"
