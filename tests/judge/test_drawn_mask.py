"""A Dropout of its own draw is graded by what makes it a dropout (grader/judge/drawn_mask.py); the numbers
are worked out here by hand on the stored case's shape, never read from the grader."""

from __future__ import annotations

import numpy as np
import pytest

from grader.judge import drawn_mask
from grader.model import Case, Tolerance

X = np.arange(1.0, 21.0).reshape(4, 5)  # no zero: every kept element is told from a dropped one
DOUT = -np.arange(1.0, 21.0).reshape(4, 5) / 10
KEEP = np.array([1, 0] * 10, dtype=bool).reshape(4, 5)  # 10 of 20 dropped: a draw of ratio 0.5
STEPS = (
    {"do": "apply", "op": "Dropout", "args": ["x"], "out": "out",
     "settings": {"dropout_ratio": 0.5, "seed": 7, "train_flg": True}},
    {"do": "backward_local", "of": "out", "upstream": "dout"},
    {"do": "record", "key": "out", "value_of": "out", "method": "Dropout.forward"},
    {"do": "record", "key": "dx", "grad_of": "x", "via": "out", "method": "Dropout.backward"},
)  # fmt: skip


def _case(known: dict | None = None, ratio: float = 0.5) -> Case:
    steps = list(STEPS)
    steps[0] = {**steps[0], "settings": {**steps[0]["settings"], "dropout_ratio": ratio}}
    book = ~KEEP  # the book's mask: another one
    return Case(
        id="dropout-train-unit", name="d", kind="unit", target="Dropout",
        inputs={"x": X, "dout": DOUT}, steps=tuple(steps),
        expected={"out": X * book, "dx": DOUT * book}, tolerance=Tolerance(), points=2.0,
        known_mistakes=known or {},
    )  # fmt: skip


def test_another_draw_applied_in_both_passes_is_accepted() -> None:
    """x or 0 forward, dout where kept and 0 where dropped backward, half dropped: both records pass."""
    records = {"out": X * KEEP, "dx": DOUT * KEEP}
    assert drawn_mask.accepts(_case(), "out", records)
    assert drawn_mask.accepts(_case(), "dx", records)


def test_a_mask_drawn_again_in_backward_fails_the_gradient_only() -> None:
    """The forward value is a dropout by itself; dx through another mask is not this forward's."""
    other = np.roll(KEEP, 1)
    records = {"out": X * KEEP, "dx": DOUT * other}
    assert drawn_mask.accepts(_case(), "out", records)
    assert not drawn_mask.accepts(_case(), "dx", records)


@pytest.mark.parametrize(
    "out, dx, why",
    [
        (X * KEEP / 0.5, DOUT * KEEP / 0.5, "inverted dropout scales while training"),
        (X, DOUT, "nothing dropped"),
        (X * 0, DOUT * 0, "everything dropped"),
        (X * KEEP, DOUT, "backward without the mask"),
    ],
)
def test_what_is_no_dropout_is_refused(out: np.ndarray, dx: np.ndarray, why: str) -> None:
    """Negative controls: scaled, identity, all dropped, an unmasked gradient."""
    records = {"out": out, "dx": dx}
    assert not drawn_mask.accepts(_case(), "dx", records), why


def test_a_count_no_draw_of_the_ratio_gives_is_refused() -> None:
    """19 of 20 dropped at ratio 0.1: P[X >= 19] = 20 * 0.1**19 * 0.9 + 0.1**20, about 1.8e-18."""
    keep = np.zeros((4, 5), dtype=bool)
    keep[0, 0] = True
    records = {"out": X * keep, "dx": DOUT * keep}
    assert not drawn_mask.accepts(_case(ratio=0.1), "out", records)
    assert drawn_mask.accepts(_case(ratio=0.9), "out", records)  # 19 of 20 at 0.9: plausible


