"""The terminal summary for people: a line per case, its hint, blame, the score, the seed, warnings.

ANSI colour only when the stream is a TTY and NO_COLOR is unset or empty (https://no-color.org). Every
string from the report goes through `escape.terminal` (one line each: a name cannot fake a "PASS" line, move
the cursor, set the window title or a link); the only escape sequences on the stream are the colours painted
here.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Collection, Iterator, Mapping
from typing import Any, TextIO

from grader.model import TABLE_ROW
from grader.reports.escape import terminal as t
from grader.reports.graded_files import graded_files_line
from grader.reports.report import Report
from grader.reports.views import as_dict, student_view

_WORD = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "not_run": "SKIP"}
_COLOUR = {"passed": "32", "failed": "31", "error": "35", "not_run": "33", "warn": "33;1", "bold": "1"}


def use_colour(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    # no-color.org: NO_COLOR "present and not an empty string"; an empty one (`NO_COLOR= cmd`, a CI
    # template's unset default) keeps colour
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def _paint(text: str, style: str, colour: bool) -> str:
    return f"\033[{_COLOUR[style]}m{text}\033[0m" if colour else text


def _hint(case: dict[str, Any]) -> str | None:
    if case.get("diagnosis") and case["diagnosis"].get("hint"):
        return t(case["diagnosis"]["hint"])
    if case["status"] in ("error", "not_run"):
        return t(str(case["message"]).splitlines()[0]) if case["message"] else None
    return None


# `grader check --details`: per failing check, its first line and this many of its worst elements.
DETAIL_ROWS = 3
_MORE = re.compile(r"^\.\.\. and ([0-9]+) more$")  # compare.py's last table line when it cut rows


def _compact(message: str, rows: int = DETAIL_ROWS) -> list[str]:
    """A check's message cut to its head, the table header and `rows` worst elements (compare.py's table)."""
    lines = str(message).splitlines()
    head, table = lines[:1], [ln for ln in lines[1:] if ln.startswith(TABLE_ROW)]
    rest = [ln for ln in lines[1:] if not ln.startswith(TABLE_ROW)]
    body = [ln for ln in table if not _MORE.match(ln.strip())]
    beyond = sum(int(m.group(1)) for ln in table if (m := _MORE.match(ln.strip())))  # rows compare.py cut
    kept = body[: rows + 1]  # the header row, then the worst rows
    more = len(body) - len(kept) + beyond
    out = [*head, *kept]
    if more > 0:  # `grader check` writes no report.json: "more in report.json" sent students looking for one
        out.append(f"{TABLE_ROW}... {more} more not shown")
    return out + rest[:2]


def _details(case: dict[str, Any]) -> list[str]:
    """What `grader check` prints under a failing visible case: each failing check, or its error."""
    if case["status"] == "error":
        return [t(line) for line in str(case["message"]).splitlines()[:3]]
    out: list[str] = []
    for check in case.get("checks", ()):
        if not check["passed"]:
            out.extend(t(line) for line in _compact(check["message"]))
    return out


def _under(case: dict[str, Any], details: bool) -> list[str]:
    """The lines printed under a case's line: its details (`--details`) and its hint."""
    out: list[str] = []
    if details and case["status"] in ("failed", "error") and case["visibility"] != "hidden":
        out.extend(f"      {line}" for line in _details(case))
    hint = _hint(case)
    # An error's details are its message; a diagnosis of its own (a missing __rsub__) is still shown.
    message = t(str(case["message"]))
    own = bool(case["status"] == "error" and case.get("diagnosis") and hint and hint not in message)
    if hint and (not (details and case["status"] == "error") or own):
        labelled = details and case["status"] in ("failed", "error")
        out.append(f"      Hint: {hint}" if labelled else f"      {hint}")
    return out


def _stage(doc: dict[str, Any]) -> str | None:
    stage = doc.get("stage")
    if not stage:
        return None
    line = f"stage {t(stage['name'])}: {t(stage['title'])} ({t(stage['chosen'])})"
    looks = stage.get("looks_like")
    # `grade` and `batch` never infer (one class, one stage: a file that left out a class must not be graded
    # on less), but an instructor grading one chapter's file at the default should see which stage it is.
    if stage["chosen"] == "default" and looks and looks != stage["name"]:
        line += f"; the code looks like stage {t(looks)} (--stage {t(looks)} grades that stage alone)"
    return line


