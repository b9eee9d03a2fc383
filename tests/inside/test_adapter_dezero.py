"""The DeZero adapter on step-18 code and its variants; expected values are FACTS.md's documented outputs."""

from __future__ import annotations

import numpy as np
import pytest
from inside_helpers import case, job, run_inside
from inside_helpers import students as S

DZ = {"modules": ["dezero.py", "steps/step18.py"], "required": ["Variable", "Function", "Square", "Add"]}


def _rec(key: str, of: str, suffix: str = "") -> dict:
    return {"do": "record", "key": key + suffix, "grad_of": of}


ADD_TWICE = [
    {"do": "apply", "op": "add", "args": ["x", "x"], "out": "y"},
    {"do": "backward", "of": "y"},
    _rec("dx", "x", "_1"),
    {"do": "cleargrad", "of": "x"},
    {"do": "apply", "op": "add", "args": ["x", "x"], "out": "t"},
    {"do": "apply", "op": "add", "args": ["t", "x"], "out": "y2"},
    {"do": "backward", "of": "y2"},
    _rec("dx", "x", "_2"),
]
DIAMOND = [
    {"do": "apply", "op": "square", "args": ["x"], "out": "a"},
    {"do": "apply", "op": "square", "args": ["a"], "out": "b"},
    {"do": "apply", "op": "square", "args": ["a"], "out": "c"},
    {"do": "apply", "op": "add", "args": ["b", "c"], "out": "y"},
    {"do": "backward", "of": "y"},
    {"do": "record", "key": "y", "value_of": "y"},
    _rec("dx", "x"),
]
RETAIN = [
    {"do": "apply", "op": "add", "args": ["x0", "x1"], "out": "t"},
    {"do": "apply", "op": "add", "args": ["x0", "t"], "out": "y"},
    {"do": "backward", "of": "y"},
    *(_rec("d" + n, n) for n in ("y", "t", "x0", "x1")),
]
CASES = [
    case("add-twice", {"x": 2.0}, ADD_TWICE),
    case("diamond", {"x": 2.0}, DIAMOND),
    case("retain", {"x0": 1.0, "x1": 1.0}, RETAIN),
]


def _scalar(ran, key: str, cid: str) -> float | None:
    value = ran.record(key, cid)
    return None if value is None else value.item()


def test_documented_outputs_step18() -> None:
    """add twice 2 then 3 after cleargrad; diamond 32 and 64; step 18 retain_grad: None, None, 2, 1."""
    ran = run_inside({"steps/step18.py": S.DEZERO}, job("dezero", CASES, **DZ))
    assert (_scalar(ran, "dx_1", "add-twice"), _scalar(ran, "dx_2", "add-twice")) == (2.0, 3.0)
    assert (_scalar(ran, "y", "diamond"), _scalar(ran, "dx", "diamond")) == (32.0, 64.0)
    assert [_scalar(ran, k, "retain") for k in ("dy", "dt", "dx0", "dx1")] == [None, None, 2.0, 1.0]


def test_variant_creater_priority_list_backward_without_retain_grad() -> None:
    """creater/priority/list returns/demo code work; without retain_grad the intermediate grads stay set."""
    ran = run_inside({"dezero.py": S.DEZERO_VARIANT}, job("dezero", CASES, **DZ))
    assert "32.0 64.0" in ran.stdout  # the demo at module level ran
    assert (_scalar(ran, "y", "diamond"), _scalar(ran, "dx", "diamond")) == (32.0, 64.0)
    assert [_scalar(ran, k, "retain") for k in ("dy", "dt", "dx0", "dx1")] == [1.0, 1.0, 2.0, 1.0]


def test_missing_generation_order_gives_half() -> None:
    """Negative control: without generation ordering the diamond gives x.grad 32 (FACTS.md section 4)."""
    ran = run_inside({"dezero.py": S.DEZERO_NO_ORDER}, job("dezero", CASES, **DZ))
    assert _scalar(ran, "dx", "diamond") == 32.0


