"""reference.optimizers, the book's common/optimizer.py rules: proven against torch.optim where torch has the
same rule (each test says how torch's differs in form and why the numbers agree), by hand otherwise; and the
dlfs-advanced ops that grade them (fixtures/dlfs-advanced/ops.py): their torch oracle, and each known
mistake worked by hand beside the right values (its negative control)."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from module_files import load_module

from reference import optimizers
from reference.optimizers import AdaGrad, Adam, Momentum, Nesterov, RMSprop, run

torch = pytest.importorskip("torch")

OPS = Path(__file__).resolve().parents[2] / "fixtures" / "dlfs-advanced" / "ops.py"
RNG = np.random.default_rng(21)
KEYS = ["W1", "b1", "W2"]
PARAMS = [RNG.standard_normal((2, 3)), RNG.standard_normal(3), RNG.standard_normal((3, 2))]
GRADS = [[RNG.standard_normal(p.shape) for p in PARAMS] for _ in range(4)]


def _ops() -> ModuleType:
    return load_module(OPS, "dlfs_advanced_ops")


def _torch_steps(make, grads=GRADS, before=lambda opt, t: None) -> list[np.ndarray]:
    """torch.optim's optimizer `make(params)` stepped once per entry of grads; the params after."""
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in PARAMS]
    opt = make(params)
    for t, step in enumerate(grads, start=1):
        for p, g in zip(params, step, strict=True):
            p.grad = torch.tensor(g, dtype=torch.float64)
        before(opt, t)
        opt.step()
    return [p.detach().numpy() for p in params]


def _ours(cls, grads=GRADS, **hyper) -> list[np.ndarray]:
    out = run(cls, [*PARAMS, *(g for step in grads for g in step)], keys=KEYS, **hyper)
    return [out[k] for k in KEYS]


def _close(ours, theirs, rtol=1e-13) -> None:
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-15)


def test_the_defaults_are_the_books():
    """common/optimizer.py's constructors: SGD(lr=0.01), Momentum and Nesterov(lr=0.01, momentum=0.9),
    AdaGrad(lr=0.01), RMSprop(lr=0.01, decay_rate=0.99), Adam(lr=0.001, beta1=0.9, beta2=0.999)."""
    defaults = {
        name: {k: p.default for k, p in inspect.signature(cls).parameters.items()}
        for name, cls in optimizers.OPTIMIZERS.items()
    }
    assert defaults == {
        "SGD": {"lr": 0.01},
        "Momentum": {"lr": 0.01, "momentum": 0.9},
        "Nesterov": {"lr": 0.01, "momentum": 0.9},
        "AdaGrad": {"lr": 0.01},
        "RMSprop": {"lr": 0.01, "decay_rate": 0.99},
        "Adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999},
    }


def test_sgd_is_torchs():
    _close(_ours(optimizers.SGD, lr=0.1), _torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.1)))


def test_momentum_is_torchs_sgd_with_momentum_in_its_sign_convention():
    """The book: v = m v - lr g, p += v. torch: buf = m buf + g (buf = g on the first step), p -= lr buf.
    With v = -lr buf the two are one rule at a constant lr (dampening 0)."""
    ours = _ours(Momentum, lr=0.05, momentum=0.8)
    _close(ours, _torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8)))
    # control: the velocity matters (SGD's steps are other numbers)
    assert not np.allclose(ours[0], _ours(optimizers.SGD, lr=0.05)[0])


def test_adagrad_is_torchs_with_the_books_eps():
    """torch: state_sum += g * g, p -= lr g / (sqrt(state_sum) + eps): the book's with eps 1e-7 outside the
    root (torch's default 1e-10; lr_decay 0 and initial_accumulator_value 0 are the book's)."""
    _close(_ours(AdaGrad, lr=0.3), _torch_steps(lambda ps: torch.optim.Adagrad(ps, lr=0.3, eps=1e-7)))


def test_rmsprop_is_torchs_with_alpha_the_decay_rate():
    """torch: sq = alpha sq + (1 - alpha) g * g, p -= lr g / (sqrt(sq) + eps): the book's h with alpha =
    decay_rate and eps 1e-7 outside the root (torch's default 1e-8; not centred, no momentum)."""
    _close(
        _ours(RMSprop, lr=0.02, decay_rate=0.9),
        _torch_steps(lambda ps: torch.optim.RMSprop(ps, lr=0.02, alpha=0.9, eps=1e-7)),
    )


