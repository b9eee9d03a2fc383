"""reference.mutations: every known mistake changes what FACTS.md section 4 says it changes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from module_files import load_module

from reference.documented import DOCUMENTED
from reference.evaluate import StepError, run_case
from reference.mutations import MUTATIONS, applicable

KNOWN_CODES = {
    "zero_or_missing",  # backward_on_data: the second derivative is None
    "wrong_shape",  # steps 38 to 40: a gradient handed back in the output's shape (Reshape, Sum, Add)
    "transposed",  # step 38: Transpose.backward not transposing back
    "missing_accumulation",
    "missing_input_gradient",
    "stale_gradient",
    "missing_retain_grad",
    "order",
    "wrong_derivative",
    "ignores_upstream",
    "wrong_forward",
    "reflected_operator",
    "wrong_update",
    "config_not_restored",
    "precision",  # net_gradient_numerical: finite differences where backpropagation belongs
}


def _apply(op, args, out):
    return {"do": "apply", "op": op, "args": args, "out": out}


def _value(key, name):
    return {"do": "record", "key": key, "value_of": name}


def _grad(key, name):
    return {"do": "record", "key": key, "grad_of": name}


def _documented(case_id, mutation=None):
    case = DOCUMENTED[case_id]
    return run_case(case.family, case.inputs, case.steps, mutation=mutation)


# DeZero steps 33 to 36: one function's backward left on .data, in registry order
ON_DATA = ("pow", "mul", "div")

# Two or three of Add, Mul, Sub and Div left without sum_to at step 40, every such set but Mul, Sub and Div.
SOME_NO_SUM_TO = (
    "add_mul_no_sum_to",
    "add_sub_no_sum_to",
    "add_div_no_sum_to",
    "mul_sub_no_sum_to",
    "mul_div_no_sum_to",
    "sub_div_no_sum_to",
    "add_mul_sub_no_sum_to",
    "add_mul_div_no_sum_to",
    "add_sub_div_no_sum_to",
)


def test_registry_matches_cases_md():
    """The registry holds the mistakes of docs/CASES.md with their diagnosis codes."""
    codes = {name: m.code for name, m in MUTATIONS.items()}
    assert codes == {
        "linear_forward_no_bias": "wrong_forward",
        "sigmoid_sign_dropped": "wrong_forward",
        "relu_mask_inverted": "wrong_derivative",
        "softmax_over_axis0": "wrong_forward",
        "softmax_column_max": "wrong_forward",
        "affine_forward_no_bias": "wrong_forward",
        "affine_x_kept_unflattened": "wrong_shape",
        "mse_mean_squared": "wrong_forward",
        "mse_not_reshaped": "wrong_forward",
        "mse_grad_mean": "wrong_shape",
        "overwrite_in_input": "missing_accumulation",
        "overwrite_in_linear": "missing_accumulation",
        "overwrite_in_sigmoid": "missing_accumulation",
        "overwrite_throughout": "missing_accumulation",
        "overwrite_not_accumulate": "missing_accumulation",
        "inplace_accumulate": "missing_accumulation",
        "add_one_gradient": "missing_input_gradient",
        "retain_grad_ignored": "missing_retain_grad",
        "step14_loop": "order",
        "no_generation_order": "order",
        "upstream_from_start": "ignores_upstream",
        "seed_always": "ignores_upstream",
        "no_cleargrad": "stale_gradient",
        "gradients_carried": "stale_gradient",
        "gradients_dict_kept": "stale_gradient",
        "sigmoid_from_input": "wrong_derivative",
        "sigmoid_of_output": "wrong_derivative",
        "sigmoid_factor_dropped": "wrong_derivative",
        "sigmoid_out_factor_dropped": "wrong_derivative",
        "sgd_ascends": "wrong_update",
        "sgd_unchanged": "wrong_update",
        "sgd_lr_ignored": "wrong_update",
        "square_from_output": "wrong_derivative",
        "exp_from_input": "wrong_derivative",
        "cos_sign": "wrong_derivative",
        "tanh_from_input": "wrong_derivative",
        "backward_on_data": "wrong_derivative",  # None records: zero_or_missing with its hint
        **{f"{op}_backward_on_data": "wrong_derivative" for op in ON_DATA},  # one function on .data
        "relu_mask_from_dout": "wrong_derivative",
        "mul_swapped": "wrong_derivative",
        "add_subtracts": "wrong_forward",
        "div_denominator_sign": "wrong_derivative",
        "predict_softmax": "wrong_forward",
        "chapter4_two_layer_net": "wrong_forward",
        "two_layer_net_sigmoid_hidden": "wrong_forward",
        "two_layer_net_no_hidden_activation": "wrong_forward",
        "net_gradient_numerical": "precision",
        "softmax_onehot_only": "wrong_derivative",
        "softmax_over_batch": "wrong_forward",
        "cross_entropy_onehot_only": "wrong_forward",
        "accuracy_onehot_not_argmaxed": "wrong_forward",
        "accuracy_summed": "wrong_forward",
        "accuracy_argmax_axis0": "wrong_forward",
        "div_denominator_copied": "wrong_derivative",
        "pow_exponent_gradient": "wrong_derivative",
        "square_ignores_gy": "ignores_upstream",
        "exp_ignores_gy": "ignores_upstream",
        "pow_ignores_gy": "ignores_upstream",
        "mul_ignores_gy": "ignores_upstream",
        "div_ignores_gy": "ignores_upstream",
        "mullayer_ignores_dout": "ignores_upstream",
        "sigmoid_ignores_dout": "ignores_upstream",
        "sigmoid_ignores_grad_cost": "ignores_upstream",
        "reflected_swapped": "reflected_operator",
        "rsub_swapped": "reflected_operator",
        "rtruediv_swapped": "reflected_operator",
        "add_no_sum_to": "wrong_shape",  # steps 38 to 41: the tensor functions
        "mul_no_sum_to": "wrong_shape",
        "sub_no_sum_to": "wrong_shape",
        "div_no_sum_to": "wrong_shape",
        "arith_no_sum_to": "wrong_shape",
        "mul_sub_div_no_sum_to": "wrong_shape",
        **dict.fromkeys(SOME_NO_SUM_TO, "wrong_shape"),
        "broadcast_to_gy": "wrong_shape",
        "sum_to_no_lead": "wrong_shape",
        "reshape_shape_kept": "wrong_shape",
        "transpose_not_back": "transposed",
        "sum_not_broadcast": "wrong_shape",
        "matmul_no_transpose": "wrong_derivative",
        "linear_gw_transposed": "transposed",  # step 43
        "dezero_sigmoid_from_input": "wrong_derivative",
        "dezero_sgd_ascent": "wrong_update",  # step 46
        "dezero_sgd_lr_ignored": "wrong_update",
        "no_grad_sticks": "config_not_restored",
        "momentum_velocity_added": "wrong_update",
        "params_not_recursive": "stale_gradient",  # step 45
        "layer_cleargrads_noop": "stale_gradient",
        "optimizer_params_not_recursive": "wrong_update",
        "mlp_activation_after_last": "wrong_forward",
        "dezero_accuracy_argmax_axis0": "wrong_forward",  # step 50
        "dropout_not_scaled": "wrong_forward",  # step 54
        "dropout_scaled_in_test_mode": "wrong_forward",
        "im2col_outsize_no_plus_one": "wrong_shape",  # step 57
        "pooling_grad_first_window": "wrong_derivative",
        "rnn_no_tanh": "wrong_forward",  # steps 59 and 60
        "rnn_h2h_bias": "wrong_forward",
        "recurrent_params_not_recursive": "wrong_forward",
        "recurrent_layers_not_registered": "wrong_forward",
        "lstm_f_i_swapped": "wrong_forward",
        "lstm_c_not_carried": "wrong_forward",
        "unchain_top_only": "stale_gradient",
        "get_item_grad_assigned": "wrong_derivative",  # step 47
        "softmax_axis0": "wrong_forward",
        "softmax_diagonal_only": "wrong_derivative",
        "sce_onehot_by_columns": "wrong_derivative",
        "sce_ignores_gy": "ignores_upstream",
        "dezero_linear_no_bias": "wrong_forward",  # step 44: the Linear layer only
        "dezero_linear_function_no_bias": "wrong_forward",  # step 43: F.linear's own forward
        "linear_gb_unsummed": "wrong_shape",  # step 43
    }


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_hints_are_one_line_and_name_a_method(name):
    """Every hint is one line that names the backward (or cleargrad, or the reflected operator method) to
    look at, or for a wrong forward value the method that computes it; to_dict is plain data."""
    m = MUTATIONS[name]
    assert "\n" not in m.hint and len(m.hint) < 220
    if m.code == "wrong_forward":
        forwards = (
            "TwoLayerNet.predict ",
            "TwoLayerNet.accuracy ",
            "SoftmaxWithLoss.forward",
            "Add.forward ",
            "MLP.forward ",
            "Linear.forward ",
            "Affine.forward ",
            "MSE.forward ",
            "Sigmoid.forward ",
            "Softmax.forward ",
            "accuracy(y, t) ",  # DeZero step 50: a function of dezero/functions.py, no class
            "dropout(x, ratio) ",  # DeZero step 54: likewise
            *("RNN.forward ", "RNN.__init__ ", "LSTM.forward "),  # DeZero steps 59 and 60
            "Layer.params ",  # 59 and 60: the param_count record of recurrent_params_not_recursive
        )
        assert m.hint.startswith(forwards)
    elif m.code == "wrong_update":
        updates = ("sgd_update ", "SGD.update_one ", "MomentumSGD.update_one ", "Layer.params() ")
        assert m.hint.startswith(updates)
    elif m.code == "config_not_restored":
        assert m.hint.startswith("no_grad / using_config ")
    elif m.code == "precision":
        assert m.hint.startswith("TwoLayerNet.gradient ") and "backpropagation" in m.hint
    else:
        assert "backward" in m.hint or "cleargrad" in m.hint or "Variable.__r" in m.hint
    d = m.to_dict()
    assert d["code"] in KNOWN_CODES and d["name"] == name and d["families"]


def test_applicable_per_family():
    """applicable() lists exactly the mutations possible in each family (aliases accepted)."""
    assert applicable("miniflow") == [
        "overwrite_in_input",
        "overwrite_in_linear",
        "overwrite_in_sigmoid",
        "overwrite_throughout",
        "gradients_carried",
        "gradients_dict_kept",
        "sigmoid_from_input",
        "sigmoid_sign_dropped",
        "sigmoid_of_output",
        "sigmoid_factor_dropped",
        "sgd_ascends",
        "sgd_unchanged",
        "sgd_lr_ignored",
        "linear_forward_no_bias",
        "mse_mean_squared",
        "mse_grad_mean",
        "mse_not_reshaped",
        "sigmoid_ignores_grad_cost",
    ]
    assert applicable("dezero") == [
        "overwrite_not_accumulate",
        "inplace_accumulate",
        "add_one_gradient",
        "retain_grad_ignored",
        "step14_loop",
        "no_generation_order",
        "upstream_from_start",
        "seed_always",
        "no_cleargrad",
        "dezero_sgd_ascent",  # step 46
        "dezero_sgd_lr_ignored",
        "no_grad_sticks",
        "momentum_velocity_added",
        "params_not_recursive",  # step 45
        "layer_cleargrads_noop",
        "optimizer_params_not_recursive",
        "mlp_activation_after_last",
        *(
            "rnn_no_tanh",
            "rnn_h2h_bias",
            "recurrent_params_not_recursive",
            "recurrent_layers_not_registered",
            "lstm_f_i_swapped",
            "lstm_c_not_carried",
            "unchain_top_only",
        ),  # 59, 60
        "get_item_grad_assigned",  # step 47
        "dezero_accuracy_argmax_axis0",  # step 50
        "dropout_not_scaled",  # step 54
        "dropout_scaled_in_test_mode",
        "im2col_outsize_no_plus_one",  # step 57
        "pooling_grad_first_window",
        "softmax_axis0",
        "softmax_diagonal_only",
        "sce_onehot_by_columns",
        "sce_ignores_gy",
        "square_from_output",
        "exp_from_input",
        "cos_sign",
        "tanh_from_input",
        "add_no_sum_to",
        "mul_no_sum_to",
        "sub_no_sum_to",
        "div_no_sum_to",
        "arith_no_sum_to",
        "mul_sub_div_no_sum_to",
        *SOME_NO_SUM_TO,
        "broadcast_to_gy",
        "sum_to_no_lead",
        "reshape_shape_kept",
        "transpose_not_back",
        "sum_not_broadcast",
        "matmul_no_transpose",
        "dezero_linear_no_bias",  # step 44
        "dezero_linear_function_no_bias",  # step 43 (review of s23-realdz)
        "linear_gb_unsummed",
        "linear_gw_transposed",
        "dezero_sigmoid_from_input",
        "backward_on_data",
        *(f"{op}_backward_on_data" for op in ON_DATA),
        "mul_swapped",
        "add_subtracts",
        "div_denominator_sign",
        "div_denominator_copied",
        "pow_exponent_gradient",
        "square_ignores_gy",
        "exp_ignores_gy",
        "pow_ignores_gy",
        "mul_ignores_gy",
        "div_ignores_gy",
        "reflected_swapped",
        "rsub_swapped",
        "rtruediv_swapped",
    ]
    assert applicable("layers") == [
        "sigmoid_from_input",
        "sigmoid_sign_dropped",
        "sigmoid_out_factor_dropped",
        "relu_mask_from_dout",
        "relu_mask_inverted",
        "mul_swapped",
        "affine_forward_no_bias",
        "affine_x_kept_unflattened",
        "predict_softmax",
        "chapter4_two_layer_net",
        "two_layer_net_sigmoid_hidden",
        "two_layer_net_no_hidden_activation",
        "net_gradient_numerical",
        "softmax_onehot_only",
        "softmax_over_batch",
        "softmax_over_axis0",
        "softmax_column_max",
        "cross_entropy_onehot_only",
        "accuracy_onehot_not_argmaxed",
        "accuracy_summed",
        "accuracy_argmax_axis0",
        "mullayer_ignores_dout",
        "sigmoid_ignores_dout",
    ]
    assert applicable("dlfs-layers") == applicable("layers")
    with pytest.raises(ValueError, match="unknown family"):
        applicable("keras")


def test_inapplicable_or_unknown_mutation_raises():
    """A mutation outside its families, or an unknown one, is refused by run_case."""
    case = DOCUMENTED["buy-apple-documented"]
    with pytest.raises(ValueError, match="does not apply to layers"):
        run_case("layers", case.inputs, case.steps, mutation="no_generation_order")
    with pytest.raises(ValueError, match="unknown mutation"):
        run_case("layers", case.inputs, case.steps, mutation="typo")


def test_overwrite_add_x_x_gives_one():
    """overwrite_not_accumulate: add(x, x) gives x.grad 1, not 2 (FACTS.md 4)."""
    assert float(_documented("add-twice-documented")["dx_1"]) == 2.0
    assert float(_documented("add-twice-documented", "overwrite_not_accumulate")["dx_1"]) == 1.0


def test_overwrite_miniflow_keeps_the_last_consumer():
    """overwrite_throughout (and overwrite_in_input) in MiniFlow: X's gradient is the last-built consumer's
    share only."""
    rng = np.random.default_rng(5)
    ins = {n: rng.normal(size=s) for n, s in [("X", (3, 2)), ("W1", (2, 1)), ("W2", (2, 1)), ("b", (1,))]}
    steps = [
        _apply("Linear", ["X", "W1", "b"], "o1"),
        _apply("Linear", ["X", "W2", "b"], "o2"),
        _apply("MSE", ["o1", "o2"], "cost"),
        {"do": "backward", "of": "cost"},
        _grad("dX", "X"),
    ]
    right = run_case("miniflow", ins, steps)["dX"]
    # Hand-derived: o2's share is -2/m (o1 - o2) @ W2.T.
    o1, o2 = ins["X"] @ ins["W1"] + ins["b"], ins["X"] @ ins["W2"] + ins["b"]
    for mutation in ("overwrite_throughout", "overwrite_in_input"):
        wrong = run_case("miniflow", ins, steps, mutation=mutation)["dX"]
        np.testing.assert_allclose(wrong, -2 / 3 * (o1 - o2) @ ins["W2"].T, rtol=1e-12)
        assert not np.allclose(wrong, right)
    # Only Input nodes feed two nodes here: Linear's and Sigmoid's loops see one consumer, nothing changes.
    for mutation in ("overwrite_in_linear", "overwrite_in_sigmoid"):
        np.testing.assert_array_equal(run_case("miniflow", ins, steps, mutation=mutation)["dX"], right)


def test_overwrite_in_sigmoid_names_the_class_that_overwrote():
    """overwrite_in_sigmoid: s = Sigmoid(h) feeding two Linear nodes passes back only the last one's share,
    while an Input used twice still sums (hand-derived with scalars)."""
    # h = x (Linear with W = 1, b = 0), s = sigmoid(h), o1 = 2 s, o2 = 3 s, cost = (o1 - o2)^2 = s^2.
    # d cost/d o1 = 2 (o1 - o2) = -2 s, d cost/d o2 = 2 s; into s: 2 * (-2 s) + 3 * (2 s) = 2 s (right);
    # the last consumer alone (o2): 3 * 2 s = 6 s. dx = (share) * s (1 - s).
    one, zero = np.array([[1.0]]), np.array([0.0])
    ins = {"x": np.array([[0.5]]), "W": one, "b": zero, "V1": 2 * one, "V2": 3 * one, "c": zero}
    steps = [
        _apply("Linear", ["x", "W", "b"], "h"),
        _apply("Sigmoid", ["h"], "s"),
        _apply("Linear", ["s", "V1", "c"], "o1"),
        _apply("Linear", ["s", "V2", "c"], "o2"),
        _apply("MSE", ["o1", "o2"], "cost"),
        {"do": "backward", "of": "cost"},
        _grad("dx", "x"),
    ]
    s = 1 / (1 + np.exp(-0.5))
    assert run_case("miniflow", ins, steps)["dx"].item() == pytest.approx(2 * s * s * (1 - s), rel=1e-12)
    wrong = run_case("miniflow", ins, steps, mutation="overwrite_in_sigmoid")["dx"]
    assert wrong.item() == pytest.approx(6 * s * s * (1 - s), rel=1e-12)
    # c is an Input used by both o1 and o2, but no record reads it; x's path has no other shared node.
    assert run_case("miniflow", ins, steps, mutation="overwrite_in_input")["dx"].item() == pytest.approx(
        2 * s * s * (1 - s), rel=1e-12
    )


def test_no_generation_order_halves_the_diamond():
    """no_generation_order: the step-16 diamond gives x.grad 32 instead of 64."""
    assert float(_documented("diamond-documented")["dx"]) == 64.0
    assert float(_documented("diamond-documented", "no_generation_order")["dx"]) == 32.0


def test_the_order_hint_names_both_halves_of_the_generation_order():
    """A set_creator without `+ 1` leaves every generation 0, so a backward that sorts by generation still
    runs last-in first-out and gives the diamond 32: the hint said only "sort by generation" to code that
    did (sample submissions/dezero/step16_generation_not_incremented.py); it names set_creator's + 1 too."""
    hint = MUTATIONS["no_generation_order"].hint
    assert "sort by generation" in hint and "set_creator" in hint and "+ 1" in hint


