"""The sweep: which variants behave differently (drivers), and which of those the grader catches (pipeline).

1. every variant runs the family's drivers in its own subprocess with a timeout; a variant whose every
   scenario gives what the unmutated sample gives (same values, or the same exception) is *equivalent*;
2. the rest are graded through the real pipeline (sandboxed pool, one plan per assignment, a fixed seed);
   a variant is *killed* when it scores below the unmutated sample under the same plan;
3. a kill is *blamed exactly* when the report's blame names the mutated class and nothing else new (for the
   top-level functions, the class they serve: `OWNER`).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.mutation.operators import Mutant

REPO = Path(__file__).resolve().parents[2]
DRIVER_TIMEOUT = 20.0


@dataclass(frozen=True)
class Source:
    """One swept file: a single-file sample, or one graded file (`file`) of a folder sample (`sample`)."""

    sample: str  # under submissions/<folder>/: "correct.py", "book_step35"
    file: str | None = None  # inside a folder sample: "dezero/functions.py"
    # only these classes (and top-level functions) are mutated: the rest are another family's to sweep
    owners: frozenset[str] | None = None

    @property
    def key(self) -> str:
        """How variants name the source: "correct.py", "book_step35/dezero/functions.py"."""
        return self.sample if self.file is None else f"{self.sample}/{self.file}"

    def path(self, folder: str) -> Path:
        return REPO / "submissions" / folder / self.key

    def materialize(self, folder: str, text: str, dest: Path) -> Path:
        """The sample with this file's text replaced, written at `dest` (a file, or a copy of the folder)."""
        if self.file is None:
            dest = dest.parent / f"{dest.name}.py"
            dest.write_text(text, encoding="utf-8")
            return dest
        shutil.copytree(REPO / "submissions" / folder / self.sample, dest, ignore=_CACHES)
        (dest / self.file).write_text(text, encoding="utf-8")
        return dest


_CACHES = shutil.ignore_patterns("__pycache__", "*.pyc")


@dataclass(frozen=True)
class Sweep:
    """One row of the table: samples of one assignment graded at one stage, sharing one set of drivers."""

    assignment: str
    folder: str  # submissions/<folder>/
    drivers: str  # the scenario set of bench/mutation/drivers.py
    sources: tuple[Source, ...]
    stage: str | None = None  # None: the assignment's default stage
    package: str | None = None  # a folder sample's package the drivers import ("dezero")

    def source(self, key: str) -> Source:
        return next(s for s in self.sources if s.key == key)


def _single(*names: str) -> tuple[Source, ...]:
    return tuple(Source(n) for n in names)


def _dezero_step(step: int, *files: str, owners: frozenset[str] | None = None) -> Sweep:
    """A DeZero book-layout folder graded at its own step; its drivers import its `dezero` package. `owners`:
    only those classes and functions of the files (the rest were swept at an earlier step)."""
    sources = tuple(Source(f"book_step{step}", f"dezero/{f}", owners) for f in files)
    return Sweep("dezero", "dezero", "dezero-steps", sources, stage=f"step{step}", package="dezero")


# The advanced layers' classes: Relu, Affine and SoftmaxWithLoss of the same file are the layers sweep's.
_ADVANCED = frozenset({"Dropout", "BatchNormalization", "Convolution", "Pooling", "SimpleConvNet"})

# What steps 43 and 45 add to a file an earlier step already had.
_STEP43 = frozenset({"linear_simple", "Linear", "linear", "Sigmoid", "sigmoid"})
_STEP45 = frozenset({"Layer", "Model", "MLP"})
# The classes step 36's double backprop runs through (their backward written with Variables, steps 33-35).
_STEP36 = frozenset({"Variable", "Function", "Add", "Mul", "Neg", "Sub", "Div", "Pow", "Sin", "Cos", "Tanh"})
_STEP36 |= {name.lower() for name in _STEP36} | {"rsub", "rdiv"}
# Step 47's graded functions. softmax_simple and softmax_cross_entropy_simple (and the Log and Clip only they
# use) are graded only in a file without softmax / softmax_cross_entropy (docs/CASES.md): the book's file has
# both, so they are swept in book_step47_simple_only/, which keeps the _simple forms alone.
_STEP47 = frozenset(
    {
        "GetItem",
        "GetItemGrad",
        "get_item",
        "Softmax",
        "softmax",
        "SoftmaxCrossEntropy",
        "softmax_cross_entropy",
    }
)
_STEP47_SIMPLE = frozenset({"softmax_simple", "softmax_cross_entropy_simple", "Log", "log", "Clip", "clip"})

