"""A layer's backward run and read: its returns and gradient attributes (the book's dW, cs231n's dw), and a
backward that raised on a dout of the wrong shape blamed on the layer that handed it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..book_gradients import attribute_gradient
from ..failures import StudentFailure
from ..remote import Ref, RemoteFailure, accepts_positional
from .base import summed
from .layer_forward import LayerForward
from .layer_specs import Applied, LayerSpec


class LayerBackward(LayerForward):
    def _seed(self, entry: Applied, upstream: Ref | None) -> Ref | int:
        if upstream is not None:
            return upstream
        if self._is_net(entry.op) or self.SPECS[entry.op].loss:
            return 1
        value = self.session.array(self.value_of(entry.out), f"{entry.op}.forward value")  # a tuple: told so
        return self.session.new(np.ones_like(value))

    def _run(self, entry: Applied, dout: Ref | int) -> dict[str, np.ndarray]:
        """Gradients of a layer entry's args from its own backward, summed where an arg repeats."""
        s = self.session
        spec = self.SPECS[entry.op]
        backward = s.getattr(entry.obj, "backward")
        takes_dout = accepts_positional(s.signature(backward, (entry.obj.type_id, "backward")), 1)
        result = s.call(backward) if spec.loss and not takes_dout else s.call(backward, dout)
        method = f"{entry.op}.backward"
        # (dx, dy) may be a tuple or a list; a lone dx returned as a nested list is the gradient itself.
        kinds = ("tuple", "list") if len(spec.returns) > 1 else ("tuple",)
        asked = s.items_or_later(result, kinds)  # asked with the call: one round trip for both
        try:
            returned_none = result.is_none  # the answer (and any error of the backward call) arrives here
        except RemoteFailure as failure:
            if result.answered:  # the error is the items' (a tuple whose iteration raised): told as before
                raise
            raise self._explain_labels(entry.op, entry.args, failure, backward=True) from None
        if returned_none:
            raise StudentFailure(
                "not_implemented", f"{method} returned None: a missing `return dx`, or is it still a TODO?"
            )
        items = s.items_or_read(result, asked, kinds)
        several = items is not None
        results = items if items is not None else [result]
        if len(results) < len(spec.returns):
            raise StudentFailure(
                "exception",
                f"{method} returned {len(results)} value(s); expected {len(spec.returns)} "
                f"({', '.join('d' + entry.args[i] for i in spec.returns)})",
            )
        if several and (len(results) > len(spec.returns) or len(spec.returns) == 1):
            raise StudentFailure("exception", self._returned_extra(entry, spec, result.kind, len(results)))
        # (arg index, gradient, what it is, the message when it is None)
        pairs: list[tuple[int, Ref, str, str]] = [
            (
                i,
                g,
                f"{method}: gradient d{entry.args[i]}",
                f"{method} returned None for d{entry.args[i]}: a TODO?",
            )
            for i, g in zip(spec.returns, results, strict=False)
        ]
        # pairs index -> what the other spelling of its attribute holds: a class keeping its gradient
        # in `self.dw` (cs231n's spelling) is read there, also when `self.dW = None` stayed from the book's
        # __init__: whether its network reads dw or dW is the network's cases' to find (TwoLayerNet.gradient
        # then gives no grads['W1']); told "a typo", a student whose network reads dw lost every Affine case
        respelt: dict[int, Ref] = {}
        for i, attr in spec.attrs.items():
            g = s.getattr(entry.obj, attr, *_respellings(attr), missing_ok=True)  # the book's name first
            for other in _respellings(attr):
                respelt[len(pairs)] = s.getattr(entry.obj, other, missing_ok=True)
            pairs.append((i, g, f"{method}: self.{attr}", _unset(entry.op, attr)))
        for k, (i, g, what, unset) in enumerate(pairs):
            if not g.is_none:
                continue
            if k in respelt and not respelt[k].missing and not respelt[k].is_none:
                pairs[k] = (i, respelt[k], what, unset)
                continue
            raise StudentFailure("not_implemented", self._kept_elsewhere(entry.obj, unset))
        values = s.arrays([(g, what) for _, g, what, _ in pairs])
        grads: dict[str, np.ndarray] = {}
        for (i, _, _, _), value in zip(pairs, values, strict=True):
            name = entry.args[i]
            grads[name] = (
                summed(grads[name], value, f"{method}: the gradients of {name}") if name in grads else value
            )
        return grads

    def _returned_extra(self, entry: Applied, spec: LayerSpec, kind: str, count: int) -> str:
        """A backward returning more than its inputs' gradients (`return dx, self.dW, self.db`), or a lone
        dx in a tuple (`return dx,`): read as its first value, the unit and graph cases passed, while the
        network's own loop (the book's `dout = layer.backward(dout)`) handed the whole tuple to the layer
        before it, whose right code raised ("'tuple' object has no attribute 'copy'" in Relu.backward;
        sample submissions/layers/affine_backward_returns_grads.py). A layer of two inputs is unpacked
        instead (the book's `dapple_price, dtax = mul_tax_layer.backward(dprice)`), which a third value
        stops ("too many values to unpack"); a list is called a list (review of session 26)."""
        if len(spec.returns) == 1:
            wanted = "only the gradient of its input"
            use = (
                "whatever backward returns is the dout the network hands the layer before it "
                "(dout = layer.backward(dout))"
            )
        else:
            d = ", ".join("d" + entry.args[i] for i in spec.returns)
            wanted = f"only the gradients of its {len(spec.returns)} inputs"
            use = f"the book unpacks exactly those ({d} = layer.backward(dout)), and a value more stops it"
        kept = " and ".join(f"self.{attr}" for attr in spec.attrs.values())
        book = f"; the book keeps the parameters' gradients in {kept}, not in what it returns" if kept else ""
        return f"{entry.op}.backward returned a {kind} of {count} value(s); expected {wanted}: {use}{book}"

    def _kept_elsewhere(self, obj: Ref, unset: str) -> str:
        """`unset` ("... left self.dW unset: is it still a TODO?"), unless the layer keeps its gradients in a
        `grads` list, as Deep Learning from Scratch 2's layers do (`self.grads[0][...] = dW`): a finished
        backward of the other book's contract, which this assignment (the first book's dW, db) does not
        read. Looked up only on this failure."""
        grads = self.session.getattr(obj, "grads", missing_ok=True)
        if grads.missing or grads.kind not in ("list", "tuple"):
            return unset
        left = unset.split(":", 1)[0]  # "Affine.backward left self.dW unset", true whatever the list holds
        return (
            f"{left}, and the layer has a self.grads list, as Deep Learning from Scratch 2's layers do "
            "(self.grads[0][...] = dW): this assignment grades the first book's layers, whose backward sets "
            "self.dW and self.db (5.6.2)"
        )

    def _gradient_word(self, entry: Applied, name: str) -> str:
        """What a layer's backward calls the gradient of its input `name` that it returns: the book's dx and
        dy (MulLayer, AddLayer), d and the case's name for a third; one read from an attribute (self.dW)
        or a network's is just a gradient."""
        position = entry.args.index(name)
        spec = self.SPECS.get(entry.op)
        if self._is_net(entry.op) or spec is None or position not in spec.returns:
            return "gradient"
        return ("dx", "dy")[position] if position < 2 else f"d{name}"

    def _explain_dout_shape(
        self, entry: Applied, dout: Any, failure: StudentFailure, gave: Sequence[str], word: str = "dx"
    ) -> StudentFailure:
        """A backward that raised on a dout of another shape than its own forward's output: a layer applied
        after it (`gave`: those whose backward gave this dout, never one that took the output but does not
        lead to the loss) returned its gradient in the wrong shape. Most often an Affine without the book's
        `dx.reshape(*self.original_x_shape)` behind a Pooling or Convolution (4-D out, 2-D dx, the same
        size); also a gradient of another size (Affine.backward returning self.dW, AddLayer.backward
        summing dy over the batch like a bias) or a bare number (AddLayer.backward returning 0 for dy).
        Python's error named the layer that raised, whose code is right ("axes don't match array" in
        Pooling.backward, "boolean index did not match" in Relu.backward). `word` is what the layers that
        gave it call that gradient: AddLayer's dy is no dx (review of session 26). Looked at only on this
        failure."""
        value = self.values.get(entry.out)
        want = value.shape if isinstance(value, Ref) and value.kind == "ndarray" else None
        if failure.code != "exception" or want is None:
            return failure
        handed = _handed(dout, want)
        if handed is None:
            return failure
        after = " and ".join(dict.fromkeys(gave))
        if not after:
            return failure
        # the book's fix, cited only for its own layer and its own mistake (a flattened dx of the right size)
        flattened = isinstance(dout, np.ndarray) and dout.size == int(np.prod(want))
        affine = (
            " (the book's Affine keeps self.original_x_shape = x.shape and returns "
            "dx.reshape(*self.original_x_shape))"
            if "Affine" in gave and flattened
            else ""
        )
        must = (
            f"{word} in the shape of the input its forward was given"
            if word != "gradient"
            else "each input's gradient in the shape of that input"
        )
        return StudentFailure(
            "exception",
            f"{entry.op}.backward was handed dout {handed}, the {word} that {after}.backward returned, where "
            f"{entry.op}.forward returned shape {want}: {after}.backward must return {must}{affine}. "
            f"Python said: {self._python_said(failure)}",
            failure.detail,
        )


