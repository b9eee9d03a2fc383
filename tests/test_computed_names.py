"""The book's functions a file computes without naming them (grader/computed_names.py)."""

from __future__ import annotations

import ast
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.computed_names import computed_names
from grader.loaders import load_submission


def _names(source: str) -> set[str]:
    return computed_names(ast.parse(source))


@pytest.mark.parametrize(
    "source",
    [
        "z1 = 1 / (1 + np.exp(-a1))",
        "z1 = 1.0 / (1.0 + np.exp(-a1))",
        "z = np.exp(a) / (np.exp(a) + 1)",
        "z = 1 / (1 + math.e ** -a)",
        "z = expit(a)",
        "z = 0.5 * (1 + np.tanh(0.5 * a))",
    ],
)
def test_a_sigmoid_written_out_is_sigmoid(source: str) -> None:
    """Each spelling of the logistic function a student writes inline is read as the book's sigmoid."""
    assert "sigmoid" in _names(source)


@pytest.mark.parametrize(
    "source",
    [
        "z = 1 / (1 + a)",  # no exponential
        "z = 2 / (1 + np.exp(-a))",  # not 1 over
        "z = 1 / (2 + np.exp(-a))",
        "z = np.exp(-a)",
        "z = np.tanh(a)",
    ],
)
def test_other_formulas_are_no_sigmoid(source: str) -> None:
    """Negative controls: formulas near the sigmoid's that are not it."""
    assert "sigmoid" not in _names(source)


@pytest.mark.parametrize(
    "source",
    [
        "y = np.exp(a) / np.sum(np.exp(a))",
        "y = np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)",
        "exp_a = np.exp(a - c)\nsum_exp_a = np.sum(exp_a)\ny = exp_a / sum_exp_a",
        "e = np.exp(a)\ny = e / e.sum(axis=-1, keepdims=True)",
    ],
)
def test_a_softmax_written_out_is_softmax(source: str) -> None:
    """The book's chapter-3 softmax (exp_a / sum_exp_a) and its one-line forms are read as softmax."""
    assert "softmax" in _names(source)


@pytest.mark.parametrize(
    "source",
    [
        "y = np.exp(a) / 2",
        "y = a / np.sum(a)",
        "s = np.sum(np.exp(a))\ny = a / s",
        "y = np.exp(a) / np.max(a)",
    ],
)
def test_other_quotients_are_no_softmax(source: str) -> None:
    """Negative controls: a quotient needs an exponential over a sum of exponentials."""
    assert "softmax" not in _names(source)


@pytest.mark.parametrize(
    "source",
    [
        "def loss(y, t):\n    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]",
        "loss = np.sum(-t * np.log(y))",
        "loss = -np.log(y[np.arange(n), t] + 1e-7).mean()",
        "f = lambda y, t: -np.mean(np.log(y[np.arange(len(t)), t]))",
        "loss = -1 * np.sum(t * np.log(y)) / n",
        "loss = np.mean(np.sum(np.log(y) * -t, axis=1))",
    ],
)
def test_a_negated_sum_of_logs_is_cross_entropy(source: str) -> None:
    """A negated sum or mean over a log is the cross-entropy error, however it is spelt."""
    assert "cross_entropy_error" in _names(source)


@pytest.mark.parametrize(
    "source",
    [
        "s = np.sum(np.log(y))",
        "s = -np.sum(y)",
        "s = -np.log(y)",
        "s = np.sum(y) - np.log(2)",
        # a minus that negates no log: the log-sum-exp over the last axis, a print of a demo (s38: both were
        # cross entropy, any minus in the statement counted)
        "lse = np.log(np.sum(np.exp(x), axis=-1))",
        "print(np.sum(x), np.log(2), x[-1])",
        "s = np.sum(-x) + np.log(2)",
    ],
)
def test_other_logs_are_no_cross_entropy(source: str) -> None:
    """Negative controls: a log without a negated sum, a negated sum without a log, a minus beside both
    that negates no log."""
    assert "cross_entropy_error" not in _names(source)


@pytest.mark.parametrize(
    "source",
    [
        "h = np.maximum(0, a)",
        "h = np.maximum(a, 0.0)",
        "h = a * (a > 0)",
        "h = np.where(a > 0, a, 0)",
        "h = np.clip(a, 0, None)",
        "h = a.clip(min=0)",
    ],
)
def test_a_relu_written_out_is_relu(source: str) -> None:
    """np.maximum(0, x) and its other forms are the book's relu."""
    assert "relu" in _names(source)


@pytest.mark.parametrize(
    "source",
    [
        "h = np.maximum(1, a)",
        "h = np.maximum(a, b)",
        "h = a * b",
        "h = np.where(a > 0, 1, 0)",
        "h = b * (a > 0)",
    ],
)
def test_other_maxima_are_no_relu(source: str) -> None:
    """Negative controls: a maximum with no zero, a step function, another array masked."""
    assert "relu" not in _names(source)


