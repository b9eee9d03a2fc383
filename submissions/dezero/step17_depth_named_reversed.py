# DeZero, step 17: outputs held through weak references; same numbers as step 16
# The ordering attribute is called depth here (the book calls it depth): how far from the inputs a
# variable or function is.
import weakref

import numpy as np


class Variable:
    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"{type(data)} is not supported")
        self.data = data
        self.grad = None
        self.creator = None
        self.depth = 0

    def set_creator(self, func):
        self.creator = func
        self.depth = func.depth + 1

    def cleargrad(self):
        self.grad = None

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs, seen = [], set()

        def push(f):
            if f not in seen:
                seen.add(f)
                funcs.append(f)
                funcs.sort(key=lambda g: g.depth, reverse=True)  # deepest first

        push(self.creator)
        while funcs:
            f = funcs.pop()
            gys = [out().grad for out in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    push(x.creator)


def as_array(x):
    return np.array(x) if np.isscalar(x) else x


class Function:
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        self.depth = max(x.depth for x in inputs)
        for out in outputs:
            out.set_creator(self)
        self.inputs = inputs
        self.outputs = [weakref.ref(out) for out in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError()

    def backward(self, *gys):
        raise NotImplementedError()


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


def square(x):
    return Square()(x)


def add(x0, x1):
    return Add()(x0, x1)


for i in range(3):  # the book's memory check, small
    x = Variable(np.random.randn(100))
    y = square(square(square(x)))