def _handed(dout: Any, want: tuple[int, ...]) -> str | None:
    """How a dout unlike its layer's output (of shape `want`) is named in a message, or None when it is not
    one: an array of another shape, or a bare number where an array was due. Never the student's repr."""
    if isinstance(dout, np.ndarray) and dout.shape == want:
        return None
    if isinstance(dout, np.ndarray) and dout.ndim:
        return f"of shape {dout.shape}"
    if isinstance(dout, (np.ndarray, int, float, np.number)) and not isinstance(dout, bool):
        return "that is a single number, not an array"
    return None


def _respellings(attr: str) -> tuple[str, ...]:
    """The other spelling of a gradient attribute that students use: `dw` for the book's `dW` (cs231n's
    name). A class keeping its gradient there is read there, also beside a `dW = None` left by the book's
    __init__; it was told "left self.dW unset: is it still a TODO?" (then "a typo?") and lost every Affine
    case, its own TwoLayerNet reading dw. A network reading the spelling its layer never set fails on its own
    cases (`_net_gradient`)."""
    lowered = attr.lower()
    return (lowered,) if lowered != attr else ()


def _unset(layer: str, attr: str) -> str:
    """ "Affine.backward left self.dW unset: is it still a TODO?", and the book's line for it where the book
    has one (Affine's and Convolution's dW and db: grader/inside/book_gradients.py)."""
    said = f"{layer}.backward left self.{attr} unset: is it still a TODO?"
    book = attribute_gradient(layer, attr)
    return f"{said} The book's is {book.line}" if book is not None else said
