"""The step a submission's file names claim (grader/named_step.py)."""

from __future__ import annotations

from grader import named_step
from grader.assignments import load_assignment


def _claim(*files: str) -> str | None:
    found = named_step.named_step(load_assignment("dezero", require_fixtures=False).stages, files)
    return None if found is None else found.stage


def test_a_step_file_claims_its_stage_or_the_latest_before_it() -> None:
    """step18.py claims step18; the book's step 15, 29 and 58 claim the stages before them; steps 59 and 60
    their own (session 32)."""
    assert _claim("step18.py") == "step18"
    assert _claim("hw/Step_018.ipynb") == "step18"
    assert _claim("dezero_step18.py") == "step18"
    assert _claim("steps/step15.py") == "step14"
    assert _claim("steps/step29.py") == "step28"
    assert _claim("steps/step60.py", "steps/step47.py", "dezero/core.py") == "step60"
    assert _claim("steps/step59.py") == "step59" and _claim("steps/step58.py") == "step57"
    assert _claim("steps/step46.py", "dezero/core.py") == "step46" and _claim("step48.py") == "step47"
    # stage step57 (session 30): steps 55 and 56 add nothing it grades, so they claim step54 (dropout, session
    # 31), steps 50 to 52 step50 (accuracy), and steps 48 and 49 step47; step 53 its own stage since session
    # 33 (save_weights and load_weights)
    assert _claim("step56.py") == "step54" and _claim("steps/step57.py") == "step57"
    assert _claim("steps/step54.py") == "step54" and _claim("step53.py") == "step53"
    assert _claim("steps/step52.py") == "step50"
    assert _claim("steps/step50.py") == "step50" and _claim("step49.py") == "step47"


def test_names_that_are_no_step_claim_nothing() -> None:
    """No number, another word, a homework's number, a data file, or a step before every stage: no claim."""
    assert _claim("dezero.py", "main.py") is None
    assert _claim("stepper.py", "footstep.py") is None
    assert _claim("hw_step20.py") is None  # a course's own numbering, not the book's step
    assert _claim("step18.txt") is None
    assert _claim("step00.py") is None


def test_only_the_books_steps_are_claims() -> None:
    """The book has steps 1 to 60: step99.py and step180.py claimed the last stage ("the step the name
    claims"), while step1800.py claimed nothing. Now none does; step60.py still claims the latest stage
    (control)."""
    assert _claim("step99.py") is None
    assert _claim("step180.py") is None and _claim("step1800.py") is None and _claim("step61.py") is None
    assert _claim("step60.py") == "step60" and _claim("step01.py") == "step01"
    assert _claim("step180.py", "step18.py") == "step18"  # the book's step among others


def test_a_file_named_as_an_old_copy_claims_no_step() -> None:
    """step18_old.py or `step18 (copy).py` beside step14.py is a copy kept, not the step handed in."""
    assert _claim("step18_old.py", "step14.py") == "step14"
    assert _claim("step18 (copy).py", "step14.py") == "step14"
    assert _claim("backup/step18.py") is None


def _reason(*files: str) -> str:
    found = named_step.named_step(load_assignment("dezero", require_fixtures=False).stages, files)
    assert found is not None
    return named_step.reason(found, "step14", "your code defines Variable")


def test_the_reason_names_the_stage_and_the_code_it_was_inferred_from() -> None:
    """A step with a stage of its own is "the step the name claims"; a later one is graded as the latest stage
    at or before it (step58.py: step57, no "step the name claims"). The code is "its code" when the named
    file is the only one graded, else the files read (a helpers.py beside step18.py)."""
    alone = _reason("step18.py")
    assert (
        "but its code looks like stage step14" in alone
        and "graded as step18, the step the name claims" in alone
    )
    late = _reason("step58.py")
    assert "graded as step57, the latest stage at or before step 58" in late and "the name claims" not in late
    two = _reason("helpers.py", "step18.py")
    assert "your file step18.py is named for step 18, but the code of helpers.py, step18.py looks like" in two


def test_only_a_later_stage_than_the_code_wins() -> None:
    """The claim replaces the inferred stage only when it comes later in the manifest."""
    names = load_assignment("dezero", require_fixtures=False).stage_names
    assert named_step.later(names, "step18", "step14")
    assert not named_step.later(names, "step14", "step18")
    assert not named_step.later(names, "step18", "step18")
    assert not named_step.later(names, "step18", "layers+two-layer-net")


def test_the_notes_quote_a_file_name_cleaned() -> None:
    """The file name is the student's: an escape sequence and the grader's wording of fault in it never reach
    the stage line, neither in the subject note nor in the reason (control: the name's own letters do)."""
    stages = load_assignment("dezero", require_fixtures=False).stages
    forged = "steps/step60\x1b[2J (not your code's fault).py"
    named = named_step.NamedStep("step57", forged, 60, (forged, "dezero/core.py"))
    for note in (
        named_step.subject_note(stages, named, ("im2col",), "step54"),
        named_step.reason(named, "step54", "defines Dropout"),
    ):
        assert "\x1b" not in note and "not your code's fault" not in note.lower(), note
        assert "your file steps/step60" in note, note
