"""grader.frozen: deep read-only copies of plain data, for values one submission's grading shares with
another's (a known-mistakes entry, grader/cases.py)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from grader.frozen import frozen


def test_a_frozen_copy_is_deep_and_cannot_be_written() -> None:
    """Nested dicts, lists and arrays: every level read-only, and a change to the original afterwards (its
    array written in place, its list grown) reaches no level of the copy."""
    array = np.arange(3.0)
    original = {"steps": [{"args": ["x", "x"], "value": array}], "n": 2, "name": "Add"}
    copy = frozen(original)
    array[0] = 9.0
    original["steps"][0]["args"].append("y")
    assert copy["steps"][0]["args"] == ["x", "x"] and copy["steps"][0]["value"].tolist() == [0.0, 1.0, 2.0]
    assert copy["n"] == 2 and copy["name"] == "Add"
    with pytest.raises(TypeError):
        copy["n"] = 3  # type: ignore[index]
    with pytest.raises(TypeError):
        copy["steps"][0]["op"] = "Mul"  # type: ignore[index]
    with pytest.raises(TypeError):
        copy["steps"][0]["args"].append("y")
    with pytest.raises(ValueError, match="read-only"):
        copy["steps"][0]["value"][0] = 9.0


def test_a_frozen_copy_keeps_each_container_kind() -> None:
    """A list stays a list and a dict a dict, as the known mistakes' engine and a course's ops module read the
    case's own (the book's MultiLayerNet computes `[input_size] + hidden_size_list + [output_size]`; a tuple
    raised there), and a tuple stays a tuple; json writes the copy as the original."""
    original = {"settings": {"hidden_size_list": [6, 4], "conv_param": {"pad": 0}}, "shape": (2, 3)}
    copy = frozen(original)
    settings = copy["settings"]
    assert [5, *settings["hidden_size_list"]] == [5] + settings["hidden_size_list"] + [] == [5, 6, 4]
    assert isinstance(settings["hidden_size_list"], list) and isinstance(settings["conv_param"], dict)
    assert isinstance(copy["shape"], tuple) and copy == original
    assert json.dumps(copy, sort_keys=True) == json.dumps(original, sort_keys=True)
    with pytest.raises(TypeError):
        settings["hidden_size_list"] += [1]
    with pytest.raises(TypeError):
        settings["conv_param"].update(pad=1)
    assert original["settings"]["hidden_size_list"] == [6, 4]


def test_the_shared_known_mistakes_are_those_of_the_cases_own_steps_for_a_course_op_reading_a_list() -> None:
    """A course's ops module whose forward reads a list setting as a list (the book's `[input_size] +
    hidden_size_list + [output_size]`): the shared entry's known mistakes, worked out from its frozen copies,
    are the ones the case's own steps give (the oracle). With tuples the forward raised under every mutation
    that runs it, and 70 of the 73 known mistakes of dlfs-advanced multi-layer-net-relu went unsaid."""
    import dataclasses

    from grader.assignments import load_assignment
    from grader.cases import _fresh_mistakes, cases_for_run, known_mistakes
    from grader.extension import extension_of

    advanced = load_assignment("dlfs-advanced")
    case = {c.id: c for c in cases_for_run(advanced, 0)}["multi-layer-net-relu"]
    extension = extension_of(advanced)
    op = extension.ops["multi_layer_net"]

    def book_sizes(
        *args: Any, input_size: int, hidden_size_list: list[int], output_size: int, **rest: Any
    ) -> Any:
        sizes = [input_size] + hidden_size_list + [output_size]  # noqa: RUF005 (the book's MultiLayerNet.__init__)
        assert len(sizes) == len(args[2:]) // 2 + 1
        sized = {"input_size": input_size, "hidden_size_list": hidden_size_list, "output_size": output_size}
        return op.forward(*args, **sized, **rest)

    course = dataclasses.replace(
        extension, ops={**extension.ops, "multi_layer_net": dataclasses.replace(op, forward=book_sizes)}
    )
    own = known_mistakes(advanced.family, case.inputs, list(case.steps), case.expected, course)
    shared = _fresh_mistakes(advanced.family, case.inputs, case.steps, case.expected, course)
    assert "dlfs-advanced:mln_decay_in_db" in own  # a mistake whose run calls the course's forward
    assert sorted(shared) == sorted(own)
