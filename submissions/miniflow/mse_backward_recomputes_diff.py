# miniflow.py -- backprop quiz
import numpy as np
from collections import deque


class Node(object):
    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.outbound_nodes = []
        self.value = None
        self.gradients = {}
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)

    def forward(self):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError


class Input(Node):
    def __init__(self):
        Node.__init__(self)

    def forward(self):
        pass

    def backward(self):
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            self.gradients[self] += n.gradients[self]


class Linear(Node):
    def __init__(self, X, W, b):
        Node.__init__(self, [X, W, b])

    def forward(self):
        X, W, b = (n.value for n in self.inbound_nodes)
        self.value = np.dot(X, W) + b

    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        X, W, b = self.inbound_nodes
        for n in self.outbound_nodes:
            grad = n.gradients[self]
            self.gradients[X] += np.dot(grad, W.value.T)
            self.gradients[W] += np.dot(X.value.T, grad)
            self.gradients[b] += np.sum(grad, axis=0)


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    def _sigmoid(self, x):
        return 1. / (1. + np.exp(-x))

    def forward(self):
        self.value = self._sigmoid(self.inbound_nodes[0].value)

    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad = n.gradients[self]
            self.gradients[self.inbound_nodes[0]] += self.value * (1 - self.value) * grad


class MSE(Node):
    def __init__(self, y, a):
        Node.__init__(self, [y, a])

    def forward(self):
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = self.inbound_nodes[0].value.shape[0]
        self.diff = y - a
        self.value = np.mean(self.diff ** 2)

    def backward(self):
        y = self.inbound_nodes[0].value
        a = self.inbound_nodes[1].value
        self.gradients[self.inbound_nodes[0]] = (2 / self.m) * (y - a)
        self.gradients[self.inbound_nodes[1]] = (-2 / self.m) * (y - a)


def topological_sort(feed_dict):
    """Kahn's algorithm with in-degree counts and a deque."""
    indegree = {}
    queue = deque(feed_dict.keys())
    seen = set(queue)
    while queue:
        n = queue.popleft()
        for m in n.outbound_nodes:
            indegree[m] = indegree.get(m, 0) + 1
            if m not in seen:
                seen.add(m)
                queue.append(m)

    L = []
    ready = deque(feed_dict.keys())
    while ready:
        n = ready.popleft()
        if isinstance(n, Input):
            n.value = feed_dict[n]
        L.append(n)
        for m in n.outbound_nodes:
            indegree[m] -= 1
            if indegree[m] == 0:
                ready.append(m)
    return L


def forward_and_backward(graph):
    for n in graph:
        n.forward()
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables, learning_rate=1e-2):
    for t in trainables:
        t.value -= learning_rate * t.gradients[t]
