"""A network's params set in place to the case's values, and whether its layers compute with those arrays (not
a copy, not an entry rebound after they were built)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..failures import StudentFailure
from ..remote import Ref, RemoteFailure, decode_array
from .layer_specs import class_of
from .layer_state import LayersState


class NetParams(LayersState):
    def _set_params(
        self, net: Ref, op: str, label: str, keys: Sequence[str], values: Sequence[Ref], names: Sequence[str]
    ) -> None:
        s = self.session
        params = s.getattr(net, "params", missing_ok=True)
        current = {key: s.getitem(params, key, missing_ok=True) for key in keys}
        if params.kind != "dict":
            raise StudentFailure(
                "exception", f"{class_of(op)} has no dict `params` ({', '.join(keys)}) to set"
            )
        setting: list[tuple[str, Ref, Ref]] = []
        for key, name, value in zip(keys, names, values, strict=True):
            have = current[key]
            if have.missing:
                raise StudentFailure(
                    "missing_name",
                    f"{class_of(op)}.params has no {key!r}{self._key_spelt(params, key, keys)}",
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
        """The first `HELD_LAYERS` layers of a network's `layers` (an OrderedDict, a dict or a list)."""
        s = self.session
        layers = self.layers_asked.pop(net.id, None) or s.getattr(net, "layers", missing_ok=True)
        if layers.kind == "dict":
            layers = s.call(s.getattr(layers, "values"))
        elif layers.kind not in ("list", "tuple"):
            return []
        return s.items(layers)[:HELD_LAYERS]

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


def _same_but_ones(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """(1, 6) and (6,), (6, 1) and (6,): the same numbers, laid out with extra dimensions of length 1."""
    return tuple(n for n in a if n != 1) == tuple(n for n in b if n != 1)


# How many of a network's layers `_layers_hold_params` reads, and the spellings of a layer's weight and bias
# (the book's first).
HELD_LAYERS = 16


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
