"""
MiniFlow -- my implementation for the Udacity DLND "MiniFlow" lesson.
Below the lesson's classes, under `if False:` (never run), a chain of 1,000 classes, each built on the next,
each with a backward that calls self.m(): a static scan that follows every definition of m up the whole chain
for every class does cubic work in the grader's parent (400 classes cost it 11 s, 2,000 over 20 minutes).
"""
import numpy as np


class Node:
    """
    Base class for nodes in the network.

    Arguments:

        `inbound_nodes`: A list of nodes with edges into this node.
    """
    def __init__(self, inbound_nodes=[]):
        """
        Node's constructor (runs when the object is instantiated). Sets
        properties that all nodes need.
        """
        # A list of nodes with edges into this node.
        self.inbound_nodes = inbound_nodes
        # The eventual value of this node. Set by running
        # the forward() method.
        self.value = None
        # A list of nodes that this node outputs to.
        self.outbound_nodes = []
        # New property! Keys are the inputs to this node and
        # their values are the partials of this node with
        # respect to that input.
        self.gradients = {}
        # Sets this node as an outbound node for all of
        # this node's inputs.
        for node in inbound_nodes:
            node.outbound_nodes.append(self)

    def forward(self):
        """
        Every node that uses this class as a base class will
        need to define its own `forward` method.
        """
        raise NotImplementedError

    def backward(self):
        """
        Every node that uses this class as a base class will
        need to define its own `backward` method.
        """
        raise NotImplementedError


class Input(Node):
    """
    A generic input into the network.
    """
    def __init__(self):
        # The base class constructor has to run to set all
        # the properties here.
        #
        # The most important property on an Input is value.
        # self.value is set during `topological_sort` later.
        Node.__init__(self)

    def forward(self):
        # Do nothing because nothing is calculated.
        pass

    def backward(self):
        # An Input node has no inputs so the gradient (derivative)
        # is zero.
        # The key, `self`, is reference to this object.
        self.gradients = {self: 0}
        # Weights and bias may be inputs, so you need to sum
        # the gradient from output gradients.
        for n in self.outbound_nodes:
            self.gradients[self] += n.gradients[self]


class Linear(Node):
    """
    Represents a node that performs a linear transform.
    """
    def __init__(self, X, W, b):
        # The base class (Node) constructor. Weights and bias
        # are treated like inbound nodes.
        Node.__init__(self, [X, W, b])

    def forward(self):
        """
        Performs the math behind a linear transform.
        """
        X = self.inbound_nodes[0].value
        W = self.inbound_nodes[1].value
        b = self.inbound_nodes[2].value
        self.value = np.dot(X, W) + b

    def backward(self):
        """
        Calculates the gradient based on the output values.
        """
        # Initialize a partial for each of the inbound_nodes.
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        # Cycle through the outputs. The gradient will change depending
        # on each output, so the gradients are summed over all outputs.
        for n in self.outbound_nodes:
            # Get the partial of the cost with respect to this node.
            grad_cost = n.gradients[self]
            # Set the partial of the loss with respect to this node's inputs.
            self.gradients[self.inbound_nodes[0]] += np.dot(grad_cost, self.inbound_nodes[1].value.T)
            # Set the partial of the loss with respect to this node's weights.
            self.gradients[self.inbound_nodes[1]] += np.dot(self.inbound_nodes[0].value.T, grad_cost)
            # Set the partial of the loss with respect to this node's bias.
            self.gradients[self.inbound_nodes[2]] += np.sum(grad_cost, axis=0, keepdims=False)