def test_a_known_mistake_the_seed_reproduces_stays_that_mistake() -> None:
    """Records equal to a known mistake's prediction are never accepted as another draw."""
    records = {"out": X * KEEP, "dx": DOUT * KEEP}
    assert not drawn_mask.accepts(_case({"some_mistake": {"out": X * KEEP}}), "dx", records)


def test_the_test_time_case_draws_nothing_and_is_not_read() -> None:
    """train_flg False: no draw, compared as it is."""
    case = _case()
    steps = list(case.steps)
    steps[0] = {**steps[0], "settings": {**steps[0]["settings"], "train_flg": False}}
    test_time = Case(**{**case.__dict__, "steps": tuple(steps)})
    assert not drawn_mask.accepts(test_time, "out", {"out": X * KEEP, "dx": DOUT * KEEP})


MIXED = np.array([-0.79, 0.24, -1.9, 1.4, 0.64, -0.29, -0.31, 0.3, -0.27, -0.23,
                  0.72, 0.51, -0.06, -0.09, 0.16, -0.61, -0.4, 0.55, -0.13, -1.37]).reshape(4, 5)  # fmt: skip


@pytest.mark.parametrize(
    "keep, why",
    [
        (MIXED > 0.5, "x > self.dropout_ratio: np.random.rand left out"),
        (MIXED > 0, "Relu's mask"),
        (MIXED < 0.5, "x < self.dropout_ratio"),
    ],
)
def test_a_mask_read_from_x_is_no_draw_and_is_refused(keep: np.ndarray, why: str) -> None:
    """A mask keeping exactly the x above (or below) 0 or the ratio passed every other property."""
    case = Case(**{**_case().__dict__, "inputs": {"x": MIXED, "dout": DOUT}})
    records = {"out": MIXED * keep, "dx": DOUT * keep}
    assert not drawn_mask.accepts(case, "out", records), why
    assert not drawn_mask.accepts(case, "dx", records), why


def test_a_drawn_mask_on_the_same_x_is_accepted() -> None:
    """Control: the alternating mask (10 of 20 dropped, not a threshold of x) on the same x passes."""
    case = Case(**{**_case().__dict__, "inputs": {"x": MIXED, "dout": DOUT}})
    records = {"out": MIXED * KEEP, "dx": DOUT * KEEP}
    assert drawn_mask.accepts(case, "out", records)
    assert drawn_mask.accepts(case, "dx", records)


REDRAW = (
    {"do": "apply", "op": "Dropout", "args": ["x"], "out": "redrawn",
     "settings": {"dropout_ratio": 0.5, "seed": 8, "train_flg": True}},
    {"do": "record", "key": "redrawn", "value_of": "redrawn", "method": "Dropout.forward"},
)  # fmt: skip
OTHER_KEEP = np.array([0, 1] * 10, dtype=bool).reshape(4, 5)  # 10 of 20 dropped, none kept where KEEP keeps


def _redrawn_case() -> Case:
    """The shipped training cases' shape: the draw, its backward, the same Dropout's forward on x again after
    another seed whose forward value is recorded as `redrawn`."""
    case = _case()
    steps = (*case.steps[:2], REDRAW[0], *case.steps[2:], REDRAW[1])
    return Case(**{**case.__dict__, "steps": steps, "expected": {**case.expected, "redrawn": X * KEEP}})


def test_two_draws_that_keep_other_units_are_accepted() -> None:
    """Each record is a dropout and the second draw keeps other units: out, dx and redrawn all pass."""
    records = {"out": X * KEEP, "dx": DOUT * KEEP, "redrawn": X * OTHER_KEEP}
    for key in ("out", "dx", "redrawn"):
        assert drawn_mask.accepts(_redrawn_case(), key, records), key


