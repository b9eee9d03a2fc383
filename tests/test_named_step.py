"""The step a submission's file names claim (grader/named_step.py)."""

from __future__ import annotations

from grader import named_step
from grader.assignments import load_assignment


def _claim(*files: str) -> str | None:
    found = named_step.named_step(load_assignment("dezero", require_fixtures=False).stages, files)
    return None if found is None else found.stage


def test_a_step_file_claims_its_stage_or_the_latest_before_it() -> None:
    """step18.py claims step18; the book's step 15, 29 and 60 claim the stages before them."""
    assert _claim("step18.py") == "step18"
    assert _claim("hw/Step_018.ipynb") == "step18"
    assert _claim("dezero_step18.py") == "step18"
    assert _claim("steps/step15.py") == "step14"
    assert _claim("steps/step29.py") == "step28"
    assert _claim("steps/step60.py", "steps/step47.py", "dezero/core.py") == "step46"


def test_names_that_are_no_step_claim_nothing() -> None:
    """No number, another word, a homework's number, a data file, or a step before every stage: no claim."""
    assert _claim("dezero.py", "main.py") is None
    assert _claim("stepper.py", "footstep.py") is None
    assert _claim("hw_step20.py") is None  # a course's own numbering, not the book's step
    assert _claim("step18.txt") is None
    assert _claim("step00.py") is None


def test_only_a_later_stage_than_the_code_wins() -> None:
    """The claim replaces the inferred stage only when it comes later in the manifest."""
    names = load_assignment("dezero", require_fixtures=False).stage_names
    assert named_step.later(names, "step18", "step14")
    assert not named_step.later(names, "step14", "step18")
    assert not named_step.later(names, "step18", "step18")
    assert not named_step.later(names, "step18", "layers+two-layer-net")