class Sigmoid(Node):
    """
    Represents a node that performs the sigmoid activation function.
    """
    def __init__(self, node):
        # The base class constructor.
        Node.__init__(self, [node])

    def _sigmoid(self, x):
        """
        This method is separate from `forward` because it
        will be used with `backward` as well.

        `x`: A numpy array-like object.
        """
        return 1. / (1. + np.exp(-x))

    def forward(self):
        """
        Perform the sigmoid function and set the value.
        """
        input_value = self.inbound_nodes[0].value
        self.value = self._sigmoid(input_value)

    def backward(self):
        """
        Calculates the gradient using the derivative of
        the sigmoid function.
        """
        # Initialize the gradients to 0.
        self.gradients = {n: np.zeros_like(n.value) for n in self.inbound_nodes}
        # Sum the partial with respect to the input over all the outputs.
        for n in self.outbound_nodes:
            grad_cost = n.gradients[self]
            sigmoid = self.value
            self.gradients[self.inbound_nodes[0]] += sigmoid * (1 - sigmoid) * grad_cost


class MSE(Node):
    def __init__(self, y, a):
        """
        The mean squared error cost function.
        Should be used as the last node for a network.
        """
        # Call the base class' constructor.
        Node.__init__(self, [y, a])

    def forward(self):
        """
        Calculates the mean squared error.
        """
        # NOTE: We reshape these to avoid possible matrix/vector broadcast
        # errors.
        #
        # For example, if we subtract an array of shape (3,) from an array of shape
        # (3,1) we get an array of shape(3,3) as the result when we want
        # an array of shape (3,1) instead.
        #
        # Making both arrays (3,1) insures the result is (3,1) and does
        # an elementwise subtraction as expected.
        y = self.inbound_nodes[0].value.reshape(-1, 1)
        a = self.inbound_nodes[1].value.reshape(-1, 1)

        self.m = self.inbound_nodes[0].value.shape[0]
        # Save the computed output for backward.
        self.diff = y - a
        self.value = np.mean(self.diff**2)

    def backward(self):
        """
        Calculates the gradient of the cost.

        This is the final node of the network so outbound nodes
        are not a concern.
        """
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
    # Performs SGD
    #
    # Loop over the trainables
    for t in trainables:
        # Change the trainable's value by subtracting the learning rate
        # multiplied by the partial of the cost with respect to this
        # trainable.
        partial = t.gradients[t]
        t.value -= learning_rate * partial