@pytest.mark.parametrize(
    "keep, why",
    [
        (KEEP, "a fixed pattern by position (np.arange(x.size) % 2 == 0)"),
        (np.greater(X, X.mean()), "x > x.mean(): read from x at a threshold neither 0 nor the ratio"),
    ],
)
def test_a_mask_that_is_the_same_at_every_call_is_no_draw(keep: np.ndarray, why: str) -> None:
    """A mask of the layer's arguments alone keeps the same units after another seed: every record fails,
    though each alone is a dropout (sample dropout_fixed_pattern.py got 8 of 8)."""
    records = {"out": X * keep, "dx": DOUT * keep, "redrawn": X * keep}
    assert drawn_mask.accepts(_case(), "dx", records), "alone, it has every other property"
    for key in ("out", "dx", "redrawn"):
        assert not drawn_mask.accepts(_redrawn_case(), key, records), (key, why)


def test_a_redraw_that_is_no_dropout_proves_nothing() -> None:
    """The second draw must be a dropout itself: a redrawn value that scales (inverted dropout) leaves the
    first draw unproven."""
    records = {"out": X * KEEP, "dx": DOUT * KEEP, "redrawn": X * OTHER_KEEP / 0.5}
    assert not drawn_mask.accepts(_redrawn_case(), "out", records)
    assert not drawn_mask.accepts(_redrawn_case(), "redrawn", records)


def test_the_other_draw_is_only_compared() -> None:
    """The redraw is asked only to keep other units, not to pass every property again (a right draw would
    be refused twice as often): a redraw that dropped nothing still shows the first draw was no fixed mask,
    while `redrawn` itself, judged as a draw, fails."""
    records = {"out": X * KEEP, "dx": DOUT * KEEP, "redrawn": X}
    assert drawn_mask.accepts(_redrawn_case(), "out", records)
    assert drawn_mask.accepts(_redrawn_case(), "dx", records)
    assert not drawn_mask.accepts(_redrawn_case(), "redrawn", records)


def _two_inputs_case() -> Case:
    """An instructor's case of two training Dropouts on two inputs, x (4, 5) and y (2, 3), each recorded with
    its gradient: neither is the other's redraw."""
    y, dy = np.arange(1.0, 7.0).reshape(2, 3), -np.arange(1.0, 7.0).reshape(2, 3) / 10
    on_y = (
        {"do": "apply", "op": "Dropout", "args": ["y"], "out": "out_y",
         "settings": {"dropout_ratio": 0.5, "seed": 8, "train_flg": True}},
        {"do": "backward_local", "of": "out_y", "upstream": "dout_y"},
        {"do": "record", "key": "out_y", "value_of": "out_y", "method": "Dropout.forward"},
        {"do": "record", "key": "dy", "grad_of": "y", "via": "out_y", "method": "Dropout.backward"},
    )  # fmt: skip
    case = _case()
    book_y = np.array([[1, 1, 0], [0, 0, 1]], dtype=bool)
    return Case(
        **{
            **case.__dict__,
            "inputs": {**case.inputs, "y": y, "dout_y": dy},
            "steps": (*case.steps, *on_y),
            "expected": {**case.expected, "out_y": y * book_y, "dy": dy * book_y},
        }
    )


def test_draws_on_other_inputs_are_not_compared() -> None:
    """A valid draw of the student's own in each of two Dropouts on other inputs passes: the other draw is no
    redraw of the same x (as merged, its other shape, or an input the case does not hold, refused both)."""
    keep_y = np.array([[0, 1, 1], [1, 0, 0]], dtype=bool)  # 3 of 6 dropped, not the book's
    case = _two_inputs_case()
    y, dy = case.inputs["y"], case.inputs["dout_y"]
    records = {"out": X * KEEP, "dx": DOUT * KEEP, "out_y": y * keep_y, "dy": dy * keep_y}
    for key in ("out", "dx", "out_y", "dy"):
        assert drawn_mask.accepts(case, key, records), key