def test_a_relu_mask_at_the_end_of_a_long_chain_is_read_without_recursing() -> None:
    """`x * (x > 0) * (x > 0) ...` 2,000 terms deep (one 20 KB line that Python compiles): the mask's side
    was compared by ast.dump, which recursed past the parent's stack (RecursionError) (session 38)."""
    assert _names("y = x" + " * (x > 0)" * 2000) == {"relu"}


def _least_cpu(source: str) -> float:
    tree = ast.parse(source)
    times = []
    for _ in range(2):
        start = time.process_time()
        computed_names(tree)
        times.append(time.process_time() - start)
    return min(times)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda n: "y = x" + " * (x > 0)" * n + "\n", id="relu-mask chain"),
        pytest.param(lambda n: "f = " + "lambda: " * n + "0\n", id="nested lambdas"),
    ],
)
def test_the_readers_work_grows_with_the_file_not_faster(build: Callable[[int], str]) -> None:
    """A file 4x as long costs under 8x the CPU (least of two reads, one run: a ratio, not a time): an
    ast.dump of the chain below each `*` (31 s of the parent's CPU for 8 lines of 600 terms, 54 KB), a walk
    of each nested lambda's whole body (10 s for one line of 2,000) grew as the square (session 38)."""
    small, large = _least_cpu(build(250)), _least_cpu(build(1000))
    assert large < 8 * max(small, 1e-3), (small, large)


@pytest.mark.parametrize(
    ("a", "b"),
    [("x", "(x)"), ("x", "y"), ("a.b[0]", "a.b[0]"), ("a.b[0]", "a.b[1]"), ("1", "1.0"), ("f(x, y)", "f(x)"),
     ("x * 2", "x*2"), ("-x", "+x"), ("[x]", "(x,)")],
)  # fmt: skip
def test_two_sides_are_one_formula_as_ast_dump_says(a: str, b: str) -> None:
    """The mask's side and the masked value compare as ast.dump compares them (the oracle): `x * (y > 0)` is
    no relu, `a.b[0] * (a.b[0] > 0)` is."""
    same = ast.dump(ast.parse(a, mode="eval").body) == ast.dump(ast.parse(b, mode="eval").body)
    assert ("relu" in _names(f"z = ({a}) * (({b}) > 0)")) is same


SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"


@pytest.mark.parametrize(
    ("assignment", "sample", "reads", "looks_like"),
    [
        ("miniflow", "miniflow/correct.py", False, "sgd"),  # it defines sgd_update
        ("dezero", "dezero/book_step22_sub_neg_sign.py", False, "step22"),
        # chapter 4's network with its sigmoid inline is chapter 4's only by its formula (docs/STAGES.md)
        ("dlfs-layers", "layers/ch04_sigmoid_inline.py", True, "ch04-two-layer-net"),
    ],
)
def test_the_formulas_are_read_only_for_an_assignment_whose_stages_ask_for_them(
    monkeypatch: pytest.MonkeyPatch, assignment: str, sample: str, reads: bool, looks_like: str
) -> None:
    """A MiniFlow or DeZero grading's parent part (the stage inferred as `check` does, the report's stage
    read as every grading does) never reads a file's formulas: no stage of theirs detects sigmoid, softmax,
    cross_entropy_error or relu (session 38: 2 to 5 ms a file, 12% of a MiniFlow batch parent's profile).
    The DLFS chapter-4 stage still reads them, and its sample is still inferred chapter 4's."""
    from grader import stage_scan
    from grader.model import RunResult
    from grader.pipeline import RunPlan, _report

    calls: list[int] = []

    def counted(tree: ast.AST) -> set[str]:
        calls.append(1)
        return computed_names(tree)

    monkeypatch.setattr(stage_scan, "computed_names", counted)
    a = load_assignment(assignment)
    path = SUBMISSIONS / sample
    files = load_submission(path).files
    inferred = stage_scan.infer(a, files)
    plan = RunPlan.create(a, 0, [])
    unrun = RunResult("rlimits", None, {}, None, "", "", 0.0)
    report = _report(plan, "kim", path, load_submission(path), unrun, 0.0)
    assert inferred is not None and inferred.stage == looks_like
    assert report.stage is not None and report.stage.looks_like == looks_like
    assert (len(calls) > 0) == reads, calls


def test_one_submissions_formulas_never_reach_the_next_ones_stage() -> None:
    """The answer kept per assignment (reads_formulas) holds nothing read from a submission: two files
    differing only in the hidden layer's formula (the sigmoid inline, or tanh) are read apart, in either
    order, and the first again after the second."""
    from grader.stage_scan import infer

    a = load_assignment("dlfs-layers")
    sigmoid = (SUBMISSIONS / "layers/ch04_sigmoid_inline.py").read_bytes()
    tanh = sigmoid.replace(b"1 / (1 + np.exp(-a1))", b"np.tanh(a1)")
    assert tanh != sigmoid
    stages = [infer(a, {"two_layer_net.py": data}) for data in (sigmoid, tanh, sigmoid)]
    looks = [s.stage if s else None for s in stages]
    assert looks[0] == looks[2] == "ch04-two-layer-net"
    assert looks[1] != "ch04-two-layer-net"
