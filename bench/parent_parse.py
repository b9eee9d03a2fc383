"""What crafted notebooks cost the grading parent to read: CPU to load each at a size and at four times it.

    python -m bench.parent_parse [--scale 1.0] [--json FILE]

The parent reads every submission before any sandbox runs, so what it costs to read one is paid outside every
limit a student process has. Each shape below once cost the parent time quadratic in its size (hunt 12): many
indented magic lines in one cell (each looked back over every line before it, ~28 s for 20,000 lines),
many `%%writefile -a` cells (each copied the file written so far, ~7 s for an 8 MB notebook); and many long
`%%writefile` lines (session 25: split as IPython splits them, one token every 3 characters of `-a -a ...`).
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


def _long_writefile_lines(n: int) -> dict[str, object]:
    # n cells of a 1.5 KiB line of `-a` said again and again, the worst a %%writefile line is to split (one
    # token every 3 characters): 8 MiB of them cost the parent 1.3 s before loaders.MAX_WRITEFILE_CHARS
    writes = {"cell_type": "code", "source": "%%writefile " + "-a " * 500 + "a.py\nx = 1\n"}
    return {"cells": [*[writes] * n, {"cell_type": "code", "source": "y = 2\n"}]}


# shape -> (notebook of n units, n at full size)
SHAPES: dict[str, tuple[Callable[[int], dict[str, object]], int]] = {
    "indented magic lines": (_indented_magics, 20_000),
    "appended %%writefile cells": (_appended_writefiles, 19_000),
    "long %%writefile lines": (_long_writefile_lines, 1_000),
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
