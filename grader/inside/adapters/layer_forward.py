"""A layer built and its forward run as students write them: settings by position or keyword, a train/test
switch kept as an attribute, a window of one size, state read after warm-up forwards; a forward value that is
a tuple (cs231n's (out, cache)) told so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..failures import StudentFailure
from ..remote import Ref, RemoteFailure, accepts_keyword, accepts_positional
from ..wrapped import wrapper_failure
from .base import StepUnsupported
from .constructors import WINDOW, one_window_size, spells_every_setting, state_not_taken
from .layer_messages import explain_affine, explain_batchnorm
from .layer_specs import Applied, LayerSpec, by_position
from .layer_state import LayersState

# Why a layer's forward returns its output alone (_explain_tuple_input, value_of)
_ALONE = "the book's layers keep what backward needs in self; cs231n's return (out, cache)"


class LayerForward(LayersState):
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
            self.seed_numpy(op, int(given[spec.seed]))

    def _forward_kept(self, made: Applied, cls: Ref, given: Mapping[str, Any], xs: Sequence[Ref]) -> None:
        """The layer's forward on the step's inputs and forward settings: the value `made.out`, the layer kept
        as the one that made it."""
        spec = self.SPECS[made.op]
        forward_kw = {name: given[name] for name in spec.forward_settings if name in given}
        forward_xs = [xs[i] for i in spec.forward]
        order = by_position(spec)
        self.values[made.out] = self._forward(
            made.op, made.obj, forward_xs, forward_kw, made.args, order, cls
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
        keywords, window = one_window_size(self.session, cls, keywords)
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
        if spec.ctor_by_position and not spells_every_setting(self.session, cls, list(keywords)):
            for name in spec.ctor_settings:
                if name not in keywords:
                    break
                positional.append(keywords.pop(name))
        given_state = {key: xs[i] for i, key in spec.ctor_keywords.items() if i < len(xs)}
        state = state_not_taken(self.session, cls, given_state)
        keywords.update({key: value for key, value in given_state.items() if key not in state})
        obj = self.construct(cls, *positional, label=label, keywords=keywords)
        for key, value in state.items():
            self.session.setattr(obj, key, value)
        self._seed_if_given(op, spec, given)
        for i in spec.warmup:
            self._forward(op, obj, [xs[i]], dict(spec.warmup_settings), args, by_position(spec), cls)
        if spec.read is not None:
            self.values[out] = self._read_state(op, obj, spec.read, [args[i] for i in spec.warmup])
            return
        self._forward_kept(Applied(out, op, list(args), obj), cls, given, xs)

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
        side = min(int(given[name]) for name in WINDOW)
        square = {**given, **dict.fromkeys(WINDOW, side)}
        keywords, _ = one_window_size(
            self.session, cls, {name: square[name] for name in spec.ctor_settings if name in square}
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
            affine = explain_affine(op, args, failure, self.originals)
            explained = explain_batchnorm(op, args, affine, self.originals)
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


def _oblong_window_reshape(given: Mapping[str, Any], failure: StudentFailure) -> bool:
    """A reshape that failed in a case whose window is not square (pool_h 3, pool_w 2)."""
    h, w = (given.get(name) for name in WINDOW)
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
    h, w = (given.get(name) for name in WINDOW)
    return StudentFailure(
        "exception",
        f"{failure.message}. This case's window is not square ({op} pool_h={h}, pool_w={w}), and a square "
        "one never shows one side where the other belongs: check each place the window's height and width "
        "are meant (out_h from self.pool_h and out_w from self.pool_w, "
        "im2col(x, self.pool_h, self.pool_w, ...), col.reshape(-1, self.pool_h * self.pool_w), col2im)",
        failure.detail,
    )


# A layer's train/test switch kept as an attribute, in the spellings students use (the book's argument name,
# PyTorch's `training`, ...): the first that holds a bool is set before each forward.
_MODE_SPELLINGS = ("train_flg", "train_flag", "training", "is_training", "is_train", "train_mode")
