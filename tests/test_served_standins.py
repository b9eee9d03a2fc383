"""grader/served_standins.py: the stand-in common/layers.py a job serves has no math for a class the run
grades, and the whole stand-in's for every other (what a TwoLayerNet or SimpleConvNet of the student's runs
on). The oracle is the full stand-in itself (grader/standin_book/common/layers.py, proven against the stored
fixtures by tests/inside/test_standin_book_layers.py)."""

from __future__ import annotations

import ast
import base64
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from grader.assignments import load_assignment
from grader.cases import cases_for_run
from grader.pipeline import RunPlan
from grader.served_standins import (
    BOOK_DIR,
    LAYERS,
    graded_classes,
    served_layers,
    served_with_math,
    stub_warning,
    stubbed,
    withheld,
)

FULL = (BOOK_DIR / LAYERS).read_text(encoding="utf-8")
FULL_CLASSES = {n.name for n in ast.parse(FULL).body if isinstance(n, ast.ClassDef)}


def _module(source: str, tmp_path: Path, name: str) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    module = ModuleType(name)
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), vars(module))
    return module


def test_only_the_layers_a_graded_network_builds_keep_their_math() -> None:
    """An allow-list (served_with_math): a run serves a class's math only where a network it grades builds
    it and the class is neither graded nor computes a graded one; a run grading no network serves no math
    at all (dlfs-layers' stage layers, whose BatchNormalization computed Affine: review of s24-hunt)."""
    assert served_with_math(frozenset()) == frozenset()
    assert served_with_math({"MulLayer", "Affine", "Relu"}) == frozenset()
    assert served_with_math({"TwoLayerNet"}) == {"Affine", "Relu", "Sigmoid", "SoftmaxWithLoss"}
    assert served_with_math({"TwoLayerNet", "Affine"}) == {"Relu", "Sigmoid", "SoftmaxWithLoss"}
    assert served_with_math({"MultiLayerNetExtend"}) == {
        "Affine",
        "Relu",
        "Sigmoid",
        "BatchNormalization",
        "Dropout",
        "SoftmaxWithLoss",
    }
    # a graded layer takes its carriers with it even where a graded network builds them
    assert served_with_math({"MultiLayerNetExtend", "Affine"}) == {
        "Relu",
        "Sigmoid",
        "Dropout",
        "SoftmaxWithLoss",
    }
    assert served_with_math({"SimpleConvNet", "Relu"}) == {
        "Convolution",
        "Affine",
        "Sigmoid",
        "SoftmaxWithLoss",
    }
    assert served_layers(frozenset({"SimpleConvNet", "MultiLayerNetExtend"})) == FULL


def test_withheld_is_the_same_whatever_the_hash_order() -> None:
    """withheld() names the first graded class (sorted) a carrier computes, in sorted order: the served text
    does not depend on PYTHONHASHSEED (a carrier of two graded classes: BatchNormalization)."""
    said = withheld(frozenset({"Convolution", "Affine"}), sorted(FULL_CLASSES))
    assert list(said) == sorted(said)
    assert said["BatchNormalization"] == "Affine" and said["Pooling"] == ""
    graded = "frozenset({'Convolution', 'Affine', 'Relu', 'Sigmoid', 'Dropout', 'SimpleConvNet'})"
    code = "import hashlib; from grader.served_standins import served_layers as s; "
    code += f"print(hashlib.sha256(s({graded}).encode()).hexdigest())"
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("0", "1", "2", "3", "4", "5")
    }
    assert len(digests) == 1, digests


