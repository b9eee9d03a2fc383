"""Loading assignments: shipped ids, manifest paths, every problem a ConfigError saying what is valid."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import assignments
from grader.assignments import SHIPPED, FixturesLocation, fixtures_root, load_assignment, locate_fixtures
from grader.cases import cases_for_run
from grader.model import Limits, Tolerance
from grader.schema import ConfigError, validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FORBIDDEN = {
    "torch",
    "tensorflow",
    "jax",
    "autograd",
    "keras",
    "mxnet",
    "chainer",
    "theano",
    "mindspore",
    "paddle",
}
REQUIRED = {
    "miniflow": (
        ["Input", "Linear", "Sigmoid", "MSE", "topological_sort", "forward_and_backward"],
        ["sgd_update", "Node"],
    ),
    "dezero": (
        ["Variable", "Function", "Square", "Exp", "Add", "square", "exp", "add"],
        # steps 19-24's names are optional for the assignment and required by their stages
        [
            *("no_grad", "Config", "as_array", "Mul", "Neg", "Sub", "Div", "Pow"),
            *("mul", "neg", "sub", "div", "pow", "as_variable"),
            *("Sin", "Cos", "Tanh", "sin", "cos", "tanh"),  # steps 27 to 35
            *("Reshape", "Transpose", "Sum", "BroadcastTo", "SumTo", "MatMul"),  # steps 37 to 41
            *("reshape", "transpose", "sum", "broadcast_to", "sum_to", "matmul"),
            *("MeanSquaredError", "mean_squared_error"),  # step 42
            *("Linear", "Sigmoid", "linear", "sigmoid"),  # step 43
            *("Parameter", "Layer", "layers.Linear"),  # step 44: the Layer Linear of dezero/layers.py
            *("Model", "MLP"),  # step 45 (dezero/models.py)
            *("Optimizer", "MomentumSGD"),  # step 46 (its SGD is no listed name: grader/inside/aliases.py)
            *("GetItem", "get_item", "Softmax", "softmax"),  # step 47
            *("SoftmaxCrossEntropy", "softmax_cross_entropy"),
            *("sphere", "matyas", "goldstein", "rosenbrock"),  # steps 24 and 28: the step file's own (s29)
            "accuracy",  # step 50 (session 31)
            "dropout",  # step 54 (session 31)
            *("im2col", "conv2d", "pooling"),  # steps 55 to 57, dezero/functions_conv.py (session 30)
            *("RNN", "LSTM"),  # steps 59 and 60, dezero/layers.py (session 32)
            *("Dataset", "DataLoader"),  # steps 49 and 50 (session 32)
        ],
    ),
    "dlfs-layers": (
        ["MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"],
        ["TwoLayerNet"],
    ),
    "dlfs-advanced": (
        ["Dropout", "BatchNormalization", "Convolution", "Pooling"],
        # chapter 5's layers, SimpleConvNet, chapter 6's optimizers (session 21), MultiLayerNet (session 22)
        [
            *("Relu", "Affine", "SoftmaxWithLoss", "SimpleConvNet"),
            *("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"),
            "MultiLayerNet",
            "MultiLayerNetExtend",
        ],
    ),
}


@pytest.mark.parametrize("aid", SHIPPED)
def test_shipped_assignment_loads_with_the_brief_settings(aid):
    """Each shipped id loads with its required names, limits 10 s/10 s/512 MiB/256 KiB, tol 1e-6/1e-9."""
    a = load_assignment(aid)
    assert a.id == aid
    assert (list(a.required), list(a.optional)) == REQUIRED[aid]
    assert a.limits == Limits(10.0, 10.0, 512, 256)
    assert a.tolerance == Tolerance(1e-6, 1e-9)
    assert set(a.forbidden_imports) == FORBIDDEN


@pytest.mark.parametrize("aid", SHIPPED)
def test_a_title_names_no_step_range_its_stages_leave(aid):
    """Session 23: DeZero's title said "steps 1 to 18" over stages up to step46, printed in every report
    (`DeZero steps 1 to 18: ...` above `stage step41`) and in the Canvas column of a step46 batch. A title
    naming a range of steps holds every stage's step."""
    import re

    a = load_assignment(aid)
    steps = [int(m[1]) for s in a.stages if (m := re.fullmatch(r"step(\d+)", s.name))]
    for low, high in re.findall(r"steps? (\d+) to (\d+)", a.title):
        outside = [n for n in steps if not int(low) <= n <= int(high)]
        assert not outside, f"{a.title!r}: stages step{outside} outside steps {low} to {high}"


@pytest.mark.parametrize("aid", SHIPPED)
def test_visibility_rules_of_the_shipped_manifests(aid):
    """Documented and unit cases are visible, one case is after_due_date, generated hidden, 2-3 each."""
    a = load_assignment(aid)
    kinds = {c.fixture: json.loads(a.fixture_path(c.fixture).read_text())["kind"] for c in a.cases}
    for c in a.cases:
        if c.fixture.endswith("-documented") or kinds[c.fixture] == "unit":
            assert c.visibility == "visible", c.fixture
    assert [c.visibility for c in a.cases].count("after_due_date") == 1
    assert "hidden" in {c.visibility for c in a.cases}
    assert a.generated and all(g.visibility == "hidden" and g.count in (2, 3) for g in a.generated)


@pytest.mark.parametrize("aid", SHIPPED)
def test_to_dict_is_a_valid_manifest_that_loads_back(aid, tmp_path):
    """Assignment.to_dict() validates against the manifest schema and loads back to an equal record."""
    a = load_assignment(aid)
    validate(a.to_dict(), "manifest", source="to_dict")
    copy = tmp_path / aid
    shutil.copytree(a.root, copy)
    (copy / "manifest.json").write_text(json.dumps(a.to_dict()))
    assert load_assignment(copy) == load_assignment(aid).__class__(**{**a.__dict__, "root": copy.resolve()})


def test_modules_list_the_usual_alternatives_in_order():
    """Preferred student file names come first, then the book's alternatives."""
    assert load_assignment("miniflow").modules == ("miniflow.py",)
    dz = load_assignment("dezero").modules
    assert dz[:3] == ("dezero.py", "steps/step47.py", "step47.py") and "step01.py" in dz
    order = ("step47.py", "step46.py", "step45.py", "step44.py", "step43.py")
    assert [dz.index(name) for name in order] == sorted(dz.index(name) for name in order)
    # a later step's file is preferred: a folder with step18.py and step22.py is graded on step22.py
    assert (
        dz.index("step43.py")
        < dz.index("step42.py")
        < dz.index("step41.py")
        < dz.index("step35.py")
        < dz.index("step24.py")
        < dz.index("step19.py")
    )
    assert dz.index("step19.py") < dz.index("step18.py")
    ly = load_assignment("dlfs-layers").modules
    assert ly[0] == "layers.py" and {"common/layers.py", "layer_naive.py", "ch05/two_layer_net.py"} <= set(ly)


def test_dlfs_support_files_are_shipped():
    """dlfs-layers ships common/{__init__,functions,gradient,util}.py into the sandbox."""
    files = load_assignment("dlfs-layers").support_bytes()
    assert set(files) == {"common/__init__.py", "common/functions.py", "common/gradient.py", "common/util.py"}
    assert b"def cross_entropy_error" in files["common/functions.py"]


def test_unknown_id_lists_the_valid_ids():
    """An unknown assignment id is a ConfigError listing the shipped ids."""
    with pytest.raises(ConfigError, match=r"unknown assignment 'minflow'.*miniflow, dezero, dlfs-layers"):
        load_assignment("minflow")


def test_manifest_path_and_folder_both_load():
    """A path to a manifest.json, or to its folder, loads the same assignment as the id."""
    by_id = load_assignment("dezero")
    assert load_assignment(FIXTURES / "dezero" / "manifest.json") == by_id
    assert load_assignment(str(FIXTURES / "dezero")) == by_id


