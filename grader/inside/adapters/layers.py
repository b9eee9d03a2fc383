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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .. import aliases
from ..failures import Frame, StudentFailure
from ..names import StudentNames
from ..remote import (
    Pending,
    Ref,
    RemoteFailure,
    Session,
    accepts_keyword,
    accepts_positional,
    decode_array,
)
from ..scale_names import NO_DECAY, handed_value, names_a_weight_decay
from ..wrapped import wrapper_failure
from .base import AdapterBase, StepUnsupported, summed
from .net_loop import explain_loop


@dataclass(frozen=True)
class LayerSpec:
    """How a step's `args` map onto a layer: constructor, forward, backward's returns, grad attributes."""

    ctor: tuple[int, ...] = ()
    forward: tuple[int, ...] = (0,)
    returns: tuple[int, ...] = (0,)
    attrs: Mapping[int, str] = field(default_factory=dict)
    loss: bool = False  # backward(dout=1): the book calls it with 1, not an array
    # An assignment's own layers (adapters/extension.py): args and step settings passed by keyword, and the
    # setting that seeds np.random in the student's process before forward (Dropout's mask).
    ctor_keywords: Mapping[int, str] = field(default_factory=dict)
    ctor_settings: tuple[str, ...] = ()
    forward_settings: tuple[str, ...] = ()
    seed: str | None = None
    # A network of an assignment's own (DLFS ch. 7's SimpleConvNet): built with `ctor_settings` by keyword,
    # args (x, t, *params) with these `params` keys, driven through loss(x, t) and gradient(x, t).
    net: tuple[str, ...] = ()
    # State kept between forwards (BatchNormalization's running statistics): `warmup` args forwarded first,
    # each with `warmup_settings`; then `read` names the attribute that is the step's value, or the step's
    # own forward runs on the same object. The step is named "Class.what": the class before the dot.
    warmup: tuple[int, ...] = ()
    warmup_settings: Mapping[str, Any] = field(default_factory=dict)
    read: str | None = None
    # Settings passed by position after the forward args, as the book's networks pass train_flg
    # (`layer.forward(x, train_flg)`): a parameter spelt `train_flag` takes it there, and here too.
    settings_by_position: bool = False
    # The constructor's settings by position after its args, as the book's networks build Convolution
    # (SimpleConvNet: `Convolution(W1, b1, conv_param['stride'], conv_param['pad'])`) and Dropout.
    ctor_by_position: bool = False
    # A network's settings handed to its constructor only when the case's value is not this default or its
    # `__init__` requires the name (`_needed_settings`: MultiLayerNet's activation and weight_init_std).
    ctor_defaults: Mapping[str, Any] = field(default_factory=dict)
    # An optimizer of chapter 6 (common/optimizer.py): update(params, grads) called once per group of
    # gradients, the step's value an array of params read back (`_optimize`).
    optimizer: bool = False


SPECS: dict[str, LayerSpec] = {
    "MulLayer": LayerSpec(forward=(0, 1), returns=(0, 1)),
    "AddLayer": LayerSpec(forward=(0, 1), returns=(0, 1)),
    "Relu": LayerSpec(),
    "Sigmoid": LayerSpec(),
    "Affine": LayerSpec(ctor=(1, 2), attrs={1: "dW", 2: "db"}),
    "SoftmaxWithLoss": LayerSpec(forward=(0, 1), loss=True),
}
# Which arg is a target `t`: class labels travel as float64 like every input, but the book indexes with them
# (`y[np.arange(batch_size), t]`), so 1-D integral targets are handed over as int64.
LABEL_ARG = {"SoftmaxWithLoss": 1, "TwoLayerNet": 1, "TwoLayerNet.accuracy": 1}
# NumPy's words for np.argmax(t, axis=1) on a 1-D t (class labels where one-hot rows were assumed)
_ARGMAX_OF_LABELS = "axis 1 is out of bounds for array of dimension 1"
# the quoted line takes the argmax of t itself (an AxisError of another array is no word about labels: the
# clause "t holds class labels" was said of `np.argmax(self.predict(x)[0], axis=1)`, review of session 18)
_ARGMAX_OF_T = re.compile(r"argmax\(\s*t\b|\bt\.argmax\(")
# Why a layer's forward returns its output alone (_explain_tuple_input, value_of)
_ALONE = "the book's layers keep what backward needs in self; cs231n's return (out, cache)"
NET_PARAMS = ("W1", "b1", "W2", "b2")  # TwoLayerNet args are [x, t, W1, b1, W2, b2]
# TwoLayerNet's methods checked on their own ("TwoLayerNet.predict" in a step): how many leading args the
# method is called with; W1, b1, W2, b2 follow them. predict(x) -> the scores; accuracy(x, t) -> a fraction.
NET_METHODS: dict[str, int] = {"TwoLayerNet.predict": 1, "TwoLayerNet.accuracy": 2}


@dataclass
class Applied:
    out: str
    op: str
    args: list[str]
    obj: Ref


