"""DeZero step 47's ops (get_item, softmax, softmax_cross_entropy) and step 49's relu: the reference equals
torch autograd in float64, and each known mistake of a student's step 47, written out here beside the right
code (its negative control), disagrees with torch in the way its diagnosis says."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.judge.diagnose import Evidence, diagnose
from grader.model import Tolerance
from reference.evaluate import run_case
from reference.ops import OPS

torch = pytest.importorskip("torch")

X = np.array([[0.53, -1.21], [0.88, 1.47], [-0.36, 0.12]])
INDEX = np.array([0.0, 0.0, 2.0])  # row 0 taken twice
GY_ROWS = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
SCORES = np.array([[0.2, -0.4, 1.1], [1.3, 0.5, -0.7], [-0.6, 0.9, 0.3], [0.4, 0.1, -1.2]])
LABELS = np.array([2.0, 0.0, 1.0, 0.0])
LARGE = np.array([[1000.0, 1001.0, 999.0], [-2.0, 710.0, 712.0]])  # exp(710) overflows float64
TOL = Tolerance(rtol=1e-6, atol=1e-9)  # fixtures/dezero/manifest.json's
SCE_BACKWARD = "SoftmaxCrossEntropy.backward"
GY_SCORES = np.array([[1.1, -0.4, 0.7], [0.25, -1.3, 0.6], [0.9, -0.3, 0.5], [-0.8, 0.2, 1.4]])


def _torch_vjp(fn, x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(tx)
    y.backward(torch.tensor(g, dtype=torch.float64))
    return y.detach().numpy(), tx.grad.numpy()


def _reference(name: str, x: np.ndarray, g: np.ndarray, *rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    op = OPS[name]
    y = op.forward(x, *rest)
    return y, op.vjp(g, x, *rest, y=y)[0]


def test_get_item_and_its_gradient_equal_torch_with_a_repeated_index():
    """x[[0, 0, 2]]: the value and gx, where row 0 collects the gradients of both rows that took it."""
    want_y, want_gx = _torch_vjp(lambda t: t[torch.tensor([0, 0, 2])], X, GY_ROWS)
    y, gx = _reference("get_item", X, GY_ROWS, INDEX)
    np.testing.assert_allclose(y, want_y, rtol=1e-15)
    np.testing.assert_allclose(gx, want_gx, rtol=1e-15)
    np.testing.assert_allclose(gx, [[4.0, 6.0], [0.0, 0.0], [5.0, 6.0]], rtol=1e-15)


def test_get_item_of_one_integer_drops_the_axis_as_numpy_does():
    """get_item(x, 1) is x[1], shape (2,); its gradient fills row 1 only."""
    want_y, want_gx = _torch_vjp(lambda t: t[1], X, np.array([0.5, -2.0]))
    y, gx = _reference("get_item", X, np.array([0.5, -2.0]), np.array(1.0))
    np.testing.assert_allclose(y, want_y, rtol=1e-15)
    np.testing.assert_allclose(gx, want_gx, rtol=1e-15)


def test_get_item_grad_assigned_instead_of_added_loses_a_repeated_row():
    """The known mistake get_item_grad_assigned (reference/mutations.py: GetItemGrad writing gx[slices] = gy,
    without np.add.at): row 0 keeps the last gradient written to it, [3, 4], where torch sums both, [4, 6];
    the rows taken once are right, so only a repeated index shows it."""
    _, want_gx = _torch_vjp(lambda t: t[torch.tensor([0, 0, 2])], X, GY_ROWS)
    item = {"x": X, "i": INDEX, "gy": GY_ROWS}
    steps = _case("get_item", ["x", "i"], "gy")
    np.testing.assert_allclose(run_case("dezero", item, steps)["dx"], want_gx, rtol=1e-15)
    wrong = run_case("dezero", item, steps, mutation="get_item_grad_assigned")["dx"]
    np.testing.assert_allclose(wrong[0], [3.0, 4.0])
    assert not np.allclose(wrong, want_gx)
    np.testing.assert_allclose(wrong[1:], want_gx[1:], rtol=1e-15)


def test_softmax_over_rows_and_its_gradient_equal_torch():
    """softmax(x) over axis 1, gy not ones."""
    want_y, want_gx = _torch_vjp(lambda t: torch.softmax(t, dim=1), SCORES, GY_SCORES)
    y, gx = _reference("softmax", SCORES, GY_SCORES)
    np.testing.assert_allclose(y, want_y, rtol=1e-14)
    np.testing.assert_allclose(gx, want_gx, rtol=1e-12, atol=1e-15)


def test_softmax_of_large_logits_is_finite_with_the_max_shift_and_nan_without():
    """Logits of 1000 and 712: the reference (max subtracted first) equals torch; the book's softmax_simple
    written without the shift, exp(x) / sum(exp(x)), is inf / inf = nan wherever exp overflowed."""
    want_y, want_gx = _torch_vjp(lambda t: torch.softmax(t, dim=1), LARGE, np.array([[1.0, -1.0, 0.5]] * 2))
    y, gx = _reference("softmax", LARGE, np.array([[1.0, -1.0, 0.5]] * 2))
    np.testing.assert_allclose(y, want_y, rtol=1e-14)
    np.testing.assert_allclose(gx, want_gx, rtol=1e-12, atol=1e-15)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(LARGE)
        unshifted = e / e.sum(axis=1, keepdims=True)
    assert np.isnan(unshifted[0]).all() and np.isnan(unshifted[1, 1:]).all()


def test_softmax_over_the_wrong_axis_disagrees_with_torch():
    """softmax over axis 0 (columns sum to 1) is not the row-wise softmax: each row of the reference sums to
    1, the mistake's do not."""
    want_y, _ = _torch_vjp(lambda t: torch.softmax(t, dim=1), SCORES, GY_SCORES)
    wrong = OPS["softmax"].forward(SCORES, axis=0)
    np.testing.assert_allclose(wrong.sum(axis=0), np.ones(3), rtol=1e-14)
    assert not np.allclose(wrong, want_y)
    assert not np.allclose(wrong.sum(axis=1), 1.0)


