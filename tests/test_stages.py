"""The stage model (grader/stages.py): which cases a stage grades, optional classes, and stage inference."""

from __future__ import annotations

import fnmatch

import pytest

from grader.assignments import SHIPPED, load_assignment
from grader.stages import (
    Stage,
    case_ops,
    combine,
    implicit_stage,
    infer_stage,
    select_ids,
    unmatched_patterns,
    uses_optional,
)

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


def test_a_pattern_without_wildcards_selects_only_the_id_it_spells():
    """Plain ids are looked up, not matched: characters special to regular expressions stay literal, and
    case counts (fnmatchcase, on every system)."""
    ids = ["a.b", "axb", "a(b", "A.B", "a.b-2"]
    stages = {"x": _stage("x", ("a.b", "a(b", "[xy].b"))}
    assert select_ids(stages, "x", ids) == ["a.b", "a(b"]
    assert unmatched_patterns(stages["x"], ids) == ["[xy].b"]
    assert unmatched_patterns(_stage("y", ("a.b*", "a?b", "a.B")), ids) == ["a.B"]


@pytest.mark.parametrize("assignment", SHIPPED)
def test_every_shipped_stage_selects_what_fnmatch_selects(assignment: str):
    """The shipped manifests' stages, against fnmatch.fnmatchcase over every id as the independent oracle."""
    a = load_assignment(assignment, require_fixtures=False)
    ids = [*(c.fixture for c in a.cases), *(g.id for g in a.generated)]
    stages = {s.name: s for s in a.stages}
    for stage in a.stages:
        patterns, current = [], stage.name
        while current is not None:
            patterns += stages[current].cases
            current = stages[current].extends
        expected = [i for i in ids if any(fnmatch.fnmatchcase(i, p) for p in patterns)]
        assert select_ids(stages, stage.name, ids) == expected
        assert expected  # control: every shipped stage grades something
        assert unmatched_patterns(stage, ids) == []
    assert unmatched_patterns(_stage("typo", ("no-such-case", "nor-*")), ids) == ["no-such-case", "nor-*"]


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


def test_a_name_defined_by_an_alias_is_said_as_spelt():
    """A MiniFlow fork naming Input `Placeholder` (graded as Input) is told "your code defines Input (as
    Placeholder)", as "AdaGrad (as Adagrad)": "defines Input" was untrue of a file with no Input (review of
    s21-real, submissions/miniflow/placeholder_naming.py). Control: a file defining Input itself is told
    Input, with no alias, also when it defines Placeholder too."""
    stages = [_stage("forward", (), ("Input", "Linear"))]
    table = {"Input": ("Input", "Placeholder")}
    found = infer_stage(stages, {"Placeholder", "Linear"}, set(), table)
    assert found is not None and found.reason == "your code defines Input (as Placeholder), Linear"
    found = infer_stage(stages, {"Input", "Placeholder", "Linear"}, set(), table)
    assert found is not None and found.reason == "your code defines Input, Linear"


def test_a_class_is_not_its_helper_spelt_in_lower_case():
    """The book's step 7 defines the classes Square and Exp but not yet the helpers square() and exp() (step
    9): a stage naming both spellings needs both; the class once counted as its helper, the file was read as
    steps 9-10 and the reason said "your code defines ... square, exp". Controls: with the helpers it is that
    stage, and a spelling no stage names (`sqUare`) still stands for `square`."""
    stages = [
        _stage("classes", ("a-unit",), ("Variable", "Square")),
        _stage("helpers", ("a-unit", "b-unit"), ("Variable", "Square", "square")),
    ]
    found = infer_stage(stages, {"Variable", "Square"}, set())
    assert found is not None and found.stage == "classes" and "square" not in found.reason
    assert infer_stage(stages, {"Variable", "Square", "square"}, set()).stage == "helpers"  # type: ignore[union-attr]
    assert infer_stage(stages, {"Variable", "Square", "sqUare"}, set()).stage == "helpers"  # type: ignore[union-attr]


