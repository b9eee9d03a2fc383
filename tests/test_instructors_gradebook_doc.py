"""docs/INSTRUCTORS.md's gradebook.csv columns are the ones the gradebook writes (session 29's journey: the
guide's list lacked `stage`, which every gradebook has after `flags`)."""

from __future__ import annotations

import re
from pathlib import Path

from grader.reports.gradebook import GRADEBOOK_COLUMNS

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "INSTRUCTORS.md"


def test_the_guide_lists_the_gradebook_columns_in_order() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("### gradebook.csv", 1)[1]
    line = next(s for s in section.splitlines() if s.startswith("`student, file"))
    listed = [c for c in re.split(r",\s*", re.sub(r"\[[^\]]*\]", "", line.strip("`"))) if c]
    assert listed == [*GRADEBOOK_COLUMNS, "<points per case>"]
