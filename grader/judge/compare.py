"""The one comparison used by the whole project: a student's record against an expected record.

Order of checks: presence (None / missing), type (bool vs array), shape (no broadcasting: a wrong shape is
its own outcome), then values with ``|got - expected| <= atol + rtol * |expected|``. NaN or inf in `got` never
counts as equal, whatever `expected` holds: a grader that accepts inf == inf would pass an overflow.

Mismatch messages follow pytest's ``approx``: how many elements differ, the largest absolute and relative
difference, then the worst elements as ``index | got | expected`` rows, cut at `MAX_ROWS`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from grader.model import TABLE_ROW, RecordValue, Tolerance

MAX_ROWS = 10
# Up to this many elements a comparison runs on Python floats: for the handful of numbers most records hold,
# numpy's per-call overhead (an error-state context, five ufuncs, three temporary arrays) costs more than the
# arithmetic itself. The same double operations in the same order: the same verdicts (tests/judge).
SMALL = 64
_isfinite = math.isfinite
_isnan = math.isnan
_isinf = math.isinf

# A sentinel distinct from None: the record key is absent from the student's records altogether.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

Outcome = Literal["equal", "values", "shape", "missing", "type"]


@dataclass(frozen=True)
class Comparison:
    """What one record comparison found. `message` is student-facing and names method and gradient."""

    passed: bool
    outcome: Outcome
    message: str
    mismatched: int = 0
    total: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "outcome": self.outcome,
            "message": self.message,
            "mismatched": self.mismatched,
            "total": self.total,
        }


def fmt(x: float) -> str:
    """Short, repr-like number formatting used in every message (%.6g; nan/inf spelled out)."""
    if _isnan(x):
        return "nan"
    if _isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.6g}"


def fmt_shape(shape: tuple[int, ...]) -> str:
    return str(tuple(int(n) for n in shape))


def _describe(value: Any) -> str:
    if value is MISSING:
        return "nothing (the record was never produced)"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return str(value)
    return f"an array of shape {fmt_shape(np.shape(value))}"


def close_mask(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> np.ndarray:
    """Elementwise: within tolerance and finite. Shapes must already be equal."""
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.abs(got - expected) <= tol.atol + tol.rtol * np.abs(expected)
    return ok & np.isfinite(got)


def _scalar_close(got: float, expected: float, tol: Tolerance) -> bool:
    """`close_mask` for one element, on Python floats: the same double arithmetic in the same order (NaN
    compares false, an overflow is inf, as in numpy), without three arrays and an error-state context. Most
    records are one number (a loss, a scalar gradient), and the judge compares each several times."""
    return _isfinite(got) and abs(got - expected) <= tol.atol + tol.rtol * abs(expected)


def _close_flags(got: list[float], expected: list[float], tol: Tolerance) -> list[bool]:
    """`close_mask` of two flattened arrays, on Python floats (for arrays up to `SMALL`)."""
    atol, rtol = tol.atol, tol.rtol
    return [_isfinite(g) and abs(g - e) <= atol + rtol * abs(e) for g, e in zip(got, expected, strict=True)]


def _all_close(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> bool:
    if got.size > SMALL:
        return bool(close_mask(got, expected, tol).all())
    atol, rtol = tol.atol, tol.rtol  # `_close_flags`, stopping at the first element out of tolerance
    for g, e in zip(got.ravel().tolist(), expected.ravel().tolist(), strict=True):
        if not (_isfinite(g) and abs(g - e) <= atol + rtol * abs(e)):
            return False
    return True


def values_match(got: RecordValue, expected: RecordValue, tol: Tolerance) -> bool:
    """True when `got` equals `expected` under the project's rule (same type, same shape, within tol)."""
    if got is None or expected is None or isinstance(got, bool) or isinstance(expected, bool):
        return type(got) is type(expected) and got == expected
    got_a, exp_a = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got_a.shape != exp_a.shape:
        return False
    if got_a.size == 1:
        return _scalar_close(got_a.item(), exp_a.item(), tol)
    return _all_close(got_a, exp_a, tol)


