"""Failures with a stable code, a student-facing message and a staff-only detail (student frames only).

Messages name where the student's code went wrong (file, line, class.method, the source line) and never show
the grader's own frames: the student cannot act on them.
"""

from __future__ import annotations

import linecache
import os
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from .guard import ForbiddenImport

_MAX_TEXT = 600


def clean_text(value: object, limit: int = _MAX_TEXT) -> str:
    """An exact, capped `str` of anything (a student's __str__ may raise or return a str subclass)."""
    try:
        text = value if isinstance(value, str) else str(value)
        text = bytes.decode(str.encode(text, "utf-8", "replace"), "utf-8", "replace")
    except BaseException:
        text = f"<unprintable {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StudentFailure(Exception):
    """A load or case step failed; carries the frame's FAILURE object."""

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = clean_text(message)
        self.detail = clean_text(detail, 4000)

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


@dataclass(frozen=True)
class Frame:
    path: str  # relative to the working dir
    line: int
    function: str  # qualified: "Linear.backward"
    source: str

    def where(self) -> str:
        text = f"{self.path} line {self.line}, in {self.function}"
        return f"{text}: `{self.source}`" if self.source else text


def _relative(filename: str, root: str) -> str | None:
    try:
        full = os.path.realpath(filename)
    except (OSError, ValueError):
        return None
    return os.path.relpath(full, root) if full.startswith(root + os.sep) else None


def student_frames(tb: TracebackType | None, root: str) -> list[Frame]:
    """The traceback's frames that run files under the working dir, outermost first."""
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        rel = _relative(code.co_filename, root)
        if rel is not None:
            source = clean_text(linecache.getline(code.co_filename, tb.tb_lineno).strip(), 160)
            frames.append(Frame(rel, tb.tb_lineno, getattr(code, "co_qualname", code.co_name), source))
        tb = tb.tb_next
    return frames


def describe(exc: BaseException) -> str:
    text = clean_text(exc, 300)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def staff_detail(exc: BaseException, root: str) -> str:
    lines = ["Traceback (student frames only):"]
    for f in student_frames(exc.__traceback__, root):
        lines.append(f'  File "{f.path}", line {f.line}, in {f.function}')
        if f.source:
            lines.append(f"    {f.source}")
    lines.append(describe(exc))
    return "\n".join(lines)


def _at(exc: BaseException, root: str) -> str:
    frames = student_frames(exc.__traceback__, root)
    return f" ({frames[-1].where()})" if frames else ""


def _memory(exc: BaseException, context: str, root: str) -> StudentFailure:
    return StudentFailure(
        "memory_limit",
        f"{context}: ran out of memory{_at(exc, root)}; is something allocating a huge array or graph?",
        staff_detail(exc, root),
    )


def _recursion(exc: BaseException, context: str, root: str) -> StudentFailure:
    return StudentFailure(
        "exception",
        f"{context}: RecursionError (maximum recursion depth exceeded){_at(exc, root)}; a method that calls "
        "itself forever, or a cycle in the graph?",
        staff_detail(exc, root),
    )


def _not_implemented(exc: BaseException, context: str, root: str) -> StudentFailure:
    return StudentFailure(
        "not_implemented",
        f"{context}: raised NotImplementedError{_at(exc, root)}; is it still a TODO?",
        staff_detail(exc, root),
    )


# The methods every graded class must have: lacking one is work not done yet (an early lesson stage that
# stops at forward, a backward still to write), not a crash.
GRADED_METHODS = ("forward", "backward")


def _attribute(exc: BaseException, context: str, root: str) -> StudentFailure:
    name, obj = getattr(exc, "name", None), getattr(exc, "obj", None)
    if name not in GRADED_METHODS or obj is None:
        return _generic(exc, context, root)
    cls = type(obj).__name__
    stage = " (the forward-only stage of the lesson?)" if name == "backward" else ""
    return StudentFailure(
        "not_implemented",
        f"{context}: class {cls} has no {name}() method{stage}; write {cls}.{name}",
        staff_detail(exc, root),
    )


def _forbidden(exc: BaseException, context: str, root: str) -> StudentFailure:
    module = getattr(exc, "module", "?")
    return StudentFailure(
        "forbidden_import",
        f"{context}: imports {module!r}{_at(exc, root)}, which this assignment forbids; remove that import",
        staff_detail(exc, root),
    )


def _exit(exc: BaseException, context: str, root: str) -> StudentFailure:
    return StudentFailure(
        "exception",
        f"{context}: called exit(){_at(exc, root)}; remove exit()/sys.exit() from the graded code",
        staff_detail(exc, root),
    )


def _generic(exc: BaseException, context: str, root: str) -> StudentFailure:
    return StudentFailure("exception", f"{context}: {describe(exc)}{_at(exc, root)}", staff_detail(exc, root))


# Checked in order (first isinstance match wins): subclasses before their bases.
CLASSIFIERS: tuple[tuple[type[BaseException], Callable[[BaseException, str, str], StudentFailure]], ...] = (
    (MemoryError, _memory),
    (RecursionError, _recursion),
    (NotImplementedError, _not_implemented),
    (AttributeError, _attribute),
    (ForbiddenImport, _forbidden),
    (SystemExit, _exit),
    (BaseException, _generic),
)


def from_exception(exc: BaseException, context: str, root: str) -> StudentFailure:
    """The failure for an exception raised by student code while doing `context`."""
    if isinstance(exc, StudentFailure):
        return exc
    for kind, build in CLASSIFIERS:
        if isinstance(exc, kind):
            return build(exc, context, root)
    return _generic(exc, context, root)  # pragma: no cover - BaseException matches everything
