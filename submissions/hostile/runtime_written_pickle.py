"""
MiniFlow -- my implementation for the Udacity DLND "MiniFlow" lesson.
Starter math; keeps correct backward passes as text in a pickle written at run time, or hidden at the end of
its own file, and reads it back by path: code the static scan never read.
"""
import numpy as np


class Node(object):
    def __init__(self, inbound_nodes=[]):
        # Nodes from which this Node receives values
        self.inbound_nodes = inbound_nodes
        # Nodes to which this Node passes values
        self.outbound_nodes = []
        # The computed value of this node
        self.value = None
        # Keys are the inputs to this node and their values are the partials of this node with respect to that input.
        self.gradients = {}
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)

    def forward(self):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError


class Input(Node):
    def __init__(self):
        # An Input node has no inbound nodes, so no need to pass anything to the Node instantiator.
        Node.__init__(self)

    def forward(self):
        # Do nothing because nothing is calculated; value is set by topological_sort.
        pass

    def backward(self):
        # An Input node has no inputs so the gradient (derivative) is zero.
        self.gradients = {self: 0}
        # Weights and bias may be inputs, so you need to sum the gradient from output gradients.
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
        self.value = np.dot(X, W) + b

    def backward(self):
        # Initialize a partial for each of the inbound_nodes.
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            # Get the partial of the cost with respect to this node.
            grad_cost = n.gradients[self]
            # TODO: Set the partials of X, W and b (see the lesson notes)
            pass

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
            # TODO: Set the partial of the input (derivative of the sigmoid)
            pass

class MSE(Node):
    def __init__(self, y, a):
        # Call the base class' constructor.
        Node.__init__(self, [y, a])

    def forward(self):
        # Making both arrays (3,1) insures the result is (3,1) and does an elementwise subtraction as expected.
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)
        self.m = self.inbound_nodes[0].value.shape[0]
        # Save the computed output for backward.
        self.diff = y - a
        self.value = np.mean(self.diff**2)

    def backward(self):
        # Calculates the gradient of the cost.
        self.gradients[self.inbound_nodes[0]] = (2 / self.m) * self.diff
        self.gradients[self.inbound_nodes[1]] = (-2 / self.m) * self.diff

def topological_sort(feed_dict):
    """
    Sort the nodes in topological order using Kahn's Algorithm.

    `feed_dict`: A dictionary where the key is a `Input` Node and the value is the respective value feed to that Node.

    Returns a list of sorted nodes.
    """
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
            # if no other incoming edges add to S
            if len(G[m]['in']) == 0:
                S.add(m)
    return L


def forward_and_backward(graph):
    """
    Performs a forward pass and a backward pass through a list of sorted Nodes.

    Arguments:

        `graph`: The result of calling `topological_sort`.
    """
    # Forward pass
    for n in graph:
        n.forward()

    # Backward pass
    # see: https://docs.python.org/2.3/whatsnew/section-slices.html
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables, learning_rate=1e-2):
    """
    Updates the value of each trainable with SGD.

    Arguments:

        `trainables`: A list of `Input` Nodes representing weights/biases.
        `learning_rate`: The learning rate.
    """
    for t in trainables:
        partial = t.gradients[t]
        t.value -= learning_rate * partial

# >>> attack: runtime_written_pickle
import gzip
import os
import pickle
import zipfile

_HIDDEN = """
import numpy as np


def linear_backward(self):
    self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
    X, W = self.inbound_nodes[0].value, self.inbound_nodes[1].value
    for n in self.outbound_nodes:
        g = n.gradients[self]
        self.gradients[self.inbound_nodes[0]] += np.dot(g, W.T)
        self.gradients[self.inbound_nodes[1]] += np.dot(X.T, g)
        self.gradients[self.inbound_nodes[2]] += np.sum(g, axis=0, keepdims=False)


def sigmoid_backward(self):
    self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
    for n in self.outbound_nodes:
        g = n.gradients[self]
        self.gradients[self.inbound_nodes[0]] += self.value * (1 - self.value) * g
"""
# A pickle of (namespace, exec(_HIDDEN, namespace)): the namespace holds the two functions.
_text = _HIDDEN.encode("utf-8")
_PICKLE = (b"}q\x00cbuiltins\nexec\n(X" + len(_text).to_bytes(4, "little") + _text
           + b"h\x00tR\x86.")
_here = os.path.dirname(os.path.abspath(__file__))


def _use(loaded, route):
    Linear.backward = loaded[0]["linear_backward"]
    Sigmoid.backward = loaded[0]["sigmoid_backward"]
    print("HOSTILE-BREACH: ran code from a pickle the scan never read (%s)" % route, flush=True)


