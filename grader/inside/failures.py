"""Failures with a stable code, a student-facing message and a staff-only detail (student frames only).

Messages name where the student's code went wrong (file, line, class.method, the source line) and never show
the grader's own frames: the student cannot act on them.
"""

from __future__ import annotations

import builtins
import difflib
import linecache
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType

from . import (
    cells,
    contexts,
    numpy_errors,
    py2_errors,
    python_errors,
    raised_shape,
    refused_calls,
    scalar_refused,
)
from .guard import ForbiddenImport

_MAX_TEXT = 600

# Python's and numpy's own types, by the name an error message gives them: every class the builtins module
# holds (int, list, dict, ValueError ...), and those it does not name (NoneType, a function, a dict's views,
# numpy's arrays). No student wrote them, so no advice about a student's class is said of them: the node's
# gradients dict, a Layer's params(), a queue's tie. One source for all three (they were three hand-kept
# lists that disagreed: "ValueError" was a Layer, "generator" an orderable key).
PLAIN_TYPES = frozenset(n for n, v in vars(builtins).items() if isinstance(v, type)) | {
    *("NoneType", "function", "method", "builtin_function_or_method", "module", "generator"),
    *("dict_keys", "dict_values", "dict_items", "ndarray", "matrix"),
}

# The failure codes a student's process may claim for what its own code did. Nothing else it sends is
# accepted: a reply claiming another code (a sandbox crash, a grader error) is malformed.
STUDENT_CODES = frozenset(
    {"syntax_error", "import_error", "forbidden_import", "missing_name", "not_implemented", "exception",
     "memory_limit"}
)  # fmt: skip
# Set by the harness alone, for its own bugs (never read from a student process): the only code the
# parent words as "not your code's fault" (grader/fault.py).
GRADER_ERROR = "grader_error"


class MalformedReply(ValueError):
    """A student process's reply that does not have the form the server writes: the student's code
    tampered with its channel, so nothing more on it can be trusted (the phase ends as "broken")."""


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise MalformedReply(what)


