"""The sweep's table per family, and each survivor with its diff against the unmutated sample."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Sequence

from bench.mutation.sweep import Outcome, expected_blame

COLUMNS = ("family", "variants", "equiv.", "non-equiv.", "killed", "wrong values", "killed w/o crash",
           "survived", "exact blame")  # fmt: skip


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100.0 * part / whole:.1f}%)" if whole else "0/0"


def rows(outcomes: Sequence[Outcome]) -> list[dict[str, object]]:
    """One row per family (and a total): counts, and the targets' shares as exact fractions."""
    out = []
    families = sorted({o.mutant.family for o in outcomes})
    for family in [*families, "total"]:
        mine = [o for o in outcomes if family in ("total", o.mutant.family)]
        live = [o for o in mine if not o.equivalent]
        killed = [o for o in live if o.killed]
        values = [o for o in live if not o.crashes]
        out.append(
            {
                "family": family,
                "variants": len(mine),
                "equivalent": len(mine) - len(live),
                "non_equivalent": len(live),
                "killed": len(killed),
                "wrong_values": len(values),
                "wrong_values_killed": sum(o.killed for o in values),
                "survived": len(live) - len(killed),
                "exact_blame": sum(o.exact_blame for o in killed),
            }
        )
    return out


def table(outcomes: Sequence[Outcome]) -> str:
    lines = [" | ".join(COLUMNS), " | ".join("---" for _ in COLUMNS)]
    for r in rows(outcomes):
        lines.append(
            " | ".join(
                str(x)
                for x in (
                    r["family"], r["variants"], r["equivalent"], r["non_equivalent"],
                    _pct(r["killed"], r["non_equivalent"]),  # type: ignore[arg-type]
                    r["wrong_values"],
                    _pct(r["wrong_values_killed"], r["wrong_values"]),  # type: ignore[arg-type]
                    r["survived"],
                    _pct(r["exact_blame"], r["killed"]),  # type: ignore[arg-type]
                )
            )
        )  # fmt: skip
    return "\n".join(lines)


def survivor(o: Outcome, original: str) -> str:
    """'layers correct-m012 Relu.forward line 73, comparison: <= -> <' and the unified diff of the change."""
    m = o.mutant
    head = f"{m.family} {m.name} {m.function} line {m.line}, {m.operator}: {m.description}"
    if not o.crashes:
        head += " (wrong values, no crash)"
    diff = difflib.unified_diff(
        ast.unparse(ast.parse(original)).splitlines(),
        m.source.splitlines(),
        "original",
        m.name,
        n=1,
        lineterm="",
    )
    return "\n".join([head, *("    " + line for line in list(diff)[2:])])


def blame_misses(outcomes: Sequence[Outcome]) -> list[str]:
    """Killed variants whose blame is not exactly the mutated class: what the blame said instead."""
    return [
        f"{o.mutant.family} {o.mutant.name} {o.mutant.function}: blamed {list(o.blame)}, "
        f"expected [{expected_blame(o.mutant)!r}]"
        for o in outcomes
        if o.killed and not o.exact_blame
    ]
