"""
MiniFlow (Python 2.7, the course VM)
"""
import numpy as np


class Node(object):
    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.outbound_nodes = []
        self.value = None
        # partial derivatives of the cost w.r.t. each inbound node, keyed by node
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
        # value is set by topological_sort
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
        self.value = X @ W + b

    def backward(self):
        X, W, b = self.inbound_nodes
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad = n.gradients[self]
            self.gradients[X] += grad @ W.value.T
            self.gradients[W] += X.value.T @ grad
            self.gradients[b] += grad.sum(axis=0)


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    def _sigmoid(self, x):
        return 1.0 / (1.0 + np.exp(-x))

    def forward(self):
        self.value = self._sigmoid(self.inbound_nodes[0].value)

    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad = n.gradients[self]
            # sigmoid'(x) = s * (1 - s), with s the output we already have
            self.gradients[self.inbound_nodes[0]] += self.value * (1 - self.value) * grad


class MSE(Node):
    def __init__(self, y, a):
        Node.__init__(self, [y, a])

    def forward(self):
        # reshape to columns, otherwise (3,) - (3,1) broadcasts to (3,3)
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = y.shape[0]
        self.diff = y - a
        self.value = np.mean(self.diff ** 2)

    def backward(self):
        y, a = self.inbound_nodes
        self.gradients[y] = (2 / self.m) * self.diff
        self.gradients[a] = (-2 / self.m) * self.diff


def topological_sort(feed_dict):
    """Kahn's algorithm. feed_dict maps Input nodes to their values."""
    input_nodes = [n for n in feed_dict.keys()]

    G = {}
    nodes = [n for n in input_nodes]
    while len(nodes) > 0:
        n = nodes.pop(0)
        if n not in G:
            G[n] = {'in': set(), 'out': set()}
        for m in n.outbound_nodes:
            if m not in G:
                G[m] = {'in': set(), 'out': set()}
            G[n]['out'].add(m)
            G[m]['in'].add(n)
            nodes.append(m)

    L = []
    S = set(input_nodes)
    while len(S) > 0:
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
        t.value -= learning_rate * t.gradients[t]


if __name__ == '__main__':
    X, W, b, y = Input(), Input(), Input(), Input()
    f = Linear(X, W, b)
    a = Sigmoid(f)
    cost = MSE(y, a)
    feed_dict = {
        X: np.array([[-1., -2.], [-1, -2]]),
        W: np.array([[2.], [3.]]),
        b: np.array([-3.]),
        y: np.array([1, 2]),
    }
    graph = topological_sort(feed_dict)
    for i in xrange(3):
        forward_and_backward(graph)
        print "step %d, cost %.6f" % (i, cost.value)
    print [t.gradients[t] for t in [X, y, W, b]]
