"""A network's gradient(x, t) that failed in one layer's backward because a layer walked before it returned
its dx in the wrong shape.

SimpleConvNet's loop hands each layer the dx the layer after it returned. A Pooling.backward that returns
dcol (col2im forgotten), or an Affine.backward without `dx.reshape(*self.original_x_shape)`, returns a 2-D
dx where the layer before it made a 4-D output; the next backward (Relu's `dout[self.mask] = 0`) raises on
it, and Python's error named Relu's right code while blame named Pooling. Here the grader walks the same
layers as the book does, forward then backward, and compares each returned dx with the shape of the x that
layer's forward was given: the first that differs is the layer to fix. Asked only on that failure, after
net_loop.py found the network's own loop right, at the cost of one forward and backward pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..failures import StudentFailure
from ..remote import Ref, RemoteFailure, Session, accepts_keyword
from .net_loop import LAST_LAYER, FailedGradient, loop_call


@dataclass(frozen=True)
class WrongShape:
    """A layer whose backward returned `got` (dx of another shape than `want`, the x its forward was given,
    or a tuple or list where dx alone was due); `handed_to` is the layer walked next (None: it was the first
    layer, whose dx nothing reads)."""

    layer: str
    got: tuple[int, ...] | str  # a shape, or what was returned instead of an array ("a tuple of 3 values")
    want: tuple[int, ...]
    handed_to: str | None

    @property
    def returned(self) -> str:
        return self.got if isinstance(self.got, str) else f"dx of shape {self.got}"


def _training(session: Session, fn: Ref) -> dict[str, bool]:
    """train_flg=True for a forward or loss that takes it (Dropout, BatchNormalization, MultiLayerNetExtend):
    the gradient runs the training pass."""
    return {"train_flg": True} if accepts_keyword(session.signature(fn), "train_flg") else {}


def first_wrong_shape(session: Session, net: Ref, layers: Sequence[Ref], x: Ref, t: Ref) -> WrongShape | None:
    """The book's walk over `layers` (in forward order) with each dx's shape checked; None when every
    backward returned its input's shape, or the walk itself failed before one did not."""
    s = session
    try:
        loss = s.getattr(net, "loss")
        s.call(loss, x, t, keywords=_training(s, loss)).kind  # noqa: B018 - the loss layer's state
        given: list[tuple[int, ...] | None] = []
        out = x
        for layer in layers:
            given.append(out.shape if out.kind == "ndarray" else None)
            forward = s.getattr(layer, "forward")
            out = s.call(forward, out, keywords=_training(s, forward))
        last = s.getattr(net, *LAST_LAYER, missing_ok=True)
        if last.missing:
            return None
        dout = s.call(s.getattr(last, "backward"), 1)
        for i in range(len(layers) - 1, -1, -1):
            dout = s.call(s.getattr(layers[i], "backward"), dout)
            want = given[i]
            if want is None:
                return None
            got: tuple[int, ...] | str | None = (
                f"a {dout.kind} of {dout.length} values"
                if dout.kind in ("tuple", "list")
                else dout.shape
                if dout.kind == "ndarray"
                else None
            )
            if got is None:
                return None
            if got != want:
                handed_to = layers[i - 1].type_name if i > 0 else None
                return WrongShape(layers[i].type_name, got, want, handed_to)
    except RemoteFailure:
        return None
    return None


def explain_layer_shape(failed: FailedGradient) -> StudentFailure | None:
    """The failure told as the layer that returned dx in the wrong shape, when one did on the book's walk;
    None otherwise (Python's words stand)."""
    failure, said = failed.failure, failed.said
    info = failure.info
    usable = failure.code == "exception" and info is not None and failed.layers
    found = loop_call(info.frames) if usable and info is not None else None
    if found is None:
        return None
    wrong = first_wrong_shape(failed.session, failed.net, failed.layers, failed.x, failed.t)
    # the layer handed the wrong dx must be the one the gradient's call raised in: else the failure is
    # another mistake's (sample gradient_stale_forward.py: no loss(x, t) first, SoftmaxWithLoss.backward
    # raises before any layer is handed anything), and "which raised" would be untrue
    if wrong is None or wrong.handed_to is None or found[1] not in (wrong.handed_to, "a layer"):
        return None
    cls = found[0].function.rsplit(".", 1)[0]
    # blame names the same layer, and the grader-built graph of these layers says "was handed dout ... the dx
    # that ... returned" (layer_backward.py); Python's words last, within the report's 600 characters
    return StudentFailure(
        "exception",
        f"{wrong.layer}.backward returned {wrong.returned}, where {wrong.layer}.forward was given x of "
        f"shape {wrong.want}: it must return dx alone, in the shape of x"
        f"{_book_fix(wrong, failed.kept.get(wrong.layer, ()))}. {cls}.gradient "
        f"handed what it returned to {wrong.handed_to}.backward, which raised {said}",
        failure.detail,
    )


# The book's fix for a 2-D dx where the layer took a 4-D x, by the layer's kind: chapter 7's layers work on
# im2col's columns and fold their gradient back with col2im; Affine flattens x and reshapes dx back. Pooling
# 2x2 stride 2 makes columns of x's very size, so the size alone cannot tell the two apart.
_COLUMNS = "; that is im2col's columns: fold them back with col2im(dcol, self.x.shape, ...)"
_FIXES = {
    "Affine": "; the book's Affine keeps x.shape and returns dx.reshape(*self.original_x_shape)",
    "Conv": _COLUMNS,
    "Pool": _COLUMNS,
}


def _book_fix(wrong: WrongShape, kept: Sequence[str]) -> str:
    """The book's line for `wrong`; `kept` the attributes in which the book's layer of its class keeps its
    parameters' gradients (BatchNormalization's are self.dgamma and self.dbeta, not Affine's self.dW and
    self.db; Relu has none, and a tuple it returns needs no word on them)."""
    if isinstance(wrong.got, str):
        if not kept:
            return ""
        held = " and ".join(f"self.{attr}" for attr in kept)
        return f"; the book keeps its parameters' gradients in {held}, not in what it returns"
    if len(wrong.got) != 2 or len(wrong.want) != 4:
        return ""
    fixes = [fix for kind, fix in _FIXES.items() if kind.lower() in wrong.layer.lower()]
    return fixes[0] if fixes else ""
