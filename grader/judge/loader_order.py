"""DeZero's Dataset and DataLoader (steps 49 and 50) judged from what the student's process read back.

A dataloader step (grader/inside/adapters/dezero_data.py) records, of a Dataset of the student's built over
the case's data x and labels t with the transform `lambda x: x * 2`: every item `ds[i]` (items_x, items_t)
and `len(ds)`; then, for each epoch of a DataLoader over it, the batch sizes and the batches joined (e{k}_x,
e{k}_t). The stored expected values are the epoch in the data's order (the oracles: numpy by hand and
torch.utils.data.DataLoader(drop_last=False)). A shuffled epoch is judged by what makes it an epoch, never
by the draw: its labels are the case's labels each once (the case's labels are distinct, so each index
once), each x the transformed row of its own label, an epoch after the first not in the order of the one
before it (a permutation drawn once, in __init__, and never again; 1 in 8! = 40,320 for a right draw of the
stored case), and no epoch in the data's order, the one the stored values hold (a loader that never
shuffles; `in_data_order`). Messages name the class and method, what was expected and what came back, and
the likely mistake (max_iter = data_size // batch_size, a shuffle by np.random.randint, a transform left out).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.inside.loader_keys import TRANSFORM, loader_keys
from grader.model import Case

_KEY = re.compile(r"^(?P<out>.+)_(?:(?P<item>items_x|items_t|len)|e(?P<epoch>\d+)_(?P<part>sizes|x|t))$")

NOTE = (
    "a shuffled epoch in an order of its own: every sample once (the labels a permutation of the data's), "
    "each x beside its own label, drawn anew after the epoch before; graded by those properties"
)


def _step_of(case: Case, key: str) -> tuple[Mapping[str, Any], re.Match[str]] | None:
    match = _KEY.match(key)
    if match is None:
        return None
    for step in case.steps:
        if step.get("do") == "dataloader" and step.get("out") == match["out"]:
            return step, match
    return None


def read_order(case: Case) -> list[str]:
    """The record keys of the case's dataloader steps in the order the harness reads them."""
    return [key for step in case.steps if step.get("do") == "dataloader" for key in loader_keys(step)]


def label_of(case: Case, key: str) -> tuple[str, str] | None:
    """(label, method) of a dataloader step's record, as messages name it; None for any other record."""
    found = _step_of(case, key)
    if found is None:
        return None
    step, match = found
    if match["item"] == "len":
        return "len(ds)", "Dataset.__len__"
    if match["item"]:
        return f"ds[i][{0 if match['item'] == 'items_x' else 1}] for every i", "Dataset.__getitem__"
    settings = step.get("settings") or {}
    shown = (
        f"DataLoader(ds, batch_size={settings.get('batch_size')}, shuffle={bool(settings.get('shuffle'))})"
    )
    what = {"sizes": "the batch sizes", "x": "the batches' x", "t": "the batches' t"}[match["part"]]
    return f"{what} of epoch {int(match['epoch']) + 1} of {shown}", "DataLoader.__next__"


def _array(value: Any) -> np.ndarray | None:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array if np.all(np.isfinite(array)) else None


