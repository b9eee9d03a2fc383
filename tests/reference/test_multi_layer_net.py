"""reference/multi_layer_net.py (the book's MultiLayerNet with weight decay) against torch autograd and
central finite differences, and the weight-decay mistakes of fixtures/dlfs-advanced/ops.py, each equal to
torch's loss or gradient of the formula the mistake writes and apart from the right one (its negative
control)."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from module_files import load_module

from reference import multi_layer_net as mln

OPS = Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "ops.py"
SIZES = {"input_size": 5, "hidden_size_list": [6, 4], "output_size": 3, "weight_init_std": 0.01}


def _ops() -> ModuleType:
    return load_module(OPS, "dlfs_advanced_ops")


# the layer sizes of the cases: two hidden layers, and three (review of s22-adv, finding 5: every case had
# two, and a net hard-wired to that depth scored full marks)
DEPTHS = [(5, 6, 4, 3), (5, 6, 5, 4, 3)]


def _inputs(
    seed: int = 7, dims: tuple[int, ...] = DEPTHS[0]
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    params: list[np.ndarray] = []
    for a, b in itertools.pairwise(dims):
        params += [rng.normal(0, 0.6, (a, b)), rng.normal(0, 0.3, b)]
    return rng.normal(size=(4, 5)), np.array([2.0, 0.0, 1.0, 2.0]), params


def _torch_loss(torch, x, t, params, activation, *, weights=0.0, biases=0.0):
    """Written here, apart from ops.py: the data loss with the book's 1e-7 in the log, its gradient the exact
    loss's, plus weights * sum(W ** 2) and biases * sum(b ** 2)."""
    act = torch.relu if activation == "relu" else torch.sigmoid
    a = x
    for k in range(0, len(params), 2):
        a = a @ params[k] + params[k + 1]
        if k < len(params) - 2:
            a = act(a)
    labels = torch.tensor(t, dtype=torch.int64)
    rows = torch.arange(len(t))
    exact = -torch.log_softmax(a, dim=1)[rows, labels].mean()
    book = -torch.log(torch.softmax(a, dim=1)[rows, labels] + 1e-7).mean()
    penalty = sum(weights * (w**2).sum() for w in params[0::2]) + sum(
        biases * (b**2).sum() for b in params[1::2]
    )
    return exact + (book - exact).detach() + penalty


def _torch(x, t, params, activation, **decay):
    torch = pytest.importorskip("torch")
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    loss = _torch_loss(torch, torch.tensor(x, dtype=torch.float64), t, tensors, activation, **decay)
    loss.backward()
    return loss.item(), [p.grad.numpy() for p in tensors]


