"""DeZero's DataLoader judged by grader/judge/loader_order.py through judge_case: the numbers are the stored
case's data written out here by hand (x (8, 2), distinct labels t, the transform x * 2, batches of 3, 3 and
2), never read from the grader."""

from __future__ import annotations

import numpy as np

from grader.judge import judge_case
from grader.judge.results import CaseResult
from grader.model import Case, CaseOutput, Tolerance

X = np.arange(16.0).reshape(8, 2) / 4 - 1
T = np.array([3.0, 0.0, 6.0, 1.0, 7.0, 4.0, 2.0, 5.0])
SIZES = np.array([3.0, 3.0, 2.0])
# two draws of a right shuffle: each a permutation of the indices, the second another order
FIRST = np.array([4, 5, 6, 2, 1, 3, 7, 0])
SECOND = np.array([0, 1, 4, 3, 2, 7, 6, 5])
IN_ORDER = np.arange(8)


def _case(shuffle: bool) -> Case:
    step = {
        "do": "dataloader",
        "args": ["x", "t"],
        "out": "loader",
        "settings": {"batch_size": 3, "epochs": 2, "shuffle": shuffle},
    }
    expected = {"loader_items_x": X * 2, "loader_items_t": T, "loader_len": np.array(8.0)}
    for epoch in (0, 1):  # the data's order: what the stored case holds, shuffled or not
        expected |= {f"loader_e{epoch}_sizes": SIZES, f"loader_e{epoch}_x": X * 2, f"loader_e{epoch}_t": T}
    return Case(
        id="step50-dataloader-shuffle" if shuffle else "step50-dataloader", name="d", kind="behaviour",
        target="DataLoader", inputs={"x": X, "t": T}, steps=(step,), expected=expected,
        tolerance=Tolerance(), points=2.0,
    )  # fmt: skip


def _records(*orders: np.ndarray) -> dict[str, np.ndarray]:
    records = {"loader_items_x": X * 2, "loader_items_t": T, "loader_len": np.array(8.0)}
    for epoch, order in enumerate(orders):
        records |= {f"loader_e{epoch}_sizes": SIZES, f"loader_e{epoch}_x": X[order] * 2,
                    f"loader_e{epoch}_t": T[order]}  # fmt: skip
    return records


def _judged(shuffle: bool, *orders: np.ndarray) -> CaseResult:
    case = _case(shuffle)
    return judge_case(case, CaseOutput(case.id, "ok", _records(*orders)), None, family="dezero")


def test_a_right_shuffle_passes_whatever_its_draw() -> None:
    result = _judged(True, FIRST, SECOND)
    assert (result.status, result.points) == ("passed", 2.0), result.message


def test_a_loader_that_never_shuffles_fails_the_shuffled_case() -> None:
    """DataLoader(ds, shuffle=True) whose reset sets np.arange whatever self.shuffle says: both epochs in the
    data's order. Each epoch's labels fail (2 of 9 checks), told as a shuffle left out; on main this passed
    with full marks (the data's order is what the stored case holds)."""
    result = _judged(True, IN_ORDER, IN_ORDER)
    failed = [c for c in result.checks if not c.passed]
    assert [c.key for c in failed] == ["loader_e0_t", "loader_e1_t"]
    assert result.status == "failed" and abs(result.points - 2.0 * 7 / 9) < 1e-9
    for check in failed:
        assert check.message.startswith("DataLoader.reset: epoch"), check.message
        assert "in the data's order" in check.message and "np.random.permutation" in check.message


def test_a_first_epoch_left_in_order_fails_alone() -> None:
    """An __init__ that sets np.arange and a reset that shuffles: the first epoch is unshuffled."""
    result = _judged(True, IN_ORDER, SECOND)
    assert [c.key for c in result.checks if not c.passed] == ["loader_e0_t"]


def test_the_same_draw_at_every_epoch_fails_the_second() -> None:
    result = _judged(True, FIRST, FIRST)
    (failed,) = [c for c in result.checks if not c.passed]
    assert failed.key == "loader_e1_t" and "epoch 2 came in epoch 1's order" in failed.message


def test_the_data_order_is_right_where_shuffle_is_off() -> None:
    assert _judged(False, IN_ORDER, IN_ORDER).status == "passed"
    assert _judged(False, FIRST, SECOND).status == "failed"


def test_right_labels_beside_a_wrong_x_cost_the_x_check_alone() -> None:
    """Each epoch's labels a right draw, its x of another shape (one column of two): the x checks fail, the
    labels pass. On main the labels failed too, told "the x beside them are not their own rows"."""
    case = _case(True)
    records = _records(FIRST, SECOND)
    for epoch in (0, 1):
        records[f"loader_e{epoch}_x"] = records[f"loader_e{epoch}_x"][:, :1]
    result = judge_case(case, CaseOutput(case.id, "ok", records), None, family="dezero")
    assert [c.key for c in result.checks if not c.passed] == ["loader_e0_x", "loader_e1_x"]


def test_a_shuffle_message_and_its_method_column_name_one_method() -> None:
    """Session 34: a failing epoch's labels are told about DataLoader.reset, and the check's method (the
    report's column, blame's grouping) said DataLoader.__next__; it names DataLoader.reset now. A draw with
    repeats but none missing (or the reverse) names only what happened: it read "labels [] come more than
    once and [5] never"."""
    never = [c for c in _judged(True, IN_ORDER, IN_ORDER).checks if not c.passed]
    assert [(c.method, c.message.split(":")[0]) for c in never] == [
        ("DataLoader.reset", "DataLoader.reset")
    ] * 2
    repeats = np.array([4, 4, 6, 2, 1, 3, 7, 0])  # index 4 (label 7) twice, index 5 (label 4) never
    (labels,) = [c for c in _judged(True, repeats, SECOND).checks if not c.passed and c.key == "loader_e0_t"]
    assert labels.method == "DataLoader.reset"
    assert "(labels 7 came more than once and 4 never)" in labels.message, labels.message
    assert "[]" not in labels.message