def test_adam_is_torchs_once_torchs_eps_is_placed_where_the_book_puts_it():
    """torch: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps); the book: p -= lr_t * m /
    (sqrt(v) + eps) with lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), that is torch's with eps * sqrt(1 - b2^t) in
    place of eps. Setting torch's eps to 1e-7 / sqrt(1 - b2^t) before each step makes them one rule; with
    torch's eps at 1e-7 (control) they differ, by 3e-6 here where gradient elements are small (0.003,
    0.018): more than the grading tolerance, which is why the graded cases keep their gradients away from 0
    (test_an_eps_placed_otherwise_changes_no_graded_record)."""

    def book_eps(opt, t):
        opt.param_groups[0]["eps"] = 1e-7 / np.sqrt(1 - 0.99**t)

    ours = _ours(Adam, lr=0.01, beta1=0.8, beta2=0.99)
    _close(ours, _torch_steps(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99)), before=book_eps))
    plain = _torch_steps(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-7))
    assert any(not np.array_equal(a, b) for a, b in zip(ours, plain, strict=True))
    assert max(float(np.abs(a - b).max()) for a, b in zip(ours, plain, strict=True)) > 1e-6


def test_nesterov_is_the_books_worked_by_hand_and_not_torchs():
    """One parameter p = 1, momentum 0.5, lr 0.1, gradients 2 then 4. The book: v1 = -0.2, p1 = 1 + 0.25 *
    -0.2 - 1.5 * 0.2 = 0.65; v2 = 0.5 * -0.2 - 0.4 = -0.5, p2 = 0.65 + 0.25 * -0.5 - 1.5 * 0.4 = -0.075.
    torch's nesterov=True steps by -lr (g + m buf) with buf = m buf + g: p1 = 1 - 0.1 * (2 + 1) = 0.7,
    p2 = 0.7 - 0.1 * (4 + 0.5 * 5) = 0.05: another rule (it uses the velocity before the step where the book
    uses the one after)."""
    out = run(Nesterov, [np.array([1.0]), np.array([2.0]), np.array([4.0])], keys=["p"], lr=0.1, momentum=0.5)
    np.testing.assert_allclose(out["p"], [-0.075], rtol=1e-14)
    one = run(Nesterov, [np.array([1.0]), np.array([2.0])], keys=["p"], lr=0.1, momentum=0.5)
    np.testing.assert_allclose(one["p"], [0.65], rtol=1e-14)
    p = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.5, nesterov=True)
    for g in (2.0, 4.0):
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.05], rtol=1e-14)


def test_adam_worked_by_hand_for_two_steps():
    """p = 1, g = 2 then 1, lr 0.1, beta1 0.5, beta2 0.75. Step 1: m = 1, v = 1, lr_t = 0.1 * sqrt(0.25) /
    0.5 = 0.1, p = 1 - 0.1 * 1 / (1 + 1e-7). Step 2: m = 0.5 + 0.5 = 1, v = 0.75 + 0.25 = 1, lr_t = 0.1 *
    sqrt(1 - 0.5625) / 0.75 = 0.0881917..., p -= lr_t / (1 + 1e-7)."""
    arrays = [np.array([1.0]), np.array([2.0]), np.array([1.0])]
    out = run(Adam, arrays, keys=["p"], lr=0.1, beta1=0.5, beta2=0.75)
    lr2 = 0.1 * np.sqrt(0.4375) / 0.75
    np.testing.assert_allclose(out["p"], [1 - 0.1 / (1 + 1e-7) - lr2 / (1 + 1e-7)], rtol=1e-14)