def _copy(tmp_path: Path, aid: str = "miniflow") -> Path:
    dst = tmp_path / aid
    shutil.copytree(FIXTURES / aid, dst)
    return dst


def test_missing_fixture_file_names_the_case_and_the_valid_ones(tmp_path):
    """A manifest case without its fixture file names $.cases[i].fixture and lists the existing fixtures."""
    root = _copy(tmp_path)
    (root / "cases" / "mse-unit.json").unlink()
    with pytest.raises(
        ConfigError, match=r"\$\.cases\[3\]\.fixture: no fixture file cases/mse-unit\.json.*linear"
    ):
        load_assignment(root)
    assert load_assignment(root, require_fixtures=False).cases[3].fixture == "mse-unit"  # negative control


def test_duplicate_case_id_is_refused(tmp_path):
    """A generated prefix that collides with a stored case id is refused, naming both places."""
    root = _copy(tmp_path)
    data = json.loads((root / "manifest.json").read_text())
    data["cases"][0]["fixture"] = "gen-two-layer-1"
    (root / "manifest.json").write_text(json.dumps(data))
    (root / "cases" / "quiz-documented.json").rename(root / "cases" / "gen-two-layer-1.json")
    with pytest.raises(ConfigError, match=r"\$\.generated\[0\]\.id: case id 'gen-two-layer-1' also at"):
        load_assignment(root)


def test_missing_support_file_is_named(tmp_path):
    """A support file listed in the manifest but absent is a ConfigError naming its index."""
    root = _copy(tmp_path, "dlfs-layers")
    (root / "support" / "common" / "util.py").unlink()
    with pytest.raises(ConfigError, match=r"\$\.support_files\[3\]: no file support/common/util\.py"):
        load_assignment(root)


def test_fixtures_root_is_the_checkout_folder(monkeypatch):
    """In a checkout (pyproject.toml beside the package), fixtures_root() is the repo's fixtures/."""
    monkeypatch.delenv("GRADER_FIXTURES", raising=False)
    assert locate_fixtures() == FixturesLocation(FIXTURES, "checkout")
    assert fixtures_root() == FIXTURES


def test_grader_fixtures_overrides_even_a_checkout(tmp_path, monkeypatch):
    """GRADER_FIXTURES wins over the checkout's folder; a value that is no folder is a ConfigError."""
    other = shutil.copytree(FIXTURES, tmp_path / "mine")
    monkeypatch.setenv("GRADER_FIXTURES", str(other))
    assert locate_fixtures() == FixturesLocation(other, "GRADER_FIXTURES")
    assert load_assignment("miniflow").root == (other / "miniflow").resolve()
    monkeypatch.setenv("GRADER_FIXTURES", str(tmp_path / "absent"))
    with pytest.raises(ConfigError, match=r"GRADER_FIXTURES=.*absent.* is not a folder"):
        fixtures_root()


def _installed(monkeypatch, root: Path) -> Path:
    """Pretend the package lives at ROOT/grader (a site-packages layout: no pyproject.toml beside it)."""
    (root / "grader").mkdir(parents=True)
    monkeypatch.setattr(assignments, "__file__", str(root / "grader" / "assignments.py"))
    monkeypatch.delenv("GRADER_FIXTURES", raising=False)
    return root / "grader"


def test_an_installed_package_uses_the_fixtures_it_carries(tmp_path, monkeypatch):
    """Without a checkout, the copy a wheel installs at grader/fixtures/ is used, with no variable set."""
    package = _installed(monkeypatch, tmp_path / "site")
    shutil.copytree(FIXTURES, package / "fixtures")
    assert locate_fixtures() == FixturesLocation((package / "fixtures").resolve(), "package")
    assert load_assignment("dezero").root == (package / "fixtures" / "dezero").resolve()


def test_a_fixtures_folder_without_pyproject_is_not_taken_for_a_checkout(tmp_path, monkeypatch):
    """A stray fixtures/ beside an installed package (no pyproject.toml) is ignored; with neither it nor a
    packaged copy, a ConfigError names both places and GRADER_FIXTURES."""
    _installed(monkeypatch, tmp_path / "site")
    shutil.copytree(FIXTURES, tmp_path / "site" / "fixtures")
    with pytest.raises(ConfigError, match="set GRADER_FIXTURES") as err:
        fixtures_root()
    assert str(tmp_path / "site") in str(err.value)
    (tmp_path / "site" / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    assert locate_fixtures().origin == "checkout"


def _support_module(name: str):
    import importlib.util
    import sys

    support = FIXTURES / "dlfs-layers" / "support"
    sys.path.insert(0, str(support))
    try:
        spec = importlib.util.spec_from_file_location(f"common.{name}", support / "common" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(support))


def test_support_cross_entropy_accepts_labels_and_onehot_with_the_books_1e_7():
    """cross_entropy_error gives -mean(log(p[t] + 1e-7)) for labels and for one-hot targets alike."""
    f = _support_module("functions")
    y = f.softmax(np.array([[0.2, -0.5, 1.0], [0.3, 0.1, -0.4]]))
    want = -(np.log(y[0, 2] + 1e-7) + np.log(y[1, 0] + 1e-7)) / 2
    assert f.cross_entropy_error(y, np.array([2, 0])) == pytest.approx(want, rel=1e-15)
    assert f.cross_entropy_error(y, np.eye(3)[[2, 0]]) == pytest.approx(want, rel=1e-15)
    assert f.cross_entropy_error(y, np.array([1, 0])) != pytest.approx(want)  # negative control


def test_support_numerical_gradient_is_central_and_restores_x():
    """numerical_gradient of sum(x**3) is 3x**2 + h**2 (central, h = 1e-4) and leaves x as it was."""
    g = _support_module("gradient")
    x = np.array([[0.5, -1.0], [2.0, 0.3]])
    before = x.copy()
    grad = g.numerical_gradient(lambda _: float(np.sum(x**3)), x)
    np.testing.assert_allclose(grad, 3 * before**2 + 1e-8, rtol=1e-6)
    assert np.array_equal(x, before)


def test_support_col2im_is_the_adjoint_of_im2col():
    """<im2col(x), c> == <x, col2im(c)> (col2im adds overlapping patches back), with stride and padding."""
    u = _support_module("util")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 5))
    col = u.im2col(x, 3, 3, stride=2, pad=1)
    assert col.shape == (2 * 3 * 3, 3 * 3 * 3)
    c = rng.standard_normal(col.shape)
    assert np.sum(col * c) == pytest.approx(
        np.sum(x * u.col2im(c, x.shape, 3, 3, stride=2, pad=1)), rel=1e-12
    )


def test_dlfs_advanced_ships_the_chapter_5_support_files_unchanged():
    """dlfs-advanced's common/ (im2col/col2im above, softmax, cross entropy) is the same tested copy."""
    five, seven = load_assignment("dlfs-layers"), load_assignment("dlfs-advanced")
    assert seven.support_files == five.support_files
    assert seven.support_bytes() == five.support_bytes()


# ---------------------------------------------------------------- stages (docs/STAGES.md)

