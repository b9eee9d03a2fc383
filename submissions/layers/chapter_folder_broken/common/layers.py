# A half-edited copy of the layers: the Relu class line lost its colon (a syntax error).
import numpy as np


class Relu
    def __init__(self):
        self.mask = None
