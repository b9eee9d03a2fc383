"""MiniFlow assignment. My nodes store the partials of the cost in `dvalues`
(a dict: inbound node -> d cost / d that node), like the notes I learnt from."""
import numpy as np


class Node:
    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.outbound_nodes = []
        self.value = None
        self.dvalues = {}
        for n in inbound_nodes:
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
        self.dvalues = {self: 0}
        for n in self.outbound_nodes:
            self.dvalues[self] += n.dvalues[self]


class Linear(Node):
    def __init__(self, X, W, b):
        Node.__init__(self, [X, W, b])

    def forward(self):
        X, W, b = [n.value for n in self.inbound_nodes]
        self.value = np.dot(X, W) + b

    def backward(self):
        X, W, b = self.inbound_nodes
        self.dvalues = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            dout = n.dvalues[self]
            self.dvalues[X] += np.dot(dout, W.value.T)
            self.dvalues[W] += np.dot(X.value.T, dout)
            self.dvalues[b] += np.sum(dout, axis=0)


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    def forward(self):
        self.value = 1. / (1. + np.exp(-self.inbound_nodes[0].value))

    def backward(self):
        x = self.inbound_nodes[0]
        self.dvalues = {x: np.zeros_like(x.value)}
        for n in self.outbound_nodes:
            self.dvalues[x] += n.dvalues[self] * self.value * (1 - self.value)


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
        self.dvalues[self.inbound_nodes[0]] = (2 / self.m) * self.diff
        self.dvalues[self.inbound_nodes[1]] = (-2 / self.m) * self.diff


def topological_sort(feed_dict):
    input_nodes = list(feed_dict.keys())
    G = {}
    nodes = list(input_nodes)
    while nodes:
        n = nodes.pop(0)
        G.setdefault(n, {'in': set(), 'out': set()})
        for m in n.outbound_nodes:
            G.setdefault(m, {'in': set(), 'out': set()})
            G[n]['out'].add(m)
            G[m]['in'].add(n)
            nodes.append(m)
    L = []
    S = set(input_nodes)
    while S:
        n = S.pop()
        if isinstance(n, Input):
            n.value = feed_dict[n]
        L.append(n)
        for m in n.outbound_nodes:
            G[n]['out'].remove(m)
            G[m]['in'].remove(n)
            if len(G[m]['in']) == 0:
                S.add(m)
    return L


def forward_and_backward(graph):
    for n in graph:
        n.forward()
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables, learning_rate=1e-2):
    for t in trainables:
        t.value -= learning_rate * t.dvalues[t]
