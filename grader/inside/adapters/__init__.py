"""Family adapters by family name: adding a family is one module and one line here."""

from __future__ import annotations

from .base import AdapterBase, AdapterFactory, FamilyAdapter, StepUnsupported
from .dezero import DeZeroAdapter
from .layers import LayersAdapter
from .miniflow import MiniFlowAdapter

ADAPTERS: dict[str, type[AdapterBase]] = {
    "miniflow": MiniFlowAdapter,
    "dezero": DeZeroAdapter,
    "layers": LayersAdapter,
    "dlfs-layers": LayersAdapter,  # the assignment id used as a family name (reference.mutations aliases)
    "dlfs": LayersAdapter,
}

__all__ = ["ADAPTERS", "AdapterFactory", "FamilyAdapter", "StepUnsupported"]
