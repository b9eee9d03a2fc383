"""Batch throughput: `grader batch` on fork-server workers against one fresh sandboxed process per submission.

    python -m bench.throughput [--n 200] [--large 2000 or 0] [--baseline 50 or 0] [--jobs 2] [--dask-local N]
                               [--json PATH]

Writes a generated class (bench/submissions.py: correct, buggy, slow, crashing, unparsable MiniFlow) to a temp
dir, grades it with `grader batch` (through bench/grading_parent.py, which reads the parent's own peak RSS),
grades a smaller class with the naive baseline, and prints submissions/s, their ratio and the parent's peak
RSS at both sizes, each next to its target. Rates are end to end (process start to exit, as a TA waits for
them); the marginal rate between the two sizes leaves out the fixed start-up cost. `--dask-local N` also
grades the --n class with `--executor dask-local --workers N` (one sandbox per Dask worker, so N workers match
--jobs N) and prints its rate beside the local executor's, start-up of the LocalCluster included.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench import measure, submissions
from bench.figures import Figure, Target, report

ASSIGNMENT = "miniflow"
TARGET_RATE = Target(">=", 150.0)
TARGET_RATIO = Target(">=", 20.0)
TARGET_RSS_MIB = Target("<=", 150.0)
# "Flat": ten times the class may cost the parent at most this much more memory (our reading of the issue).
TARGET_RSS_GROWTH_MIB = Target("<=", 5.0)  # issue 13: 200 -> 2,000 submissions, flat (<= +5 MiB)


@dataclass(frozen=True)
class BatchRun:
    """One grading parent process over one generated class."""

    label: str
    submissions: int
    measured: measure.Measured
    self_maxrss_kib: int
    outcomes: dict[str, dict[str, int]]  # kind -> {"students", "full_score", "load_failed"}

    @property
    def rate(self) -> float:
        return self.submissions / self.measured.wall_seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "submissions": self.submissions,
            "rate_per_second": self.rate,
            "self_maxrss_kib": self.self_maxrss_kib,
            "outcomes": self.outcomes,
            **self.measured.to_dict(),
        }


def _outcomes(out: Path, drawn: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per kind of submission: how many were graded, how many got full marks, how many failed to load.

    A throughput figure is worthless if the batch graded wrongly, so this is printed beside it.
    """
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for line in (out / "journal.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        kind = drawn[int(row["student"].rsplit("_", 1)[-1])]
        table[kind]["students"] += 1
        table[kind]["full_score"] += int(row["score"] == row["max_score"])
        table[kind]["load_failed"] += int(row["status"] == "load_failed")
    return {kind: dict(counts) for kind, counts in sorted(table.items())}


def grade_class(
    workdir: Path,
    label: str,
    n: int,
    *,
    jobs: int,
    isolation: str,
    seed: int,
    fresh: bool,
    executor: Sequence[str] = (),
) -> BatchRun:
    classdir, out, rss = workdir / f"class-{label}", workdir / f"out-{label}", workdir / f"rss-{label}.json"
    submissions.write_class(classdir, n, seed)
    if fresh:
        rest = [ASSIGNMENT, str(classdir), str(out), str(jobs), isolation, str(seed)]
        argv = measure.python_module("bench.grading_parent", "--rss-out", str(rss), "--fresh", "--", *rest)
    else:
        rest = ["batch", ASSIGNMENT, str(classdir), "--out", str(out), "--jobs", str(jobs)]
        rest += ["--seed", str(seed), "--isolation", isolation, *executor]
        argv = measure.python_module("bench.grading_parent", "--rss-out", str(rss), "--", *rest)
    measured = measure.run(argv)
    if measured.exit_code != 0:
        raise SystemExit(f"{label}: grading exited {measured.exit_code}\n{measured.stderr[-3000:]}")
    self_rss = json.loads(rss.read_text(encoding="utf-8"))["self_maxrss_kib"]
    return BatchRun(label, n, measured, self_rss, _outcomes(out, submissions.kinds(n, seed)))


def profile_parent(workdir: Path, n: int, *, jobs: int, isolation: str, seed: int, top: int = 25) -> str:
    """cProfile of the grading parent's main thread over a batch (judge, reports, journal; the sandbox
    round-trip shows up as time waiting for results). Runs in this process: student code stays sandboxed."""
    from grader.assignments import load_assignment
    from grader.batch.run import run_batch
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan
    from grader.sandbox import SandboxPool

    classdir, out = workdir / "class-profile", workdir / "out-profile"
    submissions.write_class(classdir, n, seed)
    profiler = cProfile.Profile()
    profiler.enable()
    assignment = load_assignment(ASSIGNMENT)
    plan = RunPlan.create(assignment, seed, cases_for_run(assignment, seed))
    with SandboxPool(jobs, isolation) as pool:  # type: ignore[arg-type]
        run_batch(plan, classdir, out, pool, stream=io.StringIO())
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    return text.getvalue()


def figures(runs: dict[str, BatchRun]) -> list[Figure]:
    server, fresh = runs["fork-server"], runs.get("baseline")
    mib = 1 / 1024
    out = [Figure(f"fork-server rate, {server.submissions} submissions", server.rate, "subm/s", TARGET_RATE)]
    if fresh is not None:
        out += [
            Figure(
                f"naive baseline rate, {fresh.submissions} submissions",
                fresh.rate,
                "subm/s",
                note="one fresh sandboxed process per submission",
            ),
            Figure("fork-server / baseline", server.rate / fresh.rate, "x", TARGET_RATIO),
        ]
    out += [
        Figure(
            f"parent peak RSS, {server.submissions} submissions",
            server.self_maxrss_kib * mib,
            "MiB",
            TARGET_RSS_MIB,
        ),
        Figure(
            f"process-tree peak RSS, {server.submissions} submissions",
            server.measured.tree_maxrss_kib * mib,
            "MiB",
            note="largest single process incl. workers (wait4)",
        ),
    ]
    large = runs.get("fork-server-large")
    if large is not None:
        marginal = (large.submissions - server.submissions) / (
            large.measured.wall_seconds - server.measured.wall_seconds
        )
        growth = (large.self_maxrss_kib - server.self_maxrss_kib) * mib
        out += [
            Figure(f"fork-server rate, {large.submissions} submissions", large.rate, "subm/s", TARGET_RATE),
            Figure(
                f"marginal rate {server.submissions} -> {large.submissions}",
                marginal,
                "subm/s",
                note="start-up cost excluded",
            ),
            Figure(
                f"parent peak RSS, {large.submissions} submissions",
                large.self_maxrss_kib * mib,
                "MiB",
                TARGET_RSS_MIB,
            ),
            Figure(
                f"parent RSS growth {server.submissions} -> {large.submissions}",
                growth,
                "MiB",
                TARGET_RSS_GROWTH_MIB,
            ),
        ]
    dask = runs.get("dask-local")
    if dask is not None:
        out += [
            Figure(f"dask-local rate, {dask.submissions} submissions", dask.rate, "subm/s", note=dask.label),
            Figure("dask-local / local executor, same class", dask.rate / server.rate, "x"),
        ]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="class size graded by fork-server workers")
    parser.add_argument("--large", type=int, default=2000, help="second class size for RSS; 0 to skip")
    parser.add_argument(
        "--baseline", type=int, default=50, help="class size graded by the naive baseline; 0 to skip"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--isolation", default="auto", choices=("auto", "bwrap", "rlimits"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dask-local", type=int, default=0, metavar="N", help="also grade --n on a Dask LocalCluster of N"
    )
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the parent")
    parser.add_argument("--json", help="write the figures and details here")
    parser.add_argument("--keep", help="grade in this directory and keep it (default: a temp dir)")
    args = parser.parse_args(argv)

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    workdir.mkdir(parents=True, exist_ok=True)
    common = {"jobs": args.jobs, "isolation": args.isolation, "seed": args.seed}
    try:
        runs = {"fork-server": grade_class(workdir, "fork-server", args.n, fresh=False, **common)}
        if args.large:
            runs["fork-server-large"] = grade_class(
                workdir, "fork-server-large", args.large, **common, fresh=False
            )
        if args.baseline:
            runs["baseline"] = grade_class(workdir, "baseline", args.baseline, fresh=True, **common)
        if args.dask_local:
            flags = ["--executor", "dask-local", "--workers", str(args.dask_local), "--jobs", "1"]
            run = grade_class(workdir, "dask-local", args.n, fresh=False, executor=flags, **common)
            runs["dask-local"] = replace(
                run, label=f"{args.dask_local} Dask workers x 1 sandbox, incl. start-up"
            )
        profile = profile_parent(workdir, args.n, **common) if args.profile else None
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    isolation = "rlimits" if "isolation 'rlimits'" in runs["fork-server"].measured.stderr else args.isolation
    print(f"assignment {ASSIGNMENT}, --jobs {args.jobs}, isolation {isolation}, seed {args.seed}")
    for run in runs.values():
        print(
            f"{run.label}: {run.submissions} graded in {run.measured.wall_seconds:.2f} s; "
            f"by kind {run.outcomes}"
        )
    figs = figures(runs)
    report("throughput", figs, {"runs": {k: r.to_dict() for k, r in runs.items()}}, args.json)
    if profile is not None:
        print(profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