def test_a_fixed_pattern_is_still_refused_beside_a_draw_on_another_input() -> None:
    """Control: with the redraw of x in the case too, a fixed mask of x fails while y's draw passes."""
    case = _two_inputs_case()
    redrawn = _redrawn_case()
    both = Case(
        **{
            **case.__dict__,
            "steps": (*redrawn.steps, *case.steps[len(STEPS) :]),
            "expected": {**case.expected, "redrawn": redrawn.expected["redrawn"]},
        }
    )
    keep_y = np.array([[0, 1, 1], [1, 0, 0]], dtype=bool)
    y, dy = case.inputs["y"], case.inputs["dout_y"]
    records = {"out": X * KEEP, "dx": DOUT * KEEP, "redrawn": X * KEEP}
    records |= {"out_y": y * keep_y, "dy": dy * keep_y}
    assert not drawn_mask.accepts(both, "out", records)
    assert drawn_mask.accepts(both, "out_y", records)


X40 = np.arange(1.0, 41.0).reshape(5, 8)  # the stored case's shape since session 30, no zero
DOUT40 = -X40 / 10
COUNTER = (np.arange(40) + 1) % 10 >= 3  # (arange + calls) % 10 >= 10 * 0.3 at the first call: 12 dropped


def _case40() -> Case:
    """The redrawn case on x (5, 8) at ratio 0.3."""
    case = _redrawn_case()
    steps = tuple(
        {**s, "settings": {**s["settings"], "dropout_ratio": 0.3}} if s.get("op") == "Dropout" else s
        for s in case.steps
    )
    book = np.ones((5, 8), dtype=bool)
    return Case(
        **{
            **case.__dict__,
            "inputs": {"x": X40, "dout": DOUT40},
            "steps": steps,
            "expected": {"out": X40 * book, "dx": DOUT40 * book, "redrawn": X40 * book},
        }
    )


@pytest.mark.parametrize(
    "second, why",
    [
        (np.roll(COUNTER, -1), "the counter's next call: the pattern shifted by one unit"),
        ((np.arange(40) + 7) % 10 >= 3, "six calls on: shifted by six"),
        (np.roll(COUNTER.reshape(5, 8), 1, axis=1).ravel(), "each row rolled by one"),
        (np.concatenate([COUNTER[3:], [True, False, True]]), "shifted by three, new units at the end"),
    ],
)
def test_a_pattern_moved_along_from_call_to_call_is_no_draw(second: np.ndarray, why: str) -> None:
    """On 40 elements at 0.3 a second call that is the first mask moved along (rolled, or shifted with 37 of
    40 still compared) is a pattern stepped on by a counter, not a draw: two right draws agree on 37 given
    elements with probability 0.58**37, about 2e-9. Every record fails (sample dropout_class_counter.py got
    8 of 8)."""
    first, second = COUNTER.reshape(5, 8), second.reshape(5, 8)
    records = {"out": X40 * first, "dx": DOUT40 * first, "redrawn": X40 * second}
    for key in ("out", "dx", "redrawn"):
        assert not drawn_mask.accepts(_case40(), key, records), (key, why)


def test_two_right_draws_on_forty_elements_are_accepted() -> None:
    """Control: two draws of np.random.RandomState(1) at 0.3 (13 and 12 of 40 dropped), neither a shift of
    the other, pass every record."""
    rand = np.random.RandomState(1).rand(2, 5, 8)
    first, second = rand[0] > 0.3, rand[1] > 0.3
    records = {"out": X40 * first, "dx": DOUT40 * first, "redrawn": X40 * second}
    for key in ("out", "dx", "redrawn"):
        assert drawn_mask.accepts(_case40(), key, records), key


