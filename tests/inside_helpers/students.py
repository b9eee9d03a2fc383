"""Small student submissions for the inside tests: the textbook code and the variants seen in real work.

Written here from the books' and the course's listings (FACTS.md), not from the grader's reference engine.
"""

from __future__ import annotations

MINIFLOW = """
import numpy as np


class Node(object):
    def __init__(self, inbound_nodes=[]):
        self.inbound_nodes = inbound_nodes
        self.value = None
        self.outbound_nodes = []
        self.gradients = {}
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
        self.gradients = {self: 0}
        for n in self.outbound_nodes:
            self.gradients[self] += n.gradients[self]


class Linear(Node):
    def __init__(self, X, W, b):
        Node.__init__(self, [X, W, b])

    def forward(self):
        X = self.inbound_nodes[0].value
        W = self.inbound_nodes[1].value
        b = self.inbound_nodes[2].value
        self.value = np.dot(X, W) + b

    def backward(self):
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            self.gradients[self.inbound_nodes[0]] += np.dot(grad_cost, self.inbound_nodes[1].value.T)
            self.gradients[self.inbound_nodes[1]] += np.dot(self.inbound_nodes[0].value.T, grad_cost)
            self.gradients[self.inbound_nodes[2]] += np.sum(grad_cost, axis=0, keepdims=False)


class Sigmoid(Node):
    def __init__(self, node):
        Node.__init__(self, [node])

    def _sigmoid(self, x):
        return 1. / (1. + np.exp(-x))

    def forward(self):
        input_value = self.inbound_nodes[0].value
        self.value = self._sigmoid(input_value)

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
        self.value = np.mean(self.diff**2)

    def backward(self):
        self.gradients[self.inbound_nodes[0]] = (2 / self.m) * self.diff
        self.gradients[self.inbound_nodes[1]] = (-2 / self.m) * self.diff


def topological_sort(feed_dict):
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
        partial = t.gradients[t]
        t.value -= learning_rate * partial
"""

# Variant: base class `Layer` with inbound_layers/outbound_layers, a `name=` keyword on every node,
# Input.forward(value=None), forward_and_backward(graph, training), an MSE value of shape (1,), a print
# and a training demo at the bottom that needs a data set.
MINIFLOW_LAYER_VARIANT = (
    MINIFLOW.replace("inbound_nodes", "inbound_layers")
    .replace("outbound_nodes", "outbound_layers")
    .replace("class Node(object)", "class Layer(object)")
    .replace("Node.__init__", "Layer.__init__")
    .replace("(Node)", "(Layer)")
    .replace("def __init__(self, inbound_layers=[]):", "def __init__(self, inbound_layers=[], name=None):")
    .replace(
        "def __init__(self):\n        Layer.__init__(self)",
        "def __init__(self, name):\n        Layer.__init__(self)",
    )
    .replace("def __init__(self, X, W, b):", "def __init__(self, X, W, b, name):")
    .replace("def __init__(self, node):", "def __init__(self, node, name):")
    .replace("def __init__(self, y, a):", "def __init__(self, y, a, name):")
    .replace(
        "    def forward(self):\n        pass",
        "    def forward(self, value=None):\n        if value is not None:\n            self.value = value",
    )
    .replace("self.value = np.mean(self.diff**2)", "self.value = np.array([np.mean(self.diff**2)])")
    .replace("def forward_and_backward(graph):", "def forward_and_backward(graph, training):")
    + """
print("MiniFlow loaded")
data = np.load("boston_housing.npz")  # the data set is not shipped: raises at import, after the classes
"""
)

# Variant: `Neuron` base, no forward_and_backward (forward_pass/backward_pass pair instead).
MINIFLOW_PASS_VARIANT = (
    MINIFLOW.replace("inbound_nodes", "inbound_neurons")
    .replace("outbound_nodes", "outbound_neurons")
    .replace("class Node(object)", "class Neuron(object)")
    .replace("Node.__init__", "Neuron.__init__")
    .replace("(Node)", "(Neuron)")
    .replace(
        "def forward_and_backward(graph):\n    for n in graph:\n        n.forward()\n"
        "    for n in graph[::-1]:\n"
        "        n.backward()",
        "def forward_pass(sorted_neurons):\n    for n in sorted_neurons:\n        n.forward()\n\n\n"
        "def backward_pass(sorted_neurons):\n    for n in sorted_neurons[::-1]:\n        n.backward()",
    )
)

# Sigmoid.backward left as the TODO of the exercise.
MINIFLOW_SIGMOID_TODO = MINIFLOW.replace(
    "            self.gradients[self.inbound_nodes[0]] += sigmoid * (1 - sigmoid) * grad_cost\n", ""
).replace(
    "        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}\n"
    "        for n in self.outbound_nodes:\n            grad_cost = n.gradients[self]\n"
    "            sigmoid = self.value\n",
    "        pass  # TODO: compute the gradient of the sigmoid\n",
)

# `=` instead of `+=` over outbound nodes (FACTS.md section 4).
MINIFLOW_OVERWRITE = MINIFLOW.replace(
    "self.gradients[self.inbound_nodes[0]] += np.dot(grad_cost, self.inbound_nodes[1].value.T)",
    "self.gradients[self.inbound_nodes[0]] = np.dot(grad_cost, self.inbound_nodes[1].value.T)",
)

