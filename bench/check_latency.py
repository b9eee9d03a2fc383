"""Cold `grader check` latency: the median wall time of fresh processes, what a student waits for.

    python -m bench.check_latency [--runs 7] [--importtime] [--json PATH]

Each run is a new `python -m grader check FILE` (and the installed `grader` script, when on PATH) on a correct
generated MiniFlow submission. A bare `python -c "import numpy"` is timed the same way as the floor no
Python grader can go below. `--importtime` prints the slowest imports of one run (python -X importtime).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench import measure, submissions
from bench.figures import Figure, Target, report

TARGET_SECONDS = Target("<=", 0.35)  # issue 13: cold `grader check`, median


def median_seconds(argv: Sequence[str], runs: int, *, expect_exit: int = 0) -> tuple[float, list[float]]:
    walls = []
    for _ in range(runs):
        m = measure.run(argv)
        if m.exit_code != expect_exit:
            raise SystemExit(
                f"{' '.join(argv)} exited {m.exit_code}, expected {expect_exit}\n{m.stderr[-2000:]}"
            )
        walls.append(m.wall_seconds)
    return statistics.median(walls), walls


def slowest_imports(argv: Sequence[str], top: int = 15) -> list[tuple[float, str]]:
    """(cumulative ms, module) of the slowest top-level imports, from `python -X importtime`."""
    m = measure.run([sys.executable, "-X", "importtime", *argv[1:]])
    rows = []
    for line in m.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) <= 1:  # top-level imports only: their time includes children
            rows.append((int(match.group(1)) / 1000, match.group(3)))
    return sorted(rows, reverse=True)[:top]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-check-"))
    try:
        student = workdir / "miniflow.py"
        student.write_text(submissions.source("correct", "check"), encoding="utf-8")
        commands = {"python -m grader check": measure.python_module("grader", "check", str(student))}
        script = shutil.which("grader")
        if script:
            commands["grader check (script)"] = [script, "check", str(student)]
        figs, walls = [], {}
        for label, cmd in commands.items():
            median, walls[label] = median_seconds(cmd, args.runs)
            figs.append(Figure(f"cold {label}, median of {args.runs}", median, "s", TARGET_SECONDS))
        floor, walls["import numpy"] = median_seconds([sys.executable, "-c", "import numpy"], args.runs)
        figs.append(Figure(f"floor: python -c 'import numpy', median of {args.runs}", floor, "s"))
        imports = slowest_imports(commands["python -m grader check"]) if args.importtime else []
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report("check latency", figs, {"walls": walls, "slowest_imports": imports}, args.json)
    for ms, module in imports:
        print(f"  import {module:<40} {ms:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
