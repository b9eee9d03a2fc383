"""The DLFS adapter's state for one case and what every part of it reads: the case's values, labels handed as
integers, np.random seeded in the student's process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np

from .. import aliases
from ..failures import StudentFailure
from ..names import StudentNames
from ..remote import Pending, Ref, Session
from .base import AdapterBase
from .layer_messages import explain_labels
from .layer_specs import LABEL_ARG, SPECS, Applied, LayerSpec


class LayersState(AdapterBase):
    # How each class is built and driven; an assignment's own ops add entries (adapters/extension.py).
    SPECS: ClassVar[Mapping[str, LayerSpec]] = SPECS

    ALIASES: ClassVar[Mapping[str, tuple[str, ...]]] = aliases.LAYERS

    BOOK_HELPERS: ClassVar[bool] = True

    def __init__(
        self,
        session: Session,
        names: StudentNames,
        inputs: dict[str, Ref],
        originals: Mapping[str, np.ndarray],
    ) -> None:
        super().__init__(session, names, inputs, originals)
        self.values: dict[str, Ref] = {}
        self.applied: list[Applied] = []
        self.totals: dict[str, np.ndarray] = {}
        self.local: dict[str, dict[str, np.ndarray]] = {}
        # TwoLayerNet outputs whose loss is read only when a record asks for it: train_neuralnet.py calls
        # gradient(x, t) on a fresh batch with no loss(x, t) before it, so gradient must run its own forward.
        self.nets: dict[str, Applied] = {}
        # Case input -> the shape a network keeps that parameter in, where it differs from the case's only by
        # dimensions of length 1 (b1 as np.zeros((1, H)), not the book's (H,)): its gradient is read back in
        # the case's shape, so `db = np.sum(dout, axis=0, keepdims=True)` is as right as the book's.
        self.param_shapes: dict[str, tuple[int, ...]] = {}
        # A required weight scale the grader handed a network's constructor (`init_scale`, `unnamed_scale`):
        # any failure of the case says so, since the value is the grader's guess, not the student's.
        self.handed_scale: dict[str, float] = {}
        # Whether an optimizer has run in this case: the first apply step hands update the case's gradient
        # arrays (an update changing them is caught as a changed input), each later one fresh copies, so that
        # grads an update changed in place are not the next parameter's (`_optimize`).
        self.optimized = False
        # A network's params as built and as the case set them (in place), per network handle, until its
        # first method call has run: then its layers must hold the case's values (`_layers_hold_params`).
        # (key, handle, values before, values once set, what) per params entry: answered with the first call.
        self.built: dict[int, tuple[str, list[tuple[str, Ref, Pending, Pending, str]]]] = {}
        self.layers_asked: dict[int, Ref] = {}  # a network's `layers`, read with its first method call

    def value(self, name: str) -> Ref:
        if name in self.values:
            return self.values[name]
        if name in self.inputs:
            return self.inputs[name]
        raise self.unknown(name)

    def _labels(self, name: str) -> Ref:
        """A case input of 1-D integral floats goes over as int64 labels; anything else (one-hot) as is."""
        t = self.originals.get(name)
        if t is not None and t.ndim == 1 and np.all(np.isfinite(t)) and np.all(t == np.round(t)):
            return self.session.new(t.astype(np.int64))
        return self.value(name)

    def _is_net(self, op: str) -> bool:
        spec = self.SPECS.get(op)
        return op == "TwoLayerNet" or (spec is not None and bool(spec.net))

    def _args(self, op: str, args: Sequence[str]) -> list[Ref]:
        label = 1 if self._is_net(op) else LABEL_ARG.get(op)
        return [self._labels(a) if label == i else self.value(a) for i, a in enumerate(args)]

    def _python_said(self, failure: StudentFailure) -> str:
        """Python's words without the grader's own context ("backward from loss: "), said once already."""
        context = self.session.context
        return failure.message.removeprefix(f"{context}: ") if context else failure.message

    def _explain_labels(
        self, op: str, args: Sequence[str], failure: StudentFailure, *, backward: bool = False
    ) -> StudentFailure:
        """A loss's failure on labels where one-hot rows were assumed, or the reverse (layer_messages.py)."""
        label = 1 if self._is_net(op) else LABEL_ARG.get(op)
        return explain_labels(op, label, args, failure, self.originals, backward=backward)
