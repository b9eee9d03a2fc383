"""Dropout graded by what makes it a dropout when its draw is not the book's.

The Dropout cases seed NumPy's global generator (np.random.seed(7)) and expect the book's mask,
`np.random.rand(*x.shape) > self.dropout_ratio`. A student who draws another way (`np.random.default_rng()`,
`np.random.random(x.shape)`, `np.random.uniform(size=x.shape)`, `np.random.binomial`) writes a correct
dropout whose mask no seed reproduces: it lost the case as "wrong_mask". Where the records are not the book's,
a training-time forward and backward pass when, with the mask M their own draw made:

- forward: every element is x (kept) or 0 (dropped): the book's train-time Dropout does not scale;
- backward: dx = dout * M, the mask of that forward reused (a mask drawn again in backward fails);
- some are dropped and some kept (a layer that drops nothing is no dropout: at the drawn copies' 18 elements
  and ratio 0.4 a right draw keeps all with probability 1e-4, which then fails), and the number dropped is
  one a draw of that ratio gives (a binomial tail of at least 1e-6);
- the mask is not read from x: kept exactly where x > 0 or x > dropout_ratio (or below), a Dropout
  whose mask is `x > self.dropout_ratio` (np.random.rand left out) or Relu's `x > 0`, draws nothing and
  passed every property (a right draw makes one of those four masks with probability about 1e-5 at the
  drawn copies' 18 elements and ratio 0.4, 1e-12 at the stored case's 40 and 0.3);
- the mask is drawn: the same layer's forward called again on the same x after another seed (the case's
  second apply step, `again: "out"`, recorded as `redrawn`) keeps other units. A mask that is a function of
  the layer's arguments alone, a fixed pattern (`np.arange(x.size) % 5 >= 2`) or one read from x by any
  threshold (`x > x.mean()`), is the same at every call: it passed every other property, 8 of 8 (session 28,
  sample `dropout_fixed_pattern.py`). The same layer, not a fresh one: a generator of the layer's own seeded
  in `__init__` starts over in every new layer (sample `dropout_own_generator.py`). Nor is the other draw
  the first moved along (`_moved`, where the case has elements enough to tell);
- and the records are no known mistake's (a mistake the case's seed reproduces exactly is that mistake).

cs231n's `np.random.rand(*x.shape) < (1 - dropout_ratio)` is such a dropout too: it was a "known mistake"
(dropout_mask_kept_below, "a dropout as good as the book's" that lost the case) and is graded right now. A
mask that keeps dropout_ratio of the units (`rand > 1 - ratio`, or `rand < ratio` with the mask meaning
kept), or that draws at 0.5 whatever the ratio, is a right dropout at ratio 0.5 (where the stored case drew
until session 30; it draws at 0.3 now, where each is that known mistake), and at the
drawn copies' 0.4 differs from one only in the number dropped, which 18 elements cannot decide: it is told by
its seeded draw instead, a known mistake of the ops (dropout_keeps_ratio, dropout_keeps_ratio_below,
dropout_ratio_hard_coded), which this module never accepts. A pattern moved along by a counter from call to
call (rolled, or shifted by a few units) is told where the case has elements enough (`_moved`: the stored
case's 40, not the drawn copies' 18). Not told apart: a mask that changes from call to call by any other
rule of its own (a counter fed through a hash is a counter-based generator, as NumPy's Philox is: no finite
test tells it from a draw); and, in a case of one draw of an input (an instructor's own, without the redraw;
draws on other inputs are not compared), a mask that is the same at every call.

The test-time cases (train_flg False: out = x * (1 - dropout_ratio)) draw nothing and are compared as they
are. Only the apply steps of op Dropout with train_flg true are read here (`DRAWN`).

DeZero's step-54 function `dropout(x, dropout_ratio)` (op `dropout`, setting `train`) is read the same way
with its own scale: inverted dropout, each element of y x / (1 - dropout_ratio) (kept) or 0, gx = gy /
(1 - dropout_ratio) where kept and 0 where dropped (`Drawing.scaled`); its training cases record a redraw, y2
= dropout(x, ratio) after another seed, as `redrawn`. A right dropout drawing with np.random.binomial, a
Generator, `>=` or the scale folded into the mask lost the training cases before (review of s31-realdz;
samples late_book_step60_dropout_binomial/, late_book_step60_dropout_generator/).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.judge.compare import values_match
from grader.model import Case


@dataclass(frozen=True)
class Drawing:
    """How an op that draws a mask is read: the setting holding the probability of dropping a unit, the
    setting that is false in test mode, and whether the kept units are scaled by 1 / (1 - ratio) while
    training (DeZero's inverted dropout) or left as they are (DLFS's Dropout)."""

    ratio: str
    train: str
    scaled: bool


# op -> how it draws: DLFS's layer Dropout (train_flg), DeZero's step-54 function dropout (Config.train,
# the case's setting `train`)
DRAWN = {
    "Dropout": Drawing("dropout_ratio", "train_flg", scaled=False),
    "dropout": Drawing("dropout_ratio", "train", scaled=True),
}
# The smallest binomial tail a dropped count may have: beyond, the draw is not of the case's ratio.
TAIL = 1e-6

# What a passing record of a draw of its own is told, by op.
NOTES = {
    "Dropout": (
        "not the book's mask (np.random.rand(*x.shape) > self.dropout_ratio after np.random.seed), but a "
        "valid dropout of its own draw: each element x or 0, dx = dout where kept and 0 where dropped, about "
        "dropout_ratio of them dropped; graded by those properties"
    ),
    "dropout": (
        "not the book's mask (np.random.rand(*x.shape) > dropout_ratio after np.random.seed), but a valid "
        "dropout of its own draw: each element x / (1 - dropout_ratio) or 0, gx = gy / (1 - dropout_ratio) "
        "where kept and 0 where dropped, about dropout_ratio of them dropped; graded by those properties"
    ),
}


def note(case: Case) -> str:
    """The message of a record `accepts` passed: the one of the case's drawing op."""
    op = next((step[0]["op"] for step in _drawn_steps(case)), "Dropout")
    return NOTES[op]


