"""DeZero steps 38 and 39: cases that call Variable's methods (reshape, transpose, T, sum), not the functions.

Before, only `reshape(x, shape)`, `transpose(x)` and `sum(x)` were called: a Variable.reshape that forgot to
unpack a single tuple, or a T returning self, got full marks. Expected values: numpy's reshape, transpose
and sum of the inputs (the book's methods hand their work to those functions).
"""

from __future__ import annotations

import numpy as np
import pytest
from inside_helpers import case, job, run_inside

# A minimal step-38/39 DeZero: Function over *inputs, Reshape, Transpose, Sum (forward and backward with
# Variables), and the book's methods on Variable.
STEP39 = """
import numpy as np


class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, f):
        self.creator = f

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return reshape(self, shape)

    def transpose(self):
        return transpose(self)

    @property
    def T(self):
        return transpose(self)

    def sum(self, axis=None, keepdims=False):
        return sum(self, axis, keepdims)

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        f = self.creator
        while f is not None:
            x, y = f.input, f.output
            x.grad = f.backward(y.grad)
            f = x.creator


class Function:
    def __call__(self, input):
        y = Variable(np.asarray(self.forward(input.data)))
        y.set_creator(self)
        self.input, self.output = input, y
        return y


class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return gy.reshape(self.x_shape)


class Transpose(Function):
    def forward(self, x):
        return np.transpose(x)

    def backward(self, gy):
        return np.transpose(gy)


class Sum(Function):
    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        return np.broadcast_to(gy, self.x_shape)


def reshape(x, shape):
    return Reshape(shape)(x)


def transpose(x):
    return Transpose()(x)


def sum(x, axis=None, keepdims=False):
    return Sum(axis, keepdims)(x)
"""
REQUIRED = {"modules": ["step39.py"], "required": ["Variable", "Function", "Reshape", "Transpose", "Sum"]}
X = np.arange(1.0, 7.0).reshape(2, 3)


def _method_case(cid: str, form: str, op: str, settings: dict, gy: np.ndarray) -> dict:
    apply = {"do": "apply", "op": op, "args": ["x"], "out": "y", "as_method": form}
    if settings:
        apply["settings"] = settings
    steps = [
        apply,
        {"do": "backward", "of": "y", "upstream": "gy"},
        {"do": "record", "key": "y", "value_of": "y"},
        {"do": "record", "key": "dx", "grad_of": "x"},
    ]
    return case(cid, {"x": X, "gy": gy}, steps)


GY6 = np.linspace(-1.0, 1.0, 6)
CASES = {
    "tuple": _method_case("tuple", "reshape", "Reshape", {"shape": [3, 2]}, GY6.reshape(3, 2)),
    "ints": _method_case("ints", "reshape_ints", "Reshape", {"shape": [1, 6]}, GY6.reshape(1, 6)),
    "transpose": _method_case("transpose", "transpose", "Transpose", {}, GY6.reshape(3, 2)),
    "T": _method_case("T", "T", "Transpose", {}, GY6.reshape(3, 2)),
    "sum": _method_case("sum", "sum", "Sum", {"axis": 0, "keepdims": True}, GY6[:3].reshape(1, 3)),
}
EXPECTED = {  # (y, dx) by numpy
    "tuple": (X.reshape(3, 2), GY6.reshape(2, 3)),
    "ints": (X.reshape(1, 6), GY6.reshape(2, 3)),
    "transpose": (X.T, GY6.reshape(3, 2).T),
    "T": (X.T, GY6.reshape(3, 2).T),
    "sum": (X.sum(axis=0, keepdims=True), np.broadcast_to(GY6[:3], (2, 3))),
}


def test_the_books_methods_give_numpys_values() -> None:
    ran = run_inside({"step39.py": STEP39}, job("dezero", list(CASES.values()), **REQUIRED))
    for cid, (y, dx) in EXPECTED.items():
        np.testing.assert_allclose(ran.record("y", cid), y, err_msg=cid)
        np.testing.assert_allclose(ran.record("dx", cid), dx, err_msg=cid)


def _failure(source: str, cid: str) -> dict:
    return run_inside({"step39.py": source}, job("dezero", [CASES[cid]], **REQUIRED)).case(cid)["failure"]


def test_a_reshape_that_does_not_unpack_a_tuple_fails_with_the_expression() -> None:
    """x.reshape((3, 2)) hands the method ((3, 2),): numpy's TypeError, under the expression evaluated."""
    kept = STEP39.replace(
        "        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):\n            shape = shape[0]\n",
        "",
    )
    failure = _failure(kept, "tuple")
    assert failure["code"] == "exception", failure
    assert "evaluating y = x.reshape((3, 2))" in failure["message"], failure
    assert "cannot be interpreted as an integer" in failure["message"], failure
    ran = run_inside({"step39.py": kept}, job("dezero", [CASES["ints"]], **REQUIRED))
    np.testing.assert_allclose(ran.record("y", "ints"), X.reshape(1, 6))  # several ints still work


@pytest.mark.parametrize(
    ("old", "new", "cid", "said"),
    [
        ("    @property\n    def T(self):\n        return transpose(self)", None, "T", "Variable has no T,"),
        (
            "    def sum(self, axis=None, keepdims=False):\n        return sum(self, axis, keepdims)",
            None,
            "sum",
            "Variable has no sum,",
        ),
        (
            "        return transpose(self)\n\n    def sum",
            "        return self\n\n    def sum",
            "T",
            "y = x.T returned the Variable it was called on (x)",
        ),
        (
            "    def T(self):",
            "    def T(self):  # no @property",
            "T",
            "Variable.T is a method, not a property",
        ),
        (
            "        return reshape(self, shape)",
            "        return reshape(self, shape).data",
            "tuple",
            "x.reshape((3, 2)) returned y as a bare ndarray, not a Variable",
        ),
        # a new Variable wrapping the data: no creator, backward failed in the student's sort with
        # "'NoneType' object has no attribute 'generation'" and nothing named the method
        (
            "        return reshape(self, shape)",
            "        return Variable(self.data.reshape(shape))",
            "tuple",
            "y = x.reshape((3, 2)) returned a Variable the graph does not know (no creator)",
        ),
        (
            "        return transpose(self)\n\n    def sum",
            "        return Variable(self.data.T)\n\n    def sum",
            "T",
            "y = x.T returned a Variable the graph does not know (no creator)",
        ),
    ],
)
def test_a_wrong_or_missing_method_is_named(old: str, new: str | None, cid: str, said: str) -> None:
    source = STEP39.replace(old, new if new is not None else "")
    if new is not None and "no @property" in new:
        source = source.replace("    @property\n    def T(self):", "    def T(self):")
    assert source != STEP39
    failure = _failure(source, cid)
    assert said in failure["message"], failure
