"""What the judge reads of a case alone is worked out once a run, and a submission's verdict never leaks
into the next one's."""

from __future__ import annotations

import dataclasses

import numpy as np

from grader.judge import drawn_mask, judge_case, score, upstream, vacuous
from grader.judge.compare import Comparison, compare_as
from grader.judge.per_case import per_case
from grader.judge.results import Check
from grader.model import CaseOutput
from tests.judge.test_drawn_mask import DOUT, KEEP, X, _case
from tests.judge.test_score import make_case, right


def test_a_function_of_a_case_runs_once_per_case_and_arguments():
    """Asked twice, the answer is kept; other arguments or a case rebuilt by replace are worked out anew."""
    calls = []

    @per_case
    def told(case, key):
        calls.append((case.id, key))
        return [case.id, key]

    case = make_case()
    assert told(case, "dW") is told(case, "dW")
    assert told(case, "db") == ["affine-unit", "db"]
    other = dataclasses.replace(case, id="other")
    assert told(other, "dW") == ["other", "dW"]
    assert calls == [("affine-unit", "dW"), ("affine-unit", "db"), ("other", "dW")]


def test_a_cases_records_are_its_steps_order_with_their_wording():
    """The records in the order the case records them, then the expected keys no step records; each with the
    label and method its checks carry, and its tolerance."""
    case = make_case(expected={**make_case().expected, "extra": np.zeros(2)})
    records = score._records(case, "layers")
    assert records is score._records(case, "layers")
    assert [r.key for r in records] == ["value", "dW", "db", "dx", "extra"]
    result = judge_case(case, CaseOutput(case.id, "ok", right(case)), None, family="layers")
    checks = [(c.key, c.label, c.method) for c in result.checks]
    assert [(r.key, r.label, r.method) for r in records] == checks
    assert all(r.tolerance == case.tolerance for r in records)
    assert records[1].who == "Affine.backward: gradient of W (dW)"


def test_judging_a_case_again_judges_the_new_records_alone():
    """A case judged wrong, then right, then wrong again: each verdict is the one a fresh case gives."""
    case = make_case()
    wrong = right(case) | {"dW": right(case)["dW"] + 1.0}
    for records in (wrong, right(case), wrong):
        kept = judge_case(case, CaseOutput(case.id, "ok", records), None, family="layers")
        fresh = make_case()
        assert kept == judge_case(fresh, CaseOutput(fresh.id, "ok", records), None, family="layers")


def test_the_upstream_and_vacuous_readings_are_the_cases_own():
    """The upstream gradients' names and the gradients expected set or None, as the steps say."""
    case = make_case(expected={**make_case().expected, "db": None})
    assert upstream.split_mutated(case, ["dout", "x"]) == (("dout",), ("x",))
    assert upstream.split_mutated(case, []) == ((), ())
    assert vacuous._expected_gradients(case) == (("dW", "dx"), frozenset({"db"}))
    assert vacuous._expected_gradients(case) is vacuous._expected_gradients(case)


def test_a_passing_records_check_is_one_object_a_run_worded_as_a_fresh_one():
    """Two submissions right on a record share its check and its comparison (frozen: nobody changes them),
    worded field for field as the judge words a fresh one; a wrong record's check is its own."""
    case = make_case()
    first = judge_case(case, CaseOutput(case.id, "ok", right(case)), None, family="layers")
    second = judge_case(case, CaseOutput(case.id, "ok", right(case)), None, family="layers")
    for a, b in zip(first.checks, second.checks, strict=True):
        assert a is b
        record = next(r for r in score._records(case, "layers") if r.key == a.key)
        assert a == Check(record.key, record.label, record.method, True, "equal", f"{record.who} is right")
    wrong = right(case) | {"dW": right(case)["dW"] + 1.0}
    # the second output differs from the first in a right record's last bits (still right): not the
    # first's verdict again (grader/judge/judged_once.py), so its wrong record is judged anew
    again = wrong | {"db": wrong["db"] * (1 + 1e-15)}
    assert again["db"].tobytes() != wrong["db"].tobytes()
    one, two = (judge_case(case, CaseOutput(case.id, "ok", r), None, family="layers") for r in (wrong, again))
    bad = [(a, b) for a, b in zip(one.checks, two.checks, strict=True) if not a.passed]
    assert [a.key for a, _ in bad] == ["dW"]
    assert all(a == b and a is not b for a, b in bad)
    got, expected = np.ones((2, 3)), np.ones((2, 3))
    tol = case.tolerance
    assert compare_as(got, expected, tol, "x") is compare_as(got + 0.0, expected, tol, "x")
    assert compare_as(got, expected, tol, "x") == Comparison(True, "equal", "x is right", 0, 6)
    assert compare_as(got + 1, expected, tol, "x") is not compare_as(got + 1, expected, tol, "x")


def test_a_records_passing_checks_are_kept_for_a_few_wordings_only():
    """A record keeps at most _MAX_PASSING passing checks: more wordings are built each time, never kept
    (memory flat whatever a run meets)."""
    record = score._records(make_case(), "layers")[0]
    made = [score._passing(record, "equal", f"wording {i}") for i in range(3 * score._MAX_PASSING)]
    assert len(record.__dict__[score._PASSING]) == score._MAX_PASSING
    assert score._passing(record, "equal", "wording 0") is made[0]
    assert score._passing(record, "equal", "wording 20") is not made[20]
    assert score._passing(record, "equal", "wording 20") == made[20]


def test_a_record_passing_in_two_wordings_gives_each_submission_its_own():
    """One record, three submissions: the book's mask ("is right"), a dropout of its own draw (the drawn
    mask's note), the book's again: each check worded for its own submission, never the wording kept from
    an earlier one (the kept checks are per wording: review of s28-sparent)."""
    case = _case()
    book, own = {"out": X * ~KEEP, "dx": DOUT * ~KEEP}, {"out": X * KEEP, "dx": DOUT * KEEP}
    said = [
        [c.message for c in judge_case(case, CaseOutput(case.id, "ok", r), None, family="layers").checks]
        for r in (book, own, book)
    ]
    right_words = [
        "Dropout.forward: forward value (out) is right",
        "Dropout.backward: gradient of x (dx) is right",
    ]
    assert said[0] == said[2] == right_words
    assert said[1] == [
        f"Dropout.forward: forward value: {drawn_mask.NOTES['Dropout']}",
        f"Dropout.backward: gradient of x: {drawn_mask.NOTES['Dropout']}",
    ]