DEZERO = """
import weakref
import contextlib
import numpy as np


class Config:
    enable_backprop = True


@contextlib.contextmanager
def using_config(name, value):
    old_value = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old_value)


def no_grad():
    return using_config('enable_backprop', False)


class Variable:
    def __init__(self, data):
        if data is not None:
            if not isinstance(data, np.ndarray):
                raise TypeError('{} is not supported'.format(type(data)))
        self.data = data
        self.grad = None
        self.creator = None
        self.generation = 0

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs = []
        seen_set = set()

        def add_func(f):
            if f not in seen_set:
                funcs.append(f)
                seen_set.add(f)
                funcs.sort(key=lambda x: x.generation)

        add_func(self.creator)
        while funcs:
            f = funcs.pop()
            gys = [output().grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                if x.grad is None:
                    x.grad = gx
                else:
                    x.grad = x.grad + gx
                if x.creator is not None:
                    add_func(x.creator)
            if not retain_grad:
                for y in f.outputs:
                    y().grad = None


def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Function:
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        if Config.enable_backprop:
            self.generation = max([x.generation for x in inputs])
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(output) for output in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, xs):
        raise NotImplementedError()

    def backward(self, gys):
        raise NotImplementedError()


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x = self.inputs[0].data
        return 2 * x * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        x = self.inputs[0].data
        return np.exp(x) * gy


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def add(x0, x1):
    return Add()(x0, x1)
"""

# Variant: `creater`/`set_creater`, `priority` ordering, backward returning a list, no retain_grad
# (step 16 code), demo code at module level.
DEZERO_VARIANT = (
    DEZERO.replace("creator", "creater")
    .replace("generation", "priority")
    .replace("return gy, gy", "return [gy, gy]")
    .replace("if not isinstance(gxs, tuple):", "if not isinstance(gxs, (tuple, list)):")
    .replace("def backward(self, retain_grad=False):", "def backward(self):")
    .replace("            if not retain_grad:\n", "            if False:\n")
    + """
x = Variable(np.array(2.0))
a = square(x)
y = add(square(a), square(a))
y.backward()
print(y.data, x.grad)
"""
)

# No generation ordering: the step-16 diamond gives x.grad 32 instead of 64 (FACTS.md section 4).
DEZERO_NO_ORDER = DEZERO.replace("                funcs.sort(key=lambda x: x.generation)\n", "")

LAYERS = """
import numpy as np
from common.functions import softmax, cross_entropy_error


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t.astype(int)] -= 1
            dx = dx / batch_size
        return dx
"""

COMMON_FUNCTIONS = """
import numpy as np


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t.astype(int)] + 1e-7)) / batch_size
"""

TWO_LAYER_NET = """
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.layers import *
from collections import OrderedDict


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = 1
        dout = self.lastLayer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        grads = {}
        grads['W1'], grads['b1'] = self.layers['Affine1'].dW, self.layers['Affine1'].db
        grads['W2'], grads['b2'] = self.layers['Affine2'].dW, self.layers['Affine2'].db
        return grads
"""

# Variants of issue 10 item 5. Gradients kept in `dvalues` instead of `gradients`.
MINIFLOW_DVALUES = MINIFLOW.replace("gradients", "dvalues")
# Neighbours in input_nodes / output_nodes.
MINIFLOW_INPUT_OUTPUT = MINIFLOW.replace("inbound_nodes", "input_nodes").replace(
    "outbound_nodes", "output_nodes"
)
# Node.__init__ does no wiring; every subclass skips it and wires itself (so a node built through the base
# class alone, as the grader's stub consumer is, appears in nobody's outbound list).
MINIFLOW_SKIP_NODE_INIT = (
    MINIFLOW.replace(
        "        for node in inbound_nodes:\n            node.outbound_nodes.append(self)\n",
        "\n    def wire(self, inbound_nodes):\n        Node.__init__(self, inbound_nodes)\n"
        "        for node in inbound_nodes:\n            node.outbound_nodes.append(self)\n",
    )
    .replace("Node.__init__(self, [X, W, b])", "self.wire([X, W, b])")
    .replace("Node.__init__(self, [node])", "self.wire([node])")
    .replace("Node.__init__(self, [y, a])", "self.wire([y, a])")
    # a backward that creates each entry on first use: with no consumer it would leave the dict empty
    .replace(
        "        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}\n"
        "        for n in self.outbound_nodes:\n            grad_cost",
        "        self.gradients = {}\n        for n in self.outbound_nodes:\n"
        "            for m in self.inbound_nodes:\n                self.gradients.setdefault(m, 0)\n"
        "            grad_cost",
    )
)
# An optimizer class instead of sgd_update, in the two shapes students write.
_SGD_BODY = "        partial = t.gradients[t]\n        t.value -="
_SGD_BODY_INDENTED = "            partial = t.gradients[t]\n            t.value -="
MINIFLOW_SGD_CLASS = MINIFLOW.replace(
    "def sgd_update(trainables, learning_rate=1e-2):\n    for t in trainables:",
    "class SGD:\n    def __init__(self, trainables, learning_rate=1e-2):\n"
    "        self.trainables, self.lr = trainables, learning_rate\n\n"
    "    def update(self):\n        learning_rate = self.lr\n        for t in self.trainables:",
).replace(
    "        partial = t.gradients[t]\n        t.value -=",
    "            partial = t.gradients[t]\n            t.value -=",
)
MINIFLOW_SGD_CLASS_LR_ONLY = MINIFLOW.replace(
    "def sgd_update(trainables, learning_rate=1e-2):\n    for t in trainables:",
    "class SGD:\n    def __init__(self, learning_rate=1e-2):\n        self.lr = learning_rate\n\n"
    "    def step(self, trainables):\n        learning_rate = self.lr\n        for t in trainables:",
).replace(
    "        partial = t.gradients[t]\n        t.value -=",
    "            partial = t.gradients[t]\n            t.value -=",
)
