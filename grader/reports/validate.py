"""Validate what the reports package writes against the JSON schemas that live beside the code."""

from __future__ import annotations

from functools import cache
from typing import Any

from grader.schema import inlined, load_schema


class ReportSchemaError(ValueError):
    """A report about to be written does not match its schema: a bug in the grader, never the student's."""


@cache
def _validator(name: str) -> Any:
    # The same schema loading as every other file the grader reads (grader.schema); meta-validation of the
    # schemas themselves is left to the test suite: it would cost every run ~100 ms. jsonschema is imported
    # here, on the first report validated, not by every `grader check` that validates none (~80 ms). Its
    # definitions inlined: a batch run with --validate checks every report, and resolving a $ref at each
    # case and check was a third of that.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(inlined(load_schema(name)))


def validate(document: Any, name: str) -> None:
    """Raise ReportSchemaError naming the JSON path and the broken rule (first error by path)."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        where = "$" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in err.absolute_path)
        raise ReportSchemaError(f"{name}.schema.json: {where}: {err.message}")
