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

# family -> (assignment id, the samples whose variants are swept). forward_only_stage.py is left out: it
# scores 0 under the full manifest (no backward at all), so no variant of it could ever be "killed".
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "miniflow": ("miniflow", ("correct.py", "pass_pair_stage.py")),
    "dezero": ("dezero", ("correct.py", "step16_stage.py")),
    "layers": ("dlfs-layers", ("correct.py", "layer_naive_stage.py")),
}

# Top-level functions: the class whose blame entry should name their mistakes (None: the backward driver).
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
    "layers": {"sigmoid": "Sigmoid", "softmax": "SoftmaxWithLoss", "cross_entropy_error": "SoftmaxWithLoss"},
}


def expected_blame(m: Mutant) -> str | None:
    return OWNER.get(m.family, {}).get(m.owner, m.owner)


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
def drive(family: str, source: str, workdir: Path, name: str) -> dict[str, Any]:
    """The drivers' results for one source, from a fresh interpreter (a timeout counts as an error)."""
    path, out = workdir / f"{name}.py", workdir / f"{name}.json"
    path.write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        subprocess.run(
            [sys.executable, "-m", "bench.mutation.drivers", family, str(path), str(out)],
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
            got = drive(m.family, m.source, work, m.name.replace("/", "_") + f"-{m.family}")
            equivalent, crashes = compare(originals[(m.family, m.sample)], got)
            return Outcome(m, equivalent, crashes)

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            return list(ex.map(one, mutants))


# ------------------------------------------------------------------------------------------ grading
def grade(
    family: str, outcomes: Sequence[Outcome], originals: Iterable[tuple[str, str]], *, seed: int,
    isolation: str, jobs: int,
) -> list[Outcome]:  # fmt: skip
    """Grade the unmutated samples and every non-equivalent variant of one family through the pipeline."""
    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan, grade_paths
    from grader.sandbox import SandboxPool

    assignment = load_assignment(SOURCES[family][0])
    plan = RunPlan.create(assignment, seed, cases_for_run(assignment, seed))
    with tempfile.TemporaryDirectory(prefix="mutation-grade-") as tmp:
        folder = Path(tmp)
        entries = []
        for sample, source in originals:
            stem = f"original-{sample.removesuffix('.py')}"
            (folder / f"{stem}.py").write_text(source, encoding="utf-8")
            entries.append((stem, folder / f"{stem}.py"))
        todo = {o.mutant.name: o for o in outcomes if not o.equivalent}
        for name, o in todo.items():
            (folder / f"{name}.py").write_text(o.mutant.source, encoding="utf-8")
            entries.append((name, folder / f"{name}.py"))
        reports: dict[str, Any] = {}
        with SandboxPool(jobs=jobs, isolation=isolation) as pool:  # type: ignore[arg-type]
            for graded in grade_paths(plan, entries, pool):
                reports[graded.student] = graded.report
    done: list[Outcome] = []
    for o in outcomes:
        if o.equivalent:
            done.append(o)
            continue
        base = reports[f"original-{o.mutant.sample.removesuffix('.py')}"]
        report = reports[o.mutant.name]
        base_blame = {b.class_name for b in base.blame}
        blame = tuple(dict.fromkeys(b.class_name for b in report.blame if b.class_name not in base_blame))
        base_failed = {c.case_id for c in base.cases if c.status != "passed"}
        failed = tuple(
            c.case_id for c in report.cases if c.status != "passed" and c.case_id not in base_failed
        )
        done.append(Outcome(o.mutant, False, o.crashes, report.score, base.score, blame, failed))
    return done
