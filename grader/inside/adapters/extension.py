"""An assignment's own ops (docs/EXTENDING.md) as the adapters see them: class names and how layers are built.

The job's `ops` part is plain data written by the parent from the assignment's ops module:
`{"aliases": {class: [accepted names]}, "layers": {class: {ctor, forward, returns, attrs, loss, net}}}`. It
adds names to an adapter's alias table (so the loader finds them and `names.require` resolves them) and, for
DLFS layers, entries to the layer table. Anything malformed is refused whole: the family's own
tables are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import AdapterBase
from .layer_specs import LayerSpec
from .layers import LayersAdapter


class OpsError(ValueError):
    """The job's `ops` part is not the plain data the parent writes."""


def _positions(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(i, int) and 0 <= i < 32 for i in value):
        raise OpsError(f"{what} must be a list of argument positions")
    return tuple(value)


def _layer_spec(cls: str, raw: Any) -> LayerSpec:
    if not isinstance(raw, Mapping):
        raise OpsError(f"layers[{cls!r}] must be an object")
    attrs = raw.get("attrs") or {}
    if not _position_map(attrs):
        raise OpsError(f"layers[{cls!r}].attrs must map argument positions to attribute names")
    keywords = raw.get("ctor_keywords") or {}
    if not _position_map(keywords):
        raise OpsError(f"layers[{cls!r}].ctor_keywords must map argument positions to keyword names")
    seed = raw.get("seed")
    if seed is not None and not (isinstance(seed, str) and seed.isidentifier()):
        raise OpsError(f"layers[{cls!r}].seed must name a setting")
    return LayerSpec(
        ctor=_positions(raw.get("ctor", []), f"layers[{cls!r}].ctor"),
        forward=_positions(raw.get("forward", [0]), f"layers[{cls!r}].forward"),
        returns=_positions(raw.get("returns", [0]), f"layers[{cls!r}].returns"),
        attrs={int(k): str(v) for k, v in attrs.items()},
        loss=bool(raw.get("loss", False)),
        ctor_keywords={int(k): str(v) for k, v in keywords.items()},
        ctor_settings=_names(raw.get("ctor_settings", []), f"layers[{cls!r}].ctor_settings"),
        forward_settings=_names(raw.get("forward_settings", []), f"layers[{cls!r}].forward_settings"),
        seed=seed,
        net=_names(raw.get("net", []), f"layers[{cls!r}].net"),
        warmup=_positions(raw.get("warmup", []), f"layers[{cls!r}].warmup"),
        warmup_settings=_flags(raw.get("warmup_settings") or {}, f"layers[{cls!r}].warmup_settings"),
        read=_attribute(raw.get("read"), f"layers[{cls!r}].read"),
        ctor_by_position=_flag(raw.get("ctor_by_position", False), f"layers[{cls!r}].ctor_by_position"),
        settings_by_position=_flag(
            raw.get("settings_by_position", False), f"layers[{cls!r}].settings_by_position"
        ),
        ctor_defaults=_defaults(raw.get("ctor_defaults") or {}, f"layers[{cls!r}].ctor_defaults"),
        optimizer=_flag(raw.get("optimizer", False), f"layers[{cls!r}].optimizer"),
    )


def _flag(raw: Any, what: str) -> bool:
    if not isinstance(raw, bool):
        raise OpsError(f"{what} must be true or false")
    return raw


def _position_map(raw: Any) -> bool:
    return isinstance(raw, Mapping) and all(
        isinstance(k, str) and k.isdigit() and isinstance(v, str) and v.isidentifier() for k, v in raw.items()
    )


def _names(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(n, str) and n.isidentifier() for n in value):
        raise OpsError(f"{what} must be a list of setting names")
    return tuple(value)


def _flags(raw: Any, what: str) -> dict[str, bool | int | float]:
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and k.isidentifier() and isinstance(v, (bool, int, float)) for k, v in raw.items()
    ):
        raise OpsError(f"{what} must map setting names to numbers or flags")
    return dict(raw)


def _defaults(raw: Any, what: str) -> dict[str, str | bool | int | float]:
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and k.isidentifier() and isinstance(v, (str, bool, int, float))
        for k, v in raw.items()
    ):
        raise OpsError(f"{what} must map setting names to strings, numbers or flags")
    return dict(raw)


def _attribute(raw: Any, what: str) -> str | None:
    if raw is not None and not (isinstance(raw, str) and raw.isidentifier()):
        raise OpsError(f"{what} must name an attribute")
    return raw


def _aliases(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise OpsError("aliases must be an object")
    out: dict[str, tuple[str, ...]] = {}
    for cls, names in raw.items():
        if not isinstance(cls, str) or not isinstance(names, list) or not names:
            raise OpsError(f"aliases[{cls!r}] must be a non-empty list of names")
        if not all(isinstance(n, str) and n.isidentifier() for n in names):
            raise OpsError(f"aliases[{cls!r}] holds a name that is not an identifier")
        out[cls] = tuple(names)
    return out


def with_ops(factory: type[AdapterBase] | None, ops: Any) -> type[AdapterBase] | None:
    """`factory` extended by the job's `ops` (a subclass; the family's own class is never changed)."""
    if factory is None or not ops:
        return factory
    if not isinstance(ops, Mapping):
        raise OpsError("the job's ops must be an object")
    aliases = _aliases(ops.get("aliases") or {})
    # An op's own spellings first, then the family's for the same name: the family's `DropoutLayer`
    # (MulLayer's suffix) stays a Dropout when dlfs-advanced's ops name only `Dropout` (it was missing_name).
    own = {k: tuple(dict.fromkeys((*v, *factory.ALIASES.get(k, ())))) for k, v in aliases.items()}
    namespace: dict[str, Any] = {"ALIASES": {**factory.ALIASES, **own}}
    layers = ops.get("layers") or {}
    if layers:
        if not issubclass(factory, LayersAdapter):
            raise OpsError(f"layer specs given for the {factory.family} family")
        specs = {c: _layer_spec(c, raw) for c, raw in dict(layers).items()}
        namespace["SPECS"] = {**factory.SPECS, **specs}
        if any(spec.seed is not None for spec in specs.values()):  # the layer seeds np.random: find numpy
            namespace["ALIASES"] = {"np": ("np", "numpy"), **namespace["ALIASES"]}
    return type(f"{factory.__name__}WithOps", (factory,), namespace)
