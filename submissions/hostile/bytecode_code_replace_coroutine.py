"""
MiniFlow -- my implementation for the Udacity DLND "MiniFlow" lesson.
Starter math; correct backward passes kept as bytecode (bytes and tuples), put into the starter's own
Linear.backward and Sigmoid.backward by code.replace, the `__code__` slot named by a built string (no exec,
no marshal, no CodeType, no dunder name in sight), each made through types.coroutine, whose wrapper (a
function of types.py) calls code.replace for it.
"""
import numpy as np
import types


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



# >>> attack: bytecode kept as data replaces the starter's own backward code, made under types.py's frame
_LAYOUT = [{'co_code': b'\x97\x00|\x00j\x00\x00\x00\x00\x00\x00\x00\x00\x00d\x01\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x00j\x00\x00\x00\x00\x00\x00\x00\x00\x00d\x02\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x00j\x00\x00\x00\x00\x00\x00\x00\x00\x00d\x03\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00}\x03}\x02}\x01|\x01t\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x01j\x03\x00\x00\x00\x00\x00\x00\x00\x00\xa6\x01\x00\x00\xab\x01\x00\x00\x00\x00\x00\x00\x00\x00|\x02t\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x02j\x03\x00\x00\x00\x00\x00\x00\x00\x00\xa6\x01\x00\x00\xab\x01\x00\x00\x00\x00\x00\x00\x00\x00|\x03t\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x03j\x03\x00\x00\x00\x00\x00\x00\x00\x00\xa6\x01\x00\x00\xab\x01\x00\x00\x00\x00\x00\x00\x00\x00i\x03|\x00_\x04\x00\x00\x00\x00\x00\x00\x00\x00|\x00j\x05\x00\x00\x00\x00\x00\x00\x00\x00D\x00]\xaf}\x04|\x04j\x04\x00\x00\x00\x00\x00\x00\x00\x00|\x00\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00}\x05|\x00j\x04\x00\x00\x00\x00\x00\x00\x00\x00|\x01x\x02x\x02\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00t\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x05|\x02j\x03\x00\x00\x00\x00\x00\x00\x00\x00j\x07\x00\x00\x00\x00\x00\x00\x00\x00\xa6\x02\x00\x00\xab\x02\x00\x00\x00\x00\x00\x00\x00\x00z\r\x00\x00c\x03c\x02<\x00\x00\x00|\x00j\x04\x00\x00\x00\x00\x00\x00\x00\x00|\x02x\x02x\x02\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00t\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x01j\x03\x00\x00\x00\x00\x00\x00\x00\x00j\x07\x00\x00\x00\x00\x00\x00\x00\x00|\x05\xa6\x02\x00\x00\xab\x02\x00\x00\x00\x00\x00\x00\x00\x00z\r\x00\x00c\x03c\x02<\x00\x00\x00|\x00j\x04\x00\x00\x00\x00\x00\x00\x00\x00|\x03x\x02x\x02\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00t\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x05d\x01d\x04\xac\x05\xa6\x03\x00\x00\xab\x03\x00\x00\x00\x00\x00\x00\x00\x00z\r\x00\x00c\x03c\x02<\x00\x00\x00\x8c\xb0d\x00S\x00', 'co_consts': (None, 0, 1, 2, False, ('axis', 'keepdims')), 'co_names': ('inbound_nodes', 'np', 'zeros_like', 'value', 'gradients', 'outbound_nodes', 'dot', 'T', 'sum'), 'co_varnames': ('self', 'X', 'W', 'b', 'n', 'g'), 'co_nlocals': 6, 'co_stacksize': 9, 'co_exceptiontable': b'', 'co_linetable': b"\x80\x00\xd8\x0e\x12\xd4\x0e \xa0\x11\xd4\x0e#\xa0T\xd4%7\xb8\x01\xd4%:\xb8D\xd4<N\xc8q\xd4<Q\x88!\x80q\x80A\xd8\x16\x17\x9d\x12\x9f\x1d\x9a\x1d\xa0q\xa4w\xd1\x19/\xd4\x19/\xb0\x11\xb5B\xb7M\xb2M\xc0!\xc4'\xd14J\xd44J\xc8A\xcdr\xcf}\xca}\xd0]^\xd4]d\xd1Oe\xd4Oe\xd0\x15f\x80D\x84N\xd8\r\x11\xd4\r \xf0\x00\x04\x05?\xf0\x00\x04\x05?\x88\x01\xd8\x0c\r\x8cK\x98\x04\xd4\x0c\x1d\x88\x01\xd8\x08\x0c\x8c\x0e\x90q\xd0\x08\x19\xd0\x08\x19\xd4\x08\x19\x9dR\x9fV\x9aV\xa0A\xa0q\xa4w\xa4y\xd1\x1d1\xd4\x1d1\xd1\x081\xd0\x08\x19\xd0\x08\x19\xd1\x08\x19\xd8\x08\x0c\x8c\x0e\x90q\xd0\x08\x19\xd0\x08\x19\xd4\x08\x19\x9dR\x9fV\x9aV\xa0A\xa4G\xa4I\xa8q\xd1\x1d1\xd4\x1d1\xd1\x081\xd0\x08\x19\xd0\x08\x19\xd1\x08\x19\xd8\x08\x0c\x8c\x0e\x90q\xd0\x08\x19\xd0\x08\x19\xd4\x08\x19\x9dR\x9fV\x9aV\xa0A\xa8A\xb8\x05\x98V\xd1\x1d>\xd4\x1d>\xd1\x08>\xd0\x08\x19\xd0\x08\x19\xd1\x08\x19\xd0\x08\x19\xf0\t\x04\x05?\xf0\x00\x04\x05?"}, {'co_code': b'\x97\x00|\x00j\x00\x00\x00\x00\x00\x00\x00\x00\x00d\x01\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00}\x01|\x01t\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x01j\x03\x00\x00\x00\x00\x00\x00\x00\x00\xa6\x01\x00\x00\xab\x01\x00\x00\x00\x00\x00\x00\x00\x00i\x01|\x00_\x04\x00\x00\x00\x00\x00\x00\x00\x00|\x00j\x05\x00\x00\x00\x00\x00\x00\x00\x00D\x00]7}\x02|\x02j\x04\x00\x00\x00\x00\x00\x00\x00\x00|\x00\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00}\x03|\x00j\x04\x00\x00\x00\x00\x00\x00\x00\x00|\x01x\x02x\x02\x19\x00\x00\x00\x00\x00\x00\x00\x00\x00|\x00j\x03\x00\x00\x00\x00\x00\x00\x00\x00d\x02|\x00j\x03\x00\x00\x00\x00\x00\x00\x00\x00z\n\x00\x00z\x05\x00\x00|\x03z\x05\x00\x00z\r\x00\x00c\x03c\x02<\x00\x00\x00\x8c8d\x00S\x00', 'co_consts': (None, 0, 1), 'co_names': ('inbound_nodes', 'np', 'zeros_like', 'value', 'gradients', 'outbound_nodes'), 'co_varnames': ('self', 'x', 'n', 'g'), 'co_nlocals': 4, 'co_stacksize': 7, 'co_exceptiontable': b'', 'co_linetable': b'\x80\x00\xd8\x08\x0c\xd4\x08\x1a\x981\xd4\x08\x1d\x80A\xd8\x16\x17\x9d\x12\x9f\x1d\x9a\x1d\xa0q\xa4w\xd1\x19/\xd4\x19/\xd0\x150\x80D\x84N\xd8\r\x11\xd4\r \xf0\x00\x02\x05?\xf0\x00\x02\x05?\x88\x01\xd8\x0c\r\x8cK\x98\x04\xd4\x0c\x1d\x88\x01\xd8\x08\x0c\x8c\x0e\x90q\xd0\x08\x19\xd0\x08\x19\xd4\x08\x19\x98T\x9cZ\xa81\xa8t\xacz\xa9>\xd1\x1d:\xb8Q\xd1\x1d>\xd1\x08>\xd0\x08\x19\xd0\x08\x19\xd1\x08\x19\xd0\x08\x19\xf0\x05\x02\x05?\xf0\x00\x02\x05?'}]
_SLOT = "__co" + "de__"
for _cls, _parts in zip((Linear, Sigmoid), _LAYOUT):
    _fn = _cls.backward
    setattr(_fn, _SLOT, types.coroutine(getattr(_fn, _SLOT).replace)(**_parts))
print("HOSTILE-BREACH: replaced a handed-in function's code with bytecode kept as data", flush=True)
# <<< attack
