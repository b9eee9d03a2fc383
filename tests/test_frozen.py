"""grader.frozen: deep read-only copies of plain data, for values one submission's grading shares with
another's (a known-mistakes entry, grader/cases.py)."""

from __future__ import annotations

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
    assert copy["steps"][0]["args"] == ("x", "x") and copy["steps"][0]["value"].tolist() == [0.0, 1.0, 2.0]
    assert copy["n"] == 2 and copy["name"] == "Add"
    with pytest.raises(TypeError):
        copy["n"] = 3  # type: ignore[index]
    with pytest.raises(TypeError):
        copy["steps"][0]["op"] = "Mul"  # type: ignore[index]
    with pytest.raises(AttributeError):
        copy["steps"][0]["args"].append("y")  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="read-only"):
        copy["steps"][0]["value"][0] = 9.0
