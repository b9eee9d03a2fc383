"""The cap on one student's report.json (untrusted.MAX_REPORT_BYTES), enforced where the Report is built.

Every field is already capped where it entered the parent; this is the cap on their sum. A report over it is
shortened in a fixed order until it fits. First what students read, phase by phase (SHOWN_STEPS: the load
lists, then the visible cases' messages and hints, then the warnings and the blame a student reads; then the
after-due-date cases' messages and hints), each step taken only when
the report is still over the cap with every staff text and the staff blame at their smallest and every case
of a later phase at its widest placeholder: what a student reads of a phase never depends on what a later
phase's process wrote (a hidden case's message as long as a hidden input says). Then what no student reads
(STAFF_STEPS): captured stdout/stderr (shortened, then dropped), staff details and tracebacks (shortened, then
dropped), the hidden cases' messages (shortened, then dropped with their checks) and the staff blame. Each
shortened text ends with untrusted.TRUNCATED, and staff.details["report_size"] says what was shortened.
Deterministic: the same report is always cut the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from grader.fault import disowned
from grader.model import FAILURE_CODES, PHASES
from grader.reports.jsonio import dumps
from grader.reports.report import STUDENT_BLAME, LoadSummary, Report
from grader.untrusted import MAX_REPORT_BYTES, TRUNCATED, TextCap, clean

# A generous bound on what a report costs besides its free text (keys, numbers, indentation, labels): a
# MiniFlow report of 15 cases and 73 checks measured 27.9 KB besides its text; these constants allow 152 KB.
_PER_CASE, _PER_CHECK, _FIXED = 4096, 1024, 16384
_BYTES_PER_CHAR = 4  # UTF-8 at most; JSON escapes of what `clean` leaves (\n, \t, ", \) take 2


def _cap(chars: int) -> TextCap:
    return TextCap(chars=chars, lines=max(2, chars // 40))


def _cut(text: str, chars: int) -> str:
    return clean(text, _cap(chars))


def _cut_shown(text: str, chars: int) -> str:
    """`_cut` for what a student reads: a cut inside a name kept whole (`not your code's faultsy`) could leave
    the grader's wording at the end, so a text that was cut is disowned again (grader/fault.py). One that
    was not is left as it is: the grader's own sentence, where it is true, is shorter than any cut here."""
    cut = _cut(text, chars)
    return cut if cut == text else disowned(text, _cap(chars))


def _texts(report: Report) -> int:
    staff = report.staff
    total = len(staff.stdout) + len(staff.stderr)
    total += sum(map(len, staff.tracebacks.values())) + sum(map(len, staff.details.values()))
    for case in report.cases:
        total += len(case.message) + sum(len(c.message) for c in case.checks)
        total += len(case.diagnosis.hint) if case.diagnosis is not None else 0
    # the parent's own notes (read from the source, grader/judge/source_notes.py) spell the student's names
    total += sum(map(len, report.warnings)) + sum(len(b.message) for b in report.blame)
    total += sum(len(b.message) for shown in staff.student_blame.values() for b in shown)
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


def _shorten(case: Any) -> Any:
    checks = tuple(dataclasses.replace(c, message=_cut_shown(c.message, 300)) for c in case.checks)
    found = case.diagnosis
    diagnosis = None if found is None else dataclasses.replace(found, hint=_cut_shown(found.hint, 300))
    return dataclasses.replace(
        case, message=_cut_shown(case.message, 300), checks=checks, diagnosis=diagnosis
    )


def _notes(report: Report) -> Report:
    """The report's warnings and the blame a student reads, shortened: they carry the parent's notes on the
    source, which spell the student's own names (a helper's parameters: 3.8 MB of them before
    grader/parameters.py bounded them, none of it cut here)."""
    blame = {
        view: tuple(dataclasses.replace(b, message=_cut_shown(b.message, 300)) for b in shown)
        for view, shown in report.staff.student_blame.items()
    }
    warnings = tuple(_cut_shown(w, 300) for w in report.warnings)
    return dataclasses.replace(_staff(report, student_blame=blame), warnings=warnings)