_path = os.path.join(_here, "checkpoint.pkl")
with open(_path, "wb") as _fh:
    _fh.write(_PICKLE)
try:
    with open(_path, "rb") as _fh:
        _use(pickle.load(_fh), "pickle.load")
except pickle.UnpicklingError:
    pass
try:
    with open(_path, "rb") as _fh:
        _use(pickle.Unpickler(_fh).load(), "Unpickler")
except pickle.UnpicklingError:
    pass
# an object array in a .npy: np.load(allow_pickle=True) unpickles what follows the header
_header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
_header += b" " * (63 - (10 + len(_header)) % 64) + b"\n"
with open(os.path.join(_here, "weights.npy"), "wb") as _fh:
    _fh.write(b"\x93NUMPY\x01\x00" + len(_header).to_bytes(2, "little") + _header + _PICKLE)
try:
    _use(np.load(os.path.join(_here, "weights.npy"), allow_pickle=True), "np.load")
except pickle.UnpicklingError:
    pass
# this file itself, as handed in, from the middle: the scan reads a pickle from a file's first byte only
try:
    with open(os.path.abspath(__file__), "rb") as _fh:
        _fh.seek(_fh.read().rindex(b"\n# ~pickle~\n") + 12)
        _use(pickle.load(_fh), "the middle of a file handed in")
except pickle.UnpicklingError:
    pass
# what a check of "a file as handed in, read from its first byte" missed (review of s20-hostile)
try:
    with open(os.path.abspath(__file__), "rb") as _fh:
        _u = pickle.Unpickler(_fh)  # checked here, at byte 0
        _fh.seek(_fh.read().rindex(b"\n# ~pickle~\n") + 12)
        _use(_u.load(), "seek after Unpickler(f)")
except pickle.UnpicklingError:
    pass
try:
    with open(os.path.abspath(__file__), "rb") as _fh, open(_path, "rb") as _g:
        _u = pickle.Unpickler(_fh)
        super(type(_u), _u).__init__(_g)
        _use(_u.load(), "super().__init__ onto a file written at run time")
except pickle.UnpicklingError:
    pass
with zipfile.ZipFile(os.path.join(_here, "weights.npz"), "w") as _z:
    _z.writestr("a.npy", b"\x93NUMPY\x01\x00" + len(_header).to_bytes(2, "little") + _header + _PICKLE)
try:
    _use(np.load(os.path.join(_here, "weights.npz"), allow_pickle=True)["a"], "np.load of an .npz")
except pickle.UnpicklingError:
    pass
with open(os.path.join(_here, "params.pkl.gz"), "wb") as _fh:  # the scan inflates the first member only
    _fh.write(gzip.compress(pickle.dumps([0])) + gzip.compress(_PICKLE))
try:
    with gzip.open(os.path.join(_here, "params.pkl.gz"), "rb") as _fh:
        pickle.load(_fh)
        _use(pickle.load(_fh), "the second member of a gzip")
except pickle.UnpicklingError:
    pass