def _drawn_steps(case: Case) -> list[tuple[Mapping[str, Any], str]]:
    """The case's training-time apply steps of a drawing op, with the setting holding their ratio."""
    found = []
    for step in case.steps:
        if step.get("do") != "apply" or step.get("op") not in DRAWN:
            continue
        settings, drawing = step.get("settings", {}), DRAWN[step["op"]]
        if settings.get(drawing.train, True) and drawing.ratio in settings:
            found.append((step, drawing.ratio))
    return found


def _scale(step: Mapping[str, Any], ratio: float) -> float:
    """What a kept unit of the step's op is multiplied by while training: 1 / (1 - ratio) for DeZero's
    inverted dropout, 1 for DLFS's Dropout."""
    return 1.0 / (1.0 - ratio) if DRAWN[step["op"]].scaled and ratio < 1.0 else 1.0


def _upstream(case: Case, out: str) -> np.ndarray | None:
    for step in case.steps:
        if step.get("do") in ("backward_local", "backward") and step.get("of") == out:
            name = step.get("upstream")
            return case.inputs.get(name) if isinstance(name, str) else None
    return None


def _plausible(dropped: int, n: int, ratio: float) -> bool:
    """Whether `dropped` of `n` is a count a draw dropping each unit with probability `ratio` gives: the
    tail on its side (P[X <= dropped] or P[X >= dropped]) is at least TAIL."""
    if not 0.0 < ratio < 1.0 or not 0 < dropped < n:
        return False
    pmf = [math.comb(n, k) * ratio**k * (1 - ratio) ** (n - k) for k in range(n + 1)]
    return min(sum(pmf[: dropped + 1]), sum(pmf[dropped:])) >= TAIL


