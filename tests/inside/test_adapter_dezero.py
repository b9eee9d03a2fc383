"""The DeZero adapter on step-18 code and its variants; expected values are FACTS.md's documented outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from inside_helpers import COUNTING_ROUND_TRIPS, case, job, run_inside
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


def test_local_gradients_of_an_input_used_twice_in_shapes_that_cannot_be_added_are_the_students() -> None:
    """Add(x, x)'s local gradient of x is the sum of both of its backward's outputs, taken in the harness:
    shapes numpy cannot add are the student's failure, named, never a ValueError of the harness's own
    (reported as grader_error: "The grader itself failed on this case (not your code's fault)")."""
    steps = [
        {"do": "apply", "op": "Add", "args": ["x", "x"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "gy"},
        {"do": "record", "key": "dx", "grad_of": "x", "via": "y"},
    ]
    src = S.DEZERO.replace(
        "    def backward(self, gy):\n        return gy, gy\n",
        "    def backward(self, gy):\n        return gy, np.zeros(7)\n",
    )
    assert src != S.DEZERO
    ran = run_inside(
        {"dezero.py": src}, job("dezero", [case("c", {"x": [1.0, 2.0], "gy": [1.0, 1.0]}, steps)], **DZ)
    )
    failure = ran.case("c")["failure"]
    assert failure["code"] == "exception", failure
    assert "Add.backward: the gradients of x came back in shapes (2,) and (7,)" in failure["message"], failure


def test_missing_generation_order_gives_half() -> None:
    """Negative control: without generation ordering the diamond gives x.grad 32 (FACTS.md section 4)."""
    ran = run_inside({"dezero.py": S.DEZERO_NO_ORDER}, job("dezero", CASES, **DZ))
    assert _scalar(ran, "dx", "diamond") == 32.0


# Add's and Square's own Function.backward on the instances of their forward, each gradient recorded
_ADD_THEN_SQUARE = [
    {"do": "apply", "op": "Add", "args": ["x0", "x1"], "out": "y"},
    {"do": "backward_local", "of": "y", "upstream": "gy"},
    {"do": "record", "key": "dx0", "grad_of": "x0", "via": "y"},
    {"do": "record", "key": "dx1", "grad_of": "x1", "via": "y"},
    {"do": "apply", "op": "Square", "args": ["x0"], "out": "s"},
    {"do": "backward_local", "of": "s", "upstream": "gy"},
    {"do": "record", "key": "ds", "grad_of": "x0", "via": "s"},
]


def test_unit_backward_called_directly_and_no_grad() -> None:
    """Function.backward(gy) on the instance used in forward; no_grad leaves y without a creator."""
    unit = _ADD_THEN_SQUARE
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


def test_a_case_starts_with_backprop_on_whatever_the_case_before_left() -> None:
    """using_config without restoring the old value leaves Config.enable_backprop False after a no_grad case:
    the next case still builds its graph (the flag is put back as loaded before each case; it was not, and
    every later case failed), while the no_grad case itself still sees the flag left off."""
    src = S.DEZERO.replace(
        "        yield\n    finally:\n        setattr(Config, name, old_value)",
        "        yield\n    finally:\n        pass",
    )
    assert src != S.DEZERO
    nog = [
        {"do": "apply", "op": "Square", "args": ["x"], "out": "y", "no_grad": True},
        {"do": "apply", "op": "Square", "args": ["x"], "out": "z"},
        {"do": "record", "key": "has_creator_outside", "has_creator": "z"},
    ]
    cases = [case("nog", {"x": 3.0}, nog), case("diamond", {"x": 2.0}, DIAMOND)]
    ran = run_inside({"dezero.py": src}, job("dezero", cases, **DZ))
    assert ran.record("has_creator_outside", "nog") is False  # the mistake is still seen where it is made
    assert _scalar(ran, "dx", "diamond") == 64.0  # FACTS.md: the diamond gives 64


def _add_unit(src: str) -> Any:
    """Add's unit case (x0 1, x1 2, gy 1: its backward alone, dx1 recorded) run on `src`."""
    unit = [
        {"do": "apply", "op": "Add", "args": ["x0", "x1"], "out": "y"},
        {"do": "backward_local", "of": "y", "upstream": "gy"},
        {"do": "record", "key": "dx1", "grad_of": "x1", "via": "y"},
    ]
    cases = [case("c", dict(x0=1.0, x1=2.0, gy=1.0), unit)]
    return run_inside({"dezero.py": src}, job("dezero", cases, **DZ))


def test_backward_returning_one_gradient_for_two_inputs() -> None:
    """Add.backward returning a single array for two inputs fails with a message saying so."""
    src = S.DEZERO.replace("        return gy, gy", "        return gy")
    ran = _add_unit(src)
    message = ran.case()["failure"]["message"]
    assert "Add.backward returned 1 gradient(s) for 2 input(s)" in message


def test_backward_without_return_is_told_so() -> None:
    """Add.backward computing `gx0, gx1 = gy, gy` without returning them returns None: it was told "returned
    1 gradient(s) for 2 input(s)", false of a method that returned nothing (sample
    submissions/dezero/step24_add_no_return.py). Control above: one array for two
    inputs keeps that message."""
    src = S.DEZERO.replace("        return gy, gy", "        gx0, gx1 = gy, gy")
    assert src != S.DEZERO
    ran = _add_unit(src)
    message = ran.case()["failure"]["message"]
    assert message.startswith("Add.backward returned None: is its `return` missing"), message
    assert message.endswith("return one gradient per input, as a tuple: (gx0, gx1)"), message
    assert "gradient(s)" not in message


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


# ---------------------------------------------------------------- steps 19 to 24
STEP24 = (Path(__file__).resolve().parents[2] / "submissions" / "dezero" / "step24_correct.py").read_text()
DZ24 = {"modules": ["step24.py"], "required": ["Variable", "Function", "Mul", "Sub"]}


def _op(op: str, args: list[str], out: str, plain: dict | None = None, **settings: float) -> dict:
    step: dict = {"do": "apply", "op": op, "args": args, "out": out, "operator": True}
    if plain:
        step["plain"] = plain
    if settings:
        step["settings"] = settings
    return step


