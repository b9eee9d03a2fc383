"""reference.evaluate.run_case: documented outputs, family semantics, hand-derived behaviours, errors."""

from __future__ import annotations

import numpy as np
import pytest

from reference.documented import DOCUMENTED
from reference.evaluate import FAMILY_OPS, StepError, run_case
from reference.ops import OPS


def _apply(op, args, out, **extra):
    return {"do": "apply", "op": op, "args": args, "out": out, **extra}


def _grad(key, name, **extra):
    return {"do": "record", "key": key, "grad_of": name, **extra}


def _value(key, name):
    return {"do": "record", "key": key, "value_of": name}


def assert_records_match(records, expected, rtol):
    assert set(records) >= set(expected)
    for key, want in expected.items():
        got = records[key]
        if want is None or isinstance(want, bool):
            assert got is want, key
        else:
            want = np.asarray(want, dtype=np.float64)
            assert isinstance(got, np.ndarray) and got.dtype == np.float64, key
            assert got.shape == want.shape, key
            np.testing.assert_allclose(got, want, rtol=rtol, atol=0, err_msg=key)


@pytest.mark.parametrize("case_id", sorted(DOCUMENTED))
def test_documented_outputs(case_id):
    """Every documented output of FACTS.md comes out of run_case, to the printed digits and shapes."""
    case = DOCUMENTED[case_id]
    assert_records_match(run_case(case.family, case.inputs, case.steps), case.expected, case.rtol)


def test_documented_check_catches_a_wrong_value():
    """Negative control: the documented comparison rejects a value off in the 6th digit."""
    case = DOCUMENTED["quiz-documented"]
    records = run_case(case.family, case.inputs, case.steps)
    records["dy"] = records["dy"] * (1 + 1e-6)
    with pytest.raises(AssertionError):
        assert_records_match(records, case.expected, case.rtol)


def test_apple_float_noise_is_the_books():
    """Buy-apple and apples-and-oranges carry the book's noise: 220.00000000000003, 3.3000000000000003."""
    apple = DOCUMENTED["buy-apple-documented"]
    assert float(run_case("layers", apple.inputs, apple.steps)["price"]) == 220.00000000000003
    orange = DOCUMENTED["apple-orange-documented"]
    assert float(run_case("layers", orange.inputs, orange.steps)["dorange"]) == 3.3000000000000003


def test_family_ops_cover_architecture_names():
    """FAMILY_OPS names the classes of docs/ARCHITECTURE.md section 2 and maps them to real ops."""
    # Add, Mul: miniflow's forward stage; Neg, Sub, Div, Pow: DeZero's arithmetic operators (steps 22 on)
    assert set(FAMILY_OPS["miniflow"]) == {"Linear", "Sigmoid", "MSE", "Add", "Mul"}
    assert set(FAMILY_OPS["dezero"]) == {"Square", "Exp", "Add", "Mul", "Neg", "Sub", "Div", "Pow"} | {
        "Sin",  # steps 27 to 35
        "Cos",
        "Tanh",
    } | {
        "Reshape",
        "Transpose",
        "Sum",
        "BroadcastTo",
        "SumTo",
        "MatMul",
        "MeanSquaredError",
        "Linear",  # step 43
        "Sigmoid",
        "MLP",  # step 45: Linear layers with the activation between them
        "GetItem",  # step 47
        "Softmax",
        "SoftmaxCrossEntropy",
        "Accuracy",  # step 50: the helper accuracy, which no class of the book's stands behind
        "Dropout",  # step 54: the helper dropout
        "Im2col",  # steps 55 to 57
        "Conv2d",
        "Pooling",
        "RNN",  # steps 59 and 60: Layers with state
        "LSTM",
    }  # steps 37 to 42
    assert set(FAMILY_OPS["layers"]) == {
        "MulLayer",
        "AddLayer",
        "Relu",
        "Sigmoid",
        "Affine",
        "SoftmaxWithLoss",
        "TwoLayerNet",
        "TwoLayerNet.predict",  # TwoLayerNet's forward methods, each checked on its own
        "TwoLayerNet.accuracy",
    }
    assert FAMILY_OPS["dlfs-layers"] is FAMILY_OPS["layers"]
    composites = {"two_layer_net", "mlp", "rnn", "lstm"}  # rnn, lstm: reference/recurrent.py
    assert {op for ops in FAMILY_OPS.values() for op in ops.values()} - set(OPS) == composites


