"""The stage model (grader/stages.py): which cases a stage grades, optional classes, and stage inference."""

from __future__ import annotations

from grader.stages import Stage, case_ops, implicit_stage, infer_stage, select_ids, uses_optional

IDS = ["a-documented", "a-unit", "b-unit", "c-graph", "gen-a", "gen-b"]


def _stage(name: str, cases: tuple[str, ...], requires: tuple[str, ...] = (), **kw: object) -> Stage:
    return Stage(name, name.title(), requires, cases, **kw)  # type: ignore[arg-type]


def test_select_ids_follows_patterns_in_manifest_order_and_the_extends_chain():
    """Patterns select in the manifest's order (not the pattern's), and `extends` adds the earlier stage's."""
    stages = {
        "one": _stage("one", ("b-unit", "a-*")),
        "two": _stage("two", ("gen-*",), extends="one"),
    }
    assert select_ids(stages, "one", IDS) == ["a-documented", "a-unit", "b-unit"]
    assert select_ids(stages, "two", IDS) == ["a-documented", "a-unit", "b-unit", "gen-a", "gen-b"]
    assert select_ids({"x": _stage("x", ("nothing-*",))}, "x", IDS) == []  # control: a pattern can miss


def test_the_implicit_stage_holds_every_case():
    """A manifest without stages grades everything, as before stages existed."""
    stage = implicit_stage(["Linear"])
    assert stage.name == "default" and stage.requires == ("Linear",)
    assert select_ids({"default": stage}, "default", IDS) == IDS


def test_optional_classes_match_classes_and_dezero_helpers_without_case():
    """`Exp` covers a case applying Exp or exp; a case without it uses no optional class (control)."""
    steps = [{"do": "apply", "op": "exp", "args": ["x"], "out": "y"}, {"do": "backward", "of": "y"}]
    assert case_ops(steps) == ("exp",)
    assert uses_optional(case_ops(steps), ["Square", "Exp"]) == ("Exp",)
    assert uses_optional(("Add",), ["Square", "Exp"]) == ()


DEZERO = [
    _stage("step14", (), ("Variable", "Function", "Add", "add")),
    _stage(
        "step16", (), ("Variable", "Function", "Square", "Add", "square", "add"), detect=(("generation",),)
    ),
    _stage(
        "step17",
        (),
        ("Variable", "Function", "Square", "Add", "square", "add"),
        detect=(("generation",), ("weakref",)),
    ),
]


def test_inference_picks_the_most_demanding_satisfied_stage():
    """Book step 14 (Square, no generation) is step14; with generation step16; with weakref too step17."""
    step14 = {"Variable", "Function", "Square", "Add", "square", "add"}
    assert infer_stage(DEZERO, step14, step14).stage == "step14"  # type: ignore[union-attr]
    assert infer_stage(DEZERO, step14, step14 | {"generation"}).stage == "step16"  # type: ignore[union-attr]
    found = infer_stage(DEZERO, step14, step14 | {"generation", "weakref"})
    assert found is not None and found.stage == "step17"
    assert "Square" in found.reason and "weakref" in found.reason


def test_inference_needs_every_required_name_and_accepts_aliases():
    """Nothing satisfied gives None; a family alias (Neuron for Node) counts as the name; case is ignored."""
    assert infer_stage(DEZERO, {"Variable"}, {"Variable"}) is None
    stages = [_stage("forward", (), ("Node", "Linear"))]
    assert infer_stage(stages, {"neuron", "linear"}, set(), {"Node": ("Neuron",)}) is not None
    assert infer_stage(stages, {"neuron", "linear"}, set()) is None  # control: without the alias table


def test_a_tie_goes_to_the_later_stage():
    """Two stages with the same requirements: the later one in the manifest wins the tie."""
    same = [_stage("a", (), ("X",)), _stage("b", (), ("X",))]
    assert infer_stage(same, {"X"}, {"X"}).stage == "b"  # type: ignore[union-attr]
