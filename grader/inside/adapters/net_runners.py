"""The DLFS networks (TwoLayerNet, and those an assignment declares: MultiLayerNet, SimpleConvNet) built with
the case's params and driven through loss(x, t), gradient(x, t), predict and accuracy."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..failures import StudentFailure
from ..remote import Pending, Ref, RemoteFailure, decode_array
from ..scale_names import NO_DECAY
from .constructors import (
    init_scale,
    needed_settings,
    respelt_settings,
    spells_every_setting,
    spread_dicts,
    unnamed_scale,
)
from .layer_specs import NET_METHODS, NET_PARAMS, Applied, class_of, net_keys
from .net_loop import FailedGradient, explain_loop, forward_context
from .net_messages import (
    explain_params_file,
    explain_unhanded,
    no_gradient_method,
    not_a_grads_dict,
    without_forward,
)
from .net_params import HELD_LAYERS, NetParams
from .net_shapes import explain_layer_shape

# What a network's failed gradient(x, t) may be, asked in turn (the first that explains it is told): the
# network's own loop handing a layer the wrong dout, or a layer returning its dx in the wrong shape.
GRADIENT_FAILURES: tuple[Callable[[FailedGradient], StudentFailure | None], ...] = (
    explain_loop,
    explain_layer_shape,
)


class NetRunners(NetParams):
    def value(self, name: str) -> Ref:
        """A network's loss is read only when a record asks for it (`self.nets`)."""
        if name in self.nets and name not in self.values:
            self.values[name] = self._net_loss(name)
        return super().value(name)

    def _net_loss(self, out: str) -> Ref:
        entry = self.nets[out]
        s = self.session
        y = s.call(s.getattr(entry.obj, "loss"), self.value(entry.args[0]), self._labels(entry.args[1]))
        self._ask_layers(entry.obj)
        try:
            returned_none = y.is_none  # the answer (and any error of the loss call) arrives here
        except RemoteFailure as failure:
            raise self._explain_labels(entry.op, entry.args, failure) from None
        if returned_none:
            raise StudentFailure(
                "not_implemented", f"{class_of(entry.op)}.loss returned None: a missing `return`, or a TODO?"
            )
        self._layers_hold_params(
            entry.obj,
            f"{class_of(entry.op)}.loss",
            lambda: [
                s.call(s.getattr(entry.obj, "loss"), self.value(entry.args[0]), self._labels(entry.args[1]))
            ],
        )
        return y

    def _net_method(self, op: str, cls: Ref, xs: list[Ref], args: Sequence[str]) -> Ref:
        """A fresh TwoLayerNet holding the case's params, asked one method (predict, accuracy) on its data."""
        n = NET_METHODS[op]
        net = self._two_layer_net(cls, xs[n:], args[n:])
        s = self.session
        y = s.call(s.getattr(net, op.split(".")[1]), *xs[:n])
        self._ask_layers(net)
        try:
            returned_none = y.is_none  # the answer (and any error of the call) arrives here
        except RemoteFailure as failure:
            raise self._explain_labels(op, args, failure) from None
        if returned_none:
            raise StudentFailure("not_implemented", f"{op} returned None: a missing `return`, or a TODO?")
        # accuracy's one number can come out the same whatever the weights: the scores it argmaxes are asked
        # too (predict), and accuracy itself, which may run its own forward through the layers
        name = op.split(".")[1]
        self._layers_hold_params(
            net,
            op,
            lambda: [
                s.call(s.getattr(net, method), *xs[: NET_METHODS[f"TwoLayerNet.{method}"]])
                for method in dict.fromkeys(("predict", name))  # accuracy: predict, then accuracy itself
            ],
        )
        return y

    def failure_of(self, failure: StudentFailure) -> StudentFailure:
        """The case's failure, saying which required constructor parameter the grader filled in, or which one
        it had no value for, or what a missing pickle of trained weights is."""
        failure = explain_params_file(failure)
        if not self.handed_scale:
            return explain_unhanded(failure)
        (name, value), *_ = self.handed_scale.items()
        took = (
            "no weight decay, as the book's network has"
            if value == NO_DECAY
            else "the book's weight_init_std"
        )
        return StudentFailure(
            failure.code,
            f"{failure.message} (TwoLayerNet's constructor requires {name} with no default: the grader "
            f"handed it {name}={value!r}, {took})",
            failure.detail,
        )

    def _two_layer_net(self, cls: Ref, values: Sequence[Ref], names: Sequence[str]) -> Ref:
        """TwoLayerNet built for the shapes of W1 and W2, its params overwritten in place by the case's."""
        w1, w2 = self.originals[names[0]], self.originals[names[2]]
        sizes = (w1.shape[0], w1.shape[1], w2.shape[1])
        scale = init_scale(self.session, cls)
        self.handed_scale.update(scale)
        net = self.construct(cls, *sizes, label=f"TwoLayerNet{sizes}", keywords=scale)
        self._set_params(net, "TwoLayerNet", f"TwoLayerNet{sizes}", NET_PARAMS, values, names)
        return net

    def _declared_net(
        self, op: str, cls: Ref, values: Sequence[Ref], names: Sequence[str], settings: Mapping[str, Any]
    ) -> Ref:
        """A network the assignment declares (SimpleConvNet, MultiLayerNet), built with the step's settings
        by keyword, its params overwritten in place by the case's. A JSON list is passed as a tuple (the
        book's input_dim=(1, 28, 28)), except a setting whose name says it is a list: MultiLayerNet computes
        `[input_size] + hidden_size_list + [output_size]`, which a tuple breaks ("can only concatenate list
        (not "tuple") to list")."""
        spec = self.SPECS[op]
        keywords = {
            name: tuple(value) if isinstance(value, list) and not name.endswith("_list") else value
            for name in spec.ctor_settings
            if name in settings
            for value in (settings[name],)
        }
        keywords = needed_settings(self.session, cls, keywords, spec.ctor_defaults)
        # the sizes in the book's order, as chapter 4's scripts call it (TwoLayerNet(784, 50, 10)): a
        # constructor naming them otherwise (n_input, n_hidden, n_output) is as right as the book's
        by_position = spec.ctor_by_position and not spells_every_setting(self.session, cls, list(keywords))
        if not by_position:
            keywords = respelt_settings(self.session, cls, keywords)
        # "TwoLayerNet.chapter4(...)" is the student's TwoLayerNet built: name the class they wrote, called
        # as it was (by position: TwoLayerNet(4, 5, 3); review of s24-dlfsreal, finding 4)
        scale = unnamed_scale(
            self.session, cls, spec.ctor_settings, spec.ctor_defaults, keywords, by_position
        )
        self.handed_scale.update(scale)
        shown = [repr(v) if by_position else f"{k}={v!r}" for k, v in keywords.items()]
        label = f"{class_of(op)}({', '.join([*shown, *(f'{k}={v!r}' for k, v in scale.items())])})"
        if by_position:
            net = self.construct(cls, *keywords.values(), label=label, keywords=scale)
        else:
            net = self.construct(
                cls, label=label, keywords={**spread_dicts(self.session, cls, keywords), **scale}
            )
        self._set_params(net, op, label, net_keys(op, spec.net, names), values, names)
        return net

    def _net_gradient(self, entry: Applied) -> dict[str, np.ndarray]:
        s = self.session
        x, t = self.value(entry.args[0]), self._labels(entry.args[1])
        keys = (
            NET_PARAMS
            if entry.op == "TwoLayerNet"
            else net_keys(entry.op, self.SPECS[entry.op].net, entry.args[2:])
        )
        # params as stored before and after the call (a float16 or integer entry holds the case's values
        # rounded): answered with the grads, no round trip of their own
        held = self._params_now(entry.obj, keys)
        grads = s.call(s.getattr(entry.obj, "gradient"), x, t)
        self._ask_layers(entry.obj)
        picked = {key: s.getitem(grads, key, missing_ok=True) for key in keys}
        moved = self._params_now(entry.obj, keys)
        try:
            kind = grads.kind  # the answer (and any error of the gradient call) arrives here
        except RemoteFailure as failure:
            no_gradient_method(entry.op, keys, failure)
            self.layers_asked.pop(entry.obj.id, None)  # asked in the failed batch: never answered
            layer_refs = self._layer_refs(entry.obj)
            # a walk over part of them proves nothing
            walked = layer_refs if len(layer_refs) < HELD_LAYERS else []
            held_in = {op: tuple(spec.attrs.values()) for op, spec in self.SPECS.items()}
            failed = FailedGradient(s, entry.obj, walked, x, t, failure, self._python_said(failure), held_in)
            for explain in GRADIENT_FAILURES:
                told = explain(failed)
                if told is not None:
                    raise told from None
            said = self._explain_labels(
                entry.op, entry.args, without_forward(entry.op, failure, self.SPECS), backward=True
            )
            raise forward_context(said, failure, s.context, class_of(entry.op)) from None
        if kind != "dict":
            items = s.items(grads) if kind in ("list", "tuple") else None
            raise not_a_grads_dict(entry.op, keys, grads, items)

        def again() -> list[Ref]:
            regrads = s.call(s.getattr(entry.obj, "gradient"), x, t)
            return [s.getitem(regrads, key, missing_ok=True) for key in keys]

        self._layers_hold_params(entry.obj, f"{class_of(entry.op)}.gradient", again)
        # MultiLayerNetExtend's grads without a BatchNorm's gamma or beta: only those records are missing
        # (grader/judge/diagnose.py names the book's line); the weights' gradients are still graded, as
        # zeros there are (review of s23-dlfsext, finding 4: the whole case was an error, 0 of 8)
        unset_bn: set[str] = set()
        for key, g in picked.items():
            if g.is_none and key.startswith(("gamma", "beta")):
                # asked before _filled_before_backward: its second gradient call would move the BatchNorm
                # layers' running statistics again, and the test-time loss record would fail for it
                unset_bn.add(key)
                continue
            if g.is_none:
                if self._filled_before_backward(entry.obj, key, x, t):
                    raise StudentFailure(
                        "exception",
                        f"{class_of(entry.op)}.gradient gave grads[{key!r}] = None at its first call and an "
                        "array at the next: it copies the layers' gradients (dW, db) into grads before the "
                        "backward pass sets them, so each call returns the previous call's gradients (None "
                        "at the first). Build grads after the loop over the layers' backward, as the book "
                        "does (5.7.2)",
                    )
                # A weight's gradient read from the book's dW of a layer that set cs231n's dw (sample
                # layers/affine_dw_lowercase_typo.py): the layer's own cases pass, this is where it shows.
                # Not for a network without layers (chapter 4's TwoLayerNet: review of s24-dlfsreal, 4).
                also = (
                    " Or read where the layer never set it (dW, where backward set dw)?"
                    if key[:1] == "W" and self._layer_refs(entry.obj)
                    else ""
                )
                raise StudentFailure(
                    "not_implemented", f"{class_of(entry.op)}.gradient gave no grads[{key!r}]: a TODO?{also}"
                )
        named = [(arg, key) for arg, key in zip(entry.args[2:], keys, strict=False) if key not in unset_bn]
        values = s.arrays(
            [(picked[key], f"{class_of(entry.op)}.gradient: grads[{key!r}]") for _, key in named]
        )
        out = {arg: value for (arg, _), value in zip(named, values, strict=True)}
        self._params_left_alone(entry.op, held, moved)
        for name, kept in self.param_shapes.items():
            if name in out and out[name].shape == kept:
                out[name] = out[name].reshape(self.originals[name].shape)
        return out

    def _params_now(self, net: Ref, keys: Sequence[str]) -> dict[str, Pending]:
        """A network's params entries as they are at this point of the sequence."""
        s = self.session
        params = s.getattr(net, "params", missing_ok=True)
        return {
            key: s.array_later(s.getitem(params, key, missing_ok=True), f"params[{key!r}]", soft=True)
            for key in keys
        }

    def _params_left_alone(self, op: str, held: Mapping[str, Pending], moved: Mapping[str, Pending]) -> None:
        """gradient(x, t) returns the gradients and leaves the weights to the training loop
        (train_neuralnet.py: `network.params[key] -= learning_rate * grad[key]`). A gradient that takes the
        SGD step itself moves every weight twice per step in the book's loop, and the loss read after it was
        blamed as "wrong in a way the grader does not recognise" while gradient's own records passed (sample
        submissions/layers/ch04_gradient_updates_params.py)."""
        changed = []
        for key, pending in moved.items():
            try:
                before, after = (
                    None if p.value is None else decode_array(p.value, f"params[{key!r}]")
                    for p in (held[key], pending)
                )
            except StudentFailure:
                continue  # unreadable: the gradient's own checks say what is wrong
            if before is None or after is None or before.shape != after.shape:
                continue
            if _moved(before, after):
                changed.append(key)
        if changed:
            listed = ", ".join(f"self.params[{key!r}]" for key in changed)
            raise StudentFailure(
                "exception",
                f"{class_of(op)}.gradient(x, t) changed {listed}: it must return the gradients and leave "
                "the weights alone; the training loop updates them (network.params[key] -= learning_rate * "
                "grad[key], train_neuralnet.py), so a gradient that takes the step itself moves them twice",
            )

    def _filled_before_backward(self, net: Ref, key: str, x: Ref, t: Ref) -> bool:
        """Whether gradient(x, t), which gave grads[key] None, gives an array when called again: grads was
        filled before the backward pass set the layers' gradients (`grads['W1'] = self.layers['Affine1'].dW`
        above the loop), so every call returns the previous call's (one step stale in the book's training
        loop). It was told "a TODO?" (sample submissions/layers/two_layer_net_grads_before_backward.py); a
        grads[key] left None at every call is still asked whether it is a TODO. Asked only on that failure."""
        s = self.session
        again = s.getitem(s.call(s.getattr(net, "gradient"), x, t), key, missing_ok=True)
        try:
            return again.kind == "ndarray"
        except RemoteFailure:
            return False


# How far a weight may drift during gradient(x, t) and still count as left alone, relative to its largest
# magnitude: a numerical_gradient that restores each element by arithmetic (x[idx] += h, -= 2*h, += h) leaves
# it about 3e-17 off, while one SGD step (lr 0.1 on gradients near 1e-2) moves it about 1e-3.
_LEFT_ALONE_RTOL = 1e-9


def _moved(before: np.ndarray, after: np.ndarray) -> bool:
    """Whether `after` differs from `before` by more than the rounding of an honest numerical gradient
    (sample submissions/layers/ch04_numgrad_restore_arith.py was "changed self.params['W1']", 1 of 6)."""
    if not np.array_equal(np.isnan(before), np.isnan(after)):
        return True
    finite = ~np.isnan(before)
    if not finite.any():
        return False
    scale = 1.0 + float(np.max(np.abs(before[finite]), initial=0.0))
    was, now = before[finite], after[finite]
    with np.errstate(invalid="ignore", over="ignore"):
        drift = np.where(was == now, 0.0, np.abs(now - was))  # inf left as inf is not inf - inf = nan
    return bool(np.any(~(drift <= _LEFT_ALONE_RTOL * scale)))