def test_miniflow_mse_gradient_has_shape_m_by_1():
    """MiniFlow MSE fed y of shape (m,) gives y's gradient shape (m, 1), as the course's code does."""
    records = run_case(
        "miniflow",
        {"y": np.array([1.0, 2.0, 4.0]), "a": np.array([[0.5], [0.5], [0.5]])},
        [_apply("MSE", ["y", "a"], "cost"), {"do": "backward", "of": "cost"}, _grad("dy", "y")],
    )
    # Hand-derived: 2/m * (y - a).
    np.testing.assert_allclose(records["dy"], (2 / 3) * np.array([[0.5], [1.5], [3.5]]), rtol=1e-15)


def test_miniflow_gradients_fresh_per_backward_and_sgd():
    """MiniFlow: a second backward gives the same gradients; sgd moves W by -lr * documented dW."""
    case = DOCUMENTED["quiz-documented"]
    steps = [
        *case.steps[:4],
        _grad("dW_1", "W"),
        {"do": "backward", "of": "cost"},
        _grad("dW_2", "W"),
        {"do": "sgd", "params": ["W", "b"], "lr": 0.1},
        _value("W_after", "W"),
        _value("b_after", "b"),
        {"do": "backward", "of": "cost"},
        _value("cost_after", "cost"),
    ]
    r = run_case("miniflow", case.inputs, steps)
    np.testing.assert_array_equal(r["dW_1"], r["dW_2"])
    dw, db = np.array(case.expected["dW"]), np.array(case.expected["db"])
    np.testing.assert_allclose(r["W_after"], case.inputs["W"] - 0.1 * dw, rtol=1e-12)
    np.testing.assert_allclose(r["b_after"], case.inputs["b"] - 0.1 * db, rtol=1e-12)
    # Hand-derived cost after the step: the new pre-activation is the same in both rows.
    z = -1 * r["W_after"][0, 0] - 2 * r["W_after"][1, 0] + r["b_after"][0]
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(r["cost_after"], ((1 - s) ** 2 + (2 - s) ** 2) / 2, rtol=1e-12)


def test_dezero_backward_twice_accumulates():
    """DeZero: y = square(x) backward twice gives x.grad 2x then 4x (accumulation without cleargrad)."""
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    steps = [
        _apply("Square", ["x"], "y"),
        {"do": "backward", "of": "y"},
        _grad("dx_1", "x"),
        {"do": "backward", "of": "y"},
        _grad("dx_2", "x"),
    ]
    r = run_case("dezero", {"x": x}, steps)
    np.testing.assert_array_equal(r["dx_1"], 2 * x)
    np.testing.assert_array_equal(r["dx_2"], 4 * x)


def test_dezero_retain_grad_keeps_intermediate_grads():
    """DeZero step 18 with retain_grad=True: y.grad and t.grad are ones, x0.grad 2, x1.grad 1."""
    case = DOCUMENTED["retain-grad-documented"]
    steps = [dict(s, retain_grad=True) if s["do"] == "backward" else s for s in case.steps]
    r = run_case("dezero", case.inputs, steps)
    assert (r["dy"], r["dt"], r["dx0"], r["dx1"]) == (1.0, 1.0, 2.0, 1.0)


def test_dezero_no_grad_has_no_creator():
    """DeZero: inside no_grad the output has no creator (and no gradient flows); outside it has one."""
    steps = [
        _apply("square", ["x"], "y", no_grad=True),
        {"do": "record", "key": "has_creator_inside", "has_creator": "y"},
        _apply("square", ["x"], "z"),
        {"do": "record", "key": "has_creator_outside", "has_creator": "z"},
        {"do": "backward", "of": "y"},
        _grad("dx", "x"),
    ]
    r = run_case("dezero", {"x": np.array(3.0)}, steps)
    assert r["has_creator_inside"] is False
    assert r["has_creator_outside"] is True
    assert r["dx"] is None


def test_dezero_scalars_are_0d():
    """DeZero scalars stay 0-d float64 arrays in the records."""
    case = DOCUMENTED["diamond-documented"]
    r = run_case(case.family, case.inputs, case.steps)
    assert r["dx"].shape == () and r["y"].shape == ()


