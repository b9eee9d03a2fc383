# Negative control: no layer of its own. Each required class holds an instance of the grader's stand-in
# (common.layers) and forwards every call to it, so whatever the grader runs is the grader's code: nothing
# here may earn a point. MulLayer and AddLayer are not in common.layers: there are none here either.
import common.layers


class Relu:
    def __init__(self):
        self.inner = common.layers.Relu()

    def forward(self, x):
        return self.inner.forward(x)

    def backward(self, dout):
        return self.inner.backward(dout)


class Sigmoid:
    def __init__(self):
        self.inner = common.layers.Sigmoid()

    def forward(self, x):
        return self.inner.forward(x)

    def backward(self, dout):
        return self.inner.backward(dout)


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.impl = None

    def forward(self, x):
        # made on first use, not in __init__: still the stand-in's code
        self.impl = common.layers.Affine(self.W, self.b)
        return self.impl.forward(x)

    def backward(self, dout):
        dx = self.impl.backward(dout)
        self.dW, self.db = self.impl.dW, self.impl.db
        return dx


class SoftmaxWithLoss:
    def __init__(self):
        self.wrapped = common.layers.SoftmaxWithLoss()

    def forward(self, x, t):
        return self.wrapped.forward(x, t)

    def backward(self, dout=1):
        return self.wrapped.backward(dout)