def test_unit_backward_called_directly_and_no_grad() -> None:
    """Function.backward(gy) on the instance used in forward; no_grad leaves y without a creator."""
    unit = [
        {"do": "apply", "op": "Add", "args": ["x0", "x1"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "gy"},
        {"do": "record", "key": "dx0", "grad_of": "x0", "via": "y"},
        {"do": "record", "key": "dx1", "grad_of": "x1", "via": "y"},
        {"do": "apply", "op": "Square", "args": ["x0"], "out": "s"},
        {"do": "backward_local", "of": "s", "upstream": "gy"},
        {"do": "record", "key": "ds", "grad_of": "x0", "via": "s"},
    ]
    nog = [
        {"do": "apply", "op": "Square", "args": ["x"], "out": "y", "no_grad": True},
        {"do": "record", "key": "has_creator_inside", "has_creator": "y"},
        {"do": "apply", "op": "Square", "args": ["x"], "out": "z"},
        {"do": "record", "key": "has_creator_outside", "has_creator": "z"},
    ]
    x0, x1, gy = np.array([[1.0, -2.0]]), np.array([[3.0, 4.0]]), np.array([[0.5, 2.0]])
    cases = [case("unit", dict(x0=x0, x1=x1, gy=gy), unit), case("nog", {"x": 3.0}, nog)]
    for src in (
        S.DEZERO,
        S.DEZERO.replace(
            "class Config:\n    enable_backprop = True",
            "class Config:\n    enable_backprop = True\n\n\ndef _x(): pass",
        ).replace("def no_grad():", "def _old_no_grad():"),
    ):
        ran = run_inside({"dezero.py": src}, job("dezero", cases, **DZ))
        assert (
            ran.record("dx0", "unit").tolist() == gy.tolist()
            and ran.record("dx1", "unit").tolist() == gy.tolist()
        )
        assert ran.record("ds", "unit").tolist() == (2 * x0 * gy).tolist()  # d(x^2) = 2 x gy by hand
        assert (ran.record("has_creator_inside", "nog"), ran.record("has_creator_outside", "nog")) == (
            False,
            True,
        )


def test_backward_returning_one_gradient_for_two_inputs() -> None:
    """Add.backward returning a single array for two inputs fails with a message saying so."""
    src = S.DEZERO.replace("        return gy, gy", "        return gy")
    unit = [
        {"do": "apply", "op": "Add", "args": ["x0", "x1"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "gy"},
        {"do": "record", "key": "dx1", "grad_of": "x1", "via": "y"},
    ]
    ran = run_inside({"dezero.py": src}, job("dezero", [case("c", dict(x0=1.0, x1=2.0, gy=1.0), unit)], **DZ))
    message = ran.case()["failure"]["message"]
    assert "Add.backward returned 1 gradient(s) for 2 input(s)" in message


@pytest.mark.parametrize("grad_as_variable", [False, True])
def test_grads_as_ndarray_or_variable(grad_as_variable: bool) -> None:
    """x.grad held as a Variable (a later step of the book) is read through its data."""
    src = S.DEZERO
    if grad_as_variable:
        src = src.replace(
            "            self.grad = np.ones_like(self.data)",
            "            self.grad = Variable(np.ones_like(self.data))",
        )
        src = src.replace(
            "            gys = [output().grad for output in f.outputs]",
            "            gys = [output().grad.data for output in f.outputs]",
        )
        src = src.replace(
            "                    x.grad = gx\n", "                    x.grad = Variable(np.asarray(gx))\n"
        )
        src = src.replace("x.grad = x.grad + gx", "x.grad = Variable(np.asarray(x.grad.data + gx))")
    ran = run_inside({"dezero.py": src}, job("dezero", [case("diamond", {"x": 2.0}, DIAMOND)], **DZ))
    assert _scalar(ran, "dx", "diamond") == 64.0
