"""
Train the network on the Boston housing data (lesson 2, last quiz).
"""
import numpy as np
from sklearn.datasets import load_boston
from sklearn.utils import shuffle, resample
from miniflow import *

data = load_boston()
X_ = data['data']
y_ = data['target']
print("Total number of examples = {}".format(X_.shape[0]))