# a * b + c at 3, 2, 1 (the book's step 20: y 7, a.grad 2, b.grad 3), then 2.0 - x and x ** 3 at 0.5
OPERATORS = [
    case(
        "abc",
        {"a": 3.0, "b": 2.0, "c": 1.0},
        [
            _op("mul", ["a", "b"], "t"),
            _op("add", ["t", "c"], "y"),
            {"do": "backward", "of": "y"},
            {"do": "record", "key": "y", "value_of": "y"},
            _rec("da", "a"),
            _rec("db", "b"),
        ],
    ),
    case(
        "rsub",
        {"k": 2.0, "x": 0.5},
        [
            _op("sub", ["k", "x"], "y", {"k": "float"}),
            {"do": "backward", "of": "y"},
            {"do": "record", "key": "y", "value_of": "y"},
            _rec("dx", "x"),
        ],
    ),
    case(
        "cube",
        {"x": 0.5, "a": 2.0},
        [
            _op("pow", ["x"], "p", c=3),
            _op("mul", ["p", "a"], "y", {"a": "ndarray"}),
            {"do": "backward", "of": "y"},
            {"do": "record", "key": "y", "value_of": "y"},
            _rec("dx", "x"),
        ],
    ),
]


def test_operator_steps_give_the_books_numbers() -> None:
    """a * b + c: 7, 2, 3 (step 20); 2.0 - x at 0.5: 1.5 and -1; x ** 3 * np.array(2.0): 0.25 and 1.5."""
    ran = run_inside({"step24.py": STEP24}, job("dezero", OPERATORS, **DZ24))
    assert [_scalar(ran, k, "abc") for k in ("y", "da", "db")] == [7.0, 2.0, 3.0]
    assert [_scalar(ran, k, "rsub") for k in ("y", "dx")] == [1.5, -1.0]
    assert [_scalar(ran, k, "cube") for k in ("y", "dx")] == [0.25, 1.5]


def test_operator_steps_drive_the_students_operators_not_the_classes() -> None:
    """Negative control: Mul and mul right but Variable.__mul__ bound to add: a * b + c gives 6 (3 + 2 + 1),
    and without __rsub__ 2.0 - x is Python's own TypeError, named with the expression."""
    broken = STEP24.replace("Variable.__mul__ = mul", "Variable.__mul__ = add").replace(
        "Variable.__rsub__ = rsub\n", ""
    )
    ran = run_inside({"step24.py": broken}, job("dezero", OPERATORS, **DZ24))
    assert _scalar(ran, "y", "abc") == 6.0
    failure = ran.case("rsub")["failure"]
    assert failure["code"] == "exception"
    assert "2.0 - x" in failure["message"] and "unsupported operand type(s) for -" in failure["message"]


def test_property_records_read_shape_len_dtype_and_repr() -> None:
    """x.shape (2, 3), ndim 2, size 6, len 2, dtype float64 and the book's repr (texts as their codes)."""
    props = ["shape", "ndim", "size", "len", "dtype", "repr"]
    steps = [{"do": "record", "key": p, "value_of": "x", "property": p} for p in props]
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    ran = run_inside({"step24.py": STEP24}, job("dezero", [case("c", {"x": x}, steps)], **DZ24))
    values = {p: ran.record(p) for p in props}
    assert values["shape"].tolist() == [2.0, 3.0]
    assert [values[p].item() for p in ("ndim", "size", "len")] == [2.0, 6.0, 2.0]
    text = {p: "".join(chr(int(c)) for c in values[p]) for p in ("dtype", "repr")}
    assert text == {"dtype": "float64", "repr": "variable([[1. 2. 3.]\n          [4. 5. 6.]])"}


def test_a_missing_property_is_the_students_attribute_error() -> None:
    """Negative control: the step-18 Variable has no shape: the record fails naming the attribute."""
    steps = [{"do": "record", "key": "shape", "value_of": "x", "property": "shape"}]
    cases = [case("c", {"x": [1.0, 2.0]}, steps)]
    ran = run_inside({"steps/step18.py": S.DEZERO}, job("dezero", cases, **DZ))
    failure = ran.case()["failure"]
    assert failure["code"] == "exception" and "shape" in failure["message"]


ARRAY_LEFT = [
    case(
        "left",
        {"a": np.array([[2.0, -0.5]]), "x": np.array([[0.5, 4.0]])},
        [
            {
                "do": "apply",
                "op": "mul",
                "args": ["a", "x"],
                "out": "y",
                "operator": True,
                "plain": {"a": "ndarray"},
            },
            {"do": "backward", "of": "y"},
            {"do": "record", "key": "y", "value_of": "y"},
            _rec("dx", "x"),
        ],
    )
]


def test_an_ndarray_on_the_left_needs_array_priority() -> None:
    """np.array(a) * x is the Variable's __rmul__ with __array_priority__ (y = a * x = [1, -2], dx = a);
    without it numpy multiplies element by element into an ndarray, and the error names the attribute."""
    ran = run_inside({"step24.py": STEP24}, job("dezero", ARRAY_LEFT, **DZ24))
    assert ran.record("y", "left").tolist() == [[1.0, -2.0]]
    assert ran.record("dx", "left").tolist() == [[2.0, -0.5]]
    assert "__array_priority__ = 200" in STEP24
    without = STEP24.replace("__array_priority__ = 200", "")
    failure = run_inside({"step24.py": without}, job("dezero", ARRAY_LEFT, **DZ24)).case("left")["failure"]
    assert failure["code"] == "exception"
    assert "np.array(a) * x returned a numpy array" in failure["message"]
    assert "__array_priority__ = 200" in failure["message"]


def test_a_helper_the_class_stands_in_for_is_not_reported_missing() -> None:
    """step18_classes_only.py calls Square()(x), Add()(x0, x1): the cases call the classes and pass, so the
    load lists no "missing: square (you defined Square)" (it did, above all-passing cases). Control: a
    required class that is absent is still missing."""
    classes_only = (
        Path(__file__).resolve().parents[2] / "submissions/dezero/step18_classes_only.py"
    ).read_text()
    required = {"required": ["Variable", "Function", "Square", "Add", "square", "add"]}
    ran = run_inside({"steps/step18.py": classes_only}, job("dezero", CASES, **{**DZ, **required}))
    assert ran.loaded["missing"] == [] and ran.loaded.get("near", {}) == {}
    assert _scalar(ran, "dx", "diamond") == 64.0  # through the classes (FACTS: the diamond's 64)
    no_add = classes_only.replace("class Add(", "class Plus(")
    ran = run_inside({"steps/step18.py": no_add}, job("dezero", CASES, **{**DZ, **required}))
    assert ran.loaded["missing"] == ["Add", "add"]


