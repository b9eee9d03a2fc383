"""Gradescope `results.json` (FACTS.md section 6), built from the student view.

Every case becomes a test, numbered "<section>.<n>" where a section is a class (in order of first
appearance), and listed in the order of those numbers. Visibility maps one to one (visible, hidden,
after_due_date, after_published are Gradescope values too); Gradescope itself withholds after_due_date tests
until the due date and after_published ones until the grades are published, so the student view is taken
with `after_due_date=True, published=True` and every test is present; the top-level summary, which
Gradescope shows from the start, words only what the view before the due date and publication shows (no
blame from an after-due-date or after-published case). Test outputs come from the student view: a hidden
test shows its status and points only, even to staff in Gradescope (the staff detail is in report.json).

Gradescope renders `output` (per test and the top-level summary) as markdown with HTML: every string that
did not come from this module goes through `escape.markdown`, so a student's `[x](javascript:...)`,
`<img onerror=...>` or `**` shows as those characters; a check's got/expected table goes through
`escape.markdown_code` (a fenced code block, whose columns line up and whose content no renderer
interprets). Test names and tags are plain text (`text` format).

The static scan's flags (grader/flags) are the one staff-only item added here, because Gradescope keeps
nothing of a run but results.json: when there are any, one extra test worth 0 points with visibility
`hidden`, which Gradescope never shows to students (only to instructors and TAs), status "passed" (a prompt
to look, not a failure). They never appear in the top-level output, a visible test or `extra_data`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.atomic import write_text
from grader.judge.score import ISOLATION_WARNINGS
from grader.model import TABLE_ROW
from grader.reports.escape import markdown as md
from grader.reports.escape import markdown_code
from grader.reports.gradebook import out_of
from grader.reports.graded_files import graded_files_line
from grader.reports.jsonio import dumps
from grader.reports.report import Report, skipped
from grader.reports.views import as_dict, student_view, timing_withheld

RESULTS_FILE = "results.json"
STAFF_REVIEW_TEST = "Staff review flags (0 points; hidden: never shown to students)"
VISIBILITY = {v: v for v in ("visible", "hidden", "after_due_date", "after_published")}
_ISOLATION = frozenset(ISOLATION_WARNINGS.values())  # in extra_data["isolation"] and the log, for staff
_STATUS_WORD = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "not_run": "NOT RUN"}


def _test_output(case: dict[str, Any]) -> str:
    head = f"**{_STATUS_WORD[case['status']]}** {case['points']:g} / {case['max_points']:g}"
    # an error's message holds no got/expected table, but may hold the student's own text indented by four
    # spaces (an exception's message): all of it is text, never a code block drawn as a table
    message = md(str(case["message"])) if case["status"] == "error" else _message(case["message"])
    return f"{head}\n\n{message}"


def _message(message: object) -> str:
    """A case's message as markdown: its got/expected tables (compare.py's rows, indented by TABLE_ROW) in
    code blocks, whose columns line up (escaped as text, repeated spaces collapsed and the columns drifted);
    every other line escaped as text."""
    parts: list[str] = []
    text: list[str] = []
    table: list[str] = []
    for line in str(message).split("\n"):
        if line.startswith(TABLE_ROW):
            if text:
                parts.append(md("\n".join(text)))
                text = []
            table.append(line[len(TABLE_ROW) :])
            continue
        if table:
            parts.append(markdown_code(table))
            table = []
        text.append(line)
    if text:
        parts.append(md("\n".join(text)))
    if table:
        parts.append(markdown_code(table))
    return "\n\n".join(parts)


def summary_markdown(view: dict[str, Any], early: dict[str, Any] | None = None) -> str:
    """The top-level output. Gradescope shows it from the first run on, before the due date too, so what it
    words from the cases comes from `early`, the view before the due date (default: `view`): the blame of an
    after-due-date case is in that test's own output, which Gradescope holds back until the due date."""
    early = view if early is None else early
    a = view["assignment"]
    full = full_marks(view)
    counted = out_of(view["score"], view["max_score"], full)
    # the score Gradescope shows at the top (results.json's score), against the points the kit asks for
    lines = [f"**{md(a['title'] or a['id'])}**: {counted:g} / {full:g} points", ""]
    if full != view["max_score"] and view["status"] != "load_failed":  # nothing loaded: nothing to explain
        left_out = ", ".join(md(name) for name in _left_out(view))
        lines += [
            f"Your code does not define {left_out or 'an optional class'} (optional at this stage): those "
            f"tests were not run and cost no points, so your {view['score']:g} / {view['max_score']:g} on "
            f"the tests that ran counts as {counted:g} / {full:g}.",
            "",
        ]
    stage = view.get("stage")
    if stage:
        lines.append(f"- Stage graded: **{md(stage['name'])}** ({md(stage['title'])})")
    if view["seed"] is None:  # a per-student seed, kept by staff (grader/gradescope_seed.py)
        if any(c.get("generated") for c in view["cases"]):  # stored cases alone: nothing was drawn
            lines.append("- The generated tests were drawn for you; a regrade draws the same ones.")
    else:
        lines.append(f"- Seed: `{view['seed']}` (grading again with this seed reproduces this run)")
    if view["status"] == "load_failed":  # the reason, as an open test words it (the load is before any case)
        why = next(
            (c["message"] for c in early["cases"] if (c["visibility"], c["status"]) == ("visible", "error")),
            "",
        )
        lines.append(
            "- Your code could not be loaded, so every test below failed" + (f": {md(why)}" if why else ".")
        )
    late = early.get("withheld") or {}
    waiting = late.get("after_published") or {"cases": 0, "max_points": 0.0}
    for n, points, when in (  # counted in the score, listed by Gradescope only later
        (
            late.get("cases", 0) - waiting["cases"],
            late.get("max_points", 0.0) - waiting["max_points"],
            "after the due date",
        ),
        (waiting["cases"], waiting["max_points"], "once grades are published"),
    ):
        if n:
            tests, are, them = ("test", "is", "it") if n == 1 else ("tests", "are", "them")
            lines.append(
                f"- {n} {tests} worth {points:g} points {are} shown {when}; the score above counts {them}."
            )
    hidden = view.get("hidden", {})
    # after a load failure every test failed for that one reason, said above: "Hidden tests cost you 25 of
    # 25 points" read as a second problem to look for
    if hidden.get("failed") and view["status"] != "load_failed":
        lost = hidden["max_points"] - hidden["points"]
        lines.append(
            f"- **Hidden tests cost you {lost:g} of {hidden['max_points']:g} points** "
            f"({hidden['failed']} of {hidden['cases']} hidden tests did not pass)."
        )
    where = graded_files_line(view, md)
    if where:
        lines.append(f"- {where[:1].upper()}{where[1:]}")
    load = view.get("load") or {}
    for name in load.get("missing", []):
        near = load.get("near", {}).get(name)
        lines.append(f"- Missing **{md(name)}**" + (f" (you defined {md(', '.join(near))})" if near else ""))
    lines.extend(f"- {md(b['message'])}" for b in early["blame"])
    for w in view["warnings"]:
        if w in _ISOLATION:  # the same on every Gradescope run, and nothing the student can change: staff's
            continue
        note = w.removeprefix("note: ")  # the loader's notes say "not an error": not a warning either
        lines.append(f"- Note: {md(note)}" if note != w else f"- Warning: {md(w)}")
    return "\n".join(lines)


