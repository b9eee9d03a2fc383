"""MiniFlow (backprop + SGD). Each node sets itself up; Node only documents the attributes."""
import numpy as np


class Node:
    """Attributes every node has: inbound_nodes, outbound_nodes, value, gradients."""

    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.outbound_nodes = []
        self.value = None
        self.gradients = {}

    def connect(self, inbound_nodes):
        self.inbound_nodes = list(inbound_nodes)
        self.outbound_nodes = []
        self.value = None
        self.gradients = {}
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)


class Input(Node):
    def __init__(self):
        self.connect([])

    def forward(self, value=None):
        if value is not None:
            self.value = value

    def backward(self):
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            self.gradients[self] = self.gradients[self] + n.gradients[self]


class Linear(Node):
    def __init__(self, inputs, weights, bias):
        self.connect([inputs, weights, bias])

    def forward(self):
        inputs, weights, bias = self.inbound_nodes
        self.value = np.dot(inputs.value, weights.value) + bias.value

    def backward(self):
        inputs, weights, bias = self.inbound_nodes
        self.gradients = {}
        for n in self.outbound_nodes:
            grad = n.gradients[self]
            parts = {
                inputs: np.dot(grad, weights.value.T),
                weights: np.dot(inputs.value.T, grad),
                bias: np.sum(grad, axis=0),
            }
            for node, part in parts.items():
                self.gradients[node] = self.gradients[node] + part if node in self.gradients else part


class Sigmoid(Node):
    def __init__(self, node):
        self.connect([node])

    def forward(self):
        self.value = 1.0 / (1.0 + np.exp(-self.inbound_nodes[0].value))

    def backward(self):
        node = self.inbound_nodes[0]
        self.gradients = {}
        for n in self.outbound_nodes:
            part = self.value * (1.0 - self.value) * n.gradients[self]
            self.gradients[node] = self.gradients[node] + part if node in self.gradients else part


class MSE(Node):
    def __init__(self, y, a):
        self.connect([y, a])

    def forward(self):
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = y.shape[0]
        self.diff = y - a
        self.value = np.mean(np.square(self.diff))

    def backward(self):
        y, a = self.inbound_nodes
        self.gradients[y] = 2.0 / self.m * self.diff
        self.gradients[a] = -2.0 / self.m * self.diff


def topological_sort(feed_dict):
    graph = {}
    queue = list(feed_dict.keys())
    while queue:
        n = queue.pop(0)
        if n not in graph:
            graph[n] = {"in": set(), "out": set()}
        for m in n.outbound_nodes:
            if m not in graph:
                graph[m] = {"in": set(), "out": set()}
            graph[n]["out"].add(m)
            graph[m]["in"].add(n)
            queue.append(m)
    result = []
    ready = set(feed_dict.keys())
    while ready:
        n = ready.pop()
        if isinstance(n, Input):
            n.value = feed_dict[n]
        result.append(n)
        for m in n.outbound_nodes:
            graph[n]["out"].remove(m)
            graph[m]["in"].remove(n)
            if not graph[m]["in"]:
                ready.add(m)
    return result


def forward_and_backward(graph):
    for n in graph:
        n.forward()
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables, learning_rate=1e-2):
    for t in trainables:
        t.value -= learning_rate * t.gradients[t]