def test_shifts_are_asked_only_where_a_right_draw_is_refused_at_most_once_in_a_million() -> None:
    """By hand: at 40 elements and 0.3 (q = 0.58) the 50 rolls cost 50 * 0.58**40, about 1.7e-8, and flat
    shifts with 29 to 39 elements compared 2 * (0.58**29 + ... + 0.58**39), about 6.5e-7 (28 would add
    2 * 0.58**28, 4.8e-7: 1.15e-6 in all, past 1e-6). At the drawn copies' 18 and 0.4 (q = 0.52) the 24
    rolls alone cost 24 * 0.52**18, about 1.9e-4: no shift is asked, and a moved pattern passes there."""
    q = 0.3**2 + 0.7**2
    assert drawn_mask._shift_overlaps(40, q, 50) == range(29, 40)
    assert drawn_mask._shift_overlaps(18, 0.4**2 + 0.6**2, 24) is None


def _moved_by_np_roll(mine: np.ndarray, other: np.ndarray, ratio: float) -> bool:
    """The moved-pattern check written the plain way (as first merged): every np.roll and shift compared."""
    overlaps = drawn_mask._shift_overlaps(
        mine.size, ratio**2 + (1 - ratio) ** 2, sum(s - 1 for s in mine.shape) + mine.size - 1
    )
    if overlaps is None:
        return False
    rolls = [np.roll(mine, s, axis=axis) for axis, size in enumerate(mine.shape) for s in range(1, size)]
    rolls += [np.roll(mine.ravel(), s).reshape(mine.shape) for s in range(1, mine.size)]
    a, b, n = mine.ravel(), other.ravel(), mine.size
    return any(np.array_equal(r, other) for r in rolls) or any(
        np.array_equal(a[n - o :], b[:o]) or np.array_equal(a[:o], b[n - o :]) for o in overlaps
    )


@pytest.mark.parametrize("shape", [(5, 8), (40,), (2, 3, 7), (6, 1, 9)])
def test_the_moved_check_finds_every_roll_and_shift_the_plain_one_does(shape: tuple[int, ...]) -> None:
    """Every roll along each axis and in flat order, every shift asked, and unmoved draws: the same answer as
    np.roll of each (the check compares memory, which stops at the first difference)."""
    rng = np.random.default_rng(3)
    mine = rng.random(shape) > 0.3
    flat = mine.ravel()
    seconds = [np.roll(mine, s, axis=k) for k, size in enumerate(shape) for s in range(1, size)]
    seconds += [np.roll(flat, s).reshape(shape) for s in range(1, mine.size)]
    seconds += [np.concatenate([flat[s:], rng.random(s) > 0.3]).reshape(shape) for s in range(1, 12)]
    seconds += [np.concatenate([rng.random(s) > 0.3, flat[:-s]]).reshape(shape) for s in range(1, 12)]
    seconds += [rng.random(shape) > 0.3 for _ in range(50)]
    answers = [drawn_mask._moved(mine, second, 0.3) for second in seconds]
    assert answers == [_moved_by_np_roll(mine, second, 0.3) for second in seconds]
    assert any(answers) and not all(answers)


