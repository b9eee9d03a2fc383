"""My helpers: the sigmoid, and saving the trained weights to a text file."""
import numpy as np


def sigmoid(x):
    return 1. / (1. + np.exp(-x))


def save_weights(trainables, path):
    """One line of numbers per trainable node (np.savetxt wants 2-D)."""
    with open(path, "w") as f:
        for t in trainables:
            np.savetxt(f, np.atleast_2d(t.value))
