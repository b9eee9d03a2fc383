"""Per-element finite differences (grader/oracles/finite_diff.py) against torch.autograd.gradcheck, slow mode.

    python -m bench.gradcheck [--sizes 10,100,1000,10000] [--repeat 3] [--json PATH]

The graph is the MiniFlow quiz graph, Linear -> Sigmoid -> MSE, with the parameters W (P-1, 1) and b (1,) for
P parameters (X (8, P-1) and y (8, 1) are data). At each size both checks run on the right gradient (both
must pass: the negative control) and on a gradient with one element off by 1e-4 (both must fail, and the
finite-difference check must name exactly that element). For torch the wrong element comes from a custom
autograd.Function whose backward is off by 1e-4 there; for ours it is injected into the analytic gradient.
The finite-difference time covers the grader's whole check: `check_case` (objective, numeric gradients of
W and b, comparison) on analytic gradients computed beforehand by hand-derived numpy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.figures import Figure, Target, report
from grader.oracles.finite_diff import check_case

TARGET_SPEEDUP = Target(">=", 50.0)
TARGET_DETECTED = Target(">=", 1.0)
TARGET_SIZE = 10_000
WRONG_BY = 1e-4
BATCH = 8
STEPS = (
    {"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"},
    {"do": "apply", "op": "Sigmoid", "args": ["f"], "out": "a"},
    {"do": "apply", "op": "MSE", "args": ["y", "a"], "out": "cost"},
    {"do": "backward", "of": "cost"},
    {"do": "record", "key": "dW", "grad_of": "W", "label": "gradient of W", "method": "Linear.backward"},
    {"do": "record", "key": "db", "grad_of": "b", "label": "gradient of b", "method": "Linear.backward"},
)


def problem(parameters: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Quiz-graph inputs with `parameters` = W.size + b.size; W scaled so the sigmoid is unsaturated."""
    rng = np.random.default_rng(seed)
    d = parameters - 1
    return {
        "X": rng.normal(size=(BATCH, d)),
        "W": rng.normal(size=(d, 1)) / np.sqrt(d),
        "b": rng.normal(size=(1,)) * 0.1,
        "y": rng.normal(size=(BATCH, 1)),
    }


def analytic(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Hand-derived: cost = mean((y - s)^2), s = sigmoid(XW + b); dcost/df = -2/m (y - s) s (1 - s)."""
    s = 1.0 / (1.0 + np.exp(-(inputs["X"] @ inputs["W"] + inputs["b"])))
    g = (-2.0 / BATCH) * (inputs["y"] - s) * s * (1.0 - s)
    return {"dW": inputs["X"].T @ g, "db": g.sum(axis=0)}


def wrong_index(parameters: int) -> int:
    return (parameters - 1) // 2  # an element of W in the middle: neither the first nor the last


@dataclass(frozen=True)
class Verdict:
    passed_right: bool
    failed_wrong: bool
    located: bool | None  # None: the check does not say where (torch's pass/fail is all we read)
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed_right": self.passed_right,
            "failed_wrong": self.failed_wrong,
            "located": self.located,
            "seconds": self.seconds,
        }


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    """(last result, median seconds of `repeat` calls)."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def finite_difference(parameters: int, repeat: int) -> Verdict:
    inputs = problem(parameters)
    right = analytic(inputs)
    wrong = {k: v.copy() for k, v in right.items()}
    wrong["dW"].reshape(-1)[wrong_index(parameters)] += WRONG_BY
    checks, seconds = timed(lambda: check_case(inputs, STEPS, right), repeat)
    bad = {c.key: c for c in check_case(inputs, STEPS, wrong)}
    located = bad["dW"].mismatches == 1 and bad["dW"].worst_index == (wrong_index(parameters), 0)
    return Verdict(all(c.ok for c in checks), not all(c.ok for c in bad.values()), located, seconds)


def torch_gradcheck(parameters: int, repeat: int) -> Verdict:
    import torch

    inputs = {k: torch.tensor(v) for k, v in problem(parameters).items()}
    wrong_at: list[int | None] = [None]

    class Linear(torch.autograd.Function):
        """X @ W + b whose backward can be made wrong by WRONG_BY in one element of dW."""

        @staticmethod
        def forward(ctx: Any, x: Any, w: Any, b: Any) -> Any:
            ctx.save_for_backward(x)
            return x @ w + b

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            dw = x.T @ g
            if wrong_at[0] is not None:
                dw = dw.clone()
                dw.view(-1)[wrong_at[0]] += WRONG_BY
            return None, dw, g.sum(dim=0)

    def cost(w: Any, b: Any) -> Any:
        return ((inputs["y"] - torch.sigmoid(Linear.apply(inputs["X"], w, b))) ** 2).mean()

    params = (inputs["W"].requires_grad_(True), inputs["b"].requires_grad_(True))

    def check() -> bool:
        return bool(torch.autograd.gradcheck(cost, params, fast_mode=False, raise_exception=False))

    passed, seconds = timed(check, repeat)
    wrong_at[0] = wrong_index(parameters)
    failed = not check()
    return Verdict(passed, failed, None, seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000", help="parameter counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per check (median)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (the machine's cores)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    import torch

    torch.set_num_threads(args.threads)
    torch_gradcheck(sizes[0], 1)  # warm-up: torch's first call pays for lazy initialisation
    figs, rows = [], []
    for p in sizes:
        fd, tc = finite_difference(p, args.repeat), torch_gradcheck(p, args.repeat)
        detect = (
            fd.passed_right and fd.failed_wrong and bool(fd.located) and tc.passed_right and tc.failed_wrong
        )
        rows.append({"parameters": p, "finite_difference": fd.to_dict(), "torch": tc.to_dict()})
        print(
            f"P={p:>6}: finite differences {fd.seconds * 1000:9.2f} ms (right passes {fd.passed_right}, "
            f"wrong element caught {fd.failed_wrong}, located {fd.located}); torch slow gradcheck "
            f"{tc.seconds * 1000:9.2f} ms (right passes {tc.passed_right}, "
            f"wrong element caught {tc.failed_wrong})"
        )
        target = TARGET_SPEEDUP if p == TARGET_SIZE else None
        note = "" if detect else "DETECTION FAILED: the ratio means nothing"
        figs.append(
            Figure(f"torch time / finite-difference time, P={p}", tc.seconds / fd.seconds, "x", target, note)
        )
        g = float(analytic(problem(p))["dW"].reshape(-1)[wrong_index(p)])
        rows[-1]["right_value_at_wrong_element"] = g
        figs.append(
            Figure(
                f"both catch one element off by {WRONG_BY:g}, P={p}",
                float(detect),
                "1=yes",
                TARGET_DETECTED if p == TARGET_SIZE else None,
                f"right value there {g:.3g}",
            )
        )
    report("gradcheck", figs, {"sizes": rows, "wrong_by": WRONG_BY, "batch": BATCH}, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
