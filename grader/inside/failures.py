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

from . import cells
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

    @classmethod
    def from_dict(cls, raw: object) -> StudentFailure | None:
        """The failure a `to_dict` produced on the other side of the boundary; None for anything else."""
        if not isinstance(raw, dict):
            return None
        return cls(str(raw.get("code", "exception")), str(raw.get("message", "")), str(raw.get("detail", "")))


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
            path, line = cells.locate(code.co_filename, tb.tb_lineno) or (rel, tb.tb_lineno)
            frames.append(Frame(path, line, getattr(code, "co_qualname", code.co_name), source))
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


# The exception classes that change how a failure is worded, by name: the student's process says which of
# them its exception is an instance of (a student's own subclass of KeyError counts as a KeyError).
KINDS: dict[str, type[BaseException]] = {
    "MemoryError": MemoryError,
    "RecursionError": RecursionError,
    "NotImplementedError": NotImplementedError,
    "AttributeError": AttributeError,
    "ForbiddenImport": ForbiddenImport,
    "SystemExit": SystemExit,
    "KeyError": KeyError,
}


@dataclass(frozen=True)
class ErrorInfo:
    """What the student's process says about an exception its code raised: plain text and numbers only."""

    description: str  # "KeyError: 'x'"
    kinds: tuple[str, ...] = ()
    frames: tuple[Frame, ...] = ()
    detail: str = ""
    attr_name: str | None = None  # AttributeError.name
    attr_owner: str | None = None  # type(AttributeError.obj).__name__
    module: str | None = None  # ForbiddenImport.module

    def where(self) -> str:
        return f" ({self.frames[-1].where()})" if self.frames else ""

    def to_wire(self) -> dict[str, object]:
        return {
            "description": self.description,
            "kinds": list(self.kinds),
            "frames": [[f.path, f.line, f.function, f.source] for f in self.frames],
            "detail": self.detail,
            "attr_name": self.attr_name,
            "attr_owner": self.attr_owner,
            "module": self.module,
        }

    @classmethod
    def from_wire(cls, obj: object) -> ErrorInfo:
        """Strictly rebuilt: anything malformed becomes a plain description of the malformation."""
        if not isinstance(obj, dict):
            return cls("an error the grader could not read")
        frames = []
        for f in obj.get("frames") or []:
            if isinstance(f, list) and len(f) == 4 and isinstance(f[1], int):
                path, line, fn, src = (
                    clean_text(f[0], 200),
                    f[1],
                    clean_text(f[2], 200),
                    clean_text(f[3], 160),
                )
                frames.append(Frame(path, line, fn, src))
        kinds = tuple(k for k in obj.get("kinds") or [] if isinstance(k, str) and k in KINDS)

        def text(key: str, limit: int = _MAX_TEXT) -> str | None:
            value = obj.get(key)
            return clean_text(value, limit) if isinstance(value, str) else None

        return cls(
            description=text("description") or "an exception",
            kinds=kinds,
            frames=tuple(frames[-20:]),
            detail=text("detail", 4000) or "",
            attr_name=text("attr_name", 200),
            attr_owner=text("attr_owner", 200),
            module=text("module", 200),
        )


def error_info(exc: BaseException, root: str) -> ErrorInfo:
    """Describe an exception raised by student code (in the student's process)."""
    owner = getattr(exc, "obj", None) if isinstance(exc, AttributeError) else None
    name = getattr(exc, "name", None) if isinstance(exc, AttributeError) else None
    return ErrorInfo(
        description=describe(exc),
        kinds=tuple(k for k, cls in KINDS.items() if isinstance(exc, cls)),
        frames=tuple(student_frames(exc.__traceback__, root)),
        detail=staff_detail(exc, root),
        attr_name=name if isinstance(name, str) else None,
        attr_owner=type(owner).__name__ if owner is not None else None,
        module=getattr(exc, "module", None) if isinstance(exc, ForbiddenImport) else None,
    )


def _memory(e: ErrorInfo, context: str) -> StudentFailure:
    return StudentFailure(
        "memory_limit",
        f"{context}: ran out of memory{e.where()}; is something allocating a huge array or graph?",
        e.detail,
    )


def _recursion(e: ErrorInfo, context: str) -> StudentFailure:
    return StudentFailure(
        "exception",
        f"{context}: RecursionError (maximum recursion depth exceeded){e.where()}; a method that calls "
        "itself forever, or a cycle in the graph?",
        e.detail,
    )


def _not_implemented(e: ErrorInfo, context: str) -> StudentFailure:
    return StudentFailure(
        "not_implemented", f"{context}: raised NotImplementedError{e.where()}; is it still a TODO?", e.detail
    )


# The methods every graded class must have: lacking one is work not done yet (an early lesson stage that
# stops at forward, a backward still to write), not a crash.
GRADED_METHODS = ("forward", "backward")


def _attribute(e: ErrorInfo, context: str) -> StudentFailure:
    if e.attr_name not in GRADED_METHODS or e.attr_owner is None:
        return _generic(e, context)
    cls = e.attr_owner
    stage = " (the forward-only stage of the lesson?)" if e.attr_name == "backward" else ""
    return StudentFailure(
        "not_implemented",
        f"{context}: class {cls} has no {e.attr_name}() method{stage}; write {cls}.{e.attr_name}",
        e.detail,
    )


def _forbidden(e: ErrorInfo, context: str) -> StudentFailure:
    return StudentFailure(
        "forbidden_import",
        f"{context}: imports {e.module or '?'!r}{e.where()}, which this assignment forbids; "
        "remove that import",
        e.detail,
    )


def _exit(e: ErrorInfo, context: str) -> StudentFailure:
    return StudentFailure(
        "exception",
        f"{context}: called exit(){e.where()}; remove exit()/sys.exit() from the graded code",
        e.detail,
    )


def _generic(e: ErrorInfo, context: str) -> StudentFailure:
    return StudentFailure("exception", f"{context}: {e.description}{e.where()}", e.detail)


# Checked in order (first kind the exception has wins): subclasses before their bases.
CLASSIFIERS: tuple[tuple[str, Callable[[ErrorInfo, str], StudentFailure]], ...] = (
    ("MemoryError", _memory),
    ("RecursionError", _recursion),
    ("NotImplementedError", _not_implemented),
    ("AttributeError", _attribute),
    ("ForbiddenImport", _forbidden),
    ("SystemExit", _exit),
)


def from_error(info: ErrorInfo, context: str) -> StudentFailure:
    """The failure for an error the student's code raised while doing `context`."""
    for kind, build in CLASSIFIERS:
        if kind in info.kinds:
            return build(info, context)
    return _generic(info, context)


def from_exception(exc: BaseException, context: str, root: str) -> StudentFailure:
    """The failure for an exception raised by student code while doing `context` (in this process)."""
    if isinstance(exc, StudentFailure):
        return exc
    return from_error(error_info(exc, root), context)
