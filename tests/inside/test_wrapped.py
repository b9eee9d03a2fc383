"""grader.inside.wrapped: the harness's verdict on a graded class that holds a grader stand-in."""

from __future__ import annotations

from grader.inside.wrapped import held_entries, wrapper_failure


def test_a_held_standin_makes_the_class_missing_naming_both() -> None:
    """One held stand-in: missing_name naming the class, the stand-in's module and class, the attribute."""
    failure = wrapper_failure("Relu", [["inner", "Relu", "common.layers"]])
    assert failure is not None and failure.code == "missing_name"
    assert failure.message.startswith(
        "Relu holds the grader's stand-in common.layers.Relu in self.inner: a class that hands its work to "
        "the stand-in is not a layer of your own, so Relu counts as missing"
    )


def test_nothing_held_is_no_failure() -> None:
    """Negative control: an empty answer (the student's own helpers only) refuses nothing."""
    assert wrapper_failure("Relu", []) is None


def test_malformed_answers_are_read_as_nothing_and_text_is_cleaned() -> None:
    """The answer comes from the student's process: non-lists and malformed items are dropped, names are
    capped at 200 characters (escape sequences go where the failure enters the parent, grader/model.py)."""
    assert wrapper_failure("Relu", {"inner": "Relu"}) is None
    assert wrapper_failure("Relu", [["inner", "Relu"], ["a", 1, "m"], "x"]) is None
    (entry,) = held_entries([["inner", "R" * 500, "common.layers"]])
    assert entry[0] == "inner" and len(entry[1]) == 200 and entry[1].endswith("...")


def test_at_most_three_held_standins_are_named() -> None:
    """A class holding many stand-ins names the first three, so the message stays short."""
    raw = [[f"a{i}", "Relu", "common.layers"] for i in range(5)]
    failure = wrapper_failure("Sigmoid", raw)
    assert failure is not None
    assert "self.a2" in failure.message and "self.a3" not in failure.message
