"""Generated MiniFlow submissions for the throughput benchmark: a realistic class mix from one template.

Every variant is the course's MiniFlow with one edit (a known mistake from FACTS.md section 4, extra work, an
exception in backward, a syntax error). Each file carries its student number, so no two are byte-identical.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

TEMPLATE = '''"""MiniFlow, student {student}."""
import numpy as np


class Node:
    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.value = None
        self.outbound_nodes = []
        self.gradients = {{}}
        for node in inbound_nodes:
            node.outbound_nodes.append(self)

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
        self.gradients = {{self: 0}}
        for n in self.outbound_nodes:
            self.gradients[self] {accumulate} n.gradients[self]


class Linear(Node):
    def __init__(self, X, W, b):
        Node.__init__(self, [X, W, b])

    def forward(self):
        X, W, b = (n.value for n in self.inbound_nodes)
        self.value = np.dot(X, W) + b

    def backward(self):
        self.gradients = {{n: np.zeros_like(n.value) for n in self.inbound_nodes}}
        X, W, b = self.inbound_nodes
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            self.gradients[X] += np.dot(grad_cost, {weight_t})
            self.gradients[W] += np.dot(X.value.T, grad_cost)
            self.gradients[b] += np.sum(grad_cost, axis=0, keepdims=False)


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    def _sigmoid(self, x):
        return 1.0 / (1.0 + np.exp(-x))

    def forward(self):
        self.value = self._sigmoid(self.inbound_nodes[0].value)

    def backward(self):
{sigmoid_backward_prologue}        self.gradients = {{n: np.zeros_like(n.value) for n in self.inbound_nodes}}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            s = {sigmoid_source}
            self.gradients[self.inbound_nodes[0]] += s * (1 - s) * grad_cost


class MSE(Node):
    def __init__(self, y, a):
        Node.__init__(self, [y, a])

    def forward(self):
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = self.inbound_nodes[0].value.shape[0]
        self.diff = y - a
        self.value = np.mean(self.diff**2)

    def backward(self):
        self.gradients[self.inbound_nodes[0]] = ({sign}2 / self.m) * self.diff
        self.gradients[self.inbound_nodes[1]] = ({opposite}2 / self.m) * self.diff


def topological_sort(feed_dict):
    input_nodes = [n for n in feed_dict.keys()]
    G = {{}}
    nodes = [n for n in input_nodes]
    while len(nodes) > 0:
        n = nodes.pop(0)
        if n not in G:
            G[n] = {{"in": set(), "out": set()}}
        for m in n.outbound_nodes:
            if m not in G:
                G[m] = {{"in": set(), "out": set()}}
            G[n]["out"].add(m)
            G[m]["in"].add(n)
            nodes.append(m)
    L = []
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


def forward_and_backward(graph):
{extra_work}    for n in graph:
        n.forward()
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables, learning_rate=1e-2):
    for t in trainables:
        t.value -= learning_rate * t.gradients[t]
{tail}'''

CORRECT = {
    "accumulate": "+=",
    "weight_t": "W.value.T",
    "sigmoid_backward_prologue": "",
    "sigmoid_source": "self.value",
    "sign": "",
    "opposite": "-",
    "extra_work": "",
    "tail": "",
}

# kind -> the template fields it changes from CORRECT.
VARIANTS: dict[str, dict[str, str]] = {
    "correct": {},
    "sigmoid_from_input": {"sigmoid_source": "self.inbound_nodes[0].value"},
    "overwrite_not_accumulate": {"accumulate": "="},
    "mse_sign_flipped": {"sign": "-", "opposite": ""},
    "linear_missing_transpose": {"weight_t": "W.value"},
    # A student who recomputes something on every pass: pure-Python work, a few ms per backward.
    "slow": {"extra_work": "    _ = sum(i * i for i in range(100_000))\n"},
    "crash_in_backward": {
        "sigmoid_backward_prologue": '        raise RuntimeError("TODO: sigmoid backward")\n'
    },
    "syntax_error": {"tail": "\ndef broken(:\n    pass\n"},
}

# Out of every 20 students: half correct, the usual mistakes, one slow, one crashing, one not even parsing.
MIX: dict[str, int] = {
    "correct": 10,
    "sigmoid_from_input": 2,
    "overwrite_not_accumulate": 2,
    "mse_sign_flipped": 2,
    "linear_missing_transpose": 1,
    "slow": 1,
    "crash_in_backward": 1,
    "syntax_error": 1,
}


def source(kind: str, student: str) -> str:
    """The submission text of one variant."""
    return TEMPLATE.format(student=student, **(CORRECT | VARIANTS[kind]))


def kinds(n: int, seed: int) -> list[str]:
    """n kinds in MIX proportions, exact in every block of 20 students, each block shuffled reproducibly."""
    rng = random.Random(seed)
    block = [kind for kind, count in MIX.items() for _ in range(count)]
    drawn: list[str] = []
    while len(drawn) < n:
        rng.shuffle(block)
        drawn += block
    return drawn[:n]


def write_class(directory: Path, n: int, seed: int = 1) -> Counter[str]:
    """Write n submissions `student_NNNNN.py` into `directory`; return how many of each kind."""
    directory.mkdir(parents=True, exist_ok=True)
    drawn = kinds(n, seed)
    for i, kind in enumerate(drawn):
        student = f"{i:05d}"
        (directory / f"student_{student}.py").write_text(source(kind, student), encoding="utf-8")
    return Counter(drawn)
