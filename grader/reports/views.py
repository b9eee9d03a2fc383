"""Who sees what: the staff view (the full report) and the student view (a projection of it).

Student view rules:
- `staff` (tracebacks, captured output, process details) is removed.
- `hidden` cases keep id, name, class, kind, status (passed or not), points and max points; their message is
  replaced by `HIDDEN_MESSAGE`; their checks, failure code and diagnosis are dropped: no values, no shapes,
  no inputs, nothing computed from them.
- `after_due_date` cases are removed unless `after_due_date=True`, `after_published` cases (Gradescope
  shows them once grades are published) unless `published=True`; `score` / `max_score` then count only the
  cases shown, and `withheld` says how many cases (and max points) are still to come, and how many of those
  wait for the grades to be published (`withheld.after_published`, when any do).
- `hidden` summarises what the hidden cases cost, so a student is told clearly when hidden tests lost points.
- blame is the one worked out from the cases the view shows openly (staff.student_blame: a hidden case's
  diagnosis never words it), keeping only entries supported by such a case and listing only shown case ids.
- `status` "error" (the grader's fault) stands only when a case the view shows openly failed with
  grader_error, or none did: a hidden case's grader error alone is reported to staff, not to the student.
- `seed` is None when the report's seed is private (a per-student seed made from the course secret,
  grader/gradescope_seed.py): it would let the grader's public code replay the student's hidden cases.
- `timing` is zero when any hidden or after-due-date case ran (`timing_withheld`): how long the run took is
  up to the student's code, which can make a hidden phase last as long as a hidden input says (a sleep of
  `2 + X[0, 1]` seconds read back from the report); the staff view keeps the real figures.
"""

from __future__ import annotations

import copy
from typing import Any

from grader.fault import GRADER_ERROR
from grader.reports.report import (
    PUBLISHED_VIEWS,
    STUDENT_BLAME,
    Report,
    blame_view,
    class_summaries,
    skipped,
    total,
)

HIDDEN_MESSAGE = "Hidden test: only its status and points are shown."
_HIDDEN_KEEP = (
    "id",
    "name",
    "class",
    "kind",
    "target",
    "ops",
    "status",
    "points",
    "max_points",
    "visibility",
)


def as_dict(report: Report | dict[str, Any]) -> dict[str, Any]:
    return report.to_dict() if isinstance(report, Report) else copy.deepcopy(report)


def _redact(case: dict[str, Any]) -> dict[str, Any]:
    out = {k: case[k] for k in _HIDDEN_KEEP}
    if case.get("generated"):  # its name says so already ("(generated #2)"); the summary words it
        out["generated"] = True
    # pass/fail alone, but a skipped case stays skipped: that the code leaves an optional class out is the
    # student's own knowledge, no hidden input's (it read "failed" beside "no points lost")
    out["status"] = case["status"] if skipped(case) else "passed" if case["status"] == "passed" else "failed"
    out["message"] = HIDDEN_MESSAGE
    out["checks"] = []
    out["failure_code"] = None
    out["diagnosis"] = None
    return out


def _blame(entries: list[dict[str, Any]], shown: set[str], open_ids: set[str]) -> list[dict[str, Any]]:
    kept = []
    for b in entries:
        support = b["unit_cases"] if b["class"] is not None else b["explains"]
        if not any(i in open_ids for i in support):
            continue
        kept.append(
            dict(
                b,
                unit_cases=[i for i in b["unit_cases"] if i in shown],
                explains=[i for i in b["explains"] if i in shown],
            )
        )
    return kept


def _open_blame(doc: dict[str, Any], staff: dict[str, Any], view: str) -> list[dict[str, Any]]:
    """The blame of the cases this view shows openly. A report kept from before that was worked out apart has
    only the blame of every case: shown only when every case is open in this view (it is then the same)."""
    if view in PUBLISHED_VIEWS and not any(c["visibility"] == "after_published" for c in doc["cases"]):
        view = PUBLISHED_VIEWS[view]  # nothing waits for publication: the same view, worked out as that one
    worked_out = staff.get("student_blame", {}).get(view)
    if worked_out is not None:
        return list(worked_out)
    open_kinds = STUDENT_BLAME[view]
    return list(doc["blame"]) if all(c["visibility"] in open_kinds for c in doc["cases"]) else []


def _open_status(doc: dict[str, Any], open_cases: list[dict[str, Any]]) -> str:
    """ "error" (the grader failed, not the student) only when it shows in a case this view shows openly, or
    in none: a grader error in a hidden case alone, which a hidden input might have led to, is staff's."""
    if doc["status"] != "error" or any(c["failure_code"] == GRADER_ERROR for c in open_cases):
        return str(doc["status"])
    return "graded" if any(c["failure_code"] == GRADER_ERROR for c in doc["cases"]) else "error"


def timing_withheld(doc: dict[str, Any]) -> bool:
    """Whether a report's run time includes a phase that ran hidden, after-due-date or after-published
    cases."""
    return any(c["visibility"] != "visible" for c in doc["cases"])


def _withheld(cases: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"cases": len(cases), "max_points": total(c["max_points"] for c in cases)}
    waiting = [c for c in cases if c["visibility"] == "after_published"]
    if waiting:
        out["after_published"] = {
            "cases": len(waiting),
            "max_points": total(c["max_points"] for c in waiting),
        }
    return out


def student_view(
    report: Report | dict[str, Any], *, after_due_date: bool, published: bool = False
) -> dict[str, Any]:
    """The student-facing projection of a report (a dict with the report's layout, `view: "student"`):
    as shown after the due date or not, once the grades are published or not."""
    doc = as_dict(report)
    if doc.pop("seed_private", False):  # with it, the grader's public code would replay the hidden cases
        doc["seed"] = None
    view = blame_view(after_due_date=after_due_date, published=published)
    blame = _open_blame(doc, doc.pop("staff", None) or {}, view)
    if timing_withheld(doc):
        doc["timing"] = {key: 0.0 for key in doc["timing"]}
    shown_kinds = ("hidden", *STUDENT_BLAME[view])
    cases, withheld = [], []
    for case in doc["cases"]:
        if case["visibility"] not in shown_kinds:
            withheld.append(case)
        else:
            cases.append(_redact(case) if case["visibility"] == "hidden" else case)
    hidden = [c for c in cases if c["visibility"] == "hidden"]
    shown = {c["id"] for c in cases}
    open_ids = {c["id"] for c in cases if c["visibility"] != "hidden"}
    doc.update(
        view="student",
        status=_open_status(doc, [c for c in cases if c["id"] in open_ids]),
        cases=cases,
        classes=class_summaries(cases),
        blame=_blame(blame, shown, open_ids),
        score=total(c["points"] for c in cases),
        max_score=total(c["max_points"] for c in cases),
        hidden={
            "cases": len(hidden),
            # a skipped case of an optional class the code leaves out did not fail: "3 of 15 hidden tests
            # did not pass" was said of a file graded full marks (review of session 18)
            "failed": sum(c["status"] != "passed" and not skipped(c) for c in hidden),
            "points": total(c["points"] for c in hidden),
            "max_points": total(c["max_points"] for c in hidden),
        },
        withheld=_withheld(withheld),
    )
    return doc