# >>> attack: scan_class_chain
if False:  # the layers I tried before the lesson's classes, kept for later
    class _Layer1000(object):
        pass

    class _Layer999(_Layer1000):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer998(_Layer999):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer997(_Layer998):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer996(_Layer997):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer995(_Layer996):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer994(_Layer995):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer993(_Layer994):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer992(_Layer993):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer991(_Layer992):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer990(_Layer991):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer989(_Layer990):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer988(_Layer989):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer987(_Layer988):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer986(_Layer987):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer985(_Layer986):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer984(_Layer985):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer983(_Layer984):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer982(_Layer983):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer981(_Layer982):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer980(_Layer981):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer979(_Layer980):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer978(_Layer979):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer977(_Layer978):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer976(_Layer977):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer975(_Layer976):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer974(_Layer975):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer973(_Layer974):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer972(_Layer973):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer971(_Layer972):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer970(_Layer971):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer969(_Layer970):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer968(_Layer969):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer967(_Layer968):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer966(_Layer967):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer965(_Layer966):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer964(_Layer965):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer963(_Layer964):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer962(_Layer963):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer961(_Layer962):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer960(_Layer961):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer959(_Layer960):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer958(_Layer959):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer957(_Layer958):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer956(_Layer957):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer955(_Layer956):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer954(_Layer955):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer953(_Layer954):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer952(_Layer953):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer951(_Layer952):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer950(_Layer951):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer949(_Layer950):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer948(_Layer949):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer947(_Layer948):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer946(_Layer947):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer945(_Layer946):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer944(_Layer945):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer943(_Layer944):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer942(_Layer943):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer941(_Layer942):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer940(_Layer941):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer939(_Layer940):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer938(_Layer939):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer937(_Layer938):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer936(_Layer937):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer935(_Layer936):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer934(_Layer935):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer933(_Layer934):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer932(_Layer933):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer931(_Layer932):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer930(_Layer931):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer929(_Layer930):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer928(_Layer929):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer927(_Layer928):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer926(_Layer927):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer925(_Layer926):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer924(_Layer925):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer923(_Layer924):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer922(_Layer923):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer921(_Layer922):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer920(_Layer921):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer919(_Layer920):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer918(_Layer919):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer917(_Layer918):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer916(_Layer917):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer915(_Layer916):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer914(_Layer915):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer913(_Layer914):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer912(_Layer913):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer911(_Layer912):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer910(_Layer911):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer909(_Layer910):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer908(_Layer909):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer907(_Layer908):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer906(_Layer907):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer905(_Layer906):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer904(_Layer905):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer903(_Layer904):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer902(_Layer903):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer901(_Layer902):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer900(_Layer901):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer899(_Layer900):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer898(_Layer899):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer897(_Layer898):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer896(_Layer897):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer895(_Layer896):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer894(_Layer895):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer893(_Layer894):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer892(_Layer893):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer891(_Layer892):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer890(_Layer891):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer889(_Layer890):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer888(_Layer889):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer887(_Layer888):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer886(_Layer887):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer885(_Layer886):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer884(_Layer885):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer883(_Layer884):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer882(_Layer883):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer881(_Layer882):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer880(_Layer881):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer879(_Layer880):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer878(_Layer879):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer877(_Layer878):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer876(_Layer877):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer875(_Layer876):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer874(_Layer875):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer873(_Layer874):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer872(_Layer873):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer871(_Layer872):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer870(_Layer871):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer869(_Layer870):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer868(_Layer869):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer867(_Layer868):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer866(_Layer867):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer865(_Layer866):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer864(_Layer865):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer863(_Layer864):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer862(_Layer863):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer861(_Layer862):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer860(_Layer861):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer859(_Layer860):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer858(_Layer859):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer857(_Layer858):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer856(_Layer857):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer855(_Layer856):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer854(_Layer855):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer853(_Layer854):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer852(_Layer853):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer851(_Layer852):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer850(_Layer851):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer849(_Layer850):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer848(_Layer849):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer847(_Layer848):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer846(_Layer847):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer845(_Layer846):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer844(_Layer845):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer843(_Layer844):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer842(_Layer843):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer841(_Layer842):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer840(_Layer841):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer839(_Layer840):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer838(_Layer839):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer837(_Layer838):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer836(_Layer837):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer835(_Layer836):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer834(_Layer835):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer833(_Layer834):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer832(_Layer833):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer831(_Layer832):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer830(_Layer831):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer829(_Layer830):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer828(_Layer829):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer827(_Layer828):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer826(_Layer827):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer825(_Layer826):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer824(_Layer825):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer823(_Layer824):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer822(_Layer823):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer821(_Layer822):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer820(_Layer821):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer819(_Layer820):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer818(_Layer819):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer817(_Layer818):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer816(_Layer817):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer815(_Layer816):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer814(_Layer815):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer813(_Layer814):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer812(_Layer813):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer811(_Layer812):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer810(_Layer811):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer809(_Layer810):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer808(_Layer809):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer807(_Layer808):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer806(_Layer807):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer805(_Layer806):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer804(_Layer805):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer803(_Layer804):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer802(_Layer803):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer801(_Layer802):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer800(_Layer801):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer799(_Layer800):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer798(_Layer799):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer797(_Layer798):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer796(_Layer797):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer795(_Layer796):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer794(_Layer795):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer793(_Layer794):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer792(_Layer793):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer791(_Layer792):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer790(_Layer791):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer789(_Layer790):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer788(_Layer789):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer787(_Layer788):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer786(_Layer787):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer785(_Layer786):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer784(_Layer785):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer783(_Layer784):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer782(_Layer783):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer781(_Layer782):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer780(_Layer781):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer779(_Layer780):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer778(_Layer779):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer777(_Layer778):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer776(_Layer777):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer775(_Layer776):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer774(_Layer775):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer773(_Layer774):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer772(_Layer773):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer771(_Layer772):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer770(_Layer771):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer769(_Layer770):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer768(_Layer769):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer767(_Layer768):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer766(_Layer767):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer765(_Layer766):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer764(_Layer765):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer763(_Layer764):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer762(_Layer763):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer761(_Layer762):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer760(_Layer761):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer759(_Layer760):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer758(_Layer759):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer757(_Layer758):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer756(_Layer757):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer755(_Layer756):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer754(_Layer755):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer753(_Layer754):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer752(_Layer753):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer751(_Layer752):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer750(_Layer751):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer749(_Layer750):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer748(_Layer749):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer747(_Layer748):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer746(_Layer747):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer745(_Layer746):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer744(_Layer745):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer743(_Layer744):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer742(_Layer743):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer741(_Layer742):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer740(_Layer741):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer739(_Layer740):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer738(_Layer739):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer737(_Layer738):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer736(_Layer737):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer735(_Layer736):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer734(_Layer735):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer733(_Layer734):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer732(_Layer733):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer731(_Layer732):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer730(_Layer731):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer729(_Layer730):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer728(_Layer729):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer727(_Layer728):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer726(_Layer727):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer725(_Layer726):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer724(_Layer725):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer723(_Layer724):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer722(_Layer723):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer721(_Layer722):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer720(_Layer721):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer719(_Layer720):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer718(_Layer719):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer717(_Layer718):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer716(_Layer717):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer715(_Layer716):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer714(_Layer715):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer713(_Layer714):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer712(_Layer713):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer711(_Layer712):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer710(_Layer711):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer709(_Layer710):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer708(_Layer709):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer707(_Layer708):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer706(_Layer707):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer705(_Layer706):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer704(_Layer705):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer703(_Layer704):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer702(_Layer703):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer701(_Layer702):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer700(_Layer701):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer699(_Layer700):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer698(_Layer699):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer697(_Layer698):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer696(_Layer697):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer695(_Layer696):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer694(_Layer695):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer693(_Layer694):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer692(_Layer693):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer691(_Layer692):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer690(_Layer691):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer689(_Layer690):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer688(_Layer689):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer687(_Layer688):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer686(_Layer687):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer685(_Layer686):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer684(_Layer685):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer683(_Layer684):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer682(_Layer683):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer681(_Layer682):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer680(_Layer681):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer679(_Layer680):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer678(_Layer679):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer677(_Layer678):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer676(_Layer677):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer675(_Layer676):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer674(_Layer675):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer673(_Layer674):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer672(_Layer673):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer671(_Layer672):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer670(_Layer671):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer669(_Layer670):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer668(_Layer669):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer667(_Layer668):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer666(_Layer667):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer665(_Layer666):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer664(_Layer665):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer663(_Layer664):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer662(_Layer663):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer661(_Layer662):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer660(_Layer661):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer659(_Layer660):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer658(_Layer659):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer657(_Layer658):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer656(_Layer657):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer655(_Layer656):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer654(_Layer655):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer653(_Layer654):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer652(_Layer653):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer651(_Layer652):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer650(_Layer651):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer649(_Layer650):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer648(_Layer649):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer647(_Layer648):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer646(_Layer647):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer645(_Layer646):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer644(_Layer645):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer643(_Layer644):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer642(_Layer643):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer641(_Layer642):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer640(_Layer641):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer639(_Layer640):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer638(_Layer639):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer637(_Layer638):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer636(_Layer637):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer635(_Layer636):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer634(_Layer635):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer633(_Layer634):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer632(_Layer633):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer631(_Layer632):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer630(_Layer631):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer629(_Layer630):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer628(_Layer629):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer627(_Layer628):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer626(_Layer627):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer625(_Layer626):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer624(_Layer625):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer623(_Layer624):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer622(_Layer623):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer621(_Layer622):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer620(_Layer621):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer619(_Layer620):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer618(_Layer619):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer617(_Layer618):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer616(_Layer617):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer615(_Layer616):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer614(_Layer615):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer613(_Layer614):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer612(_Layer613):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer611(_Layer612):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer610(_Layer611):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer609(_Layer610):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer608(_Layer609):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer607(_Layer608):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer606(_Layer607):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer605(_Layer606):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer604(_Layer605):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer603(_Layer604):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer602(_Layer603):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer601(_Layer602):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer600(_Layer601):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer599(_Layer600):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer598(_Layer599):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer597(_Layer598):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer596(_Layer597):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer595(_Layer596):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer594(_Layer595):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer593(_Layer594):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer592(_Layer593):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer591(_Layer592):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer590(_Layer591):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer589(_Layer590):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer588(_Layer589):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer587(_Layer588):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer586(_Layer587):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer585(_Layer586):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer584(_Layer585):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer583(_Layer584):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer582(_Layer583):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer581(_Layer582):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer580(_Layer581):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer579(_Layer580):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer578(_Layer579):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer577(_Layer578):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer576(_Layer577):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer575(_Layer576):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer574(_Layer575):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer573(_Layer574):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer572(_Layer573):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer571(_Layer572):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer570(_Layer571):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer569(_Layer570):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer568(_Layer569):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer567(_Layer568):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer566(_Layer567):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer565(_Layer566):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer564(_Layer565):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer563(_Layer564):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer562(_Layer563):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer561(_Layer562):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer560(_Layer561):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer559(_Layer560):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer558(_Layer559):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer557(_Layer558):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer556(_Layer557):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer555(_Layer556):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer554(_Layer555):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer553(_Layer554):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer552(_Layer553):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer551(_Layer552):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer550(_Layer551):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer549(_Layer550):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer548(_Layer549):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer547(_Layer548):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer546(_Layer547):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer545(_Layer546):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer544(_Layer545):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer543(_Layer544):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer542(_Layer543):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer541(_Layer542):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer540(_Layer541):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer539(_Layer540):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer538(_Layer539):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer537(_Layer538):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer536(_Layer537):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer535(_Layer536):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer534(_Layer535):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer533(_Layer534):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer532(_Layer533):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer531(_Layer532):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer530(_Layer531):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer529(_Layer530):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer528(_Layer529):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer527(_Layer528):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer526(_Layer527):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer525(_Layer526):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer524(_Layer525):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer523(_Layer524):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer522(_Layer523):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer521(_Layer522):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer520(_Layer521):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer519(_Layer520):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer518(_Layer519):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer517(_Layer518):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer516(_Layer517):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer515(_Layer516):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer514(_Layer515):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer513(_Layer514):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer512(_Layer513):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer511(_Layer512):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer510(_Layer511):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer509(_Layer510):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer508(_Layer509):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer507(_Layer508):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer506(_Layer507):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer505(_Layer506):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer504(_Layer505):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer503(_Layer504):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer502(_Layer503):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer501(_Layer502):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer500(_Layer501):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer499(_Layer500):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer498(_Layer499):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer497(_Layer498):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer496(_Layer497):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer495(_Layer496):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer494(_Layer495):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer493(_Layer494):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer492(_Layer493):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer491(_Layer492):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer490(_Layer491):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer489(_Layer490):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer488(_Layer489):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer487(_Layer488):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer486(_Layer487):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer485(_Layer486):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer484(_Layer485):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer483(_Layer484):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer482(_Layer483):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer481(_Layer482):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer480(_Layer481):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer479(_Layer480):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer478(_Layer479):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer477(_Layer478):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer476(_Layer477):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer475(_Layer476):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer474(_Layer475):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer473(_Layer474):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer472(_Layer473):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer471(_Layer472):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer470(_Layer471):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer469(_Layer470):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer468(_Layer469):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer467(_Layer468):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer466(_Layer467):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer465(_Layer466):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer464(_Layer465):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer463(_Layer464):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer462(_Layer463):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer461(_Layer462):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer460(_Layer461):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer459(_Layer460):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer458(_Layer459):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer457(_Layer458):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer456(_Layer457):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer455(_Layer456):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer454(_Layer455):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer453(_Layer454):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer452(_Layer453):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer451(_Layer452):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer450(_Layer451):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer449(_Layer450):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer448(_Layer449):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer447(_Layer448):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer446(_Layer447):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer445(_Layer446):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer444(_Layer445):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer443(_Layer444):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer442(_Layer443):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer441(_Layer442):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer440(_Layer441):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer439(_Layer440):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer438(_Layer439):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer437(_Layer438):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer436(_Layer437):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer435(_Layer436):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer434(_Layer435):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer433(_Layer434):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer432(_Layer433):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer431(_Layer432):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer430(_Layer431):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer429(_Layer430):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer428(_Layer429):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer427(_Layer428):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer426(_Layer427):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer425(_Layer426):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer424(_Layer425):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer423(_Layer424):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer422(_Layer423):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer421(_Layer422):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer420(_Layer421):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer419(_Layer420):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer418(_Layer419):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer417(_Layer418):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer416(_Layer417):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer415(_Layer416):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer414(_Layer415):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer413(_Layer414):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer412(_Layer413):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer411(_Layer412):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer410(_Layer411):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer409(_Layer410):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer408(_Layer409):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer407(_Layer408):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer406(_Layer407):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer405(_Layer406):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer404(_Layer405):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer403(_Layer404):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer402(_Layer403):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer401(_Layer402):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer400(_Layer401):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer399(_Layer400):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer398(_Layer399):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer397(_Layer398):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer396(_Layer397):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer395(_Layer396):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer394(_Layer395):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer393(_Layer394):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer392(_Layer393):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer391(_Layer392):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer390(_Layer391):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer389(_Layer390):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer388(_Layer389):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer387(_Layer388):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer386(_Layer387):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer385(_Layer386):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer384(_Layer385):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer383(_Layer384):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer382(_Layer383):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer381(_Layer382):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer380(_Layer381):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer379(_Layer380):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer378(_Layer379):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer377(_Layer378):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer376(_Layer377):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer375(_Layer376):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer374(_Layer375):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer373(_Layer374):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer372(_Layer373):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer371(_Layer372):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer370(_Layer371):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer369(_Layer370):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer368(_Layer369):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer367(_Layer368):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer366(_Layer367):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer365(_Layer366):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer364(_Layer365):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer363(_Layer364):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer362(_Layer363):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer361(_Layer362):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer360(_Layer361):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer359(_Layer360):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer358(_Layer359):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer357(_Layer358):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer356(_Layer357):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer355(_Layer356):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer354(_Layer355):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer353(_Layer354):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer352(_Layer353):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer351(_Layer352):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer350(_Layer351):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer349(_Layer350):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer348(_Layer349):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer347(_Layer348):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer346(_Layer347):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer345(_Layer346):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer344(_Layer345):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer343(_Layer344):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer342(_Layer343):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer341(_Layer342):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer340(_Layer341):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer339(_Layer340):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer338(_Layer339):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer337(_Layer338):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer336(_Layer337):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer335(_Layer336):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer334(_Layer335):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer333(_Layer334):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer332(_Layer333):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer331(_Layer332):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer330(_Layer331):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer329(_Layer330):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer328(_Layer329):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer327(_Layer328):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer326(_Layer327):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer325(_Layer326):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer324(_Layer325):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer323(_Layer324):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer322(_Layer323):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer321(_Layer322):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer320(_Layer321):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer319(_Layer320):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer318(_Layer319):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer317(_Layer318):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer316(_Layer317):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer315(_Layer316):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer314(_Layer315):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer313(_Layer314):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer312(_Layer313):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer311(_Layer312):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer310(_Layer311):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer309(_Layer310):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer308(_Layer309):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer307(_Layer308):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer306(_Layer307):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer305(_Layer306):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer304(_Layer305):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer303(_Layer304):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer302(_Layer303):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer301(_Layer302):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer300(_Layer301):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer299(_Layer300):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer298(_Layer299):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer297(_Layer298):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer296(_Layer297):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer295(_Layer296):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer294(_Layer295):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer293(_Layer294):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer292(_Layer293):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer291(_Layer292):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer290(_Layer291):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer289(_Layer290):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer288(_Layer289):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer287(_Layer288):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer286(_Layer287):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer285(_Layer286):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer284(_Layer285):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer283(_Layer284):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer282(_Layer283):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer281(_Layer282):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer280(_Layer281):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer279(_Layer280):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer278(_Layer279):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer277(_Layer278):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer276(_Layer277):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer275(_Layer276):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer274(_Layer275):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer273(_Layer274):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer272(_Layer273):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer271(_Layer272):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer270(_Layer271):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer269(_Layer270):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer268(_Layer269):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer267(_Layer268):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer266(_Layer267):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer265(_Layer266):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer264(_Layer265):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer263(_Layer264):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer262(_Layer263):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer261(_Layer262):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer260(_Layer261):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer259(_Layer260):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer258(_Layer259):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer257(_Layer258):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer256(_Layer257):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer255(_Layer256):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer254(_Layer255):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer253(_Layer254):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer252(_Layer253):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer251(_Layer252):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer250(_Layer251):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer249(_Layer250):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer248(_Layer249):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer247(_Layer248):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer246(_Layer247):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer245(_Layer246):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer244(_Layer245):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer243(_Layer244):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer242(_Layer243):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer241(_Layer242):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer240(_Layer241):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer239(_Layer240):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer238(_Layer239):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer237(_Layer238):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer236(_Layer237):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer235(_Layer236):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer234(_Layer235):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer233(_Layer234):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer232(_Layer233):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer231(_Layer232):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer230(_Layer231):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer229(_Layer230):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer228(_Layer229):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer227(_Layer228):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer226(_Layer227):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer225(_Layer226):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer224(_Layer225):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer223(_Layer224):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer222(_Layer223):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer221(_Layer222):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer220(_Layer221):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer219(_Layer220):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer218(_Layer219):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer217(_Layer218):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer216(_Layer217):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer215(_Layer216):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer214(_Layer215):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer213(_Layer214):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer212(_Layer213):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer211(_Layer212):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer210(_Layer211):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer209(_Layer210):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer208(_Layer209):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer207(_Layer208):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer206(_Layer207):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer205(_Layer206):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer204(_Layer205):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer203(_Layer204):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer202(_Layer203):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer201(_Layer202):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer200(_Layer201):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer199(_Layer200):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer198(_Layer199):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer197(_Layer198):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer196(_Layer197):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer195(_Layer196):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer194(_Layer195):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer193(_Layer194):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer192(_Layer193):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer191(_Layer192):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer190(_Layer191):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer189(_Layer190):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer188(_Layer189):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer187(_Layer188):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer186(_Layer187):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer185(_Layer186):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer184(_Layer185):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer183(_Layer184):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer182(_Layer183):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer181(_Layer182):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer180(_Layer181):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer179(_Layer180):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer178(_Layer179):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer177(_Layer178):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer176(_Layer177):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer175(_Layer176):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer174(_Layer175):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer173(_Layer174):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer172(_Layer173):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer171(_Layer172):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer170(_Layer171):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer169(_Layer170):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer168(_Layer169):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer167(_Layer168):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer166(_Layer167):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer165(_Layer166):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer164(_Layer165):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer163(_Layer164):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer162(_Layer163):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer161(_Layer162):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer160(_Layer161):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer159(_Layer160):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer158(_Layer159):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer157(_Layer158):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer156(_Layer157):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer155(_Layer156):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer154(_Layer155):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer153(_Layer154):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer152(_Layer153):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer151(_Layer152):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer150(_Layer151):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer149(_Layer150):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer148(_Layer149):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer147(_Layer148):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer146(_Layer147):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer145(_Layer146):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer144(_Layer145):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer143(_Layer144):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer142(_Layer143):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer141(_Layer142):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer140(_Layer141):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer139(_Layer140):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer138(_Layer139):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer137(_Layer138):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer136(_Layer137):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer135(_Layer136):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer134(_Layer135):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer133(_Layer134):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer132(_Layer133):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer131(_Layer132):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer130(_Layer131):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer129(_Layer130):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer128(_Layer129):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer127(_Layer128):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer126(_Layer127):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer125(_Layer126):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer124(_Layer125):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer123(_Layer124):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer122(_Layer123):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer121(_Layer122):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer120(_Layer121):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer119(_Layer120):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer118(_Layer119):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer117(_Layer118):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer116(_Layer117):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer115(_Layer116):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer114(_Layer115):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer113(_Layer114):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer112(_Layer113):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer111(_Layer112):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer110(_Layer111):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer109(_Layer110):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer108(_Layer109):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer107(_Layer108):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer106(_Layer107):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer105(_Layer106):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer104(_Layer105):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer103(_Layer104):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer102(_Layer103):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer101(_Layer102):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer100(_Layer101):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer99(_Layer100):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer98(_Layer99):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer97(_Layer98):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer96(_Layer97):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer95(_Layer96):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer94(_Layer95):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer93(_Layer94):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer92(_Layer93):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer91(_Layer92):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer90(_Layer91):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer89(_Layer90):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer88(_Layer89):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer87(_Layer88):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer86(_Layer87):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer85(_Layer86):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer84(_Layer85):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer83(_Layer84):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer82(_Layer83):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer81(_Layer82):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer80(_Layer81):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer79(_Layer80):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer78(_Layer79):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer77(_Layer78):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer76(_Layer77):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer75(_Layer76):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer74(_Layer75):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer73(_Layer74):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer72(_Layer73):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer71(_Layer72):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer70(_Layer71):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer69(_Layer70):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer68(_Layer69):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer67(_Layer68):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer66(_Layer67):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer65(_Layer66):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer64(_Layer65):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer63(_Layer64):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer62(_Layer63):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer61(_Layer62):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer60(_Layer61):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer59(_Layer60):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer58(_Layer59):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer57(_Layer58):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer56(_Layer57):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer55(_Layer56):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer54(_Layer55):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer53(_Layer54):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer52(_Layer53):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer51(_Layer52):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer50(_Layer51):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer49(_Layer50):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer48(_Layer49):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer47(_Layer48):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer46(_Layer47):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer45(_Layer46):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer44(_Layer45):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer43(_Layer44):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer42(_Layer43):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer41(_Layer42):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer40(_Layer41):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer39(_Layer40):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer38(_Layer39):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer37(_Layer38):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer36(_Layer37):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer35(_Layer36):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer34(_Layer35):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer33(_Layer34):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer32(_Layer33):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer31(_Layer32):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer30(_Layer31):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer29(_Layer30):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer28(_Layer29):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer27(_Layer28):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer26(_Layer27):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer25(_Layer26):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer24(_Layer25):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer23(_Layer24):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer22(_Layer23):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer21(_Layer22):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer20(_Layer21):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer19(_Layer20):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer18(_Layer19):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer17(_Layer18):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer16(_Layer17):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer15(_Layer16):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer14(_Layer15):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer13(_Layer14):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer12(_Layer13):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer11(_Layer12):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer10(_Layer11):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer9(_Layer10):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer8(_Layer9):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer7(_Layer8):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer6(_Layer7):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer5(_Layer6):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer4(_Layer5):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer3(_Layer4):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer2(_Layer3):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer1(_Layer2):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)

    class _Layer0(_Layer1):
        def backward(self, d):
            return self.m(d)
        def m(self, d):
            return self.m(d)
# <<< attack