STAGES = {
    "miniflow": (["add", "linear", "transform", "forward", "backprop", "sgd"], "sgd"),
    "dezero": (
        [
            "step01",  # Variable alone: x.data
            *("step02", "step03"),  # forward only: Square; Exp and the composite
            "step06",
            "step08",
            "step10",
            "step11",  # forward only: Add()([x0, x1]) over a list
            "step12",  # forward only: Add over *inputs, add()
            "step13",
            "step14",
            "step16",
            "step17",
            "step18",
            *(f"step{n}" for n in range(19, 25)),
            *("step27", "step28", "step33", "step34", "step35"),  # Sin, Rosenbrock, create_graph, Cos, Tanh
            *("step38", "step40", "step41", "step42"),  # reshape, transpose; sum, broadcasting; matmul; MSE
            "step43",  # Linear and Sigmoid
            "step44",  # Parameter, Layer, the Layer Linear
            "step45",  # a Layer of Layers: Model, MLP, params() recursing
            "step46",  # Optimizer, SGD, MomentumSGD
            "step47",  # get_item, softmax, softmax_cross_entropy (session 23)
            "step50",  # accuracy (session 31)
            "step53",  # save_weights and load_weights (session 33)
            "step54",  # dropout, Config.train and test_mode (session 31)
            "step57",  # im2col, conv2d, pooling (session 30)
            "step59",  # RNN, reset_state, unchain_backward (session 32)
            "step60",  # LSTM (session 32)
        ],
        "step18",
    ),
    # ch05/buy_apple.py (MulLayer alone), layer_naive.py, common/layers.py, two_layer_net.py
    # + sections 5.5 (Relu, Sigmoid) and 5.6 (Affine, SoftmaxWithLoss) each in a file of its own
    "dlfs-layers": (
        [
            "buy-apple",
            "layer-naive",
            "activations",
            "affine-softmax",
            "layers",
            "ch04-two-layer-net",
            "two-layer-net",
            "default",
        ],
        "default",
    ),
    # chapter 6's common/optimizer.py (session 21), a chapter-6 file of Dropout alone, of BatchNormalization
    # alone, the book's common/layers.py at chapter 6, a chapter-7 file of Convolution and Pooling alone, the
    # book's common/layers.py at chapter 7, and ch07/simple_convnet.py
    "dlfs-advanced": (
        [
            *("optimizers", "dropout", "batchnorm", "ch06", "conv", "layers", "simple-conv-net"),
            *("multi-layer-net", "multi-layer-net-extend", "default"),
        ],
        "default",
    ),
}


STAGED = tuple(STAGES)


@pytest.mark.parametrize("aid", STAGED)
def test_stages_are_named_as_the_issue_lists_them(aid):
    """Each shipped assignment declares its course stages, in course order, and its default stage."""
    a = load_assignment(aid)
    names, default = STAGES[aid]
    assert list(a.stage_names) == names and a.default_stage == default
    assert a.stage().name == default and a.declares_stages


@pytest.mark.parametrize("aid", STAGED)
def test_the_default_stage_is_the_whole_assignment_of_before(aid):
    """The default stage grades the cases and points the manifest had before stages (read here from the
    manifest's own lists, minus the cases that only earlier stages use), so reports do not move."""
    a = load_assignment(aid)
    stage_only = {
        "miniflow": {
            "linear-quiz-lists",
            "forward-linear",
            "forward-sigmoid",
            "forward-mse",
            "forward-mse-flat-y",
            "forward-graph",
            "add-forward",
            "mul-forward",
            "add-quiz-documented",
            "add-nested",  # session 24: an Add of an Add, stage add only
            # and their drawn copies (session 13)
            "add-gen-forward",
            "linear-gen-lists-forward",
            "transform-gen-linear-forward",
            "forward-gen-graph",
        },
        # and the cases of steps 19-24 (issue 14), graded only by the stages after the default
        "dezero": {"add-reuse-graph", "add-backward-twice", "mul-unit", "mul-operator-graph"}
        | {
            "mixed-operands-graph",
            "ndarray-left-graph",
            "reflected-operators-graph",
            "arithmetic-operators-graph",
        }
        | {"step19-properties-unit", "step19-repr-unit", "step20-mul-documented", "step22-pow-documented"}
        | {"step19-no-grad-add", "step19-diamond-add-graph"}
        | {"neg-unit", "sub-unit", "div-unit", "pow-unit"}
        | {f"step24-{f}-documented" for f in ("sphere", "matyas", "goldstein")}
        | {f"step24-own-{f}-documented" for f in ("sphere", "matyas", "goldstein")}  # session 29
        | {"step28-own-rosenbrock-documented"}
        # and step 9's documented composite, graded only by the stage of steps 1-10, and the two cases of
        # steps 7-8 (y.grad set by hand), graded only by their stage
        | {"step09-documented", "step07-documented", "seeded-chain-graph"}
        # and the cases of steps 27 to 35 (Sin, Rosenbrock, create_graph, Cos, Tanh)
        | {"sin-unit", "step27-sin-documented", "step28-rosenbrock-documented", "step33-newton-documented"}
        | {"step36-double-backprop-documented"}  # session 23: the book's step 36, in stage step33 on
        | {"second-derivative-graph", "cos-unit", "sin-higher-order", "tanh-unit", "tanh-higher-order"}
        # and the cases of steps 37 to 41 (reshape, transpose, sum, broadcast_to, sum_to, matmul)
        | {"reshape-unit", "transpose-unit", "step38-reshape-documented", "sum-unit", "sum-keepdims-unit"}
        | {"sum-axis1-unit"}
        | {"step37-sum-documented", "broadcast-to-unit", "sum-to-unit", "step40-broadcast-documented"}
        | {"sum-to-lead-unit"}
        | {"broadcast-arithmetic-graph", "matmul-unit", "step41-matmul-graph"}
        | {"mean-squared-error-graph", "step42-linear-regression-graph"}  # step 42
        | {"step43-linear-unit", "step43-sigmoid-unit", "step43-two-layer-graph"}  # step 43
        | {
            "step44-linear-layer",
            "step44-layer-cleargrads",
            "step44-layer-returns-variable",  # session 22: fc(x) is the Variable, not a one-element tuple
            "step46-sgd-update",
            "step46-momentum-sgd-update",
        }
        | {
            "step45-mlp-layer",
            "step45-mlp3-layer",  # session 22: three Linear layers (self.layers[:-1] is not self.layers[:1])
            "step45-mlp-cleargrads",
            "step46-mlp-sgd-update",
            "step46-mlp-momentum-sgd-update",
        }
        # and their drawn copies (generated), of the stages with a Layer only
        | {"step44-gen-linear-layer", "step46-gen-sgd-update", "step46-gen-momentum-sgd-update"}
        # the drawn copies of the other stages' cases (session 13): each stage's own
        | {"step01-gen-variable-data", "step02-gen-square-forward", "step03-gen-composite-forward"}
        | {"step11-gen-add-list-forward"}
        | {"step12-gen-add-forward", "step20-gen-mul-graph", "step21-gen-mixed-operands-graph"}
        | {"step22-gen-arithmetic-graph", "step24-gen-matyas-graph", "step27-gen-sin-unit"}
        | {"step28-gen-rosenbrock-graph", "step33-gen-second-derivative-graph", "step34-gen-cos-higher-order"}
        | {"step35-gen-tanh-higher-order", "step38-gen-reshape-transpose-graph"}
        | {"step40-gen-sum-broadcast-graph"}
        | {"step41-gen-matmul-graph", "step42-gen-linear-regression-graph", "step43-gen-two-layer-graph"}
        | {"step44-gen-layer-cleargrads", "step45-gen-mlp-layer", "step45-gen-mlp3-layer"}
        # step 47 (session 23) and its drawn copies
        | {"step47-get-item-repeated", "step47-get-item-row", "step47-softmax", "step47-softmax-large-logits"}
        | {"step47-softmax-cross-entropy", "step47-softmax-cross-entropy-large-logits"}
        | {"step47-gen-get-item", "step47-gen-softmax", "step47-gen-softmax-cross-entropy"}
        # step 50 (session 31) and its drawn copies
        | {"step50-accuracy", "step50-accuracy-square", "step50-gen-accuracy"}
        | {"step50-dataloader", "step50-dataloader-shuffle", "step50-gen-dataloader"}  # steps 49-50 (s32)
        | {"step53-linear-save-load", "step53-mlp-save-load", "step53-gen-mlp-save-load"}  # step 53 (s33)
        # step 54 (session 31) and its drawn copies (training, the book's mask of a fixed seed)
        | {"step54-dropout-train", "step54-dropout-test-mode", "step54-gen-dropout"}
        # step 57 (session 30) and its drawn copies
        | {"step57-im2col", "step57-im2col-stride-pad", "step57-conv2d", "step57-conv2d-stride"}
        | {"step57-pooling", "step57-pooling-overlap"}
        | {"step57-gen-im2col", "step57-gen-conv2d", "step57-gen-pooling"}
        # steps 59 and 60 (session 32) and their drawn copies
        | {
            "step59-rnn-sequence",
            "step59-rnn-reset-state",
            "step59-rnn-unchain-backward",
            "step59-gen-rnn-sequence",
        }
        | {"step60-lstm-sequence", "step60-lstm-reset-state", "step60-lstm-unchain-backward"}
        | {"step60-gen-lstm-sequence", "step59-gen-rnn-reset-state", "step59-gen-rnn-unchain-backward"}
        | {"step60-gen-lstm-reset-state", "step60-gen-lstm-unchain-backward"}
        | {
            "step01-variable-documented",
            "step02-square-documented",
            "step03-composite-documented",
            "step12-add-documented",
            "step11-add-list-documented",
        }  # forward only
        | {"step38-reshape-method-documented", "step38-transpose-property-documented"}  # Variable's methods
        | {"reshape-method-graph", "transpose-method-graph", "sum-method-graph"},  # of steps 38 and 39
        # TwoLayerNet's check, predict and accuracy were stage two-layer-net's only; the whole assignment
        # grades them too since session 12 (a book repository's wrong accuracy got full marks at the default)
        # and section 5.6's own drawn SoftmaxWithLoss unit (the default draws it inside gen-two-layer)
        # and chapter 4's TwoLayerNet (session 24), a stage of its own whose cases the default never grades
        "dlfs-layers": {
            "affine-softmax-gen-softmax-unit",
            "ch04-two-layer-net-loss",
            "ch04-two-layer-net-gradient",
            "ch04-two-layer-net-gen-gradient",
        },
        "dlfs-advanced": set(),  # its stages were added without a case of their own
    }[aid]
    before = [c.fixture for c in a.cases if c.fixture not in stage_only]
    before += [g.id for g in a.generated if g.id not in stage_only]
    assert a.stage_case_ids() == before
    # `grader assignments` before stages (34, 35, 41), plus the cases of the mutation sweep (issue 15):
    # linear-two-consumers (3), array-add-graph (2), softmax-large-logits-unit (2); DeZero's own Variable and
    # Function cases (issue 15, exact blame): variable-unit, function-unit, variable-backward-unit (2 each),
    # generation-unit, variable-generation-unit (1 each); MiniFlow's node-unit and input-unit (2 each);
    # TwoLayerNet's two-layer-net-check (3), -predict and -accuracy (2 each) at DLFS's default (session 12);
    # two drawn copies (1 each) of each of gen-exp-unit, gen-add-unit, gen-add-backward-twice and
    # step18-gen-retain-grad-graph at DeZero's default, of sgd-gen-step at MiniFlow's, of the six new drawn
    # specs of each DLFS assignment (session 13); SimpleConvNet at pad 1 and stride 2 (2, session 19: a net
    # building its convolution without conv_param's stride and pad passed every other case); Convolution and
    # Pooling on a 7x10 input with a 3x2 window (2 each, session 20: square inputs and windows hid h/w typos);
    # chapter 6's optimizers (session 21) are graded at the default too, as feedback worth 0 points (review of
    # s21-adv, finding 2): they count at stage `optimizers` only; Pooling's 3x2 window at stride 1 (2, session
    # 21: at stride 2 an out_h sized from pool_w rounded to the right one); chapter 6's MultiLayerNet with
    # weight decay (session 22) is graded at the default as feedback worth 0 points, as the optimizers (review
    # of s22-adv, findings 1 to 3): it counts at stage `multi-layer-net` only
    drawn = {"miniflow": 1, "dezero": 4, "dlfs-layers": 6, "dlfs-advanced": 6}[aid] * 2 * 1
    full = {
        "miniflow": 34 + 3 + 4,
        "dezero": 35 + 2 + 8,
        "dlfs-layers": 41 + 2 + 7,
        "dlfs-advanced": 41 + 2 + 4 + 2,
    }[aid]
    assert a.max_points() == full + drawn