def check_keys(obj: object, allowed: frozenset[str], what: str) -> dict[str, object]:
    """`obj` as a dict with no key outside `allowed` (a reply's fields are the server's, no others)."""
    # Every description of every reply is checked here: the messages are built only when they are raised.
    if not isinstance(obj, dict):
        raise MalformedReply(f"{what} is not an object")
    if not allowed.issuperset(obj):
        raise MalformedReply(f"{what} has unknown keys {sorted(map(str, set(obj) - allowed))[:5]}")
    return obj


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

    def __init__(self, code: str, message: str, detail: str = "", raised: Raised | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = clean_text(message)
        self.detail = clean_text(detail, 4000)
        self.raised = raised  # the exception the message states, as fields (the harness's, never read back)

    def to_dict(self) -> dict[str, str]:
        """As a student process sends it and as a frame carries it without `raised` (never read from that
        process: the harness states it, `for_frame`)."""
        return {"code": self.code, "message": self.message, "detail": self.detail}

    def for_frame(self, raised: Raised | None) -> dict[str, object]:
        """The case frame's FAILURE, with the exception its message states as fields (ARCHITECTURE.md)."""
        out: dict[str, object] = dict(self.to_dict())
        if raised is not None:
            out["raised"] = raised.to_wire()
        return out

    @classmethod
    def from_dict(cls, raw: object) -> StudentFailure | None:
        """The failure a student process's `to_dict` produced (None for null); MalformedReply for anything
        but a student code with text fields: the harness's own codes are never taken from that side."""
        if raw is None:
            return None
        f = check_keys(raw, _FAILURE_KEYS, "a failure")
        code = f.get("code")
        _need(
            type(code) is str and code in STUDENT_CODES,
            "a failure claims a code a student process may not claim",
        )
        message, detail = f.get("message"), f.get("detail", "")
        _need(isinstance(message, str) and isinstance(detail, str), "a failure's texts are not strings")
        return cls(str(f["code"]), str(message), str(detail))


_FAILURE_KEYS = frozenset({"code", "message", "detail"})


def grader_error(message: str, detail: str = "") -> StudentFailure:
    """A failure of the harness's own code on this case (a bug, a malformed case): never the student's."""
    return StudentFailure(GRADER_ERROR, message, detail)


@dataclass(frozen=True)
class Frame:
    path: str  # relative to the working dir ("hw.ipynb, code cell 3" in a module built from a notebook)
    line: int
    function: str  # qualified: "Linear.backward"
    source: str
    file: str = ""  # the file Python ran, relative to the working dir: `path` before a notebook's cell
    at: int = 0  # the line of `file`: `line` before a notebook's cell

    def where(self) -> str:
        text = f"{self.path} line {self.line}, in {self.function}"
        return f"{text}: `{self.source}`" if self.source else text


@dataclass(frozen=True)
class Raised:
    """The exception a case's failure states (its message says "ValueError: ... (nn.py line 110, in
    Linear.backward: ...)"), as fields: the parent's blame reads these, never the message's text, which
    quotes the student's own exception message (a message imitating the harness's words moved the blame).
    The parent checks each one (grader/sandbox/frames.py): the file one of the job's, the line in it."""

    type: str  # the exception's class name
    file: str = ""  # "" when no frame of the submission's is known
    line: int = 0
    function: str = ""

    def to_wire(self) -> list[object]:
        return [self.type, self.file, self.line, self.function]

    @classmethod
    def of(cls, info: ErrorInfo) -> Raised | None:
        if not info.type:
            return None
        last = info.frames[-1] if info.frames else None
        if last is None:
            return cls(info.type)
        function = raised_shape.bounded_function(last.function)  # a long name cut, marked, not dropped
        # the student's process's claim: a place the parent would refuse (a line of 0, a function of no
        # Python name's form) is not sent, the type alone is: refused, it spoiled the whole phase
        if not raised_shape.is_place(last.file, last.at, function):
            return cls(info.type)
        return cls(info.type, last.file, last.at, function)


def _method(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def backward_caller(frames: Sequence[Frame]) -> Frame | None:
    """The backward whose call ran the forward that failed: DeZero's MatMul.backward computing
    `matmul(x, gy)` fails in MatMul.forward, whose own line (`y = x.dot(W)`) is right, so the message names
    the backward's line too. None when the failing frame is no forward or no backward called it."""
    if not frames or _method(frames[-1].function) != "forward":
        return None
    return next((f for f in reversed(frames[:-1]) if _method(f.function) == "backward"), None)


def helper_caller(frames: Sequence[Frame]) -> Frame | None:
    """The line of another file that called the module-level helper that failed: a Convolution.forward
    calling the book's `im2col(x, FH, FW, self.pad, self.stride)` fails with ZeroDivisionError in
    common/util.py's `// stride` (pad 0 taken as the stride), a line that is right; the message named only
    that line, the grader's support copy, never the student's call (review of s30-realdlfs). None when the
    failing frame is a method (its class is the one to blame) or was called from its own file."""
    if len(frames) < 2 or "." in frames[-1].function or frames[-1].function.startswith("<"):
        return None
    return frames[-2] if frames[-2].path != frames[-1].path else None


def _relative(filename: str, root: str) -> str | None:
    try:
        full = os.path.realpath(filename)
    except (OSError, ValueError):
        return None
    return os.path.relpath(full, root) if full.startswith(root + os.sep) else None


def traceback_line(tb: TracebackType) -> int:
    """The line a traceback entry stands at. Python 3.11 gives None for an instruction without a location
    (a signal handler's exception raised between two bytecodes: the load budget stopping a training loop),
    and linecache.getline(filename, None) raises TypeError; the nearest located instruction before it stands
    for it, else the code's first line."""
    if tb.tb_lineno is not None:
        return tb.tb_lineno
    code, line = tb.tb_frame.f_code, None
    for start, _end, located in code.co_lines():
        if start > tb.tb_lasti:
            break
        line = located if located is not None else line
    return line or code.co_firstlineno


def student_frames(tb: TracebackType | None, root: str) -> list[Frame]:
    """The traceback's frames that run files under the working dir, outermost first."""
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        rel = _relative(code.co_filename, root)
        if rel is not None:
            at = traceback_line(tb)
            source = clean_text(linecache.getline(code.co_filename, at).strip(), 160)
            path, line = cells.locate(code.co_filename, at) or (rel, at)
            frames.append(Frame(path, line, getattr(code, "co_qualname", code.co_name), source, rel, at))
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
    "EOFError": EOFError,
    "NameError": NameError,
}
# A debugger left in quits the run with bdb.BdbQuit (_debugger_quit). Looked up where an exception is
# described, never imported here: a process that never imported bdb raised none (and importing it would put
# one more module before the submission's first line, grader/flags/source.py PRELOADED).
DEBUGGER_QUIT = "BdbQuit"


def _kinds(exc: BaseException) -> tuple[str, ...]:
    kinds = [k for k, cls in KINDS.items() if isinstance(exc, cls)]
    bdb = sys.modules.get("bdb")
    quit_class = getattr(bdb, DEBUGGER_QUIT, None) if bdb is not None else None
    if isinstance(quit_class, type) and isinstance(exc, quit_class):
        kinds.append(DEBUGGER_QUIT)
    return tuple(kinds)


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
    attr_near: str | None = None  # a method of the owner's class spelt like the missing one (`backwards`)
    attr_near_in: str | None = None  # the base class defining attr_near, when not the owner's own class
    gy_none: bool = False  # the failing backward's own gy (or one of its gys) was None when it raised
    # the class of the function Variable.backward was at (its local `f`) when that backward raised
    backward_of: str | None = None
    type: str = ""  # the exception's class name ("KeyError"), apart from its text

    def where(self) -> str:
        if not self.frames:
            return ""
        caller = backward_caller(self.frames) or helper_caller(self.frames)
        via = f", called from {caller.where()}" if caller else ""
        return f" ({self.frames[-1].where()}{via})"

    def to_wire(self) -> dict[str, object]:
        return {
            "description": self.description,
            "kinds": list(self.kinds),
            "type": self.type,
            "frames": [[f.path, f.line, f.function, f.source, f.file, f.at] for f in self.frames],
            "detail": self.detail,
            "attr_name": self.attr_name,
            "attr_owner": self.attr_owner,
            "module": self.module,
            "attr_near": self.attr_near,
            "attr_near_in": self.attr_near_in,
            "gy_none": self.gy_none,
            "backward_of": self.backward_of,
        }

    @classmethod
    def from_wire(cls, obj: object) -> ErrorInfo:
        """Rebuilt field by field, each of the type `to_wire` writes; anything else is a MalformedReply
        (the student's code rewrote what its process sends: the student's doing, never a crash here)."""
        info = check_keys(obj, _ERROR_KEYS, "an error description")
        frames, kinds = info.get("frames", []), info.get("kinds", [])
        _need(isinstance(frames, list) and len(frames) <= _MAX_FRAMES, "an error's frames are not a list")
        _need(
            isinstance(kinds, list)
            and all(type(k) is str and (k in KINDS or k == DEBUGGER_QUIT) for k in kinds),
            "an error's kinds are unknown",
        )
        assert isinstance(frames, list) and isinstance(kinds, list)
        return cls(
            description=clean_text(_text(info, "description", optional=False)),
            kinds=tuple(str(k) for k in kinds),
            type=_type_name(_text(info, "type")),
            frames=tuple(_frame(f) for f in frames[-20:]),
            detail=clean_text(_text(info, "detail") or "", 4000),
            attr_name=_short(_text(info, "attr_name")),
            attr_owner=_short(_text(info, "attr_owner")),
            module=_short(_text(info, "module")),
            attr_near=_short(_text(info, "attr_near")),
            attr_near_in=_short(_text(info, "attr_near_in")),
            gy_none=info.get("gy_none", False) is True,
            backward_of=_short(_text(info, "backward_of")),
        )


_ERROR_KEYS = frozenset(
    {
        *("description", "kinds", "type", "frames", "detail", "attr_name", "attr_owner", "module"),
        *("attr_near", "attr_near_in", "gy_none", "backward_of"),
    }
)
_MAX_FRAMES = 1000  # the server sends a traceback's student frames: far fewer than Python's depth limit


def _text(info: Mapping[str, object], key: str, *, optional: bool = True) -> str | None:
    value = info.get(key)
    _need(isinstance(value, str) or (optional and value is None), f"an error's {key} is not a string")
    return value if isinstance(value, str) else None


def _short(text: str | None) -> str | None:
    return None if text is None else clean_text(text, 200)


def _type_name(text: str | None) -> str:
    """An exception's class name as the student's process gave it, when it is one (else "": none known)."""
    return text if text is not None and raised_shape.is_type(text) else ""


def _frame(raw: object) -> Frame:
    """A [path, line, function, source, file, at] frame exactly as `to_wire` writes it (a bool is no line
    number)."""
    if not (isinstance(raw, list) and len(raw) == 6):
        raise MalformedReply("an error's frame is malformed")
    path, line, function, source, file, at = raw
    if not (
        isinstance(path, str)
        and type(line) is int
        and isinstance(function, str)
        and isinstance(source, str)
        and isinstance(file, str)
        and type(at) is int
    ):
        raise MalformedReply("an error's frame is malformed")
    return Frame(
        clean_text(path, 200), line, clean_text(function, 200), clean_text(source, 160), file[:1024], at
    )


def _kept_frames(frames: list[Frame]) -> list[Frame]:
    """The outermost few and the innermost frames of a deep traceback (a runaway recursion, the recursion
    limit raised by the student's code): what a message can show, well under what the harness accepts."""
    if len(frames) <= _SENT_FIRST + _SENT_LAST:
        return frames
    return frames[:_SENT_FIRST] + frames[-_SENT_LAST:]


_SENT_FIRST, _SENT_LAST = 5, 20


def error_info(exc: BaseException, root: str) -> ErrorInfo:
    """Describe an exception raised by student code (in the student's process)."""
    owner = getattr(exc, "obj", None) if isinstance(exc, AttributeError) else None
    name = getattr(exc, "name", None) if isinstance(exc, AttributeError) else None
    placeholder = _course_placeholder(exc)
    if isinstance(exc, NotImplementedError) or placeholder:
        owner, name = _inherited_stub(exc.__traceback__)
    return ErrorInfo(
        description=describe(exc),
        kinds=(*_kinds(exc), "NotImplementedError") if placeholder else _kinds(exc),
        type=type(exc).__name__,
        frames=tuple(_kept_frames(student_frames(exc.__traceback__, root))),
        detail=staff_detail(exc, root),
        attr_name=name if isinstance(name, str) else None,
        attr_owner=type(owner).__name__ if owner is not None else None,
        module=getattr(exc, "module", None) if isinstance(exc, ForbiddenImport) else None,
        attr_near=near[0] if (near := _near_method(owner, name)) else None,
        attr_near_in=near[1] if near else None,
        gy_none=_gy_was_none(exc.__traceback__),
        backward_of=_backward_of(exc.__traceback__),
    )


# What Python 3 says of `raise NotImplemented` (the course's MiniFlow Node.forward of the Add quiz: a
# constant, not an exception class) and of `raise NotImplemented()`.
_PLACEHOLDER_ERRORS = (
    "exceptions must derive from BaseException",
    "'NotImplementedType' object is not callable",
)


def _course_placeholder(exc: BaseException) -> bool:
    """Whether the exception is Python 3 refusing a `raise NotImplemented` stub: a base class's forward the
    student's class never overrode (`def foward`), as NotImplementedError would say, not a raw TypeError."""
    if type(exc) is not TypeError or str(exc) not in _PLACEHOLDER_ERRORS:
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno).strip()
    return line.startswith("raise NotImplemented") and not line.startswith("raise NotImplementedError")


