"""Newton's method with second derivatives, then the derivatives of tanh (steps 33 and 35)."""
import numpy as np

from dezero import Variable, tanh


def f(x):
    return x ** 4 - 2 * x ** 2


x = Variable(np.array(2.0))
for i in range(10):
    y = f(x)
    x.cleargrad()
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward()
    x.data = x.data - gx.data / x.grad.data
print(x)

x = Variable(np.array(1.0))
y = tanh(x)
y.backward(create_graph=True)
gx = x.grad
x.cleargrad()
gx.backward(create_graph=True)
print(x.grad)
