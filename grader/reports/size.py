"""The cap on one student's report.json (untrusted.MAX_REPORT_BYTES), enforced where the Report is built.

Every field is already capped where it entered the parent; this is the cap on their sum. A report over it is
shortened in a fixed order, measuring after each step, until it fits: captured stdout/stderr first (shortened,
then dropped), then staff details and tracebacks (shortened, then dropped), then the load lists, then the
case and check messages. Each shortened text ends with untrusted.TRUNCATED, and staff.details["report_size"]
says what was shortened. Deterministic: the same report is always cut the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from grader.reports.jsonio import dumps
from grader.reports.report import LoadSummary, Report
from grader.untrusted import MAX_REPORT_BYTES, TRUNCATED, TextCap, clean

# A generous bound on what a report costs besides its free text (keys, numbers, indentation, labels): a
# MiniFlow report of 15 cases and 73 checks measured 27.9 KB besides its text; these constants allow 152 KB.
_PER_CASE, _PER_CHECK, _FIXED = 4096, 1024, 16384
_BYTES_PER_CHAR = 4  # UTF-8 at most; JSON escapes of what `clean` leaves (\n, \t, ", \) take 2


def _cut(text: str, chars: int) -> str:
    return clean(text, TextCap(chars=chars, lines=max(2, chars // 40)))


def _texts(report: Report) -> int:
    staff = report.staff
    total = len(staff.stdout) + len(staff.stderr)
    total += sum(map(len, staff.tracebacks.values())) + sum(map(len, staff.details.values()))
    for case in report.cases:
        total += len(case.message) + sum(len(c.message) for c in case.checks)
    if report.load is not None:
        load = report.load
        total += sum(len(k) + len(v) for k, v in [*load.modules.items(), *load.found.items()])
        total += sum(map(len, load.missing)) + sum(len(k) + len(", ".join(v)) for k, v in load.near.items())
    return total


def _surely_fits(report: Report, max_bytes: int) -> bool:
    """A cheap upper bound (no serialisation): nearly every report fits without being measured."""
    checks = sum(len(c.checks) for c in report.cases)
    bound = _BYTES_PER_CHAR * _texts(report) + _PER_CASE * len(report.cases) + _PER_CHECK * checks + _FIXED
    return bound <= max_bytes


def size_of(report: Report) -> int:
    return len(dumps(report.to_dict()).encode("utf-8"))


def _staff(report: Report, **fields: Any) -> Report:
    return dataclasses.replace(report, staff=dataclasses.replace(report.staff, **fields))


def _shorten_map(values: Mapping[str, str], chars: int) -> dict[str, str]:
    return {k: _cut(v, chars) for k, v in values.items()}


def _load(report: Report) -> Report:
    if report.load is None:
        return report
    load = report.load
    short = LoadSummary(
        dict(list(load.modules.items())[:4]),
        dict(list(load.found.items())[:4]),
        load.missing[:4],
        {k: v[:2] for k, v in list(load.near.items())[:4]},
        load.standins[:4],
    )
    return dataclasses.replace(report, load=short)


def _messages(report: Report) -> Report:
    def shorten(case: Any) -> Any:
        checks = tuple(dataclasses.replace(c, message=_cut(c.message, 300)) for c in case.checks)
        return dataclasses.replace(case, message=_cut(case.message, 300), checks=checks)

    return dataclasses.replace(report, cases=tuple(shorten(c) for c in report.cases))


# (what the step did, the step), in the order they are tried.
STEPS: tuple[tuple[str, Callable[[Report], Report]], ...] = (
    (
        "captured output shortened",
        lambda r: _staff(r, stdout=_cut(r.staff.stdout, 16384), stderr=_cut(r.staff.stderr, 16384)),
    ),
    ("captured output dropped", lambda r: _staff(r, stdout=TRUNCATED, stderr=TRUNCATED)),
    (
        "staff details shortened",
        lambda r: _staff(
            r, tracebacks=_shorten_map(r.staff.tracebacks, 1000), details=_shorten_map(r.staff.details, 1000)
        ),
    ),
    ("staff details dropped", lambda r: _staff(r, tracebacks={}, details={})),
    ("load lists shortened", _load),
    ("messages shortened", _messages),
)


def fit(report: Report, max_bytes: int = MAX_REPORT_BYTES) -> Report:
    """`report` itself when its report.json fits in `max_bytes`; otherwise a shortened copy (see above)."""
    if _surely_fits(report, max_bytes):
        return report
    size = size_of(report)
    if size <= max_bytes:
        return report
    done: list[str] = []
    fitted = report
    for what, step in STEPS:
        fitted = step(fitted)
        done.append(what)
        if size_of(fitted) <= max_bytes - 1024:  # room for the note below
            break
    note = f"report.json was {size:,} bytes, over the cap of {max_bytes:,}: {', '.join(done)}"
    return _staff(fitted, details={**fitted.staff.details, "report_size": note})
