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