def test_a_name_only_a_later_step_asks_for_rules_out_the_earlier_step():
    """A step-18 file that calls the classes (Square()(x), Add()(x0, x1): no helpers) satisfies the names of
    the steps-7-8 stage only; it defines Add, which step 13 brings, so it is past step 8: no stage is inferred
    (the default grades it), where it was step 8 and graded on 9 points. Controls: without Add it is step 8;
    a later stage that does not need every name of the earlier one (DLFS's default needs no TwoLayerNet) is
    another part of the course, not a later step."""
    stages = [
        _stage("step08", ("square-unit",), ("Variable", "Square"), detect=(("creator",),)),
        _stage("step13", ("square-unit", "add-unit"), ("Variable", "Square", "Add", "add", "square")),
    ]
    classes = {"Variable", "Square", "Add"}
    assert infer_stage(stages, classes, classes | {"creator"}) is None
    assert infer_stage(stages, {"Variable", "Square"}, {"creator"}).stage == "step08"  # type: ignore[union-attr]
    net = [
        _stage("two-layer-net", ("net-gradient",), ("TwoLayerNet",)),
        _stage("default", ("relu-unit", "net-gradient"), ("Relu", "Affine")),
    ]
    found = infer_stage(net, {"TwoLayerNet", "Relu"}, set())
    assert found is not None and found.stage == "two-layer-net"


def test_a_misspelt_class_keeps_the_stage_the_student_is_at():
    """A whole MiniFlow file with Sigmoid spelt Sigmoyd (and its `_sigmoid` helper): the `forward` stage,
    which asks for Sigmoid, is still the one inferred, and the reason says the spelling; it was inferred
    `linear`, which never asks for Sigmoid, and `grader check` said every case passed. Controls: a file with
    no Sigmoid at all stays `linear`; the class's own `_sigmoid` helper alone is not a misspelling; a short
    name (Add spelt Ad) is never read as one."""
    stages = [
        _stage("linear", (), ("Input", "Linear", "topological_sort")),
        _stage("forward", (), ("Input", "Linear", "Sigmoid", "MSE", "topological_sort")),
    ]
    base = {"Input", "Linear", "MSE", "topological_sort"}
    found = infer_stage(stages, base | {"Sigmoyd", "_sigmoid"}, set())
    assert found is not None and found.stage == "forward" and "Sigmoid (misspelt Sigmoyd?)" in found.reason
    assert infer_stage(stages, base, set()).stage == "linear"  # type: ignore[union-attr]
    assert infer_stage(stages, base | {"_sigmoid"}, set()).stage == "linear"  # type: ignore[union-attr]
    short = [_stage("a", (), ("Variable",)), _stage("b", (), ("Variable", "Add"))]
    assert infer_stage(short, {"Variable", "Ad"}, set()).stage == "a"  # type: ignore[union-attr]
    # spelt with underscores between its words, a capital letter (a class): misspelt however many words; a
    # snake_case variable of that name (`soft_max_with_loss = ...`) is none
    layers = [_stage("relu", (), ("Relu",)), _stage("loss", (), ("Relu", "SoftmaxWithLoss"))]
    snake = infer_stage(layers, {"Relu", "Soft_Max_With_Loss"}, set())
    assert snake is not None and snake.stage == "loss" and "(misspelt Soft_Max_With_Loss?)" in snake.reason
    assert infer_stage(layers, {"Relu", "soft_max_with_loss"}, set()).stage == "relu"  # type: ignore[union-attr]
    # the class and its instance (`softmax_with_loss = Softmax_with_loss()`): the reason names the class as
    # spelt, not the lowercase variable (it said "misspelt softmax_with_loss?")
    both = infer_stage(layers, {"Relu", "Softmax_with_loss", "softmax_with_loss"}, set())
    assert both is not None and "(misspelt Softmax_with_loss?)" in both.reason
    typo = infer_stage(layers, {"Relu", "SoftmaxWithLos", "softmaxwithlos"}, set())
    assert typo is not None and "(misspelt SoftmaxWithLos?)" in typo.reason


def test_a_tie_goes_to_the_later_stage():
    """Two stages with the same requirements: the later one in the manifest wins the tie."""
    same = [_stage("a", (), ("X",)), _stage("b", (), ("X",))]
    assert infer_stage(same, {"X"}, {"X"}).stage == "b"  # type: ignore[union-attr]


# The DLFS book files as stages: separate steps, no chain (FACTS.md, "Stages of the courses").
DLFS = [
    _stage("layer-naive", ("buy-apple", "mul-unit"), ("MulLayer", "AddLayer")),
    _stage("layers", ("relu-unit", "two-layer-graph"), ("Relu", "Affine")),
    _stage("two-layer-net", ("net-check", "net-gradient"), ("TwoLayerNet",)),
    _stage("default", ("relu-unit", "two-layer-graph", "net-gradient"),
           ("MulLayer", "AddLayer", "Relu", "Affine"), extends="layer-naive"),
]  # fmt: skip


