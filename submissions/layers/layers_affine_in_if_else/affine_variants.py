# coding: utf-8
# Affine with the 4-D reshape (chapter 7) and without it, switched by RESHAPE_4D,
# and the Relu I tested it with.
try:
    import cupy as np  # on the lab's GPU machine
except ImportError:
    import numpy as np

RESHAPE_4D = True


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0

        return out

    def backward(self, dout):
        # copy first: the book writes into dout, which changes the caller's array
        dx = dout.copy()
        dx[self.mask] = 0

        return dx


if RESHAPE_4D:

    class Affine:
        def __init__(self, W, b):
            self.W = W
            self.b = b

            self.x = None
            self.original_x_shape = None
            # gradients of the weight and bias
            self.dW = None
            self.db = None

        def forward(self, x):
            # tensor support
            self.original_x_shape = x.shape
            x = x.reshape(x.shape[0], -1)
            self.x = x

            out = np.dot(self.x, self.W) + self.b

            return out

        def backward(self, dout):
            dx = np.dot(dout, self.W.T)
            self.dW = np.dot(self.x.T, dout)
            self.db = np.sum(dout, axis=0)

            dx = dx.reshape(*self.original_x_shape)  # back to the input's shape (tensor support)
            return dx

else:

    class Affine:
        def __init__(self, W, b):
            self.W = W
            self.b = b
            self.x = None
            self.dW = None
            self.db = None

        def forward(self, x):
            self.x = x
            return np.dot(x, self.W) + self.b

        def backward(self, dout):
            dx = np.dot(dout, self.W.T)
            self.dW = np.dot(self.x.T, dout)
            self.db = np.sum(dout, axis=0)
            return dx


if __name__ == "__main__":
    layer = Affine(np.ones((3, 2)), np.zeros(2))
    x = np.arange(6.0).reshape(2, 3)
    print(layer.forward(x))
    print(layer.backward(np.ones((2, 2))))
