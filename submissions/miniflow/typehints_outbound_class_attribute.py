"""MiniFlow (Udacity DLND, lesson 'MiniFlow') -- my solution with type hints.

I rewrote topological_sort as a DFS because Kahn's algorithm confused me.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

DEBUG: bool = False


class Node:
    outbound_nodes: List["Node"] = []

    def __init__(self, inbound_nodes: Optional[List["Node"]] = None) -> None:
        self.inbound_nodes: List[Node] = list(inbound_nodes or [])
        self.value: Optional[np.ndarray] = None
        self.gradients: Dict["Node", np.ndarray] = {}
        for node in self.inbound_nodes:
            node.outbound_nodes.append(self)

    def forward(self) -> None:
        raise NotImplementedError

    def backward(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(value shape={getattr(self.value, 'shape', None)})"


class Input(Node):
    def __init__(self) -> None:
        super().__init__()

    def forward(self) -> None:
        pass  # value is set by topological_sort

    def backward(self) -> None:
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            self.gradients[self] += n.gradients[self]


class Linear(Node):
    def __init__(self, X: Node, W: Node, b: Node) -> None:
        super().__init__([X, W, b])

    def forward(self) -> None:
        X, W, b = (n.value for n in self.inbound_nodes)
        self.value = X @ W + b

    def backward(self) -> None:
        X, W, b = self.inbound_nodes
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad: np.ndarray = n.gradients[self]
            self.gradients[X] += grad @ W.value.T
            self.gradients[W] += X.value.T @ grad
            self.gradients[b] += grad.sum(axis=0)


class Sigmoid(Node):
    def __init__(self, node: Node) -> None:
        super().__init__([node])

    @staticmethod
    def _sigmoid(x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-x))

    def forward(self) -> None:
        self.value = self._sigmoid(self.inbound_nodes[0].value)

    def backward(self) -> None:
        x = self.inbound_nodes[0]
        self.gradients = {x: np.zeros_like(x.value)}
        s = self.value
        for n in self.outbound_nodes:
            self.gradients[x] += s * (1 - s) * n.gradients[self]


class MSE(Node):
    def __init__(self, y: Node, a: Node) -> None:
        super().__init__([y, a])
        self.m: int = 0
        self.diff: Optional[np.ndarray] = None

    def forward(self) -> None:
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = y.shape[0]
        self.diff = y - a
        self.value = float(np.mean(self.diff ** 2))

    def backward(self) -> None:
        y, a = self.inbound_nodes
        self.gradients[y] = (2 / self.m) * self.diff
        self.gradients[a] = (-2 / self.m) * self.diff


def topological_sort(feed_dict: Dict[Input, np.ndarray]) -> List[Node]:
    """DFS post-order, reversed. Also feeds the Input values."""
    order: List[Node] = []
    visited: set = set()

    def visit(node: Node) -> None:
        if node in visited:
            return
        visited.add(node)
        for m in node.outbound_nodes:
            visit(m)
        order.append(node)

    for node in feed_dict:
        visit(node)
    order.reverse()
    for node in order:
        if isinstance(node, Input) and node in feed_dict:
            node.value = feed_dict[node]
    return order


def forward_and_backward(graph: List[Node]) -> None:
    for n in graph:
        n.forward()
        if DEBUG:
            print(f"forward {n!r}")
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables: List[Input], learning_rate: float = 1e-2) -> None:
    for t in trainables:
        t.value -= learning_rate * t.gradients[t]