def test_the_ops_torch_oracle_agrees_with_the_reference_for_every_optimizer():
    """fixtures/dlfs-advanced/ops.py's torch forward (torch.optim; Nesterov's velocity from SGD's momentum
    buffer) against its numpy forward, grads keyed in another order than params, defaults and given
    hyper-parameters."""
    ops = _ops()
    arrays = [*PARAMS, *(g for step in GRADS for g in step[::-1])]
    tensors = [torch.tensor(a, dtype=torch.float64) for a in arrays]
    hypers = {"SGD": {"lr": 0.2}, "Momentum": {}, "Nesterov": {"lr": 0.05, "momentum": 0.7}}
    hypers |= {"AdaGrad": {}, "RMSprop": {"decay_rate": 0.9}, "Adam": {"lr": 0.01}}
    for name, hyper in hypers.items():
        for key in KEYS:
            settings = {"keys": KEYS, "grad_keys": KEYS[::-1], "param": key, **hyper}
            ours = ops._optimizer_forward(optimizers.OPTIMIZERS[name])(*arrays, **settings)
            theirs = ops.optimizer_torch(torch, name, *tensors, **settings).numpy()
            np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15, err_msg=f"{name} {key}")


# ---------------------------------------------------------------- the known mistakes, by hand


def _one(cls, grads, **hyper):
    arrays = [np.array([1.0, 1.0]), *(np.array(g, dtype=np.float64) for g in grads)]
    with np.errstate(divide="ignore", invalid="ignore"):
        return run(cls, arrays, keys=["p"], **hyper)["p"]


def test_momentum_velocity_reset_steps_as_sgd():
    """lr 0.1, momentum 0.5, gradient 1 twice: right v1 = -0.1, v2 = -0.15, p = 1 - 0.25 = 0.75; v reset each
    call: p = 1 - 0.1 - 0.1 = 0.8."""
    ops = _ops()
    np.testing.assert_allclose(_one(Momentum, [[1, 1], [1, 1]], lr=0.1, momentum=0.5), [0.75, 0.75])
    np.testing.assert_allclose(
        _one(ops.MomentumVelocityReset, [[1, 1], [1, 1]], lr=0.1, momentum=0.5), [0.8, 0.8]
    )


def test_nesterov_as_momentum_is_momentums_rule():
    """lr 0.1, momentum 0.5, gradient 2 once: the book's Nesterov 1 - 0.25 * 0.2 - 1.5 * 0.2 = 0.65,
    Momentum's step 1 - 0.2 = 0.8."""
    ops = _ops()
    np.testing.assert_allclose(_one(Nesterov, [[2, 2]], lr=0.1, momentum=0.5), [0.65, 0.65])
    np.testing.assert_allclose(_one(ops.NesterovAsMomentum, [[2, 2]], lr=0.1, momentum=0.5), [0.8, 0.8])


def test_nesterov_in_the_papers_form_looks_ahead_with_the_velocity_before_its_update():
    """Review of s21-adv, finding 6: lr 0.1, momentum 0.5, gradient 2 twice. The paper's form (arXiv
    1212.0901, Lasagne) p += -m v_prev + (1 + m) v: v1 = -0.2, p1 = 1 + 0 - 0.3 = 0.7; v2 = -0.1 - 0.2 = -0.3,
    p2 = 0.7 + 0.1 - 0.45 = 0.35. The book's: p1 = 1 + 0.25 * (-0.2) - 0.3 = 0.65, p2 = 0.65 + 0.25 * (-0.3)
    - 0.3 = 0.275 (the named variant differs from the graded rule at the first call)."""
    ops = _ops()
    np.testing.assert_allclose(_one(ops.NesterovPaperForm, [[2, 2]], lr=0.1, momentum=0.5), [0.7, 0.7])
    np.testing.assert_allclose(
        _one(ops.NesterovPaperForm, [[2, 2], [2, 2]], lr=0.1, momentum=0.5), [0.35, 0.35]
    )
    np.testing.assert_allclose(_one(Nesterov, [[2, 2], [2, 2]], lr=0.1, momentum=0.5), [0.275, 0.275])


def test_adagrad_without_eps_is_nan_where_a_gradient_is_zero_from_the_start():
    """lr 0.5, gradients [3, 0]: right p = 1 - 0.5 * 3 / (3 + 1e-7) ~ 0.5 and 1 - 0 = 1; without 1e-7 the
    second element is 1 - 0.5 * 0 / 0 = NaN, the first 0.5 exactly."""
    ops = _ops()
    np.testing.assert_allclose(_one(AdaGrad, [[3, 0]], lr=0.5), [1 - 1.5 / (3 + 1e-7), 1.0], rtol=1e-15)
    wrong = _one(ops.AdaGradNoEps, [[3, 0]], lr=0.5)
    assert wrong[0] == 0.5 and np.isnan(wrong[1])


