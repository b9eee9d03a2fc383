"""NumPy's shape errors, said in the terms of a backward pass.

NumPy's words name shapes, not mistakes: "non-broadcastable output operand with shape (2,) doesn't match the
broadcast shape (1,2)" is what `db += np.sum(grad, axis=0, keepdims=True)` raises on a 1-D bias, and "shapes
(2,1) and (2,1) not aligned" what `np.dot(grad_cost, W)` raises where `W.T` belongs, "remapped shapes
[original->remapped]: (2,) and requested shape (2,3)" what `np.broadcast_to(gy, x_shape)` raises on the
gradient of a sum over axis 1. Each explainer reads
the exception's text (the student's process's claim: text only, never trusted for more than a sentence) and
returns one clause to append, or None.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

_SHAPE = r"\(([0-9, ]*)\)"


def _shape(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.replace(" ", "").split(",") if n)


def _shapes(pattern: re.Pattern[str], message: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The two shapes an error message of `pattern` names, or None when it is not that message."""
    found = pattern.search(message)
    return None if found is None else (_shape(found.group(1)), _shape(found.group(2)))


def _shown(shape: tuple[int, ...]) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"


_INPLACE = re.compile(
    rf"non-broadcastable output operand with shape {_SHAPE} doesn't match the broadcast shape {_SHAPE}"
)


def _inplace(message: str, *, gradient: bool = True) -> str | None:
    """`+=`, `*=` (any in-place operation, a ufunc's `out=`) cannot change the shape of the array on its left
    (NumPy raises this for nothing else)."""
    shapes = _shapes(_INPLACE, message)
    if shapes is None:
        return None
    left, wanted = shapes
    head = (
        f"an in-place operation (+=, -=, *=, /=) keeps the shape of the array on its left, {_shown(left)}, "
        f"and the value on the right makes it {_shown(wanted)}"
    )
    if not gradient:
        return head
    if wanted == (1, *left):
        return (
            f"{head}: an extra axis of length 1 (np.sum(..., keepdims=True)? a (1, n) array where a 1-D "
            "one belongs?)"
        )
    if len(wanted) == len(left) + 1 and wanted[1:] == left:
        return f"{head}: one row per sample, not summed over the batch (np.sum(..., axis=0))?"
    return f"{head}: a gradient has the shape of the value it belongs to"


_INPLACE_SAME_RANK = re.compile(
    rf"operands could not be broadcast together with shapes {_SHAPE} {_SHAPE} {_SHAPE}"
)


def _inplace_same_rank(message: str, *, gradient: bool = True) -> str | None:
    """`a += b` where neither shape stretches to the other raises with three shapes, the first and the last
    being the left array's (the output is the left array itself). A bias gradient summed over the wrong axis,
    `db += np.sum(grad, axis=1)`, gives (batch,) for (out,)."""
    found = _INPLACE_SAME_RANK.search(message)
    if found is None:
        return None
    left, right, out = (_shape(found.group(k)) for k in (1, 2, 3))
    if out != left:
        return None
    head = (
        f"an in-place operation (+=, -=, *=, /=) keeps the shape of the array on its left, {_shown(left)}, "
        f"and the value on the right, {_shown(right)}, cannot be stretched to it"
    )
    if not gradient:
        return head
    if len(left) == len(right) == 1:
        return f"{head}: a sum over the wrong axis (the batch is axis 0: np.sum(..., axis=0))?"
    return f"{head}: a gradient has the shape of the value it belongs to"


_MISSING_T = "a missing .T?"
# Said instead on a line that transposes already: `np.dot(X, W.T)` in Linear.forward, W fed (in, out) as the
# lesson feeds it, was asked "a missing .T?" (real-file sweep, s26-realmf, sample linear_forward_w_t.py).
_EXTRA_T = "a .T too many, or on the wrong array (the line already transposes)?"
_TRANSPOSES = re.compile(r"\.T\b|\btranspose\(")

_NOT_ALIGNED = re.compile(rf"shapes {_SHAPE} and {_SHAPE} not aligned")


def _not_aligned(message: str) -> str | None:
    """np.dot(a, b) of 2-D arrays whose inner sizes differ, where a transpose would make them fit."""
    shapes = _shapes(_NOT_ALIGNED, message)
    if shapes is None:
        return None
    a, b = shapes
    if len(a) != 2 or len(b) != 2:
        return None
    if a[1] == b[1]:
        fix = f"the second transposed, {_shown(a)} by {_shown(b[::-1])}, would fit: {_MISSING_T}"
    elif a[0] == b[0]:
        fix = f"the first transposed, {_shown(a[::-1])} by {_shown(b)}, would fit: {_MISSING_T}"
    else:
        return None
    return f"np.dot needs the first array's last size to equal the second's first; {fix}"


