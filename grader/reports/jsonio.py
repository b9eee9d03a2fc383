"""Deterministic JSON text: sorted keys, two-space indent, floats as Python's shortest repr, final newline."""

from __future__ import annotations

import json
from typing import Any


def dumps(document: Any) -> str:
    # allow_nan=False: a NaN in a report is a grader bug (values are strings in messages), so fail loudly.
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def without_timing(document: dict[str, Any]) -> dict[str, Any]:
    """The part of a report that two runs with the same seed must reproduce byte for byte."""
    return {k: v for k, v in document.items() if k != "timing"}