def test_softmax_cross_entropy_and_its_gradient_equal_torch():
    """The mean cross entropy over 4 rows of labels, gy = 1.5: value and gx equal torch's cross_entropy."""
    labels = torch.tensor(LABELS.astype(np.int64))
    want_y, want_gx = _torch_vjp(
        lambda t: torch.nn.functional.cross_entropy(t, labels), SCORES, np.array(1.5)
    )
    y, gx = _reference("softmax_cross_entropy", SCORES, np.array(1.5), LABELS)
    np.testing.assert_allclose(y, want_y, rtol=1e-14)
    np.testing.assert_allclose(gx, want_gx, rtol=1e-12, atol=1e-15)


def test_softmax_cross_entropy_of_large_logits_equals_torch():
    """Logits of 1000: logsumexp keeps the loss finite and equal to torch's (to 1e-12: x - max(x) of numbers
    near 1000 loses the last bits of a loss of 0.27)."""
    labels = torch.tensor([1, 2])
    want_y, want_gx = _torch_vjp(lambda t: torch.nn.functional.cross_entropy(t, labels), LARGE, np.array(1.0))
    y, gx = _reference("softmax_cross_entropy", LARGE, np.array(1.0), np.array([1.0, 2.0]))
    np.testing.assert_allclose(y, want_y, rtol=1e-12)
    np.testing.assert_allclose(gx, want_gx, rtol=1e-12, atol=1e-15)


def _sce_grad_without(n_division: bool, onehot) -> np.ndarray:
    """SoftmaxCrossEntropy.backward as a student wrote it: (softmax(x) - onehot) * gy, / N or not."""
    p = OPS["softmax"].forward(SCORES)
    g = p - onehot
    return g / len(SCORES) if n_division else g


def _sce_torch(gl: float) -> np.ndarray:
    labels = torch.tensor(LABELS.astype(np.int64))
    return _torch_vjp(lambda t: torch.nn.functional.cross_entropy(t, labels), SCORES, np.array(gl))[1]


