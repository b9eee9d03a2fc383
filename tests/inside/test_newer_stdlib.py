"""Names newer Pythons added to the standard library, defined for a student's code (newer_stdlib.py)."""

from __future__ import annotations

import sys

import pytest
from inside_helpers import APPLE, MUL, case, job, run_inside
from inside_helpers import students as S

from grader.inside import newer_stdlib


def test_the_definitions_do_what_the_python_docs_say() -> None:
    """typing.override returns the method marked __override__ (PEP 698); itertools.batched('ABCDEFG', 3) is
    ABC DEF G, and n below 1 is a ValueError (the itertools documentation's own example)."""
    _, override = newer_stdlib.ADDED[("typing", "override")]
    _, batched = newer_stdlib.ADDED[("itertools", "batched")]

    def forward(self: object) -> None:
        pass

    assert override(forward) is forward and forward.__override__ is True  # type: ignore[attr-defined]
    assert override(1) == 1  # an object that takes no attribute comes back as it is
    assert ["".join(b) for b in batched("ABCDEFG", 3)] == ["ABC", "DEF", "G"]
    with pytest.raises(ValueError):
        list(batched("AB", 0))


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python has typing.override itself")
def test_a_file_importing_typing_override_loads_in_the_students_process() -> None:
    """A layer file of a student on Python 3.12 (`from typing import override`, `@override` on a method) is
    loaded and graded (dApple = apple_num, FACTS.md); before, the import stopped the file."""
    source = "from typing import override\nimport itertools\nassert itertools.batched\n" + S.LAYERS.replace(
        "class MulLayer:", "class MulLayer:\n    @override\n    def __repr__(self):\n        return 'm'\n", 1
    )
    assert "@override" in source
    ran = run_inside(
        {"layers.py": source},
        job("layers", [case("c", APPLE, MUL)], modules=["layers.py"], required=["MulLayer"]),
    )
    assert ran.loaded["missing"] == [], ran.loaded
    assert float(ran.record("dapple")) == 2.0


def test_the_typing_extensions_stand_in_answers_from_typing_and_nothing_else() -> None:
    """typing_extensions' stand-in gives typing's own objects (Self, Optional) and override (typing's where
    this Python has it, else newer_stdlib's); a name neither has is an AttributeError, so `from
    typing_extensions import NoSuchName` fails as it would on a real module (negative control)."""
    import typing

    from grader.inside.standins import typing_ext

    module = typing_ext.make_module("typing_extensions")
    assert module.Self is typing.Self and module.Optional is typing.Optional
    assert module.override is getattr(typing, "override", newer_stdlib.ADDED[("typing", "override")][1])
    with pytest.raises(AttributeError):
        module.NoSuchName  # noqa: B018


def test_a_star_import_of_the_typing_extensions_stand_in_gives_override() -> None:
    """`from typing_extensions import *` then `@override`: a star import reads __all__, and the stand-in had
    none, so override was never bound (NameError; review). Its __all__ is typing's and the added names."""
    from grader.inside.standins import typing_ext

    module = typing_ext.make_module("typing_extensions")
    import sys

    sys.modules["typing_extensions"], saved = module, sys.modules.get("typing_extensions")
    try:
        scope: dict[str, object] = {}
        exec("from typing_extensions import *", scope)
    finally:
        if saved is None:
            del sys.modules["typing_extensions"]
        else:
            sys.modules["typing_extensions"] = saved
    assert "override" in scope and "Self" in scope and "Optional" in scope
