"""The shape of a failure's `raised` fields ([type, file, line, function]: docs/ARCHITECTURE.md FAILURE).

One rule for both ends. The harness builds the fields from what the student's process said of its exception
and sends a place only when it has this shape (else the type alone: `failures.Raised.of`); the parent refuses
a frame whose fields are out of it, a protocol violation (grader/sandbox/raised.py). Were the parent's rule
the stricter, a claim the harness relayed as it came (a line of 0, a function name of another form) spoiled
the whole phase: an honest helper named `गणना` (Python's identifiers are Unicode, combining marks
included) cost a submission every case of the phase as "Sent malformed results" (review of s31-trust).
"""

from __future__ import annotations

import re

TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")  # an exception's class name, as the blame may say it
MAX_FILE_CHARS = 1024  # grader/inside/paths.py: no path of a job is longer
MAX_LINE = 10_000_000
MAX_FUNCTION_CHARS = 200
# The last part of a function name cut to MAX_FUNCTION_CHARS (`bounded_function`): a part of Python's form, so
# the cut name passes `is_function` like any other, and no more is trusted of it than of any other
TRUNCATED = "<truncated>"


def is_type(value: object) -> bool:
    return isinstance(value, str) and TYPE.fullmatch(value) is not None


def is_function(value: object) -> bool:
    """A qualified name as Python writes one (`co_qualname`): dotted parts, each an identifier or one in
    angle brackets (`f.<locals>.<lambda>`, `<module>`), in any script Python accepts."""
    if not (isinstance(value, str) and 0 < len(value) <= MAX_FUNCTION_CHARS):
        return False
    return all(_part(p) for p in value.split("."))


def bounded_function(value: str) -> str:
    """A function name cut to MAX_FUNCTION_CHARS: its first dotted parts that fit (the first one's head
    alone when it does not), then `TRUNCATED`; a name that fits, as it is. The blame reads the class from
    the head (`Linear.backward.<locals>...`), and the file and line travel with it: a name over the bound
    kept the type alone, and the blame named no place (review32)."""
    if len(value) <= MAX_FUNCTION_CHARS:
        return value
    room = MAX_FUNCTION_CHARS - len(TRUNCATED) - 1
    kept = ""
    for part in value.split("."):
        joined = f"{kept}.{part}" if kept else part
        if len(joined) > room:
            break
        kept = joined
    return f"{kept or value[:room]}.{TRUNCATED}"  # an identifier's head is one; `is_function` judges


def _part(text: str) -> bool:
    if len(text) > 2 and text[0] == "<" and text[-1] == ">":
        text = text[1:-1]
    return text.isidentifier()


def is_place(file: object, line: object, function: object) -> bool:
    """A frame of the submission's: a path, a line number (a bool is none) and a function name, bounded."""
    return (
        isinstance(file, str)
        and 0 < len(file) <= MAX_FILE_CHARS
        and type(line) is int
        and 0 < line <= MAX_LINE
        and is_function(function)
    )
