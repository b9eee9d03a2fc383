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


def test_a_name_that_shows_nothing_or_a_stack_of_marks_is_not_worded() -> None:
    """Review of s30-realdz: `class \u3164` (a Hangul filler, invisible) was worded ".backward uses the
    output y", and S with 30 combining marks was worded as written; both keep the book's name now. Control:
    S with one mark (a letter as written) is worded."""

    def helper(name: str) -> dict[str, bytes]:
        return {"a.py": f"class {name}:\n    pass\n\ndef square(x):\n    return {name}()(x)\n".encode()}

    assert script_spellings({}, helper("\u3164")) == {}
    assert script_spellings({}, helper("X\uffa0")) == {}
    assert script_spellings({}, helper("S" + "\u0308" * 30)) == {}
    assert script_spellings({}, helper("S\u0308")) == {"Square": "S\u0308"}
