"""An assignment's own ops: the extension point for instructors (docs/EXTENDING.md).

An assignment folder may carry a Python module (manifest `ops_module`) that defines `OPS`, a list of
`ExtensionOp`: the op's numpy forward and vector-Jacobian product (the same contract as `reference.ops`), a
torch forward for the torch oracle (it receives the torch module as its first argument, so the ops module
itself never imports torch and stays off the grading path's import list), the class name students write per
family with its accepted variants, how a DLFS layer is built and called, and known mistakes with their hints.

`load_extension(path)` imports the module once per path and checks it; what crosses into the sandbox is only
`Extension.sandbox_view()`: plain names and integers, never code, never expected values.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from reference.mutations import FAMILIES, MUTATIONS, Mutation
from reference.ops import OPS, Grads

Forward = Callable[..., np.ndarray]
Vjp = Callable[..., Grads]


class ExtensionError(ValueError):
    """An ops module that cannot be used; the message names the module, the op and what would be valid."""


@dataclass(frozen=True)
class LayerBuild:
    """How the DLFS layers adapter builds and drives a layer, by positions in the step's `args`.

    `ctor`: args passed to the constructor (Affine: W, b); `forward`: args passed to `forward`; `returns`:
    which args `backward(dout)` returns gradients for, in order; `attrs`: arg position -> the attribute
    holding its gradient after backward (Affine: {1: "dW", 2: "db"}); `loss`: backward is `backward(dout=1)`.
    Settings (the apply step's `settings`: numbers and flags, not arrays): `ctor_keywords` maps arg positions
    to constructor keywords (BatchNormalization's running_mean); `ctor_settings` / `forward_settings` name
    the settings passed by keyword to the constructor (stride, pad) and to forward (train_flg); `seed` names
    the setting that seeds `np.random` in the student's process just before forward (Dropout's mask).
    `net`: the class is a network, not a layer (DLFS ch. 7's SimpleConvNet): built with `ctor_settings` by
    keyword, args are (x, t, *params) with `net` naming its `params` keys in order; the params are overwritten
    in place, `loss(x, t)` gives the value and `gradient(x, t)` a dict of grads keyed by `net`.
    State kept between forwards (BatchNormalization's running statistics): `warmup` lists args forwarded one
    after another, each with `warmup_settings` by keyword (train_flg=True), before the step's own work; then
    `read` names the attribute that is the step's value (running_mean), or, without it, the step's own
    forward runs on the same object. Such a step is named `Class.what` ("BatchNormalization.running_mean"):
    the student's class is the part before the dot.
    `settings_by_position`: the forward and warm-up settings are passed by position after the forward args,
    in order, as the book's own networks call them (`layer.forward(x, train_flg)` in MultiLayerNetExtend):
    a layer whose parameter is spelt otherwise (`train_flag`) works there, and is graded so.
    `ctor_by_position`: the same for `ctor_settings`, after the `ctor` args (the book's SimpleConvNet builds
    `Convolution(W1, b1, stride, pad)`, MultiLayerNetExtend `Dropout(ratio)`).
    `ctor_defaults`: settings of `ctor_settings` a network's constructor is handed only when the case's value
    is not the one given here, or when the student's `__init__` takes the name without a default of its own
    (MultiLayerNet: activation 'relu', the book's default, and weight_init_std, whose value changes nothing
    graded since the case's params overwrite the weights drawn): a book-shaped network that never declares
    them, or spells their values otherwise, is built as the book builds it.
    `optimizer`: the class is an optimizer (DLFS ch. 6's common/optimizer.py), built with the `ctor_settings`
    given (by keyword). The step's settings `keys` name its params dict's keys, whose arrays are fresh copies
    of the first len(keys) args; the args after them are the gradients of each `update(params, grads)` call
    in turn, len(keys) a call, keyed in the order of the setting `grad_keys` (default `keys`). The step's
    value is the array of params[param] (the setting `param`) the grader put in the dict, after the last call.
    """

    ctor: tuple[int, ...] = ()
    forward: tuple[int, ...] = (0,)
    returns: tuple[int, ...] = (0,)
    attrs: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    loss: bool = False
    ctor_keywords: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    ctor_settings: tuple[str, ...] = ()
    forward_settings: tuple[str, ...] = ()
    seed: str | None = None
    net: tuple[str, ...] = ()
    warmup: tuple[int, ...] = ()
    warmup_settings: Mapping[str, bool | int | float] = field(default_factory=lambda: MappingProxyType({}))
    read: str | None = None
    settings_by_position: bool = False
    ctor_by_position: bool = False
    ctor_defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    optimizer: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ctor": list(self.ctor),
            "forward": list(self.forward),
            "returns": list(self.returns),
            "attrs": {str(k): v for k, v in self.attrs.items()},
            "loss": self.loss,
        }
        if self.ctor_keywords:
            out["ctor_keywords"] = {str(k): v for k, v in self.ctor_keywords.items()}
        if self.ctor_settings:
            out["ctor_settings"] = list(self.ctor_settings)
        if self.forward_settings:
            out["forward_settings"] = list(self.forward_settings)
        if self.seed is not None:
            out["seed"] = self.seed
        if self.net:
            out["net"] = list(self.net)
        if self.warmup:
            out["warmup"] = list(self.warmup)
            out["warmup_settings"] = dict(self.warmup_settings)
        if self.read is not None:
            out["read"] = self.read
        if self.settings_by_position:
            out["settings_by_position"] = True
        if self.ctor_by_position:
            out["ctor_by_position"] = True
        if self.ctor_defaults:
            out["ctor_defaults"] = dict(self.ctor_defaults)
        if self.optimizer:
            out["optimizer"] = True
        return out


@dataclass(frozen=True)
class Mistake:
    """A known mistake: `vjp` (and `forward` if given) replace the op's; a match shows `hint`."""

    name: str
    hint: str
    vjp: Vjp | None = None
    code: str = "wrong_derivative"
    forward: Forward | None = None


@dataclass(frozen=True)
class ExtensionOp:
    """One op of an ops module. `classes`: family -> (class name in steps, accepted variants...)."""

    name: str
    forward: Forward
    vjp: Vjp
    torch_forward: Callable[..., Any]
    classes: Mapping[str, tuple[str, ...]]
    layer: LayerBuild | None = None
    batched_forward: Forward | None = None  # leading batch axis; default: forward looped over the batch
    mistakes: tuple[Mistake, ...] = ()


@dataclass(frozen=True)
class _Op:
    """An ExtensionOp seen through the `reference.ops.Op` protocol."""

    name: str
    fwd: Forward
    back: Vjp

    def forward(self, *xs: np.ndarray, **settings: Any) -> np.ndarray:
        return np.asarray(self.fwd(*xs, **settings), dtype=np.float64)

    def vjp(self, g: np.ndarray, *xs: np.ndarray, y: np.ndarray, **settings: Any) -> Grads:
        return tuple(self.back(g, *xs, y=y, **settings))


def _looped(forward: Forward) -> Forward:
    """A batched forward from a plain one: each batch row on its own (size-1 axes broadcast)."""

    def batched(*xs: np.ndarray, **settings: Any) -> np.ndarray:
        size = max(x.shape[0] for x in xs)
        rows = [forward(*(x[0] if x.shape[0] == 1 else x[i] for x in xs), **settings) for i in range(size)]
        return np.stack([np.asarray(r, dtype=np.float64) for r in rows])

    return batched


@dataclass(frozen=True)
class Extension:
    """The checked contents of one ops module: ops by name, class names per family, mistakes by key."""

    source: str
    ops: Mapping[str, ExtensionOp]
    mutations: Mapping[str, Mutation]  # qualified key ("<source>:<name>") -> mutation

    def classes(self, family: str) -> dict[str, str]:
        """Class name used in steps -> op name, for one family (DeZero: its lower-case helper too)."""
        out = {op.classes[family][0]: op.name for op in self.ops.values() if family in op.classes}
        if family == "dezero":
            out.update({cls.lower(): name for cls, name in out.items()})
        return out

    def reference_ops(self) -> dict[str, _Op]:
        return {name: _Op(name, op.forward, op.vjp) for name, op in self.ops.items()}

    def torch_forwards(self, torch: Any) -> dict[str, Callable[..., Any]]:
        def bind(fn: Callable[..., Any]) -> Callable[..., Any]:
            return lambda *xs, **settings: fn(torch, *xs, **settings)

        return {name: bind(op.torch_forward) for name, op in self.ops.items()}

    def batched_forwards(self, family: str) -> dict[str, Forward]:
        """Class name (and DeZero helper) -> batched forward, for the finite-difference oracle."""
        return {
            cls: self.ops[name].batched_forward or _looped(self.ops[name].forward)
            for cls, name in self.classes(family).items()
        }

    def mutations_for(self, family: str) -> list[str]:
        return [key for key, m in self.mutations.items() if family in m.families]

    def sandbox_view(self, family: str) -> dict[str, Any]:
        """What the adapter in the sandbox needs: accepted class names and, for layers, how to build them."""
        view: dict[str, Any] = {"aliases": {}, "layers": {}}
        for op in self.ops.values():
            if family not in op.classes:
                continue
            cls, *_ = op.classes[family]
            if "." not in cls:  # "BatchNormalization.running_mean" drives the class before the dot
                view["aliases"][cls] = list(op.classes[family])
            if family == "dezero":  # DeZero applies an op through its class or its helper function
                view["aliases"][cls.lower()] = [n.lower() for n in op.classes[family]]
            if family == "layers" and op.layer is not None:
                view["layers"][cls] = op.layer.to_dict()
        return view


def _check_op(where: str, op: Any, seen: set[str]) -> ExtensionOp:
    if not isinstance(op, ExtensionOp):
        raise ExtensionError(f"{where}: {op!r} is not an ExtensionOp; valid: reference.extension.ExtensionOp")
    if not op.name.isidentifier() or op.name in OPS or op.name in seen:
        raise ExtensionError(
            f"{where}: op name {op.name!r} is not a new identifier; valid: a name not in "
            f"{', '.join(sorted(set(OPS) | seen))}"
        )
    for fn in ("forward", "vjp", "torch_forward"):
        if not callable(getattr(op, fn)):
            raise ExtensionError(f"{where}: op {op.name!r}: {fn} is not callable")
    for family, names in op.classes.items():
        if family not in FAMILIES or not names or not all(isinstance(n, str) and n for n in names):
            raise ExtensionError(
                f"{where}: op {op.name!r}: classes[{family!r}] = {names!r}; valid: a family of "
                f"{', '.join(FAMILIES)} -> a non-empty tuple of class names"
            )
    if "layers" in op.classes and op.layer is None:
        raise ExtensionError(f"{where}: op {op.name!r} has a DLFS class but no `layer=LayerBuild(...)`")
    return op


def _mutations(source: str, ops: Mapping[str, ExtensionOp]) -> dict[str, Mutation]:
    """One mutation per mistake name; a name given in several ops (with the same code and hint) is one
    mistake that replaces each op's forward and vjp (BatchNormalization's running statistics never updated
    shows in running_mean, running_var and the inference that uses them)."""
    out: dict[str, Mutation] = {}
    for op in ops.values():
        families = tuple(f for f in FAMILIES if f in op.classes)
        for m in op.mistakes:
            key = f"{source}:{m.name}"
            before = out.get(key)
            clash = before is not None and (
                (before.code, before.hint) != (m.code, m.hint) or op.name in {*before.vjps, *before.forwards}
            )
            if m.name in MUTATIONS or clash:
                raise ExtensionError(
                    f"{source}: mistake name {m.name!r} is used twice with another hint or code, twice "
                    "in one op, or by a built-in one"
                )
            vjps = {**(before.vjps if before else {}), **({op.name: m.vjp} if m.vjp is not None else {})}
            forwards = {**(before.forwards if before else {})}
            if m.forward is not None:
                forwards[op.name] = m.forward
            joined = tuple(dict.fromkeys((*(before.families if before else ()), *families)))
            out[key] = Mutation(
                key, m.code, m.hint, joined, MappingProxyType(vjps), forwards=MappingProxyType(forwards)
            )
    return out


_LOADED: dict[Path, Extension] = {}
# Every mistake of every extension loaded in this process, by qualified key: the judge's hint lookup.
REGISTERED: dict[str, Mutation] = {}


def load_extension(path: str | Path, *, source: str | None = None) -> Extension:
    """Import an ops module (once per resolved path) and check it; every problem is an ExtensionError.

    `source` names it in messages and qualifies its mistakes (default: the file's stem).
    """
    resolved = Path(path).resolve()
    if resolved in _LOADED:
        return _LOADED[resolved]
    if not resolved.is_file():
        raise ExtensionError(f"{resolved}: no such ops module; valid: a .py file beside the manifest")
    name = f"_grader_ops_{abs(hash(resolved)):x}"
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise ExtensionError(f"{resolved}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    torch_before = "torch" in sys.modules
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        raise ExtensionError(f"{resolved}: importing it raised {type(err).__name__}: {err}") from err
    if not torch_before and "torch" in sys.modules:
        raise ExtensionError(
            f"{resolved}: imports torch at module level; the grading path never imports torch (DESIGN.md "
            "rule 5): use the `torch` argument that torch_forward receives"
        )
    declared = getattr(module, "OPS", None)
    if not isinstance(declared, (list, tuple)) or not declared:
        raise ExtensionError(f"{resolved}: defines no OPS; valid: OPS = [ExtensionOp(...), ...]")
    label = source or resolved.stem
    ops: dict[str, ExtensionOp] = {}
    for i, op in enumerate(declared):
        checked = _check_op(f"{resolved}: OPS[{i}]", op, set(ops))
        ops[checked.name] = checked
    extension = Extension(label, MappingProxyType(ops), MappingProxyType(_mutations(label, ops)))
    _LOADED[resolved] = extension
    REGISTERED.update(extension.mutations)
    return extension