def test_each_stage_counts_only_its_cases():
    """A stage's max score is its own cases' points; optional-class cases add 0 unless the stage says so."""
    dz = load_assignment("dezero")
    # Drawn (generated) cases: two of each spec; gen-chain and gen-square-unit 2 points each, the others 1.
    # step 1: step01-variable-documented (2) and two of step01-gen-variable-data (1 each)
    assert dz.max_points("step01") == 2 + 2 * 1
    # steps 1-2: step02-square-documented (2), two of step02-gen-square-forward; step 3 adds
    # step03-composite-documented (2) and two of step03-gen-composite-forward
    assert dz.max_points("step02") == 2 + 2 * 1 and dz.max_points("step03") == 2 * (2 + 2 * 1)
    # steps 11 and 12: one documented forward (2) and its two drawn copies each
    assert dz.max_points("step11") == dz.max_points("step12") == 2 + 2 * 1
    # steps 1-10: step09-documented, square-unit, exp-unit, variable-unit (2 each), chain-graph (3), and two
    # of each of gen-chain and gen-square-unit (2 each)
    assert dz.max_points("step10") == 2 * 4 + 3 + 2 * 2 * 2
    # steps 7-8: step07-documented, square-unit, exp-unit (2 each), seeded-chain-graph (3), two of
    # gen-square-unit (2 each), two of gen-exp-unit (1 each)
    assert dz.max_points("step08") == 2 * 3 + 3 + 2 * 2 + 2 * 1
    # steps 1-6: square-unit, exp-unit (2 each), two of gen-square-unit (2 each), two of gen-exp-unit (1 each)
    assert dz.max_points("step06") == 2 * 2 + 2 * 2 + 2 * 1
    # steps 11-13: sum-of-squares-documented, add-unit, square-unit, array-add-graph, variable-unit,
    # function-unit (2 each), two of gen-square-unit (2 each), two of gen-add-unit (1 each); exp-unit and
    # gen-exp-unit optional, worth 0
    assert dz.max_points("step13") == 2 * 6 + 2 * 2 + 2 * 1
    # add-twice, add-unit, add-reuse-graph, add-backward-twice, and variable-unit, function-unit,
    # variable-backward-unit (2 each), two of each of gen-add-unit and gen-add-backward-twice (1 each)
    assert dz.max_points("step14") == 14 + 2 * 2 * 1
    # 17, plus array-add-graph (2) from the mutation sweep (worth 0 at step14, where Square is optional), plus
    # the three Variable/Function cases of step14 (6), generation-unit and variable-generation-unit (1 each),
    # plus two of each of gen-add-unit and gen-add-backward-twice (1 each; gen-exp-unit worth 0, Exp optional)
    assert dz.max_points("step16") == dz.max_points("step17") == 27 + 2 * 2 * 1
    ly = load_assignment("dlfs-layers")
    # two-layer-net: check and gradient (3 each), predict and accuracy (2 each); each stage's drawn copies
    # (session 13): two of each of MulLayer's and AddLayer's, of TwoLayerNet's gradient, predict, accuracy
    assert ly.max_points("layer-naive") == 8 + 2 * 2 * 1
    assert ly.max_points("buy-apple") == 2 + 2 + 2 * 1  # buy-apple-documented, mul-unit, its drawn copies
    # relu-unit, sigmoid-unit (2 each), two drawn Relu units (2 each), two drawn Sigmoid units (1 each)
    assert ly.max_points("activations") == 2 * 2 + 2 * 2 + 2 * 1
    # affine-unit and the three SoftmaxWithLoss units (2 each), two drawn Affine units (2 each), two drawn
    # SoftmaxWithLoss units (1 each: the stage's own, gen-two-layer needs Relu)
    assert ly.max_points("affine-softmax") == 4 * 2 + 2 * 2 + 2 * 1
    assert ly.max_points("two-layer-net") == 3 + 3 + 2 + 2 + 3 * 2 * 1
    adv = load_assignment("dlfs-advanced")
    # chapter 6: two Dropout units, three BatchNormalization units (2 each), the running statistics (3), the
    # hidden BatchNormalization net (4) and two generated BatchNormalization units (2 each); two drawn copies
    # (1 point each, session 13) of each of the Dropout units, the running statistics and the net
    # (1 point each, session 13) of each of the Dropout units, the running statistics and the net. Chapter 6's
    # optimizers are optional there without points (feedback; review of s21-adv, finding 2: the book's
    # unchanged common/optimizer.py beside the layers raised 54/59 to 80/85): seven units (2 each) and twelve
    # drawn (1 each) count at stage `optimizers` only
    assert adv.max_points("optimizers") == 7 * 2 + 6 * 2 * 1
    # MultiLayerNet (session 22) counts at stage `multi-layer-net` only; at ch06, layers and the default it
    # is optional feedback, as the optimizers (review of s22-adv, findings 1 to 3)
    assert adv.max_points("multi-layer-net") == MULTI_LAYER_NET_POINTS
    assert adv.max_points("ch06") == 2 * 5 + 3 + 4 + 2 * 2 + 4 * 2 * 1
    # a chapter-6 file of one class: Dropout's two units and their drawn copies; BatchNormalization's the rest
    assert adv.max_points("dropout") == 2 * 2 + 2 * 2 * 1
    assert adv.max_points("batchnorm") == adv.max_points("ch06") - adv.max_points("dropout")
    # chapter 7 adds four Convolution/Pooling units (2 each), the SimpleConvNet graph built from the layers
    # (4) and two generated Convolution units (2 each); SimpleConvNet's own gradient (4) is its own stage
    # and two drawn Pooling units (1 each, session 13); a Convolution and a Pooling unit on a 7x10 input with
    # a 3x2 window (2 each, session 20: every other case was square), and a Pooling unit with that window at
    # stride 1 (2, session 21: at stride 2 an out_h sized from pool_w rounded to the right one)
    assert adv.max_points("layers") == adv.max_points("ch06") + 2 * 4 + 4 + 2 * 2 + 2 * 1 + 2 * 2 + 2
    assert (
        adv.max_points("simple-conv-net") == 4 + 2 + 2 * 1
    )  # the strided case and two drawn copies (1 each)
    # conv: the chapter-7 cases alone (the layer graph's Relu, Affine, SoftmaxWithLoss optional, with points)
    assert adv.max_points("conv") == adv.max_points("layers") - adv.max_points("ch06")
    assert adv.max_points() == adv.max_points("layers") + adv.max_points("simple-conv-net")


