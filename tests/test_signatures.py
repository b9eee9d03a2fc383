"""The parent's reading of methods whose parameters cannot take the book's call (s11 item 2)."""

from __future__ import annotations

import json
from pathlib import Path

from grader import signatures
from grader.loaders import notebook_files


def _messages(source: str, family: str = "layers", rel: str = "layers.py") -> list[str]:
    return [p.message for p in signatures.problems({rel: source.encode()}, family)]


def test_a_forgotten_self_names_the_class_method_line_and_the_book_signature() -> None:
    """`def forward(x):` in Sigmoid (line 2): said plainly, with the book's forward(self, x)."""
    (message,) = _messages("class Sigmoid:\n    def forward(x):\n        return x\n")
    assert message.startswith("Sigmoid.forward is defined without `self` (layers.py line 2: def forward(x))")
    assert "write def forward(self, x), the book's" in message


def test_a_method_with_no_parameters_at_all_is_without_self_too() -> None:
    """MiniFlow's `def backward():` in Sigmoid: without `self`, and the lesson (not a book) is quoted."""
    (message,) = _messages("class Sigmoid(Node):\n    def backward():\n        pass\n", "miniflow")
    assert message.startswith("Sigmoid.backward is defined without `self`")
    assert "def backward(self), the lesson's" in message


def test_an_extra_required_parameter_is_named_with_the_book_signature() -> None:
    """Affine.backward(self, dout, extra): the extra parameter and the book's backward(self, dout)."""
    (message,) = _messages("class Affine:\n    def backward(self, dout, extra):\n        return dout\n")
    assert message.startswith(
        "Affine.backward(self, dout, extra) takes an extra required parameter `extra` (layers.py line 2); "
        "the book's is backward(self, dout)"
    )


def test_a_missing_parameter_is_named() -> None:
    """MulLayer.forward(self, x): the book's forward(self, x, y) lacks `y`."""
    (message,) = _messages("class MulLayer:\n    def forward(self, x):\n        return x\n")
    assert message.startswith("MulLayer.forward(self, x) lacks the parameter `y`")


def test_what_can_take_the_book_call_is_not_a_problem() -> None:
    """Negative controls: the book's own signatures, an optional extra, a default where the book has one,
    *args, a decorated method, the course's `def forward(): raise NotImplementedError` placeholder, a
    method of the student's own, another family's class, and a class redefined later with the right one."""
    source = (
        "class Node:\n    def forward():\n        raise NotImplementedError\n"
        "class Sigmoid:\n    def forward(self, x):\n        return x\n    def backward(self, dout):\n"
        "        return dout\n    def helper(x):\n        return x\n"
        "class Affine:\n    def backward(self, dout, lr=0.1):\n        return dout\n"
        "    def forward(self, *xs):\n        return xs\n"
        "class Relu:\n    @staticmethod\n    def forward(x):\n        return x\n"
        "class SoftmaxWithLoss:\n    def backward(self, dout=1):\n        return dout\n"
        "class MulLayer:\n    def forward(x, y):\n        return x\n"
        "class MulLayer:\n    def forward(self, x, y):\n        return x\n"
    )
    assert _messages(source) == []
    assert (
        _messages("class Variable:\n    def backward(self, retain_grad=False):\n        pass\n", "dezero")
        == []
    )
    assert _messages("class Sigmoid:\n    def forward(x):\n        return x\n", "no-such-family") == []


