"""One measured figure with its target, printed as one line and written as JSON: shared by every benchmark."""

from __future__ import annotations

import json
import operator
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A target is a comparison with a bound: ">=" for rates and ratios, "<=" for latencies and memory.
_COMPARE: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le}


@dataclass(frozen=True)
class Target:
    op: str
    bound: float

    def met(self, value: float) -> bool:
        return _COMPARE[self.op](value, self.bound)

    def text(self, unit: str) -> str:
        return f"{self.op} {self.bound:g} {unit}".rstrip()


@dataclass(frozen=True)
class Figure:
    """A number measured in this run; `target` is None for context figures (baselines, components)."""

    name: str
    value: float
    unit: str
    target: Target | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.value)

    def line(self) -> str:
        shown = f"{self.value:,.4g}" if abs(self.value) < 1e4 else f"{self.value:,.0f}"
        head = f"{self.name:<52} {shown:>12} {self.unit:<10}"
        if self.target is not None:
            verdict = "MET" if self.met else "MISSED"
            head += f" target {self.target.text(self.unit):<16} {verdict}"
        return head + (f"  ({self.note})" if self.note else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "target": None if self.target is None else {"op": self.target.op, "bound": self.target.bound},
            "met": self.met,
            "note": self.note,
        }


def machine() -> dict[str, Any]:
    """What the figures were measured on: they mean little without it."""
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def report(title: str, figures: Sequence[Figure], extra: dict[str, Any], json_path: str | None) -> None:
    """Print the figures (one line each) and, when asked, write them with `extra` details as JSON."""
    print(f"== {title}")
    for figure in figures:
        print(figure.line())
    if json_path:
        payload = {
            "benchmark": title,
            "machine": machine(),
            "figures": [f.to_dict() for f in figures],
            **extra,
        }
        Path(json_path).write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
