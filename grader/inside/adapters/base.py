"""The extension point for a family: one adapter class per family, driven by program.py in the harness.

An adapter builds the student's objects from named inputs, runs them and reads their values, all through
handles (`Ref`) to objects in the student's process: it never holds a student object itself. Names are the
case's input and `out` names.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from ..failures import StudentFailure
from ..names import StudentNames
from ..remote import Ref, Session
from ..spelling import init_typo


def summed(total: np.ndarray, more: np.ndarray, what: str) -> np.ndarray:
    """`total + more`: two gradients of one value, taken in the harness (a value used twice). Both came back
    from the student's code in shapes it chose: shapes numpy cannot add are its failure, never a ValueError
    of the harness's own (which would read as the grader's bug, "not your code's fault"); so are shapes that
    add only by broadcasting to a larger array than either (dW as (30000, 1), then as (1, 30000): 7.2 GB
    built in the harness, its MemoryError a grader_error). A broadcast that builds nothing larger ((1, 3)
    and (3,), a bias summed with keepdims) is added, for the judge to name the shape."""
    try:
        shape = np.broadcast_shapes(np.shape(total), np.shape(more))
    except ValueError:
        shape = None
    if shape is None or math.prod(shape) > max(np.size(total), np.size(more)):
        raise StudentFailure(
            "exception",
            f"{what} came back in shapes {np.shape(total)} and {np.shape(more)}, which cannot be added"
            + ("" if shape is None else f" but by broadcasting to a larger array {shape}")
            + ": a value used twice gets the sum of its gradients, each in the value's own shape",
        )
    return total + more


@dataclass(frozen=True)
class Reading:
    """A value a record reads, in the batch that ends the case (no round trip of its own), with what to say
    if it turns out None or missing (`unset`: a TODO left in; None when None is the record's value, as a
    DeZero gradient never set). `scalar`: a one-element value is a scalar.
    `wrong`: asked once the value has arrived (no round trip of its own), a failure when what was read from
    is not what the record thinks (DeZero: a function's output that is a bare array: `.data` is a buffer)."""

    ref: Ref
    unset: Callable[[], StudentFailure] | None
    scalar: bool = False
    wrong: Callable[[], StudentFailure | None] | None = None


Recorded = Ref | Reading | np.ndarray | None


class FamilyAdapter(Protocol):
    """What program.py calls for each step kind (docs/ARCHITECTURE.md section 2)."""

    def apply(
        self,
        op: str,
        args: Sequence[str],
        out: str,
        *,
        no_grad: bool = False,
        settings: Mapping[str, Any] | None = None,
    ) -> None: ...

    def backward(self, of: str, upstream: Ref | None, *, retain_grad: bool = False) -> None: ...

    def backward_graph(self, of: str, upstream: Ref | None, *, retain_grad: bool = False) -> None: ...

    def take_grad(self, name: str, out: str) -> None: ...

    def backward_local(self, of: str, upstream: Ref | None) -> None: ...

    def grad_of(self, name: str) -> Recorded: ...

    def grad_via(self, name: str, via: str) -> Recorded: ...

    def value_of(self, name: str) -> Recorded: ...

    def has_creator(self, name: str) -> bool: ...

    def property_of(self, name: str, prop: str) -> Recorded: ...
    def probe(self, probe: str, of: str) -> bool | float: ...

    def cleargrad(self, name: str) -> None: ...

    def sgd(self, params: Sequence[str], lr: float) -> None: ...

    def cleargrads(self, layer: str) -> None: ...

    def optimize(self, optimizer: str, target: str, settings: Mapping[str, Any], times: int) -> list[str]: ...

    def reset_state(self, layer: str) -> None: ...

    def unchain_backward(self, name: str) -> None: ...

    def dataloader(self, data: str, label: str, settings: Mapping[str, Any]) -> dict[str, np.ndarray]: ...

    def save_load(self, layer: str, args: Sequence[str]) -> dict[str, np.ndarray]: ...

    def failure_of(self, failure: StudentFailure) -> StudentFailure:
        """The failure to report for the case, given the one its steps met (a guess of the adapter's own
        that led nowhere reports what the student's code said to the course's form instead)."""
        ...


class AdapterFactory(Protocol):
    """An adapter class: its alias table plus a constructor over the session, names and input copies."""

    @property
    def ALIASES(self) -> Mapping[str, tuple[str, ...]]: ...

    def __call__(
        self,
        session: Session,
        names: StudentNames,
        inputs: dict[str, Ref],
        originals: Mapping[str, np.ndarray],
    ) -> FamilyAdapter: ...


class StepUnsupported(Exception):
    """The case uses a step this family has no meaning for: a grader configuration error."""


class AdapterBase:
    """Shared plumbing; steps a family lacks raise StepUnsupported."""

    family = "?"
    ALIASES: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    # Whether the family's code imports Deep Learning from Scratch's common/ package, whose helpers an
    # undefined name is told to import (grader/inside/failures.py BOOK_HELPERS): the layers family only.
    BOOK_HELPERS: ClassVar[bool] = False
    # A required name the adapter does without when another is found (DeZero's helper square -> the class
    # Square, called directly): never reported missing then (grader/inside/harness.py).
    STANDS_IN: ClassVar[Mapping[str, str]] = {}
    # (name, attribute) of module-level switches a case may leave changed: every case starts with them as
    # the submission loaded them (grader/inside/switches.py).
    SWITCHES: ClassVar[tuple[tuple[str, str], ...]] = ()
    # Attributes of those switches that every case needs on: loaded off (code at the top level turned it off
    # and never back), each case starts with it True instead, and the load says so.
    SWITCHES_ON: ClassVar[frozenset[str]] = frozenset()
    # Names of functions whose parameters the adapter reads by ("name", name) (Session.signature): asked
    # with the process's first batch instead of a round trip of their own in the first case that calls them.
    SIGNATURES_AHEAD: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        session: Session,
        names: StudentNames,
        inputs: dict[str, Ref],
        originals: Mapping[str, np.ndarray],
    ) -> None:
        self.session = session
        self.names = names
        self.inputs = inputs  # handles to the student's copies
        # the harness's own copies, compared with the student's after a case (grader/inside/program.py); a
        # `plain` input (labels, an index: PLAIN in adapters/dezero.py) is sent as a value built from them
        self.originals = originals

    def _unsupported(self, step: str) -> StepUnsupported:
        return StepUnsupported(f"the {self.family} family has no '{step}' step")

    def backward_local(self, of: str, upstream: Ref | None) -> None:
        raise self._unsupported("backward_local")

    def has_creator(self, name: str) -> bool:
        raise self._unsupported("has_creator")

    def property_of(self, name: str, prop: str) -> Recorded:
        raise self._unsupported("property")

    def probe(self, probe: str, of: str) -> bool | float:
        raise self._unsupported(f"probe {probe}")

    def failure_of(self, failure: StudentFailure) -> StudentFailure:
        return failure

    def cleargrad(self, name: str) -> None:
        raise self._unsupported("cleargrad")

    def backward_graph(self, of: str, upstream: Ref | None, *, retain_grad: bool = False) -> None:
        raise self._unsupported("backward(create_graph=True)")

    def take_grad(self, name: str, out: str) -> None:
        raise self._unsupported("grad")

    def sgd(self, params: Sequence[str], lr: float) -> None:
        raise self._unsupported("sgd")

    def cleargrads(self, layer: str) -> None:
        raise self._unsupported("cleargrads")

    def optimize(self, optimizer: str, target: str, settings: Mapping[str, Any], times: int) -> list[str]:
        raise self._unsupported("optimize")

    def reset_state(self, layer: str) -> None:
        raise self._unsupported("reset_state")

    def unchain_backward(self, name: str) -> None:
        raise self._unsupported("unchain_backward")

    def dataloader(self, data: str, label: str, settings: Mapping[str, Any]) -> dict[str, np.ndarray]:
        raise self._unsupported("dataloader")

    def save_load(self, layer: str, args: Sequence[str]) -> dict[str, np.ndarray]:
        raise self._unsupported("save_load")

    def unknown(self, name: str) -> StepUnsupported:
        return StepUnsupported(f"the case names {name!r}, which is neither an input nor an earlier 'out'")

    def construct(
        self,
        cls: Ref,
        *args: Any,
        label: str,
        extras: Mapping[str, Any] | None = None,
        keywords: Mapping[str, Any] | None = None,
    ) -> Ref:
        """Instantiate a student class as Python would; a misspelt __init__ is a hint in any failure that
        follows, never a refusal (MulLayer() builds fine without one)."""
        info = self.session.classinfo(cls)
        typo = init_typo(info.own) if info is not None else None
        kw = dict(keywords) if keywords else {}
        if typo is None:
            return self.session.call(cls, *args, extras=extras, **kw)
        name = info.name if info is not None else "?"
        context = self.session.context
        self.session.context = (
            f"{context} ({name} has no __init__ but defines {typo}, which Python never calls: "
            f"rename {typo} to __init__)"
        )
        try:
            return self.session.call(cls, *args, extras=extras, **kw)
        finally:
            self.session.context = context

    def seed_numpy(self, op: str, seed: int, *, required: bool = True) -> None:
        """np.random.seed(seed) in the student's process: the mask their forward draws is then the one the
        reference draws from the same seed (DLFS Dropout and DeZero's dropout of step 54: np.random.rand(
        *x.shape) > dropout_ratio). The module is the student's `np`, else their `numpy` (`import numpy`);
        with neither, a failure if `required`, else nothing is seeded (DeZero: a mask no seed reproduced is
        judged by what makes it a dropout, grader/judge/drawn_mask.py)."""
        np_module = self.names.get("np") or self.names.get("numpy")
        if np_module is None and not required:
            return
        if np_module is None:
            raise StudentFailure(
                "exception", f"{op}: the module does not import numpy (as np), so its mask cannot be seeded"
            )
        s = self.session
        s.call(s.getattr(s.getattr(np_module, "random"), "seed"), seed)
