"""Torch oracle vs reference engine: documented cases, random graphs per family, and negative controls."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.oracles.torch_oracle import run_case as torch_run
from reference.documented import DOCUMENTED
from reference.evaluate import run_case as reference_run
from reference.mutations import MUTATIONS
from reference.ops import OPS

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.torch

RTOL, ATOL = 1e-9, 1e-12  # analytic vs analytic agree to ~1e-15 (FACTS.md 5); sums may differ in order
HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def mismatches(family, inputs, steps, *, mutation=None):
    """Run both engines; one line per differing record, naming the key and both values (a mutation whose
    program cannot run, as an optimizer given a gradient of another shape, differs as a whole)."""
    try:
        ref = reference_run(family, inputs, steps, mutation=mutation)
    except ValueError as err:
        if mutation is None:
            raise
        return [f"the reference under {mutation} failed: {err}"]
    oracle = torch_run(family, inputs, steps)
    problems = [f"{k}: missing from the reference" for k in sorted(set(oracle) - set(ref))]
    for key, want in oracle.items():
        got = ref.get(key)
        if want is None or isinstance(want, bool) or got is None or isinstance(got, bool):
            if got is not want:
                problems.append(f"{key}: reference {got!r}, torch {want!r}")
        elif got.shape != want.shape:
            problems.append(f"{key}: reference shape {got.shape}, torch shape {want.shape}")
        elif not np.allclose(got, want, rtol=RTOL, atol=ATOL):
            worst = np.max(np.abs(got - want))
            problems.append(f"{key}: largest abs difference {worst:.3g} (reference vs torch)")
    return problems


def _apply(op, args, out, **extra):
    return {"do": "apply", "op": op, "args": args, "out": out, **extra}


def _grad(key, name, **extra):
    return {"do": "record", "key": key, "grad_of": name, **extra}


def _value(key, name):
    return {"do": "record", "key": key, "value_of": name}


@pytest.mark.parametrize("case_id", sorted(DOCUMENTED))
def test_documented_cases_through_torch(case_id):
    """The torch oracle reproduces every documented output of FACTS.md and agrees with the reference."""
    case = DOCUMENTED[case_id]
    records = torch_run(case.family, case.inputs, case.steps)
    for key, want in case.expected.items():
        if want is None:
            assert records[key] is None, key
        else:
            np.testing.assert_allclose(records[key], np.asarray(want), rtol=case.rtol, atol=0, err_msg=key)
            assert records[key].shape == np.asarray(want).shape, key
    assert mismatches(case.family, case.inputs, case.steps) == []


def _control_cases():
    """The documented cases and hand-made ones, each a (family, inputs, steps) the mutations are tried on."""
    hand = [
        ("dezero", {"x": np.array(3.0)}, [_apply("Square", ["x"], "y")]),
        ("dezero", {"x": np.array(2.0)}, [_apply("Exp", ["x"], "y")]),
        # step 40: x (3,) broadcast to (2, 3), its gradient summed over the leading axis (broadcast_to_gy)
        (
            "dezero",
            {"x": np.array([1.0, 2.0, 3.0])},
            [{**_apply("BroadcastTo", ["x"], "y"), "settings": {"shape": [2, 3]}}],
        ),
        ("dezero", {"n": np.array(3.0), "x": np.array(2.0)}, [_apply("Div", ["n", "x"], "y")]),
        # step 22: x ** 3, and 2.0 - x written with the operator (a plain float on the left)
        ("dezero", {"x": np.array(2.0)}, [{**_apply("Pow", ["x"], "y"), "settings": {"c": 3}}]),
        (
            "dezero",
            {"k": np.array(2.0), "x": np.array(0.5)},
            [{**_apply("sub", ["k", "x"], "y"), "operator": True, "plain": {"k": "float"}}],
        ),
        # 3.0 / x with the operator: __rtruediv__ computes x / 3.0 when it keeps the operands in order
        (
            "dezero",
            {"k": np.array(3.0), "x": np.array(0.5)},
            [{**_apply("div", ["k", "x"], "y"), "operator": True, "plain": {"k": "float"}}],
        ),
        # SoftmaxWithLoss on a batch of two rows: softmax by rows, not by one sum over the batch
        (
            "layers",
            {"x": np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]), "t": np.array([1.0, 2.0])},
            [_apply("SoftmaxWithLoss", ["x", "t"], "y")],
        ),
        (
            "layers",
            {"x": np.array([[1.0, -1.0]]), "w": np.array([[-2.0, 3.0]])},
            [_apply("Relu", ["x"], "r"), _apply("MulLayer", ["r", "w"], "y")],
        ),
        # The chain rule forgotten (*_ignores_gy, sigmoid_ignores_dout): each function followed by another, so
        # that the gradient arriving from its output is not the seed's 1.
        ("dezero", {"x": np.array(0.5)}, [_apply("Exp", ["x"], "e"), _apply("Square", ["e"], "y")]),
        (
            "dezero",
            {"n": np.array(3.0), "x": np.array(2.0)},
            [_apply("Div", ["n", "x"], "d"), _apply("Square", ["d"], "y")],
        ),
        (
            "dezero",
            {"x": np.array(1.5)},
            [{**_apply("Pow", ["x"], "p"), "settings": {"c": 3}}, _apply("Square", ["p"], "y")],
        ),
        (
            "dezero",
            {"a": np.array(3.0), "x": np.array(2.0)},
            [_apply("Mul", ["a", "x"], "m"), _apply("Square", ["m"], "y")],
        ),
        (
            "layers",
            {"x": np.array([[1.0, -1.0]]), "w": np.array([[-2.0, 3.0]])},
            [_apply("Sigmoid", ["x"], "s"), _apply("MulLayer", ["s", "w"], "y")],
        ),
    ]
    cases = [(c.family, c.inputs, list(c.steps)) for c in DOCUMENTED.values()]
    cases += [(f, i, [*s, {"do": "backward", "of": "y"}, _grad("dx", "x")]) for f, i, s in hand]
    # DeZero: y.grad set by hand before y.backward(), not ones (seed_always replaces it with ones)
    by_hand = {"do": "backward", "of": "y", "upstream": "gy"}
    upstream = [_apply("Square", ["x"], "y"), by_hand, _grad("dx", "x")]
    cases.append(("dezero", {"x": np.array([0.5, -1.0]), "gy": np.array([2.0, -3.0])}, upstream))
    # MiniFlow: an Input x feeding two Linear nodes, a Linear and a Sigmoid output feeding two (the overwrite
    # per class), and the quiz backward twice (gradients carried over).
    one, zero = np.array([[1.0]]), np.array([0.0])
    ins = {"x": np.array([[0.5]]), "W": one, "b": zero, "V1": 2 * one, "V2": 3 * one, "c": zero}
    for producer, args in (("Linear", ["x", "W", "b"]), ("Sigmoid", ["x"])):
        fan_out = [
            _apply(producer, args, "h"),
            _apply("Linear", ["h", "V1", "c"], "o1"),
            _apply("Linear", ["h", "V2", "c"], "o2"),
            _apply("MSE", ["o1", "o2"], "cost"),
            {"do": "backward", "of": "cost"},
            _grad("dx", "x"),
            _grad("dc", "c"),
        ]
        cases.append(("miniflow", ins, fan_out))
    quiz = DOCUMENTED["quiz-documented"]
    cases.append(
        ("miniflow", quiz.inputs, [*quiz.steps, {"do": "backward", "of": "cost"}, _grad("dW_2", "W")])
    )
    # DeZero's steps 50, 54 and 57 (accuracy; dropout; im2col, conv2d, pooling): the stored cases, whose
    # inputs and upstream gradients the mutations dezero_accuracy_argmax_axis0 (the square scores),
    # dropout_not_scaled, dropout_scaled_in_test_mode, im2col_outsize_no_plus_one and
    # pooling_grad_first_window are tried on
    stored_steps = ("step50", "step54", "step57")
    sources = [ROOT / "fixtures" / "dezero" / "sources" / f"{name}.json" for name in stored_steps]
    for stored in (case for path in sources for case in json.loads(path.read_text())["cases"]):
        inputs = {
            k: np.array(v["data"], dtype=float).reshape(v["shape"]) for k, v in stored["inputs"].items()
        }
        cases.append(("dezero", inputs, stored["steps"]))
    # one sgd_update step on the quiz: the trainables after it (sgd_ascends, sgd_unchanged)
    sgd = {"do": "sgd", "lr": 0.5, "params": ["W", "b"]}
    cases.append(
        ("miniflow", quiz.inputs, [*quiz.steps, sgd, _value("W_after", "W"), _value("b_after", "b")])
    )
    # MSE over two different differences (1.0 and 1.5): the mean of squares 1.625, not the square of the
    # mean 1.5625 (mse_mean_squared; the quiz has a single difference, where the two agree)
    differences = {"x": np.array([[1.0], [2.0]]), "a": np.array([[0.0], [0.5]])}
    cases.append(("miniflow", differences, [_apply("MSE", ["x", "a"], "cost"), _value("cost", "cost")]))
    # the same with y fed flat, shape (2,), as nn.py feeds it: 1.625 once reshaped, 1.875 over the (2, 2)
    # broadcast of a MSE without the reshape (mse_not_reshaped)
    flat = {"x": np.array([1.0, 2.0]), "a": np.array([[0.0], [0.5]])}
    cases.append(("miniflow", flat, [_apply("MSE", ["x", "a"], "cost"), _value("cost", "cost")]))
    # TwoLayerNet(2, 2, 3): scores [[2, 0, .1], [0, 3, .1], [1, .5, .1]], guesses 0, 1, 0, targets 0, 1, 2
    # (2 of 3 right; 3 samples and 3 classes, so one-hot t compared as it is broadcasts).
    net = {
        "x": np.array([[2.0, -1.0], [-1.0, 3.0], [1.0, 0.5]]),
        "t": np.array([0.0, 1.0, 2.0]),
        "t1": np.eye(3),
        "W1": np.eye(2),
        "b1": np.zeros(2),
        "W2": np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
        "b2": np.array([0.0, 0.0, 0.1]),
    }
    params = ["W1", "b1", "W2", "b2"]
    methods = [
        _apply("TwoLayerNet.predict", ["x", *params], "s"),
        _apply("TwoLayerNet.accuracy", ["x", "t", *params], "a"),
        _apply("TwoLayerNet.accuracy", ["x", "t1", *params], "a1"),
        _value("s", "s"),
        _value("a", "a"),
        _value("a1", "a1"),
    ]
    cases.append(("layers", net, methods))
    # TwoLayerNet(3, 3, 3), identity weights: the scores are x; per row the classes 0, 1, 0, per column the
    # samples 2, 1, 2, so argmax along the wrong axis gives another accuracy (t = 0, 1, 1).
    eye = {"W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3), "b2": np.zeros(3)}
    x = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0], [4.0, 0.0, 2.0]])
    cases.append(
        ("layers", {"x": x, "t": np.array([0.0, 1.0, 1.0]), "t1": np.eye(3)[[0, 1, 1]], **eye}, methods)
    )
    # DeZero steps 33 to 35: the derivatives of cos and tanh, each differentiated again with create_graph
    # (cos_sign, tanh_from_input, backward_on_data: a second derivative with no graph is None).
    for op in ("Cos", "Tanh"):
        twice = [
            _apply(op, ["x"], "y"),
            {"do": "backward", "of": "y", "create_graph": True},
            _grad("dx_1", "x"),
            {"do": "grad", "of": "x", "out": "gx"},
            {"do": "cleargrad", "of": "x"},
            {"do": "backward", "of": "gx"},
            _grad("dx_2", "x"),
        ]
        cases.append(("dezero", {"x": np.array([0.5, -1.2])}, twice))
    # DeZero steps 38 to 41: each tensor function, then a backward (the shape mistakes, MatMul's W.T)
    x23 = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
    tensor = [
        ({"x0": np.array([1.0, 2.0, 3.0]), "x": np.array([10.0])}, _apply("Add", ["x0", "x"], "y")),
        ({"x": x23}, _apply("Reshape", ["x"], "y", settings={"shape": [3, 2]})),
        ({"x": x23}, _apply("Transpose", ["x"], "y")),
        ({"x": x23}, _apply("Sum", ["x"], "y", settings={"axis": 0})),
        (
            {"x": x23, "W": np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])},
            _apply("MatMul", ["x", "W"], "y"),
        ),
        ({"x": x23}, _apply("Sigmoid", ["x"], "y")),  # step 43 (dezero_sigmoid_from_input)
        # step 40's broadcasting in Mul, Sub and Div: x (3,) against x0 (2, 3) (mul/sub/div_no_sum_to)
        *(
            ({"x0": x23, "x": np.array([1.0, 2.0, 4.0])}, _apply(op, ["x0", "x"], "y"))
            for op in ("Mul", "Sub", "Div")
        ),
    ]
    for ins, step in tensor:
        cases.append(
            ("dezero", ins, [step, {"do": "backward", "of": "y"}, _value("y", "y"), _grad("dx", "x")])
        )
    # step 43: Linear with W (3, 2) and b (2,), then the gradients of all three (linear_gw_transposed: W's
    # gradient (2, 3))
    linear = {"x": x23, "W": np.array([[1.0, -0.5], [0.2, 0.7], [-1.1, 0.4]]), "b": np.array([0.1, -0.3])}
    backward = [{"do": "backward", "of": "y"}, _value("y", "y"), _grad("dx", "x"), _grad("dW", "W")]
    cases.append(("dezero", linear, [_apply("Linear", ["x", "W", "b"], "y"), *backward, _grad("db", "b")]))
    # steps 44 and 46: the same Linear as a layer, its cleargrads, and each optimizer's two updates against
    # torch.optim.SGD (dezero_sgd_ascent, momentum_velocity_added)
    layer = [{**_apply("Linear", ["x", "W", "b"], "y"), "layer": "fc"}, {"do": "backward", "of": "y"}]
    cleared = [*layer, _grad("dW", "W"), {"do": "cleargrads", "of": "fc"}, _grad("dW_cleared", "W")]
    cases.append(("dezero", linear, [*cleared, _grad("dx", "x")]))
    for optimizer, chosen in (("SGD", {"lr": 0.1}), ("MomentumSGD", {"lr": 0.1, "momentum": 0.9})):
        update = {"do": "optimize", "optimizer": optimizer, "settings": chosen, "target": "fc", "times": 2}
        cases.append(
            ("dezero", linear, [*layer, update, _value("W", "W"), _value("b", "b"), _value("x", "x")])
        )
    # step 45: MLP((3, 2)) on x (2, 3), its value and gradients (mlp_activation_after_last), its cleargrads
    # reaching the Linear layers it holds, and SGD over all of them, against torch (params_not_recursive)
    mlp_inputs = {
        **linear,
        "W1": np.array([[0.5, -1.0], [1.2, 0.3]]),
        "b1": np.array([0.05, -0.1]),
    }
    mlp = [
        {**_apply("MLP", ["x", "W", "b", "W1", "b1"], "y"), "layer": "model"},
        {"do": "backward", "of": "y"},
    ]
    grads = [_value("y", "y"), _grad("dx", "x"), _grad("dW", "W"), _grad("db1", "b1")]
    cases.append(
        ("dezero", mlp_inputs, [*mlp, *grads, {"do": "cleargrads", "of": "model"}, _grad("dW_2", "W")])
    )
    sgd = {"do": "optimize", "optimizer": "SGD", "settings": {"lr": 0.1}, "target": "model", "times": 1}
    cases.append(("dezero", mlp_inputs, [*mlp, sgd, _value("W", "W"), _value("W1", "W1")]))
    # DeZero step 18: a Square under no_grad, then one after the with block (no_grad_sticks)
    after_no_grad = [
        {**_apply("Square", ["x"], "y"), "no_grad": True},
        _apply("Square", ["x"], "z"),
        {"do": "record", "key": "z_has_creator", "has_creator": "z"},
    ]
    cases.append(("dezero", {"x": np.array(3.0)}, after_no_grad))
    # step 47: get_item with row 0 taken twice (get_item_grad_assigned), softmax over rows (softmax_axis0),
    # softmax_cross_entropy on labels (softmax_axis0, sce_onehot_by_columns), each against torch
    scores = {
        "x": np.array([[0.2, -0.4, 1.1], [1.3, 0.5, -0.7]]),
        "t": np.array([2.0, 0.0]),
        "i": np.array([0.0, 1.0, 0.0]),
        "gy": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, 0.5, 2.0]]),
        "gs": np.array([[1.1, -0.4, 0.7], [0.25, -1.3, 0.6]]),
        "gl": np.array(0.4),
    }
    item = [_apply("get_item", ["x", "i"], "y"), {"do": "backward", "of": "y", "upstream": "gy"}]
    cases.append(("dezero", scores, [*item, _value("y", "y"), _grad("dx", "x")]))
    soft = [_apply("softmax", ["x"], "y"), {"do": "backward", "of": "y", "upstream": "gs"}]
    cases.append(("dezero", scores, [*soft, _value("y", "y"), _grad("dx", "x")]))
    ce = [_apply("softmax_cross_entropy", ["x", "t"], "loss"), {"do": "backward", "of": "loss"}]
    cases.append(("dezero", scores, [*ce, _value("loss", "loss"), _grad("dx", "x")]))
    # the loss's gradient not 1, as step47-softmax-cross-entropy takes it: mul(loss, gl) (sce_ignores_gy)
    scaled = [ce[0], _apply("mul", ["loss", "gl"], "scaled"), {"do": "backward", "of": "scaled"}]
    cases.append(("dezero", scores, [*scaled, _grad("dx", "x")]))
    # a TwoLayerNet's loss and the gradients of its params (net_gradient_numerical: central differences of
    # the loss with cross_entropy_error's 1e-7, ~1e-7 off backpropagation's)
    net = {
        "x": np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]]),
        "t": np.array([0.0, 1.0, 2.0]),
        "W1": np.array([[0.2, -0.4, 0.6], [0.3, 0.1, -0.5]]),
        "b1": np.array([0.1, -0.2, 0.05]),
        "W2": np.array([[0.7, -0.3, 0.2], [-0.6, 0.4, 0.1], [0.25, 0.5, -0.8]]),
        "b2": np.array([0.0, 0.1, -0.1]),
    }
    loss = [
        _apply("TwoLayerNet", ["x", "t", "W1", "b1", "W2", "b2"], "loss"),
        {"do": "backward", "of": "loss"},
    ]
    cases.append(
        (
            "layers",
            net,
            [*loss, _value("loss", "loss"), *(_grad(f"d{p}", p) for p in ("W1", "b1", "W2", "b2"))],
        )
    )
    # an Affine on a 4-D input (chapter 7's original_x_shape), then the loss: its weight gradient
    # (affine_x_kept_unflattened: dW = x.T @ dout on the input's own axes)
    image = {
        "x": np.array([[[[0.5], [-1.0]], [[1.5], [0.25]]], [[[-0.75], [2.0]], [[0.3], [-0.4]]]]),
        "W": np.array([[0.2, -0.4], [0.3, 0.1], [-0.5, 0.6], [0.7, -0.3]]),
        "b": np.array([0.1, -0.2]),
        "t": np.array([1.0, 0.0]),
    }
    affine = [_apply("Affine", ["x", "W", "b"], "s"), _apply("SoftmaxWithLoss", ["s", "t"], "loss")]
    cases.append(
        ("layers", image, [*affine, {"do": "backward", "of": "loss"}, _grad("dW", "W"), _grad("dx", "x")])
    )
    # DeZero step 33: the second derivative of x ** 3, x * x, x / x, where one function's backward on .data
    # (pow/mul/div_backward_on_data) leaves it None; none of the cases above takes a second backward, so those
    # three mutations were caught nowhere (found beside the review of s23-realdz)
    for op, args in (("Pow", ["x"]), ("Mul", ["x", "x"]), ("Div", ["x", "x"])):
        first = {**_apply(op, args, "y"), **({"settings": {"c": 3}} if op == "Pow" else {})}
        second = [
            first,
            {"do": "backward", "of": "y", "create_graph": True},
            {"do": "grad", "of": "x", "out": "gx"},
            {"do": "cleargrad", "of": "x"},
            {"do": "backward", "of": "gx"},
        ]
        cases.append(("dezero", {"x": np.array(0.7)}, [*second, _grad("dx_2", "x")]))
    # DeZero steps 59 and 60: the stored sources' RNN and LSTM cases, for the recurrent mistakes
    for step in ("step59", "step60"):
        sources = json.loads((ROOT / "fixtures" / "dezero" / "sources" / f"{step}.json").read_text())
        for source in sources["cases"]:
            arrays = source["inputs"].items()
            ins = {k: np.array(v["data"], dtype=float).reshape(v["shape"]) for k, v in arrays}
            cases.append(("dezero", ins, source["steps"]))
    return cases


CONTROL_CASES = _control_cases()


@pytest.mark.parametrize("index", range(len(CONTROL_CASES)))
def test_the_control_cases_agree_unmutated(index):
    """The cases catch a mutation only by disagreeing: unmutated, the reference and torch agree on each."""
    family, inputs, steps = CONTROL_CASES[index]
    assert mismatches(family, inputs, steps) == []


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_is_caught_somewhere(name):
    """Negative control: each mutated reference disagrees with torch on at least one documented/hand case."""
    caught = [
        m
        for family, ins, steps in CONTROL_CASES
        if family in MUTATIONS[name].families
        for m in mismatches(family, ins, steps, mutation=name)
    ]
    assert caught


def test_wrong_vjp_is_caught(monkeypatch):
    """Negative control: a Sigmoid vjp missing the factor (1 - y) is reported for dX, not for the cost."""

    class HalfSigmoid:
        name = "sigmoid"
        forward = staticmethod(OPS["sigmoid"].forward)

        @staticmethod
        def vjp(g, x, *, y):
            return (g * y,)

    case = DOCUMENTED["quiz-documented"]
    steps = [*case.steps, _value("cost", "cost")]
    assert mismatches(case.family, case.inputs, steps) == []
    monkeypatch.setitem(OPS, "sigmoid", HalfSigmoid())
    problems = mismatches(case.family, case.inputs, steps)
    assert any(p.startswith("dX:") for p in problems)
    assert not any(p.startswith(("cost:", "dy:")) for p in problems)


def test_mismatch_helper_reports_shape_and_none():
    """The comparison helper names a shape mismatch and a None where torch has an array."""
    steps = [_apply("MSE", ["y", "a"], "cost"), {"do": "backward", "of": "cost"}, _grad("dy", "y")]
    ins = {"y": np.array([1.0, 2.0]), "a": np.array([[0.0], [0.0]])}
    assert mismatches("miniflow", ins, steps) == []
    assert torch_run("miniflow", ins, steps)["dy"].shape == (2, 1)
    assert reference_run("dezero", {"x": np.array(1.0)}, [_grad("dx", "x")])["dx"] is None


# ---- random graphs -------------------------------------------------------------------------------------


def _rng_arrays(seed, shapes, scale=1.0):
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=shape) * scale for name, shape in shapes.items()}


@HYPOTHESIS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 5),
    widths=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    sigmoids=st.lists(st.booleans(), min_size=3, max_size=3),
    flat_y=st.booleans(),
    twice=st.booleans(),
)
def test_miniflow_random_chains(seed, n, widths, sigmoids, flat_y, twice):
    """MiniFlow: Linear/Sigmoid chains into MSE, random shapes: reference == torch (values, grads, via)."""
    dims = [*widths, 1]
    shapes = {"X": (n, dims[0]), "y": (n,) if flat_y else (n, 1)}
    steps, h = [], "X"
    for i in range(len(dims) - 1):
        shapes[f"W{i}"], shapes[f"b{i}"] = (dims[i], dims[i + 1]), (dims[i + 1],)
        steps.append(_apply("Linear", [h, f"W{i}", f"b{i}"], f"f{i}"))
        h = f"f{i}"
        if sigmoids[i]:
            steps.append(_apply("Sigmoid", [h], f"s{i}"))
            h = f"s{i}"
    # The first input also feeds a second consumer, so accumulation over outbound nodes is exercised.
    steps.append(_apply("Linear", ["X", "W0", "b0"], "side"))
    steps.append(_apply("MSE", ["y", h], "cost"))
    steps.append({"do": "backward", "of": "cost"})
    if twice:
        steps += [{"do": "sgd", "params": ["W0", "b0"], "lr": 0.1}, {"do": "backward", "of": "cost"}]
    steps += [_value("cost", "cost"), *(_grad("d" + k, k) for k in shapes)]
    steps += [_grad("dX_via", "X", via="f0"), _grad("dy_via", "y", via="cost")]
    assert mismatches("miniflow", _rng_arrays(seed, shapes), steps) == []


_BOUND = {
    "Add": lambda a, b: a + b,
    "Mul": lambda a, b: a * b,
    "Square": lambda a: a * a,
    "Exp": lambda a: math.exp(a),
}


@st.composite
def dezero_programs(draw):
    """Random DeZero DAGs over reused variables, magnitudes bounded so exp never overflows."""
    n_inputs = draw(st.integers(1, 3))
    shape = draw(st.sampled_from([(), (2,), (2, 3)]))
    names, bounds, steps = [f"x{i}" for i in range(n_inputs)], [1.0] * n_inputs, []
    for k in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(sorted(_BOUND)))
        arity = 2 if op in ("Add", "Mul") else 1
        picks = [draw(st.integers(0, len(names) - 1)) for _ in range(arity)]
        bound = _BOUND[op](*(bounds[p] for p in picks))
        if bound > 50:
            continue
        steps.append(_apply(op, [names[p] for p in picks], f"v{k}", no_grad=draw(st.booleans()) and k == 0))
        names.append(f"v{k}")
        bounds.append(bound)
    assume(steps)
    out = steps[-1]["out"]
    # retain_grad only on the last backward: a retained grad fed into a later pass is beyond the oracle.
    steps.append({"do": "backward", "of": out})
    steps += [_grad(f"d{nm}_1", nm) for nm in names]
    if draw(st.booleans()):
        steps.append({"do": "cleargrad", "of": "x0"})
    steps.append({"do": "backward", "of": out, "retain_grad": draw(st.booleans())})
    steps += [_grad(f"d{nm}_2", nm) for nm in names]
    steps += [_value("value", out), {"do": "record", "key": "has_creator", "has_creator": out}]
    seed = draw(st.integers(0, 2**32 - 1))
    return _rng_arrays(seed, {f"x{i}": shape for i in range(n_inputs)}, scale=0.5), steps


@HYPOTHESIS
@given(dezero_programs())
def test_dezero_random_dags(program):
    """DeZero: random DAGs with reuse, backward twice, cleargrad, retain_grad, no_grad: reference == torch."""
    inputs, steps = program
    assert mismatches("dezero", inputs, steps) == []


@HYPOTHESIS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 4),
    d=st.integers(1, 4),
    hidden=st.integers(1, 5),
    classes=st.integers(2, 4),
    activation=st.sampled_from(["Relu", "Sigmoid"]),
    image=st.booleans(),
    one_hot=st.booleans(),
    mul_by=st.booleans(),
)
def test_layers_random_nets(seed, n, d, hidden, classes, activation, image, one_hot, mul_by):
    """Layers: Affine (2-D or 4-D input) -> Relu/Sigmoid -> [MulLayer] -> Affine -> SoftmaxWithLoss."""
    x_shape = (n, 2, d, 1) if image else (n, d)
    flat = int(np.prod(x_shape[1:]))
    shapes = {
        "x": x_shape,
        "W1": (flat, hidden),
        "b1": (hidden,),
        "m": (n, hidden),
        "W2": (hidden, classes),
        "b2": (classes,),
    }
    inputs = _rng_arrays(seed, shapes)
    labels = np.random.default_rng(seed + 1).integers(0, classes, size=n)
    inputs["t"] = np.eye(classes)[labels] if one_hot else labels.astype(np.float64)
    steps = [_apply("Affine", ["x", "W1", "b1"], "h"), _apply(activation, ["h"], "a")]
    last = "a"
    if mul_by:
        steps.append(_apply("MulLayer", ["a", "m"], "am"))
        steps.append(_apply("AddLayer", ["am", "a"], "s"))  # a is used twice: gradients must be summed
        last = "s"
    steps += [
        _apply("Affine", [last, "W2", "b2"], "scores"),
        _apply("SoftmaxWithLoss", ["scores", "t"], "loss"),
        _value("h", "h"),
        {"do": "backward", "of": "loss"},
        _value("loss", "loss"),
        *(_grad("d" + k, k) for k in shapes),
        _grad("dt", "t"),
        _grad("dh_via", "h", via="a"),
    ]
    h = reference_run("layers", inputs, steps)["h"]
    assume(np.abs(h).min() > 1e-3)  # away from the Relu kink, where the two engines may legally differ
    assert mismatches("layers", inputs, steps) == []


@HYPOTHESIS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), labels=st.booleans())
def test_two_layer_net_random(seed, n, labels):
    """TwoLayerNet(4, 6, 3) on random params: loss and all parameter gradients, reference == torch."""
    shapes = {"x": (n, 4), "W1": (4, 6), "b1": (6,), "W2": (6, 3), "b2": (3,)}
    inputs = _rng_arrays(seed, shapes)
    cls = np.random.default_rng(seed + 7).integers(0, 3, size=n)
    inputs["t"] = cls.astype(np.float64) if labels else np.eye(3)[cls]
    pre = inputs["x"] @ inputs["W1"] + inputs["b1"]
    assume(np.abs(pre).min() > 1e-3)
    steps = [
        _apply("TwoLayerNet", ["x", "t", "W1", "b1", "W2", "b2"], "loss"),
        {"do": "backward", "of": "loss"},
        _value("loss", "loss"),
        *(_grad("d" + k, k) for k in shapes),
        _grad("dW1_via", "W1", via="loss"),
    ]
    assert mismatches("layers", inputs, steps) == []


@HYPOTHESIS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5))
def test_two_layer_net_predict_and_accuracy_random(seed, n):
    """TwoLayerNet.predict (scores, and their gradients through an upstream) and accuracy with labels and
    one-hot t on random params: reference == torch. Rows whose two best scores are closer than 1e-6 are
    skipped: a tie is decided by each argmax's own rule."""
    shapes = {"x": (n, 4), "W1": (4, 6), "b1": (6,), "W2": (6, 3), "b2": (3,), "g": (n, 3)}
    inputs = _rng_arrays(seed, shapes)
    cls = np.random.default_rng(seed + 7).integers(0, 3, size=n)
    inputs["t"], inputs["t1"] = cls.astype(np.float64), np.eye(3)[cls]
    pre = inputs["x"] @ inputs["W1"] + inputs["b1"]
    scores = np.maximum(pre, 0) @ inputs["W2"] + inputs["b2"]
    top2 = np.sort(scores, axis=1)[:, -2:]
    assume(np.abs(pre).min() > 1e-3 and (top2[:, 1] - top2[:, 0]).min() > 1e-6)
    params = ["W1", "b1", "W2", "b2"]
    steps = [
        _apply("TwoLayerNet.predict", ["x", *params], "s"),
        _apply("TwoLayerNet.accuracy", ["x", "t", *params], "a"),
        _apply("TwoLayerNet.accuracy", ["x", "t1", *params], "a1"),
        {"do": "backward", "of": "s", "upstream": "g"},
        _value("scores", "s"),
        _value("accuracy", "a"),
        _value("accuracy_onehot", "a1"),
        *(_grad("d" + k, k) for k in ("x", *params)),
    ]
    assert mismatches("layers", inputs, steps) == []