def _isolation_notes(report: Report) -> dict[str, str]:
    """What the isolation shares (every worker one uid): for staff, beside the isolation, never in output."""
    notes = report.staff.details.get("isolation_notes")
    return {"isolation_notes": notes} if notes else {}


def staff_review_test(report: Report, section: int) -> dict[str, Any] | None:
    """The hidden 0-point test that carries the scan's flags to staff in Gradescope; None without flags."""
    flags = (as_dict(report).get("staff") or {}).get("flags", [])
    if not flags:
        return None
    lines = []
    for f in flags:
        lines.append(f"{f['code']}  {f['file']}:{f['line']}  {f['summary']}")
        lines.extend([f"    {f['evidence']}"] if f["evidence"] else [])
    listing = "\n".join(lines)
    return {
        "score": 0.0,
        "max_score": 0.0,
        "status": "passed",
        "name": STAFF_REVIEW_TEST,
        "number": f"{section}.1",
        "output": md("Prompts for a human, not verdicts (docs/FLAGS.md).\n\n" + listing),
        "output_format": "md",
        "tags": ["staff-review"],
        "visibility": "hidden",
        "extra_data": {"flags": sorted({f["code"] for f in flags})},
    }


def _left_out(view: dict[str, Any]) -> list[str]:
    """The classes the skipped cases apply that the code does not define (a graph case's too: its `class` is
    its kind, "graph"), in the cases' order: the manifest's names, never a case's inputs."""
    found = (view.get("load") or {}).get("found") or {}
    names = (op for c in view["cases"] if skipped(c) for op in (c.get("ops") or [c.get("target")]))
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n and n not in found))


