"""Guess which assignment a submission is for, from the names its source defines (read as text, never run)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_DEFINED = re.compile(rb"^[ \t]*(?:class|def)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


def defined_names(files: Mapping[str, bytes]) -> set[str]:
    names: set[str] = set()
    for rel, data in files.items():
        if rel.endswith(".py"):
            names.update(m.decode("ascii", "replace") for m in _DEFINED.findall(data))
    return names


def best_match(files: Mapping[str, bytes], candidates: Iterable[tuple[str, Iterable[str]]]) -> str | None:
    """The candidate whose required names the files define most of; a tie gives None (the user chooses)."""
    names = {n.lower() for n in defined_names(files)}

    def coverage(required: list[str]) -> float:
        return sum(r.lower() in names for r in required) / max(1, len(required))

    scored = sorted(((coverage(list(required)), cid) for cid, required in candidates), reverse=True)
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]
