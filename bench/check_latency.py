"""Cold `grader check` latency: the median wall time of fresh processes, what a student waits for.

    python -m bench.check_latency [--runs 7] [--importtime] [--no-precompile] [--json PATH] [--compare DIR]

Each run is a new `python -m grader check FILE` (and the installed `grader` script, when on PATH) on a correct
generated MiniFlow submission. A bare `python -c "import numpy"` is timed the same way as the floor no
Python grader can go below. `--importtime` prints the slowest imports of one run (python -X importtime).

The grader's modules are compiled to bytecode once before timing (into their __pycache__ folders), as `pip
install` does for a wheel: where PYTHONDONTWRITEBYTECODE is set (as on the build machines), a source checkout
would otherwise compile ~60 modules on every run, a cost no installed user pays. `--no-precompile` measures
that case instead. The validation cache (grader/schema.py) starts empty in a private folder and the first
run warms it, as a student's first `grader check` does; that first run is printed too.

`--compare DIR` also times another checkout (a worktree of an earlier commit), compiled the same way:
`python -m grader check` from each checkout's root with PYTHONPATH set to it, the two alternated run by run,
so that a machine shared with other work loads both alike; it prints both medians and their ratio.
"""

from __future__ import annotations

import argparse
import compileall
import os
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


def precompile(checkout: Path = measure.REPO) -> bool:
    """Compile grader/ and reference/ of a checkout to bytecode (git ignores __pycache__/); Python reads
    existing bytecode even under PYTHONDONTWRITEBYTECODE, which only stops it writing any."""
    packages = (checkout / "grader", checkout / "reference")
    return all(compileall.compile_dir(str(package), quiet=1) for package in packages)


def alternated(student: Path, other: Path, runs: int) -> tuple[list[float], list[float]]:
    """The wall times of `python -m grader check STUDENT` from this checkout and from `other`, each run from
    its own root with PYTHONPATH set to it, alternated run by run."""
    walls: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for checkout, into in ((measure.REPO, walls[0]), (other, walls[1])):
            env = {**os.environ, "PYTHONPATH": str(checkout)}
            m = measure.run(measure.python_module("grader", "check", str(student)), cwd=checkout, env=env)
            if m.exit_code != 0:
                raise SystemExit(f"grader check from {checkout} exited {m.exit_code}\n{m.stderr[-2000:]}")
            into.append(m.wall_seconds)
    return walls


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--no-precompile", action="store_true", help="let every run compile the sources")
    parser.add_argument("--json")
    parser.add_argument("--compare", metavar="DIR", help="another checkout, timed alternately with this one")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-check-"))
    try:
        precompiled = not args.no_precompile and precompile()
        # A private, empty validation cache: the first run validates the shipped files (a student's first
        # check), every later run finds them remembered.
        os.environ["XDG_CACHE_HOME"] = str(workdir / "cache")
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
            figs.append(Figure(f"first run of {label}", walls[label][0], "s", note="validation cache cold"))
        if args.compare:
            other = Path(args.compare).resolve()
            precompiled = precompiled and (args.no_precompile or precompile(other))
            ours, theirs = alternated(student, other, args.runs)
            walls["alternated, this checkout"], walls[f"alternated, {other}"] = ours, theirs
            mine, base = statistics.median(ours), statistics.median(theirs)
            label = f"median of {args.runs}"
            figs.append(Figure(f"alternated: this checkout, {label}", mine, "s", TARGET_SECONDS))
            figs.append(Figure(f"alternated: {other}, {label}", base, "s", TARGET_SECONDS))
            figs.append(Figure("alternated: this checkout / the other", mine / base, "x"))
        floor, walls["import numpy"] = median_seconds([sys.executable, "-c", "import numpy"], args.runs)
        figs.append(Figure(f"floor: python -c 'import numpy', median of {args.runs}", floor, "s"))
        imports = slowest_imports(commands["python -m grader check"]) if args.importtime else []
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    how = "compiled before timing (as pip install does)" if precompiled else "compiled by every run"
    print(f"bytecode: {how}")
    report(
        "check latency",
        figs,
        {"walls": walls, "slowest_imports": imports, "precompiled": precompiled},
        args.json,
    )
    for ms, module in imports:
        print(f"  import {module:<40} {ms:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