def test_unknown_stage_lists_the_valid_ones():
    """An unknown stage name is a ConfigError listing the assignment's stages."""
    with pytest.raises(
        ConfigError,
        match=r"unknown stage 'step15' for assignment dezero; valid: step01, step02, step03, step06, step08, "
        r"step10, step11, step12, step13",
    ):
        load_assignment("dezero").stage("step15")


def _with_stages(tmp_path: Path, edit) -> Path:
    root = _copy(tmp_path, "dezero")
    data = json.loads((root / "manifest.json").read_text())
    edit(data)
    (root / "manifest.json").write_text(json.dumps(data))
    return root


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["stages"][1].update(cases=["diamond-documentd"]),
            r"\$\.stages\[1\]\.cases: diamond-documentd",
        ),
        (lambda d: d["stages"][0].update(extends="step18"), r"\$\.stages\[0\]\.extends: extends 'step18'"),
        (lambda d: d.update(default_stage="step99"), r"\$\.default_stage: 'step99' is not a stage"),
        (lambda d: d["stages"][11].update(name="step16"), r"\$\.stages\[11\]\.name: stage 'step16' twice"),
        (lambda d: d["stages"][0].update(requires=["Varible"]), r"\$\.stages\[0\]\.requires: Varible"),
        (lambda d: d.pop("default_stage"), r"stages and default_stage go together"),
        (lambda d: d["stages"][0].update(name="Step 14"), r"\$\.stages\[0\]\.name"),
    ],
)
def test_a_broken_stage_declaration_is_refused_with_its_path(tmp_path, edit, message):
    """Typos in a stage (a pattern selecting nothing, a later `extends`, an unknown default, a duplicate name,
    an unknown required name, a default without stages, a bad name) name the JSON path; the shipped
    manifest (control) loads."""
    load_assignment(_copy(tmp_path / "ok", "dezero"))
    with pytest.raises(ConfigError, match=message):
        load_assignment(_with_stages(tmp_path, edit))


def test_a_manifest_without_stages_has_one_default_stage(tmp_path):
    """Dropping `stages` and `default_stage` gives the implicit stage "default" with every case."""

    def drop(d):
        d.pop("stages")
        d.pop("default_stage")

    a = load_assignment(_with_stages(tmp_path, drop))
    assert a.stage_names == ("default",) and not a.declares_stages
    assert len(a.stage_case_ids()) == len(a.cases) + len(a.generated)
    assert "stages" not in a.to_dict()


def test_several_stages_joined_with_plus_are_one_stage_grading_all_their_cases():
    """dlfs-layers "two-layer-net+layers": named in manifest order, every case of both, the points of both
    added; an unknown part is a ConfigError listing the stages (control)."""
    a = load_assignment("dlfs-layers")
    both = a.stage("two-layer-net+layers")
    assert both.name == "layers+two-layer-net" and both.part_names == ("layers", "two-layer-net")
    assert set(a.stage_case_ids(both.name)) == set(a.stage_case_ids("layers")) | set(
        a.stage_case_ids("two-layer-net")
    )
    assert a.max_points(both.name) == a.max_points("layers") + a.max_points("two-layer-net")
    unknown = r"unknown stage 'layers\+tln'.*valid: buy-apple, layer-naive, activations, affine-softmax, lay"
    with pytest.raises(ConfigError, match=unknown):
        a.stage("layers+tln")


def test_the_whole_dlfs_assignment_grades_every_case_of_twolayernet():
    """dlfs-layers' default (the whole assignment, the Gradescope kit's stage) grades TwoLayerNet's visible
    check, predict and accuracy as well as its gradient: it graded two-layer-net-gradient only, so the book's
    chapter-5 repository (inferred default) got full marks with accuracy's np.argmax(t) missing axis=1, and
    `--stage default` never ran them. So two-layer-net+default is default (the shared cases counted once),
    and the max score is 43 + 3 + 2 + 2 (+ 12 of the drawn copies of session 13); layers+two-layer-net
    (control) still lacks the default's
    MulLayer, AddLayer, Affine on 4-D input and shared-weight cases."""
    a = load_assignment("dlfs-layers")
    assert set(a.stage_case_ids("two-layer-net")) <= set(a.stage_case_ids("default"))
    assert set(a.stage_case_ids("two-layer-net+default")) == set(a.stage_case_ids("default"))
    assert a.max_points("two-layer-net+default") == a.max_points("default") == 43 + 3 + 2 + 2 + 6 * 2 * 1
    assert a.max_points("layers+two-layer-net") < a.max_points("default")


