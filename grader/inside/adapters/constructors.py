"""What a student's layer or network constructor takes, read from its signature (cached per class): the book's
settings fitted to the parameters it declares (a window as one size, settings respelt or spread from a dict,
state it does not take, a required weight scale handed the book's value)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..remote import Param, Ref, Session
from ..scale_names import NO_DECAY, handed_value, names_a_weight_decay

# A window's two sides as the book's Pooling takes them, and the names of the one size that stands for both
# in a Pooling written for square windows (Keras's pool_size, PyTorch's kernel_size).
WINDOW = ("pool_h", "pool_w")


_SQUARE_SIZES = ("pool_size", "kernel_size", "size", "ksize", "pool")


def one_window_size(
    session: Session, cls: Ref, keywords: dict[str, Any]
) -> tuple[dict[str, Any], tuple[str, int, int] | None]:
    """A window's height and width (`pool_h`, `pool_w`) handed as the one size an __init__ takes
    instead (`Pooling(self, pool_size=2, stride=2, pad=0)`, Keras's and torch's name): a square window as
    that size (it was "unexpected keyword argument 'pool_h'"; sample
    submissions/dlfs-advanced/pool_size_square.py), a window of two sides as the (height, width) pair
    Keras's pool_size and torch's kernel_size take (pool_size_tuple.py, kernel_size_tuple.py): whether
    that pair fits is up to the class, and `apply` tells a class that cannot take it that its windows
    are square. Returns the keywords to pass and, for a pair, (size's name, height, width). Anything
    else is passed as given."""
    height, width = WINDOW
    if height not in keywords or width not in keywords:
        return keywords, None
    init = _init_params(session, cls)
    if init is None or any(p.kind == 4 for p in init):  # unknown, or **kwargs: passed as the book does
        return keywords, None
    named = {p.name for p in init if p.kind in (1, 3)}  # positional-or-keyword, keyword-only
    size = next((n for n in _SQUARE_SIZES if n in named), None)
    if height in named or width in named or size is None:
        return keywords, None
    h, w = keywords[height], keywords[width]
    rest = {k: v for k, v in keywords.items() if k not in WINDOW}
    if h == w:
        return {size: h, **rest}, None
    return {size: (h, w), **rest}, (size, h, w)


def state_not_taken(session: Session, cls: Ref, given: Mapping[str, Ref]) -> dict[str, Ref]:
    """The keyword args (BatchNormalization's running_mean, running_var) the class's __init__ does not
    take: set as attributes of that name once it is built. The book's MultiLayerNetExtend builds
    BatchNormalization(gamma, beta) alone, so an __init__(self, gamma, beta, momentum=0.9) that starts
    self.running_mean at None is as right as the book's, and was "unexpected keyword argument
    'running_mean'" (sample submissions/dlfs-advanced/bn_ctor_without_running_stats.py)."""
    if not given:
        return {}
    init = _init_params(session, cls)
    if init is None or any(p.kind == 4 for p in init):  # unknown, or **kwargs: passed as the book does
        return {}
    named = {p.name for p in init if p.kind in (1, 3)}  # positional-or-keyword, keyword-only
    return {key: value for key, value in given.items() if key not in named}


def spells_every_setting(session: Session, cls: Ref, names: Sequence[str]) -> bool:
    """Whether the class's __init__ has a parameter named as each setting, which it can take by keyword:
    `Convolution(W, b, pad=0, stride=1)` is as right as the book's (W, b, stride=1, pad=0), and the
    book's positional call would hand it the stride as pad. A name spelt otherwise (`stride_size`)
    keeps the book's positional call."""
    if not names:
        return False
    init = _init_params(session, cls)
    named = {p.name for p in init or () if p.kind in (1, 3)}  # positional-or-keyword, keyword-only
    return all(name in named for name in names)


def init_scale(session: Session, cls: Ref) -> dict[str, float]:
    """The weight scale a TwoLayerNet's constructor requires after the three sizes, with no default
    (`weight_init_std`, which the book defaults to 0.01), handed that 0.01 by keyword: the case's params
    overwrite the weights it draws, so its value changes nothing graded. It was "missing 1 required
    positional argument: 'weight_init_std'" on every TwoLayerNet case (sample
    submissions/layers/two_layer_net_init_std_required.py). A name that says scale, not a list of names:
    seven usual names missed `init_scale_w` (sample two_layer_net_init_scale_renamed.py). A weight decay's
    strength (`reg_scale`, `weight_decay_lambda`) is handed 0, the book's network without decay: 'scale'
    in `reg_scale` handed it 0.01, a decay term the book's loss has not (s28-realdlfs). Any other required
    parameter (`activation`) is left to Python's TypeError, explained (`explain_unhanded`)."""
    init = _init_params(session, cls)
    if init is None:
        return {}
    after_sizes = [p for p in init if p.kind in (0, 1)][4:]  # self and the three sizes first
    required = [p for p in after_sizes if not p.has_default]
    value = handed_value(required[0].name) if len(required) == 1 and required[0].kind == 1 else None
    return {} if value is None else {required[0].name: value}


def unnamed_scale(
    session: Session,
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
    argument" on every case, 0 of 6 (`init_scale` served chapter 5's TwoLayerNet only; samples
    submissions/layers/ch04_init_std_required_renamed.py, ch04_init_sigma_positional.py). One whose name
    says weight decay, wherever it stands, is handed 0 when the case sets no decay (sample
    ch04_reg_scale_required.py)."""
    init = _init_params(session, cls)
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


def needed_settings(
    session: Session, cls: Ref, keywords: Mapping[str, Any], defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings without those a book-shaped constructor need not be handed: a setting in
    `defaults` whose case value is that default, unless `__init__` takes the name with no default of its
    own. MultiLayerNet was built with activation='relu' and weight_init_std=0.01 whatever it declared: a
    relu-only net without `activation`, a net without `weight_init_std`, or one reading it as a string
    (`weight_init_std.lower()`) scored 0 of 10 (review of s22-adv, finding 4), where TwoLayerNet gets its
    scale only when required (`init_scale`)."""
    if not any(name in defaults and defaults[name] == value for name, value in keywords.items()):
        return dict(keywords)
    init = _init_params(session, cls)
    required = {p.name for p in init or () if p.kind in (1, 3) and not p.has_default}
    return {
        name: value
        for name, value in keywords.items()
        if name not in defaults or defaults[name] != value or name in required
    }


def respelt_settings(session: Session, cls: Ref, keywords: Mapping[str, Any]) -> dict[str, Any]:
    """Each setting `__init__` does not take by its name, passed under the one parameter it takes that
    differs only in case or underscores: the book's MultiLayerNetExtend docstring spells
    `use_batchNorm`, and a constructor declaring it so scored 0 of 8 on Python's "unexpected keyword
    argument 'use_batchnorm'" (review of s23-dlfsext, finding 3). Unchanged when the signature is
    unknown, takes **kwargs, or two parameters would match. The signature is cached per class
    (`needed_settings` reads the same)."""
    init = _init_params(session, cls)
    if init is None or any(p.kind == 4 for p in init):
        return dict(keywords)
    named = [p.name for p in init if p.kind in (1, 3)]  # positional-or-keyword, keyword-only
    out: dict[str, Any] = {}
    for name, value in keywords.items():
        alike = [n for n in named if _loose(n) == _loose(name)] if name not in named else []
        spelt = alike[0] if len(alike) == 1 and alike[0] not in keywords else name
        out[spelt] = value
    return out


def spread_dicts(session: Session, cls: Ref, keywords: Mapping[str, Any]) -> dict[str, Any]:
    """A dict setting the constructor does not take (the book's `conv_param`) whose every key it takes
    as a parameter of its own, by the key's name or with `filter_` or `conv_` before it (`filter_num`,
    `filter_size`, `filter_pad`, `filter_stride`), passed so: a SimpleConvNet written that way is the
    book's network (it was "unexpected keyword argument 'conv_param'", 0 of 6; sample
    submissions/dlfs-advanced/simple_convnet_flat_params/). Anything else is passed as given."""
    dicts = {k: v for k, v in keywords.items() if isinstance(v, Mapping)}
    if not dicts:
        return dict(keywords)
    init = _init_params(session, cls)
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


def _loose(name: str) -> str:
    """A parameter name without case or underscores: use_batchNorm, use_batch_norm, use_batchnorm alike."""
    return name.replace("_", "").lower()


def _init_params(session: Session, cls: Ref) -> tuple[Param, ...] | None:
    """The parameters of the class's __init__ (None: unknown), asked once per class."""
    return session.signature(session.getattr(cls, "__init__"), ("ctor-names", cls.id))
