"""diagnose(): every diagnosis fires on its hand-made signature and stays quiet on its negative control."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from grader.judge.compare import MISSING
from grader.judge.diagnose import DIAGNOSES, Evidence, batch_size, diagnose, input_mutated, none_against
from grader.model import Tolerance
from reference.extension import load_extension

TOL = Tolerance(rtol=1e-6, atol=1e-9)
SUBJECT = "Linear.backward: gradient of W (dW)"
# Non-square, non-symmetric, no zeros, batch of 4 rows.
EXP = np.array([[1.0, -2.0], [3.0, 0.5], [-1.5, 2.5], [4.0, -0.25]])
SQUARE = np.array([[1.0, 2.0], [3.0, 4.0]])
SYMMETRIC = np.array([[1.0, 2.0], [2.0, 5.0]])
BIAS = np.array([1.5, -2.0])
PER_SAMPLE = np.array([[0.5, -1.0], [0.25, -0.5], [0.75, -0.5]])  # sums to BIAS


# Values no float32 can hold (thirds, sevenths), and the same 3e-6 of their largest value off in three places.
THIRDS = EXP / 3 + 1 / 7
NUDGE = np.array([[3e-6, 0.0], [0.0, -2e-6], [0.0, 0.0], [1e-6, 0.0]]) * np.abs(THIRDS).max()
F32_NEAR = (THIRDS + NUDGE).astype(np.float32).astype(np.float64)


def find(got, expected, *, n=4, known=None):
    return diagnose(Evidence("dW", got, expected, TOL, "gradient of W", "Linear.backward", n, known or {}))


def test_registry_order_is_the_documented_one():
    """Codes are tried in the documented, stable order."""
    assert list(DIAGNOSES) == [
        "nan_or_inf",
        "zero_or_missing",
        "not_reduced",
        "over_reduced",
        "transposed",
        "wrong_shape",
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
        "wrong_mask",
        "sign_flipped",
        "scaled",
        "precision",
        "input_mutated",
        "wrong_text",
        "unknown",
    ]


POSITIVE = [
    ("nan", np.where(EXP > 3, np.nan, EXP), EXP, {}, "nan_or_inf", "NaN or inf"),
    ("inf", EXP * np.inf, EXP, {}, "nan_or_inf", "NaN or inf"),
    ("none", None, EXP, {}, "zero_or_missing", "never set"),
    ("never produced", MISSING, EXP, {}, "zero_or_missing", "never set"),
    ("zeros", np.zeros_like(EXP), EXP, {}, "zero_or_missing", "all zeros"),
    ("bias per sample", PER_SAMPLE, BIAS, {}, "not_reduced", "not summed over the batch"),
    # np.sum(dout) without axis=0: a scalar (DLFS), or the scalar broadcast by += into MiniFlow's zeros
    ("transposed shape", EXP.T.copy(), EXP, {}, "transposed", "transposed"),
    ("transposed square values", SQUARE.T.copy(), SQUARE, {}, "transposed", "transposed"),
    ("other shape", EXP[:2], EXP, {}, "wrong_shape", "has shape (2, 2), expected (4, 2)"),
    ("accumulation", EXP / 3, EXP, {"missing_accumulation": EXP / 3}, "missing_accumulation", "+="),
    ("stale", EXP * 7, EXP, {"stale_gradient": EXP * 7}, "stale_gradient", "known mistake"),
    ("order", EXP + 1, EXP, {"order": EXP + 1}, "order", "generation"),
    ("derivative", EXP**2, EXP, {"wrong_derivative": EXP**2}, "wrong_derivative", "derivative"),
    ("sign", -EXP, EXP, {}, "sign_flipped", "wrong sign"),
    # another mask: equal wherever both keep an element, zero elsewhere, but other elements kept
    (
        "other mask",
        EXP * [[1, 0], [0, 1], [1, 1], [0, 0]],
        EXP * [[1, 1], [0, 0], [1, 0], [0, 1]],
        {},
        "wrong_mask",
        "the mask is wrong",
    ),
    ("batch too large", EXP * 4, EXP, {}, "scaled", "too large by the batch size 4"),
    ("batch too small", EXP / 4, EXP, {}, "scaled", "too small by the batch size 4"),
    ("two", EXP * 2, EXP, {}, "scaled", "too large by 2"),
    ("half", EXP / 2, EXP, {}, "scaled", "too small by 2"),
    ("odd factor", EXP * 3.7, EXP, {}, "scaled", "3.7 times the right answer everywhere"),
    ("negative factor", EXP * -2, EXP, {}, "scaled", "sign is flipped"),
    ("a third", EXP / 3, EXP, {}, "scaled", "times the right answer everywhere: a constant factor is wrong"),
    ("a learning rate", EXP * 0.01, EXP, {}, "scaled", "a constant factor is wrong"),
    # the MiniFlow quiz's equal rows: Sigmoid.backward with (1 - s) for s * (1 - s) at s = sigmoid(-11) is one
    # factor 1 / s = 59875.1 everywhere; no constant in code gives it, the hint says to re-derive the formula
    ("no constant a program writes", EXP * 59875.1, EXP, {}, "scaled", "a wrong formula is more likely"),
    ("its inverse", EXP * 1.67017e-05, EXP, {}, "scaled", "re-derive the backward"),
    # a subnormal factor: 1 / c overflows to inf, of which a Fraction raised OverflowError (a judge crash, the
    # report a grader error); the factor is no constant a program writes
    ("a subnormal factor", EXP * 1e-310, EXP, {}, "scaled", "a wrong formula is more likely"),
    ("scalar halved", np.array(1.0), np.array(2.0), {}, "scaled", "too small by 2"),
    (
        "noise",
        EXP + np.array([[0.1, 0.0], [0.0, 0.3], [0.0, 0.0], [0.2, 0.0]]),
        EXP,
        {},
        "unknown",
        "re-derive",
    ),
    # 3e-6 off in a few places (float32 through a layer or two): past rtol 1e-6, a formula right.
    ("lost precision", THIRDS + NUDGE, THIRDS, {}, "precision", "is an array cast to np.float32"),
    ("float32 numbers", F32_NEAR, THIRDS, {}, "precision", "its values are float32 numbers"),
    # TwoLayerNet.gradient returning numerical_gradient's values: the known mistake is named, not float32,
    # also past the band lost precision would explain
    (
        "numerical gradient",
        THIRDS + NUDGE,
        THIRDS,
        {"net_gradient_numerical": THIRDS + NUDGE},
        "precision",
        "as numerical_gradient (h = 1e-4) does",
    ),
    (
        "numerical gradient far off",
        THIRDS + NUDGE * 100,
        THIRDS,
        {"net_gradient_numerical": THIRDS + NUDGE * 100},
        "precision",
        "leaves it out (5.7.2)",
    ),
]


@pytest.mark.parametrize(
    ("got", "expected", "known", "code", "phrase"), [p[1:] for p in POSITIVE], ids=[p[0] for p in POSITIVE]
)
def test_diagnosis_fires(got, expected, known, code, phrase):
    """Each signature gets its code, and the hint names method and gradient and says what went wrong."""
    finding = find(got, expected, known=known)
    assert finding is not None
    assert finding.code == code
    assert finding.hint.startswith(SUBJECT)
    assert phrase in finding.hint


def bias(
    got, expected, *, family="layers", key="db1", method="TwoLayerNet.gradient", siblings=None, receiver=None
):
    """A bias record of a graph case, whose method is the driver, not the class that sums the bias: chapter
    5's TwoLayerNet hands it to an Affine (score._receiver), MiniFlow's graph to no class."""
    label = f"gradient of {key[1:]}"
    if receiver is None:
        receiver = "Affine" if family == "layers" else ""
    return diagnose(
        Evidence(key, got, expected, TOL, label, method, 4, {}, False, siblings or {}, None, family, receiver)
    )


def test_not_reduced_gamma_and_beta_get_batchnormalizations_sums_not_the_bias_wording():
    """Review of s35: a dgamma = xn * dout that forgot its sum (MultiLayerNetExtend, gamma handed to
    BatchNormalization) was told "the bias gradient was not summed ... np.sum(dout, axis=0)"; the book's
    BatchNormalization.backward sums gamma's xn * dout and beta's dout. Control: the network's db1 keeps the
    bias wording."""
    net = "MultiLayerNetExtend.gradient"
    gamma = bias(PER_SAMPLE, BIAS, key="dgamma1", method=net, receiver="BatchNormalization")
    assert gamma.code == "not_reduced"
    assert "the gamma gradient was not summed over the batch in BatchNormalization.backward" in gamma.hint
    assert gamma.hint.endswith("np.sum(self.xn * dout, axis=0)")
    assert "bias" not in gamma.hint and "np.sum(dout" not in gamma.hint
    beta = bias(PER_SAMPLE, BIAS, key="dbeta2", method=net, receiver="BatchNormalization")
    assert "the beta gradient was not summed over the batch in BatchNormalization.backward" in beta.hint
    assert beta.hint.endswith("np.sum(dout, axis=0)") and "bias" not in beta.hint
    b1 = bias(PER_SAMPLE, BIAS, key="db1", method=net, receiver="Affine")
    assert "the bias gradient was not summed over the batch in Affine.backward" in b1.hint


@pytest.mark.parametrize(
    ("family", "got", "owner", "right", "form"),
    [
        ("layers", np.array(BIAS.sum()), "Affine.backward", "np.sum(dout, axis=0)", "is one number"),
        ("layers", np.full(2, BIAS.sum()), "Affine.backward", "np.sum(dout, axis=0)", "in every element"),
        (
            "miniflow",
            np.full(2, BIAS.sum()),
            "Linear.backward",
            "np.sum(grad_cost, axis=0)",
            "in every element",
        ),
    ],
)
def test_over_reduced_names_the_class_that_sums_the_bias(family, got, owner, right, form):
    """A bias summed over every axis names the family's bias-summing method, not the graph case's driver."""
    finding = bias(got, BIAS, family=family)
    assert finding.code == "over_reduced"
    assert finding.hint.startswith("TwoLayerNet.gradient: gradient of b1 (db1)")
    assert f"sum in {owner} ran over every axis" in finding.hint
    assert right in finding.hint and form in finding.hint
    assert "sum in TwoLayerNet.gradient" not in finding.hint


def test_over_reduced_names_the_layer_the_case_handed_the_bias():
    """A bias the case hands a Convolution (its unit case, SimpleConvNet's b1) names Convolution.backward, not
    the family's Affine (review of s19: a Convolution summing db over every axis was told Affine.backward);
    the control: the same record of chapter 5's network built whole (its Affine the receiver) names Affine."""
    got = np.array(BIAS.sum())
    own = diagnose(
        Evidence(
            "db",
            got,
            BIAS,
            TOL,
            "gradient of b",
            "Convolution.backward",
            4,
            family="layers",
            receiver="Convolution",
        )
    )
    assert own.code == "over_reduced"
    assert "sum in Convolution.backward ran over every axis" in own.hint
    assert "Affine" not in own.hint
    assert "sum in Affine.backward ran over every axis" in bias(got, BIAS).hint


def test_over_reduced_in_a_network_built_without_layers_names_its_own_method():
    """Chapter 4's TwoLayerNet (the book's ch04/two_layer_net.py) writes its gradient from the formulas and
    has no Affine: its case names no layer (receiver ""), and a b1 summed over every axis was told "the
    bias's sum in Affine.backward" (s33). It names TwoLayerNet.gradient and the book's dz1 there; the
    control, chapter 5's network (receiver Affine), still names Affine.backward and dout."""
    got = np.array(BIAS.sum())
    ch04 = bias(got, BIAS, receiver="")
    assert ch04.code == "over_reduced"
    assert "sum in TwoLayerNet.gradient ran over every axis (np.sum(dz1) without axis=0)" in ch04.hint
    assert "np.sum(dz1, axis=0)" in ch04.hint and "Affine" not in ch04.hint
    ch05 = bias(got, BIAS, receiver="Affine")
    assert "sum in Affine.backward ran over every axis (np.sum(dout) without axis=0)" in ch05.hint
    # MiniFlow's driver is no class of the student's: its Linear sums the bias
    assert "sum in Linear.backward" in bias(np.full(2, BIAS.sum()), BIAS, family="miniflow").hint


def test_not_reduced_in_a_network_names_the_layer_that_sums_the_bias():
    """A network's bias record with one row per sample names the layer the case handed the bias to (s35: a
    MultiLayerNet over its own Affine was told of MultiLayerNet.gradient alone); controls: a unit case of
    that layer, and a network whose case names no layer (chapter 4's), name no other method."""
    mln = bias(PER_SAMPLE, BIAS, method="MultiLayerNet.gradient", receiver="Affine")
    assert mln.code == "not_reduced"
    assert mln.hint.startswith("MultiLayerNet.gradient: gradient of b1 (db1) has one row per sample")
    assert "not summed over the batch in Affine.backward" in mln.hint and "np.sum(dout, axis=0)" in mln.hint
    flow = bias(PER_SAMPLE, BIAS, family="miniflow", method="forward_and_backward", receiver="Linear")
    assert "not summed over the batch in Linear.backward" in flow.hint
    assert "np.sum(grad_cost, axis=0)" in flow.hint
    unit = bias(PER_SAMPLE, BIAS, method="Affine.backward", receiver="Affine")
    ch04 = bias(PER_SAMPLE, BIAS, receiver="")
    for finding in (unit, ch04):
        assert finding.code == "not_reduced"
        assert "not summed over the batch; sum the upstream gradient over axis 0" in finding.hint
        assert " in Affine.backward" not in finding.hint


def test_over_reduced_only_where_it_is_true():
    """Negative controls: not for DeZero (sum_to's own mistakes), not for a weight, not for a sum near zero
    (softmax's dx rows), not for a constant answer (scaled), not when another gradient has the got shape
    (a swap); each with the over_reduced form it would otherwise fit."""
    assert bias(np.array(BIAS.sum()), BIAS).code == "over_reduced"  # the control: the same, as a bias
    assert bias(np.array(BIAS.sum()), BIAS, family="dezero").code != "over_reduced"
    assert bias(np.array(EXP.sum()), EXP, key="dW1").code != "over_reduced"
    assert bias(np.array(BIAS.sum()), BIAS, key="dx").code != "over_reduced"
    near_zero = np.array([0.1, 0.2, -0.3])
    assert bias(np.array(1e-17), near_zero).code != "over_reduced"
    assert bias(3 * np.ones(3), np.ones(3)).code == "scaled"
    row = np.array([1.0, 2.0, 3.0])
    assert bias(np.array([6.0]), row).code == "over_reduced"
    swapped = bias(np.array([6.0]), row, siblings={"gradient of x1 (dx1)": np.array([4.0])})
    assert swapped.code != "over_reduced"


NEGATIVE = [
    ("scaled by 2 is not a sign flip", EXP * 2, EXP, {}, "sign_flipped"),
    ("right symmetric matrix", SYMMETRIC.copy(), SYMMETRIC, {}, "transposed"),
    ("wrong symmetric matrix", SYMMETRIC + 0.5, SYMMETRIC, {}, "transposed"),
    ("square, not transposed", SQUARE * 2, SQUARE, {}, "transposed"),
    ("per-sample rows that do not sum right", PER_SAMPLE + 1, BIAS, {}, "not_reduced"),
    ("finite values", EXP + 1, EXP, {}, "nan_or_inf"),
    ("partly zero", np.where(EXP > 0, 0.0, EXP), EXP, {}, "zero_or_missing"),
    ("arbitrary scalar is not 'scaled'", np.array(2.7), np.array(2.0), {}, "scaled"),
    ("nearly one is not 'scaled'", EXP * (1 + 1e-5), EXP, {}, "scaled"),
    ("mutation that equals the answer", EXP + 1, EXP, {"order": EXP}, "order"),
    ("mutation the student did not make", EXP + 1, EXP, {"order": EXP + 2}, "order"),
    ("batch factor with another batch size", EXP * 4, EXP, {}, "batch size 4"),
    ("a small real error is not precision", THIRDS + NUDGE * 100, THIRDS, {}, "precision"),
    (
        "lost precision that is not the known numerical gradient",
        THIRDS + NUDGE,
        THIRDS,
        {"net_gradient_numerical": THIRDS - NUDGE},
        "numerical differentiation",
    ),
    ("float32 far off is not precision", (THIRDS + NUDGE * 100).astype(np.float32), THIRDS, {}, "precision"),
    # The answer's values are float32 numbers too (1.0, 0.5): that the student's are proves nothing.
    ("float32 answers", (EXP * (1 + 3e-6)).astype(np.float32), EXP, {}, "float32 numbers"),
    ("a formula's factor is not called a constant", EXP * 59875.1, EXP, {}, "a constant factor is wrong"),
    (
        "same mask, wrong values is not a mask",
        EXP * [[2, 0], [2, 0], [2, 0], [2, 0]],
        EXP * [[1, 0], [1, 0], [1, 0], [1, 0]],
        {},
        "wrong_mask",
    ),
    (
        "nothing kept by either in common",
        EXP * [[1, 0], [1, 0], [1, 0], [1, 0]],
        EXP * [[0, 1], [0, 1], [0, 1], [0, 1]],
        {},
        "wrong_mask",
    ),
    ("an unmasked answer is not a mask", EXP * [[1, 0], [1, 1], [1, 1], [1, 1]], EXP, {}, "wrong_mask"),
    ("nor its inverse", EXP * 1.67017e-05, EXP, {}, "a constant factor is wrong"),
]


@pytest.mark.parametrize(
    ("got", "expected", "known", "absent"), [n[1:] for n in NEGATIVE], ids=[n[0] for n in NEGATIVE]
)
def test_diagnosis_does_not_fire(got, expected, known, absent):
    """Negative controls: the named diagnosis (or phrase) does not appear."""
    n = 5 if absent == "batch size 4" else 4
    finding = find(got, expected, n=n, known=known)
    assert finding is None or (finding.code != absent and absent not in finding.hint)


def test_a_dropout_with_another_mask_is_told_the_books_draw():
    """Dropout.forward keeping other units than the book's draw and failing the properties of a dropout of its
    own (grader/judge/drawn_mask.py): the hint names the book's line and asks whether backward reuses the mask
    forward drew (not the formula to re-derive)."""
    got, exp = EXP * [[1, 0], [0, 1], [1, 1], [0, 0]], EXP * [[1, 1], [0, 0], [1, 0], [0, 1]]
    finding = diagnose(
        Evidence("out", got, exp, TOL, "forward value", "Dropout.forward", 4, {}, forward=True)
    )
    assert finding is not None and finding.code == "wrong_mask"
    assert "np.random.rand(*x.shape) > self.dropout_ratio" in finding.hint and "re-derive" not in finding.hint
    assert "dout * self.mask" in finding.hint


def test_right_answer_has_no_diagnosis():
    """A record that matches (including a symmetric square matrix) gets no diagnosis at all."""
    assert find(SYMMETRIC.copy(), SYMMETRIC) is None
    assert find(EXP.copy(), EXP) is None


def test_zeros_expected_zeros_is_right():
    """All zeros are not 'zero_or_missing' when the answer is all zeros too."""
    assert find(np.zeros(3), np.zeros(3)) is None


def test_input_mutated_names_method_and_array():
    """The hint names the method that changed the array and how to avoid it."""
    finding = input_mutated(("dout",), {"dout": "Relu.backward"})
    assert finding.code == "input_mutated"
    assert (
        finding.hint
        == "Relu.backward changed dout in place; copy it (e.g. dx = dout.copy()) before modifying it"
    )


def test_batch_size_is_first_axis_of_first_2d_input():
    """Batch size: first axis of the first input with 2+ axes; None when every input is 1-D or scalar."""
    assert batch_size({"b": np.ones(3), "x": np.ones((5, 2)), "W": np.ones((2, 7))}) == 5
    assert batch_size({"x": np.ones(3), "y": np.array(2.0)}) is None


def test_batch_size_comes_from_the_data_not_the_weights():
    """With W listed before X, the batch is X's first axis because X is what Linear is applied to."""
    inputs = {"W": np.ones((3, 2)), "X": np.ones((5, 3)), "b": np.ones(2)}
    steps = [{"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"}]
    assert batch_size(inputs, steps) == 5
    assert batch_size(inputs) == 3  # control: without the steps the first 2-D input (W) would be taken


def _forward(got, expected, known=None):
    ev = Evidence(
        "value", got, expected, TOL, "forward value", "Affine.forward", 4, known or {}, forward=True
    )
    return diagnose(ev)


def test_forward_record_of_wrong_shape_gets_forward_wording():
    """A forward value of the wrong shape is not called a gradient; the same shape error on a gradient is."""
    finding = _forward(EXP[:2], EXP)
    assert finding is not None and finding.code == "wrong_shape"
    assert (
        "a forward value, not a gradient" in finding.hint and "a gradient has the shape" not in finding.hint
    )
    gradient = find(EXP[:2], EXP)  # negative control
    assert gradient is not None and "a gradient has the shape" in gradient.hint


def test_forward_record_gets_no_gradient_advice():
    """Forward values: no bias-summing advice for an extra axis, no finite-difference advice when unknown."""
    per_sample = _forward(PER_SAMPLE, BIAS)
    assert (
        per_sample is not None and per_sample.code == "wrong_shape" and "bias gradient" not in per_sample.hint
    )
    noisy = _forward(EXP + np.array([[0.1, 0.0], [0.0, 0.3], [0.0, 0.0], [0.2, 0.0]]), EXP)
    assert noisy is not None and noisy.code == "unknown" and "finite-difference" not in noisy.hint


def test_value_where_none_is_expected_is_not_unrecognised_arithmetic():
    """A gradient that must be None but holds a value (no known mistake fits) says so, without
    finite-difference advice; a wrong bool says what came back."""
    kept = diagnose(Evidence("dt", np.array(1.0), None, TOL, "t.grad", "Variable.backward", None, {}))
    assert kept is not None and kept.code == "unknown"
    assert "must be None" in kept.hint and "finite-difference" not in kept.hint
    flag = diagnose(Evidence("has_creator", True, False, TOL, "has a creator", "no_grad", None, {}))
    assert (
        flag is not None and "is True, expected False" in flag.hint and "finite-difference" not in flag.hint
    )


def test_zero_where_none_is_expected_says_zero_not_kept():
    """cleargrad written `self.grad = 0` (sample dezero/step14_cleargrad_zero.py): x.grad after it is 0, not
    None. It read "holds a value: Variable.cleargrad keeps it", as if a stale gradient stayed; it now says 0
    was set where None must be. Control: a nonzero value still reads "keeps it"."""
    label, method = "x0.grad after x0.cleargrad() (None)", "Variable.cleargrad"
    for zero in (np.array(0.0), np.zeros((2, 3)), 0):
        got = diagnose(Evidence("dx0_2", zero, None, TOL, label, method, None, {}))
        assert got is not None and "must be None here but is 0" in got.hint
        assert "sets it to 0 where it must set None" in got.hint and "keeps it" not in got.hint
    kept = diagnose(Evidence("dx0_2", np.array([0.0, 2.0]), None, TOL, label, method, None, {}))
    assert kept is not None and "keeps it where it must not" in kept.hint


def test_first_known_mistake_in_evidence_order_wins():
    """Two known mistakes of different codes reproduce the record: the first in `known` order names it."""
    both = {"overwrite_not_accumulate": EXP / 3, "add_one_gradient": EXP / 3}
    first = find(EXP / 3, EXP, known=both)
    assert first is not None and first.code == "missing_accumulation"
    swapped = find(EXP / 3, EXP, known=dict(reversed(list(both.items()))))
    assert swapped is not None and swapped.code == "missing_input_gradient" and "Add.backward" in swapped.hint


def test_bias_summed_with_keepdims_is_not_one_row_per_sample():
    """db = dout.sum(axis=0, keepdims=True) over a batch of 4: shape (1, 2) for b of shape (2,), the values
    right. Not 'one row per sample' (the batch has 4 rows): an extra axis of length 1, named as keepdims."""
    finding = find(BIAS.reshape(1, 2), BIAS, n=4)
    assert finding is not None and finding.code == "wrong_shape"
    assert "the values are right" in finding.hint and "keepdims" in finding.hint
    assert "one row per sample" not in finding.hint and "not summed" not in finding.hint
    # Controls: per-sample rows are still not_reduced; a batch of one row cannot tell the two apart.
    per_sample = find(PER_SAMPLE, BIAS, n=3)
    assert per_sample is not None and per_sample.code == "not_reduced"
    single = find(BIAS.reshape(1, 2), BIAS, n=1)
    assert single is not None and single.code == "not_reduced"


def test_the_keepdims_example_is_given_only_for_a_gradient_summed_over_the_batch():
    """np.sum(dout, axis=0) fits a bias gradient of shape (1, m) for (m,); a forward value with an extra axis
    of length 1, or a matrix gradient with one, gets the same diagnosis without that example."""
    bias = find(BIAS.reshape(1, 2), BIAS, n=4)
    assert bias is not None and "np.sum(dout, axis=0)" in bias.hint
    value = diagnose(Evidence("y", BIAS.reshape(1, 2), BIAS, TOL, "value", "Linear.forward", 4, {}, True))
    matrix = find(EXP.reshape(1, *EXP.shape), EXP, n=4)
    for other in (value, matrix):
        assert other is not None and other.code == "wrong_shape" and "the values are right" in other.hint
        assert "dout" not in other.hint, other.hint


def test_missing_unit_axis_with_right_values_is_named():
    """MiniFlow's dy has shape (m, 1) (FACTS 1): a (m,) array of the right values lacks an axis of 1."""
    column = np.array([[0.5], [-1.0], [2.0]])
    finding = find(column.ravel(), column, n=3)
    assert finding is not None and finding.code == "wrong_shape"
    assert "the values are right" in finding.hint and "missing" in finding.hint
    other = find(column.ravel() + 1, column, n=3)  # control: wrong values get the plain shape hint
    assert other is not None and "the values are right" not in other.hint


def test_factor_two_with_a_batch_of_two_gives_both_readings():
    """Half the answer in a case of 2 rows (the MiniFlow quiz): a missing factor 2 (MSE's 2/m) and a second
    division by the batch size both fit; the hint names both, not only the batch size."""
    half = find(EXP[:2] / 2, EXP[:2], n=2)
    assert half is not None and half.code == "scaled"
    assert "a factor 2 is missing" in half.hint and "divided by the batch size twice" in half.hint
    double = find(EXP[:2] * 2, EXP[:2], n=2)
    assert (
        double is not None and "stray factor 2" in double.hint and "division by the batch size" in double.hint
    )
    four = find(EXP / 4, EXP, n=4)  # control: another batch size keeps its one reading
    assert four is not None and "a factor 2" not in four.hint


DB1 = np.array([0.5, -1.25, 2.0, 0.75, -0.5, 1.5])
DB2 = np.array([0.1, -0.3, 0.2])


def _grads_typo(got, expected, siblings):
    ev = Evidence("db2", got, expected, TOL, "gradient of b2", "TwoLayerNet.gradient", 3, {}, False, siblings)
    return diagnose(ev)


def test_a_gradient_stored_under_another_key_names_the_one_it_holds():
    """grads['b2'] = self.layers['Affine1'].db: still wrong_shape, but the hint says db2 is exactly db1 and
    points at the gradients dict, not at the axes the method sums (which are right)."""
    finding = _grads_typo(DB1.copy(), DB2, {"gradient of b1 (db1)": DB1})
    assert finding is not None and finding.code == "wrong_shape"
    assert "is exactly the gradient of b1 (db1)" in finding.hint and "copy-paste" in finding.hint
    assert "multiplies and sums" not in finding.hint
    # same shape (a net whose layers have the same width): the values are another gradient's
    same = _grads_typo(DB1[:3].copy(), DB2, {"gradient of b1 (db1)": DB1[:3]})
    assert same is not None and same.code == "unknown"
    assert "is exactly the gradient of b1 (db1)" in same.hint


def test_a_layers_returned_gradient_holding_another_is_told_what_the_layer_returns():
    """A DLFS layer's backward returning self.dW as dx: the hint names what it returns and keeps, not a
    gradients dict, which a layer has none of; MiniFlow's Linear.backward (a gradients dict) keeps the
    dict's advice (negative control)."""
    dw, dx = np.arange(15.0).reshape(3, 5), np.ones((4, 3))
    siblings = {"gradient of W (dW)": dw}
    layer = Evidence("dx", dw.copy(), dx, TOL, "gradient of x", "Affine.backward", 4, {}, False, siblings)
    finding = diagnose(dataclasses.replace(layer, family="layers"))
    assert finding is not None and "is exactly the gradient of W (dW)" in finding.hint
    assert "returns it as dx" in finding.hint and "gradients dict" not in finding.hint
    assert "the book's dx = np.dot(dout, self.W.T)" in finding.hint
    linear = diagnose(dataclasses.replace(layer, method="Linear.backward", family="miniflow"))
    assert linear is not None and "gradients dict" in linear.hint
    # a layer the book's lines do not cover (Pooling: its backward is several lines) keeps the generic words
    # (negative control; MulLayer's was until s33 gave it its book line)
    pooling = diagnose(dataclasses.replace(layer, method="Pooling.backward", family="layers"))
    assert pooling is not None and "what it returns (dx)" in pooling.hint
    mul = diagnose(dataclasses.replace(layer, method="MulLayer.backward", family="layers"))
    assert (
        mul is not None
        and "MulLayer.backward returns it as dx" in mul.hint
        and "dx = dout * self.y" in mul.hint
    )


# (layer, record key, a phrase of the book's line for that gradient, a phrase of its likely slips)
_BOOK_LINES = [
    ("Affine", "dx", "dx = np.dot(dout, self.W.T)", "np.dot(dout, self.W)"),
    ("Affine", "dW", "self.dW = np.dot(self.x.T, dout)", "np.dot(dout, self.x.T)"),
    ("Affine", "db", "self.db = np.sum(dout, axis=0)", "np.sum(dout, axis=1)"),
    ("Convolution", "dx", "col2im(dcol, self.x.shape", "col2im forgotten"),
    ("Convolution", "dW", "np.dot(self.col.T, dout).transpose(1, 0)", "transpose(1, 0) forgotten"),
    ("Convolution", "db", "self.db = np.sum(dout, axis=0), dout reshaped", "a sum before dout.transpose"),
]


@pytest.mark.parametrize(("layer", "key", "line", "slip"), _BOOK_LINES)
def test_a_wrong_affine_or_convolution_gradient_is_told_which_and_the_books_line(
    layer: str, key: str, line: str, slip: str
) -> None:
    """A wrong value of Affine's or Convolution's own backward that no pattern explains names which of
    dx, self.dW, self.db it is, the book's line for it and the likely slip; the other two gradients' lines
    are not given (s32: "check what it returns (dx) and what it keeps in self.dW and self.db")."""
    expected = np.array([[0.3, -1.2], [2.5, 0.7]])
    got = np.array([[1.1, 0.4], [-0.6, 2.9]])  # no pattern: unknown
    ev = Evidence(key, got, expected, TOL, f"gradient of {key[1:]}", f"{layer}.backward", 2, family="layers")
    finding = diagnose(ev)
    assert finding is not None and finding.code == "unknown"
    assert line in finding.hint and slip in finding.hint
    others = [ln for ly, k, ln, _ in _BOOK_LINES if ly == layer and k != key]
    assert not any(other in finding.hint for other in others)


def test_book_lines_only_for_a_layers_own_backward() -> None:
    """A graph's wrong value may come from another layer: no book line for a dx or a value there; a
    parameter's wrong shape in a graph is its own layer's (the receiver's) and gets it."""
    expected, got = np.array([[0.3, -1.2], [2.5, 0.7]]), np.array([[1.1, 0.4], [-0.6, 2.9]])
    graph = Evidence("dW1", got, expected, TOL, "gradient of W1", "TwoLayerNet.gradient", 2, family="layers")
    value = diagnose(graph)
    assert value is not None and "np.dot(self.x.T, dout)" not in value.hint
    shape = diagnose(dataclasses.replace(graph, got=np.ones((3, 3)), receiver="Convolution"))
    assert shape is not None and shape.code == "wrong_shape" and "np.dot(self.col.T, dout)" in shape.hint
    # a network the case names no layer of (chapter 4's TwoLayerNet: its gradient written from the formulas,
    # no Affine class) is told no Affine line (review of s32-realmix: "it is Affine.backward's self.db")
    bias = dataclasses.replace(
        graph, key="db1", label="gradient of b1", expected=np.zeros(4), got=np.zeros(5)
    )
    ch04 = diagnose(bias)
    assert ch04 is not None and ch04.code == "wrong_shape" and "Affine.backward" not in ch04.hint
    ch05 = diagnose(dataclasses.replace(bias, receiver="Affine"))
    assert ch05 is not None and "it is Affine.backward's self.db" in ch05.hint


def test_a_wrong_gradient_that_is_no_other_ones_keeps_its_own_hint():
    """Negative controls: a wrong shape that matches no other gradient, and a lone number equal to another
    by chance, get the generic advice."""
    other = _grads_typo(DB1 * 2, DB2, {"gradient of b1 (db1)": DB1})
    assert other is not None and other.code == "wrong_shape" and "multiplies and sums" in other.hint
    lone = _grads_typo(np.array([0.7]), np.array([0.2]), {"gradient of b1 (db1)": np.array([0.7])})
    assert lone is not None and "is exactly" not in lone.hint


def test_a_known_shape_mistake_names_its_method():
    """DeZero steps 38 to 40: a gradient handed back in the output's shape keeps its shape diagnosis
    (wrong_shape, transposed) and takes the hint of the mutation that reproduces it, which names the
    function and the fix; without a reproducing mutation the generic shape advice stays (negative control)."""
    expected = np.array([3.0])
    got = np.array([1.0, 1.0, 1.0])
    plain = find(got, expected)
    assert plain.code == "wrong_shape" and "Add.backward" not in plain.hint
    known = find(got, expected, known={"add_no_sum_to": got})
    assert known.code == "wrong_shape" and "Add.backward" in known.hint and "sum_to" in known.hint
    x_grad = np.arange(6.0).reshape(2, 3)
    transposed = find(x_grad.T, x_grad, known={"transpose_not_back": x_grad.T})
    assert transposed.code == "transposed" and "Transpose.backward" in transposed.hint
    assert "matrix product" in find(x_grad.T, x_grad).hint


def test_a_right_shaped_gradient_a_shape_mistake_upstream_made_wrong_names_that_mistake():
    """DeZero's `w * v` with v (1, 1) and Mul.backward lacking sum_to gives v a (1, 4) gradient, which
    Sum.backward (keepdims) spreads over x0 (3, 4): x0's gradient has the right shape and wrong values. When
    a known shape mistake reproduces it, the hint is that mistake's (wrong_shape, naming Mul.backward and the
    methods blame reads); the same values with no reproducing mistake stay unknown (negative control), and
    so does a reproducing mistake of another code (its own detector speaks for it)."""
    expected = np.arange(12.0).reshape(3, 4) - 5.5
    got = expected * np.array([1.0, -2.0, 0.5, 3.0])
    known = find(got, expected, known={"mul_no_sum_to": got})
    assert known.code == "wrong_shape" and "wrong shape upstream" in known.hint
    assert "Mul.backward returns gy * x1" in known.hint and known.blames == "Mul.backward"
    several = find(got, expected, known={"mul_sub_div_no_sum_to": got})
    assert several.blames == "Sub.backward, Mul.backward and Div.backward"
    plain = find(got, expected)
    assert plain.code == "unknown" and "upstream" not in plain.hint
    assert known.mistake == "mul_no_sum_to" and plain.mistake is None  # what blame reads (blame.ON_DATA)
    other = find(got, expected, known={"mul_swapped": got})
    assert other.code == "wrong_derivative" and "upstream" not in other.hint


def test_a_right_shaped_record_a_shape_mistake_made_wrong_claims_no_broadcast_and_no_gradient_of_a_value():
    """Review of s21-real2 (finding 4): the hint said "a gradient of the wrong shape upstream was broadcast
    into it" where a Reshape and a Transpose brought the shape back (no broadcast), and on a forward value
    (SumTo without its lead axes, added to a (2, 3) array: no gradient at all). A gradient is told a later
    backward brought the shape back; a forward value is told a value earlier in the forward pass did (the
    mistake's hint follows either way); a wrong-shaped record keeps its shape wording (control)."""
    expected = np.arange(6.0).reshape(2, 3) - 2.5
    got = expected + np.array([1.0, -2.0, 0.5])
    grad = find(got, expected, known={"reshape_shape_kept": got})
    assert grad.code == "wrong_shape" and "broadcast" not in grad.hint.split(":")[1], grad.hint
    assert (
        "a gradient of the wrong shape upstream came back to the right shape through a later backward"
        in grad.hint
    )
    ev = Evidence(
        "y", got, expected, TOL, "forward value of y", "Add.forward", None, {"sum_to_no_lead": got}, True
    )
    value = diagnose(ev)
    assert value.code == "wrong_shape" and "gradient" not in value.hint.split("):")[0], value.hint
    assert "a value of the wrong shape earlier in the forward pass came back to the right shape" in value.hint
    assert "SumTo.forward" in value.hint
    shaped = find(got.T, expected, known={"reshape_shape_kept": got.T})
    assert "came back" not in shaped.hint and "has shape (3, 2), expected (2, 3)" in shaped.hint


def test_a_bias_gradient_per_sample_names_the_known_add_mistake():
    """DeZero's step-42 `matmul(x, W) + b` with Add.backward lacking sum_to gives b one row per sample: still
    not_reduced, but the hint names Add.backward and sum_to (the student writes no bias sum of their own);
    a per-sample bias no known mistake reproduces keeps the batch-sum advice (negative control)."""
    known = find(PER_SAMPLE, BIAS, n=3, known={"add_no_sum_to": PER_SAMPLE})
    assert known.code == "not_reduced" and "Add.backward" in known.hint and "sum_to" in known.hint
    assert "has one row per sample (shape (3, 2), expected (2,))" in known.hint
    plain = find(PER_SAMPLE, BIAS, n=3)
    assert plain.code == "not_reduced" and "Add.backward" not in plain.hint and "axis 0" in plain.hint


def test_a_known_shape_mistake_wins_over_the_length_one_axis_advice():
    """x1 (4,) added to a (1, 4) sum by an Add.backward without sum_to gets (1, 4): the hint names
    Add.backward and sum_to, not keepdims; the same shapes with no reproducing mutation keep the keepdims
    advice (negative control)."""
    expected = np.array([1.0, 2.0, 3.0, 4.0])
    got = expected.reshape(1, 4)
    known = find(got, expected, known={"add_no_sum_to": got})
    assert known.code == "wrong_shape" and "Add.backward" in known.hint and "keepdims" not in known.hint
    plain = find(got, expected)
    assert plain.code == "wrong_shape" and "keepdims" in plain.hint and "Add.backward" not in plain.hint


def test_a_forward_value_of_a_known_shape_mistake_names_it():
    """Convolution.forward sizing out_h without the padding returns the right output's first rows and
    columns, (1, 1, 3, 3) for (1, 1, 5, 5): the hint is that known mistake's (dlfs-advanced's ops module);
    the same shapes with no reproducing mistake keep the forward-value advice (negative control)."""
    load_extension(
        Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "ops.py", source="dlfs-advanced"
    )
    expected = np.arange(25.0).reshape(1, 1, 5, 5)
    got = expected[:, :, :3, :3]

    def forward(known=None):
        return diagnose(
            Evidence("out", got, expected, TOL, "forward value", "Convolution.forward", 1, known or {}, True)
        )

    with_known = forward({"dlfs-advanced:conv_out_size_unpadded": got})
    assert with_known.code == "wrong_shape", with_known
    assert (
        "has shape (1, 1, 3, 3), expected (1, 1, 5, 5): Convolution.forward leaves the padding"
        in with_known.hint
    )
    plain = forward()
    assert plain.code == "wrong_shape" and "a forward value, not a gradient" in plain.hint
    assert "padding" not in plain.hint


def test_zeros_a_known_mistake_gives_are_said_with_that_mistake():
    """DeZero's x.grad = gx keeps the last use's gradient: Rosenbrock's x0 at 0 gets the 0 of x0 ** 2 and
    loses the -2 of (x0 - 1). The zeros are that mistake's, not 'never puts the upstream gradient into it';
    without a known mistake that fits, the generic wording stays (negative control)."""
    zeros, want = np.array(-0.0), np.array(-2.0)
    finding = find(zeros, want, known={"overwrite_not_accumulate": np.array(0.0)})
    assert finding is not None and finding.code == "zero_or_missing"
    assert "x.grad = x.grad + gx" in finding.hint and "never puts" not in finding.hint
    other = find(zeros, want, known={"overwrite_not_accumulate": np.array(-4.0)})
    assert other is not None and "never puts the upstream gradient" in other.hint


def test_a_gradient_that_is_the_parameters_own_value_is_told_so():
    """grads['W1'] = self.layers['Affine1'].W (the .d forgotten): the record is W1's value exactly; told so
    (still unknown: a fact, not a pattern). A value that differs, or a single number, is not."""
    param = EXP + 10.0
    ev = Evidence(
        "dW1", param.copy(), EXP, TOL, "gradient of W1", "TwoLayerNet.gradient", 4, {}, of_value=("W1", param)
    )
    finding = diagnose(ev)
    assert finding is not None and finding.code == "unknown"
    assert "is exactly the value of W1 itself, not its gradient" in finding.hint
    other = Evidence(
        "dW1", param + 1, EXP, TOL, "gradient of W1", "TwoLayerNet.gradient", 4, {}, of_value=("W1", param)
    )
    assert "itself" not in diagnose(other).hint
    one = Evidence(
        "db",
        np.array([3.0]),
        np.array([1.0]),
        TOL,
        "gradient of b",
        "m",
        4,
        {},
        of_value=("b", np.array([3.0])),
    )
    assert "itself" not in diagnose(one).hint


def test_nan_where_a_known_mistake_has_nan_is_told_that_mistake():
    """AdaGrad without its 1e-7 gives 0 / 0 = NaN where a gradient is always 0, and values_match never
    equates NaN: the NaN diagnosis names the known mistake whose NaN sit in the same places and whose other
    values are the record's. Controls: a NaN elsewhere, or other finite values, keeps the generic advice."""
    load_extension(
        Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "ops.py", source="dlfs-advanced"
    )
    expected = np.array([[1.0, -0.91], [0.5, 2.0]])
    wrong = np.array([[1.0, np.nan], [0.5, 2.0]])
    known = {"dlfs-advanced:adagrad_no_eps": wrong}

    def find_update(got):
        ev = Evidence("W1", got, expected, TOL, "params['W1']", "AdaGrad.update", None, known, True)
        return diagnose(ev)

    named = find_update(wrong.copy())
    assert named is not None and named.code == "nan_or_inf"
    assert "(1 of 4 elements): AdaGrad.update divides by np.sqrt(self.h[key])" in named.hint
    for other in (np.array([[np.nan, -0.91], [0.5, 2.0]]), np.array([[1.5, np.nan], [0.5, 2.0]])):
        generic = find_update(other)
        assert generic is not None and generic.code == "nan_or_inf"
        assert "look for a division by zero" in generic.hint and "1e-7" not in generic.hint


def test_an_all_nan_record_is_told_a_known_all_nan_mistake_as_one_possibility():
    """Review of s21-adv, finding 8: every value NaN matched Adam's `self.iter` left at 0 (params *= nan), so
    Adam with self.beta2 * self.iter (it counts) was told "computes lr_t with self.iter at 0". An all-NaN
    record now gets that mistake as one that does this, to check; a partly NaN one (AdaGrad without eps,
    above) keeps the plain naming."""
    load_extension(
        Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "ops.py", source="dlfs-advanced"
    )
    expected = np.array([[1.0, -0.91], [0.5, 2.0]])
    nan = np.full((2, 2), np.nan)
    ev = Evidence(
        "W1", nan.copy(), expected, TOL, "params['W1']", "Adam.update", None,
        {"dlfs-advanced:adam_iter_not_incremented": nan}, True,
    )  # fmt: skip
    told = diagnose(ev)
    assert told is not None and told.code == "nan_or_inf"
    assert (
        "every element is NaN or inf; one mistake that does this (check it is yours): Adam.update"
        in told.hint
    )
    assert "self.iter at 0" in told.hint


def test_a_contradicted_mistake_gives_way_to_one_no_record_contradicts_or_to_a_smaller_one():
    """A student who dropped sum_to from Add.backward and Mul.backward only: x0's gradient in a graph of add
    and mul is what mul_no_sum_to gives, and what arith_no_sum_to gives too (its Sub and Div never ran), and
    support ranked arith_no_sum_to first (it also fits x1's): the hint said Sub.backward and Div.backward
    return step 35's gradients, which a record of a graph with Sub contradicts. A fit some record contradicts
    gives way to a later fit none contradicts, else to the smallest fit whose changes its own contain.
    Controls: an uncontradicted first fit stays (the student who dropped all four); a value only the larger
    mistake gives keeps it; two fits neither containing the other keep the ranking's order."""

    def named(known: dict[str, np.ndarray], against: set[str]) -> str:
        ev = Evidence("dx0", got, expected, TOL, "gradient of x0", "Variable.backward", 4, known)
        return diagnose(dataclasses.replace(ev, contradicted=frozenset(against))).blames

    expected = np.arange(12.0).reshape(3, 4) - 5.5
    got = expected * np.array([1.0, -2.0, 0.5, 3.0])
    other = got + 1.0
    fits = {"arith_no_sum_to": got, "mul_sub_div_no_sum_to": got, "mul_no_sum_to": got}
    assert named(fits, set(fits)) == "Mul.backward"  # all contradicted: the smallest
    assert named(fits, {"arith_no_sum_to", "mul_no_sum_to"}) == "Sub.backward, Mul.backward and Div.backward"
    assert named(fits, set()).startswith("Add.backward, Sub.backward")  # none contradicted: as ranked
    only_larger = {"arith_no_sum_to": got, "mul_no_sum_to": other}
    assert named(only_larger, set(only_larger)).startswith("Add.backward, Sub.backward")
    crossed = {"add_no_sum_to": got, "mul_no_sum_to": got}
    assert named(crossed, set(crossed)) == "Add.backward"  # neither contains the other: ranking order
    from grader.judge.mutations import mutation_parts

    assert mutation_parts("mul_no_sum_to") == frozenset({"vjp:mul"})
    assert mutation_parts("mul_no_sum_to") < (mutation_parts("arith_no_sum_to") or frozenset())
    assert mutation_parts("overwrite_not_accumulate") is None and mutation_parts("wrong_shape") is None


def test_a_batchnorm_gradient_missing_from_a_networks_grads_names_the_books_line():
    """MultiLayerNetExtend.gradient without grads['gamma1'] (sample mlnx_grads_without_bn.py): the record is
    zero_or_missing naming the key and the BatchNorm line; another method's or a weight's missing gradient
    (controls) keeps the generic "must compute it"."""
    expected = np.ones(3)

    def hint(key, method):
        found = diagnose(Evidence(key, None, expected, TOL, f"gradient of {key[1:]}", method, 4, {}))
        assert found is not None and found.code == "zero_or_missing"
        return found.hint

    gamma = hint("dgamma1", "MultiLayerNetExtend.gradient")
    assert "grads has no 'gamma1'" in gamma and "self.layers['BatchNorm' + str(idx)].dgamma (idx 1" in gamma
    assert "grads has no 'beta2'" in hint("dbeta2", "MultiLayerNetExtend.gradient")
    for key, method in (("dW1", "MultiLayerNetExtend.gradient"), ("dgamma1", "MultiLayerNet.gradient")):
        assert hint(key, method).endswith("must compute it and store or return it")


def test_a_contradicted_mistake_is_not_named_for_a_none_it_predicts():
    """An Add.backward without `return` leaves t.grad None in retain-grad-kept, which add_one_gradient
    (Add.backward returning gy alone) predicts too, though dx0, None as well, contradicts it: the hint said
    "returns one gradient (gy) for two inputs" (sample submissions/dezero/step24_add_no_return.py). A None
    no longer takes a contradicted mistake; controls: uncontradicted, the None still names it (the sample
    add_one_gradient.py), and a contradicted mistake that reproduces an array is named as before. The
    contradiction must be this case's own None (`none_against`): contradicted only by other cases (a second
    bug, sample add_one_gradient_square_half.py), the None still names it."""
    ev = Evidence("dt", None, np.ones(3), TOL, "t.grad with retain_grad=True", "Variable.backward", None,
                  {"add_one_gradient": None}, contradicted=frozenset({"add_one_gradient"}))  # fmt: skip
    own = none_against({"add_one_gradient": {"dt": None, "dx0": 1.0}}, {"dt": None, "dx0": None})
    assert own == {"add_one_gradient"}
    told = diagnose(dataclasses.replace(ev, none_against=own))
    assert told is not None and told.code == "zero_or_missing"
    assert "returns one gradient" not in told.hint
    for other in (ev, dataclasses.replace(ev, contradicted=frozenset())):
        told = diagnose(other)
        assert told is not None and "returns one gradient (gy)" in told.hint
    assert not none_against({"add_one_gradient": {"dt": None, "dx0": 1.0}}, {"dt": None, "dx0": 2.0})
    twice = Evidence("dx", np.full(3, 2.0), np.ones(3), TOL, "gradient of x", "Variable.backward", None,
                     {"add_one_gradient": np.full(3, 2.0)})  # fmt: skip
    told = diagnose(dataclasses.replace(twice, contradicted=frozenset({"add_one_gradient"})))
    assert told is not None and "returns one gradient (gy)" in told.hint


def test_a_gradient_with_the_right_values_in_another_shape_is_told_to_restore_the_shape():
    """dx of a 4-D input handed back flat, (2, 12) for (2, 3, 2, 2), every value in order: the input's shape
    was not restored (the book's Affine: dx.reshape(*self.original_x_shape)), not "check the axes"."""
    exp = np.arange(1.0, 25.0).reshape(2, 3, 2, 2)
    finding = diagnose(
        Evidence("dx", exp.reshape(2, 12), exp, TOL, "gradient of x", "Affine.backward", 2, {})
    )
    assert finding is not None and finding.code == "wrong_shape"
    assert "was not restored" in finding.hint and "dx.reshape(*self.original_x_shape)" in finding.hint
    assert "check the axes" not in finding.hint


def test_other_values_in_another_shape_keep_the_axes_advice():
    """Negative control: the same shape, values not the answer's in order (a product over the wrong axes)."""
    exp = np.arange(1.0, 25.0).reshape(2, 3, 2, 2)
    got = exp.reshape(2, 12)[:, ::-1].copy()
    finding = diagnose(Evidence("dx", got, exp, TOL, "gradient of x", "Affine.backward", 2, {}))
    assert finding is not None and finding.code == "wrong_shape"
    assert "check the axes" in finding.hint and "was not restored" not in finding.hint


def _layer_records() -> list[tuple[str, str, np.ndarray, np.ndarray, str, str]]:
    """(layer, key, expected, got, the book's line, the slip) for each layer of the book whose backward has a
    line to compare with: `expected` from the book's formula computed here, `got` from that layer mutated as
    students do (ch05/layer_naive.py, common/layers.py)."""
    rng = np.random.default_rng(33)
    x, y, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    out = 1 / (1 + np.exp(-x))
    t = np.eye(4)[[0, 2, 1]]
    soft = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    xn = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-7)
    mask, redrawn = rng.random((3, 4)) > 0.5, rng.random((3, 4)) > 0.5  # redrawn and scaled by 1 / (1 - 0.5)
    return [
        ("Relu", "dx", dout * (x > 0), dout * x, "dout[self.mask] = 0", "the mask taken from dout"),
        (
            "Sigmoid",
            "dx",
            dout * (1 - out) * out,
            dout * (1 - x) * x,
            "dout * (1.0 - self.out)",
            "from forward's input",
        ),
        ("SoftmaxWithLoss", "dx", (soft - t) / 3, soft / 3, "(self.y - self.t) / batch_size", "the sign"),
        ("MulLayer", "dx", dout * y, dout * x, "dx = dout * self.y", "dx and dy swapped"),
        ("MulLayer", "dy", dout * x, dout * y, "dy = dout * self.x", "dx and dy swapped"),
        ("AddLayer", "dx", dout, dout * y, "dx = dout * 1", "MulLayer's line"),
        ("AddLayer", "dy", dout, dout * x, "dy = dout * 1", "MulLayer's line"),
        (
            "BatchNormalization",
            "dgamma",
            (xn * dout).sum(axis=0),
            dout.sum(axis=0),
            "self.dgamma = np.sum(self.xn * dout, axis=0)",
            "dbeta's line",
        ),
        (
            "BatchNormalization",
            "dbeta",
            dout.sum(axis=0),
            (xn * dout).sum(axis=0),
            "self.dbeta = dout.sum(axis=0)",
            "dgamma's line",
        ),
        ("Dropout", "dx", dout * mask, dout * redrawn / 0.5, "dx = dout * self.mask", "a mask drawn again"),
    ]


@pytest.mark.parametrize(
    ("layer", "key", "expected", "got", "line", "slip"),
    _layer_records(),
    ids=[f"{r[0]}-{r[1]}" for r in _layer_records()],
)
def test_every_layer_with_a_book_line_is_told_it(layer, key, expected, got, line, slip) -> None:
    """A wrong gradient of a mutated Relu, Sigmoid, SoftmaxWithLoss, MulLayer, AddLayer, BatchNormalization
    or Dropout that no pattern explains names which gradient it is and the book's line for it, as Affine's
    and Convolution's did since s32 (s33; they were told the generic "check the derivative"). The line is
    the layer's own: no Affine line, no other gradient's of the same layer."""
    label = f"gradient of {key[1:]}"
    finding = diagnose(Evidence(key, got, expected, TOL, label, f"{layer}.backward", 3, family="layers"))
    assert finding is not None and finding.code == "unknown", finding
    assert f"it is {layer}.backward's" in finding.hint and line in finding.hint and slip in finding.hint
    assert "np.dot(dout, self.W.T)" not in finding.hint
    others = [r[4] for r in _layer_records() if r[0] == layer and r[1] != key]
    assert not any(other in finding.hint for other in others)