def test_rmsprop_decay_swapped_gives_the_new_gradient_the_large_weight():
    """lr 0.1, decay 0.9, gradient 1: right h = 0.1, p = 1 - 0.1 / (sqrt(0.1) + 1e-7); swapped h = 0.9,
    p = 1 - 0.1 / (sqrt(0.9) + 1e-7)."""
    ops = _ops()
    right = 1 - 0.1 / (np.sqrt(0.1) + 1e-7)
    np.testing.assert_allclose(_one(RMSprop, [[1, 1]], lr=0.1, decay_rate=0.9), [right] * 2, rtol=1e-15)
    swapped = 1 - 0.1 / (np.sqrt(0.9) + 1e-7)
    np.testing.assert_allclose(
        _one(ops.RMSpropDecaySwapped, [[1, 1]], lr=0.1, decay_rate=0.9), [swapped] * 2, rtol=1e-15
    )


def test_adam_without_bias_correction_and_with_iter_never_counted():
    """lr 0.1, beta1 0.5, beta2 0.75, gradient 2 once: m = 1, v = 1. Right lr_t = 0.1 * sqrt(0.25) / 0.5 =
    0.1; without correction the step is lr * m / sqrt(v) = 0.1 too (the two agree on step 1 exactly when
    sqrt(1 - b2) = 1 - b1): with beta1 0.9 they do not, m = 0.2, v = 0.25 * 4 = 1, right lr_t = 0.1 * 0.5 /
    0.1 = 0.5, p = 1 - 0.5 * 0.2 = 0.9; uncorrected p = 1 - 0.1 * 0.2 = 0.98. iter left at 0: NaN."""
    ops = _ops()
    hyper = {"lr": 0.1, "beta1": 0.9, "beta2": 0.75}
    np.testing.assert_allclose(_one(Adam, [[2, 2]], **hyper), [1 - 0.1 / (1 + 1e-7)] * 2, rtol=1e-15)
    np.testing.assert_allclose(
        _one(ops.AdamNoBiasCorrection, [[2, 2]], **hyper), [1 - 0.02 / (1 + 1e-7)] * 2, rtol=1e-15
    )
    assert np.isnan(_one(ops.AdamIterNotIncremented, [[2, 2]], **hyper)).all()


def test_grads_by_position_swaps_the_gradients_of_keys_listed_in_another_order():
    """params {x: 1, y: 1}, one SGD step of lr 1 with grads {y: 3, x: 2}: right x = -1, y = -2; by position
    x takes 3 and y 2. Listed in params' order the two agree (control)."""
    ops = _ops()
    arrays = [np.array([1.0]), np.array([1.0]), np.array([3.0]), np.array([2.0])]
    sgd, wrong = optimizers.SGD, ops.by_position(optimizers.SGD)
    keyed = {"keys": ["x", "y"], "grad_keys": ["y", "x"], "lr": 1.0}
    assert run(sgd, arrays, **keyed) == {"x": [-1.0], "y": [-2.0]}
    assert run(wrong, arrays, **keyed) == {"x": [-2.0], "y": [-1.0]}
    same = {"keys": ["x", "y"], "lr": 1.0}
    assert run(wrong, arrays, **same) == run(sgd, arrays, **same) == {"x": [-2.0], "y": [-1.0]}


# ---------------------------------------------------------------- conventions no case may turn on


class _AdaGradEps(AdaGrad):
    """AdaGrad with eps `EPS` outside the root, or inside it (sqrt(h + eps)) when `INSIDE`."""

    EPS, INSIDE = 1e-7, False

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(p) for k, p in params.items()}
        for key in params:
            self.h[key] += grads[key] * grads[key]
            root = np.sqrt(self.h[key] + self.EPS) if self.INSIDE else np.sqrt(self.h[key]) + self.EPS
            params[key] -= self.lr * grads[key] / root


