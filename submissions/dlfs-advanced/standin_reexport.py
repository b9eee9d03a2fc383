# Negative control: no layer of its own. The grader's stand-in common.layers now holds the chapter-7 layers
# too (for a lone simple_convnet.py); re-exported here by import, by alias and as subclasses, none of them
# may earn a point.
import common.layers
from common.layers import *  # noqa: F403
from common.layers import Dropout as Dropout

Convolution = common.layers.Convolution


class Pooling(common.layers.Pooling):
    pass


class BatchNormalization(common.layers.BatchNormalization):
    def forward(self, x, train_flg=True):
        return super().forward(x, train_flg)
