"""The parent's reading of DeZero helpers that never use one of their parameters (grader/helper_args.py)."""

from __future__ import annotations

import pytest

from grader import helper_args

OPS = ("Add", "Mul", "Pow", "SumTo", "Square")


def _dropped(source: str, *, family: str = "dezero", rel: str = "steps/step20.py") -> dict[str, str]:
    return {d.helper: d.message for d in helper_args.dropped({rel: source.encode()}, family, OPS)}


def test_a_helper_passing_its_first_argument_twice_is_named_with_its_line() -> None:
    """The sample's mistake: add(x0, x1) returns Add()(x0, x0); x1 is named, and the file and line."""
    source = "class Add:\n    pass\n\n\ndef add(x0, x1):\n    return Add()(x0, x0)\n"
    (message,) = _dropped(source).values()
    assert message.startswith("add(x0, x1) never uses its parameter x1 (steps/step20.py line 5): ")
    assert "whatever x1 is, add() returns the same" in message


def test_where_the_dropped_parameters_are_and_whether_one_is_required() -> None:
    """The adapter passes a case's variables, then its constants, by position: the judge needs where the
    dropped parameters are, and whether every call (a parameter with no default) is computed without them."""
    (add,) = helper_args.dropped({"hw.py": b"def add(x0, x1):\n    return Add()(x0, x0)\n"}, "dezero", OPS)
    assert (add.positions, add.required) == ((1,), True)
    source = b"def sum(x, axis=None, keepdims=False):\n    return Sum(None, keepdims)(x)\n"
    (total,) = helper_args.dropped({"hw.py": source}, "dezero", ("Sum",))
    assert (total.positions, total.required) == ((1,), False)
    assert total.summary == "sum(x, axis, keepdims) never uses axis (hw.py line 1)"


def test_a_constant_the_helper_drops_and_two_dropped_at_once() -> None:
    """pow(x, c) calling Pow(2) drops c; mul(x0, x1) returning a constant drops both (plural wording)."""
    found = _dropped("def pow(x, c):\n    return Pow(2)(x)\n\n\ndef mul(x0, x1):\n    return Mul()(1, 2)\n")
    assert found["pow"].startswith("pow(x, c) never uses its parameter c (")
    assert found["mul"].startswith("mul(x0, x1) never uses its parameters x0, x1 (")
    assert "whatever x0, x1 are" in found["mul"]


def test_the_helper_of_a_class_with_a_book_name_of_its_own() -> None:
    """SumTo's helper is sum_to (not sumto): its dropped shape is read; `sumto` is no helper of a case."""
    found = _dropped(
        "def sum_to(x, shape):\n    return SumTo(x.shape)(x)\n\ndef sumto(x, s):\n    return x\n"
    )
    assert list(found) == ["sum_to"] and "never uses its parameter shape" in found["sum_to"]


@pytest.mark.parametrize(
    "source",
    [
        "def add(x0, x1):\n    return Add()(x0, x1)\n",  # the book's
        "def add(x0, x1):\n    x1 = as_array(x1)\n    return Add()(x0, x1)\n",  # step 21
        "def add(x0, x1):\n    f = lambda: x1\n    return Add()(x0, f())\n",  # used in a nested scope
        "def add(*xs):\n    return Add()(*xs)\n",  # *args: what it reads is not a parameter's name
        "def add(x0, x1, **kw):\n    return Add()(x0, kw.get('y', x0))\n",
        "def add(x0, x1):\n    return Add()(**{k: v for k, v in locals().items()})\n",  # read by name
        # read through its own frame (hostile pass, session 16: was "never uses its parameter x1")
        "def add(x0, x1):\n    return Add()(x0, sys._getframe().f_locals['x1'])\n",
        "def add(x0, x1):\n    return Add()(x0, inspect.currentframe().f_locals['x1'])\n",
        "def add(x0, x1):\n    return Add()(x0, _getframe(0).f_locals['x1'])\n",
        "def add(x0, x1):\n    raise NotImplementedError('step 12')\n",  # a TODO: the cases say so
        "def add(x0, x1):\n    '''TODO'''\n    pass\n",
        "@cache\ndef add(x0, x1):\n    return Add()(x0, x0)\n",  # decorated: the wrapper decides
        "def add(x0, _unused):\n    return Add()(x0, x0)\n",  # said unused by its name
        "def exp(x, y):\n    return Exp()(x)\n",  # not a helper any case calls (OPS has no Exp)
    ],
)
def test_helpers_that_use_every_parameter_or_cannot_be_read_say_nothing(source: str) -> None:
    assert _dropped(source) == {}


