"""The samples' expectations themselves (submissions/<family>/expected.json), read without grading anything:
each failing case pins the records it breaks, and each diagnosis the judge can give and each known mistake of
reference/mutations.py has a sample that must get it (its negative control). test_expected.py grades the
samples against these entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.judge.diagnose import DIAGNOSES
from reference.mutations import MUTATIONS

REPO = Path(__file__).resolve().parents[2]
FAMILIES = ("miniflow", "dezero", "layers", "dlfs-advanced")  # folders of submissions/, as test_expected.py
# Known mistakes no case can catch yet, with the reason (docs/CASES.md): listed so that the gap is seen, and
# so that this test fails the day a case catches one (then its sample pins it) or another joins them.
UNCAUGHT: set[str] = set()  # known mistakes no case can catch yet (none since sgd-gen-step's second pass)


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


def _names_the_mistake(name: str, e: dict[str, Any]) -> bool:
    """The entry expects this mistake's code (or `not_reduced`, which quotes a `wrong_shape` mistake) and a
    hint phrase that is in this mistake's hint and in no other hint of the same code (mistakes share codes:
    wrong_derivative has 15)."""
    m = MUTATIONS[name]
    rivals = [o.hint or "" for other, o in MUTATIONS.items() if other != name and o.code == m.code]
    own = [p for p in e.get("hint_has", []) if p in (m.hint or "") and not any(p in r for r in rivals)]
    # `not_reduced` quotes a known `wrong_shape` mistake's hint (diagnose._not_reduced): one row per sample
    # is a wrong shape whose sum is right, and the mistake that makes it is named there.
    codes = {m.code, "not_reduced"} if m.code == "wrong_shape" else {m.code}
    return e.get("diagnosis") in codes and bool(own)


def test_every_known_mistake_has_a_sample_whose_hint_must_name_it() -> None:
    """Each mistake of reference/mutations.py but UNCAUGHT is named by some sample's expected hint: deleting
    the mistake (or the judge's matching of it) fails that sample in test_expected.py."""
    entries = [e for family in FAMILIES for _, _, e in _cases(family)]
    unnamed = {name for name in MUTATIONS if not any(_names_the_mistake(name, e) for e in entries)}
    assert sorted(unnamed) == sorted(UNCAUGHT)


def test_dezero_sample_table_scores_are_the_accounts():
    """docs/samples/dezero.md's first table gives each sample's expected score: the one its expected.json
    account makes at the tests' seed (as test_expected.py computes it, which the grader must reach). Rows of
    stages step33 to step46 were 2 to 4 points below it after cases were added (review of s23-realdz,
    finding 2); a row whose account differs fails here."""
    import re

    from grader.assignments import load_assignment
    from grader.cases import cases_for_run
    from tests.samples.test_expected import SEED, _case_expectation, _expected_points

    spec = json.loads((REPO / "submissions" / "dezero" / "expected.json").read_text(encoding="utf-8"))
    assignment = load_assignment(spec["assignment"])
    text = (REPO / "docs" / "samples" / "dezero.md").read_text(encoding="utf-8")
    table = text.split("\n\n| sample | the bug (or variant) |", 1)[1].split("\n\n", 1)[0]
    checked, wrong = 0, []
    for row in table.splitlines():
        m = re.match(r"\| `([^`]+?)/?` \(stage `(step\d+)`\)", row)
        sample = spec["samples"].get(m.group(1)) if m else None
        if m is None or sample is None or sample.get("stage") != m.group(2):
            continue
        cells = [c.strip() for c in row.split("|")]
        cases = [
            c
            for c in cases_for_run(assignment, SEED, stage=m.group(2))
            if sample.get("generated", True) or not c.generated
        ]
        total = round(sum(_expected_points(c, _case_expectation(sample, c.id)) for c in cases), 4)
        checked += 1
        if float(cells[-3]) != total:
            wrong.append(f"{m.group(1)}: table {cells[-3]}, account {total}")
    assert checked >= 40 and wrong == []
