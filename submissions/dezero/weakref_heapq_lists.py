"""DeZero steps 1-18. Uses a heap for the function queue instead of sorting every time."""
import heapq
import itertools
import weakref

import numpy as np


class Config:
    enable_backprop = True


class no_grad:
    """with no_grad(): ... turns graph building off."""

    def __enter__(self):
        self.old = Config.enable_backprop
        Config.enable_backprop = False

    def __exit__(self, *exc):
        Config.enable_backprop = self.old


def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Variable:
    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"{type(data)} is not supported")
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

        heap = []
        seen = set()
        tie = itertools.count()  # functions are not comparable, break ties by insertion order

        def push(f):
            if f not in seen:
                seen.add(f)
                heapq.heappush(heap, (-f.generation, next(tie), f))

        push(self.creator)
        while heap:
            _, _, f = heapq.heappop(heap)
            gys = [out().grad for out in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, (list, tuple)):
                gxs = [gxs]
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    push(x.creator)
            if not retain_grad:
                for out in f.outputs:
                    out().grad = None


class Function:
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, (list, tuple)):
            ys = [ys]
        outputs = [Variable(as_array(y)) for y in ys]
        if Config.enable_backprop:
            self.generation = max(x.generation for x in inputs)
            for o in outputs:
                o.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(o) for o in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError

    def backward(self, *gys):
        raise NotImplementedError


class Square(Function):
    def forward(self, x):
        return [x ** 2]

    def backward(self, gy):
        x, = [i.data for i in self.inputs]
        return [2 * x * gy]


class Exp(Function):
    def forward(self, x):
        return [np.exp(x)]

    def backward(self, gy):
        return [np.exp(self.inputs[0].data) * gy]


class Add(Function):
    def forward(self, x0, x1):
        return [x0 + x1]

    def backward(self, gy):
        return [gy, gy]


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def add(x0, x1):
    return Add()(x0, x1)