def test_dezero_steps_from_19_make_the_classes_the_book_dropped_optional_with_points():
    """The book's step19.py keeps Square but not Exp; step20.py..step24 (dezero/core_simple.py) keep
    neither: not required there, optional with their points (max scores unchanged); step18, the assignment
    (control), still requires both."""
    a = load_assignment("dezero")
    assert "Exp" not in a.stage("step19").requires and "Square" in a.stage("step19").requires
    for name in ("step20", "step21", "step22", "step23", "step24"):
        stage = a.stage(name)
        assert not {"Square", "square", "Exp", "exp"} & set(stage.requires), name
        # session 29: from step 24 on, the step file's own test functions too (step24-own-*)
        own = {"sphere", "matyas", "goldstein"} if name == "step24" else set()
        assert set(stage.optional_classes) == {"Square", "Exp"} | own and stage.optional_points, name
    assert {"Square", "Exp", "square", "exp"} <= set(a.stage("step18").requires)
    # step19 on: + 4 for no_grad and the diamond applying add() alone (the mutation sweep's survivors); + 2
    # for each stage's drawn spec (two cases of 1 point): gen-exp-unit, gen-add-unit, gen-add-backward-twice
    # and step18-gen-retain-grad-graph at step18, step20's to step22's at step22, step24's at step24
    # session 29: + 3 at step24 for the step file's own sphere, matyas and goldstein, + 1 more from step28 on
    # for its rosenbrock (optional with their points: a code without them is skipped, as Square and Exp)
    own = 3 + 1
    assert [a.max_points(s) for s in ("step18", "step19", "step22", "step24")] == [53, 61, 95, 103 + 3]
    # steps 38 to 42: + 4 points of Variable's reshape, transpose and T at step38, + 1 of its sum and 2 of the
    # sum over axis 1 at step40, + 2 of SumTo over a leading axis (session 21); + 2 for each stage's drawn
    # spec (session 13: 13 of them up to step35, then one at each of step38, step40, step41 and step42);
    # + 2 from step33 on for the book's step 36 (step36-double-backprop-documented, session 23)
    assert [a.max_points(s) for s in ("step35", "step38", "step40", "step41", "step42")] == [
        109 + 13 * 2 + 2 + own,
        119 + 14 * 2 + 2 + own,
        137 + 2 + 15 * 2 + 2 + own,
        142 + 2 + 16 * 2 + 2 + own,
        147 + 2 + 17 * 2 + 2 + own,
    ]


def test_dezero_step57_grades_the_accuracy_and_dropout_the_book_keeps_at_step57():
    """The book's dezero/ at step 57 still has step 50's accuracy and step 54's dropout: step57 grades their
    cases (it extends step54, session 32; it extended step47 and a wrong dropout beside conv2d scored full
    marks), each optional with its points, so a conv package without them is skipped there, not failed."""
    a = load_assignment("dezero")
    step57 = set(a.stage_case_ids("step57"))
    assert set(a.stage_case_ids("step54")) < step57
    assert {"step50-accuracy", "step54-dropout-train", "step54-dropout-test-mode"} <= step57
    step57_stage = a.stage("step57")
    assert {"accuracy", "dropout"} <= set(step57_stage.optional_classes) and step57_stage.optional_points
    assert not {"accuracy", "dropout"} & set(a.stage("step57").requires)
    # step57's own 15 points (six visible cases and three drawn specs) come on top of step54's 261, where
    # they came on top of step47's 245 (260 before session 32); step50's two dataloader cases (2 points
    # each, session 32) are in step54 and step57 too
    # session 34: step54 also grades step53's save/load cases (optional with their points where the code has
    # save_weights and load_weights): 6 more at step54 and step57
    assert [a.max_points(s) for s in ("step47", "step50", "step54", "step57")] == [245, 256, 261 + 6, 276 + 6]
    # session 33: step53 extends step50 by its two save/load round trips (2 points each) and a drawn spec
    # (two draws of 1)
    assert a.max_points("step53") == 256 + 4 + 2


def _what_a_case_does(steps: Any) -> set[str]:
    """The functions a case applies (class, function and operator forms alike: `Mul`, `mul`, `*`; `SumTo`,
    `sum_to`), the Layers it builds (`layer Linear`, told from the function), the Variable methods it calls
    (`.T`, `.reshape(1, 6)`), and its other calls (`cleargrad`, `grad`, `cleargrads`, an optimizer)."""
    done: set[str] = set()
    for step in steps:
        if step.get("do") == "apply" and step.get("as_method"):
            done.add(f".{step['as_method']}")
        elif step.get("do") == "apply" and step.get("layer"):  # L.Linear, step 44's Layer: not F.linear
            done.add(f"layer {step['op']}")
        elif step.get("do") == "apply":
            done.add(step["op"].lower().replace("_", ""))
        elif step.get("do") == "optimize":
            done.add(f"optimize {step['optimizer']}")
        elif step.get("do") not in ("record", "backward", "backward_local"):
            done.add(step["do"])
    return done


@pytest.mark.parametrize("aid", SHIPPED)
def test_every_stage_draws_what_its_visible_cases_grade(aid):
    """At every stage, each class, function, method and call that a stored case grades is also graded on
    inputs drawn per run (hidden), unless it belongs to a class the stage leaves optional. Before, DeZero's
    steps 19 to 43 drew only Square and Exp (gen-chain, gen-square-unit), which the book's packages from step
    24 on do not have: a package answering every visible case from a table of the fixtures' numbers scored
    full marks (sample dezero/book_step43_memorised); MiniFlow's quizzes and sgd, DLFS's MulLayer, AddLayer,
    Sigmoid, TwoLayerNet, Dropout, BatchNormalization's running statistics, Pooling and SimpleConvNet drew
    nothing either."""
    a = load_assignment(aid)
    drawn = {g.id for g in a.generated}
    gaps: dict[str, list[str]] = {}
    for stage in a.stages:
        ids = a.stage_case_ids(stage.name)
        optional = {c.lower() for c in stage.optional_classes}
        fixed = set().union(*(_what_a_case_does(a.case_steps(i)) for i in ids if i not in drawn))
        fresh = set().union(*(_what_a_case_does(a.case_steps(i)) for i in ids if i in drawn))
        if missing := sorted(fixed - fresh - optional):
            gaps[stage.name] = missing
    assert gaps == {}


def test_dezero_layer_and_optimizer_steps_are_graded_on_drawn_arrays_too():
    """Steps 44 to 46: each Layer (L.Linear, MLP) and each optimizer also run on inputs drawn per run
    (hidden), of other shapes than the visible cases'. With the visible cases alone, a step-46 package whose
    SGD adds the gradient but hands back the report's numbers when it starts from the case's W and b scored
    full marks, above the same package without the table (sample dezero/book_step46_sgd_memorised)."""
    a = load_assignment("dezero")
    drawn = {g.id: g for g in a.generated}

    def ran(stage: str, kind: str) -> set[str]:
        """(drawn?, what) for the stage's cases of this kind: the layer's class, or the optimizer."""
        found: set[tuple[bool, str]] = set()
        for case_id in a.stage_case_ids(stage):
            for step in a.case_steps(case_id):
                if kind == "layer" and step.get("layer"):
                    found.add((case_id in drawn, step["op"]))
                if kind == "optimize" and step.get("do") == "optimize":
                    found.add((case_id in drawn, step["optimizer"]))
        return found

    for stage, kind in (
        ("step44", "layer"),
        ("step45", "layer"),
        ("step46", "layer"),
        ("step46", "optimize"),
    ):
        steps = ran(stage, kind)
        fixed = {what for is_drawn, what in steps if not is_drawn}
        assert fixed and fixed <= {what for is_drawn, what in steps if is_drawn}, (stage, kind)
    drawn_ids = ("step44-gen-linear-layer", "step45-gen-mlp-layer", "step45-gen-mlp3-layer")
    for spec in (*drawn_ids, "step46-gen-sgd-update", "step46-gen-momentum-sgd-update"):
        assert drawn[spec].visibility == "hidden"
        # not a `gen-*` pattern: the stages before step 44, which select those, have no Layer
        assert not spec.startswith("gen-")
    assert "step44-gen-linear-layer" not in a.stage_case_ids("step43")
    assert "step45-gen-mlp-layer" not in a.stage_case_ids("step44")
    assert "step45-gen-mlp-layer" in a.stage_case_ids("step46")
    # + 2 for each drawn spec of steps 2 to 43 on the way (18 at step43) and step44-gen-layer-cleargrads;
    # + 2 at step46 for step46-mlp-momentum-sgd-update (MomentumSGD over an MLP: one velocity per parameter);
    # + 2 from step 40 on for sum-to-lead-unit (session 21); session 22: + 1 from step 44 on for
    # step44-layer-returns-variable, + 2 from step 45 on for step45-mlp3-layer and 2 for its drawn copies;
    # session 23: + 2 from step 33 on for step36-double-backprop-documented
    # session 29: + 4 from step 28 on for the step file's own test functions (optional with their points)
    own = 4
    assert [a.max_points(s) for s in ("step43", "step44", "step45", "step46")] == [
        155 + 2 + 18 * 2 + 2 + own,
        161 + 2 + 19 * 2 + 1 + 2 + own,
        167 + 2 + 19 * 2 + 1 + 2 + 2 + 2 + own,
        177 + 2 + 19 * 2 + 2 + 1 + 2 + 2 + 2 + own,
    ]
    # session 32: step54 is 255 and 6 more with the DataLoader's cases of step50 (two of 2 points, a drawn
    # spec of two draws of 1: 250 -> 256 at step50); step59 extends step54 by RNN's three cases (3 + 1 + 2)
    # and two drawn copies of each (1 point each); step60 by LSTM's, as many
    # session 34: step54 (so step59 and step60 too) also grades step53's save/load cases, 4 + 2 points
    assert a.max_points("step54") == 255 + 6 + 6
    assert a.max_points("step59") == 267 + 6 + 6 and a.max_points("step60") == 267 + 2 * (6 + 6)


