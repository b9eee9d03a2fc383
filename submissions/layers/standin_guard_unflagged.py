from common import layers as _L


def _reset(module):
    module._GRADER_GUARD = None


for _held in (_L._GRADER_GUARD, get_ipython):  # noqa: F821 (the notebook builtin, in the grader's process)
    try:
        type(_held.__self__).layer_call = property(lambda self: None, lambda self, value: None)
    except AttributeError:
        pass
_reset(_L)
# Negative control: no layer of its own, and no stand-in held where the grader's `held` question looks (an
# attribute of the instance). Relu keeps its stand-in in a module-level dict, Sigmoid makes one inside each
# call and drops it, Affine and SoftmaxWithLoss call the stand-in's methods on their own instance
# (`common.layers.Affine.forward(self, x)`). Whatever the grader runs is the grader's code: nothing here may
# earn a point (before: 25 of 25 at stage layers, full marks at the default stage but MulLayer and AddLayer).
import common.layers

_kept = {}


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        _kept[id(self)] = common.layers.Relu()
        return _kept[id(self)].forward(x)

    def backward(self, dout):
        return _kept[id(self)].backward(dout)


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        layer = common.layers.Sigmoid()
        self.out = layer.forward(x)
        return self.out

    def backward(self, dout):
        layer = common.layers.Sigmoid()
        layer.out = self.out
        return layer.backward(dout)


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.original_x_shape = self.dW = self.db = None

    def forward(self, x):
        return common.layers.Affine.forward(self, x)

    def backward(self, dout):
        return common.layers.Affine.backward(self, dout)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = self.y = self.t = None

    def forward(self, x, t):
        return common.layers.SoftmaxWithLoss.forward(self, x, t)

    def backward(self, dout=1):
        return common.layers.SoftmaxWithLoss.backward(self, dout)
