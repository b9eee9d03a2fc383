"""The cap on one student's report.json: what is shortened first, the mark it leaves, and that an ordinary
report is left alone."""

from __future__ import annotations

import numpy as np
from report_builder import _case, build_report

from grader import untrusted
from grader.judge import grade
from grader.model import CaseOutput, Failure, RunResult
from grader.reports.size import fit, size_of

WIDE = "🙂"  # 4 bytes in UTF-8: the worst case per character
META = {
    "grader_version": "t",
    "assignment": {"id": "a", "title": "A", "family": "layers"},
    "submission_id": "flood",
    "submission_path": "/subs/flood",
    "sha256": None,
    "files": ["layers.py"],
    "seed": 1,
    "wall_seconds": 0.0,
}


def _flood(cases: int = 30) -> tuple[list, RunResult]:  # type: ignore[type-arg]
    """Every case errors with a full-size message and traceback; stdout and stderr are full: every field
    at its own cap, the sum far over MAX_REPORT_BYTES."""
    made = [_case(f"c{i}", expected={"dx": np.ones(2)}) for i in range(cases)]
    failure = Failure("exception", (WIDE + "\n") * 10_000, WIDE * 100_000)
    outputs = {c.id: CaseOutput(c.id, "error", {}, failure=failure) for c in made}
    run = RunResult("bwrap", None, outputs, None, WIDE * 100_000, WIDE * 100_000, 1.0)
    return made, run


def test_an_ordinary_report_is_left_alone() -> None:
    """Negative control: a report well under the cap is returned as is, with no size note."""
    report = build_report()
    assert fit(report) is report and "report_size" not in report.staff.details


def test_a_flood_fits_the_cap_and_says_what_was_cut() -> None:
    """Every field at its cap in 30 cases: report.json ends under MAX_REPORT_BYTES; output was cut first,
    then the staff details, and staff.details says so; every case keeps its status and points."""
    cases, run = _flood()
    report = grade(cases, run, META)
    assert size_of(report) <= untrusted.MAX_REPORT_BYTES
    note = report.staff.details["report_size"]
    assert note.startswith("report.json was ") and "over the cap of 1,048,576" in note
    assert note.index("captured output") < note.index("staff details")
    assert report.staff.stdout == untrusted.TRUNCATED
    assert [c.status for c in report.cases] == ["error"] * 30


def test_output_goes_first() -> None:
    """When captured output alone is too big, only it is shortened: tracebacks and messages are kept."""
    cases, run = _flood(cases=2)
    full = grade(cases, run, META | {"wall_seconds": 0.0})
    limit = size_of(full) - 100_000
    fitted = fit(full, limit)
    assert size_of(fitted) <= limit
    assert fitted.staff.tracebacks == full.staff.tracebacks
    assert [c.message for c in fitted.cases] == [c.message for c in full.cases]
    assert len(fitted.staff.stdout) < len(full.staff.stdout) and fitted.staff.stdout.endswith(
        untrusted.TRUNCATED
    )
    assert fitted.staff.details["report_size"].endswith(": captured output shortened")


def test_fitting_is_deterministic() -> None:
    """The same flood is cut the same way twice (reports are reproducible byte for byte)."""
    cases, run = _flood(cases=5)
    assert grade(cases, run, META).to_dict() == grade(cases, run, META).to_dict()
