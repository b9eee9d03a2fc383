"""Deterministic JSON text: sorted keys, two-space indent, floats as Python's shortest repr, final newline."""

from __future__ import annotations

import json
from typing import Any


def dumps(document: Any) -> str:
    """UTF-8-safe JSON text. Text from a submission was normalised where it entered (grader/untrusted.py), so
    a lone surrogate here is a path that missed the boundary: it is written as a `\\udcff` escape (valid
    JSON) rather than crash the write of a whole report or batch."""
    # allow_nan=False: a NaN in a report is a grader bug (values are strings in messages), so fail loudly.
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True, allow_nan=False) + "\n"
    return text


def without_timing(document: dict[str, Any]) -> dict[str, Any]:
    """The part of a report that two runs with the same seed must reproduce byte for byte."""
    return {k: v for k, v in document.items() if k != "timing"}