def test_no_cleargrad_accumulates_into_the_second_result():
    """no_cleargrad: the second add-twice computation gives 5 instead of 3."""
    assert float(_documented("add-twice-documented", "no_cleargrad")["dx_2"]) == 5.0


def test_gradients_carried_in_miniflow():
    """gradients_carried in MiniFlow: a second backward doubles the gradients instead of repeating them."""
    case = DOCUMENTED["quiz-documented"]
    steps = [*case.steps[:4], _grad("dW_1", "W"), {"do": "backward", "of": "cost"}, _grad("dW_2", "W")]
    right = run_case("miniflow", case.inputs, steps)
    wrong = run_case("miniflow", case.inputs, steps, mutation="gradients_carried")
    np.testing.assert_allclose(right["dW_2"], case.expected["dW"], rtol=1e-7)
    np.testing.assert_allclose(wrong["dW_2"], 2 * np.array(case.expected["dW"]), rtol=1e-7)


def _sample_module(name: str) -> Any:
    """A sample submission, imported in-process: the mistake as a student wrote it, the oracle."""
    path = Path(__file__).resolve().parents[2] / "submissions" / "miniflow" / name
    return load_module(path, f"sample_{path.stem}")


@pytest.mark.parametrize(
    ("sample", "mutation"),
    [("gradients_set_up_once.py", "gradients_dict_kept"), ("stale_gradients.py", "gradients_carried")],
)
def test_gradients_kept_between_passes_give_what_the_students_code_gives(sample, mutation):
    """Two forward_and_backward passes around one sgd_update (sgd-gen-step's steps): the mutated reference's
    second-pass gradients are what the sample that makes the mistake computes when run (every node's dict
    kept, its carried gradients feeding the nodes before it; or Input's alone), and neither is what the other
    mutation or the right code gives."""
    st = _sample_module(sample)
    rng = np.random.default_rng(7)
    shapes = {"X": (4, 2), "y": (4, 1), "W1": (2, 3), "b1": (3,), "W2": (3, 1), "b2": (1,)}
    ins = {k: rng.normal(size=shape) for k, shape in shapes.items()}
    params = ["W1", "b1", "W2", "b2"]
    steps = [
        _apply("Linear", ["X", "W1", "b1"], "h"),
        _apply("Sigmoid", ["h"], "s"),
        _apply("Linear", ["s", "W2", "b2"], "o"),
        _apply("MSE", ["y", "o"], "cost"),
        {"do": "backward", "of": "cost"},
        {"do": "sgd", "lr": 0.1, "params": params},
        {"do": "backward", "of": "cost"},
        *(_grad(f"d{p}", p) for p in params),
    ]
    nodes = {k: st.Input() for k in shapes}
    h = st.Linear(nodes["X"], nodes["W1"], nodes["b1"])
    st.MSE(nodes["y"], st.Linear(st.Sigmoid(h), nodes["W2"], nodes["b2"]))
    graph = st.topological_sort({nodes[k]: ins[k].copy() for k in shapes})  # sgd_update writes in place
    st.forward_and_backward(graph)
    st.sgd_update([nodes[p] for p in params], 0.1)
    st.forward_and_backward(graph)
    wrong = run_case("miniflow", ins, steps, mutation=mutation)
    other = "gradients_carried" if mutation == "gradients_dict_kept" else "gradients_dict_kept"
    elsewise = run_case("miniflow", ins, steps, mutation=other)
    right = run_case("miniflow", ins, steps)
    for p in params:
        got = nodes[p].gradients[nodes[p]]
        np.testing.assert_allclose(wrong[f"d{p}"], got, rtol=1e-9)
        assert not np.allclose(elsewise[f"d{p}"], got) and not np.allclose(right[f"d{p}"], got)


def test_sigmoid_from_input_is_not_a_multiple():
    """sigmoid_from_input on the quiz: dX uses f * (1 - f) with f = -11, relative error far from 0."""
    case = DOCUMENTED["quiz-documented"]
    wrong = run_case(case.family, case.inputs, case.steps, mutation="sigmoid_from_input")
    a = 1 / (1 + np.exp(11.0))
    da = -(np.array([[1.0], [2.0]]) - a)  # 2/m * (a - y) with m = 2
    np.testing.assert_allclose(wrong["dX"], da * (-11 * 12) @ np.array([[2.0, 3.0]]), rtol=1e-12)
    np.testing.assert_allclose(wrong["dy"], case.expected["dy"], rtol=1e-7)  # above the Sigmoid: right


def test_sigmoid_of_output_applies_the_sigmoid_twice():
    """sigmoid_of_output on the Sigmoid unit by hand: x = 0 gives value 1/2 and the gradient
    s(1/2) * (1 - s(1/2)) * g (about 0.235 g), not 1/4 g; the forward value is unchanged."""
    steps = [
        _apply("Sigmoid", ["x"], "s"),
        {"do": "backward_local", "of": "s", "upstream": "g"},
        {"do": "record", "key": "value", "value_of": "s"},
        {"do": "record", "key": "dx", "grad_of": "x", "via": "s"},
    ]
    ins = {"x": np.array([[0.0]]), "g": np.array([[2.0]])}
    right = run_case("miniflow", ins, steps)
    wrong = run_case("miniflow", ins, steps, mutation="sigmoid_of_output")
    s2 = 1 / (1 + np.exp(-0.5))
    assert float(right["dx"][0, 0]) == pytest.approx(0.5, rel=1e-12)
    assert float(wrong["dx"][0, 0]) == pytest.approx(2 * s2 * (1 - s2), rel=1e-12)
    assert float(wrong["value"][0, 0]) == float(right["value"][0, 0]) == 0.5


def test_sigmoid_factor_dropped_keeps_one_minus_sigmoid_only():
    """sigmoid_factor_dropped (MiniFlow) and sigmoid_out_factor_dropped (the book) on the Sigmoid unit by
    hand: x = 0 gives value 1/2 and the
    gradient (1 - 1/2) * g = g / 2, where the textbook gives 1/2 * 1/2 * g = g / 4."""
    steps = [
        _apply("Sigmoid", ["x"], "s"),
        {"do": "backward_local", "of": "s", "upstream": "g"},
        {"do": "record", "key": "dx", "grad_of": "x", "via": "s"},
    ]
    ins = {"x": np.array([[0.0]]), "g": np.array([[2.0]])}
    for family, mutation in (
        ("miniflow", "sigmoid_factor_dropped"),
        ("layers", "sigmoid_out_factor_dropped"),
    ):
        right = run_case(family, ins, steps)
        wrong = run_case(family, ins, steps, mutation=mutation)
        assert float(right["dx"][0, 0]) == pytest.approx(0.5, rel=1e-12)
        assert float(wrong["dx"][0, 0]) == pytest.approx(1.0, rel=1e-12)


def test_sgd_mutations_step_along_the_gradient_or_not_at_all():
    """sgd_ascends gives W + lr * dW and sgd_unchanged W itself, where the textbook step gives W - lr * dW
    (by hand from the quiz's own gradient, FACTS.md); the gradients before the step are the same for all."""
    case = DOCUMENTED["quiz-documented"]
    steps = [
        *case.steps[:4],
        {"do": "backward", "of": "cost"},
        {"do": "sgd", "lr": 0.5, "params": ["W", "b"]},
        {"do": "record", "key": "W_after", "value_of": "W"},
        {"do": "record", "key": "b_after", "value_of": "b"},
    ]
    w, b = np.array([[2.0], [3.0]]), np.array([-3.0])
    dw, db = np.array(case.expected["dW"]), np.array(case.expected["db"])
    after = {
        name: run_case("miniflow", case.inputs, steps, mutation=name)
        for name in ("sgd_ascends", "sgd_unchanged")
    }
    right = run_case("miniflow", case.inputs, steps)
    np.testing.assert_allclose(right["W_after"], w - 0.5 * dw, rtol=1e-7)
    np.testing.assert_allclose(after["sgd_ascends"]["W_after"], w + 0.5 * dw, rtol=1e-7)
    np.testing.assert_allclose(after["sgd_ascends"]["b_after"], b + 0.5 * db, rtol=1e-7)
    assert after["sgd_unchanged"]["W_after"].tolist() == w.tolist()
    assert after["sgd_unchanged"]["b_after"].tolist() == b.tolist()