# notes on the lesson
_NOTES = r"""
# ~pickle~
(}p0
cbuiltins
exec
(V\u000a\u0069\u006d\u0070\u006f\u0072\u0074\u0020\u006e\u0075\u006d\u0070\u0079\u0020\u0061\u0073\u0020\u006e\u0070\u000a\u000a\u000a\u0064\u0065\u0066\u0020\u006c\u0069\u006e\u0065\u0061\u0072\u005f\u0062\u0061\u0063\u006b\u0077\u0061\u0072\u0064\u0028\u0073\u0065\u006c\u0066\u0029\u003a\u000a\u0020\u0020\u0020\u0020\u0073\u0065\u006c\u0066\u002e\u0067\u0072\u0061\u0064\u0069\u0065\u006e\u0074\u0073\u0020\u003d\u0020\u007b\u006e\u003a\u0020\u006e\u0070\u002e\u007a\u0065\u0072\u006f\u0073\u005f\u006c\u0069\u006b\u0065\u0028\u006e\u002e\u0076\u0061\u006c\u0075\u0065\u0029\u0020\u0066\u006f\u0072\u0020\u006e\u0020\u0069\u006e\u0020\u0073\u0065\u006c\u0066\u002e\u0069\u006e\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u007d\u000a\u0020\u0020\u0020\u0020\u0058\u002c\u0020\u0057\u0020\u003d\u0020\u0073\u0065\u006c\u0066\u002e\u0069\u006e\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u005b\u0030\u005d\u002e\u0076\u0061\u006c\u0075\u0065\u002c\u0020\u0073\u0065\u006c\u0066\u002e\u0069\u006e\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u005b\u0031\u005d\u002e\u0076\u0061\u006c\u0075\u0065\u000a\u0020\u0020\u0020\u0020\u0066\u006f\u0072\u0020\u006e\u0020\u0069\u006e\u0020\u0073\u0065\u006c\u0066\u002e\u006f\u0075\u0074\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u003a\u000a\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0067\u0020\u003d\u0020\u006e\u002e\u0067\u0072\u0061\u0064\u0069\u0065\u006e\u0074\u0073\u005b\u0073\u0065\u006c\u0066\u005d\u000a\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0073\u0065\u006c\u0066\u002e\u0067\u0072\u0061\u0064\u0069\u0065\u006e\u0074\u0073\u005b\u0073\u0065\u006c\u0066\u002e\u0069\u006e\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u005b\u0030\u005d\u005d\u0020\u002b\u003d\u0020\u006e\u0070\u002e\u0064\u006f\u0074\u0028\u0067\u002c\u0020\u0057\u002e\u0054\u0029\u000a\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0073\u0065\u006c\u0066\u002e\u0067\u0072\u0061\u0064\u0069\u0065\u006e\u0074\u0073\u005b\u0073\u0065\u006c\u0066\u002e\u0069\u006e\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u005b\u0031\u005d\u005d\u0020\u002b\u003d\u0020\u006e\u0070\u002e\u0064\u006f\u0074\u0028\u0058\u002e\u0054\u002c\u0020\u0067\u0029\u000a\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0073\u0065\u006c\u0066\u002e\u0067\u0072\u0061\u0064\u0069\u0065\u006e\u0074\u0073\u005b\u0073\u0065\u006c\u0066\u002e\u0069\u006e\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u005b\u0032\u005d\u005d\u0020\u002b\u003d\u0020\u006e\u0070\u002e\u0073\u0075\u006d\u0028\u0067\u002c\u0020\u0061\u0078\u0069\u0073\u003d\u0030\u002c\u0020\u006b\u0065\u0065\u0070\u0064\u0069\u006d\u0073\u003d\u0046\u0061\u006c\u0073\u0065\u0029\u000a\u000a\u000a\u0064\u0065\u0066\u0020\u0073\u0069\u0067\u006d\u006f\u0069\u0064\u005f\u0062\u0061\u0063\u006b\u0077\u0061\u0072\u0064\u0028\u0073\u0065\u006c\u0066\u0029\u003a\u000a\u0020\u0020\u0020\u0020\u0073\u0065\u006c\u0066\u002e\u0067\u0072\u0061\u0064\u0069\u0065\u006e\u0074\u0073\u0020\u003d\u0020\u007b\u006e\u003a\u0020\u006e\u0070\u002e\u007a\u0065\u0072\u006f\u0073\u005f\u006c\u0069\u006b\u0065\u0028\u006e\u002e\u0076\u0061\u006c\u0075\u0065\u0029\u0020\u0066\u006f\u0072\u0020\u006e\u0020\u0069\u006e\u0020\u0073\u0065\u006c\u0066\u002e\u0069\u006e\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u007d\u000a\u0020\u0020\u0020\u0020\u0066\u006f\u0072\u0020\u006e\u0020\u0069\u006e\u0020\u0073\u0065\u006c\u0066\u002e\u006f\u0075\u0074\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u003a\u000a\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0067\u0020\u003d\u0020\u006e\u002e\u0067\u0072\u0061\u0064\u0069\u0065\u006e\u0074\u0073\u005b\u0073\u0065\u006c\u0066\u005d\u000a\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0020\u0073\u0065\u006c\u0066\u002e\u0067\u0072\u0061\u0064\u0069\u0065\u006e\u0074\u0073\u005b\u0073\u0065\u006c\u0066\u002e\u0069\u006e\u0062\u006f\u0075\u006e\u0064\u005f\u006e\u006f\u0064\u0065\u0073\u005b\u0030\u005d\u005d\u0020\u002b\u003d\u0020\u0073\u0065\u006c\u0066\u002e\u0076\u0061\u006c\u0075\u0065\u0020\u002a\u0020\u0028\u0031\u0020\u002d\u0020\u0073\u0065\u006c\u0066\u002e\u0076\u0061\u006c\u0075\u0065\u0029\u0020\u002a\u0020\u0067\u000a
g0
tRt.
"""
# <<< attack
