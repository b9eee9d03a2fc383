"""The exception a case's failure states, as fields, checked against the job the parent built.

The harness sends it beside the failure's message (`"raised": [type, file, line, function]`,
grader/inside/failures.py `Raised`) so that the blame reads no message text: the message quotes the student's
own exception text, and a message imitating the harness's words ("raised ValueError in other.py line 3") moved
the blame (grader/judge/blame.py). Every field is the student's process's claim, relayed: `shaped` checks
types and lengths where the frame is decoded (a frame out of shape is a protocol violation), and the fields
the blame may show (type, function, place) are disowned there as every other student name is
(grader/fault.py): a helper named `the_grader_itself_failed_not_your_codes_fault` was taken out of the
messages that quote it and shown whole in the blame built from these fields (sample
hostile/blame_fields_fault_wording.py); `JobFiles.placed` keeps the file and line only when the file is one
the job handed the student's process (the submission's, the assignment's support files, the stand-ins: the
parent's own list) and the line is within it, and works out where a message names that line (a notebook's
cell) from the parent's own copy of the text. Anything else keeps the type alone: a frame of a file the
student's code wrote or compiled at run time is no place of the submission's.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from grader import untrusted
from grader.fault import disowned
from grader.inside import cells, raised_shape
from grader.model import Raised


def shaped(value: Any) -> Raised:
    """`[type, file, line, function]` as the harness writes it, or ValueError: an identifier for the type,
    then a place as grader/inside/raised_shape.py has it (the harness's own rule: a path and a Python
    function name of bounded length, a line number, a bool none), or file "" with line 0 and function "" when
    no frame is known."""
    if not (isinstance(value, list) and len(value) == 4):
        raise ValueError("raised must be [type, file, line, function]")
    kind, file, line, function = value
    if not raised_shape.is_type(kind):
        raise ValueError("raised: the type is not a class name")
    none = file == "" and type(line) is int and line == 0 and function == ""  # a bool is no line number
    if not (none or raised_shape.is_place(file, line, function)):
        raise ValueError("raised: not a file, a line and a function, nor none of them")
    return Raised(disowned(kind, untrusted.NAME), file, line, disowned(function, untrusted.NAME))


class JobFiles:
    """The files a job hands the student's process, by path, each read into lines at most once."""

    def __init__(self, job: Mapping[str, Any]) -> None:
        student = job.get("student", {})
        self._encoded: dict[str, str] = {}
        for table in (job.get("standins"), student.get("support_files"), student.get("files")):
            if isinstance(table, Mapping):
                self._encoded.update((str(k), v) for k, v in table.items() if isinstance(v, str))
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        """The file's lines as Python numbers them (universal newlines), or None: not one of the job's."""
        if path not in self._lines:
            encoded = self._encoded.get(path)
            self._lines[path] = None if encoded is None else _lines(encoded)
        return self._lines[path]

    def placed(self, raised: Raised) -> Raised:
        """`raised` with where a message names its line, when its file is one of the job's and the line is
        in it; its type alone otherwise."""
        if not raised.file:
            return raised
        lines = self.lines(raised.file)
        if lines is None or not 0 < raised.line <= len(lines):
            return Raised(raised.type)
        place, line = cells.locate_in(lines, raised.line) or (raised.file, raised.line)
        shown = disowned(place, untrusted.PATH)  # the submission's own file name, quoted by the blame
        return Raised(raised.type, raised.file, raised.line, raised.function, shown, line)


def _lines(encoded: str) -> list[str] | None:
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")