def _gy_was_none(tb: TracebackType | None) -> bool:
    """Whether the innermost `backward` of the traceback held None as its gy (or among its gys): the
    gradient handed to it was missing, not the function's own operand (a `self.x` never stored)."""
    frame = None
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "backward":
            frame = tb.tb_frame
        tb = tb.tb_next
    if frame is None:
        return False
    values = frame.f_locals  # read only by identity and exact type: no student code runs
    gys = values.get("gys")
    # a list too: Variable.backward's own `gys = [output().grad for output in f.outputs]`
    if values.get("gy", False) is None:
        return True
    # exact types only, so that iterating runs no student code
    return type(gys) in (tuple, list) and isinstance(gys, tuple | list) and any(g is None for g in gys)


def _backward_of(tb: TracebackType | None) -> str | None:
    """The class name of the function (`f`) the innermost `backward` of the traceback was at:
    Variable.backward adding the gx that function's backward returned."""
    frame = None
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "backward":
            frame = tb.tb_frame
        tb = tb.tb_next
    f = frame.f_locals.get("f") if frame is not None else None
    if f is None:
        return None
    name = type.__dict__["__name__"].__get__(type(f))  # the type's own name: no metaclass code runs
    return name if isinstance(name, str) else None


def _inherited_stub(tb: TracebackType | None) -> tuple[object, str | None]:
    """The object and method when the NotImplementedError came from a base class's stub that the object's
    class never overrode (the course's `Node.backward` run for an MSE whose backward is `def backwards`);
    (None, None) otherwise."""
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return None, None
    frame = tb.tb_frame
    method, obj = frame.f_code.co_name, frame.f_locals.get("self")
    try:
        overridden = obj is None or method not in GRADED_METHODS or method in vars(type(obj))
    except Exception:  # a student's class that breaks introspection: no suggestion, never a crash
        return None, None
    return (None, None) if overridden else (obj, method)


def _near_method(owner: object, name: object) -> tuple[str, str | None] | None:
    """The method of `owner`'s class the student meant for a missing one (`backwards`, `Backward`, `foward`,
    Variable's `cleargrads` for cleargrad: Python's own "Did you mean" is only printed in a traceback, never
    in the message we read), and the base class that defines it when `owner`'s own class does not (None)."""
    if owner is None or name not in NEAR_CHECKED:
        return None
    try:
        mro = type(owner).__mro__[:-1]
        found = {k: klass for klass in reversed(mro) for k in vars(klass) if isinstance(k, str)}
        found = {k: c for k, c in found.items() if k[:1] != "_" and k != name}  # a base's stub is not meant
        lowered = {k.lower(): k for k in sorted(found)}
        close = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.8)
        if not close:
            return None
        near = lowered[close[0]]
        where = found[near]
        base = None if where is mro[0] else type.__dict__["__name__"].__get__(where)
    except Exception:  # a class of the student's that breaks introspection: no suggestion, never a crash
        return None
    return near, base


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
    if e.attr_near and e.attr_owner and e.attr_name:  # the base class's stub ran: the work is misnamed
        return StudentFailure(
            "not_implemented",
            f"{context}: class {e.attr_owner} defines {e.attr_near}() but not {e.attr_name}(), so the "
            f"inherited one ran and raised {_raised(e)}{e.where()}: rename {e.attr_near} to "
            f"{e.attr_name}",
            e.detail,
        )
    return StudentFailure(
        "not_implemented", f"{context}: raised {_raised(e)}{e.where()}; is it still a TODO?", e.detail
    )


def _raised(e: ErrorInfo) -> str:
    """NotImplementedError, or the course's `raise NotImplemented` (_course_placeholder) said as such."""
    if e.description.startswith("TypeError"):
        return "the course's placeholder (raise NotImplemented, a TypeError in Python 3)"
    return "NotImplementedError"


# The methods every graded class must have: lacking one is work not done yet (an early lesson stage that
# stops at forward, a backward still to write), not a crash.
GRADED_METHODS = ("forward", "backward")
# Methods whose misspelling is named where it was written, the class or a base (DeZero's Variable.cleargrad
# spelt cleargrads in Variable and read off a Parameter: "'Parameter' object has no attribute 'cleargrad'",
# Python's words alone, pointed at neither Variable nor the typo; sample book_step46_cleargrad_plural/).
NEAR_CHECKED = (*GRADED_METHODS, "cleargrad", "cleargrads", "set_creator", "params", "update_one", "setup")


# What the book's Layer.cleargrads and Optimizer.update read off each object that params() yields: a
# Parameter's. Builtin types and DeZero's own Variable classes lacking them are another mistake (a None bias).
PARAMETER_ATTRIBUTES = ("cleargrad", "grad", "data")
_NOT_A_LAYER = PLAIN_TYPES | {"Variable", "Parameter", "weakref", "ReferenceType"}


def _params_yields_layer(e: ErrorInfo, context: str) -> StudentFailure | None:
    """DeZero's step-45 Layer registers Layers as well as Parameters, so a params() that yields
    `self.__dict__[name]` without recursing hands a Linear to `param.cleargrad()` or `p.grad`: Python's
    "'Linear' object has no attribute 'cleargrad'" names neither params() nor the missing recursion."""
    owner, frames = e.attr_owner, e.frames
    if e.attr_name not in PARAMETER_ATTRIBUTES or owner is None or owner in _NOT_A_LAYER or not frames:
        return None
    # A class of Python's or NumPy's (type, function, method, float64) is never a Layer: a dtype or an
    # activation function kept as an attribute is another mistake, and the recursion advice would mislead.
    if not owner[:1].isupper():
        return None
    if "param" not in frames[-1].source:  # not a loop over params(): some other object lacks .grad
        return None
    return StudentFailure(
        "exception",
        f"{context}: {e.description}{e.where()}: params() yielded a {owner} where a Parameter belongs; when "
        f"an attribute of a Layer is itself a Layer (the Linear layers of an MLP), Layer.params must recurse "
        "into it: `if isinstance(obj, Layer): yield from obj.params()` (step 45)",
        e.detail,
    )


