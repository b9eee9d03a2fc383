import numpy as np


class NeuralNetwork(object):
    def __init__(self, input_nodes, hidden_nodes, output_nodes, learning_rate):
        self.input_nodes = input_nodes
        self.hidden_nodes = hidden_nodes
        self.output_nodes = output_nodes
        self.lr = learning_rate
        self.activation_function = lambda x: 1 / (1 + np.exp(-x))


iterations = 3000
learning_rate = 0.5
hidden_nodes = 16
output_nodes = 1