def full_marks(view: dict[str, Any]) -> float:
    """The points Gradescope counts the score against: the stage's (report.json's stage.full_marks), which
    the kit tells the instructor to give the assignment. A student whose code leaves out an optional class
    has a smaller max_score (those tests are not run, no points lost), so their score is scaled up to the
    stage's points as the LMS imports scale it (gradebook.out_of): 3 of 3 at stage linear is 5 of 5, not 3
    of the assignment's 5. A report without the record (an older grader's), or with no max_score: unscaled."""
    recorded = (view.get("stage") or {}).get("full_marks")
    if not isinstance(recorded, (int, float)) or recorded <= 0 or not view["max_score"]:
        return float(view["max_score"])
    return float(recorded)


def gradescope_results(report: Report) -> dict[str, Any]:
    view = student_view(report, after_due_date=True, published=True)
    early = student_view(report, after_due_date=False)
    sections: dict[str, list[int]] = {}
    tests = []
    for case in view["cases"]:
        section = sections.setdefault(case["class"], [len(sections) + 1, 0])
        section[1] += 1
        diagnosis = case["diagnosis"]["code"] if case.get("diagnosis") else None
        tests.append(
            {
                "score": case["points"],
                "max_score": case["max_points"],
                # a case of an optional class the code leaves out: not run, 0 of 0, no points lost
                "status": "passed" if case["status"] == "passed" or skipped(case) else "failed",
                "name": case["name"],
                "number": f"{section[0]}.{section[1]}",
                "output": _test_output(case),
                "output_format": "md",
                "tags": list(dict.fromkeys(t for t in (case["class"], case["kind"], diagnosis) if t)),
                "visibility": VISIBILITY[case["visibility"]],
                "extra_data": {
                    "case_id": case["id"],
                    "diagnosis": diagnosis,
                    "failure_code": case["failure_code"],
                },
            }
        )
    # listed in the order of their numbers: one class's tests together, whatever order the manifest gives
    tests.sort(key=lambda t: tuple(int(p) for p in t["number"].split(".")))
    review = staff_review_test(report, len(sections) + 1)
    if review:
        tests.append(review)
    results: dict[str, Any] = {
        # Gradescope's top-level score overrides the tests' sum: counted against the stage's points
        "score": out_of(view["score"], view["max_score"], full_marks(view)),
        "output": summary_markdown(view, early),
        "output_format": "md",
        "test_output_format": "md",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "seed": view["seed"],
            "status": view["status"],
            "isolation": view["isolation"],
            "grader_version": view["grader_version"],
            "stage": (view.get("stage") or {}).get("name"),
            **_isolation_notes(report),
        },
        "tests": tests,
    }
    if not timing_withheld(view):  # optional for Gradescope: left out rather than shown as 0 (views.py)
        results["execution_time"] = round(view["timing"]["wall_seconds"], 3)
    return results


def write_gradescope(
    report: Report, out_dir: Path, *, after_due_date: bool = False, validate: bool = True
) -> Path:
    """Gradescope publishes no JSON Schema for results.json: `validate` is there for the Writer protocol."""
    return write_text(Path(out_dir) / RESULTS_FILE, dumps(gradescope_results(report)))