def test_sgd_lr_ignored_steps_by_the_whole_gradient():
    """sgd_lr_ignored gives W - dW whatever the learning rate (by hand from the quiz's documented gradient,
    FACTS.md): the step a student takes with t.value -= t.gradients[t]."""
    case = DOCUMENTED["quiz-documented"]
    steps = [
        *case.steps[:4],
        {"do": "backward", "of": "cost"},
        {"do": "sgd", "lr": 0.5, "params": ["W", "b"]},
        {"do": "record", "key": "W_after", "value_of": "W"},
        {"do": "record", "key": "b_after", "value_of": "b"},
    ]
    w, b = np.array([[2.0], [3.0]]), np.array([-3.0])
    dw, db = np.array(case.expected["dW"]), np.array(case.expected["db"])
    after = run_case("miniflow", case.inputs, steps, mutation="sgd_lr_ignored")
    np.testing.assert_allclose(after["W_after"], w - dw, rtol=1e-7)
    np.testing.assert_allclose(after["b_after"], b - db, rtol=1e-7)


def test_no_grad_sticks_records_nothing_after_the_with_block():
    """no_grad_sticks: a Square applied after a no_grad one has no creator, and a later backward reaches no
    input; unmutated it has one (the book's using_config restores the flag in finally)."""
    steps = [
        {**_apply("Square", ["x"], "y"), "no_grad": True},
        _apply("Square", ["x"], "z"),
        {"do": "record", "key": "inside", "has_creator": "y"},
        {"do": "record", "key": "outside", "has_creator": "z"},
    ]
    right = run_case("dezero", {"x": np.array(3.0)}, steps)
    wrong = run_case("dezero", {"x": np.array(3.0)}, steps, mutation="no_grad_sticks")
    assert (right["inside"], right["outside"]) == (False, True)
    assert (wrong["inside"], wrong["outside"]) == (False, False)


def test_step14_loop_gives_96_on_the_diamond():
    """step14_loop: the book's step-14 Variable.backward (no seen set, no sort, no clearing) on the diamond.

    x = 2, a = x^2 = 4, b = c = a^2 = 16, y = b + c. funcs = [Add]; pop Add: b.grad = c.grad = 1, push
    Square_b, Square_c. Pop Square_c: a.grad = 2 a * 1 = 8, push Square_a. Pop Square_a: x.grad = 2 x * 8 =
    32. Pop Square_b: a.grad = 8 + 8 = 16 (kept, never cleared), push Square_a again. Pop Square_a: x.grad =
    32 + 2 x * 16 = 96. The book's answer is 64; the `order` mistake without the step-14 habits gives 32.
    """
    assert float(_documented("diamond-documented", "step14_loop")["dx"]) == 96.0
    assert float(_documented("diamond-documented", "no_generation_order")["dx"]) == 32.0
    # Elsewhere the step-14 loop is right: add(x, x) and the sum of squares run each function once.
    assert float(_documented("add-twice-documented", "step14_loop")["dx_2"]) == 3.0
    assert float(_documented("sum-of-squares-documented", "step14_loop")["dy"]) == 6.0


def test_retain_grad_ignored_keeps_intermediate_grads():
    """retain_grad_ignored: FACTS.md's step-18 example keeps y.grad = t.grad = 1 where None is expected;
    x0.grad 2 and x1.grad 1 stay right."""
    right = _documented("retain-grad-documented")
    wrong = _documented("retain-grad-documented", "retain_grad_ignored")
    assert right["dy"] is None and right["dt"] is None
    assert (float(wrong["dy"]), float(wrong["dt"]), float(wrong["dx0"]), float(wrong["dx1"])) == (1, 1, 2, 1)


def test_add_one_gradient_starves_the_second_input():
    """add_one_gradient: Add.backward returning gy alone gives x.grad 1 for add(x, x) (as the overwrite
    mistake does) but leaves the second input of add(square(x), square(y)) without a gradient (which the
    overwrite mistake does not)."""
    assert float(_documented("add-twice-documented", "add_one_gradient")["dx_1"]) == 1.0
    assert _documented("sum-of-squares-documented", "add_one_gradient")["dy"] is None
    assert float(_documented("sum-of-squares-documented", "overwrite_not_accumulate")["dy"]) == 6.0


