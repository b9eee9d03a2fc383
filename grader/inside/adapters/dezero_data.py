"""DeZero steps 49 and 50: the student's Dataset and DataLoader over a case's data and labels.

The case's Dataset is a subclass of the student's, as the book's Spiral is: its `prepare` sets the case's
`data` and `label`, and it is built with the transform `lambda x: x * 2` (the server's `dataset` operation).
What the student's objects return is read back as plain arrays, the harness's records; whether an epoch is
complete, in order or a permutation is the parent's judgement (grader/judge/loader_order.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..failures import StudentFailure
from ..loader_keys import TRANSFORM
from ..remote import Ref
from .base import AdapterBase

# np.random.seed before the DataLoader is built (its __init__ draws the first epoch's order): any fixed value.
LOADER_SEED = 50


def load(a: AdapterBase, data: str, label: str, settings: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """`ds = CaseDataset(transform=...)`: `ds[i]` for every i and `len(ds)`; then `DataLoader(ds,
    batch_size, shuffle)` iterated to its StopIteration `epochs` times (the book's `__next__` resets it
    there). Records: items_x, items_t, len, and per epoch e{k}_sizes, e{k}_x, e{k}_t (the batches joined)."""
    session, n = a.session, int(a.originals[data].shape[0])
    batch_size, shuffle = int(settings.get("batch_size", 1)), bool(settings.get("shuffle", False))
    pair = session.case_dataset(a.names.require("Dataset"), a.inputs[data], a.inputs[label])
    dataset = a.construct(
        session.getitem(pair, 0),
        label=f"Dataset(transform={TRANSFORM})",
        keywords={"transform": session.getitem(pair, 1)},
    )
    records: dict[str, np.ndarray] = {}
    items = [session.getitem(dataset, i) for i in range(n)]
    wanted = [
        (session.getitem(item, j), f"Dataset.__getitem__: ds[{i}][{j}]")
        for i, item in enumerate(items)
        for j in (0, 1)
    ]
    read = session.arrays(wanted)
    records["items_x"] = _joined(
        [read[2 * i].reshape(1, -1) for i in range(n)], "Dataset.__getitem__: ds[i][0]"
    )
    records["items_t"] = _joined(
        [read[2 * i + 1].reshape(-1) for i in range(n)], "Dataset.__getitem__: ds[i][1]"
    )
    records["len"] = session.array(
        session.call(session.getattr(dataset, "__len__")), "Dataset.__len__: len(ds)"
    )
    shown = f"DataLoader(ds, batch_size={batch_size}, shuffle={shuffle})"
    # The student's shuffle draws from numpy's global state, which each worker seeds from the OS when it
    # imports numpy: seeded here, a draw (a right permutation, or np.random.randint's repeats) is the same
    # at every run, so no verdict depends on the worker (a randint shuffle drew no repeat 0.24% of runs).
    a.seed_numpy(shown, LOADER_SEED, required=False)
    loader = a.construct(
        a.names.require("DataLoader"),
        dataset,
        label=shown,
        keywords={"batch_size": batch_size, "shuffle": shuffle},
    )
    for epoch in range(int(settings.get("epochs", 1))):
        records.update(_epoch(a, loader, epoch))
    return records


def _epoch(a: AdapterBase, loader: Ref, epoch: int) -> dict[str, np.ndarray]:
    """One `for x, t in loader` to its StopIteration: each batch's x and t, joined in the order they came."""
    session = a.session
    batches = session.items(session.listed(loader))
    wanted = [
        (session.getitem(batch, j), f"DataLoader.__next__: epoch {epoch + 1}, batch {k + 1}'s {'xt'[j]}")
        for k, batch in enumerate(batches)
        for j in (0, 1)
    ]
    read = session.arrays(wanted)
    xs, ts = read[0::2], read[1::2]
    where = f"DataLoader.__next__ (epoch {epoch + 1})"
    return {
        f"e{epoch}_sizes": np.array([len(x) if x.ndim else 1 for x in xs], dtype=np.float64),
        f"e{epoch}_x": _joined([x.reshape(len(x) if x.ndim else 1, -1) for x in xs], f"{where}: x"),
        f"e{epoch}_t": _joined([t.reshape(-1) for t in ts], f"{where}: t"),
    }


def _joined(parts: list[np.ndarray], what: str) -> np.ndarray:
    if not parts:
        return np.zeros((0,), dtype=np.float64)
    try:
        return np.concatenate(parts, axis=0).astype(np.float64)
    except ValueError:
        shapes = ", ".join(str(p.shape) for p in parts[:6])
        raise StudentFailure(
            "exception", f"{what}: the pieces have shapes {shapes}, which do not stack"
        ) from None