# ---------------------------------------------------------------- steps 33 to 35: create_graph
DEZERO_SAMPLES = Path(__file__).resolve().parents[2] / "submissions" / "dezero"
STEP33 = (DEZERO_SAMPLES / "step33_core_for_step18.py").read_text()  # a step-33 core in one file
NEWTON = [
    case(
        "newton",
        {"x": 2.0, "k2": 2.0},
        [
            _op("pow", ["x"], "t1", c=4),
            _op("pow", ["x"], "t2", c=2),
            _op("mul", ["k2", "t2"], "t3", plain={"k2": "int"}),
            _op("sub", ["t1", "t3"], "y"),
            {"do": "backward", "of": "y", "create_graph": True},
            _rec("dx", "x", "_1"),
            {"do": "grad", "of": "x", "out": "gx"},
            {"do": "cleargrad", "of": "x"},
            {"do": "backward", "of": "gx"},
            _rec("dx", "x", "_2"),
        ],
    )
]


def test_create_graph_gives_the_books_second_derivative() -> None:
    """Step 33: y = x ** 4 - 2 * x ** 2 at 2, y.backward(create_graph=True): 24; gx = x.grad,
    x.cleargrad(), gx.backward(): 44 (the book's numbers)."""
    ran = run_inside({"step24.py": STEP33}, job("dezero", NEWTON, **DZ24))
    assert (_scalar(ran, "dx_1", "newton"), _scalar(ran, "dx_2", "newton")) == (24.0, 44.0)


def test_a_gradient_wrapped_in_a_second_variable_is_told_so() -> None:
    """Step 32 on, `x.grad = Variable(gx)` with gx a Variable already, accepted by a Variable without step 9's
    type check: the first derivative read as numbers passed (the array read unwraps .data twice), and
    gx = x.grad for a second backward was a Variable whose .data is a Variable. Both reads now fail naming
    it (sample book_step35_grad_wrapped/); the one-file core as written (test above) is the control."""
    src = STEP33.replace(
        "        if data is not None and not isinstance(data, (np.ndarray,)):\n"
        '            raise TypeError(f"{type(data)} is not supported")\n',
        "",
    ).replace("x.grad = gx if x.grad is None", "x.grad = Variable(gx) if x.grad is None")
    assert src.count("Variable(gx)") == 1 and "is not supported" not in src
    first = [step for step in NEWTON[0]["steps"] if step["do"] in ("apply", "record")][:5]
    first.insert(4, {"do": "backward", "of": "y"})
    jobs = [*NEWTON, case("first", {"x": 2.0, "k2": 2.0}, first)]
    ran = run_inside({"step24.py": src}, job("dezero", jobs, **DZ24))
    for cid in ("newton", "first"):
        message = ran.case(cid)["failure"]["message"]
        assert message.startswith("x.grad.data is a Variable, not an ndarray: the gradient was wrapped"), (
            message
        )


MUL_XY = {"x0": np.array([1.0, 2.0]), "x1": np.array([3.0, 4.0])}


def test_a_forward_returning_a_variable_is_told_so_not_the_book_line_that_wraps_it() -> None:
    """Mul.forward returning Variable(x0 * x1): step 9's check refuses it in Function.__call__'s book line
    `outputs = [Variable(as_array(y)) for y in ys]`, which is right. The message names Mul.forward (from the
    case's own apply, and from the helper's `return Mul()(x0, x1)` for the operator), shows the frame as
    Function.__call__ (Python 3.11's `.<locals>.<listcomp>` read as the function holding it) and never
    suggests as_variable, no fix there (review of s22-real2, finding 1). Control, real frames too: a
    __call__ wrapping its inputs with Variable() is told as_variable, not that a forward returned one."""
    src = STEP24.replace("        return x0 * x1\n", "        return Variable(x0 * x1)\n")
    assert src.count("Variable(x0 * x1)") == 1
    cases = [
        case("unit", MUL_XY, [{"do": "apply", "op": "Mul", "args": ["x0", "x1"], "out": "y"}]),
        case("operator", MUL_XY, [_op("mul", ["x0", "x1"], "y")]),
    ]
    ran = run_inside({"step24.py": src}, job("dezero", cases, **DZ24))
    for cid in ("unit", "operator"):
        message = ran.case(cid)["failure"]["message"]
        assert (
            "a Variable reached Variable(), which takes an ndarray: Mul.forward returned a Variable, and "
            "Function.__call__ (line 120: `outputs = [Variable(as_array(y)) for y in ys]`) wraps it again"
        ) in message, message
        assert "as_variable" not in message and "<locals>" not in message, message
    inputs = STEP24.replace(
        "inputs = [as_variable(x) for x in inputs]", "inputs = [Variable(x) for x in inputs]"
    )
    assert inputs != STEP24
    message = run_inside({"step24.py": inputs}, job("dezero", cases[1:], **DZ24)).case("operator")["failure"][
        "message"
    ]
    assert "Function.__call__ (line 115: `inputs = [Variable(x) for x in inputs]`) wraps a value" in message
    assert "use as_variable(obj)" in message and "forward returned" not in message, message


@pytest.mark.parametrize(
    ("old", "new", "told"),
    [
        (  # Variable.backward wrapping every gradient in a list comprehension (a frame of its own on 3.11)
            "                    gxs = [gxs]\n",
            "                    gxs = [gxs]\n                gxs = [Variable(gx) for gx in gxs]\n",
            "Variable.backward (line 93: `gxs = [Variable(gx) for gx in gxs]`) wraps a value that is a "
            "Variable already. From step 32 the gradients and what each backward returns are Variables: keep "
            "them as they are (x.grad = gx)",
        ),
        (
            "        return gy * x1, gy * x0\n",
            "        return Variable(gy * x1), Variable(gy * x0)\n",
            "Mul.backward (line 168: `return Variable(gy * x1), Variable(gy * x0)`) wraps a value that is a "
            "Variable already. From step 32 the gradients and what each backward returns are Variables: keep "
            "them as they are (return gy * ..., not Variable(gy * ...))",
        ),
    ],
)
def test_a_gradient_wrapped_again_in_a_backward_names_that_backward(old: str, new: str, told: str) -> None:
    """Step 9's check refusing a gradient that is a Variable already, wrapped in a backward: the backward's
    line is named as the function holding it (never `Variable.backward.<locals>.<listcomp>`, which missed
    the gradient advice: review of s22-real2, finding 1), with the fix for that backward."""
    src = STEP33.replace(old, new)
    assert src.count(new) == 1
    steps = [_op("mul", ["x0", "x1"], "y"), {"do": "backward", "of": "y"}, _rec("dx0", "x0")]
    message = run_inside({"step24.py": src}, job("dezero", [case("c", MUL_XY, steps)], **DZ24)).case()[
        "failure"
    ]["message"]
    assert "a Variable reached Variable(), which takes an ndarray: " + told in message, message
    assert "<locals>" not in message and "forward returned" not in message, message


