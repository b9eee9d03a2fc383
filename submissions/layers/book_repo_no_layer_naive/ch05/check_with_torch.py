# coding: utf-8
# My check of the Affine gradients against PyTorch's autograd.
import sys, os
sys.path.append(os.pardir)
import numpy as np
import torch
from common.layers import Affine

np.random.seed(0)
x = np.random.randn(3, 4)
W = np.random.randn(4, 2)
b = np.random.randn(2)

layer = Affine(W, b)
out = layer.forward(x)
dx = layer.backward(np.ones_like(out))

xt = torch.tensor(x, requires_grad=True)
Wt = torch.tensor(W, requires_grad=True)
bt = torch.tensor(b, requires_grad=True)
(xt @ Wt + bt).sum().backward()
print(np.abs(dx - xt.grad.numpy()).max())
print(np.abs(layer.dW - Wt.grad.numpy()).max())