def test_one_of_groups_name_modules_of_the_manifest(tmp_path) -> None:
    """DeZero's step files are one group of alternatives (every one a listed module); a group naming a file
    the manifest does not list is refused, saying where (negative control)."""
    groups = load_assignment("dezero").one_of
    assert len(groups) == 1 and groups[0][:3] == ("steps/step47.py", "step47.py", "steps/step46.py")
    assert groups[0][-1] == "step01.py"
    assert "dezero.py" not in groups[0]
    manifest = json.loads((fixtures_root() / "dezero" / "manifest.json").read_text())
    manifest["one_of"] = [["steps/step18.py", "steps/step99.py"]]
    folder = tmp_path / "dz"
    shutil.copytree(fixtures_root() / "dezero", folder)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match=r"\$\.one_of\[0\].*steps/step99\.py not in \$\.modules"):
        load_assignment(folder / "manifest.json")


def test_miniflow_linear_stage_grades_a_sigmoid_when_the_quiz_file_has_one() -> None:
    """The lesson's Sigmoid quiz file (Linear on matrices and Sigmoid, forward only, no MSE yet), graded at
    stage linear (inferred: transform, below): its Sigmoid is graded when defined, with its point
    (forward-sigmoid), so a wrong Sigmoid no longer scores full marks (samples miniflow/sigmoid_quiz_stage.py
    and sigmoid_quiz_sign.py).
    Control: a Linear-quiz file without Sigmoid loses nothing (the class is optional)."""
    a = load_assignment("miniflow")
    linear = a.stage("linear")
    assert "forward-sigmoid" in a.stage_case_ids("linear")
    assert "Sigmoid" in linear.optional_classes and "Sigmoid" not in linear.requires
    assert linear.optional_points


def test_a_case_can_be_after_published(tmp_path):
    """Gradescope's after_published visibility (shown once grades are published) is a manifest choice like
    the other three, for stored and generated cases alike; the cases of a run keep it. Control: an unknown
    visibility is still refused."""
    root = _copy(tmp_path)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["cases"][5]["visibility"] = "after_published"  # shared-weight-graph, hidden in the shipped one
    manifest["generated"][0]["visibility"] = "after_published"
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    a = load_assignment(root / "manifest.json")
    published = {c.id for c in cases_for_run(a, 0) if c.visibility == "after_published"}
    gen = manifest["generated"][0]
    assert published == {"shared-weight-graph", *(f"{gen['id']}-{k}" for k in range(1, gen["count"] + 1))}
    manifest["cases"][5]["visibility"] = "after_grading"
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ConfigError, match="after_published"):
        load_assignment(root / "manifest.json")


def test_miniflow_add_stage_grades_the_first_quiz() -> None:
    """The lesson's first quiz (Input, Add, topological_sort, forward_pass; no Linear yet) is a stage of its
    own: Add is required there, its cases are the quiz's documented 10 + 5 = 15 (2 points) and Add on two
    arrays (1), an Add of an Add (1, session 24), Mul optional with no points: 4. Before it, an Add-quiz
    file had no stage and scored 0 of 41.
    Add stays out of the assignment's own names (the default stage never grades it) and optional from the
    Linear quiz on; the default stage's cases and points do not move (control)."""
    a = load_assignment("miniflow")
    add = a.stage("add")
    assert {"Input", "Add", "topological_sort"} == set(add.requires) and add.optional_classes == ("Mul",)
    assert a.stage_case_ids("add") == [
        "add-quiz-documented",
        "add-forward",
        "add-nested",
        "mul-forward",
        "add-gen-forward",
    ]
    # and two drawn copies of Add's forward (session 13), add-nested (an Add of an Add, session 24)
    assert a.max_points("add") == 2 + 1 + 1 + 2 * 1
    assert "Add" not in a.required and "Add" not in a.optional
    assert "Add" in a.stage("linear").optional_classes and "Add" in a.stage("forward").optional_classes
    # add-forward is feedback only there (optional, no optional_points); two drawn copies of forward-graph
    assert a.max_points("forward") == 5 + 1 + 2 * 1  # + forward-mse-flat-y (session 20)
    assert a.max_points() == 41 + 2 * 1  # and two drawn copies of sgd-step (session 13)


def test_a_stage_may_require_a_class_another_stage_makes_optional(tmp_path):
    """A stage's `requires` may name a class that is neither required nor optional in the manifest when a
    stage lists it in optional_classes (MiniFlow's Add); without that (control) the name is refused."""

    def at(d, name):
        return next(i for i, s in enumerate(d["stages"]) if s["name"] == name)

    def optional_then_required(d):
        d["stages"][at(d, "step14")]["optional_classes"].append("Relu")
        d["stages"][at(d, "step16")]["requires"] = ["Variable", "Relu"]

    load_assignment(_with_stages(tmp_path / "ok", optional_then_required))
    dezero = json.loads((FIXTURES / "dezero" / "manifest.json").read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match=rf"\$\.stages\[{at(dezero, 'step16')}\]\.requires: Relu not in"):
        load_assignment(
            _with_stages(
                tmp_path, lambda d: d["stages"][at(d, "step16")].update(requires=["Variable", "Relu"])
            )
        )


def test_miniflow_transform_stage_grades_linear_on_matrices() -> None:
    """The Linear Transform and Sigmoid quizzes (Linear(X, W, b) on matrices, forward only) are stage
    transform: forward-linear (1 point), Sigmoid optional with its point, Add and Mul optional. It is told
    from the Linear quiz (plain lists, stage linear) by a matrix product in the source: np.dot, matmul, @."""
    a = load_assignment("miniflow")
    transform = a.stage("transform")
    assert a.stage_case_ids("transform") == [
        "forward-linear",
        "forward-sigmoid",
        "add-forward",
        "mul-forward",
        "transform-gen-linear-forward",
    ]
    assert transform.requires == a.stage("linear").requires
    assert transform.detect == (("dot", "matmul", "__matmul__"),)
    assert set(transform.optional_classes) == {"Add", "Mul", "Sigmoid"} and transform.optional_points
    # forward-linear, Sigmoid's and Add's when defined, two drawn copies of forward-linear (session 13)
    assert a.max_points("transform") == 1 + 1 + 1 + 2 * 1


