"""A network's gradient(x, t) that failed inside one of its layers: is the layer wrong, or the network's loop?

Chapter 5's TwoLayerNet (and SimpleConvNet, MultiLayerNet) computes its gradient by walking its layers:
`self.loss(x, t)`, `dout = self.lastLayer.backward(1)`, then `dout = layer.backward(dout)` for each layer of
`self.layers` in reverse order (5.7.2). A loop that forgets the reverse, or drops what backward returns
(`layer.backward(dout)`), hands a right layer a dout of the wrong shape, and Python's error names that layer's
right code ("shapes (3,3) and (6,4) not aligned" in Affine.backward, "boolean index did not match" in
Relu.backward). Here the grader walks the same layers as the book does: when they run, the network's own loop
is what went wrong, and the message says so, with the line of the loop. Asked only on that failure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..failures import Frame, StudentFailure
from ..remote import Ref, RemoteFailure, Session, accepts_keyword

# The book's names for the loss layer: chapter 5's TwoLayerNet says lastLayer, chapter 7's SimpleConvNet and
# chapter 6's MultiLayerNet last_layer.
LAST_LAYER = ("lastLayer", "last_layer")
# The walks' work is bounded by what they call, never by a clock: at most two walks, each the network's loss
# and its loss layer's backward, then one backward a layer (net_runners.py walks fewer than HELD_LAYERS,
# net_params.py), each a call the failed gradient made itself on the same x and t. So a walk costs about one
# forward and backward pass of the network the gradient already ran (a numerical gradient left in it is never
# re-run: the walk calls no gradient). Until session 29 a gradient that ran over 1 s of wall time before
# failing was not walked, and the same submission's message depended on the machine's load (DESIGN.md rule 7).
# A loop line calling a layer's backward and keeping nothing: `layer.backward(dout)`.
_RESULT_DROPPED = re.compile(r"^\s*[\w.\[\]'\"]+\.backward\(\s*\w+\s*\)\s*(#.*)?$")


@dataclass(frozen=True)
class FailedGradient:
    """A network's gradient(x, t) that failed: what each explainer of it is handed. `layers` are the
    network's in forward order (none: too many to walk); `said` is Python's message without the grader's
    context; `kept` the attributes in which the book's layer of each class keeps its parameters' gradients
    (Affine: dW, db; BatchNormalization: dgamma, dbeta; Relu: none), from the adapter's layer specs."""

    session: Session
    net: Ref
    layers: Sequence[Ref]
    x: Ref
    t: Ref
    failure: RemoteFailure
    said: str
    kept: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _book_loop(cls: str) -> str:
    last = "lastLayer" if cls == "TwoLayerNet" else "last_layer"
    return (
        f"5.7.2: dout = self.{last}.backward(1), then dout = layer.backward(dout) for each layer of "
        "self.layers in reverse"
    )


def loop_call(frames: Sequence[Frame]) -> tuple[Frame, str] | None:
    """The network's gradient frame and the layer whose backward it called, when the failure was raised
    under a backward that the network's own gradient called (None otherwise: the failure is the gradient's
    own). A layer the grader served (a stand-in common.layers) shows no frame: the gradient's line calling
    backward is the last, and the layer is named as "a layer"."""
    for i in range(len(frames) - 1, -1, -1):
        if not frames[i].function.endswith(".gradient"):
            continue
        if i + 1 < len(frames):
            callee = frames[i + 1].function
            return (frames[i], callee.rsplit(".", 1)[0]) if callee.endswith(".backward") else None
        return (frames[i], "a layer") if ".backward(" in frames[i].source else None
    return None


