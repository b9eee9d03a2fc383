import heapq
import itertools

import numpy as np

from dezero.config import using_config


class Variable:
    __array_priority__ = 200

    def __init__(self, data, name=None):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"{type(data)} is not supported")
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        if self.data is None:
            return "variable(None)"
        return "variable(" + str(self.data).replace("\n", "\n" + " " * 9) + ")"

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False, create_graph=False):
        if self.grad is None:
            self.grad = Variable(np.ones_like(self.data))
        # a heap of (-generation, tie, function): the latest generation first
        heap, seen, tie = [], set(), itertools.count()

        def push(f):
            if id(f) not in seen:
                seen.add(id(f))
                heapq.heappush(heap, (-f.generation, next(tie), f))

        push(self.creator)
        while heap:
            _, _, f = heapq.heappop(heap)
            outputs = [ref() for ref in f.outputs]
            gys = [y.grad for y in outputs]
            with using_config("enable_backprop", create_graph):
                gxs = f.backward(*gys)
                if not isinstance(gxs, (tuple, list)):
                    gxs = (gxs,)
                for x, gx in zip(f.inputs, gxs):
                    x.grad = gx if x.grad is None else x.grad + gx
                    if x.creator is not None:
                        push(x.creator)
            if not retain_grad:
                for y in outputs:
                    y.grad = None


def as_variable(obj):
    return obj if isinstance(obj, Variable) else Variable(obj)


def as_array(x):
    return np.array(x) if np.isscalar(x) else x