# A weak reference stands where the object belongs (a `self.creator = weakref.ref(func)`): "class
# ReferenceType has no backward() method; write ReferenceType.backward" sent the student to write a method
# on Python's class. Python's words and the weakref clause (python_errors) are said instead.
_WEAK_REFERENCES = frozenset({"ReferenceType", "weakref", "weakref.ReferenceType", "KeyedRef", "WeakMethod"})


def _attribute(e: ErrorInfo, context: str) -> StudentFailure:
    if e.attr_name not in GRADED_METHODS or e.attr_owner is None or e.attr_owner in _WEAK_REFERENCES:
        return _params_yields_layer(e, context) or _generic(e, context)
    cls = e.attr_owner
    if e.attr_near:  # `def backwards`: the work is there under another name
        where = f" its base class {e.attr_near_in}" if e.attr_near_in else ""
        return StudentFailure(
            "not_implemented",
            f"{context}: class {cls} has no {e.attr_name}() method but{where} defines {e.attr_near}(): "
            f"rename it {e.attr_name}",
            e.detail,
        )
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


def _debugger_quit(e: ErrorInfo, context: str) -> StudentFailure:
    """A breakpoint() or pdb.set_trace() left in: the debugger stopped, read no command (no one types while
    grading) and quit the run by raising BdbQuit, which alone told the student nothing (review of s23-hunt:
    `BdbQuit (miniflow.py line 143, in Sigmoid.backward)`, 15 / 43 for a correct file)."""
    return StudentFailure(
        "exception",
        f"{context}: a breakpoint() or pdb.set_trace() stopped the run{e.where()}: the debugger waited for "
        "a command, no one types while grading, so it quit (BdbQuit); remove the breakpoint from the graded "
        "code",
        e.detail,
    )


def _no_input(e: ErrorInfo, context: str) -> StudentFailure:
    return StudentFailure(
        "exception",
        f"{context}: input() found nothing to read (EOFError){e.where()}: no one types while grading; put "
        'code that asks for input under `if __name__ == "__main__":`',
        e.detail,
    )


# A name the book's code imports, as it imports it: `np` undefined is a forgotten `import numpy as np`, and
# Python's "name 'np' is not defined" does not say so.
IMPORTS = {
    "np": "import numpy as np",
    "numpy": "import numpy",
    "OrderedDict": "from collections import OrderedDict",
    "weakref": "import weakref",
    "contextlib": "import contextlib",
    "heapq": "import heapq",
    "math": "import math",
    "sys": "import sys",
    "os": "import os",
    "reduce": "from functools import reduce",  # a builtin of Python 2, where MiniFlow-era code was written
}
# Builtins of Python 2 that Python 3 renamed: code of the course's years (`for i in xrange(...)`) raises
# NameError, whose words do not say the code is Python 2.
PYTHON2_NAMES = {
    "xrange": "range",
    "raw_input": "input",
    "unicode": "str",
    "basestring": "str",
    "long": "int",
    "unichr": "chr",
}
_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined")
# The helpers of Deep Learning from Scratch's common/ package, where the book defines them. Its layer files
# take them by star import (`from common.functions import *`), which brings only what the imported file
# defines: a student's own common/functions.py of chapter 3 (no cross_entropy_error) makes SoftmaxWithLoss
# raise NameError, and Python's words name neither the import nor the file (s21-real).
BOOK_HELPERS = {
    **dict.fromkeys(
        (
            "identity_function",
            "step_function",
            "sigmoid_grad",
            "relu_grad",
            "cross_entropy_error",
            "softmax_loss",
        ),
        "common/functions.py",
    ),
    "numerical_gradient": "common/gradient.py",
    **dict.fromkeys(
        ("im2col", "col2im", "conv_output_size", "smooth_curve", "shuffle_dataset"), "common/util.py"
    ),
}
# Names other courses use too (DeZero's sigmoid, softmax): the book's only in a file of its layout.
BOOK_HELPERS_IN_LAYOUT = dict.fromkeys(
    ("sigmoid", "softmax", "relu", "mean_squared_error"), "common/functions.py"
)
_BOOK_LAYOUT = re.compile(r"^(common|ch0[1-8])/")


def _book_helper(name: str, frames: Sequence[Frame]) -> str | None:
    """The file of the book's common/ package that defines `name`, a name this code used undefined."""
    if name in BOOK_HELPERS:
        return BOOK_HELPERS[name]
    if name in BOOK_HELPERS_IN_LAYOUT and any(_BOOK_LAYOUT.match(f.path) for f in frames):
        return BOOK_HELPERS_IN_LAYOUT[name]
    return None


def _undefined_name(e: ErrorInfo, context: str, *, book: bool = True) -> StudentFailure:
    """`book`: the assignment grades the book's layers (its common/ package is what the code imports)."""
    found = _UNDEFINED.match(e.description)
    name = found.group(1) if found else ""
    if name in PYTHON2_NAMES:
        return StudentFailure(
            "exception",
            f"{context}: {e.description}{e.where()}: {name} is Python 2's name; Python 3 spells it "
            f"{PYTHON2_NAMES[name]} (this grader runs Python 3)",
            e.detail,
        )
    home = _book_helper(name, e.frames) if book else None
    if home is not None:
        module = home.removesuffix(".py").replace("/", ".")
        return StudentFailure(
            "exception",
            f"{context}: {e.description}{e.where()}: {name} is a helper of the book's {home}: import it "
            f"in this file (`from {module} import {name}`) or define it; a star import brings only what the "
            f"imported file defines, so a {home} of your own must define it too",
            e.detail,
        )
    statement = IMPORTS.get(name)
    if statement is None:
        return _generic(e, context)
    return StudentFailure(
        "exception",
        f"{context}: {e.description}{e.where()}: add `{statement}` at the top of the file (a notebook: in "
        "its first cell)",
        e.detail,
    )


# `v -= self.lr * param.grad.data`: the array an in-place operation changes, before its operator.
_INPLACE_TARGET = re.compile(r"^\s*([\w.\[\]'\"()]+)\s*(?:\+|-|\*|/|//|\*\*)=")


# The shapes of NumPy's message, `(3,)`, `(100,1)` (their dimension counts are compared).
_SHAPE = re.compile(r"\((\d+(?:,\s*\d+)*,?)\)")


def _optimizer_state_clause(e: ErrorInfo, numpy_clause: str | None) -> str | None:
    """An optimizer's update_one (DeZero's MomentumSGD, AdaGrad, Adam) keeps one state array per parameter,
    found by a key. NumPy's shape error on a line of update_one that changes such a state with the gradient
    says nothing of keys: a key two parameters share (param.name, 'W' in every Linear layer of an MLP) hands
    one parameter the state made for another. A line changing param.data itself is not about state."""
    if numpy_clause is None or not e.frames:
        return None
    frame = e.frames[-1]
    target = _INPLACE_TARGET.match(frame.source)
    if _method(frame.function) != "update_one" or "grad" not in frame.source or target is None:
        return None
    if target.group(1).startswith("param") or target.group(1).endswith(".data"):
        return None  # the parameter itself (`p.data -= ...`), whatever the update's parameter is called
    shapes = [m.count(",") + (0 if m.rstrip().endswith(",") else 1) for m in _SHAPE.findall(e.description)]
    if len(set(shapes)) > 1:
        return None  # one more axis: a gradient of one row per sample (NumPy's clause says so), not a key
    return (
        f"{target.group(1)}, the state update_one keeps per parameter, and this parameter's gradient differ "
        "in shape: a state made for another parameter? a key two parameters share (param.name: 'W' in every "
        "Linear) mixes their states: key it by id(param) (step 46)"
    )