def _assignment(a: dict[str, Any]) -> str:
    """The title and the id a TA types (`grader grade dlfs-layers`): the family (`layers`) stood there, and
    `grader grade layers` is an unknown assignment."""
    return f"{t(a['title'])} ({t(a['id'])})" if a["title"] else t(a["id"])


def render(
    doc: dict[str, Any], *, colour: bool = False, details: bool = False, show_seed: bool = True
) -> str:
    a, sub = doc["assignment"], doc["submission"]
    lines = [_paint(f"{_assignment(a)}: {t(sub['id'])}", "bold", colour)]
    stage_line = _stage(doc)
    if stage_line:
        lines.append(stage_line)
    where = graded_files_line(doc, t)
    if where:
        lines.append(where)
    for warning in doc["warnings"]:
        lines.append(_paint(f"WARNING {t(warning)}", "warn", colour))
    load = doc.get("load") or {}
    for name in load.get("missing", []):
        near = load.get("near", {}).get(name)
        lines.append(f"missing: {t(name)}" + (f" (you defined {t(', '.join(near))})" if near else ""))
    width = max((len(t(c["id"])) for c in doc["cases"]), default=0)
    # What was printed under a case -> that case's id: a load failure repeated under every case (seven
    # identical paragraphs hid the one line that mattered) is printed once, then referred to.
    said: dict[tuple[str, ...], str] = {}
    for case in doc["cases"]:
        word = _paint(f"{_WORD[case['status']]:<5}", case["status"], colour)
        pts = f"{case['points']:g}/{case['max_points']:g}"
        optional = " (optional)" if case.get("optional") else ""
        lines.append(f"{word} {pts:>9}  {t(case['id']):<{width}}  {t(case['name'])}{optional}")
        under = _under(case, details)
        if under and tuple(under) in said:
            lines.append(f"      the same as {said[tuple(under)]} above")
        else:
            lines.extend(under)
            said.setdefault(tuple(under), t(case["id"]))
    for b in doc["blame"]:
        lines.append(f"blame: {t(b['message'])}")
    hidden = doc.get("hidden") or {}
    # after a load failure every case failed for that one reason, said above: "hidden tests cost" read as a
    # second problem to look for (as Gradescope's summary, grader/reports/gradescope.py)
    if hidden.get("failed") and doc.get("status") != "load_failed":
        lost = hidden["max_points"] - hidden["points"]
        lines.append(f"hidden tests cost {lost:g} of {hidden['max_points']:g} points")
    withheld = doc.get("withheld") or {}
    waiting = (withheld.get("after_published") or {}).get("cases", 0)
    if withheld.get("cases", 0) - waiting:
        lines.append(f"{withheld['cases'] - waiting} more cases are shown after the due date")
    if waiting:
        lines.append(f"{waiting} more cases are shown once grades are published")
    lines.append(_paint(f"score {doc['score']:g} / {doc['max_score']:g}", "bold", colour))
    # A seed replays generated cases; where none was drawn it is noise (`grader check` runs visible cases).
    # None: a per-student seed kept from the student (grader/gradescope_seed.py)
    seed = f"seed {t(doc['seed'])}  " if show_seed and doc["seed"] is not None else ""
    lines.append(f"{seed}isolation {t(doc['isolation'])}")
    return "\n".join(lines) + "\n"


def _unshown_cases(a: Any, chosen: Any) -> Iterator[tuple[str, str, float]]:
    """(case id, visibility, points at `chosen`) of each case of the stage that `grader check` does not run
    (every one but the visible), fixtures and generated specs (their points times their count) alike."""
    ids = set(a.stage_case_ids(chosen.name))
    every = [(c.fixture, c.visibility, c.points) for c in a.cases]
    every += [(g.id, g.visibility, g.points * g.count) for g in a.generated]
    for case_id, visibility, points in every:
        if case_id in ids and visibility != "visible":
            yield case_id, visibility, a.case_points(case_id, points, chosen)


