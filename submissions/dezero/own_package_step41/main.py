"""Broadcasting, sums and a matrix product (steps 37 to 41)."""
import numpy as np

from dezero import Variable, matmul, sum

x0 = Variable(np.array([1.0, 2.0, 3.0]))
x1 = Variable(np.array([10.0]))
y = x0 + x1
y.backward()
print(y, x1.grad)

x = Variable(np.random.randn(2, 3))
W = Variable(np.random.randn(3, 4))
loss = sum(matmul(x, W))
loss.backward()
print(x.grad.shape, W.grad.shape)
