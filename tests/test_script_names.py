"""A class written in another script than the book's is named as written in messages
(grader/script_names.py)."""

from __future__ import annotations

from pathlib import Path

from grader.script_names import MAX_SPELT, script_spellings

SAMPLES = Path(__file__).resolve().parents[1] / "submissions" / "dezero"


def _file(name: str) -> dict[str, bytes]:
    return {"step09.py": (SAMPLES / name).read_bytes()}


def test_a_class_the_books_helper_calls_is_named_as_written() -> None:
    """square() calling `class 二乗(Function)` and exp() `class 指数関数`: Square and Exp are spelt so."""
    files = _file("step09_japanese_class_names_square_from_output.py")
    assert script_spellings({"square": "step09.square"}, files) == {"Square": "二乗", "Exp": "指数関数"}


def test_nothing_is_respelt_without_the_parents_own_reading() -> None:
    """Controls: an ASCII file gives nothing (not even parsed); a name the process found under the book's
    own name keeps it; a non-ASCII class no helper calls, or too long a name, is not worded."""
    assert script_spellings({}, _file("step09.py")) == {}
    files = _file("step09_japanese_class_names_square_from_output.py")
    assert script_spellings({"Square": "step09.Square"}, files) == {"Exp": "指数関数"}
    alone = {"a.py": "class 二乗:\n    pass\n".encode()}
    assert script_spellings({}, alone) == {}
    long = "二" * (MAX_SPELT + 1)
    helper = f"class {long}:\n    pass\n\ndef square(x):\n    return {long}()(x)\n".encode()
    assert script_spellings({}, {"a.py": helper}) == {}