def test_the_moved_check_on_a_large_case_is_linear_not_quadratic() -> None:
    """x (100, 300), an instructor's case of a batch of hidden activations: np.roll of every shift took 36 s
    and 0.9 GB for one record (three records a submission); two right draws are told apart holding a few
    copies of the mask at most (memory traced, a count, not a time), and a roll by one row is still found."""
    import tracemalloc

    rng = np.random.default_rng(5)
    mine, other = rng.random((100, 300)) > 0.5, rng.random((100, 300)) > 0.5
    rolled = np.roll(mine, 1, axis=0)
    tracemalloc.start()
    try:
        assert not drawn_mask._moved(mine, other, 0.5)
        assert drawn_mask._moved(mine, rolled, 0.5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * mine.nbytes, peak


# DeZero's step-54 dropout (stage step54): the function `dropout`, inverted (the kept units divided by
# 1 - dropout_ratio while training), y.backward() from gy, then the same function on x again after another
# seed, recorded as `redrawn` (fixtures/dezero/sources/step54.json's shape, at ratio 0.5: kept * 2).
DZ_STEPS = (
    {"do": "apply", "op": "dropout", "args": ["x"], "out": "y",
     "settings": {"dropout_ratio": 0.5, "seed": 5, "train": True}},
    {"do": "backward", "of": "y", "upstream": "gy"},
    {"do": "apply", "op": "dropout", "args": ["x"], "out": "y2",
     "settings": {"dropout_ratio": 0.5, "seed": 6, "train": True}},
    {"do": "record", "key": "value", "value_of": "y", "method": "dropout"},
    {"do": "record", "key": "dx", "grad_of": "x", "method": "dropout"},
    {"do": "record", "key": "redrawn", "value_of": "y2", "method": "dropout"},
)  # fmt: skip


def _dezero_case(known: dict | None = None, train: bool = True) -> Case:
    steps = [dict(step) for step in DZ_STEPS]
    for i in (0, 2):
        steps[i] = {**steps[i], "settings": {**steps[i]["settings"], "train": train}}
    book = ~KEEP  # the book's mask: another one
    return Case(
        id="step54-dropout-train", name="d", kind="graph", target="Dropout",
        inputs={"x": X, "gy": DOUT}, steps=tuple(steps),
        expected={"value": X * book * 2, "dx": DOUT * book * 2, "redrawn": X * KEEP * 2},
        tolerance=Tolerance(), points=2.0, known_mistakes=known or {},
    )  # fmt: skip


def test_a_dezero_dropout_of_its_own_draw_scaled_by_one_over_one_minus_ratio_is_accepted() -> None:
    """y = x * mask / 0.5, gx = gy * mask / 0.5, another mask after another seed: every record passes, and
    the message says DeZero's scaled dropout, not DLFS's x or 0."""
    records = {"value": X * KEEP * 2, "dx": DOUT * KEEP * 2, "redrawn": X * OTHER_KEEP * 2}
    for key in ("value", "dx", "redrawn"):
        assert drawn_mask.accepts(_dezero_case(), key, records), key
    assert "x / (1 - dropout_ratio) or 0" in drawn_mask.note(_dezero_case())
    assert "each element x or 0" in drawn_mask.note(_case())


@pytest.mark.parametrize(
    "scale, why",
    [
        (1.0, "not scaled (dropout_not_scaled, DLFS's train-time Dropout) with a mask of its own"),
        (1 / 0.5**2, "scaled twice"),
        (0.5, "multiplied by 1 - dropout_ratio"),
    ],
)
def test_a_dezero_dropout_of_its_own_draw_with_another_scale_is_refused(scale: float, why: str) -> None:
    """Negative controls: the kept units must be x / (1 - dropout_ratio) exactly, in both passes."""
    records = {"value": X * KEEP * scale, "dx": DOUT * KEEP * scale, "redrawn": X * OTHER_KEEP * scale}
    for key in ("value", "dx", "redrawn"):
        assert not drawn_mask.accepts(_dezero_case(), key, records), (key, why)


def test_a_dezero_dropout_whose_mask_is_the_same_at_every_call_is_refused() -> None:
    """A fixed pattern, scaled right, keeps the same units after seed 6: no record passes."""
    records = {"value": X * KEEP * 2, "dx": DOUT * KEEP * 2, "redrawn": X * KEEP * 2}
    for key in ("value", "dx", "redrawn"):
        assert not drawn_mask.accepts(_dezero_case(), key, records), key


def test_a_dezero_known_mistake_and_the_test_mode_are_not_read() -> None:
    """Records a known mistake predicts stay that mistake; with `train` false nothing is drawn."""
    records = {"value": X * KEEP * 2, "dx": DOUT * KEEP * 2, "redrawn": X * OTHER_KEEP * 2}
    assert not drawn_mask.accepts(_dezero_case({"m": {"value": X * KEEP * 2}}), "value", records)
    assert not drawn_mask.accepts(_dezero_case(train=False), "value", records)