class _RMSpropEps(RMSprop):
    EPS, INSIDE = 1e-7, False

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(p) for k, p in params.items()}
        for key in params:
            self.h[key] = self.decay_rate * self.h[key] + (1 - self.decay_rate) * grads[key] ** 2
            root = np.sqrt(self.h[key] + self.EPS) if self.INSIDE else np.sqrt(self.h[key]) + self.EPS
            params[key] -= self.lr * grads[key] / root


class _AdamPaper(Adam):
    """The paper's Adam (Kingma and Ba, Algorithm 1): m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t),
    p -= lr m_hat / (sqrt(v_hat) + eps); its eps is the book's times sqrt(1 - b2^t)."""

    EPS = 1e-8

    def update(self, params, grads):
        if self.m is None or self.v is None:
            self.m = {k: np.zeros_like(p) for k, p in params.items()}
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        self.iter += 1
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m[key] / (1 - self.beta1**self.iter)
            v_hat = self.v[key] / (1 - self.beta2**self.iter)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.EPS)


def _variant(base: type, **attrs: object) -> type:
    return type(f"{base.__name__}_{'_'.join(map(str, attrs.values()))}", (base,), dict(attrs))


STUDENT_CONVENTIONS = {
    "AdaGrad": [
        _variant(_AdaGradEps, EPS=1e-8, INSIDE=False),
        _variant(_AdaGradEps, EPS=1e-10, INSIDE=False),
        _variant(_AdaGradEps, EPS=1e-7, INSIDE=True),
    ],
    "RMSprop": [
        _variant(_RMSpropEps, EPS=1e-8, INSIDE=False),
        _variant(_RMSpropEps, EPS=1e-7, INSIDE=True),
    ],
    "Adam": [_variant(_AdamPaper, EPS=1e-8), _variant(_AdamPaper, EPS=1e-7)],
}


def _optimizer_cases():
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run

    seen: set[str] = set()
    # forty seeds: a drawn parameter the updates carry near 0 is where an eps elsewhere shows (AdaGrad's drawn
    # copies at lr 0.2 moved a parameter from 0.5 to 0.005 at seed 1, 9e-6 off with eps 1e-8; the default now)
    for seed in (*range(1, 41), 20261205):
        for case in cases_for_run(load_assignment("dlfs-advanced"), seed):
            ops = {str(s.get("op")) for s in case.steps if s.get("do") == "apply"}
            if ops & set(STUDENT_CONVENTIONS) and (case.generated or case.id not in seen):
                seen.add(case.id)
                yield case


def test_an_eps_placed_otherwise_changes_no_graded_record():
    """AdaGrad's, RMSprop's and Adam's eps where students put it (torch's defaults 1e-10 and 1e-8, inside the
    root, the paper's Adam with bias-corrected m and v) gives records the judge passes against the book's:
    the cases keep every nonzero gradient element at |g| >= 0.5 and the params at |p| >= 0.5, where the eps
    moves a step by under the tolerance, and an element whose gradient is always 0 never moves under any of
    them (0 / eps). Control: the book's AdaGrad without eps fails on such an element."""
    from grader.judge.compare import compare

    ops, checked = _ops(), 0
    for case in _optimizer_cases():
        for step in (s for s in case.steps if s.get("do") == "apply"):
            settings = dict(step["settings"])
            param = settings.pop("param")
            arrays = [case.inputs[a] for a in step["args"]]
            key = step["out"]
            expected = next(case.expected[r["key"]] for r in case.steps if r.get("value_of") == key)
            for cls in STUDENT_CONVENTIONS[step["op"]]:
                got = run(cls, arrays, **settings)[param]
                result = compare(got, expected, case.tolerance, label=key, method=case.id, key=key)
                assert result.passed, f"{case.id} {cls.__name__}: {result.message}"
                checked += 1
        if case.id == "optimizer-adagrad-unit":
            step = next(s for s in case.steps if s.get("do") == "apply")
            no_eps = ops._optimizer_forward(ops.AdaGradNoEps)
            assert np.isnan(no_eps(*(case.inputs[a] for a in step["args"]), **step["settings"])).any()
    assert checked >= 3 * 2 + 3 * 2 + 3 * 2