def test_a_helper_defined_differently_in_two_files_says_nothing() -> None:
    """Which definition runs is the loader's choice: only a parameter every definition drops is said."""
    wrong, right = (
        "def add(x0, x1):\n    return Add()(x0, x0)\n",
        "def add(x0, x1):\n    return Add()(x0, x1)\n",
    )
    files = {"dezero/core.py": wrong.encode(), "dezero/core_simple.py": right.encode()}
    assert helper_args.dropped(files, "dezero", OPS) == ()
    files["dezero/core_simple.py"] = wrong.encode()
    assert [d.helper for d in helper_args.dropped(files, "dezero", OPS)] == ["add"]


def test_the_last_definition_in_a_file_is_the_one_read() -> None:
    """A notebook export keeps step 12's wrong add above step 13's fixed one: Python keeps the last."""
    wrong, right = (
        "def add(x0, x1):\n    return Add()(x0, x0)\n",
        "def add(x0, x1):\n    return Add()(x0, x1)\n",
    )
    assert _dropped(wrong + right) == {}
    assert list(_dropped(right + wrong)) == ["add"]


def test_other_families_and_unparsable_files_say_nothing() -> None:
    source = "def add(x0, x1):\n    return Add()(x0, x0)\n"
    assert _dropped(source, family="layers") == {}
    assert _dropped(source + "def broken(:\n") == {}


def test_the_notes_are_capped() -> None:
    many = "".join(
        f"def {op.lower()}(x0, x1):\n    return 0\n" for op in ("Add", "Mul", "Sub", "Div", "Pow", "Neg")
    )
    ops = ("Add", "Mul", "Sub", "Div", "Pow", "Neg")
    assert len(helper_args.dropped({"hw.py": many.encode()}, "dezero", ops)) == helper_args.MAX_NOTES


def _flooded(count: int) -> str:
    """add(x0, x1, ...) dropping x1, with `count` parameters in all (the extra ones unused, with defaults)."""
    extra = [f"p{i}=None" for i in range(2, count)]
    return f"def add(x0, x1{''.join(', ' + e for e in extra)}):\n    return Add()(x0, x0)\n"


def test_a_helper_of_more_parameters_than_a_note_can_spell_is_not_read(monkeypatch) -> None:
    """A helper of 45,000 parameters in each of four 256 KiB files cost the parent 56 s per submission (a list
    searched for each unread one), and its note spelt every one of them (a 400 KB hint on every failing case
    calling it, a 3.8 MB report.json). Past parameters.MAX_PARAMETERS it is no course helper: nothing is said
    and its body is never walked (the nodes walked are counted: work, not time). Control: at the bound the
    same helper is named, with every parameter it drops (x1 and the unused extra ones)."""
    import ast

    from grader.parameters import MAX_PARAMETERS

    walked = {"nodes": 0}
    real_walk = ast.walk

    def counted(node):
        for item in real_walk(node):
            walked["nodes"] += 1
            yield item

    monkeypatch.setattr(ast, "walk", counted)
    assert _dropped(_flooded(20_000)) == {} and walked["nodes"] == 0
    assert _dropped(_flooded(MAX_PARAMETERS + 1)) == {} and walked["nodes"] == 0
    (add,) = helper_args.dropped({"hw.py": _flooded(MAX_PARAMETERS).encode()}, "dezero", OPS)
    assert add.positions == tuple(range(1, MAX_PARAMETERS)) and add.required and 0 < walked["nodes"] < 50


def test_a_parameter_name_longer_than_a_note_can_spell_says_nothing() -> None:
    """A parameter name of 100,000 characters was quoted three times in the note: no course helper's name is
    that long, and the helper says nothing. Control: at parameters.MAX_NAME_CHARS it is named."""
    from grader.parameters import MAX_NAME_CHARS

    def named(chars: int) -> str:
        return f"def add(x0, {'y' * chars}):\n    return Add()(x0, x0)\n"

    assert _dropped(named(100_000)) == {} and _dropped(named(MAX_NAME_CHARS + 1)) == {}
    (message,) = _dropped(named(MAX_NAME_CHARS)).values()
    assert f"never uses its parameter {'y' * MAX_NAME_CHARS} (" in message and len(message) < 600


def test_a_name_that_only_looks_like_a_frame_reader_does_not_hide_the_note() -> None:
    """np.stack is no frame reader (review, session 16: `stack` anywhere silenced the note); inspect.stack is
    (the controls above read the frame)."""
    source = "import numpy as np\n\n\ndef add(x0, x1):\n"
    source += "    x0 = np.stack([x0])[0]\n    return Add()(x0, x0)\n"
    (message,) = _dropped(source).values()
    assert message.startswith("add(x0, x1) never uses its parameter x1")
    framed = source.replace("np.stack([x0])[0]", "inspect.stack()[0].frame.f_back and x0")
    assert _dropped(framed) == {}
