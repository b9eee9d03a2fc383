"""A case judges an output once a batch: an equal output later gets the same verdict, anything else that
could change a verdict is judged afresh."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.judge import judge_case, judged_once, score
from grader.model import CaseOutput, Failure
from tests.judge.test_score import make_case, right


@pytest.fixture
def judged(monkeypatch):
    """The judge's own work, counted: one entry per output actually judged."""
    calls = []
    real = score._judged

    def counted(case, output, *rest):
        calls.append(output)
        return real(case, output, *rest)

    monkeypatch.setattr(score, "_judged", counted)
    return calls


def _fresh(case, records, **kw):
    fresh = dataclasses.replace(case)  # a case rebuilt by replace keeps nothing of the first one's
    return judge_case(fresh, CaseOutput(fresh.id, "ok", records), None, family="layers", **kw)


def test_an_equal_output_is_judged_once_and_given_the_verdict_a_fresh_case_gives(judged):
    """Two submissions' outputs of equal content (other objects): the second is the first's verdict, judged
    once, equal to what a fresh case judges; a wrong output is the same."""
    case = make_case()
    wrong = right(case) | {"dW": right(case)["dW"] + 1.0}
    for records in (right(case), wrong):
        first = judge_case(case, CaseOutput(case.id, "ok", records), None, family="layers")
        copied = {k: np.array(v, copy=True) for k, v in records.items()}
        second = judge_case(case, CaseOutput(case.id, "ok", copied), None, family="layers")
        assert second is first
        assert first == _fresh(case, records)
    assert len(judged) == 2 + 2  # each content once on the case, once on each fresh case


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r | {"db": -r["db"]},  # -0.0 for 0.0: the same values to a comparison, other bytes
        lambda r: r | {"db": r["db"].reshape(1, 3)},  # the same numbers in another shape
        lambda r: r | {"db": r["db"].astype(np.float32)},  # another dtype
        lambda r: r | {"db": None},
        lambda r: {k: v for k, v in r.items() if k != "db"},  # a record missing
        lambda r: dict(reversed(r.items())),  # the same records in another order
    ],
)
def test_an_output_differing_in_any_byte_type_shape_or_order_is_judged_afresh(judged, change):
    """Content the key tells apart is judged again, and judged as a fresh case judges it."""
    case = make_case()
    judge_case(case, CaseOutput(case.id, "ok", right(case)), None, family="layers")
    other = change(right(case))
    got = judge_case(case, CaseOutput(case.id, "ok", other), None, family="layers")
    assert len(judged) == 2
    assert got == _fresh(case, other)


def test_the_rest_of_what_the_judge_reads_is_in_the_key(judged):
    """The mutated inputs, the failure, the process failure, the family and the cleared classes: any one
    changed is judged again."""
    case = make_case()
    records = right(case)
    outputs = [
        CaseOutput(case.id, "ok", records),
        CaseOutput(case.id, "ok", records, mutated=("dout",)),
        CaseOutput(case.id, "error", records, failure=Failure("exception", "boom")),
        CaseOutput(case.id, "ok", records, handed=("weight_init_std",)),
    ]
    for output in outputs:
        judge_case(case, output, None, family="layers")
    judge_case(case, None, Failure("timeout", "too slow"), family="layers")
    judge_case(case, None, Failure("timeout", "slower"), family="layers")
    judge_case(case, outputs[0], None, family="dezero")
    judge_case(case, outputs[0], None, family="layers", cleared=frozenset({"Affine"}))
    assert len(judged) == 8
    judge_case(case, CaseOutput(case.id, "ok", right(case), mutated=("dout",)), None, family="layers")
    assert len(judged) == 8


def test_a_verdict_that_read_the_support_is_reused_under_an_equal_support_alone(judged):
    """A wrong record ranks known mistakes by the submission's support: under another support it is judged
    again; a right output never reads it, so any support gives its verdict."""
    base = make_case()
    wrong = right(base) | {"dW": right(base)["dW"] + 1.0}
    case = make_case(known_mistakes={"a": {"dW": wrong["dW"]}, "b": {"dW": wrong["dW"]}})
    for support in ({"a": 1}, {"a": 1}, {"a": 2}, {}):
        judge_case(case, CaseOutput(case.id, "ok", wrong), None, support, family="layers")
    assert len(judged) == 3
    for support in ({"a": 1}, {"a": 2}):
        judge_case(case, CaseOutput(case.id, "ok", right(case)), None, support, family="layers")
    assert len(judged) == 4
    ranked_by_b = judge_case(case, CaseOutput(case.id, "ok", wrong), None, {"b": 3}, family="layers")
    assert ranked_by_b == _fresh(case, wrong, support={"b": 3})