def test_a_notebook_method_is_placed_in_its_cell() -> None:
    """A notebook's method is cited by code cell and line in it, as other notebook messages are."""
    nb = {
        "cells": [
            {"cell_type": "code", "source": "import numpy as np\n", "metadata": {}, "outputs": []},
            {"cell_type": "code", "source": "class Sigmoid:\n    def forward(x):\n        return x\n",
             "metadata": {}, "outputs": []},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    files = notebook_files(json.dumps(nb).encode(), "hw.ipynb")
    (problem,) = signatures.problems(files, "layers")
    assert "(hw.ipynb, code cell 2 line 2: def forward(x))" in problem.message


def test_a_helper_class_the_assignment_does_not_grade_may_take_what_it_likes() -> None:
    """`class Model: def backward(self)` in a layers file is the student's own: no problem when the graded
    classes are named. Control: the same method in Affine, which the assignment grades, is one."""
    source = "class {}:\n    def backward(self):\n        return None\n"
    graded = {"Affine", "Relu"}
    model = signatures.problems({"layers.py": source.format("Model").encode()}, "layers", graded)
    affine = signatures.problems({"layers.py": source.format("Affine").encode()}, "layers", graded)
    assert model == ()
    assert [(p.cls, p.method) for p in affine] == [("Affine", "backward")]


def test_step_11s_add_forward_over_a_list_is_the_books_own() -> None:
    """The book's step 11 writes Add.forward(self, xs) (the inputs in one list): it was told it "lacks the
    parameter `x1`; the book's is forward(self, x0, x1)", step 12's. Control: forward(self, x0) still lacks
    x1, and Mul (step 20, never over a list) keeps the check."""
    add_over_list = (
        "class Add(Function):\n    def forward(self, xs):\n        x0, x1 = xs\n        return (x0 + x1,)\n"
    )
    assert _messages(add_over_list, "dezero", "step11.py") == []
    (message,) = _messages(add_over_list.replace("self, xs", "self, x0"), "dezero", "step11.py")
    assert message.startswith("Add.forward(self, x0) lacks the parameter `x1`")
    (message,) = _messages(add_over_list.replace("Add", "Mul"), "dezero", "step20.py")
    assert message.startswith("Mul.forward(self, xs) lacks the parameter `x1`")


def test_a_method_of_more_parameters_than_a_message_can_spell_is_left_alone() -> None:
    """Affine.backward(self, dout, p2, ..., p20000): each extra required parameter was spelt twice, a 700 KB
    message quoted above every case erroring in it and in the report's warnings. Past
    parameters.MAX_PARAMETERS (or a name past MAX_NAME_CHARS) it is no book method: nothing is said. Control:
    at the bound the extra parameters are named."""
    from grader.parameters import MAX_NAME_CHARS, MAX_PARAMETERS

    def backward(names: list[str]) -> str:
        return f"class Affine:\n    def backward(self, dout, {', '.join(names)}):\n        return dout\n"

    assert _messages(backward([f"p{i}" for i in range(2, 20_000)])) == []
    assert _messages(backward([f"p{i}" for i in range(2, MAX_PARAMETERS + 1)])) == []
    assert _messages(backward(["e" * (MAX_NAME_CHARS + 1)])) == []
    (message,) = _messages(backward([f"p{i}" for i in range(2, MAX_PARAMETERS)]))
    assert message.startswith("Affine.backward(self, dout, p2, ") and f"`p{MAX_PARAMETERS - 1}`" in message
    (message,) = _messages(backward(["e" * MAX_NAME_CHARS]))
    assert f"`{'e' * MAX_NAME_CHARS}`" in message


def test_a_dezero_forward_only_the_students_own_call_reaches_is_no_warning() -> None:
    """DeZero's forward is called by the student's own Function.__call__, never by the grader: Pow taking its
    exponent as a second input (`Pow()(x, as_array(c))`) is said only where a case errors in it
    (warn_unmet False), naming who calls it; a layer's forward, which the grader calls, keeps its warning."""
    pow_source = b"class Pow(Function):\n    def forward(self, x, c):\n        return x ** c\n"
    (pow_forward,) = signatures.problems({"step24.py": pow_source}, "dezero")
    assert not pow_forward.warn_unmet
    assert "the book's is forward(self, x), and the book's Function.__call__ calls it that way" in (
        pow_forward.message
    )
    (affine,) = signatures.problems(
        {"layers.py": b"class Affine:\n    def forward(self, x, extra):\n        return x\n"}, "layers"
    )
    assert affine.warn_unmet and "and the grader calls it that way" in affine.message


def test_a_dezero_forward_without_self_is_warned_though_only_the_students_call_reaches_it() -> None:
    """A forward without `self` is no design of the student's: their own Function.__call__ passes the object
    too, so it fails wherever it is called. It is warned (warn_unmet) even when no visible case calls it (a
    class only hidden cases use: the student saw nothing about it). Control: an extra parameter of their own
    (Pow's exponent as an input) and a forward lacking one (`forward(self, inputs)` taking the list their own
    call may pass) stay unwarned."""
    no_self = b"class Div(Function):\n    def forward(x0, x1):\n        return x0 / x1\n"
    (div,) = signatures.problems({"step22.py": no_self}, "dezero")
    assert div.warn_unmet and div.message.startswith("Div.forward is defined without `self`")
    lacking = b"class Add(Function):\n    def forward(self, inputs):\n        return inputs[0] + inputs[1]\n"
    (add,) = signatures.problems({"step12.py": lacking}, "dezero")
    assert not add.warn_unmet and "lacks the parameter `x1`" in add.message


def test_the_lessons_sigmoid_helper_without_self_is_said_and_its_other_shapes_only_where_they_fail() -> None:
    """MiniFlow's `def _sigmoid(x):` in Sigmoid (no self, no decorator): said, with the lesson's
    _sigmoid(self, x), a warning even unmet. Only the student's own forward calls it, so an extra or a lacking
    parameter is said only where a case errors in it (warn_unmet False). Controls: @staticmethod, another
    parameter name, an optional extra, *args: nothing."""

    def sigmoid(signature: str, decorator: str = "") -> list[signatures.Problem]:
        source = f"class Sigmoid(Node):\n{decorator}    def _sigmoid({signature}):\n        return x\n"
        return list(signatures.problems({"miniflow.py": source.encode()}, "miniflow"))

    (no_self,) = sigmoid("x")
    assert no_self.message.startswith("Sigmoid._sigmoid is defined without `self` (miniflow.py line 2")
    assert "write def _sigmoid(self, x), the lesson's" in no_self.message and no_self.warn_unmet
    (extra,) = sigmoid("self, x, y")
    assert "the lesson's Sigmoid.forward and backward call it that way" in extra.message
    assert not extra.warn_unmet
    (lacking,) = sigmoid("self")
    assert not lacking.warn_unmet
    assert sigmoid("x", "    @staticmethod\n") == []
    assert sigmoid("self, z") == sigmoid("self, x, derivative=False") == sigmoid("self, *args") == []


MINIFLOW = Path(__file__).resolve().parents[1] / "submissions" / "miniflow"


def test_a_sigmoid_helper_without_self_called_through_the_class_is_not_warned() -> None:
    """`def _sigmoid(x):` called as `Sigmoid._sigmoid(x)` takes no object and works (full marks), but was
    warned "defined without `self`: Python passes the object first". Controls: called as self._sigmoid(x)
    (sigmoid_helper_no_self.py), as both, or never called, it is still said."""
    no_self = (MINIFLOW / "sigmoid_helper_no_self.py").read_text()
    through_class = no_self.replace("self._sigmoid(input_value)", "Sigmoid._sigmoid(input_value)")
    assert through_class != no_self and "self._sigmoid(" not in through_class

    def said(source: str) -> list[str]:
        return [p.message for p in signatures.problems({"miniflow.py": source.encode()}, "miniflow")]

    assert said(through_class) == []
    assert said(through_class.replace("Sigmoid._sigmoid(", "type(self)._sigmoid(")) == []
    (shown,) = said(no_self)
    assert shown.startswith("Sigmoid._sigmoid is defined without `self`")
    line = "        self.value = Sigmoid._sigmoid(input_value)\n"
    both = through_class.replace(line, line + line.replace("Sigmoid.", "self."))
    assert both != through_class and said(both) == [shown]
    assert said(no_self.replace("self._sigmoid(input_value)", "input_value")) == [shown]  # never called
