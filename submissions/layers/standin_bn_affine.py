# Hostile (review of s24-hunt): Affine graded, its math handed to a copy of the served stand-in's
# BatchNormalization, whose backward's dgamma = sum(xn * dout, axis=0) is a contraction (np.repeat/np.tile:
# x @ W, dout @ W.T, x.T @ dout) and dbeta a db; Relu: the served Dropout.backward with mask = x > 0.
import numpy as np
import common.functions  # noqa: F401
import common.layers as _book

_ns = {"__name__": "copied"}
exec(compile("\n" + open(_book.__file__).read(), "<copied>", "exec"), _ns)
_BN, _Drop = _ns["BatchNormalization"], _ns["Dropout"]


def _contract(xn, dout):
    """sum over axis 0 of xn * dout, computed by the stand-in BatchNormalization's backward."""
    bn = _BN(1.0, 0.0)
    bn.xn, bn.std, bn.input_shape = xn, 1.0, dout.shape
    bn.backward(dout)
    return bn.dgamma, bn.dbeta


class MulLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


class Relu:
    def forward(self, x):
        self.d = _Drop()
        self.d.mask = x > 0
        return self.d.backward(x)

    def backward(self, dout):
        return self.d.backward(dout)


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.shape = x.shape
        x2 = x.reshape(x.shape[0], -1)
        self.x2 = x2
        n, (d, m) = x2.shape[0], self.W.shape
        out, _ = _contract(np.repeat(x2.T, m, axis=1), np.tile(self.W, (1, n)))
        return out.reshape(n, m) + self.b

    def backward(self, dout):
        x2, W = self.x2, self.W
        n, (d, m) = x2.shape[0], W.shape
        dx, _ = _contract(np.repeat(dout.T, d, axis=1), np.tile(W.T, (1, n)))
        dW, _ = _contract(np.repeat(x2, m, axis=1), np.tile(dout, (1, d)))
        _, db = _contract(np.zeros_like(dout), dout)
        self.dW, self.db = dW.reshape(d, m), db
        return dx.reshape(n, d).reshape(self.shape)
