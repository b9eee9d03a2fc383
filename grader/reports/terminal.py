"""The terminal summary for people: a line per case, its hint, blame, the score, the seed, warnings.

ANSI colour only when the stream is a TTY and NO_COLOR is unset (https://no-color.org). Every string from
the report goes through `escape.terminal` (one line each: a name cannot fake a "PASS" line, move the cursor,
set the window title or a link); the only escape sequences on the stream are the colours painted here.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from grader.reports.escape import terminal as t
from grader.reports.report import Report
from grader.reports.views import as_dict, student_view

_WORD = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "not_run": "SKIP"}
_COLOUR = {"passed": "32", "failed": "31", "error": "35", "not_run": "33", "warn": "33;1", "bold": "1"}


def use_colour(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def _paint(text: str, style: str, colour: bool) -> str:
    return f"\033[{_COLOUR[style]}m{text}\033[0m" if colour else text


def _hint(case: dict[str, Any]) -> str | None:
    if case.get("diagnosis") and case["diagnosis"].get("hint"):
        return t(case["diagnosis"]["hint"])
    if case["status"] in ("error", "not_run"):
        return t(str(case["message"]).splitlines()[0]) if case["message"] else None
    return None


def render(doc: dict[str, Any], *, colour: bool = False) -> str:
    a, sub = doc["assignment"], doc["submission"]
    lines = [_paint(f"{t(a['title'] or a['id'])} ({t(a['family'])}): {t(sub['id'])}", "bold", colour)]
    for warning in doc["warnings"]:
        lines.append(_paint(f"WARNING {t(warning)}", "warn", colour))
    load = doc.get("load") or {}
    for name in load.get("missing", []):
        near = load.get("near", {}).get(name)
        lines.append(f"missing: {t(name)}" + (f" (you defined {t(', '.join(near))})" if near else ""))
    width = max((len(t(c["id"])) for c in doc["cases"]), default=0)
    for case in doc["cases"]:
        word = _paint(f"{_WORD[case['status']]:<5}", case["status"], colour)
        pts = f"{case['points']:g}/{case['max_points']:g}"
        lines.append(f"{word} {pts:>9}  {t(case['id']):<{width}}  {t(case['name'])}")
        hint = _hint(case)
        if hint:
            lines.append(f"      {hint}")
    for b in doc["blame"]:
        lines.append(f"blame: {t(b['message'])}")
    hidden = doc.get("hidden") or {}
    if hidden.get("failed"):
        lost = hidden["max_points"] - hidden["points"]
        lines.append(f"hidden tests cost {lost:g} of {hidden['max_points']:g} points")
    if (doc.get("withheld") or {}).get("cases"):
        lines.append(f"{doc['withheld']['cases']} more cases are shown after the due date")
    lines.append(_paint(f"score {doc['score']:g} / {doc['max_score']:g}", "bold", colour))
    lines.append(f"seed {t(doc['seed'])}  isolation {t(doc['isolation'])}")
    return "\n".join(lines) + "\n"


def print_summary(
    report: Report | dict[str, Any],
    stream: TextIO | None = None,
    *,
    student: bool = False,
    after_due_date: bool = False,
) -> None:
    out = stream if stream is not None else sys.stdout
    doc = student_view(report, after_due_date=after_due_date) if student else as_dict(report)
    out.write(render(doc, colour=use_colour(out)))
    out.flush()
