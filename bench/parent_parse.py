"""What crafted notebooks cost the grading parent to read: CPU to load each at a size and at four times it.

    python -m bench.parent_parse [--scale 1.0] [--json FILE]

The parent reads every submission before any sandbox runs, so what it costs to read one is paid outside every
limit a student process has. Each shape below once cost the parent time quadratic in its size (hunt 12): many
indented magic lines in one cell (each looked back over every line before it, ~28 s for 20,000 lines),
many `%%writefile -a` cells (each copied the file written so far, ~7 s for an 8 MB notebook); and a
`%%writefile` line of 1 MB, not read past 16 KiB (shlex, which IPython splits it with, took ~12 s: s25).
Linear reading makes the 4x load cost about 4 times the 1x one; the target allows 8 (quadratic would be 16).
The full-size load must also stay under a second of CPU. `--scale` shrinks the sizes (the smoke test runs them
small).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.figures import Figure, Target, report

GROWTH_TARGET = 8.0  # 4x the input: linear gives ~4, quadratic ~16
FULL_SIZE_SECONDS = 1.0


def _indented_magics(n: int) -> dict[str, object]:
    # a line of code after them: a notebook without one is refused as empty once parsed
    return {"cells": [{"cell_type": "code", "source": "\n".join([" !x"] * n) + "\nx = 1"}]}


def _appended_writefiles(n: int) -> dict[str, object]:
    cell = {"cell_type": "code", "source": "%%writefile -a a.py\n" + "#" * 49 + "\n"}
    return {"cells": [{"cell_type": "code", "source": "%%writefile a.py\nx = 1\n"}, *[cell] * n]}


def _long_writefile_line(n: int) -> dict[str, object]:
    # two names: Jupyter writes nothing, so the notebook loads; shlex, which IPython splits with, took ~12 s
    # on a 1 MB word (it grows its token a character at a time)
    writes = {"cell_type": "code", "source": "%%writefile " + "a" * n + " b.py\nx = 1\n"}
    return {"cells": [writes, {"cell_type": "code", "source": "y = 2\n"}]}


# shape -> (notebook of n units, n at full size)
SHAPES: dict[str, tuple[Callable[[int], dict[str, object]], int]] = {
    "indented magic lines": (_indented_magics, 20_000),
    "appended %%writefile cells": (_appended_writefiles, 19_000),
    "long %%writefile line": (_long_writefile_line, 1_000_000),
}


def _load_seconds(path: Path, repeats: int = 3) -> float:
    """The least CPU of a few loads: the cost of the work itself, with the machine's noise taken out."""
    from grader.loaders import load_submission

    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        load_submission(path)
        best = min(best, time.process_time() - started)
    return best


def measure(scale: float) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        for shape, (build, full) in SHAPES.items():
            n = max(10, int(full * scale))
            seconds = []
            for size in (n, 4 * n):
                path = Path(tmp) / f"{len(seconds)}.ipynb"
                path.write_text(json.dumps(build(size), separators=(",", ":")))
                seconds.append(_load_seconds(path))
            figures.append(
                Figure(f"{shape}: CPU to load {n:,}", seconds[0], "s", Target("<=", FULL_SIZE_SECONDS))
            )
            figures.append(Figure(f"{shape}: CPU to load {4 * n:,}", seconds[1], "s"))
            growth = seconds[1] / max(seconds[0], 1e-6)
            figures.append(
                Figure(f"{shape}: 4x the input costs", growth, "x", Target("<=", GROWTH_TARGET), "linear ~4")
            )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the sizes (1.0: full size)")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    report("parent parse cost", measure(args.scale), {"scale": args.scale}, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
