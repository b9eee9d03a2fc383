"""Scan a submission's files in the parent and return flags for staff (see grader/flags/__init__.py).

Each rule family is one entry of `RULES`; a file the rules cannot handle (too large, too deep, or a bug in a
rule) becomes a `not_scanned` flag instead of an error, so the scan never costs a submission its grade.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from grader.flags.model import Flag
from grader.flags.numerical import numerical_flags
from grader.flags.runtime import runtime_flags
from grader.flags.source import Source, Unscannable, local_module_names, parse

MAX_PER_CODE = 10  # per submission: enough to point staff at the code, bounded whatever the file holds
OPAQUE_SUFFIXES = frozenset({".pyc", ".pyo", ".so", ".pyd", ".dylib"})


@dataclass(frozen=True)
class ScanContext:
    graded: frozenset[str] = frozenset()  # names the assignment grades (classes and functions)
    forbidden: Mapping[str, str] = field(default_factory=dict)  # the assignment's forbidden imports -> code


Rule = Callable[[Source, ScanContext], Iterable[Flag]]

RULES: dict[str, Rule] = {
    "runtime": lambda src, ctx: runtime_flags(src, ctx.forbidden),
    "numerical": lambda src, ctx: numerical_flags(src, ctx.graded),
}


def _scan_file(rel: str, data: bytes, local: frozenset[str], ctx: ScanContext) -> list[Flag]:
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix in OPAQUE_SUFFIXES:
        return [Flag.make("opaque_module", rel, 0, f"ships a compiled {suffix} file: nobody can read it")]
    if suffix != ".py":
        return []
    try:
        src = parse(rel, data, local)
        return [] if src is None else [f for rule in RULES.values() for f in rule(src, ctx)]
    except Unscannable as why:
        return [Flag.make("not_scanned", rel, 0, f"not scanned: {why}")]
    except (RecursionError, MemoryError) as exc:
        return [Flag.make("not_scanned", rel, 0, f"not scanned: too deeply nested ({type(exc).__name__})")]
    except Exception as exc:  # a bug in a rule costs this file's scan, never the submission's grade
        failed = f"the scan failed on this file: {type(exc).__name__}: {exc}"
        return [Flag.make("not_scanned", rel, 0, failed)]


def _capped(flags: Iterable[Flag]) -> tuple[Flag, ...]:
    """One flag per (file, line, code), in file and line order, at most MAX_PER_CODE of each code."""
    unique = {f.sort_key: f for f in sorted(flags, key=lambda f: f.sort_key, reverse=True)}
    out: list[Flag] = []
    counts: dict[str, int] = {}
    for key in sorted(unique):
        flag = unique[key]
        counts[flag.code] = counts.get(flag.code, 0) + 1
        if counts[flag.code] <= MAX_PER_CODE:
            out.append(flag)
    return tuple(out)


def scan_submission(
    files: Mapping[str, bytes],
    *,
    graded: Iterable[str] = (),
    forbidden_imports: Iterable[str] = (),
) -> tuple[Flag, ...]:
    """Flags for every file of a submission (`SubmissionFiles.files`): parsed, never executed."""
    ctx = ScanContext(frozenset(graded), dict.fromkeys(forbidden_imports, "autodiff_library"))
    local = local_module_names(files)
    flags: list[Flag] = []
    for rel in sorted(files):
        flags.extend(_scan_file(rel, files[rel], local, ctx))
    return _capped(flags)