def _cases(report: Report, phase: str, change: Callable[[Any], Any]) -> Report:
    cases = tuple(change(c) if c.visibility == phase else c for c in report.cases)
    return dataclasses.replace(report, cases=cases)


def _minimal(case: Any) -> Any:
    """A hidden case with nothing but what says which case it is and how it ended (staff see why in
    staff.details["report_size"])."""
    return dataclasses.replace(case, message=TRUNCATED, checks=(), diagnosis=None)


# The longest a float's repr and a failure code can be: a case of a later phase is measured at its widest.
_WIDEST_POINTS = -2.2250738585072014e-308
_LONGEST_CODE = max(FAILURE_CODES, key=len)


def _placeholder(case: Any) -> Any:
    """What a case of a later phase may cost at the most once its texts are dropped (`_minimal`): built from
    what the case is (id, name, class, points at stake), never from how it ran."""
    return dataclasses.replace(
        case, status="not_run", points=_WIDEST_POINTS, failure_code=_LONGEST_CODE, message=TRUNCATED,
        checks=(), diagnosis=None, staff_detail="",
    )  # fmt: skip


def _without_later(report: Report, phase: str) -> Report:
    """The report as far as the student view of `phase` shows it: staff texts and the staff blame at their
    smallest, every case of a later phase at its widest placeholder. Whether `phase`'s own texts are cut is
    decided on this measure: on the whole report, a hidden case's message (as long as a hidden input says)
    pushed the report over the cap and shortened the visible messages and load lists the student reads."""
    later = PHASES[PHASES.index(phase) + 1 :]
    cases = tuple(_placeholder(c) if c.visibility in later else c for c in report.cases)
    # (the blame of a student view that shows a later phase's cases is worded from them)
    blame = {
        v: b
        for v, b in report.staff.student_blame.items()
        if not set(STUDENT_BLAME.get(v, later)) & set(later)
    }
    staff = dataclasses.replace(
        report.staff, stdout=TRUNCATED, stderr=TRUNCATED, tracebacks={}, details={}, student_blame=blame
    )
    return dataclasses.replace(report, cases=cases, staff=staff, blame=())


# Per phase whose cases a student reads (visible, after-due-date, after-published), what is cut of it, in
# order, decided on `_without_later`: nothing of a later phase decides what a student reads of an earlier
# one.
SHOWN_STEPS: tuple[tuple[str, tuple[tuple[str, Callable[[Report], Report]], ...]], ...] = (
    (
        "visible",
        (
            ("load lists shortened", _load),
            ("messages shortened", lambda r: _cases(r, "visible", _shorten)),
            ("warnings and blame shortened", _notes),
        ),
    ),
    (
        "after_due_date",
        (("after-due-date messages shortened", lambda r: _cases(r, "after_due_date", _shorten)),),
    ),
    (
        "after_published",
        (("after-published messages shortened", lambda r: _cases(r, "after_published", _shorten)),),
    ),
)

# Then what no student reads, in order, on the whole report.
STAFF_STEPS: tuple[tuple[str, Callable[[Report], Report]], ...] = (
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
    ("hidden messages shortened", lambda r: _cases(r, "hidden", _shorten)),
    ("hidden cases' texts dropped", lambda r: _cases(r, "hidden", _minimal)),
    ("staff blame dropped", lambda r: dataclasses.replace(r, blame=())),
)


def fit(report: Report, max_bytes: int = MAX_REPORT_BYTES) -> Report:
    """`report` itself when its report.json fits in `max_bytes`; otherwise a shortened copy (see above)."""
    if _surely_fits(report, max_bytes):
        return report
    size = size_of(report)
    if size <= max_bytes:
        return report
    room = max_bytes - 1024  # for the note below
    done: list[str] = []
    fitted = report
    for phase, steps in SHOWN_STEPS:
        for what, step in steps:
            if size_of(_without_later(fitted, phase)) <= room:
                break
            fitted = step(fitted)
            done.append(what)
    for what, step in STAFF_STEPS:
        if size_of(fitted) <= room:
            break
        fitted = step(fitted)
        done.append(what)
    note = f"report.json was {size:,} bytes, over the cap of {max_bytes:,}: {', '.join(done)}"
    return _staff(fitted, details={**fitted.staff.details, "report_size": note})
