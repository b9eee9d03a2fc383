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
from grader.reports.report import Report, points, skipped
from grader.reports.validate import validate
from grader.reports.views import as_dict

TOP_DIAGNOSES = 5
BINS = 10


def flag_codes(doc: Mapping[str, Any]) -> list[str]:
    """The distinct flag codes of a staff-view report, sorted (a student view has none)."""
    return sorted({f["code"] for f in (doc.get("staff") or {}).get("flags", [])})


def gradebook_row(report: Report | dict[str, Any]) -> dict[str, Any]:
    """The student's id, score, status, flag codes (staff only) and per-case points/status/class/diagnosis."""
    doc = report.document if isinstance(report, Report) else as_dict(report)  # read, never changed
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


def share(score: float, max_score: float) -> float:
    """The score as a fraction of the student's own max_score (0 when there are no marks to get): what the
    summary's histogram bins and the class report's mean and median count against the stage's full marks,
    as the LMS imports count a score (`out_of`). One definition, so the page and summary.json never differ."""
    return float(score) / float(max_score) if max_score else 0.0


def percent(score: float, max_score: float) -> float | None:
    """The score as a percentage of full marks, to two decimals; None when there are no marks to get."""
    return round(100 * float(score) / float(max_score), 2) + 0.0 if max_score else None


def out_of(score: float, max_score: float, full_marks: float) -> float:
    """The score counted against the stage's full marks, as an LMS counts it: scaled from the student's own
    max_score, to two decimals. A class the code does not define is not graded at a stage where it is
    optional, "no points lost" (docs/STAGES.md): the book's step-22 file, 64 of 64, is 95 of 95, not 64."""
    if not max_score or float(max_score) == float(full_marks):
        return float(score)
    return round(float(score) * float(full_marks) / float(max_score), 2) + 0.0


GRADEBOOK_COLUMNS = ("student", "file", "score", "max_score", "percent", "status", "flags", "stage")


def write_gradebook_csv(
    rows: Iterable[Mapping[str, Any]],
    path: Path,
    case_ids: Sequence[str],
    identity_columns: Sequence[str] = (),
) -> Path:
    """`student, file, score, max_score, percent, status, flags, stage, <points per case id>`: `student` is
    the batch's unique id (the student's folder in OUT), `file` the submission's original name in the batch
    directory (Unicode kept), `flags` the comma-separated flag codes for staff review (empty when none),
    `stage` the course stage graded (docs/STAGES.md; empty in rows journaled before stages existed); a case
    a row lacks is left empty. `identity_columns` (with --roster: name, email, sis_id) follow `file`,
    from each row's `identity`. Every cell goes through `escape.csv_cell`: a student id like
    `=HYPERLINK(...)` or `@SUM(...)` stays text."""

    def fill(fh: TextIO) -> None:
        writer = csv.writer(fh, lineterminator="\n")
        first, rest = GRADEBOOK_COLUMNS[:2], GRADEBOOK_COLUMNS[2:]
        writer.writerow([csv_cell(c) for c in (*first, *identity_columns, *rest, *case_ids)])
        for row in rows:
            cases = row.get("cases", {})
            per_case = [f"{cases[i]['points']:g}" if i in cases else "" for i in case_ids]
            score, max_score = f"{row['score']:g}", f"{row['max_score']:g}"
            share = percent(row["score"], row["max_score"])
            flags = ",".join(row.get("flags", []))
            file = row.get("file", "")
            who = [row.get("identity", {}).get(c, "") for c in identity_columns]
            cells = [row["student"], file, *who, score, max_score, "" if share is None else f"{share:g}"]
            cells += [row["status"], flags, row.get("stage", ""), *per_case]
            writer.writerow([csv_cell(c) for c in cells])

    return write_with(Path(path), fill, newline="")


def _histogram(fractions: Iterable[float]) -> list[dict[str, Any]]:
    counts = [0] * BINS
    for f in fractions:
        # round() first: 0.7 * 10 is 7.000000000000001 but 0.29999999999999999 * 10 must not fall into bin 2.
        counts[min(BINS - 1, max(0, math.floor(round(f * BINS, 9))))] += 1
    return [{"from": i / BINS, "to": (i + 1) / BINS, "count": n} for i, n in enumerate(counts)]


def _load_code(row: Mapping[str, Any]) -> str:
    """Why a submission did not load: its cases' failure code (import_error, syntax_error, ...)."""
    codes = [c.get("diagnosis") for c in row.get("cases", {}).values()]
    return next((c for c in codes if c), "load_failed")


def summarize(
    rows: Iterable[Mapping[str, Any]], workers: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """Class statistics in one pass over `rows`; the result is validated against summary.schema.json.
    `workers` (name -> isolation, sandboxes, notes) is merged with the count of rows per `worker` and the
    rows' own `isolation` (rows journaled before workers were recorded count for no worker)."""
    scores: list[float] = []
    fractions: list[float] = []
    statuses: Counter[str] = Counter()
    per_case: dict[str, dict[str, Any]] = {}
    class_failures: Counter[str] = Counter()
    flagged: dict[str, list[str]] = {}  # flag code -> students
    flagged_students = 0
    load_codes: Counter[str] = Counter()
    load_students: list[str] = []
    per_worker = {name: {**dict(info), "submissions": 0} for name, info in (workers or {}).items()}
    for row in rows:
        if isinstance(row.get("worker"), str) and isinstance(row.get("isolation"), str):
            worker = per_worker.setdefault(row["worker"], {"isolation": row["isolation"]})
            worker["submissions"] = worker.get("submissions", 0) + 1
        # A submission that did not load fails every case for one reason: that reason is counted once, as a
        # load failure, never as a diagnosis of each case or a failure of each class.
        unloaded = row["status"] == "load_failed"
        if unloaded:
            load_codes[_load_code(row)] += 1
            load_students.append(row["student"])
        flagged_students += bool(row.get("flags"))
        for code in row.get("flags", []):
            flagged.setdefault(code, []).append(row["student"])
        scores.append(float(row["score"]))
        fractions.append(share(row["score"], row["max_score"]))
        statuses[row["status"]] += 1
        for cid, c in row.get("cases", {}).items():
            if skipped(c):
                continue
            entry = per_case.setdefault(
                cid, {"class": c["class"], "graded": 0, "passed": 0, "points": 0.0, "diagnoses": Counter()}
            )
            entry["graded"] += 1
            entry["points"] += float(c["points"])
            if c["status"] == "passed":
                entry["passed"] += 1
            elif not unloaded:
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
        "load_failures": {
            "count": len(load_students),
            "codes": dict(sorted(load_codes.items())),
            "students": load_students,
        },
        "workers": dict(sorted(per_worker.items())),
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