def test_a_backward_returning_a_wrapped_gradient_fails_its_unit_case_naming_it() -> None:
    """Mul.backward returning Variable(gy * x1), Variable(gy * x0) (step 32 on: gy * x1 is a Variable
    already) over a Variable without step 9's type check: the unit case read the result as numbers and
    passed (the array read unwraps .data twice). It now fails naming Mul.backward, for one gradient of an
    input and for two of an input used twice (Mul(x0, x0), summed); the backward as written is the control
    (review of s22-real2, finding 2)."""
    unchecked = STEP33.replace(
        "        if data is not None and not isinstance(data, (np.ndarray,)):\n"
        '            raise TypeError(f"{type(data)} is not supported")\n',
        "",
    )
    wrapped = unchecked.replace(
        "        return gy * x1, gy * x0\n", "        return Variable(gy * x1), Variable(gy * x0)\n"
    )
    assert "is not supported" not in unchecked and wrapped.count("Variable(gy * x1)") == 1
    inputs = {**MUL_XY, "gy": np.array([0.5, 2.0])}
    cases = [
        case(
            cid,
            inputs,
            [
                {"do": "apply", "op": "Mul", "args": args, "out": "y"},
                {"do": "backward_local", "of": "y", "upstream": "gy"},
                {"do": "record", "key": "dx0", "grad_of": "x0", "via": "y"},
            ],
        )
        for cid, args in (("one", ["x0", "x1"]), ("twice", ["x0", "x0"]))
    ]
    ran = run_inside({"step24.py": wrapped}, job("dezero", cases, **DZ24))
    for cid in ("one", "twice"):
        failure = ran.case(cid)["failure"]
        assert failure["code"] == "exception", failure
        assert failure["message"].startswith(
            "Mul.backward returned the gradient of x0 as a Variable whose .data is a Variable, not an "
            "ndarray: it was wrapped in Variable() once too often"
        ), failure["message"]
    ran = run_inside({"step24.py": unchecked}, job("dezero", cases, **DZ24))
    gy, x0, x1 = inputs["gy"], inputs["x0"], inputs["x1"]
    assert ran.record("dx0", "one").tolist() == (gy * x1).tolist()  # d(x0 x1)/dx0 = x1, by hand
    assert ran.record("dx0", "twice").tolist() == (2 * gy * x0).tolist()  # d(x0^2)/dx0 = 2 x0


def test_a_backward_without_create_graph_is_told_what_step_33_adds() -> None:
    """Negative control: the step-24 core has no create_graph parameter: not_implemented, naming it (not
    Python's "unexpected keyword argument")."""
    ran = run_inside({"step24.py": STEP24}, job("dezero", NEWTON, **DZ24))
    failure = ran.case("newton")["failure"]
    assert failure["code"] == "not_implemented"
    assert "no create_graph parameter" in failure["message"]


REFUSE_FLOAT = [
    case("c", {"s": 1.0}, [{"do": "record", "key": "rejects", "probe": "rejects_float", "of": "s"}])
]
BOOK_CHECK = "raise TypeError('{} is not supported'.format(type(data)))"


@pytest.mark.parametrize(
    "check",
    [
        "raise ValueError('{} is not supported'.format(type(data)))",
        "raise RuntimeError(\n                    'only arrays')",
        "assert isinstance(data, np.ndarray), 'only arrays'",
    ],
)
def test_a_float_refused_by_the_students_own_check_counts_whatever_the_exception(check: str) -> None:
    """Step 9's check raising ValueError, another Exception, or an assert: Variable(1.0) is refused (True),
    as the book's TypeError is (s11 item 3)."""
    assert BOOK_CHECK in S.DEZERO
    ran = run_inside(
        {"steps/step18.py": S.DEZERO.replace(BOOK_CHECK, check)}, job("dezero", REFUSE_FLOAT, **DZ)
    )
    assert ran.record("rejects") is True


def test_a_float_that_crashes_the_constructor_is_no_refusal() -> None:
    """Negative control: no check, and `data.ndim` on the float raises AttributeError on a line that is not
    a raise: the case fails with that error, naming the line; a TODO (NotImplementedError) is no refusal."""
    crash = S.DEZERO.replace(
        BOOK_CHECK, "pass\n        if data is not None and data.ndim > 3:\n            pass"
    )
    failure = run_inside({"steps/step18.py": crash}, job("dezero", REFUSE_FLOAT, **DZ)).case()["failure"]
    assert failure["code"] == "exception" and "AttributeError" in failure["message"]
    assert "data.ndim > 3" in failure["message"]
    todo = S.DEZERO.replace(BOOK_CHECK, "raise NotImplementedError('step 9')")
    failure = run_inside({"steps/step18.py": todo}, job("dezero", REFUSE_FLOAT, **DZ)).case()["failure"]
    assert failure["code"] == "not_implemented"


def test_an_upstream_gradient_under_create_graph_is_seeded_as_a_variable() -> None:
    """y = x + x, `y.grad = u` then y.backward(create_graph=True): step 33 seeds a Variable, so x.grad is the
    Variable gy + gy (2u, the reference's and torch's). The adapter set the array u itself: Add.backward
    returns gy as given, x.grad was an ndarray, and `gx = x.grad` failed the case as the student's "numpy
    array, not a Variable". Control: the same case without upstream (the seed is the student's own)."""
    steps = [
        {"do": "apply", "op": "add", "args": ["x", "x"], "out": "y"},
        {"do": "backward", "of": "y", "upstream": "u", "create_graph": True},
        _rec("dx", "x", "_1"),
        {"do": "grad", "of": "x", "out": "gx"},
    ]
    seeded = case("seeded", {"x": 3.0, "u": 5.0}, steps)
    plain = case(
        "plain", {"x": 3.0}, [steps[0], {k: v for k, v in steps[1].items() if k != "upstream"}, *steps[2:]]
    )
    ran = run_inside({"step24.py": STEP33}, job("dezero", [seeded, plain], **DZ24))
    assert ran.case("seeded").get("failure") is None and ran.case("plain").get("failure") is None
    assert (_scalar(ran, "dx_1", "seeded"), _scalar(ran, "dx_1", "plain")) == (10.0, 2.0)


