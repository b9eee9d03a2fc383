"""Flag records: known codes only, one clean capped line per text field, and the schema's code list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.flags import FLAG_CODES, Flag
from grader.flags.model import EVIDENCE_CHARS, clean

SCHEMA = Path(__file__).resolve().parents[2] / "grader" / "schemas" / "report.schema.json"


def test_make_keeps_code_file_line_summary_evidence():
    """Flag.make builds the record in the documented field order and to_dict() names every field."""
    flag = Flag.make("network", "ch05/net.py", 7, "imports socket", "import socket")
    assert flag == Flag("network", "ch05/net.py", 7, "imports socket", "import socket")
    assert flag.to_dict() == {
        "code": "network",
        "file": "ch05/net.py",
        "line": 7,
        "summary": "imports socket",
        "evidence": "import socket",
    }


def test_unknown_code_is_refused():
    """Negative control: a code outside the catalogue raises, naming the known ones."""
    with pytest.raises(KeyError, match="numerical_gradient"):
        Flag.make("cheater", "a.py", 1, "x")


def test_text_is_one_printable_capped_line():
    """Escape sequences, bidi overrides and zero-width characters are dropped, newlines and tabs become
    spaces, and a long line is cut to the cap with an ellipsis."""
    assert clean("print('\x1b[31mPASS\x1b[0m')\r\n\tnext", 80) == "print('[31mPASS[0m') next"
    assert clean("a\u202eb\u200bc", 80) == "abc"
    long = clean("x = " + "1" * 500, EVIDENCE_CHARS)
    assert len(long) == EVIDENCE_CHARS and long.endswith("…")
    assert Flag.make("network", "a.py", -3, "s").line == 0


def test_schema_lists_exactly_the_catalogue_codes():
    """report.schema.json's flag code enum and FLAG_CODES name the same codes (a new code needs both)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert sorted(schema["$defs"]["flag"]["properties"]["code"]["enum"]) == sorted(FLAG_CODES)