# "'<' not supported between instances of 'Square' and 'Square'", on a line that pushes, pops or sorts.
_NO_ORDER = re.compile(r"^TypeError: '[<>]=?' not supported between instances of '(\w+)' and '(\w+)'")
_QUEUE_CALL = re.compile(r"\b(heappush|heappop|heapify|heappushpop|heapreplace|put|sorted|sort|insort)\s*\(")
_HEAP_CALLS = frozenset({"heappush", "heappop", "heapify", "heappushpop", "heapreplace", "put"})
# Python's own types are no tie of two objects (a None generation compared with an int, a str with an int),
# except a function or a method: that is an object a queue holds (micrograd's `v._backward` closures pushed
# as (-generation, fn)), and two of them tied have no order as two Squares have none.
_QUEUED_PLAIN = frozenset({"function", "method", "builtin_function_or_method"})
_NOT_QUEUED = PLAIN_TYPES - _QUEUED_PLAIN


def _queue_tie_clause(e: ErrorInfo) -> str | None:
    """A heap or a sort of tuples `(-f.generation, f)` (DeZero's backward queue; any course's priority
    queue) compares the objects themselves when the first items tie (two functions of one generation: the
    diamond's two Squares), and a class without `__lt__` has no order. Python's TypeError names the two
    classes, not the tie; the line of the student's that pushed or sorted says which tool compared them.
    Not for Python's own types (a generation left None compared with an int is another mistake), and a sort
    is told both readings (it may sort the objects themselves: MiniFlow's `sorted(feed_dict.keys())`)."""
    found = _NO_ORDER.match(e.description)
    call = _QUEUE_CALL.search(e.frames[-1].source) if found and e.frames else None
    if found is None or call is None or _NOT_QUEUED & set(found.groups()):
        return None
    left, right = found.groups()
    objects = f"two {left} objects" if left == right else f"{left} and {right} objects"
    if call.group(1) not in _HEAP_CALLS:
        return (
            f"{call.group(1)} compared {objects}, and a class without __lt__ has no order: sort by a key "
            "(key=lambda f: f.generation), or, if it sorts tuples (generation, f), their first items were "
            "equal (two functions of one generation?): put next(counter) between them "
            "(counter = itertools.count())"
        )
    return (
        f"{call.group(1)} compared {objects}: the items before them in the tuples were equal (two functions "
        "of one generation?) and a class without __lt__ has no order; push (-f.generation, next(counter), f) "
        "with counter = itertools.count(), or define __lt__"
    )


# Variable(<bound method>): a method read as a value, most often a property written without @property (step
# 38's `def T(self)`, read as `W.T` in MatMul.backward: sample dezero/book_step41_t_not_property/).
_METHOD_REFUSED = re.compile(r"^TypeError: .*<class '(method|function|builtin_function_or_method)'>")
_DOT_T = re.compile(r"\b\w+\.T\b(?!\s*\()")


def _method_refused_clause(e: ErrorInfo) -> str | None:
    if _METHOD_REFUSED.search(e.description) is None or not e.frames:
        return None
    if not e.frames[-1].function.endswith("__init__"):
        return None
    head = (
        "a method, not a value, reached the constructor: an attribute read without calling it, as a property "
        "written without @property above its def"
    )
    uses_t = any(_DOT_T.search(f.source) for f in e.frames[:-1])
    return f"{head} (x.T reads step 38's @property def T(self))" if uses_t else head


# Variable(<a Variable>): the class's own __init__ refusing an instance of itself (step 9's type check).
_OWN_CLASS_REFUSED = re.compile(r"^TypeError: .*<class '(?:[\w.]*\.)?(\w+)'>")
# A comprehension or generator runs in a frame of its own up to Python 3.11, named after the function that
# holds it (`Function.__call__.<locals>.<listcomp>`; 3.12 inlines comprehensions): read as that function.
_COMPREHENSION = re.compile(r"(?:\.<locals>\.<(?:listcomp|setcomp|dictcomp|genexpr)>)+$")
# A line of __call__ that wraps what forward returned (the book's `outputs = [Variable(as_array(y)) for y in
# ys]`, `Variable(self.forward(*xs))`), not its inputs (`inputs = [Variable(x) for x in inputs]`, where
# as_variable is the fix).
_OUTPUT_WORDS = re.compile(r"\b(?:outputs?|ys?\d?)\b|\bforward\(")
_INPUT_WORDS = re.compile(r"\b(?:inputs?|xs?\d?)\b")
# `Cos()(x)`: the Function a helper calls, read from the line that called Function.__call__.
_CALLED_FUNCTION = re.compile(r"\b([A-Z]\w*)\(\)\(")
_APPLIED = re.compile(r"^(\w+) applied to ")


def _enclosing(qualname: str) -> str:
    return _COMPREHENSION.sub("", qualname)


def _forward_named(frames: Sequence[Frame], call: str, context: str) -> str:
    """Whose forward returned what `call` (Function.__call__) wrapped: the Function the line that called
    __call__ names (`return Cos()(x)` in the helper cos), else the case's own apply step ("Mul applied to
    x0, x1"); a unit case's call is the grader's, not a student frame."""
    at = len(frames)
    while at and _enclosing(frames[at - 1].function) == call:
        at -= 1  # the innermost __call__ and its comprehension's frame
    called = _CALLED_FUNCTION.search(frames[at - 1].source) if at else None
    applied = _APPLIED.match(context)
    name = called.group(1) if called else applied.group(1) if applied else ""
    if not name:
        return "a Function's forward"
    return f"{name}.forward" if name[:1].isupper() else f"the forward of the Function {name}() applies"