def test_separate_stages_defined_together_are_graded_together():
    """Layers plus TwoLayerNet (no MulLayer): layers+two-layer-net, both named in the reason; layer_naive.py
    plus two_layer_net.py: layer-naive+two-layer-net; layers alone (control): layers."""
    both = infer_stage(DLFS, {"Relu", "Affine", "TwoLayerNet"}, set())
    assert both is not None and both.stage == "layers+two-layer-net"
    assert "Relu, Affine (stage layers) and TwoLayerNet (stage two-layer-net)" in both.reason
    naive = infer_stage(DLFS, {"MulLayer", "AddLayer", "TwoLayerNet"}, set())
    assert naive is not None and naive.stage == "layer-naive+two-layer-net"
    assert infer_stage(DLFS, {"Relu", "Affine"}, set()).stage == "layers"  # type: ignore[union-attr]


def test_a_stage_that_grades_another_ones_case_stands_for_it():
    """Everything defined: the default stage grades net-gradient, so it stands for two-layer-net (no
    combination), and it needs every name of layers and layer-naive; a DeZero chain (control: step16 and
    step17 share cases) stays one stage."""
    everything = {"MulLayer", "AddLayer", "Relu", "Affine", "TwoLayerNet"}
    assert infer_stage(DLFS, everything, set()).stage == "default"  # type: ignore[union-attr]
    step14 = {"Variable", "Function", "Square", "Add", "square", "add"}
    assert infer_stage(DEZERO, step14, step14 | {"generation", "weakref"}).stage == "step17"  # type: ignore[union-attr]


def test_a_later_stage_sharing_a_case_stands_for_an_earlier_one_that_names_more_classes():
    """DeZero's steps 1-10 name Square, Exp and their helpers, step 14 only Add: a step-14 file that keeps
    Square and Exp satisfies both, and the later step stands for the earlier (it was step10: more names);
    without Add only the early stage is satisfied (control)."""
    stages = [
        _stage("early", ("a-unit", "b-unit"), ("Variable", "Square", "Exp", "square", "exp")),
        _stage("late", ("a-unit", "c-graph"), ("Variable", "Add", "add")),
    ]
    early = {"Variable", "Square", "Exp", "square", "exp"}
    assert infer_stage(stages, early | {"Add", "add"}, set()).stage == "late"  # type: ignore[union-attr]
    assert infer_stage(stages, early, set()).stage == "early"  # type: ignore[union-attr]


def test_a_lesson_that_needs_every_name_of_an_earlier_one_stands_for_it():
    """MiniFlow's backprop needs every name forward needs (and grades none of its cases): backprop alone."""
    stages = [
        _stage("forward", ("forward-x",), ("Linear",)),
        _stage("backprop", ("quiz",), ("Linear", "fab")),
    ]
    assert infer_stage(stages, {"Linear", "fab"}, set()).stage == "backprop"  # type: ignore[union-attr]


def test_combine_unites_cases_and_names_and_keeps_an_optional_class_only_where_no_part_requires_it():
    """combine: name a+b, every part's cases and names; Exp optional in one part stays optional, Square
    optional in one part but required by the other does not; a single part is itself."""
    a = _stage("a", ("a-*",), ("X",), optional_classes=("Square", "Exp"), optional_points=True)
    b = _stage("b", ("b-unit",), ("Y", "square"))
    both = combine([a, b])
    assert (both.name, both.part_names, both.requires) == ("a+b", ("a", "b"), ("X", "Y", "square"))
    assert both.optional_classes == ("Exp",) and both.optional_points
    stages = {"a": a, "b": b}
    from grader.stages import stage_ids

    assert stage_ids(stages, both, IDS) == ["a-documented", "a-unit", "b-unit"]
    assert combine([a]) is a


STEP18 = _stage(
    "step18",
    (),
    ("Variable", "Function", "Square", "Exp", "Add", "square", "exp", "add"),
    detect=(("generation",), ("retain_grad",)),
    extends="step17",
)


def test_a_class_an_earlier_stage_left_optional_is_not_needed_to_infer_a_later_one():
    """The book's step18.py has no Exp; Exp is optional at step16/step17, which step18 extends: the file is
    step18 (reason without Exp). Without retain_grad (control) it is step17."""
    stages = [
        _stage("step16", (), DEZERO[1].requires, detect=(("generation",),), optional_classes=("Exp",)),
        _stage("step17", (), DEZERO[1].requires, detect=(("generation",), ("weakref",)), extends="step16",
               optional_classes=("Exp",)),
        STEP18,
    ]  # fmt: skip
    book = {"Variable", "Function", "Square", "Add", "square", "add"}
    found = infer_stage(stages, book, book | {"generation", "weakref", "retain_grad"})
    assert found is not None and found.stage == "step18" and "Exp" not in found.reason
    assert infer_stage(stages, book, book | {"generation", "weakref"}).stage == "step17"  # type: ignore[union-attr]
    alone = infer_stage([STEP18], book, book | {"generation", "retain_grad"})
    assert alone is None  # control: with no stage before it making Exp optional, step18 needs Exp