def subject(label: str, method: str, key: str | None) -> str:
    """'Linear.backward: gradient of W (dW)': the start of every message about one record."""
    return f"{method}: {label} ({key})" if key and key != label else f"{method}: {label}"


def _index(idx: tuple[int, ...]) -> str:
    return (
        "()" if not idx else "(" + ", ".join(str(int(i)) for i in idx) + ("," if len(idx) == 1 else "") + ")"
    )


Flat = list[float] | np.ndarray  # a record's elements in C order: Python floats (small) or a raveled array


@dataclass(frozen=True)
class _Differences:
    """What a mismatch message reports of a record with elements out of tolerance."""

    bad: int
    total: int
    nonfinite: int  # elements of `got` that are NaN or inf
    largest_abs: float  # over the finite elements of `got` (NaN when one of them is NaN); unused if none
    largest_rel: float
    worst: list[int]  # flat positions of the elements out of tolerance, worst first, at most MAX_ROWS


def _array_differences(got: np.ndarray, exp: np.ndarray, ok: np.ndarray) -> _Differences:
    total = int(ok.size)
    finite = np.isfinite(got)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        absdiff = np.where(finite, np.abs(got - exp), np.inf)
        rel = np.where(absdiff == 0, 0.0, absdiff / np.abs(exp))
    nonfinite = int((~finite).sum())
    largest_abs = largest_rel = math.nan
    if nonfinite < total:
        largest_abs, largest_rel = float(absdiff[finite].max()), float(rel[finite].max())
    # Worst first; ties broken by position (stable sort) so the table is deterministic.
    order = np.argsort(-absdiff.ravel(), kind="stable")
    worst = order[~ok.ravel()[order]][:MAX_ROWS].tolist()
    return _Differences(int(total - ok.sum()), total, nonfinite, largest_abs, largest_rel, worst)


def _relative(absdiff: float, expected: float) -> float:
    """absdiff / |expected| as numpy divides (x / 0 is inf, NaN stays NaN); 0 when absdiff is."""
    if absdiff == 0:
        return 0.0
    scale = abs(expected)
    if scale == 0:
        return absdiff if _isnan(absdiff) else math.inf
    return absdiff / scale


def _largest(values: list[float]) -> float:
    """numpy's max: NaN as soon as one value is NaN."""
    return math.nan if any(_isnan(v) for v in values) else max(values)


def _small_differences(got: list[float], exp: list[float], ok: list[bool]) -> _Differences:
    """`_array_differences` on Python floats, the same double operations: for arrays up to `SMALL`."""
    absdiff = [abs(g - e) if _isfinite(g) else math.inf for g, e in zip(got, exp, strict=True)]
    finite = [i for i, g in enumerate(got) if _isfinite(g)]
    largest_abs = largest_rel = math.nan
    if finite:
        largest_abs = _largest([absdiff[i] for i in finite])
        largest_rel = _largest([_relative(absdiff[i], exp[i]) for i in finite])
    # numpy's stable argsort of -absdiff: largest first, NaN last, ties by position.
    order = sorted(range(len(got)), key=lambda i: (_isnan(absdiff[i]), -absdiff[i]))
    worst = [i for i in order if not ok[i]][:MAX_ROWS]
    return _Differences(ok.count(False), len(ok), len(got) - len(finite), largest_abs, largest_rel, worst)


@functools.lru_cache(maxsize=4096)
def right(who: str, total: int) -> Comparison:
    """The verdict of a record within tolerance: the same frozen object for every submission of a run (a
    record's subject is worked out once a run: grader/judge/per_case.py). Most of a batch's ~90 records a
    submission pass, and building each verdict anew (a frozen dataclass's five `object.__setattr__` and the
    message's text) was a tenth of the judge's checks. Bounded: a run's subjects are a few hundred."""
    return Comparison(True, "equal", f"{who} is right", 0, total)


