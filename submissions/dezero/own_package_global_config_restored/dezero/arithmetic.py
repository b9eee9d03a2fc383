"""Add, Mul, Neg, Sub, Div, Pow: every backward written with Variables (step 32), so it can be recorded."""
from dezero.function import Function
from dezero.variable import Variable, as_array


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return x1 * gy, x0 * gy


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Sub(Function):
    def forward(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        return gy, -gy


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return gy / x1, -gy * x0 / (x1 * x1)


class Pow(Function):
    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        (x,) = self.inputs
        return gy * self.c * x ** (self.c - 1)


def add(x0, x1):
    return Add()(x0, as_array(x1))


def mul(x0, x1):
    return Mul()(x0, as_array(x1))


def neg(x):
    return Neg()(x)


def sub(x0, x1):
    return Sub()(x0, as_array(x1))


def rsub(x0, x1):
    return Sub()(as_array(x1), x0)


def div(x0, x1):
    return Div()(x0, as_array(x1))


def rdiv(x0, x1):
    return Div()(as_array(x1), x0)


def pow(x, c):
    return Pow(c)(x)


def setup_variable():
    Variable.__add__ = Variable.__radd__ = add
    Variable.__mul__ = Variable.__rmul__ = mul
    Variable.__neg__ = neg
    Variable.__sub__, Variable.__rsub__ = sub, rsub
    Variable.__truediv__, Variable.__rtruediv__ = div, rdiv
    Variable.__pow__ = pow
