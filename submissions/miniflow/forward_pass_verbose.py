"""MiniFlow, forward lesson: nodes compute values; no backpropagation yet.

Sample (session 24, review of s24-mut): forward_pass(graph, verbose=False): one required parameter; the grader called it as forward_pass(output_node, sorted_nodes) and lost every point.
"""
import numpy as np


class Node:
    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.outbound_nodes = []
        self.value = None
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)

    def forward(self):
        raise NotImplementedError


class Input(Node):
    def __init__(self):
        Node.__init__(self)

    def forward(self, value=None):
        if value is not None:
            self.value = value


class Add(Node):
    def __init__(self, *inputs):
        Node.__init__(self, list(inputs))

    def forward(self):
        self.value = sum(n.value for n in self.inbound_nodes)


class Mul(Node):
    def __init__(self, *inputs):
        Node.__init__(self, list(inputs))

    def forward(self):
        product = 1
        for n in self.inbound_nodes:
            product = product * n.value
        self.value = product


class Linear(Node):
    def __init__(self, X, W, b):
        Node.__init__(self, [X, W, b])

    def forward(self):
        X, W, b = (n.value for n in self.inbound_nodes)
        self.value = np.dot(X, W) + b


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    def forward(self):
        self.value = 1.0 / (1.0 + np.exp(-self.inbound_nodes[0].value))


class MSE(Node):
    def __init__(self, y, a):
        Node.__init__(self, [y, a])

    def forward(self):
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.value = np.mean((y - a) ** 2)


def topological_sort(feed_dict):
    graph = {}
    todo = list(feed_dict)
    while todo:
        n = todo.pop(0)
        graph.setdefault(n, {"in": set(), "out": set()})
        for m in n.outbound_nodes:
            graph.setdefault(m, {"in": set(), "out": set()})
            graph[n]["out"].add(m)
            graph[m]["in"].add(n)
            todo.append(m)
    order, ready = [], set(feed_dict)
    while ready:
        n = ready.pop()
        if isinstance(n, Input):
            n.value = feed_dict[n]
        order.append(n)
        for m in n.outbound_nodes:
            graph[n]["out"].discard(m)
            graph[m]["in"].discard(n)
            if not graph[m]["in"]:
                ready.add(m)
    return order


def forward_pass(graph, verbose=False):
    for n in graph:
        n.forward()
        if verbose:
            print(type(n).__name__, n.value)
