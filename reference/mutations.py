"""Known student mistakes as mutations of the reference engine (docs/CASES.md, "Known mistakes").

A mutation either replaces one op's vector-Jacobian product (a wrong derivative) or flips one flag of the
family semantics that `reference.evaluate.run_case` honours (how gradients are combined, ordered, cleared).
When a student's wrong value equals what a mutation produces, the judge shows the mutation's code and hint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from reference.ops import Grads

Vjp = Callable[..., Grads]

FAMILIES = ("miniflow", "dezero", "layers")
# Assignment ids and short names that mean the same family.
FAMILY_ALIASES = {"dlfs-layers": "layers", "dlfs": "layers"}


def canonical_family(family: str) -> str:
    name = FAMILY_ALIASES.get(family, family)
    if name not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES + tuple(FAMILY_ALIASES))}")
    return name


@dataclass(frozen=True)
class Semantics:
    """How an engine combines gradients; the defaults are the textbook semantics."""

    accumulate: bool = True  # sum the gradients from several consumers (False: the last one wins)
    generation_order: bool = True  # DeZero pops the highest generation first (False: last in, first out)
    clear_between: bool = True  # cleargrad works / MiniFlow starts each backward afresh (False: carried)

    def to_dict(self) -> dict[str, bool]:
        return {
            "accumulate": self.accumulate,
            "generation_order": self.generation_order,
            "clear_between": self.clear_between,
        }


@dataclass(frozen=True)
class Mutation:
    name: str
    code: str
    hint: str
    families: tuple[str, ...]
    vjps: Mapping[str, Vjp] = field(default_factory=lambda: MappingProxyType({}))
    semantics: Semantics = Semantics()
    # A mistake in a forward pass too (an assignment's own ops only: reference/extension.py).
    forwards: Mapping[str, Callable[..., np.ndarray]] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": self.code,
            "hint": self.hint,
            "families": list(self.families),
            "replaced_vjps": sorted(self.vjps),
            "semantics": self.semantics.to_dict(),
        }


def _sigmoid_from_input(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (g * x * (1.0 - x),)


def _square_from_output(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (2.0 * y * g,)


def _exp_from_input(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (g * x,)


def _relu_mask_from_dout(g: np.ndarray, x: np.ndarray, *, y: np.ndarray) -> Grads:
    return (np.where(g <= 0, 0.0, g),)


def _mul_swapped(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return g * x0, g * x1


def _div_denominator_sign(g: np.ndarray, x0: np.ndarray, x1: np.ndarray, *, y: np.ndarray) -> Grads:
    return g / x1, g * x0 / x1**2


def _mutation(
    name: str,
    code: str,
    hint: str,
    families: tuple[str, ...],
    vjps: Mapping[str, Vjp] | None = None,
    semantics: Semantics | None = None,
) -> Mutation:
    return Mutation(name, code, hint, families, MappingProxyType(dict(vjps or {})), semantics or Semantics())


MUTATIONS: dict[str, Mutation] = {
    m.name: m
    for m in (
        _mutation(
            "overwrite_not_accumulate",
            "missing_accumulation",
            "Gradients from several consumers are assigned with = instead of added with +=, so only the "
            "last consumer counts; look at backward where a gradient is stored (Input.backward / x.grad).",
            ("miniflow", "dezero"),
            semantics=Semantics(accumulate=False),
        ),
        _mutation(
            "no_generation_order",
            "order",
            "Variable.backward takes functions last-in first-out instead of by generation (highest "
            "first), so a function runs before all its output gradients have arrived; sort by generation.",
            ("dezero",),
            semantics=Semantics(generation_order=False),
        ),
        _mutation(
            "no_cleargrad",
            "stale_gradient",
            "Gradients are carried over from the previous backward call: cleargrad must set grad to None "
            "(MiniFlow: reset the gradients dict at the start of every backward).",
            ("miniflow", "dezero"),
            semantics=Semantics(clear_between=False),
        ),
        _mutation(
            "sigmoid_from_input",
            "wrong_derivative",
            "Sigmoid.backward uses the input x; the derivative is value * (1 - value) of the output.",
            ("miniflow", "layers"),
            vjps={"sigmoid": _sigmoid_from_input},
        ),
        _mutation(
            "square_from_output",
            "wrong_derivative",
            "Square.backward uses the output y (2 * y * gy); the derivative is 2 * x * gy with x the input.",
            ("dezero",),
            vjps={"square": _square_from_output},
        ),
        _mutation(
            "exp_from_input",
            "wrong_derivative",
            "Exp.backward multiplies gy by the input x; the derivative of exp is exp(x) * gy.",
            ("dezero",),
            vjps={"exp": _exp_from_input},
        ),
        _mutation(
            "relu_mask_from_dout",
            "wrong_derivative",
            "Relu.backward builds its mask from dout; the mask must come from the forward input (x <= 0).",
            ("layers",),
            vjps={"relu": _relu_mask_from_dout},
        ),
        _mutation(
            "mul_swapped",
            "wrong_derivative",
            "MulLayer.backward (DeZero: Mul.backward) returns dx and dy swapped: dx is dout * y, "
            "dy is dout * x.",
            ("dezero", "layers"),
            vjps={"mul": _mul_swapped},
        ),
        _mutation(
            "div_denominator_sign",
            "wrong_derivative",
            "Div.backward: the gradient of the denominator x1 is gy * (-x0 / x1 ** 2); the minus sign is "
            "missing.",
            ("dezero",),
            vjps={"div": _div_denominator_sign},
        ),
    )
}


def applicable(family: str) -> list[str]:
    """The names of the mutations that describe a mistake possible in `family`, in registry order."""
    fam = canonical_family(family)
    return [name for name, m in MUTATIONS.items() if fam in m.families]
