"""The extension point for a family: one adapter class per family, driven by program.py.

An adapter builds the student's objects from named inputs (fresh copies), runs them, and hands back raw
values (program.py converts them defensively). Names are the case's input and `out` names.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

import numpy as np

from ..failures import StudentFailure
from ..student import Names


class FamilyAdapter(Protocol):
    """What program.py calls for each step kind (docs/ARCHITECTURE.md section 2)."""

    def apply(self, op: str, args: Sequence[str], out: str, *, no_grad: bool = False) -> None: ...

    def backward(self, of: str, upstream: np.ndarray | None, *, retain_grad: bool = False) -> None: ...

    def backward_local(self, of: str, upstream: np.ndarray | None) -> None: ...

    def grad_of(self, name: str) -> Any: ...

    def grad_via(self, name: str, via: str) -> Any: ...

    def value_of(self, name: str) -> Any: ...

    def has_creator(self, name: str) -> bool: ...

    def cleargrad(self, name: str) -> None: ...

    def sgd(self, params: Sequence[str], lr: float) -> None: ...


class AdapterFactory(Protocol):
    """An adapter class: its alias table plus a constructor over the student's names and the input copies."""

    @property
    def ALIASES(self) -> Mapping[str, tuple[str, ...]]: ...

    def __call__(self, names: Names, inputs: dict[str, np.ndarray]) -> FamilyAdapter: ...


class StepUnsupported(Exception):
    """The case uses a step this family has no meaning for: a grader configuration error."""


class AdapterBase:
    """Shared plumbing; steps a family lacks raise StepUnsupported."""

    family = "?"
    ALIASES: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def __init__(self, names: Names, inputs: dict[str, np.ndarray]) -> None:
        self.names = names
        self.inputs = inputs
        self.root = names.root

    def _unsupported(self, step: str) -> StepUnsupported:
        return StepUnsupported(f"the {self.family} family has no '{step}' step")

    def backward_local(self, of: str, upstream: np.ndarray | None) -> None:
        raise self._unsupported("backward_local")

    def has_creator(self, name: str) -> bool:
        raise self._unsupported("has_creator")

    def cleargrad(self, name: str) -> None:
        raise self._unsupported("cleargrad")

    def sgd(self, params: Sequence[str], lr: float) -> None:
        raise self._unsupported("sgd")

    def unknown(self, name: str) -> StepUnsupported:
        return StepUnsupported(f"the case names {name!r}, which is neither an input nor an earlier 'out'")


def _signature(fn: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def call_adapting(fn: Callable[..., Any], *args: Any, extras: Mapping[str, Any] | None = None) -> Any:
    """Call fn(*args), adding `extras` only for required keyword parameters the student's signature has.

    Students add `name=` to every node, `training=True` to forward_and_backward, `value` to Input.forward.
    """
    sig = _signature(fn)
    kwargs: dict[str, Any] = {}
    if sig is not None and extras:
        params = list(sig.parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        leftover = positional[len(args) :] + [p for p in params if p.kind == p.KEYWORD_ONLY]
        for p in leftover:
            if p.default is p.empty and p.name in extras:
                kwargs[p.name] = extras[p.name]
    return fn(*args, **kwargs)


def accepts_positional(fn: Callable[..., Any], n: int) -> bool:
    """Whether fn can take n positional arguments (unknown signatures: assume yes)."""
    sig = _signature(fn)
    if sig is None:
        return True
    params = list(sig.parameters.values())
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return True
    return len([p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) >= n


def accepts_keyword(fn: Callable[..., Any], name: str) -> bool:
    sig = _signature(fn)
    if sig is None:
        return False
    return name in sig.parameters or any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())


def init_typo(cls: type) -> str | None:
    """The misspelt constructor (`__int__`, `_init__`) of a class that defines no __init__ itself."""
    if not isinstance(cls, type) or "__init__" in vars(cls):
        return None
    own = [a for a in vars(cls) if "init" in a.lower() or "int" in a.lower()]
    close = difflib.get_close_matches("__init__", own, n=1, cutoff=0.6)
    return close[0] if close else None


def construct(cls: Any, *args: Any, label: str, extras: Mapping[str, Any] | None = None) -> Any:
    """Instantiate a student class; a class whose __init__ is misspelt gets a message saying so."""
    typo = init_typo(cls)
    if typo is not None:
        raise StudentFailure(
            "exception",
            f"{cls.__name__} has no __init__ (found {typo}: a typo?), so {label} cannot be built; "
            f"rename {typo} to __init__",
        )
    return call_adapting(cls, *args, extras=extras)


def first_attr(obj: Any, names: Sequence[str]) -> tuple[str, Any] | None:
    """The first of `names` that obj has, with its value (aliases like creator/creater)."""
    for name in names:
        try:
            return name, getattr(obj, name)
        except AttributeError:
            continue
    return None