def test_an_operator_in_detect_is_shown_as_written():
    """The reason names `@` where `detect` holds `__matmul__` (the identifier the scan records for `X @ W`);
    other identifiers are shown as they are."""
    stages = [_stage("transform", (), ("Linear",), detect=(("dot", "__matmul__"),))]
    found = infer_stage(stages, {"Linear"}, {"__matmul__"})
    assert found is not None and found.reason == "your code defines Linear; uses dot or @"


def test_a_name_defined_in_another_case_is_said_as_spelt():
    """`sigmoid` (the helper function) stands for Sigmoid in the inference, as a `Mse` for MSE; the reason
    said "your code defines Sigmoid" of code whose class was misspelt `Sigmod`, and then reported Sigmoid
    missing. It says how the code spells it."""
    stages = [_stage("layers", (), ("Relu", "Sigmoid"))]
    found = infer_stage(stages, {"Relu", "sigmoid", "Sigmod"}, set())
    assert found is not None and found.reason == "your code defines Relu, Sigmoid (as sigmoid)"


def test_a_name_another_part_of_the_course_asks_for_does_not_rule_out_a_step():
    """DLFS chapter 5 in one file: MulLayer and AddLayer (5.4), then Relu (5.5). `default` extends
    layer-naive and needs Relu too, but Relu is `layers`' name, a part of the course that shares no case
    with layer-naive: the file is still at layer-naive (as it was before `_outgrown`; it became no stage, so
    the default graded it with Sigmoid, Affine and SoftmaxWithLoss missing). Control: in a chain where every
    stage asking for the new name is a later step (DeZero's Add), the earlier step is still ruled out."""
    stages = [
        _stage("layer-naive", ("mul-unit",), ("MulLayer", "AddLayer")),
        _stage("layers", ("relu-unit",), ("Relu", "Affine")),
        _stage("default", ("mul-unit", "relu-unit"), ("MulLayer", "AddLayer", "Relu", "Affine")),
    ]
    found = infer_stage(stages, {"MulLayer", "AddLayer", "Relu"}, set())
    assert found is not None and found.stage == "layer-naive"
    chain = [
        _stage("step08", ("square-unit",), ("Variable", "Square")),
        _stage("step13", ("square-unit", "add-unit"), ("Variable", "Square", "Add", "add")),
        _stage("step14", ("square-unit", "add-unit"), ("Variable", "Add", "add"), detect=(("cleargrad",),)),
    ]
    assert infer_stage(chain, {"Variable", "Square", "Add"}, set()) is None


def test_a_file_between_two_steps_past_the_default_is_graded_at_the_step_it_completes():
    """A DeZero step-52 package whose functions.py has `linear` (step 43's) but no `sigmoid`: it outgrows
    step 42 and does not reach step 43. It was no stage, so the default (step 18) graded it, where the book's
    core.py has no Square; past the default, the step it completes stands for it. Control: before the
    default, such a file is still no stage (a step-18 file calling the classes outgrows steps 7-8, and the
    default stands for it better than steps 7-8 do)."""
    chain = [
        _stage("step08", ("square-unit",), ("Variable", "Square")),
        _stage("step13", ("square-unit", "add-unit"), ("Variable", "Square", "Add", "add")),
        _stage("step18", ("square-unit", "add-unit", "no-grad"), ("Variable", "Square", "Add", "add")),
        # later steps grade the earlier steps' cases too (their `extends` chain)
        _stage(
            "step42",
            ("square-unit", "add-unit", "mse-unit"),
            ("Variable", "Add", "add", "mean_squared_error"),
        ),
        _stage(
            "step43",
            ("square-unit", "add-unit", "mse-unit", "linear-unit"),
            ("Variable", "Add", "add", "mean_squared_error", "linear", "sigmoid"),
        ),
    ]
    between = {"Variable", "Add", "add", "mean_squared_error", "linear"}
    assert infer_stage(chain, between, set()) is None  # without the default: no stage, as before
    found = infer_stage(chain, between, set(), default="step18")
    assert found is not None and found.stage == "step42"
    assert infer_stage(chain, between | {"sigmoid"}, set(), default="step18").stage == "step43"  # type: ignore[union-attr]
    assert infer_stage(chain, {"Variable", "Square", "Add"}, set(), default="step18") is None