# family (a row of the table) -> what is swept. forward_only_stage.py is left out: it scores 0 under the full
# manifest (no backward at all), so no variant of it could ever be "killed". The later DeZero steps mutate the
# files new or changed at that step (step 35 adds functions.py, 38 and 40 change core.py too).
SOURCES: dict[str, Sweep] = {
    "miniflow": Sweep("miniflow", "miniflow", "miniflow", _single("correct.py", "pass_pair_stage.py")),
    "dezero": Sweep("dezero", "dezero", "dezero", _single("correct.py", "step16_stage.py")),
    "layers": Sweep("dlfs-layers", "layers", "layers", _single("correct.py", "layer_naive_stage.py")),
    "dezero-step22": Sweep("dezero", "dezero", "dezero-steps", _single("book_step22.py"), stage="step22"),
    "dezero-step27": _dezero_step(27, "core_simple.py"),
    "dezero-step33": _dezero_step(33, "core.py"),
    "dezero-step35": _dezero_step(35, "functions.py"),
    "dezero-step38": _dezero_step(38, "core.py", "functions.py"),
    "dezero-step40": _dezero_step(40, "core.py", "functions.py", "utils.py"),
    "dezero-step41": _dezero_step(41, "functions.py"),
    "dezero-step42": _dezero_step(42, "functions.py"),
    # Steps 43-46 (session 22): step 43 adds linear and sigmoid to functions.py, step 44 layers.py (Layer,
    # Linear; core.py's Parameter is a bare `pass`), step 45 a recursive Layer.params and models.py, step 46
    # optimizers.py. Steps 23, 26 and 28 change no graded file (their core_simple.py is step 27's).
    "dezero-step43": _dezero_step(43, "functions.py", owners=_STEP43),
    "dezero-step44": _dezero_step(44, "layers.py"),
    "dezero-step45": _dezero_step(45, "layers.py", "models.py", owners=_STEP45),
    "dezero-step46": _dezero_step(46, "optimizers.py"),
    # the book's common/optimizer.py, graded at stage `optimizers` (session 22)
    "dlfs-optimizers": Sweep(
        "dlfs-advanced",
        "dlfs-advanced",
        "dlfs-optimizers",
        (Source("book_common_optimizer", "common/optimizer.py"),),
        stage="optimizers",
        package="common.optimizer",
    ),
    "dlfs-advanced": Sweep(
        "dlfs-advanced", "dlfs-advanced", "dlfs-advanced", (Source("correct.py", owners=_ADVANCED),)
    ),
    # Session 24: what session 23 added. Step 36's double backprop grades the files of steps 33-35 again
    # (stage step38 is the first holding its case; book_step36's core.py and functions.py are step 35's);
    # step 47 adds get_item, softmax and softmax_cross_entropy to functions.py (their _simple forms swept
    # apart); MultiLayerNetExtend (chapter 6) and MiniFlow's three quiz stages, forward only.
    "dezero-step36": Sweep(
        "dezero",
        "dezero",
        "dezero-steps",
        tuple(Source("book_step38", f"dezero/{f}", _STEP36) for f in ("core.py", "functions.py")),
        stage="step38",
        package="dezero",
    ),
    "dezero-step47": _dezero_step(47, "functions.py", owners=_STEP47),
    "dezero-step47-simple": Sweep(
        "dezero",
        "dezero",
        "dezero-steps",
        (Source("book_step47_simple_only", "dezero/functions.py", _STEP47_SIMPLE),),
        stage="step47",
        package="dezero",
    ),
    "dlfs-mlnx": Sweep(
        "dlfs-advanced",
        "dlfs-advanced",
        "dlfs-mlnx",
        (Source("book_common_multi_layer_net_extend", "common/multi_layer_net_extend.py"),),
        stage="multi-layer-net-extend",
        package="common.multi_layer_net_extend",
    ),
    "miniflow-add": Sweep("miniflow", "miniflow", "mf-quiz", _single("add_quiz.py"), stage="add"),
    "miniflow-linear": Sweep(
        "miniflow", "miniflow", "mf-quiz", _single("linear_quiz_stage.py"), stage="linear"
    ),
    "miniflow-transform": Sweep(
        "miniflow", "miniflow", "mf-quiz", _single("linear_transform_matmul.py"), stage="transform"
    ),
}