def _held_points(assignment: Any, stage: str | None, found: Collection[str] | None) -> dict[str, float]:
    """Points at the stage per visibility of the cases a student's own run does not show. With the names the
    code defines (`found`), a case applying an optional class it does not define counts nothing: `grade`
    skips it (not_run, 0 of 0; grader/judge/stages.py). A chapter-6 file of BatchNormalization alone read
    "16 points in hidden cases" at ch06, of which the BatchNormalization net's 6 can never count."""
    from grader.assignments import Assignment

    a: Assignment = assignment
    chosen = a.stage(stage)
    held: dict[str, float] = {"hidden": 0.0, "after_due_date": 0.0, "after_published": 0.0}
    for case_id, visibility, worth in _unshown_cases(a, chosen):
        if found is not None and any(c not in found for c in a.optional_classes_of(case_id, chosen)):
            continue
        if visibility in held:
            held[visibility] += worth
    return held


def _later_parts(held: Mapping[str, float]) -> list[str]:
    parts = []
    if held["after_due_date"]:
        parts.append(f"{held['after_due_date']:g} in cases shown after the due date")
    if held["after_published"]:
        parts.append(f"{held['after_published']:g} in cases shown once grades are published")
    return parts


def hidden_points_line(
    assignment: Any, stage: str | None = None, found: Collection[str] | None = None
) -> str | None:
    """`grader check` runs the visible cases only: how many points the others hold at this stage."""
    held = _held_points(assignment, stage, found)
    if not any(held.values()):
        return None
    parts = [f"{held['hidden']:g} points in hidden cases"] if held["hidden"] else []
    parts += _later_parts(held)
    where = "graded by `grader grade`; hidden cases show only pass/fail"
    return f"not checked here: {' and '.join(parts)} ({where})"


def later_points_line(
    assignment: Any, stage: str | None = None, found: Collection[str] | None = None
) -> str | None:
    """`pytest --grader` grades the visible and hidden cases: the points of those shown after the due date
    or once grades are published, which its score leaves out. It said "score 40 / 40" of a file the batch
    and Gradescope grade 43 / 43, naming nothing left out."""
    parts = _later_parts(_held_points(assignment, stage, found))
    if not parts:
        return None
    return f"not graded here: {' and '.join(parts)} (the score below leaves them out)"


def unshown_missing_line(assignment: Any, stage: str | None, found: Collection[str]) -> str | None:
    """`grader check` runs the visible cases only. An optional name the code does not define (the loader
    asks only for required ones, so nothing says "missing") that cases not shown here grade with points is
    lost at `grader grade` without a word here: a layers file without TwoLayerNet read "all visible cases
    pass", then scored 3 points fewer. Says which names, and the points at stake."""
    from grader.assignments import Assignment
    from grader.stages import case_ops

    a: Assignment = assignment
    chosen = a.stage(stage)
    # A stage's optional classes are skipped when not defined ("not graded, no points lost"), and a name the
    # stage requires is reported missing by the load already: neither is said here.
    optional = set(a.optional) - set(found) - set(chosen.optional_classes) - set(chosen.requires)
    if not optional:
        return None
    lost: set[str] = set()
    points = 0.0
    for case_id, _, worth in _unshown_cases(a, chosen):
        # an op names a class or one of its methods (TwoLayerNet.predict: the class TwoLayerNet)
        used = [op.split(".")[0] for op in case_ops(a.case_steps(case_id))] if worth else []
        used = [name for name in used if name in optional]
        if used:  # a case that grades several of the names is lost once: its points counted once
            lost.update(used)
            points += worth
    if not lost:
        return None
    names = ", ".join(sorted(lost))
    return (
        f"not defined: {names}, which cases not shown here grade ({points:g} points at stake): define "
        f"{'it' if len(lost) == 1 else 'them'} before the due date"
    )


def print_summary(
    report: Report | dict[str, Any],
    stream: TextIO | None = None,
    *,
    student: bool = False,
    after_due_date: bool = False,
    details: bool = False,
    show_seed: bool = True,
) -> None:
    out = stream if stream is not None else sys.stdout
    doc = student_view(report, after_due_date=after_due_date) if student else as_dict(report)
    out.write(render(doc, colour=use_colour(out), details=details, show_seed=show_seed))
    out.flush()