def _value_mismatch(got: np.ndarray, exp: np.ndarray, tol: Tolerance, who: str) -> Comparison:
    if got.size == 1 and _scalar_close(got.item(), exp.item(), tol):
        return right(who, 1)
    got_flat: Flat
    exp_flat: Flat
    if got.size <= SMALL:
        got_flat, exp_flat = got.ravel().tolist(), exp.ravel().tolist()  # Python floats: the same doubles
        flags = _close_flags(got_flat, exp_flat, tol)
        if all(flags):
            return right(who, len(flags))
        found = _small_differences(got_flat, exp_flat, flags)
    else:
        ok = close_mask(got, exp, tol)
        if ok.all():
            return right(who, int(ok.size))
        found = _array_differences(got, exp, ok)
        got_flat, exp_flat = got.ravel(), exp.ravel()  # only the reported elements are read
    return Comparison(
        False, "values", _mismatch_message(who, got.shape, got_flat, exp_flat, found), found.bad, found.total
    )


def _mismatch_message(who: str, shape: tuple[int, ...], got: Flat, exp: Flat, found: _Differences) -> str:
    if found.total == 1:
        detail = f"got {fmt(float(got[0]))}, expected {fmt(float(exp[0]))}"
        if found.nonfinite == 0:
            detail += f" (absolute difference {fmt(found.largest_abs)}, relative {fmt(found.largest_rel)})"
        return f"{who} is wrong: {detail}"
    head = f"{who} is wrong: {found.bad} / {found.total} elements differ"
    if found.nonfinite:
        head += f" ({found.nonfinite} NaN or inf)"
    if found.nonfinite < found.total:
        head += f"; largest absolute difference {fmt(found.largest_abs)}"
        head += f", largest relative {fmt(found.largest_rel)}"
    positions = zip(*(axis.tolist() for axis in np.unravel_index(found.worst, shape)), strict=True)
    rows = [("index", "got", "expected")]
    for flat, idx in zip(found.worst, positions, strict=True):
        rows.append((_index(idx), fmt(float(got[flat])), fmt(float(exp[flat]))))
    w_index, w_got, w_expected = (max(len(r[i]) for r in rows) for i in range(3))
    lines = [head]
    for index, got_text, exp_text in rows:
        row = f"{index.ljust(w_index)} | {got_text.ljust(w_got)} | {exp_text.ljust(w_expected)}"
        lines.append(f"{TABLE_ROW}{row}".rstrip())
    if found.bad > MAX_ROWS:
        lines.append(f"{TABLE_ROW}... and {found.bad - MAX_ROWS} more")
    return "\n".join(lines)


def compare(
    got: Any,
    expected: RecordValue,
    tol: Tolerance,
    *,
    label: str,
    method: str,
    key: str | None = None,
) -> Comparison:
    """Compare one record. `got` may be `MISSING` when the student's records lack the key."""
    return compare_as(got, expected, tol, subject(label, method, key))


def compare_as(got: Any, expected: RecordValue, tol: Tolerance, who: str) -> Comparison:
    """`compare` with its messages' subject (`subject(label, method, key)`) worked out by the caller: the
    judge words each record of a case alike in every submission, once a run (grader/judge/per_case.py)."""
    if expected is None:
        if got is None:
            return Comparison(True, "equal", f"{who} is None, as expected")
        return Comparison(False, "type", f"{who} should be None, got {_describe(got)}")
    if got is MISSING or got is None:
        return Comparison(
            False, "missing", f"{who} is missing: got {_describe(got)}, expected {_describe(expected)}"
        )
    if isinstance(expected, bool) or isinstance(got, bool):
        if isinstance(expected, bool) and isinstance(got, bool):
            if got == expected:
                return Comparison(True, "equal", f"{who} is {got}, as expected", 0, 1)
            return Comparison(False, "values", f"{who} is wrong: got {got}, expected {expected}", 1, 1)
        return Comparison(
            False, "type", f"{who} has the wrong type: got {_describe(got)}, expected {_describe(expected)}"
        )
    got_a, exp_a = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got_a.shape != exp_a.shape:
        return Comparison(
            False,
            "shape",
            f"{who} has shape {fmt_shape(got_a.shape)}, expected {fmt_shape(exp_a.shape)}",
            int(exp_a.size),
            int(exp_a.size),
        )
    return _value_mismatch(got_a, exp_a, tol, who)