def test_optional_feedback_classes_keep_no_points_even_with_optional_points():
    """`optional_feedback` (dlfs-advanced's optimizers at ch06, layers, default): a case applying one is worth
    0 where the stage's other optional classes keep their points; combine keeps it feedback."""
    a = _stage(
        "a",
        ("a-*",),
        ("X",),
        optional_classes=("Affine", "SGD"),
        optional_points=True,
        optional_feedback=("SGD",),
    )
    assert (
        a.scores(()) and a.scores(("Affine",)) and not a.scores(("SGD",)) and not a.scores(("Affine", "sgd"))
    )
    plain = _stage("p", ("a-*",), ("X",), optional_classes=("Affine",))
    assert not plain.scores(("Affine",))  # control: no optional_points, feedback as before
    both = combine([a, _stage("b", ("b-unit",), ("Y",))])
    assert both.optional_feedback == ("SGD",) and both.optional_points and not both.scores(("SGD",))
    assert combine([a, _stage("c", ("b-unit",), ("SGD",))]).optional_feedback == ()  # required by a part


def test_a_dataloader_step_uses_the_classes_it_builds_as_an_applied_op_does() -> None:
    """DeZero's dataloader step builds the student's Dataset and DataLoader by name, with no `op`: the case
    uses them (session 32), so step57, where they are optional classes as accuracy and dropout, skips the
    case for a conv package without them instead of failing it "no class DataLoader" (sample
    book_step58_no_data_classes/); an apply step still counts its op, and a step kind with no classes none."""
    from grader.assignments import load_assignment
    from grader.stages import case_ops, uses_optional

    steps = [{"do": "dataloader", "args": ["x", "t"], "out": "loader", "settings": {}}]
    assert case_ops(steps) == ("Dataset", "DataLoader")
    assert case_ops([{"do": "apply", "op": "accuracy"}, *steps, {"do": "record"}]) == (
        "accuracy",
        "Dataset",
        "DataLoader",
    )
    dezero = load_assignment("dezero")
    step57 = dezero.stage("step57")
    assert dezero.optional_classes_of("step50-dataloader", step57) == ("Dataset", "DataLoader")
    assert dezero.optional_classes_of("step57-conv2d", step57) == ()
    assert uses_optional(case_ops(steps), dezero.stage("step50").optional_classes) == ()


def test_defines_through_the_lower_case_index_answers_as_the_rule_says():
    """`defines` on keep_names' copy (its lower-case index) answers as its rule reads, for every name and
    every set of a pool of spellings: the name or an alias as spelt, or a defined name equal to one of them
    but for case that no stage requires as spelt and that is no function-only helper of a class's name. An
    index that lost one of two spellings of one lower case (`RELU` beside `relu`) fails this."""
    import itertools

    from grader.stages import DefinedNames, defines, keep_names

    pool = ["Relu", "relu", "RELU", "ReLU", "Node", "Layer", "layer", "Square", "square", "mse"]
    aliases = {"Node": ("Layer",), "MSE": ("Mse",)}
    known = frozenset({"Relu", "Node", "Square", "square", "MSE"})
    asked = ["Relu", "Node", "Square", "square", "MSE", "Sigmoid"]

    def rule(name: str, defined: set[str], functions: frozenset[str]) -> bool:
        spellings = (name, *aliases.get(name, ()))
        if any(s in defined for s in spellings):
            return True
        lower = {s.lower() for s in spellings}
        helpers = functions if name[:1].isupper() else frozenset()
        return any(d.lower() in lower and d not in known and d not in helpers for d in defined)

    checked = 0
    for size in (1, 2, 3):
        for chosen in itertools.combinations(pool, size):
            for functions in (frozenset(), frozenset(d for d in chosen if d.islower())):
                names = keep_names(DefinedNames(chosen, functions))
                assert names.lowered is not None
                for name in asked:
                    assert defines(name, names, aliases, known) == rule(name, set(chosen), functions), (
                        name,
                        chosen,
                        functions,
                    )
                    checked += 1
    assert checked > 1000
    # two spellings of one lower case, each in turn the only one that counts: an index holding one of them
    # answers one of these wrong, whichever it holds
    for helper, other in (("relu", "RELU"), ("RELU", "relu")):
        names = keep_names(DefinedNames(["relu", "RELU"], [helper]))
        assert defines("Relu", names, {}, frozenset({"Relu"})), other
        assert not defines("Relu", names, {}, frozenset({"Relu", other}))
