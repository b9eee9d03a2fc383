"""The samples' expectations themselves (submissions/<family>/expected.json), read without grading anything:
each failing case pins the records it breaks, and each diagnosis the judge can give has a sample that must
get it (its negative control). test_expected.py grades the samples against these entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.judge.diagnose import DIAGNOSES

REPO = Path(__file__).resolve().parents[2]
FAMILIES = ("miniflow", "dezero", "layers", "dlfs-advanced")  # folders of submissions/, as test_expected.py


def _cases(family: str) -> list[tuple[str, str, dict[str, Any]]]:
    spec = json.loads((REPO / "submissions" / family / "expected.json").read_text(encoding="utf-8"))
    samples = spec["samples"].items()
    return [(name, pattern, e) for name, s in samples for pattern, e in s.get("cases", {}).items()]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_failed_case_lists_the_records_it_breaks(family: str) -> None:
    """A failed entry without `failed_keys` would accept whichever records the grader reports wrong."""
    failed = [(n, p, e) for n, p, e in _cases(family) if e["status"] == "failed"]
    unpinned = [f"{n} / {p}" for n, p, e in failed if "failed_keys" not in e]
    assert unpinned == []


def test_every_diagnosis_has_a_sample_that_must_get_it() -> None:
    """Each code of DIAGNOSES is the expected diagnosis of at least one case of a sample: deleting a detector
    (or a known mistake) changes some sample's diagnosis and fails test_expected.py."""
    pinned = {e.get("diagnosis") for family in FAMILIES for _, _, e in _cases(family)}
    assert sorted(set(DIAGNOSES) - pinned) == []
