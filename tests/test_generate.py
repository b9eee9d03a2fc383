"""Generated inputs: fixed by seed and spec, replayable from the documented derivation, away from kinks."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from grader.generate import DISTRIBUTIONS, GeneratedSpec, InputSpec, draw_inputs, rng_for


def spec(**inputs: InputSpec) -> GeneratedSpec:
    return GeneratedSpec(
        "gen-x",
        "unit",
        "Relu",
        "x",
        ({"do": "apply", "op": "Relu", "args": ["x"], "out": "o"},),
        inputs,
        2,
        1.0,
        "hidden",
    )


SPEC = spec(x=InputSpec((4, 5), "away_from_zero", low=0.1, high=1.5), g=InputSpec((4, 5), "normal"))


def test_same_seed_same_draw():
    """The seed and the spec fully determine the inputs, bit for bit."""
    a, b = draw_inputs(SPEC, 123, 1), draw_inputs(SPEC, 123, 1)
    assert all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(("seed", "k"), [(124, 1), (123, 2)])
def test_other_seed_or_case_number_other_draw(seed, k):
    """A different seed, or a different case number k, draws different inputs."""
    base, other = draw_inputs(SPEC, 123, 1), draw_inputs(SPEC, seed, k)
    assert not np.array_equal(base["x"], other["x"]) and not np.array_equal(base["g"], other["g"])


def test_draw_replays_from_the_documented_derivation():
    """default_rng(SeedSequence([seed, crc32(prefix), k])) , names in sorted order, replays a case."""
    rng = np.random.default_rng(np.random.SeedSequence([99, zlib.crc32(b"gen-x"), 3]))
    g = rng.standard_normal((4, 5))  # "g" sorts before "x"
    drawn = draw_inputs(SPEC, 99, 3)
    assert np.array_equal(drawn["g"], g)
    assert np.array_equal(rng_for(99, "gen-x", 3).standard_normal((4, 5)), g)


def test_other_specs_do_not_shift_the_draw():
    """Adding an input to a spec leaves the draws of the names sorted before it unchanged."""
    more = spec(g=SPEC.inputs["g"], x=SPEC.inputs["x"], z=InputSpec((2,), "normal"))
    assert np.array_equal(draw_inputs(more, 5, 1)["g"], draw_inputs(SPEC, 5, 1)["g"])


def test_away_from_zero_keeps_every_value_at_least_0_1_from_zero():
    """away_from_zero never comes closer than 0.1 to the Relu kink, with both signs present."""
    x = DISTRIBUTIONS["away_from_zero"](rng_for(0, "t", 1), InputSpec((10000,), "away_from_zero"))
    assert np.abs(x).min() >= 0.1 and (x < 0).any() and (x > 0).any()


def test_normal_does_come_close_to_zero():
    """Negative control: a plain normal draw of the same size has values within 0.1 of zero."""
    x = DISTRIBUTIONS["normal"](rng_for(0, "t", 1), InputSpec((10000,), "normal"))
    assert np.abs(x).min() < 0.1


def test_labels_onehot_positive():
    """labels are integer classes in range, one-hot rows have a single 1, positive stays above low."""
    rng = rng_for(1, "t", 1)
    labels = DISTRIBUTIONS["labels"](rng, InputSpec((500,), "labels", classes=3))
    assert set(np.unique(labels)) == {0.0, 1.0, 2.0}
    onehot = DISTRIBUTIONS["onehot"](rng, InputSpec((50, 4), "onehot"))
    assert np.array_equal(onehot.sum(axis=1), np.ones(50)) and set(np.unique(onehot)) == {0.0, 1.0}
    positive = DISTRIBUTIONS["positive"](rng, InputSpec((500,), "positive", low=0.5, high=2.0))
    assert positive.min() >= 0.5 and positive.max() <= 2.0


def test_onehot_classes_must_match_the_last_axis():
    """A one-hot spec whose classes disagree with its shape is refused, naming both."""
    with pytest.raises(ValueError, match="classes 3 but the last axis"):
        DISTRIBUTIONS["onehot"](rng_for(1, "t", 1), InputSpec((5, 4), "onehot", classes=3))


def test_float64_and_shapes():
    """Every drawn input is float64 with the spec's shape."""
    drawn = draw_inputs(SPEC, 7, 1)
    assert {k: (v.dtype, v.shape) for k, v in drawn.items()} == {
        "x": (np.float64, (4, 5)),
        "g": (np.float64, (4, 5)),
    }


def test_a_spec_keeps_its_own_tolerance_and_its_drawn_cases_use_it():
    """A generated spec's `tolerance` survives the manifest round trip and is its cases' tolerance; a spec
    without one takes the assignment's (dlfs-layers' chapter-4 gradient copies: docs/CASES.md)."""
    from grader.assignments import load_assignment
    from grader.cases import generated_case
    from grader.generate import spec_from_dict
    from grader.model import Tolerance

    assignment = load_assignment("dlfs-layers")
    own = next(g for g in assignment.generated if g.id == "ch04-two-layer-net-gen-gradient")
    other = next(g for g in assignment.generated if g.id == "gen-relu-unit")
    assert own.tolerance == Tolerance(1e-6, 3e-5)
    assert spec_from_dict(own.to_dict()) == own
    assert "tolerance" not in other.to_dict()
    assert generated_case(assignment, own, 1, 1).tolerance == Tolerance(1e-6, 3e-5)
    assert generated_case(assignment, other, 1, 1).tolerance == assignment.tolerance


def test_a_specs_own_tolerance_covers_its_gradient_records_only():
    """A drawn chapter-4 gradient case grades its gradients to the spec's tolerance and the loss it records
    beside them to the assignment's, so a loss 3e-5 off fails on every draw (review of s25-realdlfs, 6)."""
    from grader.assignments import load_assignment
    from grader.cases import generated_case
    from grader.model import Tolerance

    assignment = load_assignment("dlfs-layers")
    own = next(g for g in assignment.generated if g.id == "ch04-two-layer-net-gen-gradient")
    case = generated_case(assignment, own, 1, 1)
    assert case.tolerance_of("loss") == assignment.tolerance == Tolerance(1e-6, 1e-9)
    assert {key: case.tolerance_of(key) for key in ("dW1", "db1", "dW2", "db2")} == dict.fromkeys(
        ("dW1", "db1", "dW2", "db2"), Tolerance(1e-6, 3e-5)
    )