@HYPOTHESIS
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from([(3, 4), (2, 5), (1, 1)]),
    cls=st.sampled_from(["Square", "Exp", "Add", "Mul"]),
)
def test_dezero_unit_backward_local(seed, shape, cls):
    """Unit cases: backward_local with a random upstream gy gives the same local gradients in both engines."""
    names = ["x0", "x1"] if cls in ("Add", "Mul") else ["x"]
    inputs = _rng_arrays(seed, {**{nm: shape for nm in names}, "gy": shape})
    steps = [
        _apply(cls, names, "y"),
        {"do": "backward_local", "of": "y", "upstream": "gy"},
        _value("value", "y"),
        *(_grad("d" + nm, nm, via="y") for nm in names),
    ]
    assert mismatches("dezero", inputs, steps) == []


def test_upstream_seed_in_full_backward():
    """A full backward seeded with a non-ones upstream agrees in both engines (layers Sigmoid)."""
    inputs = _rng_arrays(3, {"x": (4, 5), "dout": (4, 5)})
    steps = [
        _apply("Sigmoid", ["x"], "y"),
        {"do": "backward", "of": "y", "upstream": "dout"},
        _grad("dx", "x"),
    ]
    assert mismatches("layers", inputs, steps) == []
    y = 1 / (1 + np.exp(-inputs["x"]))
    np.testing.assert_allclose(torch_run("layers", inputs, steps)["dx"], inputs["dout"] * y * (1 - y))


def test_unknown_step_and_family():
    """The torch oracle rejects unknown steps and families with a ValueError naming them."""
    with pytest.raises(ValueError, match="unknown step 'explode'"):
        torch_run("dezero", {}, [{"do": "explode"}])
    with pytest.raises(ValueError, match="unknown family"):
        torch_run("jax", {}, [])
