"""MiniFlow - backprop lesson (Sigmoid gradient quiz), my own rewrite with type hints."""
from __future__ import annotations

from typing import Dict, List

import numpy as np


class Node:
    def __init__(self, inbound_nodes: List["Node"] | None = None) -> None:
        self.inbound_nodes: List[Node] = list(inbound_nodes or [])
        self.outbound_nodes: List[Node] = []
        self.value: np.ndarray | None = None
        self.gradients: Dict[Node, np.ndarray] = {}
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)

    def forward(self) -> None:
        raise NotImplementedError

    def backward(self) -> None:
        raise NotImplementedError


class Input(Node):
    def __init__(self) -> None:
        super().__init__()

    def forward(self) -> None:
        pass

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
            grad_cost = n.gradients[self]
            self.gradients[X] += grad_cost @ W.value.T
            self.gradients[W] += X.value.T @ grad_cost
            self.gradients[b] += grad_cost.sum(axis=0)


class Sigmoid(Node):
    def __init__(self, node: Node) -> None:
        super().__init__([node])

    @staticmethod
    def _sigmoid(x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-x))

    def forward(self) -> None:
        self.value = self._sigmoid(self.inbound_nodes[0].value)

    def backward(self) -> None:
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]  # noqa: F841  (TODO use it?)
            sigmoid = self.value
            # derivative of the sigmoid
            self.gradients[self.inbound_nodes[0]] += sigmoid * (1 - sigmoid)


class MSE(Node):
    def __init__(self, y: Node, a: Node) -> None:
        super().__init__([y, a])

    def forward(self) -> None:
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = self.inbound_nodes[0].value.shape[0]
        self.diff = y - a
        self.value = np.mean(self.diff ** 2)

    def backward(self) -> None:
        self.gradients[self.inbound_nodes[0]] = (2 / self.m) * self.diff
        self.gradients[self.inbound_nodes[1]] = (-2 / self.m) * self.diff


def topological_sort(feed_dict: Dict[Input, np.ndarray]) -> List[Node]:
    input_nodes = [n for n in feed_dict.keys()]
    G: Dict[Node, Dict[str, set]] = {}
    nodes = [n for n in input_nodes]
    while len(nodes) > 0:
        n = nodes.pop(0)
        if n not in G:
            G[n] = {"in": set(), "out": set()}
        for m in n.outbound_nodes:
            if m not in G:
                G[m] = {"in": set(), "out": set()}
            G[n]["out"].add(m)
            G[m]["in"].add(n)
            nodes.append(m)

    L: List[Node] = []
    S = set(input_nodes)
    while len(S) > 0:
        n = S.pop()
        if isinstance(n, Input):
            n.value = feed_dict[n]
        L.append(n)
        for m in n.outbound_nodes:
            G[n]["out"].remove(m)
            G[m]["in"].remove(n)
            if len(G[m]["in"]) == 0:
                S.add(m)
    return L


def forward_and_backward(graph: List[Node]) -> None:
    for n in graph:
        n.forward()
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables: List[Node], learning_rate: float = 1e-2) -> None:
    for t in trainables:
        t.value -= learning_rate * t.gradients[t]


if __name__ == "__main__":
    X, W, b = Input(), Input(), Input()
    y = Input()
    f = Linear(X, W, b)
    a = Sigmoid(f)
    cost = MSE(y, a)

    X_ = np.array([[-1., -2.], [-1, -2]])
    W_ = np.array([[2.], [3.]])
    b_ = np.array([-3.])
    y_ = np.array([1, 2])

    feed_dict = {X: X_, y: y_, W: W_, b: b_}
    graph = topological_sort(feed_dict)
    forward_and_backward(graph)
    gradients = [t.gradients[t] for t in [X, y, W, b]]
    print(gradients)
