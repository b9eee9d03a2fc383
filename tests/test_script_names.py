"""A class written in another script than the book's is named as written in messages
(grader/script_names.py)."""

from __future__ import annotations

from pathlib import Path

from grader.script_names import MAX_SPELT, script_spellings

SAMPLES = Path(__file__).resolve().parents[1] / "submissions" / "dezero"
# what the student's process reports for a.py's square(): the helper it graded, in module a
_SQUARE_IN_A = {"square": "a.square"}


def _file(name: str) -> dict[str, bytes]:
    return {"step09.py": (SAMPLES / name).read_bytes()}


def test_a_class_the_books_helper_calls_is_named_as_written() -> None:
    """square() calling `class 二乗(Function)` and exp() `class 指数関数`: Square and Exp are spelt so."""
    files = _file("step09_japanese_class_names_square_from_output.py")
    helpers = {"square": "step09.square", "exp": "step09.exp"}  # the helpers the process graded
    assert script_spellings(helpers, files) == {"Square": "二乗", "Exp": "指数関数"}


def test_nothing_is_respelt_without_the_parents_own_reading() -> None:
    """Controls: an ASCII file gives nothing (not even parsed); a name the process found under the book's
    own name keeps it; a non-ASCII class no helper calls, or too long a name, is not worded."""
    assert script_spellings({}, _file("step09.py")) == {}
    files = _file("step09_japanese_class_names_square_from_output.py")
    found = {"Square": "step09.Square", "square": "step09.square", "exp": "step09.exp"}
    assert script_spellings(found, files) == {"Exp": "指数関数"}
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

    assert script_spellings(_SQUARE_IN_A, helper("\u3164")) == {}
    assert script_spellings(_SQUARE_IN_A, helper("X\uffa0")) == {}
    assert script_spellings(_SQUARE_IN_A, helper("S" + "\u0308" * 30)) == {}
    assert script_spellings(_SQUARE_IN_A, helper("S\u0308")) == {"Square": "S\u0308"}


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
        assert script_spellings(_SQUARE_IN_A, {"a.py": source.encode()}) == expected, source
    assert _graded_by_python(classes + first + second) == {"Square": "平方"}  # the oracle tells them apart


def _indented(block: str) -> str:
    return "    " + block.rstrip("\n").replace("\n", "\n    ") + "\n"


def test_a_branch_python_decides_is_read_and_an_undecided_one_says_nothing() -> None:
    """Of an ordinary `if`/`else` Python runs one branch: where the source decides it (`if True`, a
    `sys.version_info` check, `not`) the branch that runs is read, as Python's own import (the oracle)
    binds it; both branches were read and the last in the file won (s37). Where it depends on anything else
    (`if USE_GPU:`) the grader says nothing rather than guess, unless both branches name one class. A
    class rebound by an assignment to what is no class is no class (it was still read as one)."""
    classes = "class 二乗:\n    pass\n\nclass 平方:\n    pass\n\n"
    first, second = "def square(x):\n    return 二乗()(x)\n", "def square(x):\n    return 平方()(x)\n"
    decided = [
        f"import sys\nif sys.version_info >= (3, 0):\n{_indented(first)}else:\n{_indented(second)}",
        f"import sys\nif sys.version_info[0] == 2:\n{_indented(second)}else:\n{_indented(first)}",
        f"import sys\nif not sys.version_info.major < 3:\n{_indented(first)}else:\n{_indented(second)}",
        f"if False:\n{_indented(second)}\n{first}",
        f"{first}\n二乗 = lambda x: x\n",  # rebound: no class left under the name
    ]
    for body in decided:
        source = classes + body
        expected = _graded_by_python(source)
        assert script_spellings(_SQUARE_IN_A, {"a.py": source.encode()}) == expected, source
    assert _graded_by_python(classes + decided[0]) == {"Square": "二乗"}  # the first branch, not the last
    undecided = f"USE_GPU = len(__name__) > 3\nif USE_GPU:\n{_indented(first)}else:\n{_indented(second)}"
    assert script_spellings(_SQUARE_IN_A, {"a.py": (classes + undecided).encode()}) == {}
    same = undecided.replace("平方()", "二乗()")  # either branch names 二乗: said
    assert script_spellings(_SQUARE_IN_A, {"a.py": (classes + same).encode()}) == {"Square": "二乗"}


def test_of_two_files_the_helper_the_process_graded_is_read() -> None:
    """Two files each with a square() calling a class of its own: the student's process grades the one its
    load order finds (its `found` names the module); the first file here was read whatever the process
    took (s37). Control: the other module named, the other class."""
    a = "class 二乗:\n    pass\n\ndef square(x):\n    return 二乗()(x)\n"
    b = "class 平方:\n    pass\n\ndef square(x):\n    return 平方()(x)\n"
    files = {"a.py": a.encode(), "steps/b.py": b.encode()}
    assert script_spellings({"square": "b.square"}, files) == {"Square": "平方"}
    assert script_spellings({"square": "steps.b.square"}, files) == {"Square": "平方"}
    assert script_spellings({"square": "a.square"}, files) == {"Square": "二乗"}
    assert script_spellings({}, files) == {}  # no helper graded: nothing to name
