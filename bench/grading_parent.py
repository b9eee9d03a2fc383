"""Run one grading parent process and report its own peak RSS: the process the throughput benchmark measures.

    python -m bench.grading_parent --rss-out FILE -- batch miniflow DIR --out OUT --jobs 2 --seed 1
    python -m bench.grading_parent --rss-out FILE --fresh -- miniflow DIR OUT 2 auto 1

The first form is `grader batch` itself (`grader.cli.main`, what the `grader` script, `grader.entry:main`,
runs). The second is the naive baseline: the same batch pipeline on `SandboxPool(jobs, isolation,
fresh=True)`, one new sandboxed Python process per submission. Either way, this process *is* the grading
parent, so `RUSAGE_SELF` is its peak RSS alone (sandbox workers are children and excluded), written as JSON to
FILE when grading ends.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def fresh_batch(assignment_id: str, directory: str, out: str, jobs: int, isolation: str, seed: int) -> int:
    """`grader batch` with a new worker process per submission (mirrors grader.commands.cmd_batch)."""
    from grader.assignments import load_assignment
    from grader.batch.run import run_batch
    from grader.cases import cases_for_run
    from grader.pipeline import RunPlan
    from grader.sandbox import SandboxPool

    assignment = load_assignment(assignment_id)
    plan = RunPlan.create(assignment, seed, cases_for_run(assignment, seed))
    with SandboxPool(jobs, isolation, fresh=True) as pool:  # type: ignore[arg-type]
        result = run_batch(plan, Path(directory), Path(out), pool)
        workers = pool.workers_started
    print(f"graded {result.graded_now} with {workers} fresh workers")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rss-out", required=True, help="where to write {'self_maxrss_kib', ...} as JSON")
    parser.add_argument("--fresh", action="store_true", help="the baseline: one fresh worker per submission")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="after --: grader arguments (see above)")
    args = parser.parse_args(argv)
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    started = time.perf_counter()
    if args.fresh:
        assignment_id, directory, out, jobs, isolation, seed = rest
        code = fresh_batch(assignment_id, directory, out, int(jobs), isolation, int(seed))
    else:
        from grader.cli import main as grader_main

        code = grader_main(rest)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    record = {
        "exit_code": code,
        "self_maxrss_kib": usage.ru_maxrss,  # Linux reports KiB
        "in_process_seconds": time.perf_counter() - started,
    }
    Path(args.rss_out).write_text(json.dumps(record) + "\n", encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
