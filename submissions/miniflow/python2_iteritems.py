# -*- coding: utf-8 -*-
"""
MiniFlow - Udacity 딥러닝 파운데이션 나노디그리
역전파 (backpropagation) 과제
"""
from __future__ import print_function, division
import numpy as np
import matplotlib.pyplot as plt


class Node(object):
    def __init__(self, inbound_nodes=[]):
        # 입력 노드 목록
        self.inbound_nodes = inbound_nodes
        self.value = None
        # 출력 노드 목록
        self.outbound_nodes = []
        self.gradients = {}
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)

    def forward(self):
        raise NotImplemented

    def backward(self):
        raise NotImplemented


class Input(Node):
    def __init__(self):
        Node.__init__(self)

    def forward(self, value=None):
        if value is not None:
            self.value = value

    def backward(self):
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            self.gradients[self] += grad_cost * 1


class Linear(Node):
    def __init__(self, inbound_node, weights, bias):
        Node.__init__(self, [inbound_node, weights, bias])

    def forward(self):
        inputs = self.inbound_nodes[0].value
        weights = self.inbound_nodes[1].value
        bias = self.inbound_nodes[2].value
        self.value = inputs @ weights + bias

    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            # 입력에 대한 기울기
            self.gradients[self.inbound_nodes[0]] += grad_cost @ self.inbound_nodes[1].value.T
            # 가중치에 대한 기울기
            self.gradients[self.inbound_nodes[1]] += self.inbound_nodes[0].value.T @ grad_cost
            # 편향에 대한 기울기
            self.gradients[self.inbound_nodes[2]] += np.sum(grad_cost, axis=0)


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    @staticmethod
    def _sigmoid(x):
        return 1. / (1. + np.exp(-x))

    def forward(self):
        self.value = self._sigmoid(self.inbound_nodes[0].value)

    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            sigmoid = self.value
            self.gradients[self.inbound_nodes[0]] += sigmoid * (1 - sigmoid) * grad_cost


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
        self.gradients[self.inbound_nodes[0]] = (2 / self.m) * self.diff
        self.gradients[self.inbound_nodes[1]] = (-2 / self.m) * self.diff


def topological_sort(feed_dict):
    input_nodes = [n for n, v in feed_dict.iteritems()]
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
        partial = t.gradients[t]
        t.value -= learning_rate * partial


if __name__ == '__main__':
    from sklearn.datasets import load_boston
    from sklearn.utils import shuffle, resample
    data = load_boston()
    X_ = data['data']
    y_ = data['target']
    X_ = (X_ - np.mean(X_, axis=0)) / np.std(X_, axis=0)
    n_features = X_.shape[1]
    n_hidden = 10
    W1_ = np.random.randn(n_features, n_hidden)
    b1_ = np.zeros(n_hidden)
    W2_ = np.random.randn(n_hidden, 1)
    b2_ = np.zeros(1)
    X, y = Input(), Input()
    W1, b1 = Input(), Input()
    W2, b2 = Input(), Input()
    l1 = Linear(X, W1, b1)
    s1 = Sigmoid(l1)
    l2 = Linear(s1, W2, b2)
    cost = MSE(y, l2)
    feed_dict = {X: X_, y: y_, W1: W1_, b1: b1_, W2: W2_, b2: b2_}
    epochs = 1000
    m = X_.shape[0]
    batch_size = 11
    steps_per_epoch = m // batch_size
    graph = topological_sort(feed_dict)
    trainables = [W1, b1, W2, b2]
    losses = []
    for i in range(epochs):
        loss = 0
        for j in range(steps_per_epoch):
            X_batch, y_batch = resample(X_, y_, n_samples=batch_size)
            X.value = X_batch
            y.value = y_batch
            forward_and_backward(graph)
            sgd_update(trainables)
            loss += graph[-1].value
        print("Epoch: {}, Loss: {:.3f}".format(i + 1, loss / steps_per_epoch))
        losses.append(loss)
    plt.plot(losses)
    plt.show()