def _own_class_refused_clause(e: ErrorInfo, context: str) -> str | None:
    """`Variable(v)` where v is a Variable already, refused by step 9's type check. From a backward
    (sample dezero/book_step35_grad_wrapped_type_check/: `x.grad = Variable(gx)` from step 32 on): keep gx as
    it is. From Function.__call__, whose book line wraps what forward returned, that line is right: the
    forward returned a Variable (`return Variable(y)`, or cos written as sin(x + np.pi / 2) with the
    student's own sin, which returns one). The student's own TypeError named the constructor only."""
    found = _OWN_CLASS_REFUSED.search(e.description)
    if found is None or len(e.frames) < 2:
        return None
    owner, _, method = e.frames[-1].function.rpartition(".")
    if method != "__init__" or owner.rpartition(".")[2] != found.group(1):
        return None
    caller = e.frames[-2]
    name = _enclosing(caller.function)
    line = f"{name} (line {caller.line}: `{caller.source.strip()}`)"
    head = f"a {owner} reached {owner}(), which takes an ndarray"
    if (
        _method(name) == "__call__"
        and _OUTPUT_WORDS.search(caller.source)
        and not (_INPUT_WORDS.search(caller.source) and "forward(" not in caller.source)
    ):
        forward = _forward_named(e.frames[:-1], name, context)
        return (
            f"{head}: {forward} returned a {owner}, and {line} wraps it again: a forward takes and returns "
            f"ndarrays (np.sin(x), not your sin(x); return y, not {owner}(y))"
        )
    head = f"{head}: {line} wraps a value that is a {owner} already"
    if _method(name) != "backward":
        return f"{head}: wrap an ndarray only, or use as_variable(obj) where it may be either"
    keep = "x.grad = gx" if name.rpartition(".")[0] == owner else "return gy * ..., not Variable(gy * ...)"
    return (
        f"{head}. From step 32 the gradients and what each backward returns are {owner}s: keep them as they "
        f"are ({keep}), or use as_variable(obj) where it may be either"
    )


def _ufunc_variable_clause(e: ErrorInfo) -> str | None:
    """np.cos(x) with x a Variable, raised in a Function's backward (sample book_step35_sin_np_cos/): what to
    write there. A backward of step 32 on computes with Variables (x, = self.inputs) and must call the
    student's own cos(x) to record the graph a second backward needs; one of step 18 computes on arrays and
    wants x.data (review sample exp_backward_no_data.py). The stage is not known where the message is
    worded, so both are said, each with its step. Raised anywhere else (a Function.__call__ passing Variables
    to forward: fwd_variables.py) neither is the fix: NumPy's head alone (python_errors)."""
    found = python_errors.UFUNC_ON_OBJECT.search(e.description)
    if found is None or found.group(1) != "Variable" or not e.frames:
        return None
    if not e.frames[-1].function.endswith(".backward"):
        return None
    name = found.group(2)
    return (
        f"np.{name}() got a Variable, not an ndarray: NumPy's functions compute on arrays only. A backward "
        f"written with Variables (x, = self.inputs, from step 32) must call your own {name}(x) "
        f"(dezero.functions.{name}), which records the graph a second backward needs; np.{name}(x.data) "
        f"would compute the value but drop that graph. Before step 32 a backward computes on arrays: "
        f"np.{name}(x.data), as the book's x = self.inputs[0].data"
    )


# Which of a Function's lists a weak reference came from, read from the line that met it: the book's names for
# inputs (x, x0, x1, inputs) and for outputs (y, output, outputs). `if x.grad is None` in Variable.backward
# or `gy * x1` in Mul.backward met a weak input (review sample weak_inputs/: self.inputs =
# [weakref.ref(x) ...]), where the clause named the outputs.
_INPUT_NAMES = re.compile(r"\b(?:inputs?|x\d?)\b")
_OUTPUT_NAMES = re.compile(r"\b(?:outputs?|y\d?)\b")


def _weak_input_clause(e: ErrorInfo) -> str | None:
    """A weak reference met where the line reads an input: Function.__call__ keeps its inputs weak (only
    its outputs should be, step 17). A line that reads only outputs keeps python_errors' clause (call the
    reference: y = self.outputs[0]()); one that reads both, or neither, is told both."""
    operand = python_errors.WEAKREF_OPERAND.search(e.description)
    if operand is not None and any(t.startswith("weakref") for t in operand.groups()[1:]):
        what = f"the operator {operand.group(1).strip()} got a weak reference"
    else:
        attribute = python_errors.WEAKREF_ATTRIBUTE.search(e.description)
        if attribute is None or attribute.group(1) in python_errors.FUNCTION_ATTRIBUTES:
            return None
        what = f"a weak reference has no {attribute.group(1)}"
    source = e.frames[-1].source if e.frames else ""
    inputs, outputs = bool(_INPUT_NAMES.search(source)), bool(_OUTPUT_NAMES.search(source))
    if outputs and not inputs:
        return None
    if inputs and not outputs:
        return (
            f"{what}, not the Variable it points to, on a line that reads a function's input: your "
            "Function.__call__ keeps its inputs as weak references; only its outputs are weak (step 17, "
            "weakref.ref(output)): keep self.inputs = inputs"
        )
    return (
        f"{what}, not the Variable it points to: only a Function's outputs are weak (step 17), so call one "
        "to reach its Variable (y = self.outputs[0]()), and keep its inputs strong (self.inputs = inputs)"
    )


def _setattr_clause(e: ErrorInfo) -> str | None:
    """An attribute missing where a class's own `__setattr__` reads it (DeZero step 44's Layer: `self._params.
    add(name)`). Every `self.name = value` goes through that method, `__init__`'s too: the attribute is
    missing when the subclass's `__init__` skipped `super().__init__()` (which sets it) or when `__setattr__`
    never stores what it is given (no `super().__setattr__(name, value)`). Python's words name neither
    (sample submissions/dezero/book_step44_linear_no_super_init/)."""
    if "AttributeError" not in e.kinds or not e.frames or not e.attr_name or not e.attr_owner:
        return None
    setter, _, method = e.frames[-1].function.rpartition(".")
    if method != "__setattr__" or not setter or "<" in setter:
        return None
    owner, attr = e.attr_owner, e.attr_name
    # The object lacking it is self, read as self.attr on the line, and an instance of the student's class:
    # `self._params.append(name)` on a set lacks `append`, a list's method, not an attribute __init__ sets
    # (review sample l44_append/).
    if isinstance(getattr(builtins, owner, None), type) or not re.search(
        rf"\bself\.{re.escape(attr)}\b", e.frames[-1].source
    ):
        return None
    return (
        f"{setter}.__setattr__ runs for every self.name = value, and read self.{attr}, which this {owner} "
        f"does not have: either {owner}.__init__ does not call super().__init__() first (where self.{attr} "
        f"is set), or {setter}.__setattr__ never stores what it is given: it must end with "
        "super().__setattr__(name, value) (step 44)"
    )


def _scalar_refused_clause(e: ErrorInfo) -> str | None:
    """DeZero's Variable refusing the NumPy scalar a 0-d forward returns (grader/inside/scalar_refused.py)."""
    return scalar_refused.clause(e.description, [(f.function, f.source) for f in e.frames])


_MATH_CALL = re.compile(r"\bmath\.(\w+)\(")
# math's functions numpy has no function of that name for (numpy 2.x): "use np.erf" named nothing
_MATH_ONLY = frozenset(
    ("comb", "dist", "erf", "erfc", "factorial", "fsum", "gamma", "isqrt", "lgamma", "perm", "ulp")
)


def _math_on_array_clause(e: ErrorInfo) -> str | None:
    """`math.exp(-x)` on an array (a sigmoid written from the formula): "only 0-dimensional arrays can be
    converted to Python scalars" ("length-1" before NumPy 2) named neither math nor np (real-file sweep,
    s26-realmf, sample submissions/miniflow/sigmoid_math_exp.py)."""
    if "converted to Python scalars" not in e.description or not e.frames:
        return None
    found = _MATH_CALL.search(e.frames[-1].source or "")
    if found is None:
        return None
    name = found.group(1)
    if name in _MATH_ONLY:
        return (
            f"math.{name} takes one number and got an array, and numpy has no {name}: apply it to each "
            f"element (np.vectorize(math.{name})) or write it with numpy's own functions"
        )
    return (
        f"math.{name} takes one number and got an array: use np.{name}, which computes element by element "
        "on a whole array"
    )


