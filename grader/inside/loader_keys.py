"""The record keys a case's steps make: a record step its `key`; a DeZero dataloader step (steps 49 and 50)
one per part it reads, `<out>_<part>`; a save_load step (step 53) one per parameter, `<out>_<name>`. Plain
data, read by the harness that makes the records and by the parent that accepts only the keys a case asks
for (grader/sandbox/frames.py, grader/cluster)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The case's transform, as the server builds it (server `_case_dataset`: x * 2) and as messages show it.
TRANSFORM = "lambda x: x * 2"
# What a dataloader step reads of the Dataset, then of each epoch of the DataLoader.
DATASET_PARTS = ("items_x", "items_t", "len")
EPOCH_PARTS = ("sizes", "t", "x")


def loader_keys(step: Mapping[str, Any]) -> list[str]:
    """A dataloader step's record keys, in the order they are read."""
    out, settings = str(step.get("out")), step.get("settings") or {}
    epochs = int(settings.get("epochs", 1)) if isinstance(settings, Mapping) else 1
    parts = [*DATASET_PARTS, *(f"e{e}_{p}" for e in range(epochs) for p in EPOCH_PARTS)]
    return [f"{out}_{part}" for part in parts]


# What a fresh layer's parameters hold before load_weights (adapters/dezero_weights.py sets them, the judge
# reads a value still equal to it as a load that set nothing: grader/judge/saved_weights.py)
WEIGHTS_FILL = 0.0


def linear_params(n: int) -> tuple[str, ...] | None:
    """A Linear's n parameters by attribute path: W, and b unless nobias=True."""
    return ("W", "b")[:n] if 1 <= n <= 2 else None


def mlp_params(n: int) -> tuple[str, ...] | None:
    """MLP's Linear layers are its attributes l0, l1, ... (the book's setattr(self, 'l' + str(i), layer))."""
    if n < 2 or n % 2:
        return None
    return tuple(f"l{i // 2}.{'W' if i % 2 == 0 else 'b'}" for i in range(n))


# The layers a save_load step builds, each with its parameters' attribute paths, as the harness sets them
# (adapters/dezero.py LAYERS) and the judge names them
SAVED_LAYERS = {"Linear": linear_params, "MLP": mlp_params}


def weights_keys(step: Mapping[str, Any]) -> list[str]:
    """A save_load step's record keys (DeZero step 53): one per parameter the fresh layer loaded, by the
    case's name for it (`args` after the layer's input)."""
    args = step.get("args")
    out = str(step.get("out"))
    return [f"{out}_{name}" for name in args[1:]] if isinstance(args, list) else []


def recorded_keys(steps: Iterable[Any]) -> set[str]:
    keys: set[str] = set()
    for step in steps:
        if isinstance(step, Mapping) and step.get("do") == "record":
            keys.add(step["key"])
        elif isinstance(step, Mapping) and step.get("do") == "dataloader":
            keys.update(loader_keys(step))
        elif isinstance(step, Mapping) and step.get("do") == "save_load":
            keys.update(weights_keys(step))
    return keys