@pytest.mark.parametrize("dims", DEPTHS)
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_loss_and_every_gradient_are_torchs(activation, lam, dims):
    """loss = data loss + 0.5 * lambda * sum(W ** 2) over every W; every dW and db as torch's autograd, at
    two and three hidden layers."""
    x, t, params = _inputs(dims=dims)
    assert len(params) == 2 * (len(dims) - 1)
    loss, grads = _torch(x, t, params, activation, weights=0.5 * lam)
    np.testing.assert_allclose(mln.loss(x, t, params, activation, lam), loss, rtol=1e-13)
    for got, want in zip(mln.gradient(x, t, params, activation, lam), grads, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("dims", DEPTHS)
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_gradient_is_the_exact_losss_central_differences(activation, dims):
    """Every element of every gradient against central differences of exact_loss (h = 1e-6), at two and
    three hidden layers."""
    x, t, params = _inputs(11, dims)
    grads = mln.gradient(x, t, params, activation, 0.1)
    for i, p in enumerate(params):
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            moved = [q.copy() for q in params]
            moved[i][idx] += 1e-6
            up = mln.exact_loss(x, t, moved, activation, 0.1)
            moved[i][idx] -= 2e-6
            numeric[idx] = (up - mln.exact_loss(x, t, moved, activation, 0.1)) / 2e-6
        np.testing.assert_allclose(grads[i], numeric, rtol=1e-6, atol=1e-8)


# mistake -> (ops function, what it changes, torch's decay terms for that formula)
LOSS_MISTAKES = {
    "mln_decay_not_in_loss": {},
    "mln_decay_without_half": {"weights": 0.1},
    "mln_decay_over_biases": {"weights": 0.05, "biases": 0.05},
}
GRAD_MISTAKES = {
    "mln_decay_not_in_dw": {},
    "mln_decay_in_db_too": {"weights": 0.05, "biases": 0.05},
    "mln_decay_on_db_not_dw": {"biases": 0.05},
}
# the gradients (W1, b1, W2, b2, W3, b3 by position) each mistake changes
CHANGED = {
    "mln_decay_not_in_dw": [0, 2, 4],
    "mln_decay_in_db_too": [1, 3, 5],
    "mln_decay_on_db_not_dw": list(range(6)),
}


@pytest.mark.parametrize("name", sorted(LOSS_MISTAKES))
def test_loss_mistakes_are_torchs_loss_of_their_formula(name):
    """Each loss mistake at lambda 0.1 is torch's loss with the decay it writes, and not the right loss; at
    lambda 0 it is the right loss (so a case without decay cannot tell it)."""
    ops = _ops()
    x, t, params = _inputs()
    settings = {**SIZES, "activation": "sigmoid"}
    got = float(getattr(ops, name)(x, t, *params, weight_decay_lambda=0.1, **settings))
    np.testing.assert_allclose(got, _torch(x, t, params, "sigmoid", **LOSS_MISTAKES[name])[0], rtol=1e-13)
    right = float(ops.mln_forward(x, t, *params, weight_decay_lambda=0.1, **settings))
    assert abs(got - right) > 1e-2
    none = float(getattr(ops, name)(x, t, *params, weight_decay_lambda=0.0, **settings))
    np.testing.assert_allclose(
        none, float(ops.mln_forward(x, t, *params, weight_decay_lambda=0.0, **settings))
    )


@pytest.mark.parametrize("name", sorted(GRAD_MISTAKES))
def test_gradient_mistakes_are_torchs_gradient_of_their_formula(name):
    """Each gradient mistake at lambda 0.1 is torch's gradient of the loss whose decay it differentiates, and
    differs from the right gradient exactly on the gradients it changes (the W, the b, or both)."""
    ops = _ops()
    x, t, params = _inputs()
    settings = {**SIZES, "activation": "relu"}
    loss = ops.mln_forward(x, t, *params, weight_decay_lambda=0.1, **settings)
    got = getattr(ops, name)(np.float64(1.0), x, t, *params, y=loss, weight_decay_lambda=0.1, **settings)[2:]
    right = ops.mln_vjp(np.float64(1.0), x, t, *params, y=loss, weight_decay_lambda=0.1, **settings)[2:]
    for g, want in zip(got, _torch(x, t, params, "relu", **GRAD_MISTAKES[name])[1], strict=True):
        np.testing.assert_allclose(g, want, rtol=1e-10, atol=1e-14)
    changed = [i for i, (g, r) in enumerate(zip(got, right, strict=True)) if not np.allclose(g, r, atol=1e-6)]
    assert changed == CHANGED[name]


def test_the_deep_case_is_the_ops_on_three_hidden_layers():
    """multi-layer-net-deep-relu-decay's stored expected values (built by `grader fixtures build`, where the
    reference, torch and finite differences agreed) are the ops' loss and gradient of its own inputs: a net
    of three hidden layers, W1..b4, which MLN_KEYS names (the adapter holds the first as many as a case
    gives)."""
    import json

    ops = _ops()
    case = json.loads((OPS.parent / "cases" / "multi-layer-net-deep-relu-decay.json").read_text("utf-8"))
    step = case["steps"][0]
    assert step["settings"]["hidden_size_list"] == [6, 5, 4]
    names = step["args"]
    assert tuple(names[2:]) == ops.MLN_KEYS
    arrays = [
        np.asarray(case["inputs"][n]["data"], dtype=np.float64).reshape(case["inputs"][n]["shape"])
        for n in names
    ]
    settings = step["settings"]
    loss = ops.mln_forward(*arrays, **settings)
    np.testing.assert_allclose(loss, np.asarray(case["expected"]["loss"]["data"]), rtol=1e-12)
    grads = ops.mln_vjp(np.float64(1.0), *arrays, y=loss, **settings)[2:]
    for name, g in zip(names[2:], grads, strict=True):
        want = case["expected"]["d" + name]
        np.testing.assert_allclose(g, np.asarray(want["data"]).reshape(want["shape"]), rtol=1e-10, atol=1e-14)
