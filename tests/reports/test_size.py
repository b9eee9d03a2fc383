"""The cap on one student's report.json: what is shortened first, the mark it leaves, and that an ordinary
report is left alone."""

from __future__ import annotations

from typing import Any

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


def test_what_a_student_reads_never_depends_on_how_long_a_later_phases_messages_are(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A hidden case's message is as long as its process chooses (a hidden input's bit): with the visible
    cases near the cap, a long one pushed report.json over it and shortened the visible messages the
    student reads. Whether a phase's texts are cut is decided with every later phase's case at its widest
    placeholder: the student views are the same either way, the report fits, and the hidden texts, which no
    student reads, are what is cut (control); an after-due-date message never cuts a visible one either."""
    from grader.reports.views import student_view

    visible = [_case(f"v{i}", expected={"dx": np.ones(2)}) for i in range(6)]
    hidden = [_case(f"h{i}", expected={"dx": np.ones(2)}, visibility="hidden") for i in range(6)]
    after = [_case("a0", expected={"dx": np.ones(2)}, visibility="after_due_date")]
    published = [_case("p0", expected={"dx": np.ones(2)}, visibility="after_published")]
    cases = [*visible, *after, *published, *hidden]
    long = WIDE * 3000

    def report(hidden_text: str, after_text: str = "a", published_text: str = "p") -> Any:
        texts = {**{c.id: long for c in visible}, "a0": after_text, "p0": published_text}
        texts |= {c.id: hidden_text for c in hidden}
        outputs = {k: CaseOutput(k, "error", {}, failure=Failure("exception", t)) for k, t in texts.items()}
        return grade(cases, RunResult("bwrap", None, outputs, None, WIDE * 1000, "", 1.0), META)

    monkeypatch.setattr("grader.judge.score.fit", lambda r: r)
    sizes = [size_of(report(t)) for t in ("h", long)]
    cap = (sizes[0] + sizes[1]) // 2
    assert sizes[0] < cap - 2048 < sizes[1], sizes
    monkeypatch.setattr("grader.judge.score.fit", lambda r: fit(r, cap))
    short_hidden, long_hidden = report("h"), report(long)
    for after_due_date in (False, True):
        for shown in (False, True):
            views = [
                student_view(r, after_due_date=after_due_date, published=shown)
                for r in (short_hidden, long_hidden)
            ]
            assert views[0] == views[1], "a hidden case's message length changed what the student reads"
    assert size_of(long_hidden) <= cap and "hidden" in long_hidden.staff.details["report_size"], "control"
    before = [student_view(report("h", t), after_due_date=False) for t in ("a", long)]
    assert before[0] == before[1], (
        "an after-due-date message changed what the student reads before the due date"
    )
    unpublished = [student_view(report("h", "a", t), after_due_date=True) for t in ("p", long)]
    assert unpublished[0] == unpublished[1], (
        "an after-published message changed what the student reads before grades are published"
    )


def test_the_parents_own_notes_count_toward_the_cap_and_are_cut() -> None:
    """A note the parent reads from the source (a helper dropping a parameter, spelt with 20,000 of them
    before grader/parameters.py bounded it) leads every failing case calling the helper and becomes its
    hint, the staff blame and a report warning: fit() measured messages but not hints, warnings or blame,
    and cut none of them, so a 20,000-parameter helper made a 3.8 MB report.json past the 1 MiB cap. Any
    such text now counts and is shortened like the messages (visible ones first, marked TRUNCATED)."""
    from grader.helper_args import Dropped

    long = "add(x0, x1, " + ", ".join(f"p{i}" for i in range(2, 60_000)) + ") never uses x1 (hw.py line 1)"
    made = [_case(f"c{i}", target="add", expected={"dx": np.ones(2)}) for i in range(12)]
    failure = Failure("exception", "boom", "")
    outputs = {c.id: CaseOutput(c.id, "error", {}, failure=failure) for c in made}
    run = RunResult("bwrap", None, outputs, None, "", "", 1.0)
    dropped = Dropped("add", frozenset({"add"}), (0,), True, long, long)
    report = grade(made, run, META | {"dropped_args": (dropped,), "warnings": (long,)})
    assert any(
        c.diagnosis is not None and c.diagnosis.hint.endswith(untrusted.TRUNCATED) for c in report.cases
    )
    assert size_of(report) <= untrusted.MAX_REPORT_BYTES, size_of(report)
    assert "report_size" in report.staff.details
