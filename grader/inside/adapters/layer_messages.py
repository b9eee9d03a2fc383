"""What a layer's failure means, said in the book's words: a 4-D input to chapter 5's Affine, a
BatchNormalization for 2-D input, class labels where one-hot rows were assumed (and the reverse)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from ..failures import Frame, StudentFailure
from ..remote import RemoteFailure
from .layer_specs import class_of

# NumPy's words for np.argmax(t, axis=1) on a 1-D t (class labels where one-hot rows were assumed)
_ARGMAX_OF_LABELS = "axis 1 is out of bounds for array of dimension 1"


# the quoted line takes the argmax of t itself (an AxisError of another array is no word about labels: the
# clause "t holds class labels" was said of `np.argmax(self.predict(x)[0], axis=1)`, review of session 18)
_ARGMAX_OF_T = re.compile(r"argmax\(\s*t\b|\bt\.argmax\(")


# NumPy's IndexError for `y[np.arange(batch_size), t]` when t holds one-hot rows (floats), not labels.
_INDEX_NOT_INTEGER = "arrays used as indices must be of integer"


def explain_affine(
    op: str, args: Sequence[str], failure: RemoteFailure, originals: Mapping[str, np.ndarray]
) -> StudentFailure:
    """Chapter 5's Affine multiplies x @ W as it comes: on a 4-D x numpy's shape error says nothing about
    the missing flatten, so say it (the book adds the reshape with chapter 7)."""
    x = originals.get(args[0]) if args else None
    w = originals.get(args[1]) if len(args) > 1 else None
    if op != "Affine" or x is None or x.ndim <= 2:
        return failure
    # Only numpy's shape error is the missing flatten: a NameError (`np` never imported) or a typo on the
    # 4-D case was worded as "flatten it first", the wrong fix, above the real error.
    if failure.info is None or not failure.info.description.startswith("ValueError"):
        return failure
    w_shape = f" with W of shape {tuple(w.shape)}" if w is not None else ""
    return StudentFailure(
        "exception",
        f"Affine.forward cannot take the {x.ndim}-D input x of shape {tuple(x.shape)}{w_shape}: "
        "flatten it first (self.original_x_shape = x.shape; x = x.reshape(x.shape[0], -1)) and "
        "reshape dx back to self.original_x_shape in backward, as the book's Affine does. "
        f"Python said: {failure.message}",
        failure.detail,
    )


def explain_batchnorm(
    op: str, args: Sequence[str], failure: StudentFailure, originals: Mapping[str, np.ndarray]
) -> StudentFailure:
    """The book's BatchNormalization on a 4-D input normalises each of a sample's C*H*W features (x
    flattened to rows), and gamma has that many: a BatchNormalization for 2-D input only, or one
    normalising per channel (cs231n's spatial batch norm, gamma of shape (C,)), meets numpy's broadcast
    error, which says neither (sample submissions/dlfs-advanced/bn_spatial_per_channel.py)."""
    x = originals.get(args[0]) if args else None
    gamma = originals.get(args[1]) if len(args) > 1 else None
    if op != "BatchNormalization" or x is None or x.ndim != 4 or gamma is None:
        return failure
    if "could not be broadcast" not in failure.message:
        return failure
    _, c, h, w = x.shape
    return StudentFailure(
        "exception",
        f"BatchNormalization.forward cannot take the 4-D input x of shape {tuple(x.shape)} with gamma of "
        f"shape {tuple(gamma.shape)}: the book's BatchNormalization normalises each of a sample's "
        f"C*H*W = {c * h * w} features over the batch, so flatten each sample first "
        "(self.input_shape = x.shape; x = x.reshape(x.shape[0], -1)) and reshape the output, and dx in "
        f"backward, back to self.input_shape (normalising per channel, gamma of shape ({c},), is "
        f"another layer). Python said: {failure.message}",
        failure.detail,
    )


def explain_labels(
    op: str,
    label: int | None,
    args: Sequence[str],
    failure: StudentFailure,
    originals: Mapping[str, np.ndarray],
    *,
    backward: bool = False,
) -> StudentFailure:
    """A loss written for one-hot targets only (`t * np.log(y)`, `y - t`) fails to broadcast on the class
    labels the book's SoftmaxWithLoss also takes: numpy's shape error does not say that t is labels."""
    t = originals.get(args[label]) if label is not None and label < len(args) else None
    if t is not None and t.ndim == 2 and _INDEX_NOT_INTEGER in failure.message:
        return _explain_onehot(op, t.shape, failure, backward)  # itself reads where it failed
    if t is None or t.ndim != 1:
        return failure
    n = t.shape[0]
    if _ARGMAX_OF_LABELS in failure.message and _ARGMAX_OF_T.search(failure.message):
        # `t = np.argmax(t, axis=1)` with no test for labels: chapter 4's accuracy, or a
        # cross_entropy_error that always turns t into labels (sample two_layer_net_accuracy_ch04.py)
        both = (
            "if t.ndim != 1: t = np.argmax(t, axis=1) (5.7.2; chapter 4's accuracy takes one-hot rows only)"
            if op == "TwoLayerNet.accuracy"
            else "cross_entropy_error takes the argmax only when t.size == y.size"
        )
        return StudentFailure(
            failure.code,
            f"{failure.message}. t holds class labels here (shape ({n},)), not one-hot rows: the book's "
            f"{op} takes both: {both}",
            failure.detail,
        )
    if "could not be broadcast" not in failure.message:
        return failure
    widths = _one_hot_widths(failure.message, n)
    if widths is not None:
        return StudentFailure(
            failure.code,
            f"{failure.message}. Both have a row per sample, so the labels t (shape ({n},)) were turned "
            f"into one-hot rows, but {widths[0]} and {widths[1]} columns differ: a class count written "
            "as a number (np.eye(10)[t], MNIST's ten digits)? Take it from the scores: "
            "np.eye(self.y.shape[1])[self.t], or subtract 1 at the labels as the book does "
            "(dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1)",
            failure.detail,
        )
    return StudentFailure(
        failure.code,
        f"{failure.message}. t holds class labels here (shape ({n},)), not one-hot rows: the book's "
        f"{op} takes both (cross_entropy_error turns one-hot rows into labels with t.argmax(axis=1) and "
        "reads y[np.arange(batch_size), t]; backward with labels: dx = y.copy(); "
        "dx[np.arange(batch_size), t] -= 1; dx / batch_size)",
        failure.detail,
    )


def _failing_frame(failure: StudentFailure) -> Frame | None:
    """The innermost frame of the student's code (or a support file it called) where `failure` was raised."""
    info = failure.info if isinstance(failure, RemoteFailure) else None
    return info.frames[-1] if info is not None and info.frames else None


# A line that indexes with t (`y[np.arange(batch_size), t]`, `dy[..., t] -= 1`), and one that indexes with an
# np.arange, which a float count (`batch_size = y.size / y.shape[1]`) makes a float array too.
_INDEXES_WITH_T = re.compile(r"\[[^\]]*\bt\b[^\]]*\]")


_INDEXES_WITH_ARANGE = re.compile(r"\[[^\]]*\barange\(")


# Methods that compute the loss, not its gradient: where the book's cross_entropy_error turns one-hot rows
# into labels (a gradient computed numerically fails in them: review of s25-realdlfs, finding 3).
_FORWARD_METHODS = frozenset({"loss", "cross_entropy_error", "forward", "predict"})


def _explain_onehot(
    op: str, shape: tuple[int, ...], failure: StudentFailure, backward: bool
) -> StudentFailure:
    """Code written for class labels only (`y[np.arange(batch_size), t]`) given one-hot rows, as chapter 4
    trains (load_mnist(one_hot_label=True)) and the book's SoftmaxWithLoss also takes: NumPy's IndexError
    does not say that t is one-hot. What the book does depends on the code that failed (its innermost frame,
    not the step: a gradient that calls loss fails in loss): its cross_entropy_error turns one-hot rows into
    labels, chapter 4's gradient takes them as they are, SoftmaxWithLoss.backward takes both (samples
    submissions/layers/ch04_loss_labels_only.py, ch04_gradient_labels_only.py, ch05_layers_labels_only_ce.py,
    ch04_labels_loss_numgrad.py). Only a failing line that indexes with t is explained; one that also
    indexes with np.arange may have turned t into labels already, its float index the count
    (ch04_float_batch_size.py)."""
    frame = _failing_frame(failure)
    if frame is None or not _INDEXES_WITH_T.search(frame.source):
        return failure
    cls = class_of(op)
    if not backward or frame.function.rsplit(".", 1)[-1] in _FORWARD_METHODS:
        book = (
            f"the book's {cls} takes both; its cross_entropy_error first turns one-hot rows into labels: "
            "if t.size == y.size: t = t.argmax(axis=1) (common/functions.py)"
        )
    elif op == "TwoLayerNet.chapter4":
        book = (
            "chapter 4 trains with one-hot t (load_mnist(one_hot_label=True)), and the book's gradient takes "
            "it as it is: dy = (y - t) / batch_num (4.5.1)"
        )
    else:
        book = (
            f"the book's {cls} takes both; SoftmaxWithLoss.backward: dx = (self.y - self.t) / batch_size "
            "when self.t.size == self.y.size, else 1 subtracted at the labels (5.6.3)"
        )
    count = (
        ". Already labels by this line? Then the float index is np.arange's: its count must be an int "
        "(y.shape[0], not y.size / y.shape[1])"
        if _INDEXES_WITH_ARANGE.search(frame.source)
        else ""
    )
    return StudentFailure(
        failure.code,
        f"{failure.message}. t comes in as one-hot rows (shape {shape}), not class labels: {book}{count}",
        failure.detail,
    )


# NumPy's broadcast error between two 2-D arrays: "shapes (4,5) (4,10)".
_TWO_MATRICES = re.compile(r"shapes \((\d+),(\d+)\) \((\d+),(\d+)\)")


def _one_hot_widths(message: str, n: int) -> tuple[int, int] | None:
    """The two widths of a broadcast error between two (n, k) arrays of different k: labels already turned
    into one-hot rows of another class count than the scores' (sample layers/cn_softmax_eye10_labels.py)."""
    m = _TWO_MATRICES.search(message)
    if m is None:
        return None
    rows1, cols1, rows2, cols2 = (int(g) for g in m.groups())
    if rows1 != n or rows2 != n or cols1 == cols2:
        return None
    return cols1, cols2
