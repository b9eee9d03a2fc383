"""MiniFlow, written my way: tuples, @, recursion DFS, repr, trainable flags.

Mistake: Input.backward keeps only its last consumer's gradient (= instead of +=)."""
import numpy as np


class Node(object):
    def __init__(self, inbound_nodes=(), trainable=False):
        self.inbound_nodes = tuple(inbound_nodes)
        self.outbound_nodes = []
        self.value = None
        self.gradients = {}
        self.trainable = trainable
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)

    def __repr__(self):
        return "{}(value shape={})".format(
            type(self).__name__, None if self.value is None else np.shape(self.value))

    def forward(self):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError


class Input(Node):
    def __init__(self, trainable=True):
        super().__init__(trainable=trainable)

    def forward(self, value=None):
        if value is not None:
            self.value = value

    def backward(self):
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            self.gradients[self] = n.gradients[self]


class Linear(Node):
    def __init__(self, X, W, b):
        super().__init__((X, W, b))

    def forward(self):
        X, W, b = (n.value for n in self.inbound_nodes)
        self.value = X @ W + b

    def backward(self):
        X, W, b = self.inbound_nodes
        self.gradients = {}
        for n in self.inbound_nodes:
            self.gradients[n] = np.zeros_like(n.value)
        for n in self.outbound_nodes:
            g = n.gradients[self]
            self.gradients[X] += np.matmul(g, W.value.T)
            self.gradients[W] += X.value.T.dot(g)
            self.gradients[b] += g.sum(0)


class Sigmoid(Node):
    def __init__(self, node):
        super().__init__([node])

    def forward(self):
        x = self.inbound_nodes[0].value
        self.s = 1.0 / (1.0 + np.exp(-x))
        self.value = self.s

    def backward(self):
        x_node = self.inbound_nodes[0]
        self.gradients = {x_node: np.zeros_like(x_node.value)}
        for n in self.outbound_nodes:
            self.gradients[x_node] += n.gradients[self] * self.s * (1.0 - self.s)


class MSE(Node):
    def __init__(self, y, a):
        super().__init__([y, a])

    def forward(self):
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = len(y)
        self.diff = y - a
        self.value = np.mean(np.square(self.diff))

    def backward(self):
        y, a = self.inbound_nodes
        self.gradients[y] = 2.0 * self.diff / self.m
        self.gradients[a] = -2.0 * self.diff / self.m


def topological_sort(feed_dict):
    visited = set()
    order = []

    def visit(node):
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


def forward_and_backward(graph):
    for n in graph:
        n.forward()
    for n in reversed(graph):
        n.backward()


def sgd_update(trainables, learning_rate=1e-2):
    for t in trainables:
        if getattr(t, "trainable", True):
            t.value = t.value - learning_rate * t.gradients[t]
