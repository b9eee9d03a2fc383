"""Whether two checkouts write the same files for the same classes: a check for speed-only changes.

    python -m bench.same_outputs --compare CHECKOUT [--n 200] [--work DIR]

Runs `grader batch` (every --format, and the Canvas and Moodle imports) from this checkout and from CHECKOUT
on the throughput benchmark's class (bench/submissions.py) and on the sample folders of the miniflow, dezero,
layers and dlfs-advanced families, then compares every file the two runs wrote, byte for byte once what
differs from one run of the same code to the next is masked: timings, the sandbox's temporary paths, the
submission's path under each checkout, and the journal's order (completion order). Prints the files that
still differ; the exit status is 1 when any does. A sample whose own output varies from run to run (a
notebook printing a numerical gradient check) differs between two runs of one checkout too: run it against
itself to see those.
Nothing is timed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

FOLDERS = (("miniflow", "miniflow"), ("dezero", "dezero"), ("dlfs-layers", "layers"))
FOLDERS += (("dlfs-advanced", "dlfs-advanced"),)
FORMATS = "json,student,gradescope,junit,canvas,moodle"
_MASKS = (
    (rb'"(sandbox_seconds|wall_seconds|elapsed_seconds|execution_time)": ?[0-9.e+-]+', rb'"\1": T'),
    (rb'time="[0-9.]+"', b'time="T"'),
    (rb"/tmp/grader-sandbox-\w+/work/worker-\w+/job-\w+", b"SANDBOX"),
)


def _grade(checkout: Path, classes: dict[str, tuple[str, Path]], out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    for name, (assignment, directory) in classes.items():
        command = [
            sys.executable,
            "-m",
            "grader",
            "batch",
            assignment,
            str(directory),
            "--out",
            str(out / name),
        ]
        command += ["--jobs", "2", "--seed", "1", "--isolation", "rlimits", "--format", FORMATS]
        subprocess.run(command, cwd=checkout, env=env, capture_output=True, check=False, timeout=3600)


def _masked(path: Path, roots: Sequence[Path]) -> bytes:
    data = path.read_bytes()
    for root in roots:
        data = data.replace(str(root).encode(), b"CHECKOUT")
    for pattern, replacement in _MASKS:
        data = re.sub(pattern, replacement, data)
    return b"\n".join(sorted(data.splitlines())) if path.name == "journal.jsonl" else data


def differing(a: Path, b: Path, roots: Sequence[Path]) -> list[str]:
    """The files of tree `a` and tree `b` that differ once masked (or that only one of them has)."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    out = [f"only in one: {p}" for p in sorted(files_a ^ files_b)]
    out += [str(p) for p in sorted(files_a & files_b) if _masked(a / p, roots) != _masked(b / p, roots)]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--compare", type=Path, required=True, help="the other checkout (main before a change)"
    )
    parser.add_argument("--n", type=int, default=200, help="size of the generated class")
    parser.add_argument(
        "--work", type=Path, help="where to write both runs (default: a new temporary folder)"
    )
    args = parser.parse_args(argv)
    from bench import submissions

    here, there = Path(__file__).resolve().parents[1], args.compare.resolve()
    work = args.work or Path(tempfile.mkdtemp(prefix="same-outputs-"))
    submissions.write_class(work / "class", args.n, 1)
    runs = {}
    for label, checkout in (("this", here), ("baseline", there)):
        classes = {"class": ("miniflow", work / "class")}
        classes |= {f: (a, checkout / "submissions" / f) for a, f in FOLDERS}
        _grade(checkout, classes, work / label)
        runs[label] = work / label
    found = differing(runs["this"], runs["baseline"], (here, there))
    print(f"{len(found)} files differ between {here} and {there} (both runs in {work})")
    for line in found:
        print(f"  {line}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
