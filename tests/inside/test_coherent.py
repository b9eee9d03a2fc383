"""Of several definitions of a graded name, the one built with the program's own classes."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

from grader.inside import coherent


def _module(name: str, **attrs: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for attr, value in attrs.items():
        if isinstance(value, type):
            value.__module__ = name
        setattr(module, attr, value)
    return module


@pytest.fixture
def two_cores() -> Iterator[tuple[types.ModuleType, types.ModuleType]]:
    """core_simple and core as the book keeps them: each with its own Variable, Function and Add."""
    made = []
    for name in ("t_pkg.core_simple", "t_pkg.core"):
        variable = type("Variable", (), {})
        function = type("Function", (), {})
        add = type("Add", (function,), {})
        made.append(_module(name, Variable=variable, Function=function, Add=add))
    sys.modules.update({m.__name__: m for m in made})
    yield made[0], made[1]
    for m in made:
        sys.modules.pop(m.__name__, None)


def test_versions_are_same_name_and_bases_not_same_object() -> None:
    """Two Variables on object are versions; a Linear on Layer and a Linear on Function are not."""
    a, b = type("Variable", (), {}), type("Variable", (), {})
    layer, function = type("Layer", (), {}), type("Function", (), {})
    assert coherent.versions(a, b) and not coherent.versions(a, a)
    assert not coherent.versions(type("Linear", (layer,), {}), type("Linear", (function,), {}))
    assert not coherent.versions(a, None) and not coherent.versions(a, type("Function", (), {}))


def test_anchor_skips_a_module_binding_another_version(two_cores: tuple[types.ModuleType, ...]) -> None:
    """The entry module takes core's classes; core_simple, loaded after it, adds nothing."""
    simple, core = two_cores
    entry = {"Variable": core.Variable, "Function": core.Function}
    program = coherent.anchor([entry, vars(simple)], ["Variable", "Function", "Add"])
    assert program == {"Variable": core.Variable, "Function": core.Function}


def test_choose_prefers_the_program_and_falls_back_to_the_first(
    two_cores: tuple[types.ModuleType, ...],
) -> None:
    """core_simple's Add, found first, loses to core's; a name only core_simple defines stays found there."""
    simple, core = two_cores
    program = {"Variable": core.Variable, "Function": core.Function}
    hits = [("t_pkg.core_simple.Add", simple.Add), ("t_pkg.core.Add", core.Add)]
    assert coherent.choose(hits, program)[1] is core.Add
    assert coherent.choose(hits[:1], program)[1] is simple.Add
    assert coherent.choose(hits, {})[1] is simple.Add  # no program known: the load's order


def test_program_hits_reads_imported_modules_only_when_every_hit_contradicts(
    two_cores: tuple[types.ModuleType, ...],
) -> None:
    """core.py ran only through dezero/__init__.py: its Add is found there, and only when needed."""
    simple, core = two_cores
    program = {"Variable": core.Variable, "Function": core.Function}
    read: list[int] = []

    def modules() -> list[tuple[str, dict[str, object]]]:
        read.append(1)
        return [(core.__name__, vars(core)), (simple.__name__, vars(simple))]

    extra = coherent.program_hits(
        "Add", [("t_pkg.core_simple.Add", simple.Add)], program, modules, lambda o: True
    )
    assert [obj for _, obj in extra] == [core.Add] and read == [1]
    assert (
        coherent.program_hits("Add", [("t_pkg.core.Add", core.Add)], program, modules, lambda o: True) == []
    )
    assert read == [1]  # a hit of the program's own: the modules are never read


class _Hostile(dict):  # type: ignore[type-arg]
    """A namespace whose lookups raise: a student's object put in sys.modules may be anything."""

    def get(self, key: object, default: object = None) -> object:
        raise RuntimeError("no lookups here")


def test_program_hits_passes_over_a_namespace_that_raises(two_cores: tuple[types.ModuleType, ...]) -> None:
    """`ns.get(alias)` was outside the try: a hostile module in sys.modules failed the load. Now it is passed
    over and core's Add, listed after it, is still found (control: the same without the hostile one)."""
    simple, core = two_cores
    program = {"Variable": core.Variable, "Function": core.Function}
    hits = [("t_pkg.core_simple.Add", simple.Add)]
    spaces = [("t_pkg.evil", _Hostile()), (core.__name__, vars(core))]
    extra = coherent.program_hits("Add", hits, program, lambda: spaces, lambda o: True)
    assert [obj for _, obj in extra] == [core.Add]
    refused = coherent.program_hits("Add", hits, program, lambda: spaces, lambda o: o is not core.Add)
    assert refused == []  # what `qualifies` refuses is never a hit