STEP02 = """
import numpy as np


class Variable:
    def __init__(self, data):
        self.data = data


class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(y)
        return output

    def forward(self, x):
        raise NotImplementedError()


class Square(Function):
    def forward(self, x):
        return x ** 2
"""
SQUARE_VALUE = [
    {"do": "apply", "op": "Square", "args": ["x"], "out": "y"},
    {"do": "record", "key": "value", "value_of": "y", "method": "Square.forward"},
]


@pytest.mark.parametrize("x", [10.0, [[0.5, -2.0], [1.5, 3.0]]])
def test_a_function_output_not_wrapped_in_a_variable_is_told_so(x) -> None:
    """Step 2's Function.__call__ returning forward's result as it is (a numpy float64 for a 0-d input, an
    ndarray otherwise): the case says Square returned y bare, not a Variable, and how to wrap it (it said
    "got a memoryview that cannot be read as numbers": the ndarray's `.data` buffer). Control: the book's
    step 2 gives 100 for x = 10 (FACTS: the book's print)."""
    step02 = {"modules": ["step02.py"], "required": ["Variable", "Function", "Square"]}
    cases = [case("square", {"x": x}, SQUARE_VALUE)]
    bare = STEP02.replace("        output = Variable(y)\n        return output\n", "        return y\n")
    failure = run_inside({"step02.py": bare}, job("dezero", cases, **step02)).case("square")["failure"]
    assert failure["code"] == "exception", failure
    assert "Square returned y as a bare" in failure["message"] and "not a Variable" in failure["message"]
    assert "Variable(y)" in failure["message"] and "memoryview" not in failure["message"]
    right = run_inside({"step02.py": STEP02}, job("dezero", cases, **step02))
    np.testing.assert_allclose(right.record("value", "square"), np.square(x))


STEP11_ADD = [
    {"do": "apply", "op": "Add", "args": ["x0", "x1"], "out": "y", "as_list": True},
    {"do": "record", "key": "value", "value_of": "y", "method": "Add.forward"},
]


def test_step_11_calls_the_class_with_one_list_and_takes_the_first_output() -> None:
    """The book's step 11: `ys = Add()([x0, x1]); y = ys[0]` gives 5 for 2 and 3 (its print). Before, every
    case called Add()(x0, x1) with two arguments: TypeError, __call__() takes 2 positional arguments."""
    source = (DEZERO_SAMPLES / "step11.py").read_text()
    fields = {"modules": ["step11.py"], "required": ["Variable", "Function", "Add"]}
    cases = [case("add", {"x0": 2.0, "x1": 3.0}, STEP11_ADD)]
    ran = run_inside({"step11.py": source}, job("dezero", cases, **fields))
    np.testing.assert_allclose(ran.record("value", "add"), 5.0)
    two_arguments = [
        case("add", {"x0": 2.0, "x1": 3.0}, [{**STEP11_ADD[0], "as_list": False}, STEP11_ADD[1]])
    ]
    failure = run_inside({"step11.py": source}, job("dezero", two_arguments, **fields)).case("add")["failure"]
    assert failure["code"] == "exception" and "TypeError" in failure["message"], failure


MLP_LAYER = [
    {"do": "apply", "op": "MLP", "args": ["x", "W0", "b0", "W1", "b1"], "out": "y", "layer": "model"},
    {"do": "backward", "of": "y"},
    {"do": "record", "key": "value", "value_of": "y", "method": "MLP.forward"},
    _rec("dW0", "W0"),
    {"do": "cleargrads", "of": "model"},
    _rec("dW1_cleared", "W1"),
]
MLP_INPUTS = {
    "x": [[0.5, -1.0], [1.5, 0.25]],
    "W0": [[0.2, -0.4, 0.6], [1.0, 0.3, -0.5]],
    "b0": [0.1, -0.2, 0.05],
    "W1": [[0.7], [-0.3], [0.4]],
    "b1": [0.05],
}


def _book_step45(models: str | None = None) -> dict[str, str]:
    folder = DEZERO_SAMPLES / "book_step45"
    files = {str(p.relative_to(folder)): p.read_text() for p in folder.rglob("*.py")}
    return files if models is None else {**files, "dezero/models.py": models}


def test_mlp_is_built_from_the_cases_shapes_and_its_layers_hold_the_cases_arrays() -> None:
    """Step 45: MLP((3, 1)) from W0 (2, 3) and W1 (3, 1), called once on x, then model.l0.W.data ... set to
    the case's arrays: its value is sigmoid(x W0 + b0) W1 + b1 (computed here), and model.cleargrads()
    reaches l1's W through params() recursing into the Linear layers."""
    fields = {"modules": ["steps/step45.py"], "required": ["Variable", "Function", "MLP"]}
    ran = run_inside(_book_step45(), job("dezero", [case("mlp", MLP_INPUTS, MLP_LAYER)], **fields))
    i = {k: np.asarray(v) for k, v in MLP_INPUTS.items()}
    h = 1 / (1 + np.exp(-(i["x"] @ i["W0"] + i["b0"])))
    np.testing.assert_allclose(ran.record("value", "mlp"), h @ i["W1"] + i["b1"], rtol=1e-6)
    assert ran.record("dW0", "mlp") is not None and ran.record("dW1_cleared", "mlp") is None


def test_an_mlp_keeping_its_layers_in_a_list_only_is_told_what_the_book_names_them() -> None:
    """An MLP whose Linear layers live only in self.layers (no setattr): the case stops at its first call,
    naming the missing model.l0 and the book's setattr(self, 'l' + str(i), layer) (a Layer attribute, which
    params() can find); it does not read some other W."""
    models = (DEZERO_SAMPLES / "book_step45" / "dezero" / "models.py").read_text()
    list_only = models.replace("            setattr(self, 'l' + str(i), layer)\n", "")
    assert list_only != models
    fields = {"modules": ["steps/step45.py"], "required": ["Variable", "Function", "MLP"]}
    job_ = job("dezero", [case("mlp", MLP_INPUTS, MLP_LAYER)], **fields)
    failure = run_inside(_book_step45(list_only), job_).case("mlp")["failure"]
    assert failure["code"] == "not_implemented", failure
    assert "MLP has no parameter l0.W" in failure["message"]
    assert "setattr(self, 'l' + str(i), layer)" in failure["message"]


