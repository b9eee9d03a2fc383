# Negative control: no layer of its own. Each required name is a function of the student's that returns an
# instance of the grader's stand-in (or a class object whose instances are stand-ins), so the classes the
# grader builds are the grader's code: nothing here may earn a point.
import common.layers as book


def Relu():
    return book.Relu()


def Sigmoid():
    return book.Sigmoid()


def Affine(W, b):
    return book.Affine(W, b)


def SoftmaxWithLoss():
    return book.SoftmaxWithLoss()
