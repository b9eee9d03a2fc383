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


def _graded_by_python(source: str) -> dict[str, str]:
    """The oracle: the class Python's own import binds behind square() (the test's trusted source run under a
    module's name, as the student's process loads it), {} where none or several."""
    space: dict[str, object] = {"__name__": "step09"}
    exec(source, space)  # the test's own fixed source, never a student's
    code = space["square"].__code__  # type: ignore[attr-defined]
    called = [n for n in code.co_names if not n.isascii() and isinstance(space.get(n), type)]
    return {"Square": called[0]} if len(called) == 1 else {}


def test_the_helper_and_class_the_import_keeps_are_read() -> None:
    """Of two `def square` the last one defined is the one Python keeps and grades: the first named a class
    that was not graded. A redefinition under `if __name__ == "__main__":` (or the `else` of `!=`) never runs
    at import; one under another module-level `if` does; a class name later bound by a def is no class."""
    classes = "class 二乗:\n    pass\n\nclass 平方:\n    pass\n\n"
    first, second = "def square(x):\n    return 二乗()(x)\n\n", "def square(x):\n    return 平方()(x)\n\n"
    main = "if __name__ == '__main__':\n    " + second.replace("\n    ", "\n        ")
    any_if = "if True:\n    " + second.replace("\n    ", "\n        ")
    # the `else` of `!=`: the `__main__` block spelt the other way round (grader/inside/main_guard.py)
    not_main = "if __name__ != '__main__':\n    pass\nelse:\n    " + second.replace("\n    ", "\n        ")
    for source in (
        classes + first + second,
        classes + first + main,
        classes + first + any_if,
        classes + first + not_main,
        classes + first + "def 二乗(x):\n    return x\n",
    ):
        expected = _graded_by_python(source)
        assert script_spellings({}, {"a.py": source.encode()}) == expected, source
    assert _graded_by_python(classes + first + second) == {"Square": "平方"}  # the oracle tells them apart
