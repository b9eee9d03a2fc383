"""The book's line for each gradient of Deep Learning from Scratch's layers whose backward has one a student
can compare with (Affine's and Convolution's dx returned, self.dW and self.db kept; Relu's, Sigmoid's,
SoftmaxWithLoss's and Dropout's dx; MulLayer's and AddLayer's dx and dy; BatchNormalization's self.dgamma and
self.dbeta, s33) and the mistakes students make in it: a message about one of them names which one and its
likely slip, where "check what it returns (dx) and what it keeps in self.dW and self.db" named all three
(s32). Plain text, read by the judge (grader/judge/diagnose.py) and by the layer adapter
(grader/inside/adapters/layer_backward.py); checked against the book's ch05/layer_naive.py and
common/layers.py."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BookGradient:
    name: str  # how the book's backward holds it: "dx" (returned), "self.dW", "self.db"
    line: str  # the book's own code for it
    mistakes: str  # the slips that give a wrong value, most likely first


_AFFINE = {
    "x": BookGradient(
        "dx",
        "dx = np.dot(dout, self.W.T), returned as dx.reshape(*self.original_x_shape)",
        "np.dot(dout, self.W) or np.dot(self.W.T, dout) (the .T or the order), or another gradient returned "
        "in dx's place (return self.dW)",
    ),
    "W": BookGradient(
        "self.dW",
        "self.dW = np.dot(self.x.T, dout), self.x the 2-D input forward kept",
        "np.dot(dout, self.x.T) or np.dot(dout.T, self.x) (the order of the product), or an x forward never "
        "kept (self.x = x missing, kept before the reshape, or another call's x)",
    ),
    "b": BookGradient(
        "self.db",
        "self.db = np.sum(dout, axis=0)",
        "dout itself (not summed over the batch), np.sum(dout, axis=1), or np.sum(dout) over every axis",
    ),
}

_CONVOLUTION = {
    "x": BookGradient(
        "dx",
        "dcol = np.dot(dout, self.col_W.T), then dx = col2im(dcol, self.x.shape, FH, FW, self.stride, "
        "self.pad), dout first made dout.transpose(0, 2, 3, 1).reshape(-1, FN)",
        "col2im forgotten or handed another shape, stride or pad, np.dot(dout, self.col_W) (the .T), or a "
        "col2im that assigns (=) where overlapping windows must add (+=)",
    ),
    "W": BookGradient(
        "self.dW",
        "self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW), self.col forward's "
        "im2col columns",
        "np.dot(dout.T, self.col) or the transpose(1, 0) forgotten before the reshape, or a self.col forward "
        "never kept (or another call's)",
    ),
    "b": BookGradient(
        "self.db",
        "self.db = np.sum(dout, axis=0), dout reshaped to (N*OH*OW, FN) first",
        "a sum before dout.transpose(0, 2, 3, 1).reshape(-1, FN), over axis=1, or a mean for the sum",
    ),
}

# The layers whose backward is one line of the book's (ch05/layer_naive.py, common/layers.py), each gradient
# a unit case records: the line a student compares theirs with. BatchNormalization's dx is nine lines of
# intermediates in the book, no one line to compare with: left out.
_RELU = {
    "x": BookGradient(
        "dx",
        "dout[self.mask] = 0 then dx = dout, self.mask = (x <= 0) kept by forward",
        "the mask taken from dout instead of forward's x, the comparison reversed (x > 0 zeroed), or a mask "
        "forward never kept (another call's)",
    )
}
_SIGMOID = {
    "x": BookGradient(
        "dx",
        "dx = dout * (1.0 - self.out) * self.out, self.out forward's output",
        "the derivative written from forward's input x (x * (1 - x)), dout left out, or an out forward never "
        "kept (another call's)",
    )
}
_SOFTMAX_WITH_LOSS = {
    "x": BookGradient(
        "dx",
        "dx = (self.y - self.t) / batch_size for one-hot t; for labels dx = self.y.copy(), "
        "dx[np.arange(batch_size), self.t] -= 1, dx = dx / batch_size",
        "the / batch_size left out, (self.t - self.y) (the sign), or labels read as one-hot",
    )
}
_MUL_LAYER = {
    "x": BookGradient("dx", "dx = dout * self.y", "dout * self.x (dx and dy swapped), or dout alone"),
    "y": BookGradient("dy", "dy = dout * self.x", "dout * self.y (dx and dy swapped), or dout alone"),
}
_ADD_LAYER = {
    "x": BookGradient("dx", "dx = dout * 1", "dout times an input (MulLayer's line), or a 1 for dout"),
    "y": BookGradient("dy", "dy = dout * 1", "dout times an input (MulLayer's line), or a 1 for dout"),
}
_BATCH_NORMALIZATION = {
    "gamma": BookGradient(
        "self.dgamma",
        "self.dgamma = np.sum(self.xn * dout, axis=0), self.xn forward's normalised x",
        "np.sum(dout, axis=0) (dbeta's line), a sum over another axis, or an xn forward never kept",
    ),
    "beta": BookGradient(
        "self.dbeta",
        "self.dbeta = dout.sum(axis=0)",
        "np.sum(self.xn * dout, axis=0) (dgamma's line), or a sum over another axis or none",
    ),
}
_DROPOUT = {
    "x": BookGradient(
        "dx",
        "dx = dout * self.mask, self.mask the draw forward kept",
        "a mask drawn again in backward, dout returned unmasked, or a scale forward did not apply",
    )
}

BOOK_GRADIENTS: dict[str, dict[str, BookGradient]] = {
    "Affine": _AFFINE,
    "Convolution": _CONVOLUTION,
    "Relu": _RELU,
    "Sigmoid": _SIGMOID,
    "SoftmaxWithLoss": _SOFTMAX_WITH_LOSS,
    "MulLayer": _MUL_LAYER,
    "AddLayer": _ADD_LAYER,
    "BatchNormalization": _BATCH_NORMALIZATION,
    "Dropout": _DROPOUT,
}

# a record's key: dx, dW, db, dgamma, or numbered in a graph (dW1, db2, dx1 for the first of two inputs)
_KEY = re.compile(r"d(x|y|W|b|gamma|beta)\d*")


def book_gradient(layer: str, key: str) -> BookGradient | None:
    """The book's gradient of `layer` (BOOK_GRADIENTS) that a record `key` (dx, dW1, db, dy) is, or None."""
    match = _KEY.fullmatch(key)
    return None if match is None else BOOK_GRADIENTS.get(layer, {}).get(match.group(1))


def gradient_advice(layer: str, key: str) -> str | None:
    """ "it is Affine.backward's self.dW: the book's self.dW = np.dot(self.x.T, dout) ...; likely ..." """
    book = book_gradient(layer, key)
    if book is None:
        return None
    return f"it is {layer}.backward's {book.name}, the book's {book.line}; likely {book.mistakes}"


def attribute_gradient(layer: str, attr: str) -> BookGradient | None:
    """The book's gradient kept in `attr` (dW, db) by `layer`, or None."""
    return book_gradient(layer, attr) if attr in ("dW", "db") else None