def test_a_case_keeps_a_bounded_number_of_small_outputs(judged):
    """At most MAX_KEPT outputs a case, the first ones; an output over MAX_KEY_BYTES is never kept."""
    case = make_case()
    for i in range(judged_once.MAX_KEPT + 5):
        records = right(case) | {"db": np.full(3, float(i))}
        judge_case(case, CaseOutput(case.id, "ok", records), None, family="layers")
    assert judged_once.kept_outputs(case) == judged_once.MAX_KEPT
    late = right(case) | {"db": np.full(3, float(judged_once.MAX_KEPT + 1))}
    judge_case(case, CaseOutput(case.id, "ok", late), None, family="layers")
    assert len(judged) == judged_once.MAX_KEPT + 6
    big = make_case()
    large = right(big) | {"extra": np.zeros(judged_once.MAX_KEY_BYTES // 8 + 1)}
    assert judged_once.output_key(CaseOutput(big.id, "ok", large)) is None


def test_a_case_keeps_a_bounded_number_of_verdicts_over_outputs_and_supports(judged):
    """MAX_KEPT verdicts a case in all: a wrong output met under ever other supports (each submission's own)
    is not kept once per support beside MAX_KEPT outputs (32 * 32 verdicts, each with a copy of its
    support: 16 MB for one four-record case over 2,000 students)."""
    base = make_case()
    wrongs = [right(base) | {"dW": right(base)["dW"] + 1.0 + i} for i in range(judged_once.MAX_KEPT)]
    case = make_case(known_mistakes={f"m{i}": {"dW": w["dW"]} for i, w in enumerate(wrongs)})
    for student in range(4 * judged_once.MAX_KEPT):
        support = {f"m{i}": (student + i) % 7 for i in range(judged_once.MAX_KEPT)}
        output = CaseOutput(case.id, "ok", wrongs[student % len(wrongs)])
        got = judge_case(case, output, None, support, family="layers")
        assert got == _fresh(case, wrongs[student % len(wrongs)], support=support)
    assert judged_once.kept_verdicts(case) == judged_once.MAX_KEPT


def test_a_kept_verdict_holds_under_a_support_equal_in_what_it_read(judged):
    """A verdict is reused under a support that holds the same counts for the names its judgment read (the
    known mistakes of its wrong record), whatever the rest of the support holds; a read name's count changed
    is judged again, and each verdict is a fresh case's under that support."""
    base = make_case()
    wrong = right(base) | {"dW": right(base)["dW"] + 1.0}
    case = make_case(known_mistakes={"a": {"dW": wrong["dW"]}, "b": {"dW": wrong["dW"]}})
    supports = [{"a": 1, "other": 5}, {"a": 1, "other": 6, "more": 2}, {"a": 2, "other": 5}]
    for support in supports:
        got = judge_case(case, CaseOutput(case.id, "ok", wrong), None, support, family="layers")
        assert got == _fresh(case, wrong, support=support)
    assert len(judged) == 2 + len(supports)  # the second support's verdict was the first's


def test_a_judge_that_goes_through_the_whole_support_keeps_all_of_it():
    """Iterating or counting the support makes the whole of it what the verdict read."""
    watched = judged_once._Watched({"a": 1, "b": 2})
    assert (
        watched.get("a") == 1
        and "c" not in watched
        and watched.seen() == (False, (("a", 1), ("c", watched.names["c"])))
    )
    assert judged_once._holds(watched.seen(), {"a": 1, "b": 9}) and not judged_once._holds(
        watched.seen(), {"a": 1, "c": 0}
    )
    list(watched)
    assert watched.seen() == (True, (("a", 1), ("b", 2)))
    assert not judged_once._holds(watched.seen(), {"a": 1, "b": 9})


def test_a_failure_whose_text_passes_the_key_bound_is_never_kept(judged):
    """A failure's message and detail (the student's process wrote them, up to 24,000 characters) count with
    the records: 32 of them at the cap were kept on each case (3 MB a case); a short one is kept."""
    case = make_case()
    detail = "\U0001f600" * 19_000
    for student in range(3):
        failure = Failure("exception", f"boom {student}", f"{student}{detail}")
        judge_case(case, CaseOutput(case.id, "error", {}, failure=failure), None, family="layers")
        judge_case(case, None, Failure("timeout", "too slow", f"{student}{detail}"), family="layers")
    assert judged_once.kept_outputs(case) == 0
    short = CaseOutput(case.id, "error", {}, failure=Failure("exception", "boom", "line 3"))
    judge_case(case, short, None, family="layers")
    assert judged_once.kept_outputs(case) == 1
