"""grader/case_digest.py: cases share known mistakes only when all they are computed from is equal."""

from __future__ import annotations

import numpy as np

from grader.case_digest import case_digest

X = {"x": np.array([[1.0, 2.0]])}
STEPS = [{"do": "apply", "op": "Square", "args": ["x"], "out": "y"}, {"do": "record", "key": "y", "of": "y"}]


def test_equal_content_is_one_digest_whatever_made_it() -> None:
    made_again = {"x": np.array([[1.0, 2.0]])}
    steps_again = [dict(reversed(list(step.items()))) for step in STEPS]  # another key order
    assert case_digest("dezero", X, STEPS, {"y": X["x"] ** 2}) == case_digest(
        "dezero", made_again, steps_again, {"y": made_again["x"] ** 2}
    )


def test_every_difference_the_engine_can_see_is_another_digest() -> None:
    """The last bit of a float, in an array or a step; a tuple for a list (the engine asks for a list); the
    dtype or shape of equal numbers; the family; an expected value of another type."""
    base = case_digest("dezero", X, STEPS, {"y": X["x"] ** 2})
    nudged = np.nextafter(X["x"], 3.0)
    step_with = [{**STEPS[0], "settings": {"scale": 1.0}}, STEPS[1]]
    step_nudged = [{**STEPS[0], "settings": {"scale": float(np.nextafter(1.0, 2.0))}}, STEPS[1]]
    others = [
        case_digest("dezero", {"x": nudged}, STEPS, {"y": X["x"] ** 2}),
        case_digest("dezero", X, STEPS, {"y": nudged}),
        case_digest("dezero", X, step_with, {"y": X["x"] ** 2}),
        case_digest("dezero", X, step_nudged, {"y": X["x"] ** 2}),
        case_digest("dezero", X, [{**STEPS[0], "args": ("x",)}, STEPS[1]], {"y": X["x"] ** 2}),
        case_digest("dezero", {"x": X["x"].astype(np.float32)}, STEPS, {"y": X["x"] ** 2}),
        case_digest("dezero", {"x": X["x"].reshape(2, 1)}, STEPS, {"y": X["x"] ** 2}),
        case_digest("miniflow", X, STEPS, {"y": X["x"] ** 2}),
        case_digest("dezero", X, STEPS, {"y": True}),
    ]
    assert None not in others and len({base, *others}) == len(others) + 1


def test_a_value_it_cannot_write_exactly_gives_no_digest() -> None:
    """An object array (its bytes are pointers) or a value of another kind: no digest, so no sharing."""
    assert case_digest("dezero", {"x": np.array([object()])}, STEPS, {}) is None
    assert case_digest("dezero", X, [{**STEPS[0], "settings": {"f": object()}}], {}) is None
    assert case_digest("dezero", X, [{1: "a non-string key"}], {}) is None
