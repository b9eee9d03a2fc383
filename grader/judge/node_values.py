"""MiniFlow: arithmetic on the nodes themselves, where the lesson's code uses their values.

The Linear quiz's first version hands Linear lists of Input nodes; `self.value += x * w` over
`zip(self.inbound_nodes, self.weights)` multiplies two nodes, and Python says "unsupported operand type(s)
for *: 'Input' and 'Input'". The student needs to hear that a node's number is its `.value`
(sample submissions/miniflow/linear_quiz_node_lists_times_nodes.py). In a backward,
`sigmoid * (1 - sigmoid) * n` multiplies by the consumer node where its gradient, `n.gradients[self]`,
belongs (`ignores_upstream`). Read from the case's error text: only
an operand named as a class of MiniFlow's alias table (grader/inside/aliases.py) is taken for a node, so
the hint's words are the grader's own.
"""

from __future__ import annotations

import re

from grader.inside.aliases import MINIFLOW
from grader.judge.diagnose import Finding
from grader.model import Failure

WRONG_FORWARD = "wrong_forward"
IGNORES_UPSTREAM = "ignores_upstream"  # a backward: the node where its gradient belongs
# The node classes of the lesson, as the alias table spells them (the functions' names are no operands), and
# the consumer node a unit case hangs under the node under test (grader/inside/server.py).
NODE_CLASSES = frozenset(
    {"UpstreamStub", *(n for name, names in MINIFLOW.items() if name[:1].isupper() for n in names)}
)
# The grader's own class, named for the student by what it stands for.
_SHOWN = {"UpstreamStub": "the case's consumer node"}
_UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for ([-+*/@]|\*\*|[-+*/]=): '(\w+)' and '(\w+)'")
_IN_METHOD = re.compile(r"\bin (\w+)\.(\w+):")


def node_operand(failure: Failure) -> Finding | None:
    """The finding for `x * w` (or `+`, `-`, ...) with a MiniFlow node on either side."""
    if failure.code != "exception":
        return None
    found = _UNSUPPORTED.search(failure.message)
    if found is None:
        return None
    symbol, left, right = found.groups()
    nodes = [n for n in (left, right) if n in NODE_CLASSES]
    if not nodes:
        return None
    method = _IN_METHOD.search(failure.message)
    where = (
        f"{method.group(1)}.{method.group(2)}" if method and method.group(1) in NODE_CLASSES else "your code"
    )
    two = len(nodes) == 2
    like = "as if they were numbers" if two else "as if it were a number"
    shown = [_SHOWN.get(n, n) for n in (left, right)]
    which = f"{'two nodes' if two else 'a node'} ({shown[0]} {symbol} {shown[1]}) {like}"
    if method is not None and method.group(2) == "backward":
        # the consumer itself where its gradient belongs (`... * n`, n a node of self.outbound_nodes)
        advice = "what a consumer n hands back is its gradient n.gradients[self] (the lesson's grad_cost)"
        return Finding(
            IGNORES_UPSTREAM, f"{where} computes with {which}: {advice}; a node's own number is .value."
        )
    op = symbol[:-1] if symbol.endswith("=") else symbol  # `+=` reads as `+` in the example
    advice = f"a node keeps its number in .value: x.value {op} w.value, not x {op} w, where x and w are nodes"
    return Finding(WRONG_FORWARD, f"{where} computes with {which}: {advice}.")