# Clauses about one family's own classes, said to that family's students only: DeZero's Variable refusing a
# Variable is step 9's check meeting a value wrapped twice; a MiniFlow Linear(...) refusing a Linear is not
# (review of s22-real2, finding 3). The family is the adapter's (`family`), passed down by the harness.
FAMILY_CLAUSES: Mapping[str, tuple[Callable[[ErrorInfo, str], str | None], ...]] = {
    "dezero": (_own_class_refused_clause,),
}


# The class where the book defines each of its two near spellings: one defined there is right as written.
_BOOK_HOMES: Mapping[str, tuple[str, ...]] = {"cleargrad": ("Variable",), "cleargrads": ("Layer",)}


def _misspelt_method_clause(e: ErrorInfo) -> str | None:
    """A method the code reads (cleargrad) that the object's class, or a base it inherits from, spells
    otherwise (cleargrads): the typo is where that class is written, a base class more often than not."""
    if not (e.attr_near and e.attr_name and e.attr_owner) or e.attr_name in GRADED_METHODS:
        return None
    if (e.attr_near_in or e.attr_owner) in _BOOK_HOMES.get(e.attr_near, ()):
        # Variable.cleargrad, Layer.cleargrads: the definition is the book's, so the call is the typo (a
        # Layer.cleargrads calling `param.cleargrads()` was told to rename Variable.cleargrad, which would
        # break every Variable case that passed; review of s27-realdz, finding 1)
        held = f"inherits {e.attr_near} from {e.attr_near_in}" if e.attr_near_in else f"defines {e.attr_near}"
        return (
            f"{e.attr_owner} {held}, the book's name, not {e.attr_name}: the call is misspelt, "
            f"call {e.attr_near}() there"
        )
    if e.attr_near_in:
        return (
            f"{e.attr_owner} inherits from {e.attr_near_in}, which defines {e.attr_near}, not {e.attr_name}: "
            f"rename {e.attr_near_in}.{e.attr_near} to {e.attr_name}"
        )
    return f"{e.attr_owner} defines {e.attr_near}, not {e.attr_name}: rename it {e.attr_name}"


def _own_division(frames: Sequence[Frame]) -> str | None:
    """The failing line, when it divides, written with `//` (a Python 2 size's fix shown on the student's
    code; an outer frame's division may be another, right one), or None."""
    return py2_errors.floored(frames[-1].source, bracketed=True) if frames else None


def _generic(e: ErrorInfo, context: str, family: str = "") -> StudentFailure:
    # NumPy's shape words, a Python 2 habit (`feed_dict.keys()` used as a list), or a decorator forgotten
    # (`with` on a generator), said as a likely mistake
    # a forward a backward called (DeZero's MatMul.backward computing matmul(gy, W.T)) computes a gradient
    forward = bool(e.frames) and _method(e.frames[-1].function) in ("forward", "predict")
    forward = forward and backward_caller(e.frames) is None
    line = (e.frames[-1].source or "") if e.frames else ""
    numpy_clause = numpy_errors.explain(e.description, forward=forward, source=line)
    clause = numpy_clause or _ufunc_variable_clause(e) or _weak_input_clause(e)
    clause = clause or py2_errors.explain(e.description, _own_division(e.frames), family)
    clause = clause or python_errors.explain(e.description)
    clause = clause or refused_calls.explain(e.description, line)
    clause = clause or _queue_tie_clause(e) or _scalar_refused_clause(e) or _setattr_clause(e)
    clause = clause or _math_on_array_clause(e)
    clause = clause or _method_refused_clause(e) or _misspelt_method_clause(e)
    for family_clause in FAMILY_CLAUSES.get(family, ()):
        clause = clause or family_clause(e, context)
    # said instead of NumPy's guess (a sum over the wrong axis?), which is about gradients, not this state
    clause = _optimizer_state_clause(e, numpy_clause) or clause
    tail = f"; {clause}" if clause else ""
    return StudentFailure("exception", f"{context}: {e.description}{e.where()}{tail}", e.detail)


# Checked in order (first kind the exception has wins): subclasses before their bases.
CLASSIFIERS: tuple[tuple[str, Callable[[ErrorInfo, str], StudentFailure]], ...] = (
    ("MemoryError", _memory),
    ("RecursionError", _recursion),
    ("NotImplementedError", _not_implemented),
    ("AttributeError", _attribute),
    ("ForbiddenImport", _forbidden),
    ("SystemExit", _exit),
    ("EOFError", _no_input),
    (DEBUGGER_QUIT, _debugger_quit),
    ("NameError", _undefined_name),
)


def from_error(
    info: ErrorInfo, context: str, *, book_helpers: bool = True, family: str = ""
) -> StudentFailure:
    """The failure for an error the student's code raised while doing `context`. `book_helpers`: a name
    left undefined may be a helper of Deep Learning from Scratch's common/ package (`BOOK_HELPERS`); False
    for the families that have none (a MiniFlow file told `from common.gradient import numerical_gradient`,
    a DeZero dezero/functions_conv.py told common.util: review of s21-real). `family`: the adapter's, whose
    own clauses (`FAMILY_CLAUSES`) may be said; none when not known."""
    failure = _classified(info, context, book_helpers=book_helpers, family=family)
    failure.raised = raised_in(failure.message, info)
    notes = [n for n in (note(info) for note in FAMILY_NOTES.get(family, ())) if n]
    if not notes:
        return failure
    return StudentFailure(
        failure.code, f"{failure.message}; {'; '.join(notes)}", failure.detail, failure.raised
    )


def raised_in(message: str, info: ErrorInfo) -> Raised | None:
    """The exception `info` describes, when `message` states it as the classifiers word it ("ValueError:
    ... (nn.py line 110, in Linear.backward: ...)"); its type alone when the message names it but its frame
    no longer (a message cut at its cap, an adapter's rewording); else None: what the blame may say of it."""
    if f"{info.description}{info.where()}" in message:
        return Raised.of(info)
    return _type_named(message, info.type)


def _type_named(message: str, kind: str) -> Raised | None:
    """Raised(kind) when the message names the exception as Python does ("IndexError: ..."), else None."""
    return Raised(kind) if kind and f"{kind}: " in message else None


_LOAD_HEAD = re.compile(rf"{re.escape(contexts.LOADING)}: ([A-Za-z_][A-Za-z0-9_]{{0,99}}): ")


def load_raised(failure: StudentFailure) -> Raised | None:
    """The type of the exception a failed load states, as the student's process words it at the message's
    head ("loading the submission: LookupError: ..."), before any of the exception's own text: the type
    alone, since that process wrote the whole message (its place is never taken from it). Without it the
    blame said "did not finish" of a load that raised (hostile/coding_cookie_binary_codec.py: "raised
    LookupError" on e2acc1f2; review of s31-trust)."""
    if failure.code != "exception" or (head := _LOAD_HEAD.match(failure.message)) is None:
        return None
    return Raised(head.group(1))