@pytest.mark.parametrize(
    ("stage", "worth"), [("optimizers", True), ("ch06", False), ("layers", False), ("default", False)]
)
def test_the_optimizers_carry_points_only_at_their_own_stage(stage: str, worth: bool) -> None:
    """Review of s21-adv, finding 2 (lead's decision): at ch06, layers and the default the optimizers are
    optional feedback, so the same layers score the same percentage with or without the book's
    common/optimizer.py; at stage `optimizers` they are the work. Control: chapter 5's Affine, Relu and
    SoftmaxWithLoss, optional with their points at ch06 and layers, keep them."""
    adv = load_assignment("dlfs-advanced")
    chosen = adv.stage(stage)
    ids = [i for i in adv.stage_case_ids(stage) if i.startswith("optimizer-")]
    assert ids
    for case_id in ids:
        assert (adv.case_points(case_id, 2.0, chosen) > 0) is worth, case_id
    if stage in ("ch06", "layers"):
        assert (
            adv.case_points("batchnorm-net-graph", 4.0, chosen) == 4.0
        )  # applies Affine, Relu, SoftmaxWithLoss


# MultiLayerNet's cases (session 22): multi-layer-net-relu (2), -relu-decay and -sigmoid-decay (3 each),
# -deep-relu-decay (3: three hidden layers, review of s22-adv, finding 5) and two drawn copies of the sigmoid
# one (1 each)
MULTI_LAYER_NET_POINTS = 2 + 3 + 3 + 3 + 2 * 1


@pytest.mark.parametrize(
    ("stage", "worth"), [("multi-layer-net", True), ("ch06", False), ("layers", False), ("default", False)]
)
def test_multi_layer_net_carries_points_only_at_its_own_stage(stage: str, worth: bool) -> None:
    """Review of s22-adv, findings 1 to 3 (lead's decision): at ch06, layers and the default MultiLayerNet is
    optional feedback, as the optimizers, so the same layers score the same percentage with or without the
    book's common/multi_layer_net.py (which also builds a Sigmoid the assignment never asks for: a correct
    layers.py without it lost 10 points to a NameError); at stage `multi-layer-net` it is the work."""
    adv = load_assignment("dlfs-advanced")
    chosen = adv.stage(stage)
    ids = [i for i in adv.stage_case_ids(stage) if i.startswith("multi-layer-net-")]
    assert ids
    for case_id in ids:
        assert (adv.case_points(case_id, 2.0, chosen) > 0) is worth, case_id
    assert adv.max_points("default") == 61 and adv.max_points("layers") == 53 and adv.max_points("ch06") == 29


# MultiLayerNetExtend's cases (session 23): two batch-normalised nets, 3 points each, and two drawn copies of
# the sigmoid one (1 each)
MULTI_LAYER_NET_EXTEND_POINTS = 3 + 3 + 3 + 2 * 1  # session 24: bn-no-decay


@pytest.mark.parametrize(
    ("stage", "worth"),
    [("multi-layer-net-extend", True), ("ch06", False), ("layers", False), ("default", False)],
)
def test_multi_layer_net_extend_carries_points_only_at_its_own_stage(stage: str, worth: bool) -> None:
    """Session 23: MultiLayerNetExtend is graded with points at its own stage, as optional feedback (0
    points) at ch06, layers and the default, as MultiLayerNet; stage multi-layer-net does not run its cases,
    and no stage's points change for a submission without it."""
    adv = load_assignment("dlfs-advanced")
    chosen = adv.stage(stage)
    ids = [i for i in adv.stage_case_ids(stage) if i.startswith("multi-layer-net-extend-")]
    assert len(ids) == 4  # session 24: multi-layer-net-extend-bn-no-decay (weight_decay_lambda 0)
    for case_id in ids:
        assert (adv.case_points(case_id, 3.0, chosen) > 0) is worth, case_id
    assert adv.max_points("multi-layer-net-extend") == MULTI_LAYER_NET_EXTEND_POINTS
    assert not [i for i in adv.stage_case_ids("multi-layer-net") if i.startswith("multi-layer-net-extend-")]
    assert adv.max_points("multi-layer-net") == MULTI_LAYER_NET_POINTS


def test_every_optimizer_has_a_case_with_grads_keyed_in_another_order_of_like_shapes() -> None:
    """Review of s21-adv, finding 3: only Adam's optimizer-grads-order-unit keyed grads in another order than
    params, and SGD, Momentum, AdaGrad (Nesterov, RMSprop) taking grads by position passed every case. Each
    optimizer now has such a case (its drawn copies), whose by-position gradients have the shapes of the
    right ones, so the mistake is a wrong value (diagnosable), not a broadcasting error."""
    adv = load_assignment("dlfs-advanced")
    shuffled: set[str] = set()
    for spec in adv.generated:
        for step in spec.steps:
            settings = step.get("settings", {})
            order = settings.get("grad_keys")
            if step.get("do") != "apply" or not order or list(order) == list(settings["keys"]):
                continue
            shapes = {name: tuple(spec.inputs[name].shape) for name in settings["keys"]}
            # position i of grads holds order[i]'s gradient; by position it is used for keys[i]
            assert all(shapes[k] == shapes[o] for k, o in zip(settings["keys"], order, strict=True)), spec.id
            shuffled.add(step["op"])
    assert shuffled == {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"}


def test_every_optimizers_defaults_are_graded_by_some_case() -> None:
    """Review of s21-adv, finding 10: docs/CASES.md says the cases check the book's default hyper-parameters,
    but every case of SGD, AdaGrad and Nesterov gave them (an SGD defaulting to lr 0.1 passed 26 of 26). Each
    optimizer has a case (stored or drawn) building it with no hyper-parameter at all."""
    adv = load_assignment("dlfs-advanced")
    hyper = {"lr", "momentum", "decay_rate", "beta1", "beta2"}
    built_plain: set[str] = set()
    for case_id in adv.stage_case_ids("optimizers"):
        for step in adv.case_steps(case_id):
            if step.get("do") == "apply" and not hyper & set(step.get("settings", {})):
                built_plain.add(str(step["op"]))
    assert built_plain == {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"}


def test_step36_marks_documented_only_what_the_book_prints():
    """The book's steps/step36.py prints one value, x.grad after z.backward() (variable(100.)): dx_z is
    documented, dx_1 (4.0 after the first backward, printed nowhere) is proven by the reference and torch
    alone, in the source and in the built case (review of s23-realdz, finding 4)."""
    script = Path(__file__).resolve().parents[1] / "submissions/dezero/book_step36/steps/step36.py"
    book = script.read_text()
    assert book.count("print(") == 1 and book.rstrip().endswith("print(x.grad)")
    case = json.loads((FIXTURES / "dezero/cases/step36-double-backprop-documented.json").read_text())
    sources = json.loads((FIXTURES / "dezero/sources/steps25-35.json").read_text())["cases"]
    (source,) = [c for c in sources if c["id"] == case["id"]]
    for spec in (case, source):
        assert set(spec["documented"]) == {"dx_z"} and spec["documented"]["dx_z"]["printed"] == "100.0"
    assert case["provenance"]["dx_1"] == ["reference", "torch"]
    assert case["provenance"]["dx_z"] == ["documented", "reference", "torch"]


def test_miniflow_node_unit_says_what_it_builds_and_checks_in_the_lessons_words() -> None:
    """node-unit builds Linear(X, W, b) and reads three things Node.__init__ makes; its name is what a
    student reads beside the score: it said "an empty gradients dict" after the probe took any dict (a
    dict started with a zero per inbound node passes: sample node_gradients_zero_per_input.py), and named no
    node. Each record's attribute is named in the case's name as the lesson spells it."""
    case = json.loads((FIXTURES / "miniflow" / "cases" / "node-unit.json").read_text())
    name = case["name"]
    assert "Linear(X, W, b)" in name and "empty" not in name, name
    for record in (s for s in case["steps"] if s["do"] == "record"):
        assert "empty" not in record["label"].split("(")[0], record["label"]
    for attribute in ("inbound_nodes", "outbound_nodes", "gradients"):
        assert attribute in name, (attribute, name)
