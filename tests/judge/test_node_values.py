"""MiniFlow arithmetic on nodes instead of their values (grader/judge/node_values.py), and error findings by
family (grader/judge/score.py ERROR_FINDINGS)."""

from __future__ import annotations

import pytest

from grader.judge.node_values import node_operand
from grader.judge.score import _error_finding
from grader.model import Failure

TIMES_NODES = (
    "reading forward value of f: TypeError: unsupported operand type(s) for *: 'Input' and 'Input' "
    "(miniflow.py line 47, in Linear.forward: `self.value += x * w`)"
)


def test_two_nodes_multiplied_are_named_with_their_method_and_value() -> None:
    """The Linear quiz's `x * w` of two Input nodes: the hint names Linear.forward and x.value * w.value."""
    found = _error_finding(Failure("exception", TIMES_NODES), "miniflow")
    assert found is not None and found.code == "wrong_forward"
    assert found.hint.startswith(
        "Linear.forward computes with two nodes (Input * Input) as if they were numbers"
    )
    assert "x.value * w.value" in found.hint


def test_one_node_beside_a_number_and_an_in_place_operator_are_found_too() -> None:
    message = (
        "TypeError: unsupported operand type(s) for +=: 'float' and 'Placeholder' (nn.py line 3, in <module>)"
    )
    found = node_operand(Failure("exception", message))
    assert found is not None and found.hint.startswith(
        "your code computes with a node (float += Placeholder)"
    )


def test_a_backward_multiplying_by_its_consumer_is_told_the_consumers_gradient() -> None:
    """`sigmoid * (1 - sigmoid) * n`, n the consumer: n.gradients[self], not .value (ignores_upstream)."""
    message = (
        "backward from cost: TypeError: unsupported operand type(s) for *: 'float' and 'MSE' "
        "(miniflow.py line 152, in Sigmoid.backward: "
        "`self.gradients[self.inbound_nodes[0]] += sigmoid * (1 - sigmoid) * n`)"
    )
    found = node_operand(Failure("exception", message))
    assert found is not None and found.code == "ignores_upstream"
    assert found.hint.startswith("Sigmoid.backward computes with a node (float * MSE) as if it were a number")
    assert "n.gradients[self]" in found.hint


def test_a_node_negated_in_a_helper_of_forward_is_told_its_value() -> None:
    """`self._sigmoid(self.inbound_nodes[0])`: np.exp(-x) on the node, Python's "bad operand type for unary
    -: 'Linear'" (sample sigmoid_forward_reads_node.py)."""
    message = (
        "Sigmoid.forward, during the forward half of forward_and_backward(graph), before any backward ran "
        "(backward from cost): TypeError: bad operand type for unary -: 'Linear' (miniflow.py line 58, in "
        "Sigmoid._sigmoid: `return 1. / (1. + np.exp(-x))`)"
    )
    found = node_operand(Failure("exception", message))
    assert found is not None
    assert found.hint.startswith("Sigmoid._sigmoid computes with a node (-Linear) as if it were a number")
    assert "-x.value, not -x" in found.hint
    assert node_operand(Failure("exception", "TypeError: bad operand type for unary -: 'str'")) is None


@pytest.mark.parametrize(
    "message",
    [
        "TypeError: unsupported operand type(s) for *: 'float' and 'Variable'",  # DeZero's, not a node
        "TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'",  # a value left None
        "TypeError: 'Input' object is not iterable",
    ],
)
def test_no_node_operand_no_finding(message: str) -> None:
    assert node_operand(Failure("exception", message)) is None


def test_a_finding_of_another_family_is_never_given() -> None:
    """DeZero's "define Variable.__mul__" was the hint of MiniFlow's `x * w` (sample
    miniflow/linear_quiz_node_lists_times_nodes.py); DeZero's own error keeps its finding."""
    dezero = "TypeError: unsupported operand type(s) for *: 'Variable' and 'float'"
    assert _error_finding(Failure("exception", dezero), "miniflow") is None
    found = _error_finding(Failure("exception", dezero), "dezero")
    assert found is not None and "Variable.__mul__" in found.hint
    assert _error_finding(Failure("exception", TIMES_NODES), "layers") is None


