"""How a step's args map onto each DLFS layer and network: the layer table, the label args, TwoLayerNet's
params and methods, and the record of a layer applied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..remote import Ref
from .base import StepUnsupported


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
    # `__init__` requires the name (`needed_settings`: MultiLayerNet's activation and weight_init_std).
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


def class_of(op: str) -> str:
    """The class a message names for an op: `TwoLayerNet.chapter4` (the student's TwoLayerNet driven as
    chapter 4's network, an internal name) is TwoLayerNet; the student never wrote a `chapter4`."""
    return op.partition(".")[0]


def net_keys(op: str, keys: Sequence[str], params: Sequence[str]) -> Sequence[str]:
    """The params keys of one declared network: the first len(params) of its spec's. MultiLayerNet's grow
    with hidden_size_list (W1..b3 for two hidden layers, W1..b4 for three): a net hard-wired to one depth
    scored full marks while every case had two (review of s22-adv, finding 5)."""
    if len(params) > len(keys):
        raise StepUnsupported(f"{op}: {len(params)} params, its spec names {len(keys)} keys")
    return keys[: len(params)]


def by_position(spec: LayerSpec) -> Sequence[str] | None:
    """The order a layer's forward takes its settings by position in (None: by keyword): the declared
    forward settings, then the warm-up's others (a layer read after warm-up calls declares none)."""
    if not spec.settings_by_position:
        return None
    return [*spec.forward_settings, *(k for k in spec.warmup_settings if k not in spec.forward_settings)]
