"""reference/multi_layer_net_extend.py (the book's MultiLayerNetExtend with batch normalization) against torch
autograd (torch's own batch_norm, in training and in eval mode with running statistics torch keeps itself)
and central finite differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from reference import multi_layer_net_extend as mlnx

# the layer sizes of the cases: two hidden layers, and three
DEPTHS = [(5, 6, 4, 3), (5, 6, 5, 4, 3)]


def _inputs(
    seed: int = 7, dims: tuple[int, ...] = DEPTHS[0]
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    params: list[np.ndarray] = []
    for k, (a, b) in enumerate(itertools.pairwise(dims)):
        params += [rng.normal(0, 0.6, (a, b)), rng.normal(0, 0.3, b)]
        if k < len(dims) - 2:  # a hidden layer: its BatchNorm's gamma and beta
            params += [rng.normal(1.0, 0.3, b), rng.normal(0, 0.3, b)]
    return rng.normal(size=(4, 5)), np.array([2.0, 0.0, 1.0, 2.0]), params


def _torch_net(torch, x, params, activation, running, *, training):
    """Written here, apart from the reference: torch.nn.functional.batch_norm (momentum 0.1 in torch's
    convention, the book's 0.9; torch's running_var is Bessel-corrected while training, so the book's running
    variance is handed in already computed for eval, `running`), the scores of the net."""
    f = torch.nn.functional
    act = torch.relu if activation == "relu" else torch.sigmoid
    a = x
    n = (len(params) - 2) // 4
    for k in range(n):
        w, b, gamma, beta = params[4 * k : 4 * k + 4]
        h = a @ w + b
        if training:
            h = f.batch_norm(h, None, None, gamma, beta, training=True, eps=mlnx.BN_EPS)
            running[k] = (
                0.1 * (a @ w + b).detach().mean(dim=0),
                0.1 * (a @ w + b).detach().var(dim=0, unbiased=False),
            )
        else:
            h = f.batch_norm(h, running[k][0], running[k][1], gamma, beta, training=False, eps=mlnx.BN_EPS)
        a = act(h)
    return a @ params[-2] + params[-1]


def _torch_loss(torch, scores, t, params, lam):
    labels = torch.tensor(t, dtype=torch.int64)
    rows = torch.arange(len(t))
    exact = -torch.log_softmax(scores, dim=1)[rows, labels].mean()
    book = -torch.log(torch.softmax(scores, dim=1)[rows, labels] + 1e-7).mean()
    n = (len(params) - 2) // 4
    weights = [params[4 * k] for k in range(n)] + [params[-2]]
    return exact + (book - exact).detach() + sum(0.5 * lam * (w**2).sum() for w in weights)


def _torch(x, t, params, activation, lam):
    """The training loss and its gradients, then the loss at test time with the running statistics that
    training forward left (torch's F.batch_norm in eval mode)."""
    torch = pytest.importorskip("torch")
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    xt = torch.tensor(x, dtype=torch.float64)
    running: list = [None] * ((len(params) - 2) // 4)
    train = _torch_loss(
        torch, _torch_net(torch, xt, tensors, activation, running, training=True), t, tensors, lam
    )
    train.backward()
    with torch.no_grad():
        test = _torch_loss(
            torch, _torch_net(torch, xt, tensors, activation, running, training=False), t, tensors, lam
        )
    return train.item(), [p.grad.numpy() for p in tensors], test.item()


@pytest.mark.parametrize("dims", DEPTHS)
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_losses_and_every_gradient_are_torchs(activation, lam, dims):
    """The training loss, every dW, db, dgamma and dbeta, and the test-time loss after that training forward,
    as torch's, at two and three hidden layers."""
    x, t, params = _inputs(dims=dims)
    train, grads, test = _torch(x, t, params, activation, lam)
    np.testing.assert_allclose(mlnx.train_loss(x, t, params, activation, True, lam), train, rtol=1e-12)
    np.testing.assert_allclose(mlnx.inference_loss(x, t, params, activation, True, lam), test, rtol=1e-12)
    for got, want in zip(mlnx.gradient(x, t, params, activation, True, lam), grads, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-13)


def test_test_time_differs_from_training():
    """The negative control of the test-time record: batch statistics at test time give another loss."""
    x, t, params = _inputs()
    assert (
        abs(
            mlnx.inference_loss(x, t, params, "relu", True, 0.1)
            - mlnx.train_loss(x, t, params, "relu", True, 0.1)
        )
        > 0.05
    )


@pytest.mark.parametrize("dims", DEPTHS)
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_gradient_is_the_exact_losss_central_differences(activation, dims):
    """Every element of every gradient (gamma and beta too) against central differences of the exact
    training loss (h = 1e-6)."""
    x, t, params = _inputs(11, dims)
    grads = mlnx.gradient(x, t, params, activation, True, 0.1)

    def loss(moved):
        return mlnx.train_loss(x, t, moved, activation, True, 0.1, book=False)

    for i, p in enumerate(params):
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            moved = [q.copy() for q in params]
            moved[i][idx] += 1e-6
            up = loss(moved)
            moved[i][idx] -= 2e-6
            numeric[idx] = (up - loss(moved)) / 2e-6
        np.testing.assert_allclose(grads[i], numeric, rtol=1e-5, atol=1e-8)


def _ops():
    from pathlib import Path

    from module_files import load_module

    return load_module(
        Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "ops.py", "dlfs_ops"
    )


def _settings(activation):
    return {"activation": activation, "weight_decay_lambda": 0.1, "use_batchnorm": True, "input_size": 5}


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_ops_value_and_gradients_are_the_reference(activation):
    """The op's value is the test-time loss, its vjp the training gradients (the case's records)."""
    x, t, params = _inputs()
    ops = _ops()
    value = ops.mlnx_forward(x, t, *params, **_settings(activation))
    assert float(value) == mlnx.inference_loss(x, t, params, activation, True, 0.1)
    grads = ops.mlnx_vjp(1.0, x, t, *params, y=value, **_settings(activation))[2:]
    for got, want in zip(grads, mlnx.gradient(x, t, params, activation, True, 0.1), strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_test_batch_stats_mistake_is_torchs_training_loss(activation):
    """mlnx_test_batch_stats (predict ignoring train_flg) is torch's loss with F.batch_norm in training mode
    at test time, and apart from the right test-time loss (its negative control)."""
    x, t, params = _inputs()
    train, _, test = _torch(x, t, params, activation, 0.1)
    got = float(_ops().mlnx_test_batch_stats(x, t, *params, **_settings(activation)))
    np.testing.assert_allclose(got, train, rtol=1e-12)
    assert abs(got - test) > 0.01


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_decay_over_bn_params_mistake_is_torchs_loss_of_its_formula(activation):
    """mlnx_decay_over_bn_params is the right test-time loss plus 0.5 * lambda * (sum(gamma ** 2) + sum(beta
    ** 2)) over the BatchNorm layers (torch), and apart from the right one."""
    torch = pytest.importorskip("torch")
    x, t, params = _inputs()
    test = _torch(x, t, params, activation, 0.1)[2]
    bn = [torch.tensor(p) for k in range((len(params) - 2) // 4) for p in params[4 * k + 2 : 4 * k + 4]]
    want = test + float(sum(0.05 * (p**2).sum() for p in bn))
    got = float(_ops().mlnx_decay_over_bn_params(x, t, *params, **_settings(activation)))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert abs(got - test) > 0.01


# torch's running (mean, variance) for each mistake, from a layer's batch statistics: written here apart from
# ops.py's MLNX_RUNNING (running_var from ones; momentum of the new value 0.9; two forwards from zeros)
RUNNING_MISTAKES = {
    "mlnx_running_var_from_ones": lambda mu, var: (0.1 * mu, 0.9 * 1.0 + 0.1 * var),
    "mlnx_running_momentum_swapped": lambda mu, var: (0.1 * 0.0 + 0.9 * mu, 0.1 * 0.0 + 0.9 * var),
    "mlnx_running_two_forwards": lambda mu, var: (0.9 * (0.1 * mu) + 0.1 * mu, 0.9 * (0.1 * var) + 0.1 * var),
}


@pytest.mark.parametrize("mistake", sorted(RUNNING_MISTAKES))
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_running_statistics_mistakes_are_torchs_eval_loss_with_those_statistics(mistake, activation):
    """Each running-statistics mistake is torch's test-time loss (F.batch_norm in eval mode) with the running
    statistics that mistake leaves after one training forward, and apart from the right test-time loss."""
    torch = pytest.importorskip("torch")
    x, t, params = _inputs()
    tensors = [torch.tensor(p, dtype=torch.float64) for p in params]
    xt = torch.tensor(x, dtype=torch.float64)
    running: list = [None] * ((len(params) - 2) // 4)
    _torch_net(torch, xt, tensors, activation, running, training=True)
    moved = [RUNNING_MISTAKES[mistake](mu / 0.1, var / 0.1) for mu, var in running]
    scores = _torch_net(torch, xt, tensors, activation, moved, training=False)
    want = _torch_loss(torch, scores, t, tensors, 0.1).item()
    registered = {m.name: m for op in _ops().OPS for m in op.mistakes}  # what the judge matches
    forward = registered[mistake].forward
    assert forward is not None
    got = float(forward(x, t, *params, **_settings(activation)))
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert abs(got - _torch(x, t, params, activation, 0.1)[2]) > 1e-3


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_numerical_gradient_mistake_replays_its_training_forwards_in_torch(activation):
    """mlnx_gradient_numerical (gradient returning numerical_gradient: s29-realdlfs): its test-time loss is
    torch's eval-mode loss after the book's central differences, two training forwards per params element
    (+h, then -h, in the args' order), each moving the running statistics from zeros (momentum 0.9, variance
    without Bessel's correction); its gradients are the central differences of torch's training loss with
    1e-7 in the log. Negative controls: both apart from the book's (one training forward; backprop)."""
    torch = pytest.importorskip("torch")
    x, t, params = _inputs(dims=(5, 3, 2, 3))  # small: 2 * 37 forwards
    xt = torch.tensor(x, dtype=torch.float64)
    moved = [torch.tensor(p, dtype=torch.float64) for p in params]
    running: list = [(0.0, 0.0)] * ((len(params) - 2) // 4)
    for p in moved:
        flat = p.view(-1)
        for i in range(flat.numel()):
            kept = float(flat[i])
            for value in (kept + 1e-4, kept - 1e-4):
                flat[i] = value
                stats: list = [None] * len(running)
                _torch_net(torch, xt, moved, activation, stats, training=True)  # 0.1 * each statistic
                running = [
                    (0.9 * m + mu, 0.9 * v + var) for (m, v), (mu, var) in zip(running, stats, strict=True)
                ]
            flat[i] = kept
    scores = _torch_net(torch, xt, moved, activation, running, training=False)
    want = _torch_loss(torch, scores, t, moved, 0.1).item()
    mistake = {m.name: m for op in _ops().OPS for m in op.mistakes}["mlnx_gradient_numerical"]
    assert mistake.forward is not None and mistake.vjp is not None
    got = float(mistake.forward(x, t, *params, **_settings(activation)))
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert abs(got - _torch(x, t, params, activation, 0.1)[2]) > 1e-3

    def book_train_loss(ps):
        tensors = [torch.tensor(p, dtype=torch.float64) for p in ps]
        scores = _torch_net(torch, xt, tensors, activation, [None] * len(running), training=True)
        rows = torch.arange(len(t))
        labels = torch.tensor(t, dtype=torch.int64)
        book = -torch.log(torch.softmax(scores, dim=1)[rows, labels] + 1e-7).mean()
        weights = [tensors[4 * k] for k in range(len(running))] + [tensors[-2]]
        return float(book + sum(0.05 * (w**2).sum() for w in weights))

    grads = mistake.vjp(1.0, x, t, *params, y=np.asarray(got), **_settings(activation))[2:]
    backprop = _torch(x, t, params, activation, 0.1)[1]
    for k, (g, right) in enumerate(zip(grads, backprop, strict=True)):
        p = params[k]
        idx = tuple(0 for _ in p.shape)
        up = [q.copy() for q in params]
        down = [q.copy() for q in params]
        up[k][idx] += 1e-4
        down[k][idx] -= 1e-4
        np.testing.assert_allclose(g[idx], (book_train_loss(up) - book_train_loss(down)) / 2e-4, rtol=1e-8)
        assert g.shape == right.shape
    assert any(not np.allclose(g, r, rtol=1e-9, atol=0) for g, r in zip(grads, backprop, strict=True))