# Top-level functions: the class whose blame entry should name their mistakes (None: the backward driver).
# Keyed by drivers; a function not listed whose CamelCase name is a class of its file (sin -> Sin,
# mean_squared_error -> MeanSquaredError) serves that class.
OWNER: dict[str, dict[str, str | None]] = {
    "miniflow": {
        "topological_sort": None,
        "forward_and_backward": None,
        "forward_pass": None,
        "backward_pass": None,
        "sgd_update": None,
    },
    "dezero": {
        "square": "Square",
        "exp": "Exp",
        "add": "Add",
        "as_array": "Function",
        "using_config": None,
        "no_grad": None,
        "Config": None,
    },
    "dezero-steps": {
        "as_array": "Function",
        "as_variable": "Function",
        "using_config": None,
        "no_grad": None,
        "Config": None,
        "setup_variable": "Variable",
        "rsub": "Sub",
        "rdiv": "Div",
        "reshape_sum_backward": "Sum",
        "sum_to": "SumTo",  # utils.sum_to serves SumTo (and the broadcasting backward passes)
        "matmul": "MatMul",
    },
    "mf-quiz": {"topological_sort": None, "forward_pass": None},
    "layers": {"sigmoid": "Sigmoid", "softmax": "SoftmaxWithLoss", "cross_entropy_error": "SoftmaxWithLoss"},
}


def expected_blame(m: Mutant) -> str | None:
    owners = OWNER.get(SOURCES[m.family].drivers, {})
    if m.owner in owners:
        return owners[m.owner]
    camel = "".join(part.capitalize() for part in m.owner.split("_"))
    if m.owner.islower() and f"class {camel}(" in m.source:
        return camel
    return m.owner


@dataclass(frozen=True)
class Outcome:
    """What happened to one variant."""

    mutant: Mutant
    equivalent: bool
    crashes: bool  # in the drivers, a scenario that worked for the original raised for the variant
    score: float | None = None
    baseline: float | None = None
    blame: tuple[str | None, ...] = ()
    failed_cases: tuple[str, ...] = ()

    @property
    def killed(self) -> bool:
        return self.score is not None and self.baseline is not None and self.score < self.baseline - 1e-9

    @property
    def exact_blame(self) -> bool:
        return self.killed and set(self.blame) == {expected_blame(self.mutant)}

    def to_dict(self) -> dict[str, Any]:
        m = self.mutant
        return {
            "name": m.name, "family": m.family, "sample": m.sample, "operator": m.operator,
            "function": m.function, "line": m.line, "description": m.description,
            "equivalent": self.equivalent, "crashes": self.crashes, "score": self.score,
            "baseline": self.baseline, "killed": self.killed, "blame": list(self.blame),
            "exact_blame": self.exact_blame, "failed_cases": list(self.failed_cases),
        }  # fmt: skip


# ------------------------------------------------------------------------------------------ equivalence
def drive(family: str, key: str, text: str, workdir: Path, name: str) -> dict[str, Any]:
    """The drivers' results for one source, from a fresh interpreter (a timeout counts as an error)."""
    sweep = SOURCES[family]
    out = workdir / f"{name}.json"
    target = sweep.source(key).materialize(sweep.folder, text, workdir / name)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sweep.drivers, str(target), str(out), *([sweep.package] if sweep.package else [])]
    try:
        subprocess.run(
            [sys.executable, "-m", "bench.mutation.drivers", *args],
            cwd=workdir, env=env, timeout=DRIVER_TIMEOUT, capture_output=True, check=False,
        )  # fmt: skip
        return json.loads(out.read_text(encoding="utf-8"))
    except (subprocess.TimeoutExpired, OSError, ValueError):
        return {"process": {"error": "timeout-or-crash"}}


