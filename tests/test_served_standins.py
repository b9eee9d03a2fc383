"""grader/served_standins.py: the stand-in common/layers.py a job serves has no math for a class the run
grades, and the whole stand-in's for every other (what a TwoLayerNet or SimpleConvNet of the student's runs
on). The oracle is the full stand-in itself (grader/standin_book/common/layers.py, proven against the stored
fixtures by tests/inside/test_standin_book_layers.py)."""

from __future__ import annotations

import ast
import base64
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.pipeline import RunPlan
from grader.served_standins import BOOK_DIR, LAYERS, graded_classes, served_files, served_layers

FULL = (BOOK_DIR / LAYERS).read_text(encoding="utf-8")
FULL_CLASSES = {n.name for n in ast.parse(FULL).body if isinstance(n, ast.ClassDef)}


def _module(source: str, tmp_path: Path, name: str) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    module = ModuleType(name)
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), vars(module))
    return module


def test_served_for_nothing_graded_is_the_whole_stand_in() -> None:
    """A run grading no layer (stage two-layer-net) serves the stand-in unchanged."""
    assert served_layers(frozenset()) == FULL
    assert served_layers(frozenset({"TwoLayerNet", "MulLayer"})) == FULL


@pytest.mark.parametrize(
    "graded", [{"Affine"}, {"Relu", "Affine", "SoftmaxWithLoss", "Sigmoid"}, FULL_CLASSES]
)
def test_a_graded_class_has_no_math_and_the_others_compute_as_the_whole_stand_in(
    graded: set[str], tmp_path: Path
) -> None:
    """Each graded class's forward and backward raise the stand-in message; every other class computes what
    the whole stand-in computes; no private helper is left that no kept class uses."""
    served = _module(served_layers(frozenset(graded)), tmp_path, "served")
    whole = _module(FULL, tmp_path, "whole")
    x = np.array([[1.0, -2.0, 3.0], [-0.5, 0.25, 2.0]])
    for name in graded:
        layer = getattr(served, name).__new__(getattr(served, name))
        for method in ("forward", "backward"):
            said = f"^only the grader's stand-in common.layers.{name} "
            with pytest.raises(NotImplementedError, match=said):
                getattr(layer, method)(*[x] * (2 if (name, method) == ("SoftmaxWithLoss", "forward") else 1))
    for name in {"Relu", "Sigmoid"} - graded:
        mine, theirs = getattr(served, name)(), getattr(whole, name)()
        np.testing.assert_array_equal(mine.forward(x), theirs.forward(x))
        np.testing.assert_array_equal(mine.backward(x), theirs.backward(x))
    tree = ast.parse(served_layers(frozenset(graded)))
    private = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("_")}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert private - {"_graded"} <= used
    if graded == FULL_CLASSES:  # nothing of the math is left: no helper, no numpy call in any class
        assert private == {"_graded"} and "np." not in served_layers(frozenset(graded)).split("class Relu")[1]


def test_a_graded_class_is_refused_by_the_guard_first() -> None:
    """A stub's method calls the stand-in guard first, as every stand-in method does: a graded layer of the
    student's running it is refused with today's message (standins.Registry.layer_guard)."""
    stub = served_layers(frozenset({"Affine"}))
    body = stub[stub.index("class Affine:") :].split("\n\n\n")[0]
    guarded = "    def forward(self, x):\n        if _GRADER_GUARD is not None:\n"
    guarded += "            _GRADER_GUARD(True)\n"
    assert guarded + "        _graded('Affine', 'forward', 'Affine')" in body
    assert "    def __init__(self, W, b):\n        pass" in body


@pytest.mark.parametrize(
    ("assignment", "stage", "graded"),
    [
        ("dlfs-layers", "two-layer-net", set()),
        ("dlfs-layers", "activations", {"Relu", "Sigmoid"}),
        ("dlfs-layers", "default", {"Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"}),
        ("dlfs-advanced", "simple-conv-net", set()),
        ("dlfs-advanced", "default", FULL_CLASSES - {"Sigmoid"}),
    ],
)
def test_a_run_serves_the_classes_its_cases_apply_as_stubs(
    assignment: str, stage: str, graded: set[str]
) -> None:
    """The graded set is every class a case of the run applies (the manifests' stages, read by hand:
    dlfs-advanced's default stage grades Affine, Relu and SoftmaxWithLoss among its optional classes)."""
    a = load_assignment(assignment)
    plan = RunPlan.create(a, 1, cases_for_run(a, 1, stage=stage), stage=stage)
    applied = graded_classes((c.steps for c in plan.cases), (c.target for c in plan.cases))
    assert applied & FULL_CLASSES == graded
    served = base64.b64decode(plan.served_standins[LAYERS]).decode()
    assert served == served_layers(frozenset(graded))
    assert plan.served_standins is plan.served_standins  # built once a run, one dict for every job
    assert served_files(frozenset(graded)) == plan.served_standins