def _walk(failed: FailedGradient, layers: Sequence[Ref]) -> str | None:
    """Run the book's backward walk over `layers` (in the order given) in the student's process: None when
    every call returned, else Python's description of the first error."""
    s, net, x, t = failed.session, failed.net, failed.x, failed.t
    loss = s.getattr(net, "loss")
    # MultiLayerNetExtend.loss(x, t, train_flg=False): its gradient runs the training forward, as the walk
    # must (batch statistics and a drawn mask, which the backward of BatchNormalization and Dropout read)
    training = {"train_flg": True} if accepts_keyword(s.signature(loss), "train_flg") else {}
    done = s.call(loss, x, t, keywords=training)
    last = s.getattr(net, *LAST_LAYER, missing_ok=True)
    try:
        done.kind  # noqa: B018 - the loss's answer (and any error) arrives here
        if last.missing:
            return "no lastLayer"
        dout = s.call(s.getattr(last, "backward"), 1)
        for layer in layers:
            dout = s.call(s.getattr(layer, "backward"), dout)
        dout.kind  # noqa: B018 - every backward's answer arrives here
    except RemoteFailure as failure:
        return failure.info.description if failure.info is not None else failure.message
    return None


def explain_loop(failed: FailedGradient) -> StudentFailure | None:
    """The failure reworded as the network loop's mistake, when the layers run as the book walks them;
    None when they do not (then a layer is wrong, and Python's words name it). However long the failed
    gradient ran, the same walks (see above)."""
    failure, layers = failed.failure, failed.layers
    info = failure.info
    if failure.code != "exception" or info is None or not layers:
        return None
    found = loop_call(info.frames)
    if found is None:
        return None
    caller, layer = found
    if any(name in caller.source for name in LAST_LAYER) or "NoneType" in info.description:
        # the loss layer's own call, or a layer whose forward state is None: a gradient that never ran its
        # forward pass (no self.loss(x, t) first) fails so, and the book's walk, which runs it, would not
        return None
    who = "a layer's backward" if layer == "a layer" else f"{layer}.backward"
    if _walk(failed, list(reversed(layers))) is not None:
        return None
    cls = caller.function.rsplit(".", 1)[0]
    if _RESULT_DROPPED.match(caller.source):
        why = "the line drops what backward returns: write dout = layer.backward(dout)"
    elif _walk(failed, layers) == info.description:
        why = (
            "it walks the layers first to last: walk them reversed (layers = list(self.layers.values()); "
            "layers.reverse(); for layer in layers: ...)"
        )
    else:
        why = (
            "check which layers it calls, in which order, and that each gets the dout the one before returned"
        )
    return StudentFailure(
        "exception",
        f"{cls}.gradient's loop hands a layer the wrong dout: {why}. It raised in {who}, called from "
        f"{caller.where()}; the same layers run without error walked as the book does ({_book_loop(cls)}). "
        f"Python said: {failed.said}",
        failure.detail,
    )


def in_forward_pass(frames: Sequence[Frame]) -> bool:
    """Whether a network's gradient(x, t) failed in its own forward pass (self.loss(x, t), then predict and a
    layer's forward), under no backward: the case's context, "backward from loss", is then not where it
    failed (sample pool_out_h_no_plus1.py: "backward from loss: ValueError ... in Pooling.forward"). Only a
    failure under the gradient's call of its loss is that: chapter 4's gradient writes its backward out
    itself, and a helper it calls there (sigmoid_grad) is no forward pass."""
    for i in range(len(frames) - 1, -1, -1):
        if frames[i].function.endswith(".gradient"):
            below = frames[i + 1 :]
            return (
                bool(below)
                and below[0].function.endswith(".loss")
                and not any(f.function.endswith(".backward") for f in below)
            )
    return False


def forward_context(said: StudentFailure, failure: RemoteFailure, context: str, cls: str) -> StudentFailure:
    """`said` (what the case tells of `failure`) with its context named as the gradient's forward pass, where
    `failure` was raised there (see above)."""
    prefix = f"{context}: "
    info = failure.info
    if not context or info is None or not said.message.startswith(prefix) or not in_forward_pass(info.frames):
        return said
    return StudentFailure(
        said.code,
        f"{cls}.gradient(x, t), in its forward pass (self.loss(x, t)): {said.message.removeprefix(prefix)}",
        said.detail,
    )