def test_via_is_one_nodes_contribution():
    """`via` gives one consumer's own gradient; the total sums both consumers (MiniFlow, two Linears)."""
    rng = np.random.default_rng(0)
    ins = {
        "X": rng.normal(size=(3, 2)),
        "W1": rng.normal(size=(2, 1)),
        "b1": rng.normal(size=(1,)),
        "W2": rng.normal(size=(2, 1)),
        "b2": rng.normal(size=(1,)),
    }
    steps = [
        _apply("Linear", ["X", "W1", "b1"], "o1"),
        _apply("Linear", ["X", "W2", "b2"], "o2"),
        _apply("MSE", ["o1", "o2"], "cost"),
        {"do": "backward", "of": "cost"},
        _grad("dX", "X"),
        _grad("dX_o1", "X", via="o1"),
        _grad("dX_o2", "X", via="o2"),
    ]
    r = run_case("miniflow", ins, steps)
    # Hand-derived: d cost / d o1 = 2/m (o1 - o2) = -d cost / d o2.
    o1, o2 = ins["X"] @ ins["W1"] + ins["b1"], ins["X"] @ ins["W2"] + ins["b2"]
    g = 2 / 3 * (o1 - o2)
    np.testing.assert_allclose(r["dX_o1"], g @ ins["W1"].T, rtol=1e-12)
    np.testing.assert_allclose(r["dX_o2"], -g @ ins["W2"].T, rtol=1e-12)
    np.testing.assert_allclose(r["dX"], r["dX_o1"] + r["dX_o2"], rtol=1e-12)


def test_backward_local_runs_one_node_only():
    """backward_local: Linear's own gradients with upstream G; the total gradient stays unset (None)."""
    rng = np.random.default_rng(1)
    ins = {
        "X": rng.normal(size=(4, 3)),
        "W": rng.normal(size=(3, 2)),
        "b": rng.normal(size=(2,)),
        "G": rng.normal(size=(4, 2)),
    }
    steps = [
        _apply("Linear", ["X", "W", "b"], "f"),
        {"do": "backward_local", "of": "f", "upstream": "G"},
        _value("value", "f"),
        _grad("dX", "X", via="f"),
        _grad("dW", "W", via="f"),
        _grad("db", "b", via="f"),
        _grad("dX_total", "X"),
    ]
    r = run_case("miniflow", ins, steps)
    np.testing.assert_allclose(r["value"], ins["X"] @ ins["W"] + ins["b"], rtol=1e-15)
    np.testing.assert_allclose(r["dX"], ins["G"] @ ins["W"].T, rtol=1e-15)
    np.testing.assert_allclose(r["dW"], ins["X"].T @ ins["G"], rtol=1e-15)
    np.testing.assert_allclose(r["db"], ins["G"].sum(axis=0), rtol=1e-15)
    assert r["dX_total"] is None


def test_layers_affine_4d_keeps_input_shape():
    """Affine on a (2,3,2,2) input flattens to (2,12); dx comes back in shape (2,3,2,2)."""
    rng = np.random.default_rng(2)
    ins = {
        "x": rng.normal(size=(2, 3, 2, 2)),
        "W": rng.normal(size=(12, 4)),
        "b": rng.normal(size=(4,)),
        "dout": rng.normal(size=(2, 4)),
    }
    steps = [
        _apply("Affine", ["x", "W", "b"], "out"),
        {"do": "backward_local", "of": "out", "upstream": "dout"},
        _grad("dx", "x", via="out"),
        _grad("dW", "W", via="out"),
    ]
    r = run_case("layers", ins, steps)
    assert r["dx"].shape == (2, 3, 2, 2)
    np.testing.assert_allclose(r["dx"], (ins["dout"] @ ins["W"].T).reshape(2, 3, 2, 2), rtol=1e-15)
    np.testing.assert_allclose(r["dW"], ins["x"].reshape(2, 12).T @ ins["dout"], rtol=1e-15)