def _keys(case: Case, step: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The record keys of the forward value and of the input's gradient of the drawn apply step (None where
    the case records none: the redraw records its forward value only)."""
    forward = gradient = None
    x = step["args"][0]
    for key, rec in case.record_steps().items():
        if rec.get("value_of") == step.get("out"):
            forward = key
        elif rec.get("grad_of") == x and rec.get("via", step.get("out")) == step.get("out"):
            gradient = key
    return forward, gradient


def accepts(case: Case, key: str, records: Mapping[str, Any]) -> bool:
    """Whether record `key` of `case`, not the book's value, is a valid dropout of the student's own draw: the
    forward value by itself, the gradient with the forward value it must share its mask with, and either only
    when the case's other draws on the same x (the layer's forward again after another seed) kept other units.
    Draws on other arrays (an instructor's case of two Dropouts, on two inputs or in a row) are not compared:
    masks of other arrays prove nothing either way, and reading them refused every draw of the student's own
    there."""
    drawn = [(step, setting, *_keys(case, step)) for step, setting in _drawn_steps(case)]
    found = next(((s, setting, f, g) for s, setting, f, g in drawn if f is not None and key in (f, g)), None)
    if found is None:
        return False
    step, setting, forward, gradient = found
    mine = _drawn(case, step, setting, forward, gradient if key == gradient else None, records)
    if mine is None:
        return False
    x = step["args"][0]
    others = [
        _mask(case, other, f, None, records)
        for other, _, f, _ in drawn
        if other is not step and other["args"][0] == x and f is not None
    ]
    ratio = float(step["settings"][setting])
    return all(_redrawn(mine, other, case.inputs.get(x), ratio) for other in others)


def _redrawn(mine: np.ndarray, other: np.ndarray | None, x: np.ndarray | None, ratio: float) -> bool:
    """Whether another draw's mask keeps other units than `mine`. A mask that is a function of the layer's
    arguments alone (a fixed pattern, `x > x.mean()`) draws nothing and is the same at every call; two right
    draws on the same x keep the same units with probability (ratio**2 + (1 - ratio)**2) ** n, about 1e-6 at
    20 elements and ratio 0.5, 8e-6 at the drawn copies' 18 and 0.4, 4e-10 at the stored case's 40 and 0.3
    (0.58**40). Elements where x is 0,
    whose kept state the forward value cannot show, are left out. Another draw that is no dropout (None)
    proves nothing."""
    if other is None or x is None or other.shape != mine.shape:
        return False
    told = x != 0
    return not np.array_equal(mine[told], other[told]) and not (told.all() and _moved(mine, other, ratio))


def _moved(mine: np.ndarray, other: np.ndarray, ratio: float) -> bool:
    """Whether the other draw is `mine` moved along, not drawn: rolled along an axis or in flat order, or
    shifted in flat order with most of it still compared (a pattern stepped on by a counter from call to
    call, `(np.arange(x.size) + Dropout.calls) % 10 >= 3`, changes at every call and passed every other
    property, 8 of 8: sample `dropout_class_counter.py`). Two right draws agree on L given elements with
    probability q**L, q = ratio**2 + (1 - ratio)**2; the shifts asked are only those whose summed chance of
    refusing a right draw stays within TAIL (`_shift_overlaps`): all of them at the stored case's 40 elements
    and ratio 0.3 whose overlap is 29 or more, none at the drawn copies' 18 and 0.4, which cannot tell."""
    q = ratio**2 + (1 - ratio) ** 2
    n = mine.size
    overlaps = _shift_overlaps(n, q, sum(size - 1 for size in mine.shape) + n - 1)
    if overlaps is None:
        return False
    if any(_rolled(_flat(mine, axis), _flat(other, axis), n // size) for axis, size in enumerate(mine.shape)):
        return True
    a, b = memoryview(_flat(mine, None)), memoryview(_flat(other, None))
    if (a.tobytes() * 2).find(b, 1, 2 * n - 1) != -1:  # a flat roll by 1 to n - 1
        return True
    return any(a[n - o :] == b[:o] or a[:o] == b[n - o :] for o in overlaps)


def _flat(mask: np.ndarray, axis: int | None) -> bytes:
    """The mask's kept states as bytes, in flat order or with `axis` moved first."""
    moved = mask if axis is None else np.moveaxis(mask, axis, 0)
    return np.ascontiguousarray(moved, dtype=bool).tobytes()


def _rolled(a: bytes, b: bytes, stride: int) -> bool:
    """Whether b is a rolled along its first axis (rows of `stride` elements) by 1 or more rows. Compared as
    memory views, which stop at the first difference: np.roll of every shift, as first merged, took 36 s and
    0.9 GB at x (100, 300), a case an instructor may write (a batch of hidden activations)."""
    n, doubled, other = len(a), memoryview(a * 2), memoryview(b)
    return any(doubled[n - s : 2 * n - s] == other for s in range(stride, n, stride))


def _shift_overlaps(n: int, q: float, rolls: int) -> range | None:
    """The overlaps (compared elements) of the flat shifts `_moved` may ask, given `rolls` whole-mask rolls:
    the longest ones whose chance of matching two right draws, with the rolls', sums to at most TAIL; None
    when the rolls alone exceed it (too few elements to tell a moved pattern from a draw)."""
    spent = rolls * q**n
    if spent > TAIL:
        return None
    shortest = n
    while shortest > 1 and spent + 2 * q ** (shortest - 1) <= TAIL:
        shortest -= 1
        spent += 2 * q**shortest
    return range(shortest, n)


def _mask(
    case: Case, step: Mapping[str, Any], forward: str, gradient: str | None, records: Mapping[str, Any]
) -> np.ndarray | None:
    """The mask of the drawn apply step `step` read from its forward record (and from its gradient record
    when `gradient` is given): None unless out is x where kept and 0 where dropped, and dx dout likewise."""
    x, dout = case.inputs.get(step["args"][0]), _upstream(case, step["out"])
    out, dx = records.get(forward), None if gradient is None else records.get(gradient)
    if x is None or out is None or (gradient is not None and (dx is None or dout is None)):
        return None
    out_a = _finite(out, x.shape)
    if out_a is None:
        return None
    setting = DRAWN[step["op"]].ratio
    scale = _scale(step, float(step.get("settings", {}).get(setting, 0.0)))
    kept = out_a != 0
    if gradient is not None:
        dx_a = _finite(dx, x.shape)
        if dx_a is None:
            return None
        # Where x is 0 a kept element reads 0 as well: its mask is read from dx (where dout is not 0).
        kept = np.where(x == 0, dx_a != 0, kept)
        if not values_match(dx_a, dout * kept * scale, case.tolerance_of(gradient)):
            return None
    return kept if values_match(out_a, x * kept * scale, case.tolerance_of(forward)) else None


def _drawn(
    case: Case,
    step: Mapping[str, Any],
    setting: str,
    forward: str,
    gradient: str | None,
    records: Mapping[str, Any],
) -> np.ndarray | None:
    """`_mask`, when it is a valid dropout of the student's own draw: no known mistake's values, not read
    from x, a count dropped that a draw of the ratio gives; None otherwise. (The other draws of the case
    are only compared with it: each property asked of them too would refuse a right draw twice as often.)"""
    kept = _mask(case, step, forward, gradient, records)
    x = case.inputs.get(step["args"][0])
    if kept is None or x is None:
        return None
    for k in (forward,) if gradient is None else (forward, gradient):
        for predicted in case.known_mistakes.values():
            if k in predicted and values_match(records[k], predicted[k], case.tolerance_of(k)):
                return None  # a known mistake reproduced under the case's seed is that mistake
    ratio = float(step["settings"][setting])
    if _read_from_x(x, kept, ratio) or not _plausible(int((~kept).sum()), int(kept.size), ratio):
        return None
    return kept


def _read_from_x(x: np.ndarray, kept: np.ndarray, ratio: float) -> bool:
    """Whether the mask keeps exactly the elements of x above (or below) 0 or the ratio: a mask computed
    from x (`x > self.dropout_ratio`, Relu's `x > 0`), no draw at all. Elements equal to the threshold or to
    0 (whose kept state the forward value cannot show) are left out."""
    for threshold in (0.0, ratio):
        told = (x != threshold) & (x != 0)
        if not told.any():
            continue
        above = x[told] > threshold
        if np.array_equal(kept[told], above) or np.array_equal(kept[told], ~above):
            return True
    return False


def _finite(value: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return a if a.shape == shape and np.isfinite(a).all() else None
