"""DLFS layers ("Deep Learning from Scratch", ch. 5): layer objects with forward/backward, and TwoLayerNet.

`apply` instantiates the layer and calls forward at once; `backward` walks the applied layers in reverse,
summing the gradients of a value used twice (the sums are taken here, in the harness, and each layer gets
a fresh copy of its upstream gradient). Accepts `ReLu`/`ReLU`, `(dx, dy)` as a tuple or a list (never more
values than the layer has inputs, nor a lone dx in a tuple: the network's loop would hand on the tuple),
`SoftmaxWithLoss.backward(dout=1)` or `backward()`, a weight gradient kept as `self.dw` (cs231n's spelling of
`self.dW`, also beside a `dW = None` left by the book's __init__), and reports a backward without `return` and
a class whose `__init__` is misspelt. A network's params (TwoLayerNet's, or those of a network an
assignment declares, SimpleConvNet) are overwritten in place so its layers see them.

Chapters 6-7's layers (dlfs-advanced's ops) are also built and run as students write them: a train/test switch
kept as a bool attribute (`self.training`) when forward takes no train_flg; keyword args an __init__ does not
take (BatchNormalization's running_mean) set as attributes; a dict setting (SimpleConvNet's conv_param) spread
into parameters named after its keys; a square window's pool_h and pool_w as one `pool_size`. A
BatchNormalization that cannot take the book's 4-D input is told the book's flatten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..failures import StudentFailure
from ..remote import Ref
from .base import summed
from .layer_backward import LayerBackward
from .layer_specs import NET_METHODS, Applied
from .net_runners import NetRunners
from .optimizer_cases import OptimizerCases


class LayersAdapter(NetRunners, LayerBackward, OptimizerCases):
    family = "layers"

    def apply(
        self,
        op: str,
        args: Sequence[str],
        out: str,
        *,
        no_grad: bool = False,
        settings: Mapping[str, Any] | None = None,
        again: str | None = None,
    ) -> None:
        cls = self.names.require("TwoLayerNet" if op in NET_METHODS else op.partition(".")[0])
        xs = self._args(op, args)
        if op in NET_METHODS:
            self.values[out] = self._net_method(op, cls, xs, args)
            return
        if self._is_net(op):
            if op == "TwoLayerNet":
                net = self._two_layer_net(cls, xs[2:], args[2:])
            else:
                net = self._declared_net(op, cls, xs[2:], args[2:], settings or {})
            entry = Applied(out, op, list(args), net)
            self.nets[out] = entry
            self.applied.append(entry)
            return
        spec = self.SPECS[op]
        given = dict(settings or {})
        if spec.optimizer:
            self.values[out] = self._optimize(op, cls, spec, given, args)
            return
        if again is not None:
            obj = self._layer_that_made(op, again)
            self._seed_if_given(op, spec, given)
            self._forward_kept(Applied(out, op, list(args), obj), cls, given, xs)
            return
        try:
            self._apply_layer(op, cls, spec, given, xs, args, out)
        except StudentFailure as failure:
            raise self._explain_tuple_input(op, args, failure) from None

    def backward(self, of: str, upstream: Ref | None, *, retain_grad: bool = False) -> None:
        start = self._entry(of)
        pending: dict[str, Any] = {of: self._seed(start, upstream)}  # Ref, 1, or a sum taken here
        # the layers whose backward gave each pending gradient: the ones a wrong dout is blamed on
        gave: dict[str, list[str]] = {}
        # what each of them calls that gradient: dx, or dy for AddLayer's and MulLayer's second input
        called: dict[str, set[str]] = {}
        self.local = {}
        for entry in reversed(self.applied):
            if entry.out not in pending:
                continue
            dout = pending[entry.out]
            # Sums taken here go in as fresh arrays: a layer that writes into dout changes only its copy.
            try:
                grads = self._gradients(
                    entry, self.session.new(dout) if isinstance(dout, np.ndarray) else dout
                )
            except StudentFailure as failure:
                words = called.get(entry.out, set())
                word = next(iter(words)) if len(words) == 1 else "gradient"
                raise self._explain_dout_shape(entry, dout, failure, gave.get(entry.out, []), word) from None
            self.local[entry.out] = grads
            for name in grads:
                gave.setdefault(name, []).append(entry.op)
                called.setdefault(name, set()).add(self._gradient_word(entry, name))
            for name, g in grads.items():
                before = pending.get(name)
                pending[name] = (
                    summed(before, g, f"the gradients of {name} from the layers that use it")
                    if isinstance(before, np.ndarray)
                    else g
                )
        self.totals = {k: v for k, v in pending.items() if isinstance(v, np.ndarray)}

    def _gradients(self, entry: Applied, dout: Ref | int) -> dict[str, np.ndarray]:
        """Gradients of entry's args: a network's from its gradient(x, t), a layer's from its backward."""
        return self._net_gradient(entry) if self._is_net(entry.op) else self._run(entry, dout)

    def backward_local(self, of: str, upstream: Ref | None) -> None:
        entry = self._entry(of)
        self.local[of] = self._gradients(entry, self._seed(entry, upstream))

    def _entry(self, out: str) -> Applied:
        for entry in reversed(self.applied):
            if entry.out == out:
                return entry
        raise self.unknown(out)

    def grad_of(self, name: str) -> np.ndarray | None:
        return self.totals.get(name)

    def grad_via(self, name: str, via: str) -> np.ndarray | None:
        return self.local.get(via, {}).get(name)