_BROADCAST_TO = re.compile(
    rf"could not be broadcast together with remapped shapes \[original->remapped\]: {_SHAPE}\s+and "
    rf"requested shape {_SHAPE}"
)


def _broadcast_to(message: str) -> str | None:
    """np.broadcast_to(x, shape) where x's axes do not line up with the shape's last ones. The usual cause in
    a backward pass: the gradient of a sum over an inner axis without keepdims, whose summed axis must come
    back as a 1 before it is broadcast (DeZero's utils.reshape_sum_backward, step 39)."""
    shapes = _shapes(_BROADCAST_TO, message)
    if shapes is None:
        return None
    have, wanted = shapes
    head = (
        f"np.broadcast_to adds axes on the left and stretches axes of length 1 only, so {_shown(have)} "
        f"cannot become {_shown(wanted)}"
    )
    removed = [k for k in range(1, len(wanted)) if wanted[:k] + wanted[k + 1 :] == have]
    if not removed:
        return head
    kept = (*wanted[: removed[0]], 1, *wanted[removed[0] + 1 :])
    return (
        f"{head}: the axis a sum removed must come back as a 1 first, {_shown(have)} reshaped to "
        f"{_shown(kept)} (keepdims=True in the sum, or the gradient reshaped so before it is broadcast back, "
        "as a sum's backward must)"
    )


_INTO = re.compile(rf"could not broadcast input array from shape {_SHAPE} into shape {_SHAPE}")


def _padded_every_axis(message: str) -> str | None:
    """A batch of images (N, C, H, W) padded on every axis: `np.pad(x, pad)` pads N and C too, so im2col's
    window slice, (N + 2*pad, C + 2*pad, out_h, out_w), cannot fill its (N, C, out_h, out_w) (sample
    dlfs-advanced/im2col_pad_every_axis.py). Said only when both leading sizes grew by one even amount."""
    shapes = _shapes(_INTO, message)
    if shapes is None:
        return None
    have, wanted = shapes
    if len(have) != 4 or len(wanted) != 4 or have[2:] != wanted[2:]:
        return None
    grown = have[0] - wanted[0]
    if grown <= 0 or grown % 2 or have[1] - wanted[1] != grown:
        return None
    return (
        f"the batch and channel axes grew by {grown}, as a padding of {grown // 2} on every side would: "
        "np.pad(x, pad) pads every axis; pad the height and width only, np.pad(x, [(0, 0), (0, 0), (pad, "
        "pad), (pad, pad)])"
    )


EXPLAINERS: tuple[Callable[[str], str | None], ...] = (
    _inplace,
    _inplace_same_rank,
    _not_aligned,
    _broadcast_to,
    _padded_every_axis,
)


def first_clause(explainers: tuple[Callable[[str], str | None], ...], message: str) -> str | None:
    """The clause of the first explainer (of a registry) that has one for `message`, or None."""
    for explainer in explainers:
        clause = explainer(message)
        if clause is not None:
            return clause
    return None


def pattern_clause(pattern: re.Pattern[str], clause: Callable[[str], str]) -> Callable[[str], str | None]:
    """The explainer saying `clause` of the first group `pattern` finds in a message (None: not found)."""

    def explain_one(message: str) -> str | None:
        found = pattern.search(message)
        return None if found is None else clause(found.group(1))

    return explain_one


# In a forward pass the in-place rule alone: its guesses are a gradient's (a sum over the wrong axis, "a
# gradient has the shape of the value it belongs to"), and MiniFlow's Linear quiz loop left in a matrix
# Linear.forward (`self.value += x * w`) was told them (s21-real).
FORWARD_EXPLAINERS: tuple[Callable[[str], str | None], ...] = (
    functools.partial(_inplace, gradient=False),
    functools.partial(_inplace_same_rank, gradient=False),
    _not_aligned,
    _padded_every_axis,
)


def explain(message: str, *, forward: bool = False, source: str = "") -> str | None:
    """One clause that says what a NumPy shape error in `message` likely means, or None; `forward`: raised
    in a forward pass, where no gradient is computed; `source`: the line that raised, when known."""
    clause = first_clause(FORWARD_EXPLAINERS if forward else EXPLAINERS, message)
    if clause is not None and clause.endswith(_MISSING_T) and _TRANSPOSES.search(source):
        return clause.removesuffix(_MISSING_T) + _EXTRA_T
    return clause