def _same_but_ones(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """(1, 6) and (6,), (6, 1) and (6,): the same numbers, laid out with extra dimensions of length 1."""
    return tuple(n for n in a if n != 1) == tuple(n for n in b if n != 1)


class LayersAdapter(AdapterBase):
    family = "layers"
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
        # A required weight scale the grader handed a network's constructor (`_init_scale`, `_unnamed_scale`):
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
        if name in self.nets and name not in self.values:
            self.values[name] = self._net_loss(name)
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

    # ---------------------------------------------------------------- forward
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

    def _layer_that_made(self, op: str, again: str) -> Ref:
        """The layer an earlier apply step of `op` made value `again` with (a step's `again`): Dropout's mask
        drawn again on the same layer after another seed, so that a mask kept from call to call (a fixed
        pattern, a mask drawn once and cached) shows, while a generator of the layer's own, seeded once in
        its __init__, moves on as it does from one training step to the next (a fresh one starts it over)."""
        entry = next((e for e in reversed(self.applied) if e.out == again and e.op == op), None)
        if entry is None:
            raise StepUnsupported(f"{op}: 'again' names {again!r}, which no earlier {op} step made")
        return entry.obj

    def _seed_if_given(self, op: str, spec: LayerSpec, given: Mapping[str, Any]) -> None:
        if spec.seed is not None and spec.seed in given:
            self._seed_numpy(op, int(given[spec.seed]))

    def _forward_kept(self, made: Applied, cls: Ref, given: Mapping[str, Any], xs: Sequence[Ref]) -> None:
        """The layer's forward on the step's inputs and forward settings: the value `made.out`, the layer kept
        as the one that made it."""
        spec = self.SPECS[made.op]
        forward_kw = {name: given[name] for name in spec.forward_settings if name in given}
        forward_xs = [xs[i] for i in spec.forward]
        by_position = _by_position(spec)
        self.values[made.out] = self._forward(
            made.op, made.obj, forward_xs, forward_kw, made.args, by_position, cls
        )
        self.applied.append(made)

    def _apply_layer(
        self,
        op: str,
        cls: Ref,
        spec: LayerSpec,
        given: Mapping[str, Any],
        xs: Sequence[Ref],
        args: Sequence[str],
        out: str,
    ) -> None:
        keywords = {name: given[name] for name in spec.ctor_settings if name in given}
        label = f"{op}({', '.join([*(args[i] for i in spec.ctor), *keywords])})"
        keywords, window = self._one_window_size(cls, keywords)
        if window is None:
            try:
                self._build_and_forward(op, cls, spec, given, keywords, xs, args, out, label)
            except StudentFailure as failure:
                if not _oblong_window_reshape(given, failure) or not self._square_window_runs(
                    op, cls, spec, given, xs, args
                ):
                    raise
                raise _oblong_window_failure(op, given, failure) from None
            return
        try:  # the window's (height, width) pair handed as the one size: Keras's and torch's pool_size
            self._build_and_forward(op, cls, spec, given, keywords, xs, args, out, label)
        except StudentFailure as failure:
            raise self._square_window_failure(op, cls, window, failure) from None

    def _explain_tuple_input(self, op: str, args: Sequence[str], failure: StudentFailure) -> StudentFailure:
        """A forward that raised on an input an earlier layer's forward returned as a tuple or a list
        (cs231n's `return out, cache`): Python's error named the right layer after it ("'<=' not supported
        between instances of 'tuple' and 'int'" in Relu.forward). Looked at only on this failure."""
        if failure.code != "exception":
            return failure
        for name in dict.fromkeys(args):
            value, origin = self.values.get(name), self._tuple_origin(name)
            if origin is None or not isinstance(value, Ref):
                continue
            given_by, kind = origin
            return StudentFailure(
                "exception",
                f"{op}.forward was handed a {value.kind}, not an array: {given_by}.forward returned a "
                f"{kind}, which reached {op} from there. {given_by}.forward must return its output array "
                f"alone ({_ALONE}). Python said: {self._python_said(failure)}",
                failure.detail,
            )
        return failure

    def _python_said(self, failure: StudentFailure) -> str:
        """Python's words without the grader's own context ("backward from loss: "), said once already."""
        context = self.session.context
        return failure.message.removeprefix(f"{context}: ") if context else failure.message

    def _tuple_origin(self, name: str) -> tuple[str, str] | None:
        """The layer whose forward first returned a tuple or list on the way to value `name`, and that
        kind, or None when `name` is no such value: an AddLayer handed two Affines' (out, cache) pairs
        concatenates them, and its own right code is not the one to blame."""
        value = self.values.get(name)
        entry = next((e for e in reversed(self.applied) if e.out == name), None)
        if entry is None or not isinstance(value, Ref) or value.kind not in ("tuple", "list"):
            return None
        earlier = (self._tuple_origin(arg) for arg in dict.fromkeys(entry.args) if arg != name)
        return next((found for found in earlier if found is not None), (entry.op, value.kind))

    def _build_and_forward(
        self,
        op: str,
        cls: Ref,
        spec: LayerSpec,
        given: Mapping[str, Any],
        keywords: dict[str, Any],
        xs: Sequence[Ref],
        args: Sequence[str],
        out: str,
        label: str,
    ) -> None:
        positional = [xs[i] for i in spec.ctor]
        # the settings given, in order, up to the first one not given; by keyword when the constructor
        # spells them all, whatever order it declares them in
        if spec.ctor_by_position and not self._spells_every_setting(cls, list(keywords)):
            for name in spec.ctor_settings:
                if name not in keywords:
                    break
                positional.append(keywords.pop(name))
        given_state = {key: xs[i] for i, key in spec.ctor_keywords.items() if i < len(xs)}
        state = self._state_not_taken(cls, given_state)
        keywords.update({key: value for key, value in given_state.items() if key not in state})
        obj = self.construct(cls, *positional, label=label, keywords=keywords)
        for key, value in state.items():
            self.session.setattr(obj, key, value)
        self._seed_if_given(op, spec, given)
        for i in spec.warmup:
            self._forward(op, obj, [xs[i]], dict(spec.warmup_settings), args, _by_position(spec), cls)
        if spec.read is not None:
            self.values[out] = self._read_state(op, obj, spec.read, [args[i] for i in spec.warmup])
            return
        self._forward_kept(Applied(out, op, list(args), obj), cls, given, xs)

    def _one_window_size(
        self, cls: Ref, keywords: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[str, int, int] | None]:
        """A window's height and width (`pool_h`, `pool_w`) handed as the one size an __init__ takes
        instead (`Pooling(self, pool_size=2, stride=2, pad=0)`, Keras's and torch's name): a square window as
        that size (it was "unexpected keyword argument 'pool_h'"; sample
        submissions/dlfs-advanced/pool_size_square.py), a window of two sides as the (height, width) pair
        Keras's pool_size and torch's kernel_size take (pool_size_tuple.py, kernel_size_tuple.py): whether
        that pair fits is up to the class, and `apply` tells a class that cannot take it that its windows
        are square. Returns the keywords to pass and, for a pair, (size's name, height, width). Anything
        else is passed as given."""
        height, width = _WINDOW
        if height not in keywords or width not in keywords:
            return keywords, None
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("ctor-names", cls.id))
        if init is None or any(p.kind == 4 for p in init):  # unknown, or **kwargs: passed as the book does
            return keywords, None
        named = {p.name for p in init if p.kind in (1, 3)}  # positional-or-keyword, keyword-only
        size = next((n for n in _SQUARE_SIZES if n in named), None)
        if height in named or width in named or size is None:
            return keywords, None
        h, w = keywords[height], keywords[width]
        rest = {k: v for k, v in keywords.items() if k not in _WINDOW}
        if h == w:
            return {size: h, **rest}, None
        return {size: (h, w), **rest}, (size, h, w)

    def _square_window_failure(
        self, op: str, cls: Ref, window: tuple[str, int, int], failure: StudentFailure
    ) -> StudentFailure:
        """A class taking one window size that failed on a (height, width) pair: its windows are square,
        said in the book's words (pooling-rect-unit pools 3x2), with what Python said of the pair, rather
        than Python's error alone, which reads as a grader that passed a wrong value. Named as the student
        named the class (MaxPool, sample maxpool_pool_size.py)."""
        size, h, w = window
        info = self.session.classinfo(cls)
        name = info.name if info is not None and info.name.isidentifier() else op
        said = failure.message
        return StudentFailure(
            "exception",
            f"{name}.__init__ takes one window size ({size}), so its windows are square: this case pools a "
            f"{h}x{w} window (pool_h={h}, pool_w={w}), as the book's {op}(pool_h, pool_w, stride=1, pad=0) "
            f"does; given the pair {size}=({h}, {w}), as Keras's pool_size and torch's kernel_size take it, "
            f"it failed ({said}). Take the window's height and width apart (pool_h and pool_w, or a "
            f"(height, width) pair) and use each where it belongs.",
            failure.detail,
        )

    def _square_window_runs(
        self,
        op: str,
        cls: Ref,
        spec: LayerSpec,
        given: Mapping[str, Any],
        xs: Sequence[Ref],
        args: Sequence[str],
    ) -> bool:
        """Whether the class's forward runs on the same input with a square window (both sides the
        shorter of the case's two, the other settings as given): what `_oblong_window_failure` says holds
        only then. A reshape that fails on square windows too is another mistake (out_h without its + 1: the
        review of s21-real's pool_out_h_no_plus1.py was told to look at the window's width). Asked only on
        that failure, in the case's own process; the probe's layer and value are dropped."""
        side = min(int(given[name]) for name in _WINDOW)
        square = {**given, **dict.fromkeys(_WINDOW, side)}
        keywords, _ = self._one_window_size(
            cls, {name: square[name] for name in spec.ctor_settings if name in square}
        )
        out = "\0square window"
        applied = len(self.applied)
        try:
            self._build_and_forward(op, cls, spec, square, keywords, xs, args, out, f"{op}(square window)")
            return self.values[out].kind == "ndarray"
        except StudentFailure:
            return False
        finally:
            self.values.pop(out, None)
            del self.applied[applied:]

    def _state_not_taken(self, cls: Ref, given: Mapping[str, Ref]) -> dict[str, Ref]:
        """The keyword args (BatchNormalization's running_mean, running_var) the class's __init__ does not
        take: set as attributes of that name once it is built. The book's MultiLayerNetExtend builds
        BatchNormalization(gamma, beta) alone, so an __init__(self, gamma, beta, momentum=0.9) that starts
        self.running_mean at None is as right as the book's, and was "unexpected keyword argument
        'running_mean'" (sample submissions/dlfs-advanced/bn_ctor_without_running_stats.py)."""
        if not given:
            return {}
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("ctor-names", cls.id))
        if init is None or any(p.kind == 4 for p in init):  # unknown, or **kwargs: passed as the book does
            return {}
        named = {p.name for p in init if p.kind in (1, 3)}  # positional-or-keyword, keyword-only
        return {key: value for key, value in given.items() if key not in named}

    def _spells_every_setting(self, cls: Ref, names: Sequence[str]) -> bool:
        """Whether the class's __init__ has a parameter named as each setting, which it can take by keyword:
        `Convolution(W, b, pad=0, stride=1)` is as right as the book's (W, b, stride=1, pad=0), and the
        book's positional call would hand it the stride as pad. A name spelt otherwise (`stride_size`)
        keeps the book's positional call."""
        if not names:
            return False
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("ctor-names", cls.id))
        named = {p.name for p in init or () if p.kind in (1, 3)}  # positional-or-keyword, keyword-only
        return all(name in named for name in names)

    def _forward(
        self,
        op: str,
        obj: Ref,
        xs: Sequence[Ref],
        keywords: Mapping[str, Any],
        args: Sequence[str],
        by_position: Sequence[str] | None = None,
        owner: Ref | None = None,
    ) -> Ref:
        """obj.forward(*xs, **keywords), or with `by_position` (the settings' order) the settings' values
        after xs in that order up to the first one not given, the rest by keyword (a later one passed by
        position would take the missing one's place), as the constructor's are; its failures named after
        the student's class."""
        cls = op.partition(".")[0]
        forward = self.session.getattr(obj, "forward")
        if by_position is not None:
            rest, values = dict(keywords), []
            for name in by_position:
                if name not in rest:
                    break
                values.append(rest.pop(name))
            taken, named = self._settings_as_attributes(
                cls, owner, obj, len(xs), by_position[: len(values)], values
            )
            y = self.session.call(forward, *xs, *values[: len(values) - taken], **rest, **named)
        else:
            y = self.session.call(forward, *xs, **keywords)
        held = self.session.held_standins(obj)  # after forward: a stand-in made there is seen too
        try:
            returned_none = y.is_none  # the answer (and any error of the forward call) arrives here
        except RemoteFailure as failure:
            explained = self._explain_batchnorm(op, args, self._explain_affine(op, args, failure))
            raise self._explain_labels(op, args, explained) from None
        wrapper = wrapper_failure(op, held.value)
        if wrapper is not None:
            raise wrapper
        if returned_none:
            raise StudentFailure(
                "not_implemented", f"{cls}.forward returned None: a missing `return`, or a TODO?"
            )
        return y

    def _settings_as_attributes(
        self, cls: str, owner: Ref | None, obj: Ref, n_args: int, names: Sequence[str], values: Sequence[Any]
    ) -> tuple[int, dict[str, Any]]:
        """How many of the last positional settings go to the layer's mode attribute instead, set here:
        a forward(self, x) that takes no train_flg, the layer switched by an attribute (PyTorch's
        `self.training`, a `self.train_flg` its own network sets), is graded in that mode (sample
        submissions/dlfs-advanced/mode_attribute_layers.py). A layer with neither is told what the book's
        networks pass (MultiLayerNetExtend.predict: `layer.forward(x, train_flg)`), not Python's TypeError."""
        if not values or owner is None:
            return 0, {}
        # the class's function, `self` included: asked once per class (cached by the class), never per
        # object, so the forward call stays in the round trip of the constructor's
        s = self.session
        forward = s.getattr(owner, "forward", missing_ok=True)
        if forward.missing:  # set on the object (`self.forward = self._forward`): called as it is
            return 0, {}
        params = s.signature(forward, ("forward-params", owner.id))
        if accepts_positional(params, 1 + n_args + len(values)):
            return 0, {}
        fit = max(0, len([p for p in params or () if p.kind in (0, 1)]) - 1 - n_args)
        by_keyword: dict[str, Any] = {}
        for name, value in zip(names[fit:], values[fit:], strict=True):
            if accepts_keyword(params, name):  # forward(self, x, *, train_flg=True): by keyword, then
                by_keyword[name] = value
                continue
            if not self._set_mode(obj, name, value):
                raise StudentFailure(
                    "exception",
                    f"{cls}.forward takes no {name}, and the layer keeps no train/test flag to set instead "
                    f"(self.{name} or self.training, holding True or False, or train() and eval() methods): "
                    f"the book's networks call layer.forward(x, {name}) (MultiLayerNetExtend.predict), and "
                    f"so does this case: def forward(self, x, {name}=True)",
                )
        return len(values) - fit, by_keyword

    def _set_mode(self, obj: Ref, setting: str, value: Any) -> bool:
        """Put the layer in the train (True) or test mode by its own means; False: it has none. Its train()
        and eval() methods when it has both (PyTorch's style: a typo in eval() is the student's to be
        graded, not bypassed by setting the flag it should set), else every bool attribute of the
        spellings students use (a layer keeping `train_flg` unused beside the `training` its forward reads
        was set one of the two)."""
        if setting != "train_flg":
            return False
        s = self.session
        switches = [s.getattr(obj, name, missing_ok=True) for name in ("train", "eval")]
        if all(fn.kind == "callable" for fn in switches):
            s.call(switches[0] if value else switches[1])  # its error, if any, surfaces with the forward's
            return True
        flags = [a for a in _MODE_SPELLINGS if s.getattr(obj, a, missing_ok=True).kind == "bool"]
        for attr in flags:
            s.setattr(obj, attr, value)
        return bool(flags)

    def _optimize(
        self, op: str, cls: Ref, spec: LayerSpec, given: Mapping[str, Any], args: Sequence[str]
    ) -> Ref:
        """Chapter 6's optimizers (common/optimizer.py): `opt = Momentum(**hyper)`, then
        `opt.update(params, grads)` once per group of gradients, on one params dict of fresh copies of the
        case's arrays (reference/extension.py `LayerBuild.optimizer`). The value is the array the grader
        put in params[param], which the update must change in place: the book's networks build their layers
        on those very arrays (`Affine(self.params['W1'], self.params['b1'])`) and its Trainer calls
        `optimizer.update(network.params, grads)`, so an update that rebinds `params[key] = params[key] -
        ...` changes the dict and leaves the layers computing with the old values: training does nothing."""
        keys = [str(k) for k in given.get("keys") or ()]
        order = [str(k) for k in given.get("grad_keys") or keys]
        param, n = str(given.get("param")), len(keys)
        if (
            not n
            or param not in keys
            or sorted(order) != sorted(keys)
            or len(args) <= n
            or (len(args) - n) % n
        ):
            raise StepUnsupported(f"{op}: settings keys/grad_keys/param do not fit its {len(args)} args")
        keywords = {name: given[name] for name in spec.ctor_settings if name in given}
        shown = ", ".join(f"{k}={v!r}" for k, v in keywords.items())
        opt = self.construct(cls, label=f"{op}({shown})", keywords=keywords)
        arrays = {
            key: self.session.new(np.array(self.originals[a], dtype=np.float64))
            for key, a in zip(keys, args[:n], strict=True)
        }
        params = self.session.new(dict(arrays))
        update = self.session.getattr(opt, "update")
        # Every apply step reruns the whole sequence of updates for one parameter: the case's own gradient
        # arrays the first time, fresh copies after. An update that changed grads in place (grads[key] *=
        # self.lr) handed the next step gradients scaled already, and params['b1'] was blamed for W1's step
        # (review of s21-adv, finding 7); its change to the case's arrays is still the changed-input check's.
        fresh, self.optimized = self.optimized, True
        for i in range(n, len(args), n):
            grads = self.session.new(
                {
                    key: self.session.new(np.array(self.originals[a], dtype=np.float64))
                    if fresh and a in self.originals
                    else self.value(a)
                    for key, a in zip(order, args[i : i + n], strict=True)
                }
            )
            self.session.call(update, params, grads)
        calls = (len(args) - n) // n
        held = self.session.getitem(params, param, missing_ok=True)
        if held.missing:
            raise StudentFailure(
                "exception",
                f"{op}.update removed params[{param!r}]: after {calls} calls it is no longer in the dict",
            )
        if self.session.index_of(held, [arrays[param]]) != 0:
            raise StudentFailure(
                "exception",
                f"{op}.update rebinds params[{param!r}] to a new array (params[key] = params[key] - ...) "
                "instead of changing it in place: the dict changes, but the book's networks build their "
                "layers on the arrays themselves (Affine(self.params['W1'], self.params['b1'])) and their "
                "Trainer calls optimizer.update(network.params, grads), so the layers keep computing with "
                "the old values and the network never learns. Update in place: params[key] -= ..., or "
                "params[key][...] = ...",
            )
        return arrays[param]

    def _read_state(self, op: str, obj: Ref, attr: str, batches: Sequence[str]) -> Ref:
        """The attribute a layer keeps between forwards (running_mean), read after the warm-up forwards."""
        cls = op.partition(".")[0]
        value = self.session.getattr(obj, attr, missing_ok=True)
        calls = ", ".join(f"forward({b}, ...)" for b in batches)
        if value.missing:
            raise StudentFailure("missing_name", f"{cls} has no attribute {attr} after {calls}")
        if value.is_none:
            raise StudentFailure(
                "not_implemented",
                f"{cls}.{attr} is still None after {calls}: forward must set it (the book starts it at zeros "
                "of the feature size on the first forward and updates it on every training forward)",
            )
        return value

    def _explain_affine(self, op: str, args: Sequence[str], failure: RemoteFailure) -> StudentFailure:
        """Chapter 5's Affine multiplies x @ W as it comes: on a 4-D x numpy's shape error says nothing about
        the missing flatten, so say it (the book adds the reshape with chapter 7)."""
        x = self.originals.get(args[0]) if args else None
        w = self.originals.get(args[1]) if len(args) > 1 else None
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

    def _explain_batchnorm(self, op: str, args: Sequence[str], failure: StudentFailure) -> StudentFailure:
        """The book's BatchNormalization on a 4-D input normalises each of a sample's C*H*W features (x
        flattened to rows), and gamma has that many: a BatchNormalization for 2-D input only, or one
        normalising per channel (cs231n's spatial batch norm, gamma of shape (C,)), meets numpy's broadcast
        error, which says neither (sample submissions/dlfs-advanced/bn_spatial_per_channel.py)."""
        x = self.originals.get(args[0]) if args else None
        gamma = self.originals.get(args[1]) if len(args) > 1 else None
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

    def _explain_labels(
        self, op: str, args: Sequence[str], failure: StudentFailure, *, backward: bool = False
    ) -> StudentFailure:
        """A loss written for one-hot targets only (`t * np.log(y)`, `y - t`) fails to broadcast on the class
        labels the book's SoftmaxWithLoss also takes: numpy's shape error does not say that t is labels."""
        label = 1 if self._is_net(op) else LABEL_ARG.get(op)
        t = self.originals.get(args[label]) if label is not None and label < len(args) else None
        if t is not None and t.ndim == 2 and _INDEX_NOT_INTEGER in failure.message:
            return _explain_onehot(op, t.shape, failure, backward)  # itself reads where it failed
        if t is None or t.ndim != 1:
            return failure
        n = t.shape[0]
        if _ARGMAX_OF_LABELS in failure.message and _ARGMAX_OF_T.search(failure.message):
            # `t = np.argmax(t, axis=1)` with no test for labels: chapter 4's accuracy, or a
            # cross_entropy_error that always turns t into labels (sample two_layer_net_accuracy_ch04.py)
            both = (
                "if t.ndim != 1: t = np.argmax(t, axis=1) (5.7.2; chapter 4's accuracy takes one-hot rows "
                "only)"
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
                "not_implemented", f"{_class_of(entry.op)}.loss returned None: a missing `return`, or a TODO?"
            )
        self._layers_hold_params(
            entry.obj,
            f"{_class_of(entry.op)}.loss",
            lambda: [
                s.call(s.getattr(entry.obj, "loss"), self.value(entry.args[0]), self._labels(entry.args[1]))
            ],
        )
        return y

    def _seed_numpy(self, op: str, seed: int) -> None:
        """np.random.seed(seed) in the student's process: the mask their forward draws is then the one the
        reference draws from the same seed (DLFS Dropout: np.random.rand(*x.shape) > dropout_ratio)."""
        np_module = self.names.get("np")
        if np_module is None:
            raise StudentFailure(
                "exception", f"{op}: the module does not import numpy (as np), so its mask cannot be seeded"
            )
        s = self.session
        s.call(s.getattr(s.getattr(np_module, "random"), "seed"), seed)

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
        it had no value for."""
        if not self.handed_scale:
            return _explain_unhanded(failure)
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
        scale = self._init_scale(cls)
        self.handed_scale.update(scale)
        net = self.construct(cls, *sizes, label=f"TwoLayerNet{sizes}", keywords=scale)
        self._set_params(net, "TwoLayerNet", f"TwoLayerNet{sizes}", NET_PARAMS, values, names)
        return net

    def _init_scale(self, cls: Ref) -> dict[str, float]:
        """The weight scale a TwoLayerNet's constructor requires after the three sizes, with no default
        (`weight_init_std`, which the book defaults to 0.01), handed that 0.01 by keyword: the case's params
        overwrite the weights it draws, so its value changes nothing graded. It was "missing 1 required
        positional argument: 'weight_init_std'" on every TwoLayerNet case (sample
        submissions/layers/two_layer_net_init_std_required.py). A name that says scale, not a list of names:
        seven usual names missed `init_scale_w` (sample two_layer_net_init_scale_renamed.py). A weight decay's
        strength (`reg_scale`, `weight_decay_lambda`) is handed 0, the book's network without decay: 'scale'
        in `reg_scale` handed it 0.01, a decay term the book's loss has not (s28-realdlfs). Any other required
        parameter (`activation`) is left to Python's TypeError, explained (`_explain_unhanded`)."""
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("ctor-names", cls.id))
        if init is None:
            return {}
        after_sizes = [p for p in init if p.kind in (0, 1)][4:]  # self and the three sizes first
        required = [p for p in after_sizes if not p.has_default]
        value = handed_value(required[0].name) if len(required) == 1 and required[0].kind == 1 else None
        return {} if value is None else {required[0].name: value}

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
        keywords = self._needed_settings(cls, keywords, spec.ctor_defaults)
        # the sizes in the book's order, as chapter 4's scripts call it (TwoLayerNet(784, 50, 10)): a
        # constructor naming them otherwise (n_input, n_hidden, n_output) is as right as the book's
        by_position = spec.ctor_by_position and not self._spells_every_setting(cls, list(keywords))
        if not by_position:
            keywords = self._respelt_settings(cls, keywords)
        # "TwoLayerNet.chapter4(...)" is the student's TwoLayerNet built: name the class they wrote, called
        # as it was (by position: TwoLayerNet(4, 5, 3); review of s24-dlfsreal, finding 4)
        scale = self._unnamed_scale(cls, spec.ctor_settings, spec.ctor_defaults, keywords, by_position)
        self.handed_scale.update(scale)
        shown = [repr(v) if by_position else f"{k}={v!r}" for k, v in keywords.items()]
        label = f"{_class_of(op)}({', '.join([*shown, *(f'{k}={v!r}' for k, v in scale.items())])})"
        if by_position:
            net = self.construct(cls, *keywords.values(), label=label, keywords=scale)
        else:
            net = self.construct(cls, label=label, keywords={**self._spread_dicts(cls, keywords), **scale})
        self._set_params(net, op, label, _net_keys(op, spec.net, names), values, names)
        return net

    def _unnamed_scale(
        self,
        cls: Ref,
        settings: Sequence[str],
        defaults: Mapping[str, Any],
        keywords: Mapping[str, Any],
        by_position: bool,
    ) -> dict[str, float]:
        """The one required parameter of `__init__` that the settings handed leave without a value, when it
        stands where a defaulted setting stands in the book's order (chapter 4's weight_init_std, fourth):
        given that default under the student's own name, when that name says scale (`handed_value`). A
        constructor requiring its scale as `init_std` or `sigma` was "missing 1 required positional
        argument" on every case, 0 of 6 (`_init_scale` served chapter 5's TwoLayerNet only; samples
        submissions/layers/ch04_init_std_required_renamed.py, ch04_init_sigma_positional.py). One whose name
        says weight decay, wherever it stands, is handed 0 when the case sets no decay (sample
        ch04_reg_scale_required.py)."""
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("ctor-names", cls.id))
        if init is None or any(p.kind == 2 for p in init):
            return {}
        positional = [p for p in init if p.kind in (0, 1)][1:]  # without self
        covered = {p.name for p in positional[: len(keywords)]} if by_position else set(keywords)
        unset = [(i, p) for i, p in enumerate(positional) if not p.has_default and p.name not in covered]
        if len(unset) != 1 or unset[0][1].kind != 1:
            return {}
        index, param = unset[0]
        if names_a_weight_decay(param.name):
            # no decay, unless the case sets one under the book's name (then Python's TypeError, explained)
            return {} if any(names_a_weight_decay(k) for k in keywords) else {param.name: NO_DECAY}
        if index >= len(settings) or handed_value(param.name) is None:
            return {}
        book = settings[index]
        return {param.name: defaults[book]} if book in defaults and book not in keywords else {}

    def _needed_settings(
        self, cls: Ref, keywords: Mapping[str, Any], defaults: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The settings without those a book-shaped constructor need not be handed: a setting in
        `defaults` whose case value is that default, unless `__init__` takes the name with no default of its
        own. MultiLayerNet was built with activation='relu' and weight_init_std=0.01 whatever it declared: a
        relu-only net without `activation`, a net without `weight_init_std`, or one reading it as a string
        (`weight_init_std.lower()`) scored 0 of 10 (review of s22-adv, finding 4), where TwoLayerNet gets its
        scale only when required (`_init_scale`)."""
        if not any(name in defaults and defaults[name] == value for name, value in keywords.items()):
            return dict(keywords)
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("ctor-names", cls.id))
        required = {p.name for p in init or () if p.kind in (1, 3) and not p.has_default}
        return {
            name: value
            for name, value in keywords.items()
            if name not in defaults or defaults[name] != value or name in required
        }

    def _respelt_settings(self, cls: Ref, keywords: Mapping[str, Any]) -> dict[str, Any]:
        """Each setting `__init__` does not take by its name, passed under the one parameter it takes that
        differs only in case or underscores: the book's MultiLayerNetExtend docstring spells
        `use_batchNorm`, and a constructor declaring it so scored 0 of 8 on Python's "unexpected keyword
        argument 'use_batchnorm'" (review of s23-dlfsext, finding 3). Unchanged when the signature is
        unknown, takes **kwargs, or two parameters would match. The signature is cached per class
        (`_needed_settings` reads the same)."""
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("ctor-names", cls.id))
        if init is None or any(p.kind == 4 for p in init):
            return dict(keywords)
        named = [p.name for p in init if p.kind in (1, 3)]  # positional-or-keyword, keyword-only
        out: dict[str, Any] = {}
        for name, value in keywords.items():
            alike = [n for n in named if _loose(n) == _loose(name)] if name not in named else []
            spelt = alike[0] if len(alike) == 1 and alike[0] not in keywords else name
            out[spelt] = value
        return out

    def _spread_dicts(self, cls: Ref, keywords: Mapping[str, Any]) -> dict[str, Any]:
        """A dict setting the constructor does not take (the book's `conv_param`) whose every key it takes
        as a parameter of its own, by the key's name or with `filter_` or `conv_` before it (`filter_num`,
        `filter_size`, `filter_pad`, `filter_stride`), passed so: a SimpleConvNet written that way is the
        book's network (it was "unexpected keyword argument 'conv_param'", 0 of 6; sample
        submissions/dlfs-advanced/simple_convnet_flat_params/). Anything else is passed as given."""
        dicts = {k: v for k, v in keywords.items() if isinstance(v, Mapping)}
        if not dicts:
            return dict(keywords)
        init = self.session.signature(self.session.getattr(cls, "__init__"), ("ctor-names", cls.id))
        if init is None or any(p.kind == 4 for p in init):  # unknown, or **kwargs: takes the dict as given
            return dict(keywords)
        named = {p.name for p in init if p.kind in (1, 3)}  # positional-or-keyword, keyword-only
        out = dict(keywords)
        for name, given in dicts.items():
            if name in named:
                continue
            spread = {}
            for key, value in given.items():
                match = next((n for n in (key, f"filter_{key}", f"conv_{key}") if n in named), None)
                if match is None or match in out or match in spread:
                    break
                spread[match] = value
            else:
                del out[name]
                out.update(spread)
        return out

    def _set_params(
        self, net: Ref, op: str, label: str, keys: Sequence[str], values: Sequence[Ref], names: Sequence[str]
    ) -> None:
        s = self.session
        params = s.getattr(net, "params", missing_ok=True)
        current = {key: s.getitem(params, key, missing_ok=True) for key in keys}
        if params.kind != "dict":
            raise StudentFailure(
                "exception", f"{_class_of(op)} has no dict `params` ({', '.join(keys)}) to set"
            )
        setting: list[tuple[str, Ref, Ref]] = []
        for key, name, value in zip(keys, names, values, strict=True):
            have = current[key]
            if have.missing:
                raise StudentFailure(
                    "missing_name",
                    f"{_class_of(op)}.params has no {key!r}{self._key_spelt(params, key, keys)}",
                )
            want = self.originals[name].shape
            if (
                have.kind == "ndarray"
                and have.shape is not None
                and have.shape != want
                and _same_but_ones(have.shape, want)
            ):
                self.param_shapes[name] = have.shape
                value = s.new(self.originals[name].reshape(have.shape))
            elif have.kind != "ndarray" or have.shape != want:
                shape = have.shape if have.kind == "ndarray" else have.type_name
                raise StudentFailure(
                    "exception", f"{label}.params[{key!r}] is {shape}, expected shape {want}"
                )
            setting.append((key, have, value))
        # The values the network was built with, read before they are overwritten, and the values params
        # holds once set (an integer or float16 params entry stores the case's values truncated or rounded),
        # read back after: asked now, answered with the network's first method call (no round trip of their
        # own), read by `_layers_hold_params`.
        before = [s.array_later(have, f"{label}.params[{key!r}]") for key, have, _ in setting]
        for _, have, value in setting:
            s.setitem(have, Ellipsis, value)  # in place: the layers hold the same arrays
        after = [s.array_later(have, f"{label}.params[{key!r}]") for key, have, _ in setting]
        self.built[net.id] = (
            op,
            [
                (key, have, old, now, f"{label}.params[{key!r}]")
                for (key, have, _), old, now in zip(setting, before, after, strict=True)
            ],
        )

    def _key_spelt(self, params: Ref, key: str, keys: Sequence[str]) -> str:
        """What to add when params has no `key` but has it in another case ('w1' for 'W1', 'B1' for 'b1'):
        the book's training loop and gradient check (`for key in ('W1', 'b1', 'W2', 'b2')`) read the book's
        keys, and "has no 'W1'" alone sent the student looking for a missing weight (s21-real). Asked only on
        that failure (one round trip)."""
        s = self.session
        spelt = next(
            (
                k
                for k in dict.fromkeys((key.lower(), key.upper(), key.capitalize()))
                if k != key and s.contains(params, k)
            ),
            None,
        )
        if spelt is None:
            return ""
        book = ", ".join(map(repr, keys))
        return (
            f" but has {spelt!r}: the book's training loop and gradient check read the book's keys "
            f"(network.params[key] for key in ({book})); name them so"
        )

    def _ask_layers(self, net: Ref) -> None:
        """Queue the read of a network's `layers` right behind its first method call, so it comes back with
        the call's answer (one round trip fewer for `_layers_hold_params`)."""
        if net.id in self.built:
            self.layers_asked[net.id] = self.session.getattr(net, "layers", missing_ok=True)

    def _layer_refs(self, net: Ref) -> list[Ref]:
        """The first `_HELD_LAYERS` layers of a network's `layers` (an OrderedDict, a dict or a list)."""
        s = self.session
        layers = self.layers_asked.pop(net.id, None) or s.getattr(net, "layers", missing_ok=True)
        if layers.kind == "dict":
            layers = s.call(s.getattr(layers, "values"))
        elif layers.kind not in ("list", "tuple"):
            return []
        return s.items(layers)[:_HELD_LAYERS]

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

    def _layers_hold_params(
        self, net: Ref, method: str, probe: Callable[[], list[Ref]] | None = None
    ) -> None:
        """After a network's first method call: a weight or bias of a layer of its `layers` that is not a
        params array the case set in place (nor a view of one: `self.W = W.T`), and holds none of the
        values params stores now, computes with another array than params: a copy of what it was built
        with (`self.W = W.copy()`, `np.array(W)`: it still holds the values params had before the case set
        them), or a params entry rebound after the layer was built (`self.params['b1'] = np.full(H, 0.01)`
        below `Affine(self.params['W1'], self.params['b1'])`). Nothing done to params reaches it, neither
        the case's values nor the book's training loop (`network.params[key] -= learning_rate * grad[key]`,
        train_neuralnet.py): every result is computed with other weights, its one-number records (accuracy)
        right or wrong by chance. It was "wrong in a way the grader does not recognise", accuracy "matches
        a known mistake" it did not make (samples submissions/layers/affine_keeps_w_copy.py,
        two_layer_net_params_rebound.py). Identity is judged first, so a layer holding params' own array
        passes whatever its dtype (float32, float16, an integer array); values are compared with what
        params stores after the case set it (read back, so a float32 or integer params entry is compared
        with its own rounding), in either orientation, so a copy taken at call time (a predict that hands
        its layers `self.params['W1'].copy()`) is right too. Two round trips per network, only for the
        cases that build one (the items of its `layers`, then one batch of identities and values; params'
        values and `layers` itself come back with the first call's answer): a TwoLayerNet gradient case
        takes 6 round trips, 4 before the check (6ea0cc9^1), 9 with s20-real's; a predict case 5, 3 and 8
        (counted at Session.sync, the review of s20-real's rt1.py). A method that never reads those layers
        (a predict written from `self.params` as chapter 4's, beside layers kept for the gradient) is right
        whatever they hold: `_reads_layers` asks, only once a layer is found holding another array (s21-real:
        such a predict was told its Affine layer computes with a copy, 25 of 32 for a right predict and
        accuracy; sample submissions/layers/two_layer_net_predict_from_params.py)."""
        built = self.built.pop(net.id, None)
        if built is None:
            return
        op, setting = built
        s = self.session
        params = [
            _SetParam(
                key,
                have,
                decode_array(old.value, what),
                decode_array(now.value, what),
                str(have.desc.get("dtype", "")),
            )
            for key, have, old, now, what in setting
        ]
        refs = [param.ref for param in params]
        asked = []
        for position, layer in enumerate(self._layer_refs(net)):
            for group, attrs in enumerate(_PARAM_ATTRS):
                ref = s.getattr(layer, *attrs, missing_ok=True)
                base = s.getattr(ref, "base", missing_ok=True)
                what = f"{op}'s layer {position} ({layer.type_name}).{attrs[0]}"
                asked.append(
                    (
                        layer,
                        group,
                        ref,
                        s.indexes_of([(ref, refs), (base, refs)]),
                        s.array_later(ref, what, soft=True),
                        what,
                    )
                )
        seen = [0] * len(_PARAM_ATTRS)  # the layers met so far that hold a weight (a bias, a gamma, a beta)
        held: list[tuple[Ref, int, Ref, _SetParam, np.ndarray]] = []  # each layer holding another array
        for layer, group, ref, same, value_asked, what in asked:
            if ref.kind != "ndarray":
                continue
            nth, seen[group] = seen[group], seen[group] + 1
            if any(index >= 0 for index in same):  # params' own array, or a view of it
                continue
            value = decode_array(value_asked.value, what)
            if any(_same_values(value, param.stored) for param in params):
                continue  # another array holding what params holds now: a copy taken after the case set it
            param = _param_of(params, group, nth, value)
            if param is None:
                continue  # not one of the network's params (a layer of the student's own)
            held.append((layer, group, ref, param, value))
        if not held or (probe is not None and not self._reads_layers(method, held, probe)):
            return
        layer, group, _, param, value = held[0]
        raise StudentFailure(
            "exception", _held_message(method, layer, group, param, value, self._spelling(layer, group))
        )

    def _reads_layers(
        self,
        method: str,
        held: Sequence[tuple[Ref, int, Ref, _SetParam, np.ndarray]],
        probe: Callable[[], list[Ref]],
    ) -> bool:
        """Whether `method`'s answer depends on the layers found holding other arrays than params: `probe`
        (the method called again; for accuracy, predict too: accuracy's one number can be the same whatever
        the weights, and it may run its own forward through the layers) is asked with the layers' arrays as
        they are, then with each array's contents swapped in place for params' values, then for NaN, and
        each array gets its own contents back, written back even when a call raises. Any answer that
        changes was computed with them: NaN reaches any answer read through them (a predict, a loss), so
        the finding does not hang on values drawn by the student's unseeded np.random. Swapped in place,
        not by setattr: the values reach every reference to the array (`self.params = [self.W, self.b]`,
        the second book's layers; a review of s21-real found such a layer cleared), and a weight behind a
        property with no setter is swapped too (it was "property 'W' of 'Affine' object has no setter",
        the grader's own failure told as the student's). An array that cannot take them (read-only, of
        integers) and an answer that cannot be read as numbers keep the finding (their own failure would
        say less). Asked only once such a layer was found: one round trip (one more per array when a call
        raises)."""
        s = self.session
        arrays = [ref for _, _, ref, _, _ in held]
        saved = [s.call(s.getattr(ref, "copy")) for ref in arrays]
        swaps = [
            [s.new(_oriented(param.stored, value)) for _, _, _, param, value in held],
            [s.new(np.full(value.shape, np.nan)) for _, _, _, _, value in held],
        ]
        asked = [[s.array_later(ref, f"{method}'s answer") for ref in probe()]]
        restored = False
        try:
            for swap in swaps:
                for ref, values in zip(arrays, swap, strict=True):
                    s.setitem(ref, Ellipsis, values)
                asked.append([s.array_later(ref, f"{method}'s answer") for ref in probe()])
            for ref, contents in zip(arrays, saved, strict=True):
                s.setitem(ref, Ellipsis, contents)
            s.sync()
            restored = True
            answers = [[decode_array(p.value, f"{method}'s answer") for p in answer] for answer in asked]
        except (StudentFailure, RemoteFailure):
            return True
        finally:
            if not restored:
                self._write_back(arrays, saved)
        first = answers[0]
        return any(
            len(other) != len(first)
            or any(
                a.shape != b.shape or not np.array_equal(a, b, equal_nan=True)
                for a, b in zip(first, other, strict=True)
            )
            for other in answers[1:]
        )

    def _write_back(self, arrays: Sequence[Ref], saved: Sequence[Ref]) -> None:
        """Each array's own contents back after a batch a call stopped (what the batch queued after the call
        never ran): one at a time, so an array that refuses (read-only: then never swapped) stops no other.
        A copy that was never made (the batch stopped before it) has nothing to give back."""
        s = self.session
        for ref, contents in zip(arrays, saved, strict=True):
            s.setitem(ref, Ellipsis, contents)
            try:
                s.sync()
            except (StudentFailure, RemoteFailure):
                continue

    def _spelling(self, layer: Ref, group: int) -> str:
        """The attribute a layer keeps its weight (bias) in, as the student spelt it (asked on a failure)."""
        s = self.session
        found = [s.getattr(layer, name, missing_ok=True) for name in _PARAM_ATTRS[group]]
        return next(
            (name for name, ref in zip(_PARAM_ATTRS[group], found, strict=True) if not ref.missing),
            _PARAM_ATTRS[group][0],
        )

    # ---------------------------------------------------------------- backward
    def _seed(self, entry: Applied, upstream: Ref | None) -> Ref | int:
        if upstream is not None:
            return upstream
        if self._is_net(entry.op) or self.SPECS[entry.op].loss:
            return 1
        value = self.session.array(self.value_of(entry.out), f"{entry.op}.forward value")  # a tuple: told so
        return self.session.new(np.ones_like(value))

    def _run(self, entry: Applied, dout: Ref | int) -> dict[str, np.ndarray]:
        """Gradients of entry's args from its own backward, summed where an arg repeats."""
        if self._is_net(entry.op):
            return self._net_gradient(entry)
        s = self.session
        spec = self.SPECS[entry.op]
        backward = s.getattr(entry.obj, "backward")
        takes_dout = accepts_positional(s.signature(backward, (entry.obj.type_id, "backward")), 1)
        result = s.call(backward) if spec.loss and not takes_dout else s.call(backward, dout)
        method = f"{entry.op}.backward"
        try:
            returned_none = result.is_none  # the answer (and any error of the backward call) arrives here
        except RemoteFailure as failure:
            raise self._explain_labels(entry.op, entry.args, failure, backward=True) from None
        if returned_none:
            raise StudentFailure(
                "not_implemented", f"{method} returned None: a missing `return dx`, or is it still a TODO?"
            )
        # (dx, dy) may be a tuple or a list; a lone dx returned as a nested list is the gradient itself.
        several = result.kind == "tuple" or (result.kind == "list" and len(spec.returns) > 1)
        results = s.items(result) if several else [result]
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
            pairs.append(
                (i, g, f"{method}: self.{attr}", f"{method} left self.{attr} unset: is it still a TODO?")
            )
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

    def _net_gradient(self, entry: Applied) -> dict[str, np.ndarray]:
        s = self.session
        x, t = self.value(entry.args[0]), self._labels(entry.args[1])
        keys = (
            NET_PARAMS
            if entry.op == "TwoLayerNet"
            else _net_keys(entry.op, self.SPECS[entry.op].net, entry.args[2:])
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
            _no_gradient_method(entry.op, keys, failure)
            self.layers_asked.pop(entry.obj.id, None)  # asked in the failed batch: never answered
            layer_refs = self._layer_refs(entry.obj)
            # a walk over part of them proves nothing
            walked = layer_refs if len(layer_refs) < _HELD_LAYERS else []
            loop = explain_loop(s, entry.obj, walked, x, t, failure, self._python_said(failure))
            if loop is not None:
                raise loop from None
            raise self._explain_labels(
                entry.op, entry.args, _without_forward(entry.op, failure), backward=True
            ) from None
        if kind != "dict":
            items = s.items(grads) if kind in ("list", "tuple") else None
            raise _not_a_grads_dict(entry.op, keys, grads, items)

        def again() -> list[Ref]:
            regrads = s.call(s.getattr(entry.obj, "gradient"), x, t)
            return [s.getitem(regrads, key, missing_ok=True) for key in keys]

        self._layers_hold_params(entry.obj, f"{_class_of(entry.op)}.gradient", again)
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
                        f"{_class_of(entry.op)}.gradient gave grads[{key!r}] = None at its first call and an "
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
                    "not_implemented", f"{_class_of(entry.op)}.gradient gave no grads[{key!r}]: a TODO?{also}"
                )
        named = [(arg, key) for arg, key in zip(entry.args[2:], keys, strict=False) if key not in unset_bn]
        values = s.arrays(
            [(picked[key], f"{_class_of(entry.op)}.gradient: grads[{key!r}]") for _, key in named]
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
                f"{_class_of(op)}.gradient(x, t) changed {listed}: it must return the gradients and leave "
                "the weights alone; the training loop updates them (network.params[key] -= learning_rate * "
                "grad[key], train_neuralnet.py), so a gradient that takes the step itself moves them twice",
            )

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
                grads = self._run(entry, self.session.new(dout) if isinstance(dout, np.ndarray) else dout)
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

    def backward_local(self, of: str, upstream: Ref | None) -> None:
        entry = self._entry(of)
        self.local[of] = self._run(entry, self._seed(entry, upstream))

    def _entry(self, out: str) -> Applied:
        for entry in reversed(self.applied):
            if entry.out == out:
                return entry
        raise self.unknown(out)

    # ---------------------------------------------------------------- reading
    def grad_of(self, name: str) -> np.ndarray | None:
        return self.totals.get(name)

    def grad_via(self, name: str, via: str) -> np.ndarray | None:
        return self.local.get(via, {}).get(name)

    def value_of(self, name: str) -> Ref:
        """A layer's forward value; a tuple there is the layer's (out, cache), told as the graphs tell it,
        not as numbers that cannot be read ("a ragged nest of sequences")."""
        value = self.value(name)
        entry = next((e for e in reversed(self.applied) if e.out == name), None)
        # a layer's forward value is answered already (`_forward` asks is_none); a network's loss is not
        if entry is None or self._is_net(entry.op):
            return value
        origin = self._tuple_origin(name)
        if origin is None or value.kind != "tuple":
            return value
        given_by, kind = origin
        raise StudentFailure(
            "exception",
            f"{given_by}.forward returned a {kind}, not an array: {given_by}.forward must return its output "
            f"array alone ({_ALONE})",
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


# NumPy's IndexError for `y[np.arange(batch_size), t]` when t holds one-hot rows (floats), not labels.
_INDEX_NOT_INTEGER = "arrays used as indices must be of integer"


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
    cls = _class_of(op)
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


def _loose(name: str) -> str:
    """A parameter name without case or underscores: use_batchNorm, use_batch_norm, use_batchnorm alike."""
    return name.replace("_", "").lower()


def _respellings(attr: str) -> tuple[str, ...]:
    """The other spelling of a gradient attribute that students use: `dw` for the book's `dW` (cs231n's
    name). A class keeping its gradient there is read there, also beside a `dW = None` left by the book's
    __init__; it was told "left self.dW unset: is it still a TODO?" (then "a typo?") and lost every Affine
    case, its own TwoLayerNet reading dw. A network reading the spelling its layer never set fails on its own
    cases (`_net_gradient`)."""
    lowered = attr.lower()
    return (lowered,) if lowered != attr else ()


# How many of a network's layers `_layers_hold_params` reads, and the spellings of a layer's weight and bias
# (the book's first).
_HELD_LAYERS = 16
# A layer's weight, bias, and BatchNormalization's gamma and beta (a BatchNorm keeping gamma.copy() computed
# with the values it was built with: "unknown" on MultiLayerNetExtend's loss, 1.51 of 8, where an Affine
# keeping W.copy() was told so; review of s23-dlfsext, finding 5c)
_PARAM_ATTRS = (("W", "w", "weight", "weights"), ("b", "bias"), ("gamma",), ("beta",))


@dataclass(frozen=True)
class _SetParam:
    """A params entry the case set in place: its handle, the values the network was built with, the values
    it stores once set (read back: an integer entry keeps them truncated), and its dtype."""

    key: str
    ref: Ref
    old: np.ndarray
    stored: np.ndarray
    dtype: str


def _same_values(value: np.ndarray, stored: np.ndarray) -> bool:
    """A layer's array holds these values (a weight kept transposed too: `self.W = W.T.copy()`)."""
    if value.size != stored.size:
        return False
    return bool(
        (value.shape == stored.shape and np.array_equal(value, stored))
        or (stored.ndim == 2 and value.shape == stored.T.shape and np.array_equal(value, stored.T))
    )


def _oriented(stored: np.ndarray, value: np.ndarray) -> np.ndarray:
    """params' values in the layout a layer's array keeps them (transposed: `self.W = W.T.copy()`)."""
    if value.shape == stored.shape:
        return stored
    if stored.ndim == 2 and value.shape == stored.T.shape:
        return np.ascontiguousarray(stored.T)
    return stored.reshape(value.shape)


def _param_of(params: Sequence[_SetParam], group: int, nth: int, value: np.ndarray) -> _SetParam | None:
    """The params entry a layer's weight (group 0) or bias (1) stands for: the nth of the network's weights
    (biases) in the order the layers hold them (Affine1 holds W1, Affine2 W2), when its size fits; else the
    one entry of that kind and size (a layer of the student's own before the first: None when several)."""
    kind = [p for p in params if _kind_of(p.key) == group]
    if nth < len(kind) and kind[nth].old.size == value.size:
        return kind[nth]
    fits = [p for p in kind if p.old.size == value.size]
    return fits[0] if len(fits) == 1 else None


# params keys without their layer's number: weights (W1, W2), biases (b1, b2), BatchNorm's gamma1, beta1;
# the group of _PARAM_ATTRS a layer holds each in
_PARAM_KIND = {"W": 0, "b": 1, "gamma": 2, "beta": 3}


def _kind_of(key: str) -> int | None:
    """The _PARAM_ATTRS group of a params key: by its name without the number, else by its first letter (a
    weight or bias key of another shape, as before gamma and beta were read)."""
    kind = _PARAM_KIND.get(key.rstrip("0123456789"))
    return kind if kind is not None else {"W": 0, "b": 1}.get(key[:1])


# The dtype kinds (numpy's dtype.kind, as the server describes an array) a params entry of floats is not.
_NOT_FLOATS = {"i": "integers", "u": "unsigned integers", "b": "bools"}


def _held_message(method: str, layer: Ref, group: int, param: _SetParam, value: np.ndarray, attr: str) -> str:
    """Why a layer's weight or bias is not params[key]: a copy (it holds what params was built with), a
    rebind (it holds other values), or either when the values it was built with say nothing (all alike,
    np.zeros: a copy of them and a rebound entry built the same hold the same)."""
    key, arg = param.key, _PARAM_ATTRS[group][0]  # the book's argument: Affine(W, b)
    kept = _same_values(value, param.old)
    loop = "the book's training loop (network.params[key] -= learning_rate * grad[key])"
    kind = _NOT_FLOATS.get(param.dtype)
    dtype = (
        f" (params[{key!r}] is an array of {kind}, which keeps the case's values truncated: build it of"
        " floats, np.zeros(n), not np.array([0] * n))"
        if kind
        else ""
    )
    told = f"the grader set params[{key!r}] in place to the case's values"
    keep = f"keep the array itself, as the book's layers do (self.{attr} = {arg})"
    anew = (
        f"assigned anew after the layer was built with it (self.params[{key!r}] = ... below the line that "
        "builds the layers)"
    )
    first = "set params first, then build the layers (5.7.2)"
    if not kept:
        return (
            f"{method}: its {layer.type_name} layer's {attr} is not params[{key!r}]{dtype}: {told}, and the "
            f"layer computes with another array. Is params[{key!r}] {anew}? The layer keeps the old array, "
            f"which neither the case's values nor {loop} reach: {first}"
        )
    if np.all(param.old == param.old.flat[0]):  # np.zeros: a copy, or an entry rebound to the same zeros
        return (
            f"{method}: its {layer.type_name} layer's {attr} is not params[{key!r}]{dtype}: {told}, and the "
            f"layer still holds what it was built with (all {param.old.flat[0]:g}), which {loop} never "
            f"changes either. Either it keeps a copy of params[{key!r}] (self.{attr} = {arg}.copy(), "
            f"np.array({arg})), which never sees what is done to params: {keep}; or params[{key!r}] was "
            f"{anew}: {first}"
        )
    return (
        f"{method}: its {layer.type_name} layer computes with a copy of params[{key!r}]{dtype}: {told}, and "
        f"the layer still holds the values the network was built with. A layer that keeps a copy "
        f"(self.{attr} = {arg}.copy(), np.array({arg})) never sees what is done to params, nor {loop}: {keep}"
    )


# A window's two sides as the book's Pooling takes them, and the names of the one size that stands for both
# in a Pooling written for square windows (Keras's pool_size, PyTorch's kernel_size).
_WINDOW = ("pool_h", "pool_w")


def _oblong_window_reshape(given: Mapping[str, Any], failure: StudentFailure) -> bool:
    """A reshape that failed in a case whose window is not square (pool_h 3, pool_w 2)."""
    h, w = (given.get(name) for name in _WINDOW)
    return (
        failure.code == "exception"
        and isinstance(h, int)
        and isinstance(w, int)
        and h != w
        and "cannot reshape" in failure.message
    )


def _oblong_window_failure(op: str, given: Mapping[str, Any], failure: StudentFailure) -> StudentFailure:
    """A reshape that fails on a window that is not square (pool_h 3, pool_w 2), where a square one runs
    (the caller asks: `_square_window_runs`): a pool_h where pool_w belongs (im2col(x, self.pool_h,
    self.pool_h, ...)) makes windows of another size than the output's out_w says; a pool_w where pool_h
    belongs (out_h sized from pool_w) an out_h im2col's windows do not have (pool_out_h_from_pool_w.py). The
    known mistake's hint (`pool_window_height_only`) needs an output to compare, and this one has none:
    NumPy's "cannot reshape array of size 48 into shape (2,3,5,2)" was all the student read (s21-real;
    sample submissions/dlfs-advanced/pool_window_height_only.py)."""
    h, w = (given.get(name) for name in _WINDOW)
    return StudentFailure(
        "exception",
        f"{failure.message}. This case's window is not square ({op} pool_h={h}, pool_w={w}), and a square "
        "one never shows one side where the other belongs: check each place the window's height and width "
        "are meant (out_h from self.pool_h and out_w from self.pool_w, "
        "im2col(x, self.pool_h, self.pool_w, ...), col.reshape(-1, self.pool_h * self.pool_w), col2im)",
        failure.detail,
    )


_SQUARE_SIZES = ("pool_size", "kernel_size", "size", "ksize", "pool")


# A layer's train/test switch kept as an attribute, in the spellings students use (the book's argument name,
# PyTorch's `training`, ...): the first that holds a bool is set before each forward.
_MODE_SPELLINGS = ("train_flg", "train_flag", "training", "is_training", "is_train", "train_mode")


# Python's TypeError for a constructor parameter the grader handed nothing ("Affine.__init__() missing 1
# required positional argument: 'reg'"): a parameter of the student's own, which the case does not set. It
# ends the message: raised by the grader's own call, no line of the student's is named after it. One naming
# a line ("(net.py line 192, in TwoLayerNet.__init__: `Affine(self.params['W1'])`)") is a call the student
# wrote, missing an argument (review of s28-realdlfs, finding 1: it was told "the grader cannot know a
# value for it; give b a default").
_UNHANDED = re.compile(r"(\w+)\.__init__\(\) missing 1 required positional argument: '(\w+)'$")


def _explain_unhanded(failure: StudentFailure) -> StudentFailure:
    """A failure that is Python's "X.__init__() missing 1 required positional argument: 'name'" says what it
    means here: the grader builds X as the book's scripts do and has no value for a parameter of the
    student's own (TwoLayerNet(..., reg_scale): s28-realdlfs), and what to do; a weight decay's strength is
    told its neutral value, the book's MultiLayerNet's default weight_decay_lambda=0. Only Python's words
    ending the message (`_UNHANDED`): a call on the student's own line is theirs to fix."""
    found = _UNHANDED.search(failure.message)
    if found is None:
        return failure
    cls, name = found.groups()
    value = ", 0 for a weight decay's strength, as the book's MultiLayerNet has weight_decay_lambda=0"
    value = value if names_a_weight_decay(name) else ""
    return StudentFailure(
        failure.code,
        f"{failure.message} ({cls} is built as the book's scripts build it, and this case hands no {name}: "
        f"the grader cannot know a value for it; give {name} a default{value})",
        failure.detail,
    )


def _class_of(op: str) -> str:
    """The class a message names for an op: `TwoLayerNet.chapter4` (the student's TwoLayerNet driven as
    chapter 4's network, an internal name) is TwoLayerNet; the student never wrote a `chapter4`."""
    return op.partition(".")[0]


def _net_keys(op: str, keys: Sequence[str], params: Sequence[str]) -> Sequence[str]:
    """The params keys of one declared network: the first len(params) of its spec's. MultiLayerNet's grow
    with hidden_size_list (W1..b3 for two hidden layers, W1..b4 for three): a net hard-wired to one depth
    scored full marks while every case had two (review of s22-adv, finding 5)."""
    if len(params) > len(keys):
        raise StepUnsupported(f"{op}: {len(params)} params, its spec names {len(keys)} keys")
    return keys[: len(params)]


def _by_position(spec: LayerSpec) -> Sequence[str] | None:
    """The order a layer's forward takes its settings by position in (None: by keyword): the declared
    forward settings, then the warm-up's others (a layer read after warm-up calls declares none)."""
    if not spec.settings_by_position:
        return None
    return [*spec.forward_settings, *(k for k in spec.warmup_settings if k not in spec.forward_settings)]


def _no_gradient_method(op: str, keys: Sequence[str], failure: RemoteFailure) -> None:
    """A network with no gradient method at all is most often one of chapter 4 (4.5: numerical_gradient
    alone, the loss differentiated numerically): say which method is missing and what goes there, not
    Python's AttributeError under "backward from loss"."""
    info = failure.info
    cls = op.partition(".")[0]  # "TwoLayerNet.chapter4" drives the student's TwoLayerNet
    if info is None or info.attr_name != "gradient" or info.attr_owner != cls:
        return
    how = _GRADIENT_HOW.get(
        op, "by backpropagation (self.loss(x, t), then backward through lastLayer and the layers in reverse)"
    )
    raise StudentFailure(
        "missing_name",
        f"{cls} has no method gradient(x, t), which returns the gradients of {', '.join(keys)} "
        f"{how}{_GRADIENT_ADDED.get(op, '')}",
    ) from None


# Where the book adds a network's gradient(x, t), for the message of one that has none.
_GRADIENT_ADDED = {
    "TwoLayerNet": ": chapter 5 adds it (5.7.2); numerical_gradient, chapter 4's, is not what this grades",
    "TwoLayerNet.chapter4": (
        ": the book's ch04/two_layer_net.py has it beside numerical_gradient (4.5.1); numerical_gradient, "
        "which this stage does not grade, is the numerical check of it"
    ),
}
# How a network's gradient(x, t) computes them, when it is not chapter 5's walk through the layers.
_GRADIENT_HOW = {
    "TwoLayerNet.chapter4": (
        "written out from the formulas (dy = (y - t) / batch_num, then back through W2, sigmoid_grad(a1) "
        "and W1)"
    ),
}


def _not_a_grads_dict(
    op: str, keys: Sequence[str], grads: Ref, items: Sequence[Ref] | None
) -> StudentFailure:
    """A network's gradient(x, t) that returned something else than the dict of gradients the book's training
    loop reads (`grad[key]` for each params key, train_neuralnet.py). None is a missing return; a tuple or
    list of the arrays (`return dW1, db1, dW2, db2`) is a wrong return type, not a TODO (it was coded
    not_implemented, "returned tuple, expected a dict"); a tuple holding the dict (`return grads, loss`) is
    told to return the dict alone, not to build one (review of s27-realdlfs, finding 3)."""
    cls = _class_of(op)
    if grads.is_none:
        return StudentFailure(
            "not_implemented", f"{cls}.gradient returned None: a missing `return`, or a TODO?"
        )
    book = ", ".join(f"grads[{key!r}]" for key in keys)
    what = (
        f"a {grads.type_name} of {len(items)} value{'' if len(items) == 1 else 's'}"
        if items is not None
        else f"a {grads.type_name}"
    )
    dicts = [i for i, item in enumerate(items or ()) if item.kind == "dict"]
    fix = (
        f"its value {dicts[0] + 1} is a dict: return that dict alone (return grads; a loss the training loop "
        "wants it asks network.loss(x, t) for)"
        if len(dicts) == 1
        else "so build grads = {} and return it"
    )
    return StudentFailure(
        "exception",
        f"{cls}.gradient returned {what}, where it must return a dict of the gradients keyed like "
        f"self.params ({book}): the training loop reads grad[key] for each key (train_neuralnet.py: "
        f"network.params[key] -= learning_rate * grad[key]), {fix}",
    )


def _without_forward(op: str, failure: RemoteFailure) -> StudentFailure:
    """A gradient(x, t) that fails on a None is most often one that never ran its forward pass: the grader
    calls it on a fresh batch with no loss(x, t) before it (as train_neuralnet.py does), and the error itself
    points into SoftmaxWithLoss.backward (`self.t` is None), where nothing is wrong. Say so, as a question."""
    if failure.code != "exception" or "NoneType" not in failure.message:
        return failure
    return StudentFailure(
        "exception",
        f"{failure.message}. {op}.gradient(x, t) was called on a fresh batch with no loss(x, t) before it, "
        "as train_neuralnet.py calls it: does it start with its own forward pass (self.loss(x, t)), as the "
        "book's does?",
        failure.detail,
    )
