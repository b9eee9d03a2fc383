"""cases_for_run: stored plus generated cases, deterministic per seed, with the known mistakes filled in."""

from __future__ import annotations

import json
import pickle
import threading

import numpy as np
import pytest

import grader.cases
from grader.assignments import SHIPPED, fixtures_root, load_assignment
from grader.cases import KnownMistakes, cases_for_run
from grader.model import Case
from grader.schema import ConfigError


def _same_value(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    return a is b


def _fingerprint(cases):
    return [
        (
            c.id,
            {k: v.tobytes() for k, v in c.inputs.items()},
            {k: v.tobytes() if isinstance(v, np.ndarray) else v for k, v in c.expected.items()},
        )
        for c in cases
    ]


@pytest.mark.parametrize("aid", SHIPPED)
def test_deterministic_for_a_seed(aid):
    """The same assignment and seed give the same cases, inputs and expected values, bit for bit."""
    a = load_assignment(aid)
    assert _fingerprint(cases_for_run(a, 2024)) == _fingerprint(cases_for_run(a, 2024))


@pytest.mark.parametrize("aid", SHIPPED)
def test_generated_cases_differ_across_seeds_stored_do_not(aid):
    """Another seed changes every generated case's inputs and leaves stored cases untouched."""
    a = load_assignment(aid)
    one, two = {c.id: c for c in cases_for_run(a, 1)}, {c.id: c for c in cases_for_run(a, 2)}
    assert one.keys() == two.keys()
    for cid, c in one.items():
        same = all(np.array_equal(c.inputs[k], two[cid].inputs[k]) for k in c.inputs)
        assert same != c.generated, cid


@pytest.mark.parametrize("aid", SHIPPED)
def test_case_ids_and_order(aid):
    """Stored cases of the default stage come first in manifest order, then generated ones named <prefix>-1 ..
    <prefix>-count."""
    a = load_assignment(aid)
    ids = [c.id for c in cases_for_run(a, 0)]
    staged = set(a.stage_case_ids())
    expected = [c.fixture for c in a.cases if c.fixture in staged] + [
        f"{g.id}-{k}" for g in a.generated if g.id in staged for k in range(1, g.count + 1)
    ]
    assert ids == expected


def test_generated_expected_values_differ_from_the_stored_ones():
    """A submission that hard-codes the stored (public) answers fails the generated cases."""
    for aid, stored_id, prefix in [
        ("miniflow", "two-layer-graph", "gen-two-layer"),
        ("dezero", "chain-graph", "gen-chain"),
        ("dlfs-layers", "affine-unit", "gen-affine-unit"),
    ]:
        cases = {c.id: c for c in cases_for_run(load_assignment(aid), 11)}
        stored = cases[stored_id]
        for cid in (f"{prefix}-1", f"{prefix}-2"):
            gen = cases[cid]
            assert gen.expected.keys() == stored.expected.keys()
            for key, value in gen.expected.items():
                assert value.shape == stored.expected[key].shape
                assert not np.allclose(value, stored.expected[key]), (cid, key)


def test_include_filters_by_visibility():
    """include=("visible",) keeps only visible cases (what `grader check` runs)."""
    cases = cases_for_run(load_assignment("dezero"), 3, include=("visible",))
    assert cases and {c.visibility for c in cases} == {"visible"}
    assert not any(c.generated for c in cases)
    with pytest.raises(ConfigError, match="unknown visibility secret"):
        cases_for_run(load_assignment("dezero"), 3, include=("secret",))


def test_job_view_never_carries_expected_values():
    """The sandbox's view of a case has inputs and steps only."""
    for c in cases_for_run(load_assignment("miniflow"), 5):
        assert set(c.job_view()) == {"id", "kind", "target", "inputs", "steps"}


def test_known_mistakes_match_the_documented_signatures():
    """FACTS.md section 4: add(x, x) without += gives 1; the diamond without generation order gives 32."""
    cases = {c.id: c for c in cases_for_run(load_assignment("dezero"), 0)}
    add_twice = cases["add-twice-documented"].known_mistakes
    assert float(add_twice["overwrite_not_accumulate"]["dx_1"]) == 1.0
    # Without cleargrad the second result accumulates: 2 + 3 = 5 (FACTS.md section 2).
    assert float(add_twice["no_cleargrad"]["dx_2"]) == 5.0
    diamond = cases["diamond-documented"].known_mistakes
    assert float(diamond["no_generation_order"]["dx"]) == 32.0
    assert "y" not in diamond["no_generation_order"]  # the forward value is right, so it is not kept


def test_known_mistakes_keep_only_differing_records():
    """Every kept record differs from the expected one (control: right records are never kept)."""
    for aid in SHIPPED:
        for c in cases_for_run(load_assignment(aid), 0):
            for code, records in c.known_mistakes.items():
                assert records, (c.id, code)
                for key, value in records.items():
                    assert not _same_value(value, c.expected[key]), (c.id, code, key)


def test_known_mistakes_are_worked_out_once_on_first_read():
    """KnownMistakes runs the mutations only when read, once however often (and from however many threads)
    it is read, and pickles as the plain dict it stands for."""
    calls = []

    def compute():
        calls.append(1)
        return {"overwrite_not_accumulate": {"dx": np.array(1.0)}}

    lazy = KnownMistakes(compute)
    assert calls == []
    threads = [threading.Thread(target=lambda: dict(lazy)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]
    assert float(lazy["overwrite_not_accumulate"]["dx"]) == 1.0 and len(lazy) == 1
    copy = pickle.loads(pickle.dumps(lazy))
    assert type(copy) is dict and float(copy["overwrite_not_accumulate"]["dx"]) == 1.0


def test_a_case_s_mutations_see_its_inputs_as_they_were_built():
    """The mutations run later than the expected values: an input array changed in between (by anything)
    must not change what the known mistakes predict: still FACTS.md's 20000 / 400 / 1.1 for MulLayer's
    swapped dx and dy on the buy-apple graph."""
    case = next(c for c in cases_for_run(load_assignment("dlfs-layers"), 0) if c.id == "buy-apple-documented")
    for value in case.inputs.values():
        value += 100.0  # in place, after the case was built
    wrong = case.known_mistakes["mul_swapped"]
    got = [float(wrong[k]) for k in ("dapple", "dapple_num", "dtax")]
    assert got == pytest.approx([20000.0, 400.0, 1.1], rel=1e-12)


def test_buy_apple_swapped_mul_signature():
    """FACTS.md section 4: MulLayer dx and dy swapped gives 20000 / 400 / 1.1 for dApple/dApple_num/dTax."""
    case = next(c for c in cases_for_run(load_assignment("dlfs-layers"), 0) if c.id == "buy-apple-documented")
    wrong = case.known_mistakes["mul_swapped"]
    got = [float(wrong[k]) for k in ("dapple", "dapple_num", "dtax")]
    assert got == pytest.approx([20000.0, 400.0, 1.1], rel=1e-12)


@pytest.mark.torch
def test_generated_expected_values_agree_with_torch():
    """Generated cases' live expected values agree with the independent torch oracle: every spec of every
    stage, not only the default stage's (DeZero's drawn cases of steps 2 to 46 are each some stage's only)."""
    from grader.extension import extension_of
    from grader.oracles.torch_oracle import run_case as torch_run

    for aid in SHIPPED:
        a = load_assignment(aid)
        drawn: dict[str, Case] = {}
        for stage in a.stage_names or [None]:
            drawn.update((c.id, c) for c in cases_for_run(a, 77, stage=stage) if c.generated)
        assert {c.id.rsplit("-", 1)[0] for c in drawn.values()} == {g.id for g in a.generated}, aid
        for c in drawn.values():
            oracle = torch_run(a.family, dict(c.inputs), list(c.steps), extension=extension_of(a))
            for key, value in c.expected.items():
                if value is None:  # a gradient cleared (step 44's cleargrads)
                    assert oracle[key] is None, f"{c.id} {key}"
                    continue
                np.testing.assert_allclose(
                    value, oracle[key], rtol=1e-12, atol=1e-14, err_msg=f"{c.id} {key}"
                )


def test_a_bad_array_element_names_file_path_and_what_is_valid():
    """A non-number in a fixture array is refused naming the file, the JSON path and what is valid."""
    from grader.cases import fixture_from_dict

    fixture = json.loads(next((fixtures_root() / "miniflow" / "cases").glob("*.json")).read_text())
    name = next(iter(fixture["inputs"]))
    fixture["inputs"][name]["data"][0] = "oops"
    with pytest.raises(ConfigError) as err:
        fixture_from_dict(fixture, source="broken.json")
    message = str(err.value)
    assert "broken.json" in message and f"$.inputs.{name}" in message and "'oops'" in message
    assert "valid:" in message


def test_known_mistakes_are_read_through_the_dicts_own_views(monkeypatch):
    """The judge reads a case's known mistakes by `items()` for every failing record (grader/judge/score.py
    `_checks`): the computed dict's own views answer it, and `get`, `in`, `keys()` and `values()` (Mapping's
    mixins called __getitem__ once a key), computed once, with what the dict holds."""
    computed = {"overwrite": {"dx": np.array(1.0)}, "add_one": {"dx": np.array(1.0), "dy": None}}
    runs = []
    known = KnownMistakes(lambda: runs.append(1) or computed)
    monkeypatch.setattr(KnownMistakes, "__getitem__", lambda self, key: pytest.fail(f"__getitem__({key!r})"))
    assert list(known.items()) == list(computed.items()) and list(known.keys()) == list(computed)
    assert list(known.values()) == list(computed.values())
    assert known.get("add_one") is computed["add_one"] and known.get("absent") is None
    assert known.get("absent", "no") == "no" and known.get("add_one", "no") is computed["add_one"]
    assert "overwrite" in known and "absent" not in known
    assert runs == [1]


def _counting_mutations(monkeypatch) -> list[str]:
    """The reference engine's runs under a known mistake, by mutation name, from now on."""
    import reference.evaluate

    real = reference.evaluate.run_case
    runs: list[str] = []

    def counted(family, inputs, steps, mutation=None, **kw):
        if mutation is not None:
            runs.append(mutation)
        return real(family, inputs, steps, mutation=mutation, **kw)

    monkeypatch.setattr(reference.evaluate, "run_case", counted)
    return runs


def _known(case: Case) -> dict[str, dict[str, object]]:
    return {
        name: {key: v.tobytes() if isinstance(v, np.ndarray) else v for key, v in records.items()}
        for name, records in case.known_mistakes.items()
    }


def test_cases_loaded_again_share_their_known_mistakes(monkeypatch):
    """A run's cases loaded again (another stage of the same session, a batch after a check, a test session)
    run no mutation again: the known mistakes of a case of the same content were worked out once this process
    (grader/case_digest.py). Without the sharing, each load ran every applicable mutation of every case
    again. The documented signature holds on the shared value (FACTS.md section 4: add(x, x), no +=, is 1)."""
    monkeypatch.setattr(grader.cases, "_SHARED", {})
    runs = _counting_mutations(monkeypatch)
    assignment = load_assignment("dezero")
    first = [_known(c) for c in cases_for_run(assignment, 5, stage="step24")]
    assert len(runs) > 100, "the control: the first load runs the mutations"
    counted = len(runs)
    again = {c.id: c for c in cases_for_run(assignment, 5, stage="step24")}
    assert [_known(c) for c in again.values()] == first
    assert len(runs) == counted
    assert float(again["add-twice-documented"].known_mistakes["overwrite_not_accumulate"]["dx_1"]) == 1.0


def test_a_case_of_other_content_gets_its_own_known_mistakes(monkeypatch):
    """Sharing is by content, never by case id: the generated cases of another seed (same ids, other inputs)
    run their mutations, and each predicts from its own inputs (the mistaken record differs with them)."""
    monkeypatch.setattr(grader.cases, "_SHARED", {})
    assignment = load_assignment("dlfs-layers")
    one = {c.id: c for c in cases_for_run(assignment, 1) if c.generated}
    runs = _counting_mutations(monkeypatch)
    other = {c.id: c for c in cases_for_run(assignment, 2) if c.generated}
    assert set(one) == set(other)
    differing = [
        (case_id, name)
        for case_id, case in other.items()
        for name, records in case.known_mistakes.items()
        for key, value in records.items()
        if not _same_value(value, one[case_id].known_mistakes.get(name, {}).get(key))
    ]
    assert runs and differing


def test_a_process_keeps_a_bounded_number_of_cases_known_mistakes(monkeypatch):
    """The shared table keeps at most SHARED_CASES entries, the least recently used dropped first."""
    monkeypatch.setattr(grader.cases, "_SHARED", {})
    monkeypatch.setattr(grader.cases, "SHARED_CASES", 10)
    cases = cases_for_run(load_assignment("dezero"), 3, stage="step24")
    assert len(cases) > 10
    assert len(grader.cases._SHARED) == 10
    kept = {id(known) for _, known in grader.cases._SHARED.values()}
    assert kept == {id(c.known_mistakes) for c in cases[-10:]}


def _fingerprint_known(known) -> dict[str, dict[str, object]]:
    return {
        name: {key: (v.tobytes(), v.shape) if isinstance(v, np.ndarray) else v for key, v in records.items()}
        for name, records in known.items()
    }


# The stages whose known mistakes are checked against running every mutation. dezero step60: its cases hold
# every case of step18, step24 and step46 (retain_grad and no_grad, the optimizers' flags) and the recurrent
# Layers', whose flag (recurrent_mistake) no earlier stage reads: with step18, step24 and step46 alone, that
# flag left unrecorded by the right run passed here and dropped rnn_no_tanh, unchain_top_only ... from 18
# step-59/60 cases' known mistakes.
CHECKED_AGAINST_EVERY_MUTATION = (("dezero", "step60"), ("dlfs-layers", None), ("miniflow", None))


@pytest.mark.parametrize(("aid", "stage"), CHECKED_AGAINST_EVERY_MUTATION)
def test_mutations_left_unrun_change_no_known_mistake(monkeypatch, aid, stage):
    """A mutation that replaces nothing the case's right run looks up and changes no semantic flag it reads
    is not run (reference/evaluate.py, `mistake_lookups`): the known mistakes are exactly those of running
    every applicable mutation (the oracle: the lookups turned off), with fewer runs of the reference
    engine."""
    import reference.evaluate
    from grader.cases import known_mistakes
    from grader.extension import extension_of

    assignment = load_assignment(aid)
    runs = _counting_mutations(monkeypatch)
    cases = cases_for_run(assignment, 11, stage=stage)
    args = [(assignment.family, c.inputs, c.steps, c.expected, extension_of(assignment)) for c in cases]
    skipping = [_fingerprint_known(known_mistakes(*a)) for a in args]
    skipped_runs = len(runs)
    monkeypatch.setattr(reference.evaluate, "mistake_lookups", lambda *a, **kw: None)
    every = [_fingerprint_known(known_mistakes(*a)) for a in args]
    assert skipping == every
    assert skipped_runs < len(runs) - skipped_runs


def test_the_stages_checked_against_every_mutation_read_every_semantic_flag():
    """The check above reaches only the flags its stages' right runs read: every `Semantics` flag is read by
    some case of CHECKED_AGAINST_EVERY_MUTATION, so a flag a later stage brings in (as steps 59 and 60 brought
    recurrent_mistake) fails here until a stage whose cases read it is checked."""
    from dataclasses import fields

    from grader.extension import extension_of
    from reference.evaluate import mistake_lookups
    from reference.mutations import Semantics

    read: set[str] = set()
    for aid, stage in CHECKED_AGAINST_EVERY_MUTATION:
        assignment = load_assignment(aid)
        extension = extension_of(assignment)
        for c in cases_for_run(assignment, 11, stage=stage):
            right = mistake_lookups(assignment.family, dict(c.inputs), list(c.steps), extension)
            read |= right.flags_read if right is not None else set()  # None: every mutation of it is run
    assert {f.name for f in fields(Semantics)} - read == set()


def test_a_flag_no_step_reads_is_not_run(monkeypatch):
    """DeZero step 14 has no no_grad, no optimizer and no recurrent Layer (FACTS.md section 2: no_grad comes
    at step 18): the mistakes that only change how those behave (no_grad_sticks, momentum_velocity_added,
    rnn_no_tanh) cannot change a record of its cases and are never run, while a flag of backward itself
    (overwrite_not_accumulate: the accumulation every step-14 case exercises) still is."""
    from grader.cases import known_mistakes
    from grader.extension import extension_of

    assignment = load_assignment("dezero")
    cases = cases_for_run(assignment, 5, stage="step14")
    runs = _counting_mutations(monkeypatch)
    for c in cases:
        known_mistakes(assignment.family, c.inputs, c.steps, c.expected, extension_of(assignment))
    assert not {"no_grad_sticks", "momentum_velocity_added", "rnn_no_tanh"} & set(runs)
    assert "overwrite_not_accumulate" in runs


def test_a_generated_case_runs_its_right_run_once(monkeypatch):
    """A generated case's expected values and its known mistakes come from one right run of the reference
    engine, not one each: the run that gives the values tells which mutations need no run of their own."""
    import reference.evaluate
    from grader.cases import generated_case

    right_runs: list[str] = []
    real_lookups, real_run = reference.evaluate.mistake_lookups, reference.evaluate.run_case

    def lookups(family, *a, **kw):
        right_runs.append("lookups")
        return real_lookups(family, *a, **kw)

    def run(family, inputs, steps, mutation=None, **kw):
        if mutation is None:
            right_runs.append("run_case")
        return real_run(family, inputs, steps, mutation=mutation, **kw)

    monkeypatch.setattr(reference.evaluate, "mistake_lookups", lookups)
    monkeypatch.setattr(reference.evaluate, "run_case", run)
    assignment = load_assignment("dezero")
    spec = next(s for s in assignment.generated if s.id == "gen-add-unit")
    monkeypatch.setattr(grader.cases, "_SHARED", {})  # no case of another test's run stands in for this one
    case = generated_case(assignment, spec, 7, 1, assignment.stage("step14"))
    assert "add_one_gradient" in case.known_mistakes  # worked out, with a mistake that changes Add's records
    assert right_runs == ["lookups"]


def test_a_shared_known_mistakes_entry_is_not_changed_through_the_case_that_made_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The entry every case of one content shares (`_lazy_mistakes`) is worked out when a later submission's
    record is wrong; it kept the first case's steps and expected values by reference, so a change made to
    them meanwhile changed what every other submission is compared with. FACTS.md section 4: add(x, x)
    without += gives dx 1. Changing the first case's expected dx_1 to that 1, or its record's key, after the
    entry is made leaves the entry's known mistake as it was; and the entry's own copies cannot be written."""
    case = {c.id: c for c in cases_for_run(load_assignment("dezero"), 0)}["add-twice-documented"]
    monkeypatch.setattr(grader.cases, "_SHARED", {})  # the entry made below, from the copies below
    steps = json.loads(json.dumps(list(case.steps)))  # the first case's own, as a fixture's load makes them
    expected = {k: v.copy() for k, v in case.expected.items()}
    entry = grader.cases._lazy_mistakes("dezero", case.inputs, steps, expected, None)
    expected["dx_1"][...] = 1.0
    recorded = next(s for s in steps if s.get("key") == "dx_1")
    recorded["key"] = "renamed"
    assert float(entry["overwrite_not_accumulate"]["dx_1"]) == 1.0, dict(entry)

    kept: list[tuple[object, object]] = []
    monkeypatch.setattr(grader.cases, "known_mistakes", lambda f, i, s, e, *rest: kept.append((s, e)) or {})
    len(grader.cases._fresh_mistakes("dezero", case.inputs, case.steps, case.expected, None))
    own_steps, own_expected = kept[0]
    attempts = [
        lambda: own_expected["dx_1"].__setitem__(..., 0.0),  # type: ignore[index]
        lambda: own_expected.__setitem__("dx_1", 0.0),  # type: ignore[attr-defined]
        lambda: own_steps[0].__setitem__("op", "Mul"),  # type: ignore[index]
        lambda: own_steps[0]["args"].append("x"),  # type: ignore[index]
        lambda: own_steps.append({}),  # type: ignore[attr-defined]
    ]
    for attempt in attempts:
        with pytest.raises((ValueError, TypeError, AttributeError)):
            attempt()