def test_softmax_labels_equal_one_hot():
    """SoftmaxWithLoss with labels (N,) gives the same loss and dx as with one-hot targets."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5))
    labels = np.array([0.0, 3.0, 4.0, 1.0])
    steps = [
        _apply("SoftmaxWithLoss", ["x", "t"], "loss"),
        {"do": "backward", "of": "loss"},
        _value("loss", "loss"),
        _grad("dx", "x"),
    ]
    by_label = run_case("layers", {"x": x, "t": labels}, steps)
    by_onehot = run_case("layers", {"x": x, "t": np.eye(5)[[0, 3, 4, 1]]}, steps)
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(by_label["loss"], -np.log(p[[0, 1, 2, 3], [0, 3, 4, 1]] + 1e-7).mean())
    np.testing.assert_allclose(by_label["dx"], by_onehot["dx"], rtol=1e-15)
    np.testing.assert_allclose(by_label["dx"], (p - np.eye(5)[[0, 3, 4, 1]]) / 4, rtol=1e-12)


def test_two_layer_net_matches_finite_differences():
    """TwoLayerNet gradients agree with central differences (h = 1e-4) to rtol 1e-5, atol 1e-8."""
    rng = np.random.default_rng(4)
    ins = {
        "x": rng.normal(size=(5, 4)),
        "t": np.array([0.0, 2.0, 1.0, 1.0, 0.0]),
        "W1": rng.normal(size=(4, 6)) * 0.5,
        "b1": rng.normal(size=(6,)) * 0.1,
        "W2": rng.normal(size=(6, 3)) * 0.5,
        "b2": rng.normal(size=(3,)) * 0.1,
    }
    net = [_apply("TwoLayerNet", ["x", "t", "W1", "b1", "W2", "b2"], "loss")]
    steps = [*net, {"do": "backward", "of": "loss"}, *(_grad("d" + p, p) for p in ("W1", "b1", "W2", "b2"))]
    r = run_case("layers", ins, steps)

    def loss(params):
        return float(run_case("layers", {**ins, **params}, [*net, _value("loss", "loss")])["loss"])

    for p in ("W1", "b1", "W2", "b2"):
        numeric = np.zeros_like(ins[p])
        for i in np.ndindex(ins[p].shape):
            plus, minus = ins[p].copy(), ins[p].copy()
            plus[i] += 1e-4
            minus[i] -= 1e-4
            numeric[i] = (loss({p: plus}) - loss({p: minus})) / 2e-4
        # Central differences with h = 1e-4 are exact to about h**2 times the third derivative.
        np.testing.assert_allclose(r["d" + p], numeric, rtol=1e-5, atol=1e-8, err_msg=p)


@pytest.mark.parametrize(
    ("family", "steps", "fragment"),
    [
        ("dezero", [{"do": "explode"}], "unknown step 'explode'"),
        ("dezero", [_apply("Relu", ["x"], "y")], "unknown op 'Relu' for dezero"),  # DLFS's, not DeZero's
        ("miniflow", [_apply("Linear", ["nope", "W", "b"], "f")], "unknown name 'nope'"),
        ("layers", [{"do": "cleargrad", "of": "x"}], "cleargrad is a DeZero step"),
        ("dezero", [{"do": "record", "key": "k"}], "exactly one of"),
        ("dezero", [_grad("k", "x"), _grad("k", "x")], "used twice"),
        ("miniflow", [{"do": "sgd", "params": ["x"], "lr": 0.1}], "before any backward"),
    ],
)
def test_bad_steps_raise_naming_the_step(family, steps, fragment):
    """Unknown steps, ops, names and family-foreign steps raise a ValueError naming the step."""
    with pytest.raises(ValueError, match=r"step \d+ .*" + fragment):
        run_case(family, {"x": np.array(1.0)}, steps)
    assert issubclass(StepError, ValueError)


def test_unknown_family_raises():
    """An unknown family is a ValueError listing the known ones."""
    with pytest.raises(ValueError, match="known: miniflow"):
        run_case("pytorch", {}, [])


# DeZero steps 44 and 46: a Linear layer holding the case's W and b, its cleargrads and the optimizers, the
# values derived by hand: loss = sum((y - t) ** 2) / N, gy = 2 (y - t) / N, gW = x.T gy, gb = sum(gy, 0).
_LX = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]])
_LW = np.array([[0.2, -0.4, 0.6], [1.0, 0.3, -0.5]])
_LB = np.array([0.1, -0.2, 0.05])
_LT = np.array([[0.0, 1.0, -1.0], [0.5, 0.5, 0.5], [1.0, -1.0, 0.0]])
_LAYER = [
    _apply("Linear", ["x", "W", "b"], "y", layer="fc"),
    _apply("mean_squared_error", ["y", "t"], "loss"),
    {"do": "backward", "of": "loss"},
]


def _layer_grads():
    gy = 2 * (_LX @ _LW + _LB - _LT) / len(_LX)
    return _LX.T @ gy, gy.sum(axis=0)


def _optimized(optimizer, settings, times, mutation=None):
    steps = [
        *_LAYER,
        {"do": "optimize", "optimizer": optimizer, "settings": settings, "target": "fc", "times": times},
        _value("W", "W"),
        _value("b", "b"),
    ]
    inputs = {"x": _LX, "W": _LW, "b": _LB, "t": _LT}
    return run_case("dezero", inputs, steps, mutation=mutation)


def test_layer_gradients_and_cleargrads():
    """A layer's apply is its function on its parameters; cleargrads clears exactly their grads."""
    gw, gb = _layer_grads()
    steps = [*_LAYER, _grad("dW", "W"), _grad("db", "b"), {"do": "cleargrads", "of": "fc"}]
    steps += [_grad("dW_cleared", "W"), _grad("db_cleared", "b"), _grad("dx", "x")]
    records = run_case("dezero", {"x": _LX, "W": _LW, "b": _LB, "t": _LT}, steps)
    assert_records_match(records, {"dW": gw, "db": gb, "dW_cleared": None, "db_cleared": None}, 1e-12)
    assert records["dx"] is not None  # x is no parameter of fc: left alone


