"""The book's line for each of the three gradients of Deep Learning from Scratch's Affine and Convolution
(dx returned, self.dW and self.db kept) and the mistakes students make in it: a message about one of them
names which one and its likely slip, where "check what it returns (dx) and what it keeps in self.dW and
self.db" named all three (s32). Plain text, read by the judge (grader/judge/diagnose.py) and by the layer
adapter (grader/inside/adapters/layer_backward.py); checked against the book's common/layers.py."""

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

BOOK_GRADIENTS: dict[str, dict[str, BookGradient]] = {"Affine": _AFFINE, "Convolution": _CONVOLUTION}

# a record's key: dx, dW, db, or numbered in a graph (dW1, db2, dx1 for the first of two inputs)
_KEY = re.compile(r"d(x|W|b)\d*")


def book_gradient(layer: str, key: str) -> BookGradient | None:
    """The book's gradient of `layer` (Affine, Convolution) that a record `key` (dx, dW1, db) is, or None."""
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
