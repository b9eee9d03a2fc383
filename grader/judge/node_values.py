"""MiniFlow: arithmetic on the nodes themselves, where the lesson's code uses their values or gradients.

The Linear quiz's first version hands Linear lists of Input nodes; `self.value += x * w` over
`zip(self.inbound_nodes, self.weights)` multiplies two nodes, and Python says "unsupported operand type(s)
for *: 'Input' and 'Input'". The student needs to hear that a node's number is its `.value`
(sample submissions/miniflow/linear_quiz_node_lists_times_nodes.py): `wrong_forward`, in a forward.

Elsewhere the advice depends on which node it is, read from the classes the error names:
- in a backward, a consumer of the method's class (the case's stub consumer, or a class the lesson's graphs
  only ever put after it): `sigmoid * (1 - sigmoid) * n` multiplies by the consumer where its gradient,
  `n.gradients[self]`, belongs (`ignores_upstream`; sample sigmoid_times_consumer.py);
- in a backward, the node itself or one of its inputs (MSE's `y - a`, `1 - self`): its `.value`; a class
  that can be either (Sigmoid's input and its consumer are both Linear nodes in a two-layer graph): both
  are said. These get no code of a known mistake (`unknown`): "the upstream gradient was dropped" was
  false for them (review of s23-realmf, samples mse_backward_nodes.py, sigmoid_backward_self.py);
- outside a node's method (sgd_update's `t.value -= learning_rate * t`): a node's number is .value and its
  gradient .gradients[node], not "x.value * w.value" (which led to `learning_rate * t.value`), and no
  forward mistake (sample sgd_node.py).
Read from the case's error text: only an operand named as a class of MiniFlow's alias table
(grader/inside/aliases.py) is taken for a node, and only a function of that table is named, so the hint's
words are the grader's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from grader.inside.aliases import MINIFLOW
from grader.judge.diagnose import Finding
from grader.model import Failure

WRONG_FORWARD = "wrong_forward"
IGNORES_UPSTREAM = "ignores_upstream"  # a backward: the consumer node where its gradient belongs
NEUTRAL = "unknown"  # a node used as a number where no known mistake's code is true
STUB = (
    "UpstreamStub"  # the consumer node a unit case hangs under the node under test (grader/inside/server.py)
)
# The lesson's op of each spelling of a node class in the alias table (the functions' names are no operands).
_OP_OF: Mapping[str, str] = {
    spelling: op for op, names in MINIFLOW.items() if op[:1].isupper() for spelling in names
}
NODE_CLASSES = frozenset({STUB, *_OP_OF})
# The functions of the alias table, named in a hint as the student spells them.
_FUNCTIONS: Mapping[str, str] = {
    spelling: name for name, names in MINIFLOW.items() if not name[:1].isupper() for spelling in names
}
# In the lesson's graphs (the quiz, nn.py's two-layer network, the Add quiz): what feeds each op, and what
# each op feeds. A class in CONSUMERS[op] and not in INPUTS[op] can only be a consumer in op's backward.
INPUTS: Mapping[str, frozenset[str]] = {
    "Input": frozenset(),
    "Linear": frozenset({"Input", "Sigmoid", "Linear"}),
    "Sigmoid": frozenset({"Linear", "Input"}),
    "MSE": frozenset({"Input", "Linear", "Sigmoid"}),
    "Add": frozenset({"Input", "Add", "Mul"}),
    "Mul": frozenset({"Input", "Add", "Mul"}),
}
CONSUMERS: Mapping[str, frozenset[str]] = {
    "Input": frozenset({"Linear", "Sigmoid", "MSE", "Add", "Mul"}),
    "Linear": frozenset({"Sigmoid", "MSE", "Linear"}),
    "Sigmoid": frozenset({"Linear", "MSE"}),
    "MSE": frozenset(),
    "Add": frozenset({"Add", "Mul"}),
    "Mul": frozenset({"Add", "Mul"}),
}
# The grader's own class, named for the student by what it stands for.
_SHOWN = {STUB: "the case's consumer node"}
_UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for ([-+*/@]|\*\*|[-+*/]=): '(\w+)' and '(\w+)'")
_UNARY = re.compile(r"bad operand type for unary ([-+~]): '(\w+)'")
_IN_METHOD = re.compile(r"\bin (\w+)\.(\w+):")
_IN_FUNCTION = re.compile(r"\bin (\w+):")
_CONSUMER_ADVICE = "what a consumer n hands back is its gradient n.gradients[self] (the lesson's grad_cost)"


def node_operand(failure: Failure) -> Finding | None:
    """The finding for `x * w` (or `+`, `-`, ...) with a MiniFlow node on either side."""
    if failure.code != "exception":
        return None
    found = _UNSUPPORTED.search(failure.message)
    unary = _UNARY.search(failure.message) if found is None else None
    if found is not None:
        symbol, left, right = found.groups()
    elif unary is not None:  # `np.exp(-x)` on the node: Python's "bad operand type for unary -: 'Linear'"
        symbol, left, right = unary.group(1), "", unary.group(2)
    else:
        return None
    nodes = [n for n in (left, right) if n in NODE_CLASSES]
    if not nodes:
        return None
    method = _IN_METHOD.search(failure.message)
    cls, name = (method.group(1), method.group(2)) if method else ("", "")
    two = len(nodes) == 2
    like = "as if they were numbers" if two else "as if it were a number"
    shown = [_SHOWN.get(n, n) for n in (left, right)]
    if unary is not None:
        which = f"a node ({symbol}{shown[1]}) {like}"
        value = f"a node keeps its number in .value: {symbol}x.value, not {symbol}x, where x is a node"
    else:
        which = f"{'two nodes' if two else 'a node'} ({shown[0]} {symbol} {shown[1]}) {like}"
        op = symbol[:-1] if symbol.endswith("=") else symbol  # `+=` reads as `+` in the example
        value = (
            f"a node keeps its number in .value: x.value {op} w.value, not x {op} w, where x and w are nodes"
        )
    if cls not in NODE_CLASSES:
        return _outside_a_node(failure.message, cls, which)
    where = f"{cls}.{name}"
    if name == "backward":
        return _in_backward(_OP_OF.get(cls, ""), nodes, f"{where} computes with {which}", value)
    return Finding(
        WRONG_FORWARD if name == "forward" else NEUTRAL, f"{where} computes with {which}: {value}."
    )


def _in_backward(op: str, nodes: list[str], said: str, value: str) -> Finding:
    """A backward: the consumer's gradient for a node that can only be a consumer, the value for the node
    itself or an input, both for a class that can be either."""
    ops = [_OP_OF.get(n, n) for n in nodes]
    consumers = CONSUMERS.get(op, frozenset())
    if any(n == STUB or (n in consumers and n not in INPUTS.get(op, ()) and n != op) for n in ops):
        return Finding(IGNORES_UPSTREAM, f"{said}: {_CONSUMER_ADVICE}; a node's own number is .value.")
    if any(n in consumers for n in ops):
        return Finding(NEUTRAL, f"{said}: {value}; and {_CONSUMER_ADVICE}.")
    return Finding(NEUTRAL, f"{said}: {value}.")


def _outside_a_node(message: str, cls: str, which: str) -> Finding:
    """Not in a node's method (sgd_update, a driver, the module's demo): a node's number is .value, its
    gradient .gradients[node]; the course's sgd_update line for an update."""
    function = _IN_FUNCTION.search(message)
    spelt = function.group(1) if function else ""
    named = _FUNCTIONS.get(spelt, "")
    update = named == "sgd_update" or _FUNCTIONS.get(cls) == "sgd_update"
    where = spelt if named else (f"{cls}'s method" if _FUNCTIONS.get(cls) else "your code")
    advice = "a node's number is its .value and its gradient is .gradients[node], the node itself is neither"
    if update:
        advice += " (the course's sgd_update: t.value -= learning_rate * t.gradients[t])"
    return Finding(NEUTRAL, f"{where} computes with {which}: {advice}.")