def test_softmax_cross_entropy_gradient_not_divided_by_n_is_n_times_torch():
    """The mistake gx = (y - onehot) * gy without / N (no mutation: the judge's `scaled` names it): on 4
    rows exactly 4 times torch's gradient, which diagnose() (grader/judge/diagnose.py) calls too large by the
    batch size; the right engine's gradient equals torch's."""
    want_gx = _sce_torch(1.0)
    onehot = np.eye(3)[LABELS.astype(np.int64)]
    scores = {"x": SCORES, "t": LABELS}
    right = run_case("dezero", scores, _case("softmax_cross_entropy", ["x", "t"]))["dx"]
    np.testing.assert_allclose(right, want_gx, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(_sce_grad_without(False, onehot), 4 * want_gx, rtol=1e-12, atol=1e-15)
    evidence = Evidence(
        "dx", _sce_grad_without(False, onehot), want_gx, TOL, "gradient of x", SCE_BACKWARD, 4
    )
    finding = diagnose(evidence)
    assert finding.code == "scaled" and "division by the batch size is missing" in finding.hint
    assert diagnose(dataclasses.replace(evidence, got=right)) is None  # the right one: nothing to tell


def test_softmax_cross_entropy_ignoring_gy_is_torch_at_an_upstream_of_one():
    """The known mistake sce_ignores_gy (review of s23-dz47, finding 1): a backward returning
    (softmax(x) - onehot) / N whatever gy is equals torch's gradient at gy = 1 and differs at gy = 0.4 (2.5
    times it), which is why step47-softmax-cross-entropy seeds the loss with 0.4; at gy = 1 it hides."""
    scores = {"x": SCORES, "t": LABELS, "gl": np.array(0.4), "one": np.array(1.0)}
    at = {gl: _case("softmax_cross_entropy", ["x", "t"], gl) for gl in ("gl", "one")}
    np.testing.assert_allclose(
        run_case("dezero", scores, at["gl"])["dx"], _sce_torch(0.4), rtol=1e-12, atol=1e-15
    )
    wrong = run_case("dezero", scores, at["gl"], mutation="sce_ignores_gy")["dx"]
    np.testing.assert_allclose(wrong, _sce_torch(1.0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(wrong, _sce_torch(0.4) / 0.4, rtol=1e-12, atol=1e-15)
    assert not np.allclose(wrong, _sce_torch(0.4))
    hidden = run_case("dezero", scores, at["one"], mutation="sce_ignores_gy")["dx"]
    np.testing.assert_allclose(hidden, _sce_torch(1.0), rtol=1e-12, atol=1e-15)


def test_softmax_backward_of_the_diagonal_only_disagrees_with_torch():
    """The known mistake softmax_diagonal_only (Softmax.backward returning gy * y * (1 - y)): by hand that
    value, not torch's, whose rows lose sum(y * gy) * y; the right engine equals torch."""
    want_y, want_gx = _torch_vjp(lambda t: torch.softmax(t, dim=1), SCORES, GY_SCORES)
    scores = {"x": SCORES, "gy": GY_SCORES}
    steps = _case("softmax", ["x"], "gy")
    np.testing.assert_allclose(run_case("dezero", scores, steps)["dx"], want_gx, rtol=1e-12, atol=1e-15)
    wrong = run_case("dezero", scores, steps, mutation="softmax_diagonal_only")["dx"]
    np.testing.assert_allclose(wrong, GY_SCORES * want_y * (1 - want_y), rtol=1e-12)
    assert not np.allclose(wrong, want_gx)


def test_one_hot_built_by_columns_disagrees_with_torch():
    """The known mistake sce_onehot_by_columns (`t_onehot[:, t] = 1`, every row gets a 1 at every label any
    row has, where the book writes np.eye(CLS_NUM)[t]): with labels [2, 0, 1, 0] each row is all ones, so
    every row of the gradient sums to -2 / N, where torch's rows sum to 0."""
    want_gx = _sce_torch(1.0)
    wrong = run_case(
        "dezero",
        {"x": SCORES, "t": LABELS},
        _case("softmax_cross_entropy", ["x", "t"]),
        mutation="sce_onehot_by_columns",
    )["dx"]
    np.testing.assert_allclose(wrong, _sce_grad_without(True, np.ones_like(SCORES)), rtol=1e-12)
    assert not np.allclose(wrong, want_gx)
    np.testing.assert_allclose(wrong.sum(axis=1), -2.0 / 4, rtol=1e-12)
    np.testing.assert_allclose(want_gx.sum(axis=1), 0.0, atol=1e-15)


def test_relu_equals_torch_away_from_zero():
    """DeZero's relu (step 49 uses it in its MLP): np.maximum(x, 0), gx = gy * (x > 0)."""
    x = np.array([[0.5, -0.7, 1.2], [-0.2, 0.9, -1.5]])
    g = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    want_y, want_gx = _torch_vjp(torch.relu, x, g)
    y, gx = _reference("relu", x, g)
    np.testing.assert_allclose(y, want_y, rtol=1e-15)
    np.testing.assert_allclose(gx, want_gx, rtol=1e-15)


def _case(op: str, args: list[str], upstream: str | None = None) -> list[dict]:
    back = {"do": "backward", "of": "y", **({"upstream": upstream} if upstream else {})}
    return [
        {"do": "apply", "op": op, "args": args, "out": "y"},
        back,
        {"do": "record", "key": "value", "value_of": "y"},
        {"do": "record", "key": "dx", "grad_of": "x"},
    ]


def test_the_known_mistakes_reproduce_the_wrong_values_written_above():
    """The mutations the judge names (reference/mutations.py) give the wrong gradients worked out above, and
    the right engine does not: get_item_grad_assigned's row 0 is [3, 4], softmax_axis0's columns sum to 1,
    sce_onehot_by_columns subtracts a one-hot of all ones."""
    item = {"x": X, "i": INDEX, "gy": GY_ROWS}
    wrong = run_case("dezero", item, _case("get_item", ["x", "i"], "gy"), mutation="get_item_grad_assigned")
    np.testing.assert_allclose(wrong["dx"], [[3.0, 4.0], [0.0, 0.0], [5.0, 6.0]], rtol=1e-15)
    scores = {"x": SCORES, "gy": GY_SCORES, "t": LABELS}
    wrong = run_case("dezero", scores, _case("softmax", ["x"], "gy"), mutation="softmax_axis0")
    np.testing.assert_allclose(wrong["value"].sum(axis=0), np.ones(3), rtol=1e-14)
    right = run_case("dezero", scores, _case("softmax", ["x"], "gy"))
    np.testing.assert_allclose(right["value"].sum(axis=1), np.ones(4), rtol=1e-14)
    sce = _case("softmax_cross_entropy", ["x", "t"])
    columns = np.ones_like(SCORES)  # labels [2, 0, 1, 0] cover every class: every row all ones
    wrong = run_case("dezero", scores, sce, mutation="sce_onehot_by_columns")
    np.testing.assert_allclose(wrong["dx"], _sce_grad_without(True, columns), rtol=1e-12)
    np.testing.assert_allclose(
        run_case("dezero", scores, sce)["dx"], _sce_grad_without(True, np.eye(3)[[2, 0, 1, 0]])
    )
