"""mistake_support() and ranked(): the mistake that explains the submission names an ambiguous record."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.judge.support import AGAINST, contradicted, mistake_support, ranked
from grader.model import Case, Tolerance


def _case(cid, expected, known):
    return Case(
        id=cid,
        name=cid,
        kind="behaviour",
        target=None,
        inputs={},
        steps=(),
        expected={k: np.array(v) for k, v in expected.items()},
        tolerance=Tolerance(),
        points=1.0,
        known_mistakes={
            m: {k: None if v is None else np.array(v) for k, v in r.items()} for m, r in known.items()
        },
    )


# Values from FACTS.md and reference/mutations.py: add(x, x) gives 1 under both mistakes; add(square(x),
# square(y)) at (2, 3) leaves y.grad None only when Add.backward returns one gradient.
ADD_TWICE = _case("add-twice", {"dx": 2.0}, {"overwrite": {"dx": 1.0}, "add_one": {"dx": 1.0}})
SUM_OF_SQUARES = _case("sum-of-squares", {"dy": 6.0}, {"add_one": {"dy": None}})


def _for(support):
    """The support itself, without the counts against each mistake (`contradicted` reads those)."""
    return {k: v for k, v in support.items() if not k.startswith(AGAINST)}


def test_support_counts_explained_minus_contradicted_records():
    """An Add that returns one gradient explains both cases (+2); the overwrite mistake explains one (+1).
    A student who only overwrote is right on sum-of-squares, which counts against add_one (1 - 1 = 0)."""
    add_one_student = [(ADD_TWICE, {"dx": np.array(1.0)}), (SUM_OF_SQUARES, {"dy": None})]
    assert _for(mistake_support(add_one_student)) == {"overwrite": 1, "add_one": 2}
    overwrite_student = [(ADD_TWICE, {"dx": np.array(1.0)}), (SUM_OF_SQUARES, {"dy": np.array(6.0)})]
    assert _for(mistake_support(overwrite_student)) == {"overwrite": 1, "add_one": 0}


def test_unrelated_or_absent_records_count_for_nothing():
    """A record no mistake reproduces, or one the run never produced, leaves support at zero."""
    assert _for(mistake_support([(ADD_TWICE, {"dx": np.array(7.0)})])) == {}
    assert mistake_support([(ADD_TWICE, {})]) == {}


def test_a_record_against_a_mistake_contradicts_it_without_changing_its_support():
    """A right record a mistake would change, or a wrong record it would make wrong another way, contradicts
    it (review of s21-real2: arith_no_sum_to named on a student whose Sub was right, nothing counted against
    it); a record it reproduces, or one it leaves alone, does not (controls). The support is unchanged."""
    overwrite_student = [(ADD_TWICE, {"dx": np.array(1.0)}), (SUM_OF_SQUARES, {"dy": np.array(6.0)})]
    assert contradicted(mistake_support(overwrite_student), ["overwrite", "add_one"]) == {"add_one"}
    other_wrong = mistake_support([(ADD_TWICE, {"dx": np.array(7.0)})])
    assert contradicted(other_wrong, ["overwrite", "add_one", "never"]) == {"overwrite", "add_one"}
    add_one_student = [(ADD_TWICE, {"dx": np.array(1.0)}), (SUM_OF_SQUARES, {"dy": None})]
    assert contradicted(mistake_support(add_one_student), ["overwrite", "add_one"]) == frozenset()


def test_ranked_orders_by_support_then_keeps_registry_order():
    """Higher support first; ties keep the order they came in (the registry's)."""
    known = {"a": 1.0, "b": 2.0, "c": 3.0}
    assert list(ranked(known, {"c": 2, "b": 2})) == ["b", "c", "a"]
    assert list(ranked(known, {})) == ["a", "b", "c"]


def test_a_hidden_cases_records_never_rank_the_mistakes_of_a_case_shown_before_it():
    """add(x, x) giving 1 fits two known mistakes; a hidden sum-of-squares whose y.grad is None backs the Add
    returning one gradient, and counted over every case it would name the visible case's mistake (control).
    grade() ranks a case's mistakes by the cases of its own phase and the earlier ones: the visible hint is
    the registry's first (a tie), whatever the hidden case answered, which a hidden-phase process could
    choose from a hidden input."""
    import dataclasses

    from grader.judge import grade, judge_case
    from grader.model import CaseOutput, LoadInfo, RunResult

    known = {"overwrite_not_accumulate": {"dx": 1.0}, "add_one_gradient": {"dx": 1.0}}
    twice = _case("add-twice", {"dx": 2.0}, known)
    squares = dataclasses.replace(
        _case("sum-of-squares", {"dy": 6.0}, {"add_one_gradient": {"dy": None}}), visibility="hidden"
    )
    meta = {"assignment": {"id": "dezero", "title": "DeZero", "family": "dezero"}}
    seen = CaseOutput("add-twice", "ok", {"dx": np.array(1.0)})

    def visible_hint(hidden_dy: object) -> str:
        outputs = {"add-twice": seen, "sum-of-squares": CaseOutput("sum-of-squares", "ok", {"dy": hidden_dy})}
        load = LoadInfo({"dezero": "dezero.py"}, {}, (), {})
        report = grade([twice, squares], RunResult("bwrap", load, outputs, None, "", "", 0.1), meta)
        diagnosis = report.cases[0].diagnosis
        assert diagnosis is not None
        return diagnosis.hint

    every = mistake_support([(twice, seen.records), (squares, {"dy": None})])
    ranked_by_every = judge_case(twice, seen, None, every).diagnosis
    assert ranked_by_every is not None and "Add.backward returns one gradient" in ranked_by_every.hint
    assert visible_hint(None) == visible_hint(np.array(6.0)) == visible_hint(np.array(7.0))
    assert "assigns x.grad = gx" in visible_hint(None), visible_hint(None)


def test_phases_of_one_submission_share_each_cases_count(monkeypatch):
    """The judge counts support per phase over that phase and the ones before it, so an early case is in
    several counts: with one `shares` dict its records are compared with its known mistakes once, and every
    count is what it is alone (the add_one student above; the visible case counted again for a later one)."""
    import grader.judge.support as support

    compared = []
    real = support.values_match

    def counted(got, expected, tol):
        compared.append(1)
        return real(got, expected, tol)

    monkeypatch.setattr(support, "values_match", counted)
    visible = [(ADD_TWICE, {"dx": np.array(1.0)})]
    later = [*visible, (SUM_OF_SQUARES, {"dy": None})]
    shares: dict[str, dict[str, int]] = {}
    assert mistake_support(visible, shares) == {"overwrite": 1, "add_one": 1}
    first = len(compared)
    assert mistake_support(later, shares) == {"overwrite": 1, "add_one": 2}
    assert len(compared) - first == 2  # sum-of-squares alone: its expected dy, then add_one's None
    assert shares.keys() == {"add-twice", "sum-of-squares"}


def test_a_lazy_supports_lookups_are_its_dicts_without_a_keyerror_each(monkeypatch):
    """`ranked` and `contradicted` ask a submission's support mostly for names no record supports: the
    dict's own `get` and `in` answer them (Mapping's mixins went through __getitem__ and a KeyError each),
    with the answers a plain dict gives."""
    from grader.judge.support import LazySupport

    pairs = [(ADD_TWICE, {"dx": np.array(1.0)}), (SUM_OF_SQUARES, {"dy": np.array(6.0)})]
    lazy, plain = LazySupport(pairs), mistake_support(pairs)
    monkeypatch.setattr(LazySupport, "__getitem__", lambda self, name: pytest.fail(f"__getitem__({name!r})"))
    for name in ("overwrite", "add_one", "absent", AGAINST + "add_one"):
        assert lazy.get(name) == plain.get(name) and lazy.get(name, 0) == plain.get(name, 0)
        assert (name in lazy) == (name in plain)
    known = {"add_one": 1.0, "overwrite": 1.0, "absent": 1.0}
    assert list(ranked(known, lazy)) == list(ranked(known, plain))
    assert contradicted(lazy, known) == contradicted(plain, known)


def _unit(cid, expected, known):
    return dataclasses.replace(_case(cid, expected, known), kind="unit")


def test_a_mistake_a_unit_case_proves_is_not_contradicted_by_a_second_mistakes_records():
    """sum_to without the leading axes, proven by its own unit case, beside Linear's gb = gy: the network's
    db2, which only gb = gy reproduces, no longer contradicts the sum_to mistake; without the unit case's
    proof, or against a right record, it still does (book_step43_sum_to_no_lead_linear_gb_gy/)."""
    unit = _unit("sum-to-lead-unit", {"value": [3.0]}, {"no_lead": {"value": [1.0, 2.0]}})
    net = _case("two-layer", {"db2": [4.0]}, {"no_lead": {"db2": [[4.0]]}, "gb_gy": {"db2": [[1.0], [3.0]]}})
    proven = mistake_support(
        [(unit, {"value": np.array([1.0, 2.0])}), (net, {"db2": np.array([[1.0], [3.0]])})]
    )
    assert contradicted(proven, ["no_lead", "gb_gy"]) == frozenset()
    unproven = mistake_support([(net, {"db2": np.array([[1.0], [3.0]])})])
    assert contradicted(unproven, ["no_lead"]) == {"no_lead"}
    right = mistake_support([(unit, {"value": np.array([1.0, 2.0])}), (net, {"db2": np.array([4.0])})])
    assert contradicted(right, ["no_lead"]) == {"no_lead"}


def _support_asking_every_mistake(case, records):
    """case_support as it was: every known mistake tested for every record (the oracle of the test below)."""
    from grader.judge.compare import values_match
    from grader.judge.support import EXCUSED, PROVEN

    support: dict[str, int] = {}
    for key, expected in case.expected.items():
        if key not in records:
            continue
        tol = case.tolerance_of(key)
        right = values_match(records[key], expected, tol)
        changes = case.mistake_changes
        fits = (
            set()
            if right
            else {
                n
                for n, predicted in case.known_mistakes.items()
                if key in changes[n] and values_match(records[key], predicted[key], tol)
            }
        )
        for name in case.known_mistakes:
            if key not in changes[name]:
                continue
            if right:
                support[name] = support.get(name, 0) - 1
            elif name in fits:
                support[name] = support.get(name, 0) + 1
                if case.kind == "unit" and fits == {name}:
                    support[PROVEN + name] = support.get(PROVEN + name, 0) + 1
                continue
            support[AGAINST + name] = support.get(AGAINST + name, 0) + 1
            if fits:
                support[EXCUSED + name] = support.get(EXCUSED + name, 0) + 1
    return support


@pytest.mark.parametrize("assignment_id", ["miniflow", "dezero"])
def test_each_cases_support_is_the_one_asking_every_mistake(assignment_id):
    """Every case of two shipped plans (seed 0), its records all right, then each known mistake's records in
    turn: the same support, key for key and in the same order, as testing every mistake for every record."""
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.judge.support import case_support

    compared = 0
    for case in cases_for_run(load_assignment(assignment_id), 0):
        runs = [dict(case.expected)]
        runs += [{**case.expected, **predicted} for predicted in case.known_mistakes.values()]
        for records in runs:
            got, oracle = case_support(case, records), _support_asking_every_mistake(case, records)
            assert list(got.items()) == list(oracle.items()), case.id
            compared += bool(oracle)
    assert compared > 50


class _CountingMapping(dict):
    looked_up = 0

    def __getitem__(self, key):
        type(self).looked_up += 1
        return super().__getitem__(key)


def test_a_right_record_never_asks_each_known_mistake_whether_it_changes_it():
    """A case of 40 known mistakes and 5 records, all right, judged for 20 submissions: what each mistake
    changes is read once a case (each mistake for each record: 200 lookups), not again for every
    submission (4,000 before)."""
    keys = [f"r{i}" for i in range(5)]
    known = {f"m{n}": {k: float(n + 2) for k in keys[: 1 + n % 5]} for n in range(40)}
    case = _case("wide", dict.fromkeys(keys, 1.0), known)
    changes = _CountingMapping(case.mistake_changes)
    case.__dict__["mistake_changes"] = changes  # the cached property's slot
    records = {k: np.array(1.0) for k in keys}
    for _ in range(20):
        support = mistake_support([(case, records)])
    assert support["m0"] == -1 and support["m4"] == -5
    assert _CountingMapping.looked_up <= 200