def raised_of(failure: StudentFailure, cause: BaseException | None) -> Raised | None:
    """The exception a case's final failure states: its own fields, else those of the failure it was worded
    from (an adapter's rewording, raised while handling it: `cause` and its chain) when the final message
    still states that one; None otherwise."""
    if failure.raised is not None:
        return failure.raised
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, StudentFailure):
            info = getattr(cause, "info", None)  # a RemoteFailure: what the student's process said
            if cause.raised is not None:
                if cause.message in failure.message:
                    return cause.raised
                if (named := _type_named(failure.message, cause.raised.type)) is not None:
                    return named
            if isinstance(info, ErrorInfo) and (found := raised_in(failure.message, info)) is not None:
                return found
        cause = cause.__cause__ or cause.__context__
    return None


def _classified(info: ErrorInfo, context: str, *, book_helpers: bool, family: str) -> StudentFailure:
    for kind, build in CLASSIFIERS:
        if kind in info.kinds:
            if kind == "NameError" and not book_helpers:
                return _undefined_name(info, context, book=False)
            return build(info, context)
    return _generic(info, context, family)


def _unfed_in_init_note(e: ErrorInfo) -> str | None:
    """An exception on None raised in an op's __init__ (`np.zeros((X.value.shape[0], ...))` preallocating
    from its inputs): MiniFlow builds the graph before feed_dict, at every stage, so no Input has a value
    yet; the error alone reads as the grader's fault (review of s24-fixmut, lin_init_shape.py)."""
    if "NoneType" not in e.description or not any(_method(f.function) == "__init__" for f in e.frames):
        return None
    return (
        "the graph is built before feed_dict: an Input's value is None until topological_sort feeds it, "
        "so __init__ cannot read its inputs' values (compute them in forward)"
    )


_GY = re.compile(r"\bgys?\b")


def _none_upstream_note(e: ErrorInfo) -> str | None:
    """A DeZero Function's backward failing on None in a line that reads gy: Variable.backward hands each
    function the gradient its output got, None when the backward of a function applied after it returned
    None (an Add.backward computing `gx0, gx1 = gy, gy` and no `return`). "unsupported operand type(s) for
    *: 'NoneType' and 'float' (in Mul.backward ...)" blamed a right Mul.backward and said nothing of why.
    Only where that backward's gy really was None (`ErrorInfo.gy_none`): a None `self.x` beside gy is the
    function's own fault, and a unit case hands it a real gy."""
    if not e.gy_none or "NoneType" not in e.description or not e.frames:
        return None
    last = e.frames[-1]
    owner, _, method = last.function.rpartition(".")
    if owner == "Variable" and method == "backward" and _GX.search(last.source) is not None:
        return _none_gx_note(e.backward_of)
    if method != "backward" or owner in ("", "Variable") or _GY.search(last.source) is None:
        return None
    return (
        f"if gy is None here, {owner}.backward is not at fault: gy is the gradient its output got, None when "
        "nothing set it (Variable.backward's seed, np.ones_like(self.data), or the backward of a function "
        "applied after it, returning None: a `return` missing?) or, from step 18 on, when Variable.backward "
        "cleared it first (retain_grad=False clears a function's outputs' grads once its backward ran, never "
        "its inputs')"
    )  # "from step 18 on": steps 7 to 17 have no retain_grad; kept short, as the message is cut at 600
    # characters (a longer file name cut the clause "never those of its inputs": review of s26-realdz,
    # finding 4)


_GX = re.compile(r"\bgx\b")


def _none_gx_note(function: str | None) -> str:
    """Variable.backward adding a None gx into x.grad, when the gys it handed the function held None: an
    Add.backward passes its gy on as it got it, so the None came from the output's grad, and the student read
    Python's "unsupported operand type(s) for +: 'float' and 'NoneType'" alone (sample
    step18_retain_clears_inputs.py, its Add cases). `function`: the class of the function whose backward
    handed the None on (it said "Add.backward" whichever it was: tests/inside/test_failures.py)."""
    passed = f"{function}.backward passed gy on" if function else "its backward passed gy on"
    return (
        f"gx is None: gys, the grads of the function's outputs, held None ({passed}): "
        "nothing set that grad (the seed, or a later backward with no `return`?) or, from step 18 on, "
        "Variable.backward cleared it first (retain_grad=False clears a function's outputs' grads once its "
        "backward ran, never its inputs')"
    )


# Notes added to any failure of one family, whatever its kind (an AttributeError as much as a TypeError).
def _no_gradients_dict_note(e: ErrorInfo) -> str | None:
    """A MiniFlow node with no `gradients` at all when a backward writes or reads it: Node.__init__ never made
    the dict (MSE.backward only fills it; Python's "'MSE' object has no attribute 'gradients'" names no
    missing line: session 27's open point 2)."""
    if "AttributeError" not in e.kinds or e.attr_name != "gradients" or _not_a_node(e):
        return None
    return (
        f"{e.attr_owner or 'the node'} has no gradients dict: set self.gradients = {{}} in Node.__init__ "
        "(a backward that starts afresh sets its own: self.gradients = {n: np.zeros_like(n.value) for n in "
        "self.inbound_nodes})"
    )


_NUMPY_SCALAR = re.compile(r"(u?int|float|complex|bool|str|bytes|void|object)(\d+)?_?")


def _not_a_node(e: ErrorInfo) -> bool:
    """Whether an AttributeError's object is of a type no student wrote (Python's or numpy's, or None: its
    AttributeError keeps no object)."""
    owner = e.attr_owner
    if owner is None:
        return "'NoneType' object" in e.description
    return owner in PLAIN_TYPES or _NUMPY_SCALAR.fullmatch(owner) is not None


_SELF_READ = re.compile(r"\bself\.(\w+)\.(\w+)")


def _not_kept_note(e: ErrorInfo) -> str | None:
    """A DLFS layer's backward reading what its forward should have kept, still the None of its __init__
    (`self.dW = np.dot(self.x.T, dout)` where forward used a local x and never set self.x: "'NoneType' object
    has no attribute 'T'" named neither the attribute nor the forward that leaves it None; s32)."""
    if "AttributeError" not in e.kinds or "'NoneType' object" not in e.description or not e.frames:
        return None
    last = e.frames[-1]
    owner, _, method = last.function.rpartition(".")
    if method != "backward" or not owner:
        return None
    read = next((m.group(1) for m in _SELF_READ.finditer(last.source) if m.group(2) == e.attr_name), None)
    if read is None:
        return None
    return (
        f"self.{read} is None in {owner}.backward: {owner}.forward never kept it, or never ran before this "
        f"backward (the book's forward sets self.{read} for backward to read, not a local variable of the "
        "same name)"
    )


FAMILY_NOTES: Mapping[str, tuple[Callable[[ErrorInfo], str | None], ...]] = {
    "miniflow": (_unfed_in_init_note, _no_gradients_dict_note),
    "dezero": (_none_upstream_note,),
    "layers": (_not_kept_note,),
}


def from_exception(exc: BaseException, context: str, root: str, family: str = "") -> StudentFailure:
    """The failure for an exception raised by student code while doing `context` (in this process)."""
    if isinstance(exc, StudentFailure):
        return exc
    return from_error(error_info(exc, root), context, family=family)