def _shuffled_epoch(
    case: Case, key: str, records: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The epoch's (t, x) when `key` is a record of a shuffled epoch whose t was read (x None where it was
    not, or not as numbers): the labels are judged alone, so a wrong x costs the x check only."""
    found = _step_of(case, key)
    if found is None or found[1]["epoch"] is None or not (found[0].get("settings") or {}).get("shuffle"):
        return None
    match = found[1]
    prefix = f"{match['out']}_e{match['epoch']}_"
    t, x = _array(records.get(prefix + "t")), _array(records.get(prefix + "x"))
    return None if t is None else (t.reshape(-1), x)


def accepts(case: Case, key: str, records: Mapping[str, Any]) -> bool:
    """Whether a failing record of a shuffled epoch is an epoch of a right shuffle (module docstring): its t
    the labels each once, in an order other than the epoch before's; its x each label's own row, beside a t
    that holds the labels each once. Its sizes are compared as they are."""
    got = _shuffled_epoch(case, key, records)
    match = _KEY.match(key)
    if got is None or match is None or match["part"] not in ("x", "t"):
        return False
    t, x = got
    prefix = f"{match['out']}_e{match['epoch']}_"
    want_t, want_x = (np.asarray(case.expected[prefix + p], dtype=np.float64) for p in ("t", "x"))
    if t.shape != want_t.shape or not np.array_equal(np.sort(t), np.sort(want_t)):
        return False
    if match["part"] == "x":  # each x beside its own label; the labels' order is judged on t
        rows = {float(label): want_x[i] for i, label in enumerate(want_t)}
        return (
            x is not None
            and x.shape == want_x.shape
            and all(np.allclose(x[i], rows[float(label)]) for i, label in enumerate(t))
        )
    epoch = int(match["epoch"])
    before = _array(records.get(f"{match['out']}_e{epoch - 1}_t")) if epoch else None
    return before is None or before.reshape(-1).shape != t.shape or not np.array_equal(before.reshape(-1), t)


def in_data_order(case: Case, key: str, records: Mapping[str, Any]) -> bool:
    """Whether `key` is the labels of a shuffled epoch that came in the data's order, the order the stored
    expected values hold: a DataLoader that never shuffles (its reset sets np.arange whatever self.shuffle
    says) matched them and got full marks. Refused only where a right draw keeps that order at most 1 in
    7! = 5,040 times (the stored case 1 in 8!, its drawn copies 1 in 7!; the student's np.random is seeded,
    so the book's permutation never does)."""
    found = _step_of(case, key)
    if found is None or found[1]["part"] != "t" or not (found[0].get("settings") or {}).get("shuffle"):
        return False
    got, want = _array(records.get(key)), _array(case.expected.get(key))
    if got is None or want is None or math.factorial(want.size) < _ORDER_KEPT_ONE_IN:
        return False
    return got.shape == want.shape and np.array_equal(got, want)


_ORDER_KEPT_ONE_IN = math.factorial(7)


def explain(case: Case, key: str, records: Mapping[str, Any]) -> str | None:
    """What a failing dataloader record says about the student's Dataset or DataLoader, in a line or two;
    None when nothing more than the comparison can be said (or the record is no dataloader step's)."""
    found = _step_of(case, key)
    got = _array(records.get(key))
    if found is None or got is None or key not in case.expected:
        return None
    step, match = found
    want = np.asarray(case.expected[key], dtype=np.float64)
    settings = step.get("settings") or {}
    if match["item"] == "items_x" and got.shape == want.shape and np.allclose(got * 2, want):
        return (
            "Dataset.__getitem__: ds[i][0] came back as data[i] itself, expected transform(data[i]) (the "
            "case's "
            f"transform is {TRANSFORM}): __getitem__ leaves out self.transform; return "
            "self.transform(self.data[index]), self.target_transform(self.label[index])"
        )
    if match["part"] == "sizes":
        return _sizes(got, want, int(match["epoch"]), int(settings.get("batch_size", 1)))
    if match["part"] == "t" and settings.get("shuffle") and got.shape == want.shape:
        return _not_permutation(got.reshape(-1), want.reshape(-1), int(match["epoch"]), records, match["out"])
    if match["part"] == "x" and got.shape == want.shape and _untransformed(case, key, got, records):
        return (
            f"DataLoader.__next__: epoch {int(match['epoch']) + 1}'s x is the data untransformed (half the "
            "expected): build each batch from self.dataset[i], which applies the Dataset's transform, not "
            "from dataset.data"
        )
    return None


def _untransformed(case: Case, key: str, x: np.ndarray, records: Mapping[str, Any]) -> bool:
    """Whether each x of the epoch is half the transformed row of the label beside it: the data's own row."""
    prefix = key[: -len("x")]
    t = _array(records.get(prefix + "t"))
    want_t, want_x = (np.asarray(case.expected[prefix + p], dtype=np.float64) for p in ("t", "x"))
    if (
        t is None
        or t.reshape(-1).shape != want_t.shape
        or not np.array_equal(np.sort(t.reshape(-1)), np.sort(want_t))
    ):
        return False
    rows = {float(label): want_x[i] for i, label in enumerate(want_t)}
    return all(np.allclose(x[i] * 2, rows[float(label)]) for i, label in enumerate(t.reshape(-1)))


def _sizes(got: np.ndarray, want: np.ndarray, epoch: int, batch_size: int) -> str:
    n = int(want.sum())
    shown = [int(s) for s in got.reshape(-1)[:8]]
    if got.size == 0 and epoch:
        return (
            f"DataLoader.__next__: expected {want.size} batches in epoch {epoch + 1}, got none: the loader "
            "was not reset at its StopIteration (the book's __next__ calls self.reset() before raise "
            "StopIteration)"
        )
    if got.size < want.size:
        return (
            f"DataLoader.__next__: expected {want.size} batches, got {got.size} (sizes {shown} for {n} "
            f"samples at batch_size {batch_size}); max_iter should be ceil(data_size / batch_size) = "
            f"ceil({n} / {batch_size}) = {math.ceil(n / batch_size)}, the last batch partial "
            "(data_size // batch_size drops it)"
        )
    return (
        f"DataLoader.__next__: expected {want.size} batches of sizes {[int(s) for s in want]}, got "
        f"{got.size} of sizes {shown}: each batch takes the next batch_size indices, "
        "self.index[i * batch_size:(i + 1) * batch_size], and an epoch stops after "
        "ceil(data_size / batch_size)"
    )


def _not_permutation(
    got: np.ndarray, want: np.ndarray, epoch: int, records: Mapping[str, Any], out: str
) -> str | None:
    counts = {float(v): int(c) for v, c in zip(*np.unique(got, return_counts=True), strict=True)}
    repeated = sorted(_shown(v) for v, c in counts.items() if c > 1)
    missing = sorted(_shown(v) for v in want if float(v) not in counts)
    if repeated or missing:
        said = [f"labels {_listed(repeated)} came more than once"] if repeated else []
        said += (
            [f"{_listed(missing)} never" if repeated else f"labels {_listed(missing)} never came"]
            if missing
            else []
        )
        return (
            f"DataLoader.reset: epoch {epoch + 1}'s indices are not a permutation of the "
            f"{want.size} samples ({' and '.join(said)}): shuffle with "
            "self.index = np.random.permutation(len(self.dataset)), "
            "each index once (np.random.randint(0, n, n) draws with repeats)"
        )
    if np.array_equal(got, want):
        return (
            f"DataLoader.reset: epoch {epoch + 1} came in the data's order although shuffle=True: when "
            "self.shuffle is on, reset() sets self.index = np.random.permutation(len(self.dataset)) "
            "(np.arange only when it is off), and __init__ calls reset()"
        )
    before = _array(records.get(f"{out}_e{epoch - 1}_t")) if epoch else None
    if before is not None and np.array_equal(before.reshape(-1), got):
        return (
            f"DataLoader.reset: epoch {epoch + 1} came in epoch {epoch}'s order: draw a new permutation at "
            "each reset (the book's reset() sets self.index = np.random.permutation(...) when shuffle is "
            "on), "
            "not once in __init__"
        )
    return None  # a permutation in an order of its own: accepted (`accepts`), never explained


def _listed(values: list[int | float]) -> str:
    """[3, 5] as "3, 5": the labels a message names, without Python's brackets."""
    return ", ".join(str(v) for v in values)


def explained_method(message: str) -> str | None:
    """The method an `explain` message opens with (DataLoader.reset), which the check's method column then
    names too: it said DataLoader.__next__ beside a message about DataLoader.reset (session 34)."""
    head = message.split(":", 1)[0]
    return head if _METHOD.fullmatch(head) else None


_METHOD = re.compile(r"(?:Dataset|DataLoader)\.\w+")


def _shown(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