@pytest.mark.parametrize(
    ("optimizer", "settings", "times", "mutation", "factor"),
    [
        ("SGD", {"lr": 0.1}, 1, None, -0.1),  # W - lr g
        ("SGD", {"lr": 0.1}, 2, None, -0.2),  # the same gradient twice
        ("SGD", {"lr": 0.1}, 1, "dezero_sgd_ascent", 0.1),
        ("SGD", {"lr": 0.1}, 1, "dezero_sgd_lr_ignored", -1.0),  # param.data -= param.grad.data
        ("MomentumSGD", {"lr": 0.1, "momentum": 0.9}, 1, None, -0.1),  # v = -lr g
        ("MomentumSGD", {"lr": 0.1, "momentum": 0.9}, 2, None, -0.1 * 2.9),  # v = -0.9 lr g - lr g
        ("MomentumSGD", {"lr": 0.1, "momentum": 0.9}, 2, "momentum_velocity_added", 0.1 * 2.9),
    ],
)
def test_optimizer_updates(optimizer, settings, times, mutation, factor):
    """SGD: W - lr g each update; MomentumSGD: v = momentum v - lr g, W + v, so two updates with the same
    gradient move W by -lr g (2 + momentum); the mistake v += lr g moves it uphill, +lr g (2 + momentum)."""
    gw, gb = _layer_grads()
    records = _optimized(optimizer, settings, times, mutation)
    assert_records_match(records, {"W": _LW + factor * gw, "b": _LB + factor * gb}, 1e-12)


# DeZero step 45: MLP((3, 2)), its Linear layers holding the case's W0, b0, W1, b1, derived by hand:
# h = sigmoid(x W0 + b0), y = h W1 + b1; gh = gy W1.T, ga = gh h (1 - h); gW1 = h.T gy, gW0 = x.T ga.
_MX = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [0.1, 0.3]])
_MLP_INPUTS = {
    "x": _MX,
    "W0": np.array([[0.2, -0.4, 0.6], [1.0, 0.3, -0.5]]),
    "b0": np.array([0.1, -0.2, 0.05]),
    "W1": np.array([[0.7, -0.1], [-0.3, 0.8], [0.4, 0.2]]),
    "b1": np.array([0.05, -0.15]),
    "gy": np.array([[1.0, -0.5], [0.25, 0.75], [-1.0, 0.5], [0.3, -0.2]]),
}
_MLP = [
    _apply("MLP", ["x", "W0", "b0", "W1", "b1"], "y", layer="model"),
    {"do": "backward", "of": "y", "upstream": "gy"},
]
_MLP_PARAMS = ("W0", "b0", "W1", "b1")