def _same_value(a: Any, b: Any) -> bool:
    if not (isinstance(a, dict) and isinstance(b, dict) and "data" in a and "data" in b):
        return a == b
    if a["shape"] != b["shape"]:
        return False
    x = np.array([float(v) for v in a["data"]])
    y = np.array([float(v) for v in b["data"]])
    return bool(np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True))


def compare(original: dict[str, Any], variant: dict[str, Any]) -> tuple[bool, bool]:
    """(equivalent, crashes) of a variant's driver results against the original's."""
    equivalent, crashes = original.keys() == variant.keys(), set(variant) - set(original) != set()
    for scenario, want in original.items():
        got = variant.get(scenario, {"error": "missing"})
        if "error" in got and "ok" in want:
            crashes = True
        if "ok" in got and "ok" in want:
            w, g = want["ok"], got["ok"]
            if w.keys() != g.keys() or not all(_same_value(w[k], g[k]) for k in w):
                equivalent = False
        elif got != want:
            equivalent = False
    return equivalent, crashes


def classify(
    mutants: Sequence[Mutant], originals: dict[tuple[str, str], dict[str, Any]], jobs: int
) -> list[Outcome]:
    """Run every variant's drivers (jobs at a time) and compare with its original's results."""
    with tempfile.TemporaryDirectory(prefix="mutation-drive-") as tmp:
        work = Path(tmp)

        def one(m: Mutant) -> Outcome:
            got = drive(m.family, m.sample, m.source, work, f"{m.name}-{m.family}")
            equivalent, crashes = compare(originals[(m.family, m.sample)], got)
            return Outcome(m, equivalent, crashes)

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            return list(ex.map(one, mutants))


# ------------------------------------------------------------------------------------------ grading
def _original_name(key: str) -> str:
    return "original-" + key.removesuffix(".py").replace("/", ".")


def grade(
    family: str, outcomes: Sequence[Outcome], originals: Iterable[tuple[str, str]], *, seed: int,
    isolation: str, jobs: int,
) -> list[Outcome]:  # fmt: skip
    """Grade the unmutated samples and every non-equivalent variant of one family through the pipeline, at
    the family's stage."""
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan, grade_paths
    from grader.sandbox import SandboxPool

    sweep = SOURCES[family]
    assignment = load_assignment(sweep.assignment)
    cases = cases_for_run(assignment, seed, stage=sweep.stage)
    plan = RunPlan.create(assignment, seed, cases, stage=sweep.stage)
    with tempfile.TemporaryDirectory(prefix="mutation-grade-") as tmp:
        folder = Path(tmp)
        entries = []
        for key, text in originals:
            stem = _original_name(key)
            entries.append((stem, sweep.source(key).materialize(sweep.folder, text, folder / stem)))
        todo = {o.mutant.name: o for o in outcomes if not o.equivalent}
        for name, o in todo.items():
            m = o.mutant
            entries.append((name, sweep.source(m.sample).materialize(sweep.folder, m.source, folder / name)))
        reports: dict[str, Any] = {}
        with SandboxPool(jobs=jobs, isolation=isolation) as pool:  # type: ignore[arg-type]
            for graded in grade_paths(plan, entries, pool):
                reports[graded.student] = graded.report
    done: list[Outcome] = []
    for o in outcomes:
        if o.equivalent:
            done.append(o)
            continue
        base = reports[_original_name(o.mutant.sample)]
        report = reports[o.mutant.name]
        base_blame = {b.class_name for b in base.blame}
        blame = tuple(dict.fromkeys(b.class_name for b in report.blame if b.class_name not in base_blame))
        base_failed = {c.case_id for c in base.cases if c.status != "passed"}
        failed = tuple(
            c.case_id for c in report.cases if c.status != "passed" and c.case_id not in base_failed
        )
        done.append(Outcome(o.mutant, False, o.crashes, report.score, base.score, blame, failed))
    return done
