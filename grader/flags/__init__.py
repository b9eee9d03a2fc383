"""Flags for staff, not verdicts: a static scan of a submission's source in the trusted parent.

`scan_submission(files, graded=..., forbidden_imports=...)` parses every Python file (`ast.parse` only,
nothing is executed) and returns frozen `Flag(code, file, line, summary, evidence)` records: code that reaches
into the runtime or hides what it does, and backward/gradient code that computes gradients numerically.
Flags go to report.json's staff section, the gradebook and the batch summary; never to a student.
Codes and their meaning: `FLAG_CODES`, docs/FLAGS.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.lazy import exports

if TYPE_CHECKING:
    from grader.flags.model import FLAG_CODES, Flag, Hit
    from grader.flags.scan import MAX_PER_CODE, MAX_SCAN_BYTES, RULES, ScanContext, scan_submission
    from grader.flags.source import MAX_SOURCE_BYTES

# Imported on first use: reports import `Flag` (grader.flags.model) on every run, but only a run that scans
# needs the rules (`grader check` does not: its student view drops every flag).
_HOME = {
    "FLAG_CODES": "model",
    "Flag": "model",
    "Hit": "model",
    "MAX_PER_CODE": "scan",
    "MAX_SCAN_BYTES": "scan",
    "RULES": "scan",
    "ScanContext": "scan",
    "scan_submission": "scan",
    "MAX_SOURCE_BYTES": "source",
}


__getattr__ = exports(__name__, _HOME)


__all__ = [
    "FLAG_CODES",
    "MAX_PER_CODE",
    "MAX_SCAN_BYTES",
    "MAX_SOURCE_BYTES",
    "RULES",
    "Flag",
    "Hit",
    "ScanContext",
    "scan_submission",
]
