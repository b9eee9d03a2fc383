"""Generated cases: inputs drawn fresh for every grading run, so that hard-coded documented answers fail.

Seed derivation (replayable from a report's seed): the inputs of case `<prefix>-<k>` come from

    np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(prefix.encode("utf-8")), k]))

drawing the inputs in sorted name order, each with one call of the distribution below. The seed and the spec
alone fix the draw: neither the other specs of the manifest nor the order of the cases matter.

Distributions keep values where derivatives are well defined and the textbook formulas are stable:
`away_from_zero` keeps |x| >= 0.1 (the Relu kink sits at 0, where `>` and `>=` differ), `positive` stays above
`low` > 0, `labels` / `onehot` are class targets, `normal` / `uniform` are plain.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import Tolerance

# The smallest |x| `away_from_zero` may produce: far from the Relu kink at 0 at every tolerance we use.
MIN_DISTANCE_FROM_ZERO = 0.1


@dataclass(frozen=True)
class InputSpec:
    """How one input array of a generated case is drawn."""

    shape: tuple[int, ...]
    dist: str
    scale: float = 1.0
    low: float | None = None
    high: float | None = None
    classes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"shape": list(self.shape), "dist": self.dist, "scale": self.scale}
        for name in ("low", "high", "classes"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


@dataclass(frozen=True)
class GeneratedSpec:
    """A generated-case spec from a manifest: `count` cases `<id>-1` ... on fresh inputs."""

    id: str
    kind: str
    target: str | None
    name: str
    steps: tuple[Mapping[str, Any], ...]
    inputs: Mapping[str, InputSpec]
    count: int
    points: float
    visibility: str
    all_or_nothing: bool = False
    # the assignment's when None; its own where values computed another documented way are as right (chapter
    # 4's gradient, which finite differences of the book's loss meet to about 3e-6: docs/CASES.md)
    tolerance: Tolerance | None = None

    def case_ids(self) -> list[str]:
        return [case_id(self.id, k) for k in range(1, self.count + 1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "template": {
                "kind": self.kind,
                "target": self.target,
                "name": self.name,
                "steps": [dict(s) for s in self.steps],
            },
            "inputs": {name: spec.to_dict() for name, spec in self.inputs.items()},
            "count": self.count,
            "points": self.points,
            "visibility": self.visibility,
            "all_or_nothing": self.all_or_nothing,
            **({"tolerance": self.tolerance.to_dict()} if self.tolerance is not None else {}),
        }


def spec_from_dict(data: Mapping[str, Any]) -> GeneratedSpec:
    """Build a spec from its (already schema-validated) manifest entry."""
    t = data["template"]
    inputs = {
        name: InputSpec(
            tuple(s["shape"]),
            s["dist"],
            float(s.get("scale", 1.0)),
            s.get("low"),
            s.get("high"),
            s.get("classes"),
        )
        for name, s in data["inputs"].items()
    }
    tol = data.get("tolerance")
    return GeneratedSpec(
        id=data["id"],
        kind=t["kind"],
        target=t["target"],
        name=t["name"],
        steps=tuple(dict(s) for s in t["steps"]),
        inputs=inputs,
        count=int(data["count"]),
        points=float(data["points"]),
        visibility=data["visibility"],
        all_or_nothing=bool(data.get("all_or_nothing", False)),
        tolerance=Tolerance(float(tol["rtol"]), float(tol["atol"])) if tol else None,
    )


def case_id(prefix: str, k: int) -> str:
    return f"{prefix}-{k}"


def _normal(rng: np.random.Generator, s: InputSpec) -> np.ndarray:
    return s.scale * rng.standard_normal(s.shape)


def _uniform(rng: np.random.Generator, s: InputSpec) -> np.ndarray:
    low = -s.scale if s.low is None else s.low
    high = s.scale if s.high is None else s.high
    return rng.uniform(low, high, s.shape)


def _away_from_zero(rng: np.random.Generator, s: InputSpec) -> np.ndarray:
    low = max(MIN_DISTANCE_FROM_ZERO, s.low if s.low is not None else MIN_DISTANCE_FROM_ZERO)
    high = max(low, s.high if s.high is not None else low + s.scale)
    magnitude = rng.uniform(low, high, s.shape)
    sign = np.where(rng.random(s.shape) < 0.5, -1.0, 1.0)
    return sign * magnitude


def _positive(rng: np.random.Generator, s: InputSpec) -> np.ndarray:
    low = s.low if s.low is not None and s.low > 0 else MIN_DISTANCE_FROM_ZERO
    high = max(low, s.high if s.high is not None else low + s.scale)
    return rng.uniform(low, high, s.shape)


def _labels(rng: np.random.Generator, s: InputSpec) -> np.ndarray:
    if not s.classes:
        raise ValueError("dist 'labels' needs 'classes'")
    return rng.integers(0, s.classes, s.shape).astype(np.float64)


def _onehot(rng: np.random.Generator, s: InputSpec) -> np.ndarray:
    # The last axis holds the classes; `classes`, when given, must agree with it.
    classes = s.shape[-1]
    if s.classes is not None and s.classes != classes:
        raise ValueError(f"dist 'onehot': classes {s.classes} but the last axis of {s.shape} is {classes}")
    labels = rng.integers(0, classes, s.shape[:-1])
    return np.eye(classes, dtype=np.float64)[labels]


DISTRIBUTIONS: dict[str, Callable[[np.random.Generator, InputSpec], np.ndarray]] = {
    "normal": _normal,
    "uniform": _uniform,
    "away_from_zero": _away_from_zero,
    "positive": _positive,
    "labels": _labels,
    "onehot": _onehot,
}


def rng_for(seed: int, prefix: str, k: int) -> np.random.Generator:
    """The generator of case `<prefix>-<k>` in a run with `seed` (see the module docstring)."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(prefix.encode("utf-8")), k]))


def draw_inputs(spec: GeneratedSpec, seed: int, k: int) -> dict[str, np.ndarray]:
    """The inputs of case `<spec.id>-<k>` for `seed`: float64 arrays, in the spec's name order."""
    rng = rng_for(seed, spec.id, k)
    drawn = {
        name: DISTRIBUTIONS[spec.inputs[name].dist](rng, spec.inputs[name]) for name in sorted(spec.inputs)
    }
    return {name: np.asarray(drawn[name], dtype=np.float64) for name in spec.inputs}