def test_square_from_output_gives_18():
    """square_from_output: y = square(x) at x = 3 gives x.grad 18 instead of 6."""
    steps = [_apply("Square", ["x"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
    assert float(run_case("dezero", {"x": np.array(3.0)}, steps)["dx"]) == 6.0
    assert float(run_case("dezero", {"x": np.array(3.0)}, steps, mutation="square_from_output")["dx"]) == 18.0


def test_exp_from_input_gives_x():
    """exp_from_input: y = exp(x) at x = 2 gives x.grad 2 instead of e**2."""
    steps = [_apply("Exp", ["x"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
    np.testing.assert_allclose(run_case("dezero", {"x": np.array(2.0)}, steps)["dx"], np.e**2, rtol=1e-15)
    assert float(run_case("dezero", {"x": np.array(2.0)}, steps, mutation="exp_from_input")["dx"]) == 2.0


def test_relu_mask_from_dout_breaks_only_below_the_relu():
    """relu_mask_from_dout in TwoLayerNet: dW2, db2 (above the Relu) right; dW1 (below it) wrong."""
    rng = np.random.default_rng(6)
    ins = {
        "x": rng.normal(size=(5, 4)),
        "t": np.array([0.0, 2.0, 1.0, 1.0, 0.0]),
        "W1": rng.normal(size=(4, 6)),
        "b1": rng.normal(size=(6,)),
        "W2": rng.normal(size=(6, 3)),
        "b2": rng.normal(size=(3,)),
    }
    steps = [
        _apply("TwoLayerNet", ["x", "t", "W1", "b1", "W2", "b2"], "loss"),
        {"do": "backward", "of": "loss"},
        *(_grad("d" + p, p) for p in ("W1", "b1", "W2", "b2")),
    ]
    right = run_case("layers", ins, steps)
    wrong = run_case("layers", ins, steps, mutation="relu_mask_from_dout")
    np.testing.assert_array_equal(wrong["dW2"], right["dW2"])
    np.testing.assert_array_equal(wrong["db2"], right["db2"])
    assert not np.allclose(wrong["dW1"], right["dW1"])


def test_mul_swapped_buy_apple():
    """mul_swapped on buy-apple gives 20000 / 400 / 1.1 for dApple / dApple_num / dTax."""
    wrong = _documented("buy-apple-documented", "mul_swapped")
    np.testing.assert_allclose([wrong["dapple"], wrong["dapple_num"], wrong["dtax"]], [20000, 400, 1.1])
    assert float(wrong["price"]) == float(_documented("buy-apple-documented")["price"])


def test_mul_swapped_dezero():
    """mul_swapped in DeZero: y = mul(a, b) at a = 3, b = 5 gives a.grad 3 and b.grad 5 (swapped)."""
    steps = [
        _apply("Mul", ["a", "b"], "y"),
        {"do": "backward", "of": "y"},
        _grad("da", "a"),
        _grad("db", "b"),
    ]
    ins = {"a": np.array(3.0), "b": np.array(5.0)}
    r = run_case("dezero", ins, steps, mutation="mul_swapped")
    assert (float(r["da"]), float(r["db"])) == (3.0, 5.0)


def test_add_subtracts_gives_minus_one_for_the_books_add():
    """add_subtracts: the book's step-12 add(x0, x1) at 2 and 3 gives -1 (book: 5); the gradients are
    Add's own (a forward mistake)."""
    steps = [_apply("Add", ["x0", "x1"], "y"), {"do": "backward", "of": "y"}, _grad("dx0", "x0")]
    steps.append({"do": "record", "key": "y", "value_of": "y"})
    ins = {"x0": np.array(2.0), "x1": np.array(3.0)}
    wrong = run_case("dezero", ins, steps, mutation="add_subtracts")
    assert (float(wrong["y"]), float(wrong["dx0"])) == (-1.0, 1.0)
    assert float(run_case("dezero", ins, steps)["y"]) == 5.0


def test_div_denominator_sign_flips_the_denominators_gradient():
    """div_denominator_sign: y = 3 / x at x = 2 gives x.grad +0.75 instead of -3 / 4 (hand-derived)."""
    steps = [
        _apply("Div", ["n", "x"], "y"),
        {"do": "backward", "of": "y"},
        _grad("dx", "x"),
        _grad("dn", "n"),
    ]
    ins = {"n": np.array(3.0), "x": np.array(2.0)}
    right, wrong = (
        run_case("dezero", ins, steps),
        run_case("dezero", ins, steps, mutation="div_denominator_sign"),
    )
    assert (float(right["dx"]), float(wrong["dx"])) == (-0.75, 0.75)
    assert float(right["dn"]) == float(wrong["dn"]) == 0.5  # the numerator's gradient is untouched


# TwoLayerNet(2, 2, 3) with W1 = I, b1 = 0, W2 = [I | 0], b2 = [0, 0, 0.1]: scores [[2, 0, .1], [0, 3, .1],
# [1, .5, .1]], guesses 0, 1, 0; targets 0, 1, 2 (3 samples, 3 classes: one-hot t compared as it is
# broadcasts instead of raising).
_NET_INPUTS = {
    "x": np.array([[2.0, -1.0], [-1.0, 3.0], [1.0, 0.5]]),
    "t": np.array([0.0, 1.0, 2.0]),
    "t1": np.eye(3),
    "W1": np.eye(2),
    "b1": np.zeros(2),
    "W2": np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
    "b2": np.array([0.0, 0.0, 0.1]),
}
_P = ["W1", "b1", "W2", "b2"]


def _net_inputs(seed: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A TwoLayerNet's params (2 inputs, 4 hidden, 3 classes) drawn from `seed`, and the case's inputs."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(2, 4)), "b1": rng.normal(size=4), "W2": rng.normal(size=(4, 3))}
    params["b2"] = rng.normal(size=3)
    return params, {**_NET_INPUTS, **params}


def _whole_net_steps(target: str) -> list[dict]:
    """predict, accuracy, loss and every gradient of a TwoLayerNet, against labels `target`."""
    return [
        _apply("TwoLayerNet.predict", ["x", *_P], "s"),
        _apply("TwoLayerNet.accuracy", ["x", target, *_P], "a"),
        _apply("TwoLayerNet", ["x", target, *_P], "loss"),
        {"do": "backward", "of": "loss"},
        _value("value", "s"),
        _value("accuracy", "a"),
        _value("loss", "loss"),
        *(_grad("d" + p, p) for p in _P),
    ]


def _assert_computes(net, got: dict, ins: dict, target: str) -> None:
    """`got` (a case's records) is what `net`, written out by hand, computes: predict, accuracy, loss and
    the gradients."""
    np.testing.assert_allclose(got["value"], net.predict(ins["x"]), rtol=1e-12)
    assert float(got["accuracy"]) == net.accuracy(ins["x"], ins[target])
    np.testing.assert_allclose(float(got["loss"]), net.loss(ins["x"], ins[target]), rtol=1e-12)
    grads = net.gradient(ins["x"], ins[target])
    for p in _P:
        np.testing.assert_allclose(got["d" + p], grads[p], rtol=1e-10, atol=1e-15)


_NET_METHODS = (
    _NET_INPUTS,
    [
        _apply("TwoLayerNet.predict", ["x", *_P], "s"),
        _apply("TwoLayerNet.accuracy", ["x", "t", *_P], "a"),
        _apply("TwoLayerNet.accuracy", ["x", "t1", *_P], "a1"),
        {"do": "record", "key": "value", "value_of": "s"},
        {"do": "record", "key": "accuracy", "value_of": "a"},
        {"do": "record", "key": "accuracy_onehot", "value_of": "a1"},
    ],
)


def test_twolayernet_forward_mistakes_by_hand():
    """predict_softmax: rows of probabilities (row 0: softmax of [2, 0, .1]); accuracy_summed: 2 right
    answers, not 2/3; accuracy_onehot_not_argmaxed: guesses y = [0, 1, 0] against eye(3) compare y[j]
    with t[i, j]: row 0 matches at j = 2, row 1 everywhere, row 2 at j = 0, so 5 of 9: 5 / 3, not 2/3."""
    right = run_case("layers", *_NET_METHODS)
    assert float(right["accuracy"]) == float(right["accuracy_onehot"]) == 2 / 3
    soft = run_case("layers", *_NET_METHODS, mutation="predict_softmax")
    e = np.exp([2.0, 0.0, 0.1])
    np.testing.assert_allclose(soft["value"][0], e / e.sum(), rtol=1e-12)
    assert float(soft["accuracy"]) == 2 / 3  # argmax ignores softmax: predict alone shows it
    summed = run_case("layers", *_NET_METHODS, mutation="accuracy_summed")
    assert float(summed["accuracy"]) == float(summed["accuracy_onehot"]) == 2.0
    as_given = run_case("layers", *_NET_METHODS, mutation="accuracy_onehot_not_argmaxed")
    assert float(as_given["accuracy"]) == 2 / 3  # labels: right
    assert float(as_given["accuracy_onehot"]) == 5 / 3


class _BookChapter4Net:
    """The book's ch04/two_layer_net.py with its common/functions.py helpers, as printed (the oracle of
    chapter4_two_layer_net): sigmoid hidden layer, softmax in predict, gradient by hand with t as given."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = params

    @staticmethod
    def _softmax(x: np.ndarray) -> np.ndarray:
        x = x - np.max(x, axis=-1, keepdims=True)
        return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)

    def predict(self, x: np.ndarray) -> np.ndarray:
        z1 = 1 / (1 + np.exp(-(np.dot(x, self.params["W1"]) + self.params["b1"])))
        return self._softmax(np.dot(z1, self.params["W2"]) + self.params["b2"])

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        y = self.predict(x)
        if t.size == y.size:
            t = t.argmax(axis=1)
        return float(-np.sum(np.log(y[np.arange(y.shape[0]), t.astype(int)] + 1e-7)) / y.shape[0])

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        W1, W2, b1 = self.params["W1"], self.params["W2"], self.params["b1"]
        a1 = np.dot(x, W1) + b1
        z1 = 1 / (1 + np.exp(-a1))
        y = self._softmax(np.dot(z1, W2) + self.params["b2"])
        dy = (y - t) / x.shape[0]
        da1 = np.dot(dy, W2.T)
        dz1 = (1.0 - z1) * z1 * da1
        grads = {"W2": np.dot(z1.T, dy), "b2": np.sum(dy, axis=0)}
        return {**grads, "W1": np.dot(x.T, dz1), "b1": np.sum(dz1, axis=0)}


@pytest.mark.parametrize("target", ["t", "t1"])
def test_chapter4_two_layer_net_is_the_books_chapter4_class(target):
    """chapter4_two_layer_net gives what the book's ch04 TwoLayerNet computes: predict (probabilities),
    loss and the hand-derived gradient, with one-hot t and with labels (3 samples of 3 classes: the book's
    (y - t) broadcasts the labels along the rows); the chapter-5 answer differs in each."""
    params, ins = _net_inputs(4)
    steps = [
        _apply("TwoLayerNet.predict", ["x", *_P], "s"),
        _apply("TwoLayerNet", ["x", target, *_P], "loss"),
        {"do": "backward", "of": "loss"},
        _value("value", "s"),
        _value("loss", "loss"),
        *(_grad("d" + p, p) for p in _P),
    ]
    book = _BookChapter4Net(params)
    wrong = run_case("layers", ins, steps, mutation="chapter4_two_layer_net")
    right = run_case("layers", ins, steps)
    np.testing.assert_allclose(wrong["value"], book.predict(ins["x"]), rtol=1e-12)
    np.testing.assert_allclose(float(wrong["loss"]), book.loss(ins["x"], ins[target]), rtol=1e-12)
    grads = book.gradient(ins["x"], ins[target])
    for p in _P:
        np.testing.assert_allclose(wrong["d" + p], grads[p], rtol=1e-10, atol=1e-15)
        assert not np.allclose(wrong["d" + p], right["d" + p])
    assert not np.allclose(wrong["value"], right["value"])


class _SigmoidHiddenNet:
    """The book's chapter-5 TwoLayerNet (5.7.2) with its layers written out, Sigmoid in Relu's place (the
    oracle of two_layer_net_sigmoid_hidden): Affine, Sigmoid, Affine, SoftmaxWithLoss taking labels or
    one-hot t."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.p = params

    def predict(self, x: np.ndarray) -> np.ndarray:
        self.x, self.out = x, 1 / (1 + np.exp(-(x @ self.p["W1"] + self.p["b1"])))
        return self.out @ self.p["W2"] + self.p["b2"]

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        s = self.predict(x)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        self.y, self.t = e / e.sum(axis=1, keepdims=True), t if t.ndim == 1 else t.argmax(axis=1)
        n = x.shape[0]
        return float(-np.sum(np.log(self.y[np.arange(n), self.t.astype(int)] + 1e-7)) / n)

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        labels = t if t.ndim == 1 else t.argmax(axis=1)
        return float(np.mean(self.predict(x).argmax(axis=1) == labels))

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        self.loss(x, t)
        n = x.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t.astype(int)] -= 1
        dx = dx / n
        grads = {"W2": self.out.T @ dx, "b2": dx.sum(axis=0)}
        da = (dx @ self.p["W2"].T) * (1.0 - self.out) * self.out
        return {**grads, "W1": self.x.T @ da, "b1": da.sum(axis=0)}


@pytest.mark.parametrize("target", ["t", "t1"])
def test_sigmoid_hidden_two_layer_net_is_chapter5_with_sigmoid(target):
    """two_layer_net_sigmoid_hidden gives what chapter 5's layers compute with Sigmoid between the Affine
    layers: predict's scores (no softmax: not chapter 4's network), loss, gradient and accuracy; the right
    answer (Relu) differs in each, and so does chapter4_two_layer_net's predict."""
    params, ins = _net_inputs(11)
    steps = _whole_net_steps(target)
    net = _SigmoidHiddenNet(params)
    wrong = run_case("layers", ins, steps, mutation="two_layer_net_sigmoid_hidden")
    right = run_case("layers", ins, steps)
    _assert_computes(net, wrong, ins, target)
    for p in _P:
        assert not np.allclose(wrong["d" + p], right["d" + p])
    assert not np.allclose(wrong["value"], right["value"])
    chapter4 = run_case("layers", ins, steps, mutation="chapter4_two_layer_net")
    assert not np.allclose(wrong["value"], chapter4["value"])


class _NoHiddenNet(_SigmoidHiddenNet):
    """The same network with nothing between the two Affine layers (Relu1 left out): the oracle of
    two_layer_net_no_hidden_activation."""

    def predict(self, x: np.ndarray) -> np.ndarray:
        self.x, self.out = x, x @ self.p["W1"] + self.p["b1"]
        return self.out @ self.p["W2"] + self.p["b2"]

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        self.loss(x, t)
        n = x.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t.astype(int)] -= 1
        dx = dx / n
        da = dx @ self.p["W2"].T
        return {"W2": self.out.T @ dx, "b2": dx.sum(axis=0), "W1": self.x.T @ da, "b1": da.sum(axis=0)}


@pytest.mark.parametrize("target", ["t", "t1"])
def test_no_hidden_activation_two_layer_net_is_two_affine_layers(target):
    """two_layer_net_no_hidden_activation gives what Affine, Affine, SoftmaxWithLoss compute (written out by
    hand): predict, loss, gradient and accuracy; the right answer (Relu between) differs."""
    params, ins = _net_inputs(12)
    steps = _whole_net_steps(target)
    net = _NoHiddenNet(params)
    wrong = run_case("layers", ins, steps, mutation="two_layer_net_no_hidden_activation")
    right = run_case("layers", ins, steps)
    _assert_computes(net, wrong, ins, target)
    assert not np.allclose(wrong["value"], right["value"])


_AXIS_INPUTS = {
    "x": np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0], [4.0, 0.0, 2.0]]),
    "t": np.array([0.0, 1.0, 1.0]),
    "t1": np.eye(3)[[0, 1, 1]],
    "W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3), "b2": np.zeros(3),
}  # fmt: skip


def test_inplace_accumulate_changes_the_array_add_passed_on():
    """The book's step-14 column, by hand: x = 3, y = add(x, x), y.backward(retain_grad=True). Add.backward
    returns gy twice, the very array y.grad holds; x.grad = gy takes it, then x.grad += gy doubles it in
    place: x.grad is 2 (right) and y.grad is 2 too (right: 1). Sub passes gy itself to its first input only:
    y = sub(x0, x1) gives x1.grad = -1 in its own array, and x0.grad = gy."""
    steps = [_apply("add", ["x", "x"], "y"), {"do": "backward", "of": "y", "retain_grad": True}]
    records = [_grad("dx", "x"), _grad("dy", "y")]
    inputs = {"x": np.array(3.0)}
    right = run_case("dezero", inputs, [*steps, *records])
    assert (float(right["dx"]), float(right["dy"])) == (2.0, 1.0)
    wrong = run_case("dezero", inputs, [*steps, *records], mutation="inplace_accumulate")
    assert (float(wrong["dx"]), float(wrong["dy"])) == (2.0, 2.0)
    sub = [
        _apply("sub", ["x0", "x1"], "y"),
        {"do": "backward", "of": "y"},
        _grad("d0", "x0"),
        _grad("d1", "x1"),
    ]
    both = {"x0": np.array(5.0), "x1": np.array(2.0)}
    wrong = run_case("dezero", both, sub, mutation="inplace_accumulate")
    assert (float(wrong["d0"]), float(wrong["d1"])) == (1.0, -1.0)  # nothing used twice: nothing changes


def test_upstream_from_start_hands_every_function_the_starting_gradient():
    """The book's step-8 loop written as x.grad = f.backward(self.grad), by hand. y = square(exp(square(x)))
    at 0.5 from y.grad = 1: b.grad = 2b (right), a.grad = exp(a) * 1, x.grad = 2x * 1 = 1 (book: 3.2974).
    y = exp(square(exp(x))) from y.grad = gy: x.grad = exp(x) * gy, the first Exp's local derivative times
    the starting gradient; the gradient of b (the last function's input) is right."""
    steps = [
        _apply("square", ["x"], "a"),
        _apply("exp", ["a"], "b"),
        _apply("square", ["b"], "y"),
        {"do": "backward", "of": "y"},
    ]
    right = run_case("dezero", {"x": np.array(0.5)}, [*steps, _grad("dx", "x")])
    assert float(right["dx"]) == pytest.approx(3.297442541400256)
    wrong = run_case(
        "dezero", {"x": np.array(0.5)}, [*steps, _grad("dx", "x")], mutation="upstream_from_start"
    )
    assert float(wrong["dx"]) == pytest.approx(1.0)
    x, gy = np.array([0.3, -0.2]), np.array([0.5, -1.5])
    chain = [
        _apply("exp", ["x"], "a"),
        _apply("square", ["a"], "b"),
        _apply("exp", ["b"], "y"),
        {"do": "backward", "of": "y", "upstream": "gy", "retain_grad": True},
        _grad("dx", "x"),
        _grad("db", "b"),
    ]
    wrong = run_case("dezero", {"x": x, "gy": gy}, chain, mutation="upstream_from_start")
    np.testing.assert_allclose(wrong["dx"], np.exp(x) * gy)
    np.testing.assert_allclose(wrong["db"], np.exp(np.exp(x) ** 2) * gy)


def test_seed_always_replaces_a_gradient_set_by_hand_with_ones():
    """Variable.backward seeding self.grad = np.ones_like(self.data) every time, by hand: y = add(x, x) with
    y.grad = gy set before y.backward() gives x.grad = 2 * gy; with the seed always ones, 2 wherever gy was.
    With no gradient set beforehand (the seed is ones either way) the mutation changes nothing."""
    x, gy = np.array([3.0, 4.0]), np.array([0.5, -2.0])
    by_hand = {"do": "backward", "of": "y", "upstream": "gy"}
    steps = [_apply("Add", ["x", "x"], "y"), by_hand, _grad("dx", "x")]
    np.testing.assert_allclose(run_case("dezero", {"x": x, "gy": gy}, steps)["dx"], 2 * gy)
    wrong = run_case("dezero", {"x": x, "gy": gy}, steps, mutation="seed_always")
    np.testing.assert_allclose(wrong["dx"], [2.0, 2.0])
    seeded = [steps[0], {"do": "backward", "of": "y"}, steps[2]]
    np.testing.assert_allclose(run_case("dezero", {"x": x}, seeded, mutation="seed_always")["dx"], [2.0, 2.0])


def test_accuracy_argmax_axis0_by_hand():
    """TwoLayerNet(3, 3, 3) with identity weights and zero biases: the scores are x itself (all >= 0).
    x = [[3, 1, 0], [0, 2, 1], [4, 0, 2]]: guesses along axis 1 are [0, 1, 0], against t = [0, 1, 1]: 2 of 3.
    Along axis 0 (per column: rows 2, 1, 2) against t: only column 1 matches, 1/3; a one-hot t taken along
    axis 0 gives [0, 1, 0] (column 2 all zero: the first row), against [2, 1, 2]: 1/3 too."""
    steps = _NET_METHODS[1]
    right = run_case("layers", _AXIS_INPUTS, steps)
    assert float(right["accuracy"]) == float(right["accuracy_onehot"]) == 2 / 3
    wrong = run_case("layers", _AXIS_INPUTS, steps, mutation="accuracy_argmax_axis0")
    assert float(wrong["accuracy"]) == float(wrong["accuracy_onehot"]) == 1 / 3


# Steps 22: x ** 3 (Pow's exponent a setting) and 2.0 - x written with the operator (a plain float left).
POW_CUBE = {"do": "apply", "op": "pow", "args": ["x"], "out": "y", "settings": {"c": 3}}
RSUB = {"do": "apply", "op": "sub", "args": ["k", "x"], "out": "y", "operator": True, "plain": {"k": "float"}}


def test_div_denominator_copied_gives_the_numerators_gradient():
    """div_denominator_copied: y = 3 / x at x = 2 gives x.grad 1 / 2 (gy / x1) instead of -3 / 4."""
    steps = [_apply("Div", ["n", "x"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
    ins = {"n": np.array(3.0), "x": np.array(2.0)}
    assert float(run_case("dezero", ins, steps, mutation="div_denominator_copied")["dx"]) == 0.5


def test_pow_exponent_gradient_is_the_derivative_in_c():
    """pow_exponent_gradient: x ** 3 at 2 gives 8 ln 2 (d/dc of x ** c) instead of the book's 12."""
    steps = [POW_CUBE, {"do": "backward", "of": "y"}, _grad("dx", "x")]
    ins = {"x": np.array(2.0)}
    assert float(run_case("dezero", ins, steps)["dx"]) == 12.0
    wrong = float(run_case("dezero", ins, steps, mutation="pow_exponent_gradient")["dx"])
    assert wrong == pytest.approx(8 * np.log(2.0), rel=1e-15)


def test_reflected_swapped_computes_x_minus_the_number_only_for_a_reflected_operator():
    """reflected_swapped: 2.0 - x at 0.5 gives -1.5 and x.grad +1 (x - 2.0); sub(k, x) through the function
    (no operator) and x - 2.0 (the number on the right) are untouched."""
    ins = {"k": np.array(2.0), "x": np.array(0.5)}
    tail = [{"do": "backward", "of": "y"}, {"do": "record", "key": "y", "value_of": "y"}, _grad("dx", "x")]
    wrong = run_case("dezero", ins, [RSUB, *tail], mutation="reflected_swapped")
    assert (float(wrong["y"]), float(wrong["dx"])) == (-1.5, 1.0)
    right = run_case("dezero", ins, [RSUB, *tail])
    assert (float(right["y"]), float(right["dx"])) == (1.5, -1.0)
    function = {k: v for k, v in RSUB.items() if k not in ("operator", "plain")}
    as_function = run_case("dezero", ins, [function, *tail], mutation="reflected_swapped")
    assert float(as_function["y"]) == 1.5
    number_right = {**RSUB, "args": ["x", "k"]}
    assert float(run_case("dezero", ins, [number_right, *tail], mutation="reflected_swapped")["y"]) == -1.5


def test_rsub_swapped_and_rtruediv_swapped_swap_only_their_own_operator():
    """A student who writes `__rsub__ = sub` but the book's rdiv: 2.0 - x at 0.5 gives x - 2.0 = -1.5 while
    2.0 / x stays 4.0; `__rtruediv__ = div` alone gives 0.25 (x / 2.0) and leaves 2.0 - x at 1.5."""
    ins = {"k": np.array(2.0), "x": np.array(0.5)}
    rdiv = {**RSUB, "op": "div"}
    tail = [{"do": "record", "key": "y", "value_of": "y"}]

    def value(step, mutation):
        return float(run_case("dezero", ins, [step, *tail], mutation=mutation)["y"])

    assert (value(RSUB, "rsub_swapped"), value(rdiv, "rsub_swapped")) == (-1.5, 4.0)
    assert (value(RSUB, "rtruediv_swapped"), value(rdiv, "rtruediv_swapped")) == (1.5, 0.25)
    assert (value(RSUB, "reflected_swapped"), value(rdiv, "reflected_swapped")) == (-1.5, 0.25)


def test_softmax_onehot_only_subtracts_the_labels_as_a_row():
    """softmax_onehot_only: scores zero (probabilities 1/2) with labels [0, 1]: y - t broadcasts the labels
    along each row, dx = ([[1/2, 1/2], [1/2, 1/2]] - [[0, 1], [0, 1]]) / 2; the right dx subtracts 1 at each
    row's label, [[-1/2, 1/2], [1/2, -1/2]] / 2."""
    x = np.zeros((2, 2))
    t = np.array([0, 1])
    steps = [_apply("SoftmaxWithLoss", ["x", "t"], "loss"), {"do": "backward", "of": "loss"}]
    steps.append(_grad("dx", "x"))
    got = run_case("layers", {"x": x, "t": t}, steps, mutation="softmax_onehot_only")
    np.testing.assert_allclose(got["dx"], np.array([[1 / 2, -1 / 2], [1 / 2, -1 / 2]]) / 2, rtol=1e-12)
    right = run_case("layers", {"x": x, "t": t}, steps)
    np.testing.assert_allclose(right["dx"], np.array([[-1 / 2, 1 / 2], [1 / 2, -1 / 2]]) / 2, rtol=1e-12)


def test_softmax_over_batch_is_chapter_3s_softmax_on_a_batch():
    """softmax_over_batch: scores [[0, 0], [ln 3, 0]] with labels [0, 0]: one sum over the batch gives
    probabilities [[1/6, 1/6], [1/2, 1/6]] (the row-wise softmax: [[1/2, 1/2], [3/4, 1/4]]), loss
    -(ln(1/6 + 1e-7) + ln(1/2 + 1e-7)) / 2 and dx = (p - onehot) / 2."""
    x = np.array([[0.0, 0.0], [np.log(3.0), 0.0]])
    t = np.array([0, 0])
    steps = [_apply("SoftmaxWithLoss", ["x", "t"], "loss"), {"do": "backward", "of": "loss"}]
    steps += [{"do": "record", "key": "loss", "value_of": "loss"}, _grad("dx", "x")]
    got = run_case("layers", {"x": x, "t": t}, steps, mutation="softmax_over_batch")
    assert float(got["loss"]) == pytest.approx(-(np.log(1 / 6 + 1e-7) + np.log(1 / 2 + 1e-7)) / 2, rel=1e-12)
    np.testing.assert_allclose(got["dx"], np.array([[1 / 6 - 1, 1 / 6], [1 / 2 - 1, 1 / 6]]) / 2, rtol=1e-12)
    right = run_case("layers", {"x": x, "t": t}, steps)
    np.testing.assert_allclose(right["dx"], np.array([[-1 / 2, 1 / 2], [-1 / 4, 1 / 4]]) / 2, rtol=1e-12)


def test_cross_entropy_onehot_only_broadcasts_labels_along_each_row():
    """cross_entropy_onehot_only: scores [[0, 0], [ln 3, 0]] (probabilities [[1/2, 1/2], [3/4, 1/4]]) with
    labels [0, 1]: t * log(y) broadcasts t along each row, so the loss is
    -(0 * ln(1/2) + 1 * ln(1/2) + 0 * ln(3/4) + 1 * ln(1/4)) / 2 (epsilon 1e-7 inside each log); one-hot t
    gives the right loss; and labels of another length than the number of classes cannot run it."""
    x = np.array([[0.0, 0.0], [np.log(3.0), 0.0]])
    loss = {"do": "record", "key": "loss", "value_of": "loss"}
    steps = [_apply("SoftmaxWithLoss", ["x", "t"], "loss"), loss]
    got = run_case("layers", {"x": x, "t": np.array([0, 1])}, steps, mutation="cross_entropy_onehot_only")
    assert float(got["loss"]) == pytest.approx(-(np.log(1 / 2 + 1e-7) + np.log(1 / 4 + 1e-7)) / 2, rel=1e-12)
    onehot = {"x": x, "t": np.array([[1.0, 0.0], [0.0, 1.0]])}
    right = run_case("layers", onehot, steps)
    assert float(run_case("layers", onehot, steps, mutation="cross_entropy_onehot_only")["loss"]) == float(
        right["loss"]
    )
    with pytest.raises(ValueError):
        run_case("layers", {"x": x, "t": np.array([0, 1, 1])}, steps, mutation="cross_entropy_onehot_only")


X23 = np.arange(6.0).reshape(2, 3) - 2.5
# Steps 38 to 41: each tensor function on x, whose gradient the mistake gives the wrong shape or values.
TENSOR_HAND = {
    "add_no_sum_to": (
        "dezero",
        {"n": np.array([1.0, 2.0, 3.0]), "x": np.array([10.0])},
        [_apply("Add", ["n", "x"], "y")],
    ),
    # step 35's Mul, Sub, Div backward at step 40: x (3,) against n (2, 3) gets a (2, 3) gradient
    **{
        f"{op.lower()}_no_sum_to": (
            "dezero",
            {"n": X23 + 4.0, "x": np.array([1.0, 2.0, 4.0])},
            [_apply(op, ["n", "x"], "y")],
        )
        for op in ("Mul", "Sub", "Div")
    },
    # the four (or Sub, Mul and Div alone) kept from step 35: x (3,) against n (2, 3) gets a (2, 3) gradient
    **{
        name: ("dezero", {"n": X23 + 4.0, "x": np.array([1.0, 2.0, 4.0])}, [_apply("Sub", ["n", "x"], "y")])
        for name in ("arith_no_sum_to", "mul_sub_div_no_sum_to")
    },
    # two or three of them: the first named broadcast x (3,) against n (2, 3)
    **{
        name: (
            "dezero",
            {"n": X23 + 4.0, "x": np.array([1.0, 2.0, 4.0])},
            [_apply(name.split("_")[0].capitalize(), ["n", "x"], "y")],
        )
        for name in SOME_NO_SUM_TO
    },
    "broadcast_to_gy": (
        "dezero",
        {"x": np.array([1.0, 2.0, 3.0])},
        [{**_apply("BroadcastTo", ["x"], "y"), "settings": {"shape": [2, 3]}}],
    ),
    # x (3,) broadcast to (2, 3): the leading axis numpy added is never summed, dx keeps (2, 3)
    "sum_to_no_lead": (
        "dezero",
        {"x": np.array([1.0, 2.0, 3.0])},
        [{**_apply("BroadcastTo", ["x"], "y"), "settings": {"shape": [2, 3]}}],
    ),
    "reshape_shape_kept": (
        "dezero",
        {"x": X23},
        [{**_apply("Reshape", ["x"], "y"), "settings": {"shape": [3, 2]}}],
    ),
    "transpose_not_back": ("dezero", {"x": X23}, [_apply("Transpose", ["x"], "y")]),
    "sum_not_broadcast": ("dezero", {"x": X23}, [{**_apply("Sum", ["x"], "y"), "settings": {"axis": 0}}]),
    "matmul_no_transpose": (
        "dezero",
        {"x": X23, "n": np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])},
        [_apply("MatMul", ["x", "n"], "y")],
    ),
    # step 43: the W of Linear is the input named x, so that the recorded dx is W's gradient
    "linear_gw_transposed": (
        "dezero",
        {"n": X23, "x": np.array([[1.0, -0.5], [0.2, 0.7], [-1.1, 0.4]]), "b": np.array([0.1, -0.3])},
        [_apply("Linear", ["n", "x", "b"], "y")],
    ),
    "dezero_sigmoid_from_input": ("dezero", {"x": X23}, [_apply("Sigmoid", ["x"], "y")]),
    # the b of Linear is the input named x, so that the recorded dx is b's gradient
    "linear_gb_unsummed": (
        "dezero",
        {"n": X23, "w": np.array([[1.0, -0.5], [0.2, 0.7], [-1.1, 0.4]]), "x": np.array([0.1, -0.3])},
        [_apply("Linear", ["n", "w", "x"], "y")],
    ),
}


def test_step43_mistakes_by_hand():
    """Step 43's known mistakes, computed by hand: Linear's gW = gy.T @ x is W's gradient transposed (x of
    ones (2, 3), gy of ones (2, 2): every element 2, shape (2, 3) for W (3, 2)); Sigmoid's backward from the
    input gives 0 at x = 0, where the derivative y * (1 - y) is 0.25."""
    linear = [_apply("Linear", ["n", "x", "b"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
    ins = {"n": np.ones((2, 3)), "x": np.zeros((3, 2)), "b": np.zeros(2)}
    assert run_case("dezero", ins, linear)["dx"].tolist() == [[2.0, 2.0]] * 3
    assert run_case("dezero", ins, linear, mutation="linear_gw_transposed")["dx"].tolist() == [[2.0] * 3] * 2
    # b's gradient under gy of ones (2, 2): [2, 2] summed over the batch; gb = gy (linear_gb_unsummed) and a
    # sum_to without its leading axes (sum_to_no_lead: b (2,) has no axis of 1 to sum) both leave ones (2, 2)
    bias = [_apply("Linear", ["n", "w", "x"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
    ins = {"n": np.ones((2, 3)), "w": np.zeros((3, 2)), "x": np.zeros(2)}
    assert run_case("dezero", ins, bias)["dx"].tolist() == [2.0, 2.0]
    for mistake in ("linear_gb_unsummed", "sum_to_no_lead"):
        assert run_case("dezero", ins, bias, mutation=mistake)["dx"].tolist() == [[1.0, 1.0]] * 2, mistake
    sigmoid = [_apply("Sigmoid", ["x"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
    assert run_case("dezero", {"x": np.zeros(2)}, sigmoid)["dx"].tolist() == [0.25, 0.25]
    wrong = run_case("dezero", {"x": np.zeros(2)}, sigmoid, mutation="dezero_sigmoid_from_input")
    assert wrong["dx"].tolist() == [0.0, 0.0]


def test_mse_mean_squared_by_hand():
    """MSE over the differences 1.0 and 1.5 is the mean of squares (1 + 2.25) / 2 = 1.625; the mistake
    squares the mean 1.25 and gives 1.5625."""
    ins = {"x": np.array([[1.0], [2.0]]), "a": np.array([[0.0], [0.5]])}
    steps = [_apply("MSE", ["x", "a"], "cost"), {"do": "record", "key": "cost", "value_of": "cost"}]
    assert run_case("miniflow", ins, steps)["cost"].item() == pytest.approx(1.625)
    wrong = run_case("miniflow", ins, steps, mutation="mse_mean_squared")
    assert wrong["cost"].item() == pytest.approx(1.5625)


def test_mse_not_reshaped_by_hand():
    """y = [1, 2] fed flat, a = [[0], [0.5]] a column: the differences 1.0 and 1.5, mean of squares 1.625.
    Without the reshape y - a is [[1, 2], [0.5, 1.5]]: (1 + 4 + 0.25 + 2.25) / 4 = 1.875. With y a column
    too the mistake changes nothing (the control)."""
    steps = [_apply("MSE", ["y", "a"], "cost"), {"do": "record", "key": "cost", "value_of": "cost"}]
    flat = {"y": np.array([1.0, 2.0]), "a": np.array([[0.0], [0.5]])}
    assert run_case("miniflow", flat, steps)["cost"].item() == pytest.approx(1.625)
    wrong = run_case("miniflow", flat, steps, mutation="mse_not_reshaped")
    assert wrong["cost"].item() == pytest.approx(1.875)
    column = {"y": np.array([[1.0], [2.0]]), "a": np.array([[0.0], [0.5]])}
    wrong = run_case("miniflow", column, steps, mutation="mse_not_reshaped")
    assert wrong["cost"].item() == pytest.approx(1.625)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_changes_a_documented_or_hand_case(name):
    """Every mutation changes at least one record of some case in its family (no mutation is inert)."""
    hand = {
        "square_from_output": ("dezero", {"x": np.array(3.0)}, [_apply("Square", ["x"], "y")]),
        "exp_from_input": ("dezero", {"x": np.array(2.0)}, [_apply("Exp", ["x"], "y")]),
        "cos_sign": ("dezero", {"x": np.array(0.5)}, [_apply("Cos", ["x"], "y")]),
        "tanh_from_input": ("dezero", {"x": np.array(0.5)}, [_apply("Tanh", ["x"], "y")]),
        "div_denominator_sign": (
            "dezero",
            {"n": np.array(3.0), "x": np.array(2.0)},
            [_apply("Div", ["n", "x"], "y")],
        ),
        "pow_exponent_gradient": ("dezero", {"x": np.array(2.0)}, [POW_CUBE]),
        "reflected_swapped": ("dezero", {"k": np.array(2.0), "x": np.array(0.5)}, [RSUB]),
        "rsub_swapped": ("dezero", {"k": np.array(2.0), "x": np.array(0.5)}, [RSUB]),
        "rtruediv_swapped": ("dezero", {"k": np.array(2.0), "x": np.array(0.5)}, [{**RSUB, "op": "div"}]),
        "softmax_over_batch": (
            "layers",
            {"x": np.array([[0.0, 0.0], [1.0, 0.0]]), "t": np.array([0, 0])},
            [_apply("SoftmaxWithLoss", ["x", "t"], "loss")],
        ),
        # y (here x) fed flat, a a column: the mistake's (2, 2) broadcast changes the cost
        "mse_not_reshaped": (
            "miniflow",
            {"x": np.array([1.0, 2.0]), "a": np.array([[0.0], [0.5]])},
            [_apply("MSE", ["x", "a"], "cost")],
        ),
        "sigmoid_sign_dropped": ("layers", {"x": np.array([[0.5, -1.0]])}, [_apply("Sigmoid", ["x"], "s")]),
        "relu_mask_inverted": (
            "layers",
            {"x": np.array([[1.0, -1.0]]), "y": np.array([[-2.0, 3.0]])},
            [_apply("Relu", ["x"], "r"), _apply("MulLayer", ["r", "y"], "y_out")],
        ),
        "softmax_over_axis0": (
            "layers",
            {"x": np.array([[0.0, 0.0], [1.0, 0.0]]), "t": np.array([0, 1])},
            [_apply("SoftmaxWithLoss", ["x", "t"], "loss")],
        ),
        # column maxima [1, 0]: row 0 becomes [-1, 0] (softmax [0.27, 0.73]), not [0.5, 0.5]
        "softmax_column_max": (
            "layers",
            {"x": np.array([[0.0, 0.0], [1.0, 0.0]]), "t": np.array([0, 1])},
            [_apply("SoftmaxWithLoss", ["x", "t"], "loss")],
        ),
        # the cost of two differences 1.0 and 1.5: mean of squares 1.625, square of the mean 1.5625
        "mse_mean_squared": (
            "miniflow",
            {"x": np.array([[1.0], [2.0]]), "a": np.array([[0.0], [0.5]])},
            [_apply("MSE", ["x", "a"], "cost")],
        ),
        "cross_entropy_onehot_only": (
            "layers",
            {"x": np.array([[0.0, 0.0], [1.0, 0.0]]), "t": np.array([0, 1])},
            [_apply("SoftmaxWithLoss", ["x", "t"], "loss")],
        ),
        **TENSOR_HAND,
        # A chain rule forgotten shows only under an upstream gradient that is not ones: the op, then a
        # Square of its output (DeZero) or a MulLayer by y (layers).
        **{
            name: ("dezero", {"x": np.array(1.5), "n": np.array(3.0)}, [step, _apply("Square", ["y"], "z")])
            for name, step in (
                ("square_ignores_gy", _apply("Square", ["x"], "y")),
                ("exp_ignores_gy", _apply("Exp", ["x"], "y")),
                ("pow_ignores_gy", POW_CUBE),
                ("mul_ignores_gy", _apply("Mul", ["n", "x"], "y")),
                ("div_ignores_gy", _apply("Div", ["n", "x"], "y")),
            )
        },
        "sigmoid_ignores_dout": (
            "layers",
            {"x": np.array([[0.5, -1.0]]), "y": np.array([[-2.0, 3.0]])},
            [_apply("Sigmoid", ["x"], "s"), _apply("MulLayer", ["s", "y"], "y_out")],
        ),
        "relu_mask_from_dout": (
            "layers",
            {"x": np.array([[1.0, -1.0]]), "y": np.array([[-2.0, 3.0]])},
            [_apply("Relu", ["x"], "r"), _apply("MulLayer", ["r", "y"], "y_out")],
        ),
        # x is the weight here: its gradient is what the 4-D input kept before the reshape changes
        "affine_x_kept_unflattened": (
            "layers",
            {"a": np.arange(4.0).reshape(1, 1, 2, 2), "x": np.ones((4, 1)), "b": np.zeros(1)},
            [_apply("Affine", ["a", "x", "b"], "y")],
        ),
    }
    cases = [(c.family, c.inputs, c.steps) for c in DOCUMENTED.values()]
    for family, ins, built in hand.values():
        out = built[-1]["out"]
        value = {"do": "record", "key": "value", "value_of": out}  # a mistake in a forward pass (the loss)
        cases.append((family, ins, [*built, {"do": "backward", "of": out}, _grad("dx", "x"), value]))
    # MiniFlow: x feeds two Linear nodes (Input), h = Linear feeds two (Linear), s = Sigmoid feeds two
    # (Sigmoid); a second backward on the quiz shows carried gradients.
    one, zero = np.array([[1.0]]), np.array([0.0])
    two_consumers = {"x": np.array([[0.5]]), "W": one, "b": zero, "V1": 2 * one, "V2": 3 * one, "c": zero}
    for producer in (["Linear", ["x", "W", "b"]], ["Sigmoid", ["x"]]):
        steps = [
            _apply(producer[0], producer[1], "h"),
            _apply("Linear", ["h", "V1", "c"], "o1"),
            _apply("Linear", ["h", "V2", "c"], "o2"),
            _apply("MSE", ["o1", "o2"], "cost"),
            {"do": "backward", "of": "cost"},
            _grad("dx", "x"),
            _grad("dc", "c"),
        ]
        cases.append(("miniflow", two_consumers, steps))
    # DeZero step 33: x ** 3 differentiated twice (backward_on_data leaves the second derivative None).
    cube_twice = [
        POW_CUBE,
        {"do": "backward", "of": POW_CUBE["out"], "create_graph": True},
        {"do": "grad", "of": "x", "out": "gx"},
        {"do": "cleargrad", "of": "x"},
        {"do": "backward", "of": "gx"},
        _grad("dx_2", "x"),
    ]
    cases.append(("dezero", {"x": np.array(2.0)}, cube_twice))
    # DeZero: y.grad set by hand before y.backward() (seed_always replaces it with ones)
    by_hand = {"do": "backward", "of": "y", "upstream": "gy"}
    upstream = [_apply("Square", ["x"], "y"), by_hand, _grad("dx", "x")]
    cases.append(("dezero", {"x": np.array([0.5, -1.0]), "gy": np.array([2.0, -3.0])}, upstream))
    quiz = DOCUMENTED["quiz-documented"]
    twice = [*quiz.steps, {"do": "backward", "of": "cost"}, _grad("dW_2", "W")]
    cases.append(("miniflow", quiz.inputs, twice))
    sgd = [*quiz.steps, {"do": "sgd", "lr": 0.5, "params": ["W", "b"]}, _value("W_after", "W")]
    cases.append(("miniflow", quiz.inputs, sgd))
    cases.append(("layers", *_NET_METHODS))
    cases.append(("layers", _AXIS_INPUTS, _NET_METHODS[1]))
    # DLFS: a TwoLayerNet whose true class has probability 5e-5: the 1e-7 in the log moves the numerical
    # gradient (net_gradient_numerical) by 2e-3 of itself
    unlikely = {"x": np.array([[5.0, 0.0]]), "t": np.array([0.0]), "W1": np.eye(2), "b1": np.zeros(2)}
    unlikely |= {"W2": np.array([[0.0, 0.0, 2.0], [0.0, 0.0, 0.0]]), "b2": np.zeros(3)}
    net_loss = [_apply("TwoLayerNet", ["x", "t", *_P], "loss"), {"do": "backward", "of": "loss"}]
    cases.append(("layers", unlikely, [*net_loss, *(_grad("d" + p, p) for p in _P)]))
    # DeZero step 46: a Linear layer's update by each optimizer, twice (momentum shows in the second)
    # (W square: linear_gw_transposed's gradient still fits it)
    layer = {
        "x": np.array([[1.0, -2.0]]),
        "W": np.array([[0.5, 1.0], [0.25, -1.0]]),
        "b": np.array([0.0, 1.0]),
    }
    for optimizer in ("SGD", "MomentumSGD"):
        update = {
            "do": "optimize",
            "optimizer": optimizer,
            "settings": {"lr": 0.1},
            "target": "fc",
            "times": 2,
        }
        steps = [
            {**_apply("Linear", ["x", "W", "b"], "y"), "layer": "fc"},
            {"do": "backward", "of": "y"},
            update,
        ]
        cases.append(("dezero", layer, [*steps, _value("W", "W"), _value("b", "b")]))
    # DeZero step 45: MLP((2, 2)) on the same arrays, its value, then cleargrads over the layers it holds
    mlp = {**layer, "V": np.array([[1.0, 0.5], [-0.5, 2.0]]), "c": np.array([0.5, 0.0])}
    model = [
        {**_apply("MLP", ["x", "W", "b", "V", "c"], "y"), "layer": "model"},
        {"do": "backward", "of": "y"},
        {"do": "cleargrads", "of": "model"},
    ]
    cases.append(("dezero", mlp, [*model, _value("y", "y"), _grad("dW", "W")]))
    sgd = {"do": "optimize", "optimizer": "SGD", "settings": {"lr": 0.1}, "target": "model", "times": 1}
    cases.append(("dezero", mlp, [*model[:2], sgd, _value("W", "W")]))
    # DeZero step 18: a function applied under no_grad, then one after the with block
    after_no_grad = [
        {**_apply("Square", ["x"], "y"), "no_grad": True},
        _apply("Square", ["x"], "z"),
        {"do": "record", "key": "z_has_creator", "has_creator": "z"},
    ]
    cases.append(("dezero", {"x": np.array(3.0)}, after_no_grad))
    # DeZero step 47: row 0 taken twice; softmax and softmax_cross_entropy over two rows of three scores
    scores = {
        "x": np.array([[0.2, -0.4, 1.1], [1.3, 0.5, -0.7]]),
        "t": np.array([2.0, 0.0]),
        "gl": np.array(0.5),
    }
    taken = {"x": scores["x"], "i": np.array([0.0, 0.0]), "gy": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])}
    item = [_apply("get_item", ["x", "i"], "y"), {"do": "backward", "of": "y", "upstream": "gy"}]
    cases.append(("dezero", taken, [*item, _grad("dx", "x")]))
    soft = [_apply("softmax", ["x"], "y"), {"do": "backward", "of": "y", "upstream": "x"}]
    cases.append(("dezero", scores, [*soft, _value("y", "y"), _grad("dx", "x")]))
    # the loss's upstream is not 1 (0.5): a SoftmaxCrossEntropy.backward ignoring gy (sce_ignores_gy) shows
    loss = [
        _apply("softmax_cross_entropy", ["x", "t"], "loss"),
        {"do": "backward", "of": "loss", "upstream": "gl"},
    ]
    cases.append(("dezero", scores, [*loss, _value("loss", "loss"), _grad("dx", "x")]))
    # DeZero step 50: accuracy on square scores, whose argmax over axis 0 has as many predictions as labels
    square = {
        "y": np.array([[0.5, 1.4, -0.3], [1.2, -0.8, 1.5], [-0.2, 0.3, 0.9]]),
        "t": np.array([1.0, 0.0, 0.0]),
    }
    scored = {**_apply("accuracy", ["y", "t"], "acc"), "plain": {"t": "labels"}}
    cases.append(("dezero", square, [scored, _value("acc", "acc")]))
    # DeZero step 54: dropout while training after np.random.seed(5) (dropout_not_scaled) and in test mode
    # (dropout_scaled_in_test_mode)
    units = {"x": np.array([[0.5, -1.25, 2.0, 0.75], [1.5, -0.5, 0.25, -2.0]])}
    for train in (True, False):
        dropped = {
            **_apply("dropout", ["x"], "y"),
            "settings": {"dropout_ratio": 0.3, "seed": 5, "train": train},
        }
        cases.append(
            ("dezero", units, [dropped, {"do": "backward", "of": "y"}, _value("y", "y"), _grad("dx", "x")])
        )
    # DeZero step 57: im2col's output size, the pooling gradient's scatter (distinct values in each window)
    image = {"x": np.arange(32.0).reshape(1, 2, 4, 4) % 7 + np.arange(32.0).reshape(1, 2, 4, 4) / 100}
    cols = [{**_apply("im2col", ["x"], "y"), "settings": {"kernel_size": 3, "stride": 1, "pad": 0}}]
    cases.append(("dezero", image, [*cols, _value("y", "y")]))
    pool = [
        {**_apply("pooling", ["x"], "y"), "settings": {"kernel_size": 2, "stride": 2, "pad": 0}},
        {"do": "backward", "of": "y", "upstream": "y"},
    ]
    cases.append(("dezero", image, [*pool, _grad("dx", "x")]))
    # DeZero steps 59 and 60: the stored sources' RNN and LSTM cases (a sequence, truncated BPTT)
    for step in ("step59", "step60") if MUTATIONS[name].semantics.recurrent_mistake else ():
        sources = Path(__file__).resolve().parents[2] / "fixtures" / "dezero" / "sources"
        for source in json.loads((sources / f"{step}.json").read_text())["cases"]:
            ins = {
                k: np.array(v["data"], dtype=float).reshape(v["shape"]) for k, v in source["inputs"].items()
            }
            cases.append(("dezero", ins, source["steps"]))
    # DeZero step 33: one function's backward on .data: the second derivative of y = f(x) (x * x for Mul)
    for op in ON_DATA:
        args = ["x", "x"] if op in ("mul", "div") else ["x"]
        second = [
            {**_apply(op, args, "y"), **({"settings": {"c": 3}} if op == "pow" else {})},
            {"do": "backward", "of": "y", "create_graph": True},
            {"do": "grad", "of": "x", "out": "gx"},
            {"do": "cleargrad", "of": "x"},
            {"do": "backward", "of": "gx"},
        ]
        cases.append(("dezero", {"x": np.array(0.7)}, [*second, _grad("dx_2", "x")]))
    changed = False
    for family, ins, steps in cases:
        if name not in applicable(family):
            continue
        right = run_case(family, ins, steps)
        try:
            wrong = run_case(family, ins, steps, mutation=name)
        except StepError:
            continue  # the program fails under this mistake: grader.cases.known_mistakes leaves it out too
        except (ValueError, ArithmeticError, IndexError, KeyError):
            # grader.cases.known_mistakes leaves a case out on these too, but here they are allowed only for
            # the mutations known to fail a hand case so (mse_grad_mean's one number meets a matrix product):
            # any other mutation that crashes the reference engine is a failure of this test, never a case
            # silently skipped (review of s22-real, finding 6)
            if name not in _CRASH_ALLOWED:
                raise
            continue
        changed |= any(
            (right[k] is None) != (wrong[k] is None)
            or (right[k] is not None and np.shape(right[k]) != np.shape(wrong[k]))
            or (right[k] is not None and not np.allclose(right[k], wrong[k]))
            for k in right
        )
    assert changed


# Mutations whose program raises a plain exception (not a StepError) on some hand case of
# test_every_mutation_changes_a_documented_or_hand_case, by design of the mistake.
_CRASH_ALLOWED = frozenset({"mse_grad_mean"})


# Words only one family uses: a hint for another family must not say them (issue 10: no Input.backward in a
# DeZero hint).
FAMILY_WORDS = {
    "miniflow": ("Input.backward", "outbound node", "self.gradients"),
    "dezero": ("Variable.backward", "x.grad", "cleargrad", "generation"),
    "layers": ("MulLayer", "dout"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_hints_use_only_their_own_familys_words(name):
    """A mutation's hint never uses a word that belongs only to a family the mutation does not apply to."""
    m = MUTATIONS[name]
    foreign = {w for fam, words in FAMILY_WORDS.items() if fam not in m.families for w in words}
    # MulLayer / Mul: one hint serves both families that have the mistake, naming each class.
    assert not [w for w in foreign if w in m.hint], m.hint


def test_accumulation_and_clearing_mistakes_belong_to_one_family():
    """Where gradients are summed or cleared differs per family (MiniFlow: each class's loop over outbound
    nodes; DeZero: Variable.backward, cleargrad), so no such mistake, and no hint, serves two families."""
    for m in MUTATIONS.values():
        if m.code in ("missing_accumulation", "stale_gradient", "order", "missing_retain_grad"):
            assert len(m.families) == 1, m.name


def test_chain_rule_forgotten_gives_the_local_derivative_alone():
    """The *_ignores_* mutations return each backward's local derivative without the upstream gradient
    (hand-derived): under z = y ** 2 at x = 1.5, n = 3, x ** 3 gives dx 3 x ** 2 = 6.75, exp(x) gives
    e ** 1.5, n * x gives dn x = 1.5 and dx n = 3, n / x gives dn 1 / x and dx -n / x ** 2."""
    ins = {"x": np.array(1.5), "n": np.array(3.0)}
    tail = [_apply("Square", ["y"], "z"), {"do": "backward", "of": "z"}, _grad("dx", "x"), _grad("dn", "n")]
    hand = {
        "pow_ignores_gy": ([POW_CUBE], 6.75, None),
        "exp_ignores_gy": ([_apply("Exp", ["x"], "y")], np.exp(1.5), None),
        "mul_ignores_gy": ([_apply("Mul", ["n", "x"], "y")], 3.0, 1.5),
        "div_ignores_gy": ([_apply("Div", ["n", "x"], "y")], -3.0 / 1.5**2, 1 / 1.5),
    }
    for name, (head, dx, dn) in hand.items():
        got = run_case("dezero", ins, [*head, *tail], mutation=name)
        assert float(got["dx"]) == pytest.approx(dx, rel=1e-12), name
        assert (got["dn"] is None) if dn is None else float(got["dn"]) == pytest.approx(dn, rel=1e-12)
    # The documented diamond: Square(x) hands back 2 x = 4 whatever arrives (the book: 64).
    assert float(_documented("diamond-documented", "square_ignores_gy")["dx"]) == 4.0
    # Buy apple: the apple layer gets dout 1.1 and returns its local derivatives 2 and 100; the tax layer
    # gets dout 1, so dtax stays 200 (the book: 2.2, 110, 200).
    wrong = _documented("buy-apple-documented", "mullayer_ignores_dout")
    np.testing.assert_allclose([wrong["dapple"], wrong["dapple_num"], wrong["dtax"]], [2.0, 100.0, 200.0])


def test_sigmoid_ignores_dout_in_layers():
    """sigmoid_ignores_dout: Sigmoid then MulLayer by y gives dx = s (1 - s), not y s (1 - s)."""
    x, y = np.array([[0.5, -1.0]]), np.array([[-2.0, 3.0]])
    steps = [
        _apply("Sigmoid", ["x"], "s"),
        _apply("MulLayer", ["s", "y"], "out"),
        {"do": "backward", "of": "out"},
        _grad("dx", "x"),
    ]
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(run_case("layers", {"x": x, "y": y}, steps)["dx"], y * s * (1 - s), rtol=1e-12)
    wrong = run_case("layers", {"x": x, "y": y}, steps, mutation="sigmoid_ignores_dout")["dx"]
    np.testing.assert_allclose(wrong, s * (1 - s), rtol=1e-12)


def test_sigmoid_ignores_grad_cost_counts_once_per_outbound_node():
    """sigmoid_ignores_grad_cost: the lesson's Sigmoid.backward loops over outbound nodes and adds
    s (1 - s) for each, so s feeding two Linear nodes gives dx = 2 s (1 - s) (the scalar graph of
    test_overwrite_in_sigmoid_names_the_class_that_overwrote: right is 2 s * s (1 - s)); one consumer,
    s (1 - s)."""
    one, zero = np.array([[1.0]]), np.array([0.0])
    ins = {"x": np.array([[0.5]]), "W": one, "b": zero, "V1": 2 * one, "V2": 3 * one, "c": zero}
    head = [_apply("Linear", ["x", "W", "b"], "h"), _apply("Sigmoid", ["h"], "s")]
    two = [
        _apply("Linear", ["s", "V1", "c"], "o1"),
        _apply("Linear", ["s", "V2", "c"], "o2"),
        _apply("MSE", ["o1", "o2"], "cost"),
    ]
    one_consumer = [_apply("MSE", ["s", "x"], "cost")]
    tail = [{"do": "backward", "of": "cost"}, _grad("dW", "W")]
    s = 1 / (1 + np.exp(-0.5))
    right = run_case("miniflow", ins, [*head, *two, *tail])["dW"]
    assert right.item() == pytest.approx(0.5 * 2 * s * s * (1 - s), rel=1e-12)  # dW = x * dh
    wrong = run_case("miniflow", ins, [*head, *two, *tail], mutation="sigmoid_ignores_grad_cost")["dW"]
    assert wrong.item() == pytest.approx(0.5 * 2 * s * (1 - s), rel=1e-12)
    wrong = run_case("miniflow", ins, [*head, *one_consumer, *tail], mutation="sigmoid_ignores_grad_cost")
    assert wrong["dW"].item() == pytest.approx(0.5 * s * (1 - s), rel=1e-12)


def test_the_backward_on_data_hint_is_not_only_sin_s():
    """The mistake is any function's backward on `.data` (sample book_step33_data_backward: Mul, Div and Pow,
    in step 33's Newton case, where no Sin is applied); the hint showed Sin's line alone ("gx = gy *
    cos(x)"), which read as "use cos". It says what to avoid and gives a two-input function's line too."""
    hint = MUTATIONS["backward_on_data"].hint
    assert "self.inputs[0].data" in hint and "gy * x1" in hint
    assert (
        ".data" in hint and "create_graph" in hint and "use the Variables" in hint
    )  # expected.json's hint_has


def test_net_gradient_numerical_is_central_differences_of_the_books_loss():
    """net_gradient_numerical gives what the book's numerical_gradient (h = 1e-4) gives for a TwoLayerNet:
    the gradient of the loss with 1e-7 inside the log (torch, float64), within the differences' own error;
    the right answer is backpropagation's, torch's cross_entropy without it, and the two differ past rtol
    1e-6 (the stored two-layer-net-check's dW1 by 4.3e-7). Nothing but a TwoLayerNet's backward changes."""
    torch = pytest.importorskip("torch")
    params, ins = _net_inputs(5)
    steps = [
        _apply("TwoLayerNet", ["x", "t", *_P], "loss"),
        {"do": "backward", "of": "loss"},
        _value("loss", "loss"),
        *(_grad("d" + p, p) for p in _P),
    ]
    wrong = run_case("layers", ins, steps, mutation="net_gradient_numerical")
    right = run_case("layers", ins, steps)
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    scores = torch.relu(torch.tensor(ins["x"]) @ tp["W1"] + tp["b1"]) @ tp["W2"] + tp["b2"]
    labels = torch.tensor(ins["t"], dtype=torch.long)
    y = torch.softmax(scores, dim=1)
    with_eps = -torch.log(y[torch.arange(3), labels] + 1e-7).mean()
    eps_grads = torch.autograd.grad(with_eps, [tp[p] for p in _P], retain_graph=True)
    exact = torch.autograd.grad(torch.nn.functional.cross_entropy(scores, labels), [tp[p] for p in _P])
    assert float(wrong["loss"]) == float(right["loss"])
    for p, g_eps, g in zip(_P, eps_grads, exact, strict=True):
        np.testing.assert_allclose(wrong["d" + p], g_eps.numpy(), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(right["d" + p], g.numpy(), rtol=1e-12, atol=1e-15)
    assert any(not np.allclose(wrong["d" + p], right["d" + p], rtol=1e-6, atol=1e-9) for p in _P)
    layers = [
        _apply("Affine", ["x", "W1", "b1"], "h"),
        _apply("Relu", ["h"], "r"),
        _apply("Affine", ["r", "W2", "b2"], "s"),
        _apply("SoftmaxWithLoss", ["s", "t"], "loss"),
        {"do": "backward", "of": "loss"},
        *(_grad("d" + p, p) for p in _P),
    ]
    same = run_case("layers", ins, layers, mutation="net_gradient_numerical")
    assert all(np.array_equal(same[k], v) for k, v in run_case("layers", ins, layers).items())


def test_affine_x_kept_unflattened_changes_only_a_4d_inputs_weight_gradient():
    """Affine keeping the 4-D input before its reshape: dW = np.dot(x.T, dout) on the input as it came.
    Worked by hand for x (1, 1, 2, 2) = [[0, 1], [2, 3]], W (4, 1), dout [[1]]: x.T[i, j, 0, 0] is
    x[0, 0, j, i], so dW is [[0, 2], [1, 3]] in shape (2, 2, 1, 1), where the right one is (4, 1)
    [0, 1, 2, 3]; dx and db as the right ones. A 2-D input: every gradient right."""
    steps = [
        _apply("Affine", ["x", "W", "b"], "y"),
        {"do": "backward_local", "of": "y", "upstream": "dout"},
        {"do": "record", "key": "dW", "grad_of": "W", "via": "y"},
        {"do": "record", "key": "dx", "grad_of": "x", "via": "y"},
        {"do": "record", "key": "db", "grad_of": "b", "via": "y"},
    ]
    x4 = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])
    inputs = {"x": x4, "W": np.ones((4, 1)), "b": np.zeros(1), "dout": np.ones((1, 1))}
    right = run_case("layers", inputs, steps)
    wrong = run_case("layers", inputs, steps, mutation="affine_x_kept_unflattened")
    np.testing.assert_array_equal(right["dW"], [[0.0], [1.0], [2.0], [3.0]])
    assert wrong["dW"].shape == (2, 2, 1, 1)
    np.testing.assert_array_equal(wrong["dW"][:, :, 0, 0], [[0.0, 2.0], [1.0, 3.0]])
    np.testing.assert_array_equal(wrong["dx"], right["dx"])
    np.testing.assert_array_equal(wrong["db"], right["db"])
    flat = {**inputs, "x": x4.reshape(1, 4)}
    right2, wrong2 = (
        run_case("layers", flat, steps),
        run_case("layers", flat, steps, mutation="affine_x_kept_unflattened"),
    )
    for key in ("dW", "dx", "db"):
        np.testing.assert_array_equal(wrong2[key], right2[key])


def test_sum_to_no_lead_by_hand():
    """utils.sum_to without its leading axes, by hand: a (3,) input broadcast to (2, 3) gets gy (ones (2, 3))
    back unsummed, where the answer is [2, 2, 2]; a (1,) bias added to a (4, 1) column gets the (1, 1) sum
    [[4]] where the answer is [4]; a (1, 3) input broadcast to (2, 3), within the same rank, is right."""
    back = [{"do": "backward", "of": "y"}, _grad("dx", "x")]
    to23 = [{**_apply("BroadcastTo", ["x"], "y"), "settings": {"shape": [2, 3]}}, *back]
    x3 = {"x": np.array([1.0, 2.0, 3.0])}
    assert run_case("dezero", x3, to23)["dx"].tolist() == [2.0, 2.0, 2.0]
    assert run_case("dezero", x3, to23, mutation="sum_to_no_lead")["dx"].tolist() == [[1.0] * 3] * 2
    bias = {"n": np.zeros((4, 1)), "x": np.array([0.5])}
    add = [_apply("Add", ["n", "x"], "y"), *back]
    assert run_case("dezero", bias, add)["dx"].tolist() == [4.0]
    assert run_case("dezero", bias, add, mutation="sum_to_no_lead")["dx"].tolist() == [[4.0]]
    x13 = {"x": np.array([[1.0, 2.0, 3.0]])}
    assert run_case("dezero", x13, to23, mutation="sum_to_no_lead")["dx"].tolist() == [[2.0, 2.0, 2.0]]


def test_arithmetic_without_sum_to_by_hand():
    """Step 35's backward kept at step 40, by hand: n (2, 3) of ones op x (3,) = [1, 2, 4], y.backward() from
    ones. Right: x.grad sums the two rows (Mul [2, 2, 2], Sub [-2, -2, -2], Div -2 / x ** 2 = [-2, -0.5,
    -0.125]); each mistake hands back both rows, shape (2, 3)."""
    ins = {"n": np.ones((2, 3)), "x": np.array([1.0, 2.0, 4.0])}
    rows = {"Mul": [1.0, 1.0, 1.0], "Sub": [-1.0, -1.0, -1.0], "Div": [-1.0, -0.25, -0.0625]}
    for op, row in rows.items():
        steps = [_apply(op, ["n", "x"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
        assert run_case("dezero", ins, steps)["dx"].tolist() == [2 * v for v in row]
        assert run_case("dezero", ins, steps, mutation=f"{op.lower()}_no_sum_to")["dx"].tolist() == [row, row]


def test_add_and_mul_kept_together_by_hand():
    """y = (x0 + x1) * x1 with x0 (2, 3) of ones and x1 (3,) = [1, 2, 4]: dy/dx1 = x0 + 2 * x1 per element,
    [3, 5, 9], summed over the two rows, [6, 10, 18]. With Add and Mul both left unsummed x1 gets the two
    rows [3, 5, 9] (Mul's gy * (x0 + x1) plus Add's gy * x1, each (2, 3)), as with Sub or Div left too (no
    Sub or Div here); neither Add nor Mul alone gives it (book_step40_add_mul_no_sum_to/)."""
    ins = {"x0": np.ones((2, 3)), "x1": np.array([1.0, 2.0, 4.0])}
    steps = [
        _apply("Add", ["x0", "x1"], "t"),
        _apply("Mul", ["t", "x1"], "y"),
        {"do": "backward", "of": "y"},
        _grad("dx1", "x1"),
    ]
    assert run_case("dezero", ins, steps)["dx1"].tolist() == [6.0, 10.0, 18.0]
    both = [[3.0, 5.0, 9.0], [3.0, 5.0, 9.0]]
    for name in ("add_mul_no_sum_to", "add_mul_sub_no_sum_to", "add_mul_div_no_sum_to", "arith_no_sum_to"):
        assert run_case("dezero", ins, steps, mutation=name)["dx1"].tolist() == both
    for name in ("add_no_sum_to", "mul_no_sum_to", "add_sub_no_sum_to", "mul_div_no_sum_to"):
        assert run_case("dezero", ins, steps, mutation=name)["dx1"].tolist() != both, name


def test_some_no_sum_to_hints_name_their_own_classes():
    """Each hint names the classes its mistake leaves unsummed, in the book's order, and no other."""
    for name in SOME_NO_SUM_TO:
        classes = name.removesuffix("_no_sum_to").split("_")
        hint = MUTATIONS[name].hint
        named = [c for c in ("Add", "Sub", "Mul", "Div") if f"{c}.backward" in hint]
        assert named == [c for c in ("Add", "Sub", "Mul", "Div") if c.lower() in classes], name


def test_step35_arithmetic_kept_together_by_hand():
    """The four of step 35 kept at step 40, and Sub, Mul and Div kept beside the book's Add, by hand: n (2, 3)
    of ones op x (3,) = [1, 2, 4] hands x both rows under either mistake where Add is not involved; x (3,) +
    x1 (1,) = [10] gives x1 the unsummed [1, 1, 1] only when Add is kept too (the right answer is [3])."""
    ins = {"n": np.ones((2, 3)), "x": np.array([1.0, 2.0, 4.0])}
    rows = {"Mul": [1.0, 1.0, 1.0], "Sub": [-1.0, -1.0, -1.0], "Div": [-1.0, -0.25, -0.0625]}
    for op, row in rows.items():
        steps = [_apply(op, ["n", "x"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
        for name in ("arith_no_sum_to", "mul_sub_div_no_sum_to"):
            assert run_case("dezero", ins, steps, mutation=name)["dx"].tolist() == [row, row]
    add = [_apply("Add", ["n", "x"], "y"), {"do": "backward", "of": "y"}, _grad("dx", "x")]
    bias = {"n": np.array([1.0, 2.0, 3.0]), "x": np.array([10.0])}
    assert run_case("dezero", bias, add)["dx"].tolist() == [3.0]
    assert run_case("dezero", bias, add, mutation="arith_no_sum_to")["dx"].tolist() == [1.0, 1.0, 1.0]
    assert run_case("dezero", bias, add, mutation="mul_sub_div_no_sum_to")["dx"].tolist() == [3.0]


def test_broadcast_to_gy_leaves_sum_to_right_by_hand():
    """BroadcastTo.backward returning gy, by hand: x (3,) broadcast to (2, 3) gets the ones (2, 3) back where
    the answer is [2, 2, 2]; SumTo over the leading axis ((2, 3) to (3,)), which sum_to_no_lead gets wrong
    ((2, 3) unsummed), stays right under it, so sum-to-lead-unit tells the two apart."""
    back = [{"do": "backward", "of": "y"}, _grad("dx", "x")]
    to23 = [{**_apply("BroadcastTo", ["x"], "y"), "settings": {"shape": [2, 3]}}, *back]
    x3 = {"x": np.array([1.0, 2.0, 3.0])}
    assert run_case("dezero", x3, to23, mutation="broadcast_to_gy")["dx"].tolist() == [[1.0] * 3] * 2
    lead = [{**_apply("SumTo", ["x"], "y"), "settings": {"shape": [3]}}, _value("y", "y")]
    x23 = {"x": np.arange(6.0).reshape(2, 3)}
    assert run_case("dezero", x23, lead, mutation="broadcast_to_gy")["y"].tolist() == [3.0, 5.0, 7.0]
    assert np.shape(run_case("dezero", x23, lead, mutation="sum_to_no_lead")["y"]) == (2, 3)


@pytest.mark.parametrize("op", ON_DATA)
def test_one_function_on_data_hint_says_what_to_write_after_a_semicolon(op):
    """One function's backward on .data: its hint names the class and line, then what to write, as its own
    clause ("...misses that path; use the Variables: x, = self.inputs"), not after a colon that read as the
    path missed (review of s23-realdz, finding 5)."""
    hint = MUTATIONS[f"{op}_backward_on_data"].hint
    right = "x, = self.inputs" if op == "pow" else "x0, x1 = self.inputs"
    assert hint.startswith(f"{op.capitalize()}.backward computes on .data (")
    assert f"misses that path; use the Variables: {right} (step 33)." in hint


def test_layer_cleargrads_noop_leaves_every_grad_where_params_not_recursive_leaves_the_nested_only() -> None:
    """layer_cleargrads_noop (sample book_step46_layer_cleargrad_no_call/): after cleargrads every grad is
    what the backward left, a Layer's own W and b too, where params_not_recursive leaves an L.Linear's own
    cleared (None) and only an MLP's nested layers stale. What tells the two apart on a submission."""
    from grader.cases import load_fixture  # the stored inputs as arrays

    for case_id, own in (("step44-layer-cleargrads", True), ("step45-mlp-cleargrads", False)):
        fx = load_fixture(Path(__file__).parents[2] / "fixtures" / "dezero" / "cases" / f"{case_id}.json")
        right = run_case("dezero", dict(fx.inputs), list(fx.steps))
        noop = run_case("dezero", dict(fx.inputs), list(fx.steps), mutation="layer_cleargrads_noop")
        skip = run_case("dezero", dict(fx.inputs), list(fx.steps), mutation="params_not_recursive")
        cleared = [k for k in right if k.endswith("_cleared")]
        assert cleared and all(right[k] is None for k in cleared)
        for k in cleared:
            stale = noop[k]
            assert stale is not None and np.allclose(stale, right[k.removesuffix("_cleared")]), k
            assert (skip[k] is None) == own, k


def test_a_layer_keeping_only_parameters_yields_no_parameter_of_a_recurrent_layer() -> None:
    """recurrent_layers_not_registered (session 34, sample late_book_step60_setattr_parameters_only/): a
    Layer.__setattr__ that keeps only Parameter attributes registers none of an RNN's or LSTM's attributes,
    all Linear layers (x2h, h2h; x2f ... h2u), so params() yields 0 items, where the book's yields 3 and 12
    and recurrent_params_not_recursive, the other form, the Linear layers themselves (2 and 8)."""
    from grader.cases import load_fixture  # the stored inputs as arrays

    for case_id, book, layers in (("step59-rnn-sequence", 3, 2), ("step60-lstm-sequence", 12, 8)):
        fx = load_fixture(Path(__file__).parents[2] / "fixtures" / "dezero" / "cases" / f"{case_id}.json")
        right = run_case("dezero", dict(fx.inputs), list(fx.steps))
        kept = run_case("dezero", dict(fx.inputs), list(fx.steps), mutation="recurrent_layers_not_registered")
        flat = run_case("dezero", dict(fx.inputs), list(fx.steps), mutation="recurrent_params_not_recursive")
        assert (float(right["params"]), float(kept["params"]), float(flat["params"])) == (book, 0, layers)
        assert all(np.array_equal(kept[k], right[k]) for k in right if k != "params"), case_id
    assert MUTATIONS["recurrent_layers_not_registered"].hint.startswith("Layer.params ")


def test_a_mutation_name_given_twice_is_refused_and_the_shipped_names_are_each_given_once() -> None:
    """The registry refuses a name given twice (a dict built from the tuple kept the last of two silently:
    realdz's accuracy_argmax_axis0); the shipped registry is built by it, each name once."""
    import reference.mutations as mutations

    one = MUTATIONS["dezero_accuracy_argmax_axis0"]
    other = MUTATIONS["dropout_not_scaled"]
    with pytest.raises(ValueError, match="given more than once: dezero_accuracy_argmax_axis0"):
        mutations._unique_names((one, other, one))
    assert mutations._unique_names((one, other)) == {one.name: one, other.name: other}
    # the shipped registry is the guard's output (not a dict comprehension that hides a duplicate)
    source = Path(mutations.__file__).read_text(encoding="utf-8")
    assert "MUTATIONS: dict[str, Mutation] = _unique_names(" in source
    literal = re.findall(r'_mutation\(\s*"(\w+)"', source)
    assert len(literal) > 50 and len(literal) == len(set(literal)) and set(literal) <= set(MUTATIONS)
