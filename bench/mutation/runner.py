"""Which variants to sweep, and the sweep from end to end: drivers, then grading, per family."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from bench.mutation import sweep
from bench.mutation.operators import Mutant, mutants


def collect(
    families: list[str], sample: int | None, seed: int, owners: frozenset[str] | None = None
) -> tuple[list[Mutant], dict[tuple[str, str], str]]:
    """Every variant of the swept samples (or `sample` per family, drawn with `seed`), and the originals.
    `owners` keeps only the variants inside those classes or top-level functions, before the draw, so a
    sweep can spend its time on the least-swept classes of a large family."""
    chosen: list[Mutant] = []
    originals: dict[tuple[str, str], str] = {}
    for family in families:
        pool: list[Mutant] = []
        swept = sweep.SOURCES[family]
        for src in swept.sources:
            source = src.path(swept.folder).read_text(encoding="utf-8")
            originals[(family, src.key)] = source
            pool.extend(mutants(family, src.key, source, src.owners))
        if owners is not None:
            pool = [m for m in pool if m.owner in owners]
        if sample is not None and sample < len(pool):
            pool = sorted(random.Random(f"{seed}-{family}").sample(pool, sample), key=lambda m: m.name)
        chosen.extend(pool)
    return chosen, originals


def run(
    families: list[str], *, sample: int | None, seed: int, isolation: str, jobs: int,
    only: list[Mutant] | None = None, owners: frozenset[str] | None = None,
) -> tuple[list[sweep.Outcome], dict[tuple[str, str], str]]:  # fmt: skip
    chosen, originals = collect(families, sample, seed, owners)
    if only is not None:
        chosen = only
    with tempfile.TemporaryDirectory() as tmp:
        drives = {
            key: sweep.drive(key[0], key[1], src, Path(tmp), f"original-{key[0]}-{key[1].replace('/', '.')}")
            for key, src in originals.items()
        }
    outcomes = sweep.classify(chosen, drives, jobs)
    graded: list[sweep.Outcome] = []
    for family in families:
        mine = [o for o in outcomes if o.mutant.family == family]
        if mine:
            srcs = [(s.key, originals[(family, s.key)]) for s in sweep.SOURCES[family].sources]
            graded.extend(sweep.grade(family, mine, srcs, seed=seed, isolation=isolation, jobs=jobs))
    return graded, originals
