# ステップ18: メモリ使用量を減らすモード (Python 3.12 で型ヒント付き)
from __future__ import annotations

import contextlib
import heapq
import itertools
import weakref
from collections.abc import Iterator

import numpy as np

type Array = np.ndarray  # 型エイリアス (PEP 695)
type Scalar = float | int
type Grad = Array | None


class Config:
    enable_backprop: bool = True


@contextlib.contextmanager
def using_config(name: str, value: bool) -> Iterator[None]:
    old_value = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old_value)


def no_grad() -> contextlib.AbstractContextManager[None]:
    return using_config("enable_backprop", False)


class Variable:
    def __init__(self, data: Array | None) -> None:
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"{type(data)} is not supported")
        self.data = data
        self.grad: Grad = None
        self.creator: Function | None = None
        self.generation: int = 0

    def set_creator(self, func: Function) -> None:
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self) -> None:
        self.grad = None

    def backward(self, retain_grad: bool = False) -> None:
        if self.grad is None:
            self.grad = np.ones_like(self.data)

        # 世代の大きい関数から取り出す (heapq は最小値を取り出すので符号を反転)
        heap: list[tuple[int, int, Function]] = []
        counter = itertools.count()
        seen: set[Function] = set()

        def add_func(f: Function) -> None:
            if f not in seen:
                seen.add(f)
                heapq.heappush(heap, (-f.generation, next(counter), f))

        assert self.creator is not None
        add_func(self.creator)
        while heap:
            _, _, f = heapq.heappop(heap)
            gys = [output().grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)

            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    add_func(x.creator)

            if not retain_grad:
                for y in f.outputs:
                    y().grad = None


def as_array[T](x: T) -> Array | T:
    if np.isscalar(x):
        return np.array(x)
    return x


def first_or_all[T](items: list[T]) -> T | list[T]:
    return items[0] if len(items) == 1 else items


class Function:
    def __call__(self, *inputs: Variable) -> Variable | list[Variable]:
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]

        if Config.enable_backprop:
            self.generation = max(x.generation for x in inputs)
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(output) for output in outputs]
        return first_or_all(outputs)

    def forward(self, *xs: Array) -> Array | tuple[Array, ...]:
        raise NotImplementedError()

    def backward(self, *gys: Array) -> Array | tuple[Array, ...]:
        raise NotImplementedError()


class Square(Function):
    def forward(self, x: Array) -> Array:
        return x**2

    def backward(self, gy: Array) -> Array:
        x = self.inputs[0].data
        return 2 * x * gy


class Exp(Function):
    def forward(self, x: Array) -> Array:
        return np.exp(x)

    def backward(self, gy: Array) -> Array:
        x = self.inputs[0].data
        return np.exp(x) * gy


class Add(Function):
    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 + x1

    def backward(self, gy: Array) -> tuple[Array, Array]:
        return gy, gy


def square(x: Variable) -> Variable:
    return Square()(x)


def exp(x: Variable) -> Variable:
    return Exp()(x)


def add(x0: Variable, x1: Variable) -> Variable:
    return Add()(x0, x1)


if __name__ == "__main__":
    x0 = Variable(np.array(1.0))
    x1 = Variable(np.array(1.0))
    t = add(x0, x1)
    y = add(x0, t)
    y.backward()
    print(y.grad, t.grad)  # None None
    print(x0.grad, x1.grad)  # 2.0 1.0

    with no_grad():
        x = Variable(np.array(2.0))
        y = square(x)
