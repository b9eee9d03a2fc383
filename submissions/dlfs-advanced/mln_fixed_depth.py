# A "MultiLayerNet" that is really a fixed three-layer net: hidden_size_list must have exactly two entries,
# the loss and gradient loop over W1..W3 whatever the list says.
import numpy as np
from collections import OrderedDict
from common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss


class MultiLayerNet:
    def __init__(self, input_size, hidden_size_list, output_size,
                 activation='relu', weight_init_std='relu', weight_decay_lambda=0):
        h1, h2 = hidden_size_list[0], hidden_size_list[1]
        self.weight_decay_lambda = weight_decay_lambda
        self.params = {
            'W1': 0.01 * np.random.randn(input_size, h1), 'b1': np.zeros(h1),
            'W2': 0.01 * np.random.randn(h1, h2), 'b2': np.zeros(h2),
            'W3': 0.01 * np.random.randn(h2, output_size), 'b3': np.zeros(output_size),
        }
        act = Sigmoid if activation == 'sigmoid' else Relu
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Act1'] = act()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])
        self.layers['Act2'] = act()
        self.layers['Affine3'] = Affine(self.params['W3'], self.params['b3'])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        decay = sum(0.5 * self.weight_decay_lambda * np.sum(self.params['W%d' % i] ** 2) for i in (1, 2, 3))
        return self.last_layer.forward(y, t) + decay

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for i in (1, 2, 3):
            a = self.layers['Affine%d' % i]
            grads['W%d' % i] = a.dW + self.weight_decay_lambda * a.W
            grads['b%d' % i] = a.db
        return grads