@pytest.mark.parametrize(
    "graded",
    [
        {"Affine"},
        {"Relu", "Affine", "SoftmaxWithLoss", "Sigmoid"},
        {"TwoLayerNet"},
        {"MultiLayerNetExtend", "Affine"},
        {"SimpleConvNet", "Relu"},
        FULL_CLASSES,
    ],
)
def test_a_class_not_served_has_no_math_and_the_others_compute_as_the_whole_stand_in(
    graded: set[str], tmp_path: Path
) -> None:
    """Each class not served with its math raises the stand-in message from forward and backward; every
    served one computes what the whole stand-in computes; no private helper is left that no kept class
    uses."""
    served = _module(served_layers(frozenset(graded)), tmp_path, "served")
    whole = _module(FULL, tmp_path, "whole")
    x = np.array([[1.0, -2.0, 3.0], [-0.5, 0.25, 2.0]])
    kept = served_with_math(graded)
    for name in FULL_CLASSES - kept:
        layer = getattr(served, name).__new__(getattr(served, name))
        for method in ("forward", "backward"):
            said = f"^only the grader's stand-in common.layers.{name} "
            with pytest.raises(NotImplementedError, match=said):
                getattr(layer, method)(*[x] * (2 if (name, method) == ("SoftmaxWithLoss", "forward") else 1))
    for name in {"Relu", "Sigmoid"} & kept:
        mine, theirs = getattr(served, name)(), getattr(whole, name)()
        np.testing.assert_array_equal(mine.forward(x), theirs.forward(x))
        np.testing.assert_array_equal(mine.backward(x), theirs.backward(x))
    if "BatchNormalization" in kept:
        mine, theirs = (
            served.BatchNormalization(np.ones(3), np.zeros(3)),
            whole.BatchNormalization(np.ones(3), np.zeros(3)),
        )
        np.testing.assert_array_equal(mine.forward(x), theirs.forward(x))
        np.testing.assert_array_equal(mine.backward(x), theirs.backward(x))
    tree = ast.parse(served_layers(frozenset(graded)))
    private = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("_")}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert private - {"_graded"} <= used
    if not kept:  # nothing of the math is left: no helper, no numpy call in any class
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
    ("assignment", "stage", "graded", "math"),
    [
        ("dlfs-layers", "two-layer-net", set(), {"Affine", "Relu", "Sigmoid", "SoftmaxWithLoss"}),
        ("dlfs-layers", "activations", {"Relu", "Sigmoid"}, set()),
        ("dlfs-layers", "default", {"Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"}, set()),
        (
            "dlfs-advanced",
            "simple-conv-net",
            set(),
            {"Affine", "Relu", "Sigmoid", "SoftmaxWithLoss", "Convolution", "Pooling"},
        ),
        ("dlfs-advanced", "conv", {"Affine", "Relu", "SoftmaxWithLoss", "Convolution", "Pooling"}, set()),
        ("dlfs-advanced", "ch06", FULL_CLASSES - {"Sigmoid", "Convolution", "Pooling"}, {"Sigmoid"}),
        ("dlfs-advanced", "default", FULL_CLASSES - {"Sigmoid"}, {"Sigmoid"}),
    ],
)
def test_a_run_serves_math_only_for_what_its_graded_networks_build(
    assignment: str, stage: str, graded: set[str], math: set[str]
) -> None:
    """The graded set is every class a case of the stage applies (the manifests' stages, read by hand:
    dlfs-advanced's default stage grades Affine, Relu and SoftmaxWithLoss among its optional classes); the
    classes served with their math are those its networks build and it does not grade. `grader check` (the
    visible cases) serves the very text `grader grade` does: ch06's visible cases apply no Affine, its
    hidden ones do (review of s24-hunt: a file calling a stub at import passed check and scored 0)."""
    a = load_assignment(assignment)
    plan = RunPlan.create(a, 1, cases_for_run(a, 1, stage=stage), stage=stage)
    applied = graded_classes((c.steps for c in plan.cases), (c.target for c in plan.cases))
    assert applied & FULL_CLASSES == graded
    assert served_with_math(applied) == math
    served = base64.b64decode(plan.served_standins[LAYERS]).decode()
    assert served == served_layers(applied)
    assert plan.served_standins is plan.served_standins  # built once a run, one dict for every job
    checked = RunPlan.create(a, 1, cases_for_run(a, 1, include=("visible",), stage=stage), stage=stage)
    assert checked.served_standins == plan.served_standins


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


def test_a_load_that_never_used_the_stand_in_is_warned_without_reading_it() -> None:
    """stub_warning reads the stand-in's file (stubbed, cached) only for a load that used it: every report
    asks, and a MiniFlow or DeZero check parsed the book's layers.py after its job's reply for nothing. The
    control: a load that used it has the file read, once."""
    graded = frozenset({"Affine", "Relu"})
    stubbed.cache_clear()
    assert stub_warning(graded, ()) is None
    assert stub_warning(graded, ("numpy",)) is None
    assert stubbed.cache_info().misses == 0
    assert stub_warning(graded, ("common.layers",)) is not None
    assert stubbed.cache_info().misses == 1


