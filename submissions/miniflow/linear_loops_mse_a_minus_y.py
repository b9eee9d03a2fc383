# MiniFlow - DLND project 0 warm-up
# I wrote Linear with loops first to understand it, then kept it.
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

    def forward(self, value=None):
        if value is not None:
            self.value = value
        self.gradients = {self: 0}

    def backward(self):
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            self.gradients[self] += grad_cost * 1


class Linear(Node):
    def __init__(self, X, W, b):
        Node.__init__(self, [X, W, b])

    def forward(self):
        X = self.inbound_nodes[0].value
        W = self.inbound_nodes[1].value
        b = self.inbound_nodes[2].value
        n_samples, n_in = X.shape
        n_out = W.shape[1]
        out = np.zeros((n_samples, n_out))
        for i in range(n_samples):
            for j in range(n_out):
                total = b[j]
                for k in range(n_in):
                    total += X[i, k] * W[k, j]
                out[i, j] = total
        self.value = out
        # reset the partials every forward pass
        self.gradients = {n: np.zeros_like(n.value, dtype=float) for n in self.inbound_nodes}

    def backward(self):
        X = self.inbound_nodes[0].value
        W = self.inbound_nodes[1].value
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            self.gradients[self.inbound_nodes[0]] += grad_cost.dot(W.T)
            self.gradients[self.inbound_nodes[1]] += X.T.dot(grad_cost)
            self.gradients[self.inbound_nodes[2]] += grad_cost.sum(axis=0)


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    def _sigmoid(self, x):
        return 1. / (1. + np.exp(-x))

    def forward(self):
        self.value = self._sigmoid(self.inbound_nodes[0].value)
        self.gradients = {n: np.zeros_like(n.value, dtype=float) for n in self.inbound_nodes}

    def backward(self):
        # recompute instead of using self.value
        x = self.inbound_nodes[0].value
        s = self._sigmoid(x)
        for n in self.outbound_nodes:
            self.gradients[self.inbound_nodes[0]] += s * (1. - s) * n.gradients[self]


class MSE(Node):
    def __init__(self, y, a):
        Node.__init__(self, [y, a])

    def forward(self):
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = y.shape[0]
        # a - y instead of y - a, so the signs below are the other way round
        self.diff = a - y
        self.value = np.mean(np.square(self.diff))
        self.gradients = {}

    def backward(self):
        self.gradients[self.inbound_nodes[0]] = (2. / self.m) * self.diff
        self.gradients[self.inbound_nodes[1]] = (-2. / self.m) * self.diff


def topological_sort(feed_dict):
    """Kahn's algorithm with a deque and in-degree counts."""
    in_degree = {}
    queue = deque(feed_dict.keys())
    seen = set(queue)
    while queue:
        n = queue.popleft()
        in_degree.setdefault(n, 0)
        for m in n.outbound_nodes:
            in_degree[m] = in_degree.get(m, 0) + 1
            if m not in seen:
                seen.add(m)
                queue.append(m)

    for n, v in feed_dict.items():
        n.value = v

    ready = deque(n for n in feed_dict if in_degree[n] == 0)
    order = []
    while ready:
        n = ready.popleft()
        order.append(n)
        for m in n.outbound_nodes:
            in_degree[m] -= 1
            if in_degree[m] == 0:
                ready.append(m)
    return order


def forward_and_backward(graph):
    for n in graph:
        n.forward()
    for n in reversed(graph):
        n.backward()


def sgd_update(trainables, learning_rate=1e-2):
    for t in trainables:
        t.value = t.value - learning_rate * t.gradients[t]