def _in(where: str, operands: str, line: str, symbol: str = "-") -> Failure:
    left, right = operands.split()
    return Failure(
        "exception",
        f"backward from cost: TypeError: unsupported operand type(s) for {symbol}: '{left}' and '{right}' "
        f"(miniflow.py line 9, in {where}: `{line}`)",
    )


@pytest.mark.parametrize(
    ("where", "operands", "line"),
    [
        # sample mse_backward_nodes.py: MSE's own inputs, y - a (MSE has no consumer)
        ("MSE.backward", "Input Sigmoid", "self.gradients[y] = (2 / self.m) * (y - a)"),
        ("MSE.backward", "Input Input", "self.gradients[y] = (2 / self.m) * (y - a)"),
        # sample sigmoid_backward_self.py: `sigmoid = self`, then 1 - sigmoid
        ("Sigmoid.backward", "int Sigmoid", "... += sigmoid * (1 - sigmoid) * grad_cost"),
    ],
)
def test_a_backward_computing_with_itself_or_its_inputs_is_told_value_not_a_consumers_gradient(
    where: str, operands: str, line: str
) -> None:
    """The node itself or one of its inputs is no consumer: its .value, no `ignores_upstream` (review of
    s23-realmf, finding 1: "what a consumer n hands back is its gradient" sent y - a to n.gradients[self])."""
    found = node_operand(_in(where, operands, line))
    assert found is not None and found.code == "unknown", found
    assert found.hint.startswith(f"{where} computes with") and ".value" in found.hint
    assert "consumer" not in found.hint and "gradients[self]" not in found.hint


def test_a_backward_class_that_can_be_input_or_consumer_is_told_both_without_a_mistakes_code() -> None:
    """Sigmoid.backward times a Linear node: its input (f) or its consumer (the second Linear of a two-layer
    graph), which the class cannot tell: both are said, no code of a known mistake."""
    found = node_operand(_in("Sigmoid.backward", "float Linear", "... * n", "*"))
    assert found is not None and found.code == "unknown"
    assert "x.value * w.value" in found.hint and "n.gradients[self]" in found.hint


def test_the_case_stub_is_a_consumer() -> None:
    """A unit case's consumer is the grader's stub: named as such, ignores_upstream."""
    found = node_operand(_in("Linear.backward", "float UpstreamStub", "... * n", "*"))
    assert found is not None and found.code == "ignores_upstream"
    assert "(float * the case's consumer node)" in found.hint and "n.gradients[self]" in found.hint


@pytest.mark.parametrize(
    ("location", "where"), [("in sgd_update", "sgd_update"), ("in SGD.update", "SGD's method")]
)
def test_an_update_multiplying_a_node_is_told_its_gradient_not_a_forward_mistake(
    location: str, where: str
) -> None:
    """sample sgd_node.py: `t.value -= learning_rate * t` in sgd_update was `wrong_forward` and "x.value *
    w.value", which leads to learning_rate * t.value (review of s23-realmf, finding 2): the course's
    t.gradients[t], no forward mistake."""
    message = (
        "sgd on ['W1']: TypeError: unsupported operand type(s) for *: 'float' and 'Input' "
        f"(sgd_node.py line 273, {location}: `t.value -= learning_rate * t`)"
    )
    found = node_operand(Failure("exception", message))
    assert found is not None and found.code == "unknown"
    assert found.hint.startswith(f"{where} computes with a node (float * Input)")
    assert "t.value -= learning_rate * t.gradients[t]" in found.hint and "x.value * w.value" not in found.hint


def test_a_function_outside_the_alias_table_is_not_named() -> None:
    """Only the grader's words: a helper of the student's own (any name) is "your code"."""
    message = (
        "TypeError: unsupported operand type(s) for *: 'float' and 'Input' (m.py line 3, in helper_x: `a`)"
    )
    found = node_operand(Failure("exception", message))
    assert found is not None and found.hint.startswith("your code computes") and "helper_x" not in found.hint