def test_the_student_process_holds_no_wording_of_the_stubs() -> None:
    """The student process neither reads its served text back nor words the clause: one copy of the stub
    docstring, in the parent's module (the second, in grader/inside/standins, and its parsing are gone)."""
    from grader.inside import loading, standins

    assert not hasattr(standins, "STUB_DOC") and not hasattr(standins, "served_stubs")
    assert "none of the math" not in Path(loading.__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("graded", "carrier"),
    [
        ({"Affine"}, "Convolution"),
        ({"Relu"}, "Pooling"),
        ({"Convolution"}, "Affine"),
        ({"Affine"}, "BatchNormalization"),
        ({"Convolution"}, "BatchNormalization"),
        ({"Relu"}, "Dropout"),
    ],
)
def test_a_class_whose_math_computes_a_graded_one_is_served_without_it(
    graded: set[str], carrier: str, tmp_path: Path
) -> None:
    """A 1x1 Convolution is an Affine, a max-Pooling over [x, 0] pairs a Relu, BatchNormalization's backward
    an Affine or a Convolution (dgamma a contraction), a Dropout with its mask set a Relu: the carrier is a
    stub even where a graded network builds it (MultiLayerNetExtend, SimpleConvNet), and its message says
    what it would compute, never that it is graded; without the graded layer, the network's carrier keeps
    its math (the control)."""
    networks = {"MultiLayerNetExtend", "SimpleConvNet"}
    served = _module(served_layers(frozenset(graded | networks)), tmp_path, "served")
    stands_for = next(iter(graded))
    layer = getattr(served, carrier).__new__(getattr(served, carrier))
    said = f"^only the grader's stand-in common.layers.{carrier} was found, served without its math in this "
    said += (
        rf"assignment \(its math would compute {stands_for}, which is graded; {carrier}.forward was called\)"
    )
    with pytest.raises(NotImplementedError, match=said):
        layer.forward(np.ones((1, 1, 2, 2)))
    text = served_layers(frozenset(graded | networks))
    stub = re.split(r"\n(?=class |def )", text[text.index(f"class {carrier}:") :])[0]
    assert (
        f'"""The grader\'s stand-in without its math: it would compute {stands_for}, which is graded."""'
        in stub
    )
    assert served_layers(frozenset({*graded, carrier})).count(f"class {carrier}:") == 1
    assert carrier in served_with_math(networks) and carrier not in served_with_math(graded | networks)


def test_the_guard_names_what_a_carrier_stands_for() -> None:
    """A stub's guard (standins.Registry.layer_guard) refuses every caller with a message that stays true:
    Convolution is not graded, its math would compute the graded Affine; Pooling is not graded and nothing
    graded builds it; neither is told to be graded."""
    from grader.inside.standins import LayerCallRefused, Registry

    registry = Registry("/nonexistent")
    with pytest.raises(LayerCallRefused) as refused:
        registry.layer_guard("Convolution.forward", "Affine")
    assert str(refused.value) == (
        "only the grader's stand-in common.layers.Convolution was found, served without its math in this "
        "assignment (its math would compute Affine, which is graded; Convolution.forward was called): if "
        "your code needs Convolution, write it yourself"
    )
    with pytest.raises(LayerCallRefused, match=r"Pooling was found, served without its math in this assign"):
        registry.layer_guard("Pooling.forward", "")
    assert "nothing graded here builds it" in str(registry.layer_refused)
    assert "is graded" not in str(registry.layer_refused)
    with pytest.raises(LayerCallRefused, match="and Affine is graded in this assignment"):
        registry.layer_guard("Affine.forward", True)
    registry.layer_guard("Pooling.forward")  # served with its math: runs as the book's


def test_a_stub_called_at_import_is_told_its_line_and_what_to_do(tmp_path: Path) -> None:
    """A demo at the top level of the student's file calling a stub (ch06_with_pool_demo.py: Pooling at
    stage ch06) is told which class, that it is served without its math in this assignment, the line of
    their file that called it at import, and what to do; the same call from a function is not told to
    move a demo."""
    from grader.inside.standins import LayerCallRefused, Registry

    root = tmp_path.resolve()
    registry = Registry(str(root))
    demo = "import numpy as np\nguard('Pooling.forward', '')\n"
    with pytest.raises(LayerCallRefused) as refused:
        exec(compile(demo, str(root / "ch06.py"), "exec"), {"guard": registry.layer_guard})
    assert str(refused.value) == (
        "only the grader's stand-in common.layers.Pooling was found, served without its math in this "
        "assignment (nothing graded here builds it; Pooling.forward was called at import, ch06.py line 2): "
        'move that call under `if __name__ == "__main__":` or write class Pooling yourself'
    )
    within = "def f():\n    guard('Pooling.forward', '')\n"
    namespace = {"guard": registry.layer_guard}
    exec(compile(within, str(root / "ch06.py"), "exec"), namespace)
    with pytest.raises(LayerCallRefused, match=r"Pooling.forward was called\): if your code needs Pooling"):
        namespace["f"]()
