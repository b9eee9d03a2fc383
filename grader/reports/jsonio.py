"""Deterministic JSON text: sorted keys, two-space indent, floats as Python's shortest repr, final newline.

The text is exactly `json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)`.
The standard library writes indented JSON with its pure-Python encoder only (its C encoder knows no indent),
a generator per nesting level and a `yield` per token: about 2 ms of every graded submission, for its two
reports. `_indented` writes the same text with one call per value and the C string escaper; a document it
does not handle exactly (a key that is not a string, a subclass of a JSON type, NaN or inf) goes to `json`.
"""

from __future__ import annotations

import json
import math
from typing import Any

_escape = json.encoder.encode_basestring  # the C escaper of ensure_ascii=False
_float_repr = float.__repr__
_int_repr = int.__repr__
_isfinite = math.isfinite
_ONLY_STR = {str}


class _NotPlain(Exception):
    """A value `_indented` leaves to the standard encoder."""


def _indented(value: Any, pad: str) -> str:
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is float:
        if not _isfinite(value):
            raise _NotPlain  # json raises its own ValueError for it
        return _float_repr(value)
    if kind is int:
        return _int_repr(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    inner = pad + "  "
    if kind is dict:
        if not value:
            return "{}"
        if {*map(type, value)} != _ONLY_STR:  # every key exactly a str, tested in C (~28,000 dicts a batch)
            raise _NotPlain
        # a string (three in five of a report's values) escaped in place: one call fewer each
        parts = [
            f"{inner}{_escape(k)}: {_escape(v) if type(v := value[k]) is str else _indented(v, inner)}"
            for k in sorted(value)
        ]
        return "{\n" + ",\n".join(parts) + "\n" + pad + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        parts = [inner + (_escape(v) if type(v) is str else _indented(v, inner)) for v in value]
        return "[\n" + ",\n".join(parts) + "\n" + pad + "]"
    raise _NotPlain


def _standard(document: Any, ensure_ascii: bool) -> str:
    # allow_nan=False: a NaN in a report is a grader bug (values are strings in messages), so fail loudly.
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=ensure_ascii, allow_nan=False)


def dumps(document: Any) -> str:
    """UTF-8-safe JSON text. Text from a submission was normalised where it entered (grader/untrusted.py), so
    a lone surrogate here is a path that missed the boundary: it is written as a `\\udcff` escape (valid
    JSON) rather than crash the write of a whole report or batch."""
    try:
        text = _indented(document, "") + "\n"
    except (_NotPlain, RecursionError):
        text = _standard(document, ensure_ascii=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _standard(document, ensure_ascii=True) + "\n"
    return text


def without_timing(document: dict[str, Any]) -> dict[str, Any]:
    """The part of a report that two runs with the same seed must reproduce byte for byte."""
    return {k: v for k, v in document.items() if k != "timing"}