def _mlp_by_hand():
    i = _MLP_INPUTS
    h = 1 / (1 + np.exp(-(i["x"] @ i["W0"] + i["b0"])))
    ga = i["gy"] @ i["W1"].T * h * (1 - h)
    grads = {"dW0": i["x"].T @ ga, "db0": ga.sum(axis=0), "dW1": h.T @ i["gy"], "db1": i["gy"].sum(axis=0)}
    return h @ i["W1"] + i["b1"], {**grads, "dx": ga @ i["W0"].T}


def test_mlp_is_its_linear_layers_with_the_activation_between():
    """MLP's apply is Linear, sigmoid, Linear on its parameters, with no activation after the last layer."""
    y, grads = _mlp_by_hand()
    steps = [*_MLP, _value("value", "y"), *(_grad(k, k[1:]) for k in grads)]
    assert_records_match(run_case("dezero", _MLP_INPUTS, steps), {"value": y, **grads}, 1e-12)


def test_mlp_cleargrads_reaches_the_layers_it_holds():
    """cleargrads on an MLP clears its Linear layers' grads; with params() not recursing it clears none of
    them (params_not_recursive), and an optimizer leaves every W and b as it was
    (optimizer_params_not_recursive)."""
    _, grads = _mlp_by_hand()
    cleared = [{"do": "cleargrads", "of": "model"}, *(_grad(f"d{p}", p) for p in _MLP_PARAMS)]
    right = run_case("dezero", _MLP_INPUTS, [*_MLP, *cleared])
    assert all(right[f"d{p}"] is None for p in _MLP_PARAMS)
    wrong = run_case("dezero", _MLP_INPUTS, [*_MLP, *cleared], mutation="params_not_recursive")
    assert_records_match(wrong, {k: v for k, v in grads.items() if k != "dx"}, 1e-12)
    update = {"do": "optimize", "optimizer": "SGD", "settings": {"lr": 0.1}, "target": "model", "times": 1}
    after = [update, *(_value(p, p) for p in _MLP_PARAMS)]
    moved = run_case("dezero", _MLP_INPUTS, [*_MLP, *after])
    assert_records_match(moved, {p: _MLP_INPUTS[p] - 0.1 * grads[f"d{p}"] for p in _MLP_PARAMS}, 1e-12)
    kept = run_case("dezero", _MLP_INPUTS, [*_MLP, *after], mutation="optimizer_params_not_recursive")
    assert_records_match(kept, {p: _MLP_INPUTS[p] for p in _MLP_PARAMS}, 0)
    # one mistake, two mutations: each changes only its own step (a record picks the one that fits it)
    moved_anyway = run_case("dezero", _MLP_INPUTS, [*_MLP, *after], mutation="params_not_recursive")
    assert_records_match(moved_anyway, {p: moved[p] for p in _MLP_PARAMS}, 0)


def test_mlp_activation_after_the_last_layer_is_a_known_mistake():
    """mlp_activation_after_last: the output is the sigmoid of the book's, and the gradients follow it."""
    y, _ = _mlp_by_hand()
    s = 1 / (1 + np.exp(-y))
    wrong = run_case(
        "dezero",
        _MLP_INPUTS,
        [*_MLP, _value("value", "y"), _grad("db1", "b1")],
        mutation="mlp_activation_after_last",
    )
    assert_records_match(wrong, {"value": s, "db1": (_MLP_INPUTS["gy"] * s * (1 - s)).sum(axis=0)}, 1e-12)


def test_mlp_needs_a_w_and_a_b_per_layer():
    """An MLP apply with a parameter missing is the case's error, naming the step."""
    with pytest.raises(StepError, match="a W and a b per layer"):
        run_case("dezero", _MLP_INPUTS, [_apply("MLP", ["x", "W0", "b0", "W1"], "y", layer="model")])


