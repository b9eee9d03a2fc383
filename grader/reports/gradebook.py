"""Gradebook helpers for batches: one small row per student, a CSV, and class statistics.

Rows are plain JSON-able dicts (the batch journal stores them, one line per student); the CSV writer and
`summarize` consume any iterable of rows in one pass, so a class of 5,000 is streamed from the journal.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from grader.atomic import write_text, write_with
from grader.reports.escape import csv_cell
from grader.reports.jsonio import dumps
from grader.reports.report import Report, points
from grader.reports.validate import validate
from grader.reports.views import as_dict

TOP_DIAGNOSES = 5
BINS = 10


def flag_codes(doc: Mapping[str, Any]) -> list[str]:
    """The distinct flag codes of a staff-view report, sorted (a student view has none)."""
    return sorted({f["code"] for f in (doc.get("staff") or {}).get("flags", [])})


def gradebook_row(report: Report | dict[str, Any]) -> dict[str, Any]:
    """The student's id, score, status, flag codes (staff only) and per-case points/status/class/diagnosis."""
    doc = as_dict(report)
    return {
        "student": doc["submission"]["id"],
        "score": doc["score"],
        "max_score": doc["max_score"],
        "status": doc["status"],
        "flags": flag_codes(doc),
        "stage": (doc.get("stage") or {}).get("name", ""),
        "cases": {
            c["id"]: {
                "points": c["points"],
                "max_points": c["max_points"],
                "status": c["status"],
                "class": c["class"],
                "diagnosis": c["diagnosis"]["code"] if c.get("diagnosis") else c.get("failure_code"),
            }
            for c in doc["cases"]
        },
    }


def write_gradebook_csv(rows: Iterable[Mapping[str, Any]], path: Path, case_ids: Sequence[str]) -> Path:
    """`student, score, max_score, status, flags, stage, <points per case id>`; `flags` is the comma-separated
    flag codes for staff review (empty when none); `stage` the course stage graded (docs/STAGES.md; empty in
    rows journaled before stages existed); a case a row lacks is left empty. Every cell goes through
    `escape.csv_cell`: a student id like `=HYPERLINK(...)` or `@SUM(...)` stays text."""

    def fill(fh: TextIO) -> None:
        writer = csv.writer(fh, lineterminator="\n")
        header = ("student", "score", "max_score", "status", "flags", "stage", *case_ids)
        writer.writerow([csv_cell(c) for c in header])
        for row in rows:
            cases = row.get("cases", {})
            per_case = [f"{cases[i]['points']:g}" if i in cases else "" for i in case_ids]
            score, max_score = f"{row['score']:g}", f"{row['max_score']:g}"
            flags = ",".join(row.get("flags", []))
            stage = row.get("stage", "")
            cells = [row["student"], score, max_score, row["status"], flags, stage, *per_case]
            writer.writerow([csv_cell(c) for c in cells])

    return write_with(Path(path), fill, newline="")


def _histogram(fractions: Iterable[float]) -> list[dict[str, Any]]:
    counts = [0] * BINS
    for f in fractions:
        # round() first: 0.7 * 10 is 7.000000000000001 but 0.29999999999999999 * 10 must not fall into bin 2.
        counts[min(BINS - 1, max(0, math.floor(round(f * BINS, 9))))] += 1
    return [{"from": i / BINS, "to": (i + 1) / BINS, "count": n} for i, n in enumerate(counts)]


def summarize(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Class statistics in one pass over `rows`; the result is validated against summary.schema.json."""
    scores: list[float] = []
    fractions: list[float] = []
    statuses: Counter[str] = Counter()
    per_case: dict[str, dict[str, Any]] = {}
    class_failures: Counter[str] = Counter()
    flagged: dict[str, list[str]] = {}  # flag code -> students
    flagged_students = 0
    for row in rows:
        flagged_students += bool(row.get("flags"))
        for code in row.get("flags", []):
            flagged.setdefault(code, []).append(row["student"])
        scores.append(float(row["score"]))
        fractions.append(float(row["score"]) / float(row["max_score"]) if row["max_score"] else 0.0)
        statuses[row["status"]] += 1
        for cid, c in row.get("cases", {}).items():
            entry = per_case.setdefault(
                cid, {"class": c["class"], "graded": 0, "passed": 0, "points": 0.0, "diagnoses": Counter()}
            )
            entry["graded"] += 1
            entry["points"] += float(c["points"])
            if c["status"] == "passed":
                entry["passed"] += 1
            else:
                class_failures[c["class"]] += 1
                if c.get("diagnosis"):
                    entry["diagnoses"][c["diagnosis"]] += 1
    summary = {
        "schema_version": 1,
        "students": len(scores),
        "statuses": dict(sorted(statuses.items())),
        "score": {
            "mean": points(statistics.fmean(scores)) if scores else None,
            "median": points(statistics.median(scores)) if scores else None,
            "min": min(scores) if scores else None,
            "max": max(scores) if scores else None,
            "histogram": _histogram(fractions),
        },
        "cases": {
            cid: {
                "class": e["class"],
                "graded": e["graded"],
                "passed": e["passed"],
                "pass_rate": points(e["passed"] / e["graded"]),
                "mean_points": points(e["points"] / e["graded"]),
                "diagnoses": [
                    {"code": code, "count": n}
                    for code, n in sorted(e["diagnoses"].items(), key=lambda kv: (-kv[1], kv[0]))[
                        :TOP_DIAGNOSES
                    ]
                ],
            }
            for cid, e in sorted(per_case.items())
        },
        "failures_by_class": dict(sorted(class_failures.items())),
        "flags": {
            "flagged": flagged_students,
            "codes": {
                code: {"count": len(students), "students": students}
                for code, students in sorted(flagged.items())
            },
        },
    }
    validate(summary, "summary")
    return summary


def write_summary_json(summary: Mapping[str, Any], path: Path) -> Path:
    validate(summary, "summary")
    return write_text(Path(path), dumps(summary))
