"""Validate what the reports package writes against the JSON schemas that live beside the code."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


class ReportSchemaError(ValueError):
    """A report about to be written does not match its schema: a bug in the grader, never the student's."""


@cache
def _validator(name: str) -> Any:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    # Meta-validation of the schema itself is left to the test suite: it would cost every run ~100 ms.
    return jsonschema.validators.validator_for(schema)(schema)


def validate(document: Any, name: str) -> None:
    """Raise ReportSchemaError naming the JSON path and the broken rule (first error by path)."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        where = "$" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in err.absolute_path)
        raise ReportSchemaError(f"{name}.schema.json: {where}: {err.message}")