MLP3_INPUTS = {
    **MLP_INPUTS,
    "W1": [[0.7, 0.1], [-0.3, 0.2], [0.4, -0.6]],
    "b1": [0.05, -0.1],
    "W2": [[0.3], [-0.8]],
    "b2": [0.2],
}
MLP3_LAYER = [
    {
        "do": "apply",
        "op": "MLP",
        "args": ["x", "W0", "b0", "W1", "b1", "W2", "b2"],
        "out": "y",
        "layer": "model",
    },
    {"do": "record", "key": "value", "value_of": "y", "method": "MLP.forward"},
]
LINEAR_LAYER = [
    {"do": "apply", "op": "Linear", "args": ["x", "W0", "b0"], "out": "y", "layer": "fc"},
    {"do": "record", "key": "value", "value_of": "y", "method": "Linear.forward"},
]
# step 44's lazy Linear.forward drawing W into a local: it computes right and never keeps W in self.W.data
W_NOT_KEPT = (
    "        W = self.W\n"
    "        if W.data is None:\n"
    "            self.in_size = x.shape[1]\n"
    "            I, O = self.in_size, self.out_size\n"
    "            W = Parameter(np.random.randn(I, O).astype(self.dtype) * np.sqrt(1 / I), name='W')\n"
    "\n"
    "        y = F.linear(x, W, self.b)\n"
)
BOOK_MLP_FORWARD = (
    "        for l in self.layers[:-1]:\n"
    "            x = self.activation(l(x))\n"
    "        return self.layers[-1](x)\n"
)
TWO_LAYER_FORWARD = "        x = self.activation(self.l0(x))\n        return self.l1(x)\n"


def _mlp3_value() -> np.ndarray:
    """sigmoid(sigmoid(x W0 + b0) W1 + b1) W2 + b2 for MLP3_INPUTS, by hand."""
    i = {k: np.asarray(v) for k, v in MLP3_INPUTS.items()}
    h = 1 / (1 + np.exp(-(i["x"] @ i["W0"] + i["b0"])))
    h = 1 / (1 + np.exp(-(h @ i["W1"] + i["b1"])))
    return h @ i["W2"] + i["b2"]


def _edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def _w_not_kept() -> dict[str, str]:
    files = _book_step45()
    layers = files["dezero/layers.py"]
    start = layers.index("        if self.W.data is None:\n")
    end = layers.index("        y = F.linear(x, self.W, self.b)\n") + len(
        "        y = F.linear(x, self.W, self.b)\n"
    )
    return {**files, "dezero/layers.py": layers[:start] + W_NOT_KEPT + layers[end:]}


def _w_none_two_layers(loop: bool, absent: bool = False) -> dict[str, str]:
    """book_step45 whose Linear keeps self.W = None (`absent`: no W attribute at all) until its first call
    makes it a Parameter; MLP.forward over self.layers (`loop`) or written for self.l0 and self.l1 only."""
    files = _book_step45()
    start = "        self.W = None\n" if not absent else ""
    layers = _edited(files["dezero/layers.py"], "        self.W = Parameter(None, name='W')\n", start)
    layers = _edited(layers, "self.W.data = W_data", "self.W = Parameter(W_data, name='W')")
    check = "if self.W is None:" if not absent else "if not hasattr(self, 'W'):"
    layers = _edited(layers, "if self.W.data is None:", check)
    models = files["dezero/models.py"]
    if not loop:
        models = _edited(models, BOOK_MLP_FORWARD, TWO_LAYER_FORWARD)
    return {**files, "dezero/layers.py": layers, "dezero/models.py": models}


def test_a_linear_drawing_w_without_keeping_it_is_not_said_to_be_skipped() -> None:
    """A Linear.forward drawing W into a local (`W = Parameter(randn(I, O) ...)`, y = F.linear(x, W, b))
    ran, but left self.W.data None: the message says the forward never ran *or* drew W without keeping
    it (self.W.data = W_data), for an L.Linear and for an MLP whose every W is None. It said "fc never ran
    its forward", and for the MLP blamed MLP.forward for skipping layers, which the book's loop does not."""
    fields = {"modules": ["steps/step45.py"], "required": ["Variable", "Function", "MLP"]}
    files = _w_not_kept()
    linear = run_inside(files, job("dezero", [case("fc", MLP_INPUTS, LINEAR_LAYER)], **fields)).case("fc")
    said = linear["failure"]["message"]
    assert linear["failure"]["code"] == "exception", linear
    assert "fc.W.data is still None after the first call fc(x)" in said, said
    assert "drew W without keeping it (self.W.data = W_data" in said and "fc never ran" not in said, said
    mlp = run_inside(files, job("dezero", [case("mlp", MLP3_INPUTS, MLP3_LAYER)], **fields)).case("mlp")
    said = mlp["failure"]["message"]
    assert "model.l0.W.data is still None after the first call model(x), as every layer's W is" in said, said
    assert "drew W without keeping it" in said and "MLP.forward should" not in said, said


@pytest.mark.parametrize(
    ("absent", "said"),
    [
        (False, "model.l2.W is still None after the first call model(x), while model.l0.W was created"),
        (True, "model.l2 has no W after the first call model(x), while model.l0.W was created"),
    ],
)
def test_a_two_layer_forward_over_linears_starting_w_at_none_is_told_it_skipped_l2(absent, said) -> None:
    """A Linear keeping self.W = None (or no W at all) until its first call, under an MLP.forward written
    for l0 and l1: in MLP((3, 4, 2)) model.l2's W is not there while l0's was made, so l2 never ran its
    forward and the message names the book's loop over self.layers (it said "MLP has no parameter l2.W",
    pointing at setattr). Control: the same Linear under the book's loop gives
    sigmoid(sigmoid(x W0 + b0) W1 + b1) W2 + b2 (computed here)."""
    fields = {"modules": ["steps/step45.py"], "required": ["Variable", "Function", "MLP"]}
    job_ = job("dezero", [case("mlp", MLP3_INPUTS, MLP3_LAYER)], **fields)
    failure = run_inside(_w_none_two_layers(loop=False, absent=absent), job_).case("mlp")["failure"]
    message = failure["message"]
    assert failure["code"] == "exception", failure
    assert said in message, message
    assert "model.l2 never ran its forward" in message and "for l in self.layers[:-1]" in message, message
    ran = run_inside(_w_none_two_layers(loop=True, absent=absent), job_)
    np.testing.assert_allclose(ran.record("value", "mlp"), _mlp3_value(), rtol=1e-6)


