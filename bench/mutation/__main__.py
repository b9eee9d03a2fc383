"""`python -m bench.mutation [--sample N --seed S] [--family F] [--owner NAME] [--isolation MODE] [--jobs N]
[--json OUT]`

Generates single-change variants of the correct and stage samples of each family, separates the equivalent
ones with the drivers, grades the rest through the pipeline, and prints the table, then every survivor with
its diff. Targets (issue 15): per family at least 99% of non-equivalent variants killed, 97% of those that
compute wrong values without crashing, and the mutated class blamed alone in 90% of kills.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.mutation import sweep, table
from bench.mutation.runner import run

TARGETS = {"killed": 0.99, "wrong_values_killed": 0.97, "exact_blame": 0.90}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.splitlines()[0])
    p.add_argument("--sample", type=int, metavar="N", help="N variants per family (default: all)")
    p.add_argument("--seed", type=int, default=15, help="seed of the sample and of the generated cases")
    p.add_argument(
        "--family", action="append", choices=sorted(sweep.SOURCES), help="repeatable (default: all)"
    )
    p.add_argument(
        "--owner",
        action="append",
        metavar="NAME",
        help="only variants inside this class or top-level function, before --sample (repeatable)",
    )
    p.add_argument(
        "--isolation", default="auto", help="sandbox mode, as `grader --isolation` (default: auto)"
    )
    p.add_argument("--jobs", type=int, default=2, help="parallel drivers and sandbox workers (default: 2)")
    p.add_argument("--json", metavar="OUT", help="also write every outcome as JSON")
    args = p.parse_args(argv)
    families = args.family or sorted(sweep.SOURCES)
    started = time.monotonic()
    outcomes, originals = run(
        families, sample=args.sample, seed=args.seed, isolation=args.isolation, jobs=args.jobs,
        owners=frozenset(args.owner) if args.owner else None,
    )  # fmt: skip
    size = "all variants" if args.sample is None else f"sample of {args.sample} per family, seed {args.seed}"
    if args.owner:
        size += f", owners {', '.join(sorted(args.owner))}"
    print(f"mutation sweep: {size}, {time.monotonic() - started:.0f} s\n")
    print(table.table(outcomes))
    rows = {r["family"]: r for r in table.rows(outcomes)}
    met = True
    for family in families:
        r = rows[family]
        for key, target in TARGETS.items():
            whole = {
                "killed": r["non_equivalent"],
                "wrong_values_killed": r["wrong_values"],
                "exact_blame": r["killed"],
            }[key]
            share = (r[key] / whole) if whole else 1.0  # type: ignore[operator]
            met = met and share >= target
    verdict = "met" if met else "NOT met"
    print(f"\ntargets (killed >= 99%, wrong values killed >= 97%, exact blame >= 90%, per family): {verdict}")
    survivors = [o for o in outcomes if not o.equivalent and not o.killed]
    print(f"\nsurvivors ({len(survivors)}):")
    for o in survivors:
        print(table.survivor(o, originals[(o.mutant.family, o.mutant.sample)]))
    misses = table.blame_misses(outcomes)
    print(f"\nkills not blamed on exactly the mutated class ({len(misses)}):")
    for line in misses:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps([o.to_dict() for o in outcomes], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