def test_linear_layer_without_its_bias_is_a_known_mistake_of_the_layer_alone():
    """dezero_linear_no_bias: where a Layer applies linear (L.Linear, an MLP's layers) the value is x @ W and
    b, never in the graph, gets no gradient (None); the function linear(x, W, b) applied outside a Layer is
    unchanged."""
    i = _MLP_INPUTS
    layer = [
        _apply("Linear", ["x", "W0", "b0"], "y", layer="fc"),
        {"do": "backward", "of": "y", "upstream": "h"},
    ]
    inputs = {"x": i["x"], "W0": i["W0"], "b0": i["b0"], "h": np.ones((4, 3))}
    records = [_value("value", "y"), _grad("dW", "W0"), _grad("db", "b0")]
    wrong = run_case("dezero", inputs, [*layer, *records], mutation="dezero_linear_no_bias")
    assert wrong["db"] is None
    assert_records_match(wrong, {"value": i["x"] @ i["W0"], "dW": i["x"].T @ np.ones((4, 3))}, 1e-12)
    function = [{**layer[0], "layer": None}, layer[1], *records]
    right = run_case("dezero", inputs, function, mutation="dezero_linear_no_bias")
    assert_records_match(right, {"value": i["x"] @ i["W0"] + i["b0"], "db": np.full(3, 4.0)}, 1e-12)
    # an MLP's Linear layers are Layers too: with the mistake its output is h W1, no b1 anywhere
    mlp = run_case(
        "dezero", i, [*_MLP, _value("value", "y"), _grad("db1", "b1")], mutation="dezero_linear_no_bias"
    )
    h = 1 / (1 + np.exp(-(i["x"] @ i["W0"])))
    assert mlp["db1"] is None
    assert_records_match(mlp, {"value": h @ i["W1"]}, 1e-12)


def test_dezero_linear_function_no_bias_drops_b_from_the_value_and_keeps_its_gradient():
    """dezero_linear_function_no_bias: the function's own forward without b (y = x.dot(W)), its backward the
    book's: the value is x @ W in the function and in a Layer applying it alike, and b still gets sum_to(gy),
    which tells it from the layer's dezero_linear_no_bias (db None; review of s23-realdz, finding 1)."""
    i = _MLP_INPUTS
    step = _apply("Linear", ["x", "W0", "b0"], "y")
    inputs = {"x": i["x"], "W0": i["W0"], "b0": i["b0"], "h": np.ones((4, 3))}
    records = [_value("value", "y"), _grad("dW", "W0"), _grad("db", "b0")]
    want = {"value": i["x"] @ i["W0"], "dW": i["x"].T @ np.ones((4, 3)), "db": np.full(3, 4.0)}
    for layer in (None, "fc"):
        steps = [{**step, "layer": layer}, {"do": "backward", "of": "y", "upstream": "h"}, *records]
        got = run_case("dezero", inputs, steps, mutation="dezero_linear_function_no_bias")
        assert_records_match(got, want, 1e-12)


def test_a_layer_op_under_create_graph_falls_back_to_its_function_s_graph_backward(monkeypatch):
    """A mistake keyed "layer:linear" renames the node's op; under create_graph its backward with Variables
    is the function's (GRAPH_VJPS["linear"]), as its forward is where the mistake keys none: before, the
    lookup of GRAPH_VJPS["layer:linear"] raised StepError (review of s23-realdz, finding 6). GRAPH_VJPS has
    no linear yet, so a stand-in marks which backward ran: its constants reach x, W and b."""
    from reference.graph_vjps import GRAPH_VJPS

    def stand_in(b, g, xs, y, s):
        return tuple(b.const(float(k), x) for k, x in enumerate(xs, start=1))

    monkeypatch.setitem(GRAPH_VJPS, "linear", stand_in)
    i = _MLP_INPUTS
    inputs = {"x": i["x"], "W0": i["W0"], "b0": i["b0"], "h": np.ones((4, 3))}
    records = [_grad("dx", "x"), _grad("dW", "W0"), _grad("db", "b0")]
    want = {"dx": np.ones((4, 2)), "dW": np.full((2, 3), 2.0), "db": np.full(3, 3.0)}
    for layer in ("fc", None):
        steps = [
            _apply("Linear", ["x", "W0", "b0"], "y", layer=layer),
            {"do": "backward", "of": "y", "upstream": "h", "create_graph": True},
            *records,
        ]
        got = run_case("dezero", inputs, steps, mutation="dezero_linear_no_bias")
        assert_records_match(got, want, 1e-12)