def test_a_layers_parameters_are_read_in_one_round_trip() -> None:
    """After an MLP((3, 4, 2))'s first call, its six Parameters and their values are read in one round trip
    (they took four each: l0, l0.W, whether W.data is None, W.data): the whole job took 29 round trips,
    6 now."""
    fields = {"modules": ["steps/step45.py"], "required": ["Variable", "Function", "MLP"]}
    ran = run_inside(_book_step45(), job("dezero", [case("mlp", MLP3_INPUTS, MLP3_LAYER)], **fields),
                     driver=COUNTING_ROUND_TRIPS)  # fmt: skip
    np.testing.assert_allclose(ran.record("value", "mlp"), _mlp3_value(), rtol=1e-6)
    assert int(ran.stdout.split("round trips ")[-1].split()[0]) <= 8


def test_an_inner_layers_shape_is_not_said_to_come_from_x() -> None:
    """The shape check of an MLP's inner Linear (l1.W) names no input: l1's input is l0's output, and the
    message said "for x of shape (2, 2)" of it. Here the case's W1 (4, 1) cannot follow W0 (2, 3), so the
    l1.W the MLP creates, (3, 1), is the one compared. Control: l0.W's message keeps x's shape."""
    fields = {"modules": ["steps/step45.py"], "required": ["Variable", "Function", "MLP"]}
    inner = {**MLP_INPUTS, "W1": [[0.7], [-0.3], [0.4], [0.1]]}
    failure = run_inside(_book_step45(), job("dezero", [case("mlp", inner, MLP_LAYER)], **fields)).case("mlp")
    message = failure["failure"]["message"]
    assert "created l1.W of shape (3, 1); it should be (4, 1)" in message and "for x" not in message, message
    outer = {**MLP_INPUTS, "W0": [[0.2, -0.4], [1.0, 0.3], [0.5, 0.5]], "W1": [[0.7], [-0.3]]}  # x is (2, 2)
    failure = run_inside(_book_step45(), job("dezero", [case("mlp", outer, MLP_LAYER)], **fields)).case("mlp")
    said = failure["failure"]["message"]
    assert "created l0.W of shape (2, 2) for x of shape (2, 2); it should be (3, 2)" in said, said


def test_a_lazy_linear_sized_from_the_batch_says_so_before_numpys_words() -> None:
    """A lazy Linear reading `in_size = x.shape[0]` creates W (N, O) and fails in x.dot(W), where numpy's
    clause suggests "a missing .T?": the message first names model.l0.W's shape, the batch size, and the
    (features, out) it should be. Control: W created as randn(O, I), the transpose, fails at the same line
    and is told nothing about the batch (x (3, 2) here, so neither W fits by accident)."""
    fields = {"modules": ["steps/step45.py"], "required": ["Variable", "Function", "MLP"]}
    inputs = {**MLP_INPUTS, "x": [[0.5, -1.0], [1.5, 0.25], [0.1, 0.2]]}
    layers = _book_step45()["dezero/layers.py"]
    batch = layers.replace("self.in_size = x.shape[1]", "self.in_size = x.shape[0]")
    swapped = layers.replace("np.random.randn(I, O)", "np.random.randn(O, I)")
    assert batch != layers and swapped != layers
    said = {}
    for name, source in (("batch", batch), ("swapped", swapped)):
        files = {**_book_step45(), "dezero/layers.py": source}
        ran = run_inside(files, job("dezero", [case("mlp", inputs, MLP_LAYER)], **fields)).case("mlp")
        said[name] = ran["failure"]["message"]
    assert said["batch"].startswith(
        "model.l0.W was created with shape (3, 3), the batch size x.shape[0] by out_size, on the first call "
        "(Linear.forward, where the book draws W): in_size is x.shape[1] (the features, 2), not x.shape[0] "
        "(the batch, 3), so model.l0.W should be (2, 3). calling model = MLP"
    ), said["batch"]
    assert "batch size" not in said["swapped"] and "not aligned" in said["swapped"], said["swapped"]


def test_a_switch_that_refuses_to_be_put_back_is_said_as_that_step() -> None:
    """A Config whose class refuses a set from outside its own file (the grader's putting enable_backprop
    back before each case): every case errors, as the student's code refuses the step, and the message says
    which step. It said "exception loading the submission" for the first case and "checking the inputs" for
    the next, the context left from before: both steps had passed."""
    guarded = (
        "import sys as _sys\n\n\nclass _Guarded(type):\n    def __setattr__(cls, name, value):\n"
        "        if _sys._getframe(1).f_code.co_filename != __file__:\n"
        "            raise RuntimeError('refused ' + name)\n"
        "        super().__setattr__(name, value)\n\n\n"
        "class Config(metaclass=_Guarded):\n    enable_backprop = True"
    )
    src = S.DEZERO.replace("class Config:\n    enable_backprop = True", guarded)
    assert src != S.DEZERO
    ran = run_inside({"dezero.py": src}, job("dezero", CASES[:2], **DZ))
    for cid in ("add-twice", "diamond"):
        message = ran.case(cid)["failure"]["message"]
        assert message.startswith("putting Config.enable_backprop back to its value when your code"), message
        assert "refused enable_backprop" in message


def test_data_holding_a_variable_is_a_failure_naming_the_update():
    """`param.data = param.data - self.lr * param.grad` stores a Variable in .data: reading it as numbers
    passed (the array read unwraps .data twice); it now fails, naming param.grad.data. Decided by structure:
    an object whose own .data holds numbers, whatever its class is called (`Variable = Var`, a __qualname__
    set). An ndarray, a scalar, None, a list, and an object with no .data or a buffer in it are not this
    failure (controls)."""
    from grader.inside.adapters.dezero import _variable_in_data
    from grader.inside.remote import Ref

    def ref(rid: int, desc: dict[str, object] | None) -> Ref:
        return Ref(None, rid, desc)  # type: ignore[arg-type]

    array = ref(1, {"k": "ndarray", "n": "ndarray", "t": 9, "shape": [2], "dtype": "f"})
    for name in ("Variable", "Var", "Tensor", "Variable</b> **x**"):  # any name: none is trusted
        stored = ref(2, {"k": "object", "n": name, "t": 8})
        failure = _variable_in_data("W", stored, array, "SGD")
        assert failure is not None and failure.code == "exception"
        assert failure.message.startswith(f"W.data is a {name}, not an ndarray"), failure.message
        assert "param.grad.data" in failure.message and "SGD.update_one" in failure.message
    held = ref(3, {"k": "object", "n": "V", "t": 8})
    nested = _variable_in_data("W", held, ref(4, {"k": "object", "n": "V"}))
    assert nested is not None and "param.grad" not in nested.message  # no update ran: no update named
    missing = ref(5, {"k": "missing", "n": "?"})
    plain = (array, ref(6, {"k": "scalar", "n": "float64"}), ref(7, {"k": "none"}), ref(8, {"k": "list"}))
    for data in plain:
        assert _variable_in_data("W", data, missing) is None  # what the array read takes as it is
    holder = ref(9, {"k": "object", "n": "Variable", "t": 8})
    for inner in (missing, ref(10, {"k": "none"}), ref(11, {"k": "object", "n": "memoryview", "t": 11})):
        assert _variable_in_data("W", holder, inner) is None  # nothing unwrapped twice
    assert _variable_in_data("W", holder, ref(12, None)) is None  # its batch stopped before the .data read


