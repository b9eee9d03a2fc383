"""MiniFlow (Udacity), as a student's finished miniflow.py is used, built on reference.ops.

Gradients are dicts keyed by node; every node sums what its outbound nodes hand back (FACTS.md section 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference.ops import OPS


class Node:
    op: str = ""

    def __init__(self, inbound_nodes: list[Node] | None = None) -> None:
        self.inbound_nodes = list(inbound_nodes or [])
        self.outbound_nodes: list[Node] = []
        self.value: Any = None
        self.gradients: dict[Node, Any] = {}
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)

    def forward(self) -> None:
        self.value = OPS[self.op].forward(*(n.value for n in self.inbound_nodes))

    def backward(self) -> None:
        self.gradients = {n: np.zeros_like(n.value, dtype=np.float64) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            self._add_local(n.gradients[self])

    def _add_local(self, upstream: Any) -> None:
        xs = [n.value for n in self.inbound_nodes]
        for n, g in zip(self.inbound_nodes, OPS[self.op].vjp(upstream, *xs, y=self.value), strict=True):
            if g is not None:
                self.gradients[n] = self.gradients[n] + g


class Input(Node):
    def __init__(self) -> None:
        super().__init__()

    def forward(self, value: Any = None) -> None:
        if value is not None:
            self.value = value

    def backward(self) -> None:
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            self.gradients[self] = self.gradients[self] + n.gradients[self]


class Linear(Node):
    op = "linear"

    def __init__(self, X: Node, W: Node, b: Node) -> None:
        super().__init__([X, W, b])


class Sigmoid(Node):
    op = "sigmoid"

    def __init__(self, node: Node) -> None:
        super().__init__([node])

    def _sigmoid(self, x: Any) -> np.ndarray:
        return OPS["sigmoid"].forward(np.asarray(x))


class MSE(Node):
    op = "mse"

    def __init__(self, y: Node, a: Node) -> None:
        super().__init__([y, a])

    def forward(self) -> None:
        y, a = (np.reshape(n.value, (-1, 1)) for n in self.inbound_nodes)
        self.m = y.shape[0]
        self.diff = y - a
        self.value = float(OPS["mse"].forward(y, a))

    def backward(self) -> None:
        # The cost is the end of the graph: its own gradient is 1, whatever follows it.
        y, a = self.inbound_nodes
        gy, ga = OPS["mse"].vjp(np.float64(1.0), y.value, a.value, y=np.asarray(self.value))
        self.gradients = {y: gy, a: ga}


def topological_sort(feed_dict: dict[Input, Any]) -> list[Node]:
    """Kahn's algorithm from the fed Inputs; sets each Input's value from `feed_dict`."""
    input_nodes = list(feed_dict)
    G: dict[Node, dict[str, set[Node]]] = {}
    nodes: list[Node] = list(input_nodes)
    while nodes:
        n = nodes.pop(0)
        G.setdefault(n, {"in": set(), "out": set()})
        for m in n.outbound_nodes:
            G.setdefault(m, {"in": set(), "out": set()})
            G[n]["out"].add(m)
            G[m]["in"].add(n)
            nodes.append(m)
    order: list[Node] = []
    ready = set(input_nodes)
    while ready:
        n = ready.pop()
        if isinstance(n, Input):
            n.value = feed_dict[n]
        order.append(n)
        for m in n.outbound_nodes:
            G[n]["out"].discard(m)
            G[m]["in"].discard(n)
            if not G[m]["in"]:
                ready.add(m)
    return order


def forward_and_backward(graph: list[Node]) -> None:
    for n in graph:
        n.forward()
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables: list[Node], learning_rate: float = 1e-2) -> None:
    for t in trainables:
        t.value -= learning_rate * t.gradients[t]


def gradient_descent_update(x: Any, gradx: Any, learning_rate: float) -> Any:
    return x - learning_rate * gradx