@pytest.mark.parametrize(
    ("stage", "said"),
    [
        ("default", "Relu, Sigmoid, Affine, SoftmaxWithLoss"),
        ("activations", "Relu, Sigmoid"),
        ("two-layer-net", None),
    ],
)
@pytest.mark.parametrize("used", [("common.layers",), ()])
def test_the_parent_words_what_the_stand_in_lacks_from_the_runs_graded_set(
    stage: str, said: str | None, used: tuple[str, ...]
) -> None:
    """The warning that the stand-in has no math for the layers the run grades is the parent's, built from
    the run's graded set (review of s24-user, finding 4: the student process read its served text back and
    wrote the clause). The load's only say is whether the stand-in was used: a load that says nothing else
    (no warning of its own) still gets the clause, named in the stand-in's file order; none where the run
    grades none of its classes, or where the submission never used it."""
    from grader.model import LoadInfo, RunResult
    from grader.pipeline import _report

    a = load_assignment("dlfs-layers")
    plan = RunPlan.create(a, 1, cases_for_run(a, 1, stage=stage), stage=stage)
    load = LoadInfo(modules={}, found={}, missing=(), near={}, standins=used)
    report = _report(plan, "kim", Path("kim.py"), None, RunResult("bwrap", load, {}, None, "", "", 0.0), 0.0)
    lacks = [w for w in report.warnings if "common/layers.py has none of the math" in w]
    if said is None or not used:
        assert lacks == [], report.warnings
    else:
        assert lacks == [
            "the grader's stand-in of the book's common/layers.py has none of the math of the layers this "
            f"run grades ({said}): a class of yours built on one of them fails unless you write that layer "
            "yourself"
        ]


def test_the_student_process_holds_no_wording_of_the_stubs() -> None:
    """The student process neither reads its served text back nor words the clause: one copy of the stub
    docstring, in the parent's module (the second, in grader/inside/standins, and its parsing are gone)."""
    from grader.inside import loading, standins

    assert not hasattr(standins, "STUB_DOC") and not hasattr(standins, "served_stubs")
    assert "none of the math" not in Path(loading.__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("graded", "carrier"), [({"Affine"}, "Convolution"), ({"Relu"}, "Pooling"), ({"Convolution"}, "Affine")]
)
def test_a_class_whose_math_computes_a_graded_one_is_served_without_it(
    graded: set[str], carrier: str, tmp_path: Path
) -> None:
    """A 1x1 Convolution is an Affine, a max-Pooling over [x, 0] pairs a Relu (and im2col, shipped, makes an
    Affine a Convolution): the carrier is a stub too, which says what it stands for (not that it is graded);
    a class carrying none (BatchNormalization, Dropout) keeps its math."""
    served = _module(served_layers(frozenset(graded)), tmp_path, "served")
    whole = _module(FULL, tmp_path, "whole")
    stands_for = next(iter(graded))
    layer = getattr(served, carrier).__new__(getattr(served, carrier))
    said = f"^only the grader's stand-in common.layers.{carrier} was found, served without its math, which "
    with pytest.raises(NotImplementedError, match=said + f"computes {stands_for}, graded in this assignment"):
        layer.forward(np.ones((1, 1, 2, 2)))
    assert served_layers(frozenset({*graded, carrier})).count(f"class {carrier}:") == 1
    x = np.array([[1.0, -2.0, 3.0], [-0.5, 0.25, 2.0]])
    mine, theirs = (
        served.BatchNormalization(np.ones(3), np.zeros(3)),
        whole.BatchNormalization(np.ones(3), np.zeros(3)),
    )
    np.testing.assert_array_equal(mine.forward(x), theirs.forward(x))
    np.testing.assert_array_equal(mine.backward(x), theirs.backward(x))


def test_the_guard_names_what_a_carrier_stands_for() -> None:
    """A carrier's guard (standins.Registry.layer_guard, told the graded class) refuses every caller with a
    message that stays true: Convolution is not graded, its math would compute the graded Affine."""
    from grader.inside.standins import LayerCallRefused, Registry

    registry = Registry("/nonexistent")
    with pytest.raises(
        LayerCallRefused, match="Convolution was found, served without its math, which computes Affine"
    ):
        registry.layer_guard("Convolution.forward", "Affine")
    with pytest.raises(LayerCallRefused, match="and Affine is graded in this assignment"):
        registry.layer_guard("Affine.forward", True)
    registry.layer_guard("Pooling.forward")  # neither graded nor carrying: served as the book's