def test_the_variable_in_data_message_quotes_the_optimizers_own_rule():
    """Review of s21-real2 (finding 5): MomentumSGD's failure quoted SGD's `param.data = param.data - self.lr
    * param.grad`, code the student never wrote. Each optimizer's own line is quoted; one the table does not
    know is told without code (control)."""
    from grader.inside.adapters.dezero import _variable_in_data
    from grader.inside.remote import Ref

    holder = Ref(None, 1, {"k": "object", "n": "Variable", "t": 8})  # type: ignore[arg-type]
    array = Ref(None, 2, {"k": "ndarray", "n": "ndarray", "t": 9})  # type: ignore[arg-type]

    def said(optimizer: str) -> str:
        failure = _variable_in_data("W", holder, array, optimizer)
        assert failure is not None
        return failure.message

    sgd = "param.data = param.data - self.lr * param.grad"
    assert sgd in said("SGD") and "SGD.update_one" in said("SGD")
    momentum = said("MomentumSGD")
    assert "v = self.momentum * v - self.lr * param.grad" in momentum and sgd not in momentum
    assert "MomentumSGD.update_one" in momentum and "param.grad.data" in momentum
    other = said("AdaGrad")
    assert "self.lr" not in other and "AdaGrad.update_one" in other and "param.grad.data" in other


def test_a_linear_taking_the_input_size_first_is_recognised() -> None:
    """torch's Linear(in_features, out_features) and its spellings; controls: the book's Linear(out_size,
    ..., in_size=None), an input size with a default, an unknown first name, too few parameters."""
    from grader.inside.adapters.dezero import _takes_in_size_first
    from grader.inside.remote import Param

    def init(*params: tuple[str, bool]) -> tuple[Param, ...]:
        return (Param("self", 1, False), *(Param(n, 1, d) for n, d in params))

    names = ("in_size", "in_features", "input_size", "input_dim", "in_dim", "n_in", "I")
    for first in (*names, "n_inputs", "num_inputs", "dim_in", "size_in", "d_in", "nin", "fan_in"):
        assert _takes_in_size_first(init((first, False), ("out_size", False)))
    for other in ("out_size", "n_out", "n_outputs", "index", "inputs_list", "units", "hidden_size"):
        assert not _takes_in_size_first(init((other, False), ("out_size", False)))
    assert not _takes_in_size_first(init(("out_size", False), ("nobias", True), ("in_size", True)))
    assert not _takes_in_size_first(init(("in_size", True), ("out_size", False)))
    assert not _takes_in_size_first(init(("hidden", False), ("out_size", False)))
    assert not _takes_in_size_first(init(("in_size", False)))
    assert not _takes_in_size_first(None)


def test_a_functions_outputs_are_read_in_the_round_trip_that_makes_them() -> None:
    """Function.backward's result is read as its items (a tuple, a list) or as itself in the batch that
    calls it (server `items_or`): Add.backward's (gy, gy) took a round trip for its kind and another for
    its items, now one; Square.backward's one gradient one as before. 9 round trips for the job on a copy
    of main before session 30, 8 now; the gradients by hand: Add's gy for both inputs, Square's
    2 * x0 * gy."""
    inputs = {"x0": [[1.0, -2.0]], "x1": [[3.0, 4.0]], "gy": [[0.5, 2.0]]}
    ran = run_inside({"dezero.py": S.DEZERO}, job("dezero", [case("c", inputs, _ADD_THEN_SQUARE)], **DZ),
                     driver=COUNTING_ROUND_TRIPS)  # fmt: skip
    assert ran.record("dx0").tolist() == ran.record("dx1").tolist() == [[0.5, 2.0]]
    assert ran.record("ds").tolist() == [[1.0, -8.0]]
    assert int(ran.stdout.split("round trips ")[-1].split()[0]) == 8


def test_an_add_backward_tuple_whose_class_lies_is_one_output_as_before() -> None:
    """Add.backward returning (gy, gy) as a tuple subclass whose `__class__` claims a numpy scalar: `describe`
    calls it one value, so Add gave one gradient for two inputs, the message main's code gave (pasted from a
    run of 4f275593), and the next case is graded. Review of s30-strips: the server's `items_or` (by the real
    type) answered its items, read as a protocol violation that blamed file descriptor 3 and left every later
    case of the phase unrun (the DeZero sample with it: 49 -> 32 points)."""
    lying = "class Grads(tuple):\n    @property\n    def __class__(self):\n        return np.int8\n\n\n"
    src = S.DEZERO.replace("        return gy, gy\n", "        return Grads((gy, gy))\n", 1)
    assert src != S.DEZERO
    src = src.replace("class Add(", lying + "class Add(", 1)
    square = [step for step in _ADD_THEN_SQUARE if step.get("out") == "s" or step.get("of") == "s"]
    square.append(_ADD_THEN_SQUARE[-1])
    inputs = {"x0": [[1.0, -2.0]], "x1": [[3.0, 4.0]], "gy": [[0.5, 2.0]]}
    ran = run_inside({"dezero.py": src}, job("dezero", [case("c1", inputs, _ADD_THEN_SQUARE),
                                                         case("c2", inputs, square)], **DZ))  # fmt: skip
    failure = ran.case("c1")["failure"]
    assert failure["code"] == "exception", failure
    assert failure["message"] == (
        "Add.backward returned 1 gradient(s) for 2 input(s); return one per input, as a tuple: (gx0, gx1)"
    )
    assert ran.record("ds", "c2").tolist() == [[1.0, -8.0]]  # 2 * x0 * gy by hand
