"""The harness's side of the boundary: handles to the student's objects and pipelined operations on them.

Operations that yield an object (a call, an attribute, an item) are queued and answered with a `Ref` at once;
the queue goes to the student's process in one message when the harness needs an answer (a description, a
value as numbers, a yes/no), so a case costs a few round trips, not one per operation. Every operation
remembers the step it belongs to: an error is reported in the words of that step even when it surfaces at a
later round trip. Everything the student's process answers is checked for shape and treated as its claim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import codec, contexts, wire
from .failures import ErrorInfo, MalformedReply, StudentFailure, check_keys, clean_text, from_error

# The largest honest reply: a batch's arrays (several: a TwoLayerNet's four gradients, a case's records) go
# into the job's frames, which the parent caps at FrameLimits.max_total_bytes (grader/sandbox/caps.py, held
# equal by tests/sandbox/test_caps.py); a reply larger than all of them could never be graded. With room for
# the descriptions of a batch. Anything bigger is the student's doing, and refusing it unread keeps the
# harness from spending the student's time (and the job's) parsing it. One record holds at most
# MAX_ELEMENTS (FrameLimits.max_elements).
MAX_ELEMENTS = 1_000_000
MAX_FRAMES_BYTES = 32 << 20
MAX_REPLY_BYTES = MAX_FRAMES_BYTES + (1 << 20)
# Each kind the server describes (server.Server.answer) -> the fields its description has beside n, t and k:
# a description of another kind, or of a kind with another kind's fields (an "int" with a "len", an
# "ndarray" with a value), is none the server writes (review32: the object form took any kind with any of
# the fields, and its harness read the missing ones as absent).
_KIND_FIELDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("none", "missing", "scalar", "callable", "object"), frozenset()),
    **dict.fromkeys(("bool", "int", "float", "str"), frozenset({"v"})),
    "class": frozenset({"name"}),
    **dict.fromkeys(("list", "tuple", "dict"), frozenset({"len"})),
    "ndarray": frozenset({"shape", "dtype"}),
}
# The types of a value's field, by kind (a float's: a number, or the wire's form of nan and the infinities)
_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (float, dict),
    "str": (str,),
}
_REPLY_KEYS = frozenset({"res", "err"})
_ERR_KEYS = frozenset({"at", "failure", "error", "wire", "key"})
# The type of each field of a description, as the server writes it (None: "v", a value of its own kind).
_DESC_TYPES: dict[str, type | None] = {
    "n": str, "t": int, "k": str, "name": str, "dtype": str, "len": int, "shape": list, "v": None,
}  # fmt: skip
_DESC_KEYS = frozenset(_DESC_TYPES)
_LOAD_KEYS = frozenset(
    {"type", "modules", "found", "missing", "near", "notes", "warnings", "standins", "failure", "defined",
     "blocked", "reasons"}
)  # fmt: skip


_NO_DEFAULT = object()
_SETS = frozenset({"setattr", "setattrs"})  # what a queued `setattr` may join (Session.setattr)


class StudentProcessEnded(Exception):
    """The student's process closed the channel (it exited, crashed or was killed: `why` "eof"), answered
    with something unreadable, so that the channel cannot be trusted any more (`why` "broken"), or announced
    an answer larger than any gradable one (`why` "oversize", left unread): the phase is over."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class RemoteFailure(StudentFailure):
    """A student error raised by an operation; `key` is the handle of a KeyError's key, when there is one,
    and `info` what the student's process said about the exception (None for a failure it worded itself):
    an adapter may read where it was raised (DeZero's deliberate refusal of a float, adapters/dezero.py)."""

    def __init__(
        self, failure: StudentFailure, key: Ref | None = None, info: ErrorInfo | None = None
    ) -> None:
        super().__init__(failure.code, failure.message, failure.detail)
        self.key = key
        self.info = info


Transport = Callable[[bytes], bytes | None]  # one request out, one reply back (None: the channel closed)
# Two requests in one write: the first's reply now, the second's when asked (a transport's `pair`).
Pair = Callable[[bytes, bytes], tuple[bytes | None, Callable[[], bytes | None]]]
# The most a case's end and the next batch take together in one write: both must fit the socket's buffer
# at once (the process answers the first before it reads the second, and the harness reads no answer
# before its write returns), far under the 208 KiB a UNIX socket buffers by default.
PAIR_MAX_BYTES = 64 << 10
_SKIP_ANSWER = {"res": [], "err": {"at": 0, "wire": wire.SKIPPED}}


def _skipped(reply: bytes) -> bool:
    """Whether the answer is exactly the server's refusal of a batch sent behind an unfinished case."""
    if len(reply) > 200:  # the refusal is short: a longer answer is the batch's, read as such
        return False
    try:
        return bool(wire.loads(reply) == _SKIP_ANSWER)
    except (wire.WireError, ValueError):
        return False


@dataclass(frozen=True)
class Param:
    name: str
    kind: int  # inspect.Parameter kinds: 0 positional-only ... 4 var-keyword
    has_default: bool


@dataclass(frozen=True)
class ClassInfo:
    name: str
    own: tuple[str, ...]
    mro: tuple[Ref, ...]
    init: tuple[Param, ...] | None = None  # its __init__'s parameters (self first); None: Python cannot tell


class Pending:
    """A plain answer still to come: filled in when its batch is answered (reading it sends the batch)."""

    __slots__ = ("_session", "_set", "_value", "stopped")

    def __init__(self, session: Session) -> None:
        self._session = session
        self._set = False
        self._value: Any = None
        self.stopped = False  # its batch stopped at it (the error names it: a `gate_none` with `stop`)

    def fill(self, value: Any) -> None:
        self._value, self._set = value, True

    @property
    def done(self) -> bool:
        """Answered (False for an operation after the one that failed: it never ran)."""
        return self._set

    @property
    def value(self) -> Any:
        if not self._set:
            self._session.sync()
        return self._value


class Ref:
    """A handle to an object in the student's process, with its description once the batch is answered."""

    __slots__ = ("_desc", "id", "session")

    def __init__(self, session: Session, rid: int, desc: Mapping[str, Any] | None = None) -> None:
        self.session = session
        self.id = rid
        self._desc = desc

    @property
    def desc(self) -> Mapping[str, Any]:
        if self._desc is None:
            self.session.sync()
        assert self._desc is not None
        return self._desc

    @property
    def answered(self) -> bool:
        """Its batch has been answered up to it (False: an earlier operation failed, or not sent yet)."""
        return self._desc is not None

    @property
    def kind(self) -> str:
        desc = self._desc if self._desc is not None else self.desc  # read ~280 times a MiniFlow job
        return str(desc.get("k"))

    @property
    def missing(self) -> bool:
        desc = self._desc if self._desc is not None else self.desc
        return str(desc.get("k")) == "missing"

    @property
    def is_none(self) -> bool:
        return self.kind in ("none", "missing")

    @property
    def type_name(self) -> str:
        return str(self.desc.get("n", "?"))

    @property
    def type_id(self) -> int:
        tid = self.desc.get("t")
        return tid if isinstance(tid, int) else -1

    @property
    def length(self) -> int:
        n = self.desc.get("len")
        return n if isinstance(n, int) and n >= 0 else 0

    @property
    def shape(self) -> tuple[int, ...] | None:
        shape = self.desc.get("shape")
        if isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape):
            return tuple(shape)
        return None

    @property
    def class_name(self) -> str:
        return str(self.desc.get("name", "?"))

    def __repr__(self) -> str:
        return f"Ref({self.id}, {self._desc})"


MAX_DIMS = codec.MAX_DIMS  # a described shape with more could never be an array's


# The fields of most descriptions: an object's or a callable's (a type's name and index, a kind), and an
# array's (its shape and dtype too).
_OBJECT_DESC_KEYS = frozenset({"n", "t", "k"})
_ARRAY_DESC_KEYS = frozenset({"n", "t", "k", "shape", "dtype"})


def _is_index(tid: Any) -> bool:
    """A type's index as the server writes it: its place in the server's list of types (server._types), a
    count from 0. Another int (negative: -1 is `Ref.type_id`'s "none"; past `_MAX_INT`: thousands of digits
    kept by index for the life of the process) is no server's."""
    return type(tid) is int and 0 <= tid < _MAX_INT


def _is_shape(shape: list[Any]) -> bool:
    # A loop, not all() over a generator: ~330 shapes a MiniFlow job, the generator's frame was most of each
    if len(shape) > MAX_DIMS:
        return False
    for n in shape:  # noqa: SIM110 (the loop is the point: see above)
        if type(n) is not int or not 0 <= n < _MAX_INT:
            return False
    return True


_MAX_INT = wire.MAX_INT
_FLAT_KINDS = wire.FLAT_KINDS


# The longest type name the server writes (server._STR_CAP: clean_text caps a type's qualname so). The names
# kept by index live as long as the student process: a longer one is no server's (`_check_desc`).
MAX_TYPE_NAME = 200


def _check_desc(desc: Any, names: dict[int, str], keep: bool = True) -> Mapping[str, Any]:
    """A description with the server's fields of the server's types: a field of another type (a kind that
    is a list, a shape of 70 dimensions) would raise in the harness's code that reads it, a failure of the
    grader's in appearance, when it is the student's process that answered nonsense. `names`: the student
    process's type names by index, as its flat descriptions carried them, read for the forms without a name
    (`wire.FLAT_FIELDS` less the name); kept here (`keep`) from an operation's own answer alone, the only one
    the server sends later without its name (server.execute), and at most `MAX_TYPE_NAME` characters: kept
    from every description (an `iter` answer's items, a class's MRO) and of any length, 20 answers naming a
    new index in 1 MB and 20 `iter` answers of 10,000 new indexes held 82 MiB for the life of the process,
    every handle dropped. A type's index is a count from 0 (`_is_index`)."""
    # Hundreds a job: the two common forms come as flat lists (wire.FLAT_FIELDS), checked field by field and
    # made the object form the rest of the harness reads. An object of those fields (the server's form before
    # session 31) is still read, its fields' types checked the same way and its kind one whose description
    # has those fields alone (`_KIND_FIELDS`), as the list's.
    if type(desc) is list:
        size = len(desc)
        if size == 2 or size == 4:  # without the name: an index the process has named before, and no other
            name = names.get(desc[0]) if type(desc[0]) is int else None
            if name is None:
                raise MalformedReply("an object description names a type by an index it never named")
            desc = [name, *desc]
        elif size == 3 or size == 5:  # a name for the index: the one it had, if it had one
            name, tid = desc[0], desc[1]
            if type(name) is str and _is_index(tid):
                had = names.get(tid)
                if had is None and keep:
                    if len(name) > MAX_TYPE_NAME:
                        raise MalformedReply(f"a type's name of {len(name):,} characters")
                    names[tid] = name
                elif had is not None and had != name:
                    raise MalformedReply("an object description renames a type's index")
        if size == 3 or size == 2:
            name, tid, kind = desc
            if type(name) is str and _is_index(tid) and type(kind) is str and kind in _FLAT_KINDS:
                return {"n": name, "t": tid, "k": kind}
        elif size == 5 or size == 4:
            name, tid, kind, shape, dtype = desc
            if (
                type(name) is str and _is_index(tid) and kind == "ndarray" and type(dtype) is str
                and type(shape) is list and _is_shape(shape)
            ):  # fmt: skip
                return {"n": name, "t": tid, "k": kind, "shape": shape, "dtype": dtype}
        raise MalformedReply("an object description's list is not one of the server's forms")
    if type(desc) is dict:
        keys = desc.keys()
        plain = keys == _OBJECT_DESC_KEYS
        if plain or keys == _ARRAY_DESC_KEYS:
            kind = desc["k"]
            if (
                type(desc["n"]) is str and _is_index(desc["t"]) and type(kind) is str
                and (kind in _FLAT_KINDS if plain else kind == "ndarray" and type(desc["dtype"]) is str
                     and type(desc["shape"]) is list and _is_shape(desc["shape"]))
            ):  # fmt: skip
                return desc
    check_keys(desc, _DESC_KEYS, "an object description")
    for key, value in desc.items():  # every reply has hundreds of descriptions: one pass over their fields
        want = _DESC_TYPES[key]
        if want is not None and type(value) is not want:
            raise MalformedReply(f"an object description's {key!r} is not a {want.__name__}")
    kind, shape, keys = desc.get("k"), desc.get("shape"), desc.keys()
    if not keys >= _OBJECT_DESC_KEYS or _KIND_FIELDS.get(kind) != keys - _OBJECT_DESC_KEYS:
        raise MalformedReply("an object description is malformed: not a kind the server describes so")
    if not _is_index(desc["t"]):
        raise MalformedReply("an object description's type index is not an index")
    if kind in _VALUE_TYPES and type(desc["v"]) not in _VALUE_TYPES[kind]:
        raise MalformedReply(f"an object description's value is not of its kind {kind!r}")
    if shape is not None and not _is_shape(shape):  # a list: checked with the other fields above
        raise MalformedReply("an object description's shape is not a shape")
    return desc


class Session:
    """The harness's connection to one student process."""

    def __init__(self, transport: Transport, *, book_helpers: bool = True, family: str = "") -> None:
        self.transport = transport
        self.book_helpers = book_helpers  # a family graded on the book's common/ package (failures.py)
        self.family = family  # whose own clauses its errors may be told (failures.py FAMILY_CLAUSES)
        self.context = "running the case"
        self._pending: list[tuple[dict[str, Any], Ref | Pending | None, str]] = []
        self._next = 1
        self._signatures: dict[tuple[Any, ...], tuple[Param, ...] | None] = {}
        self._signatures_asked: dict[tuple[Any, ...], tuple[int, Pending]] = {}
        self._classes: dict[int, ClassInfo | None] = {}
        self._classes_asked: dict[int, Pending] = {}
        self._type_names: dict[int, str] = {}  # the student process's, by index (`_check_desc`)
        self._pinned: set[int] = set()
        self.broken = False
        self.round_trips = 0
        self.pairs = 0  # round trips that carried a case's end and the next case's first batch
        self._deferred: StudentFailure | None = None
        self._held: tuple[list[tuple[dict[str, Any], Ref | Pending | None, str]], Any] | None = None
        self._pair: Pair = getattr(transport, "pair", None) or self._pair_plain

    # ------------------------------------------------------------ queueing
    def _encode(self, value: Any) -> Any:
        # Handles, lists of handles and a constructor's extras ({"name": "f"}) are most of what a case sends
        # (~1,900 values a MiniFlow job): formed here, in the general walk's form, without the walk.
        kind = type(value)
        if kind is Ref:
            return {"r": value.id}
        if value is None or kind is str:
            return value
        if kind is list:
            handles = []
            for item in value:
                if type(item) is not Ref:
                    return wire.encode(value, self._special)
                handles.append({"r": item.id})
            return handles
        if kind is dict:
            pairs: list[list[Any]] = []
            for key, item in value.items():
                if type(key) is not str:
                    return wire.encode(value, self._special)
                form = type(item)
                if form is str or item is None:
                    pairs.append([key, item])
                elif form is Ref:
                    pairs.append([key, {"r": item.id}])
                else:
                    return wire.encode(value, self._special)
            return {"d": pairs}
        return wire.encode(value, self._special)

    @staticmethod
    def _special(value: Any) -> Any:
        if isinstance(value, Ref):
            return {"r": value.id}
        if isinstance(value, np.ndarray):
            return wire.array(value, "i8" if value.dtype.kind in "iu" else "f8")
        return None

    def _queue(self, op: dict[str, Any]) -> Ref:
        op["id"] = rid = self._next
        self._next = rid + 1
        ref = Ref(self, rid)
        self._pending.append((op, ref, self.context))
        return ref

    def _later(self, op: dict[str, Any]) -> Pending:
        pending = Pending(self)
        self._pending.append((op, pending, self.context))
        return pending

    def _plain(self, op: dict[str, Any]) -> Any:
        return self._later(op).value

    def defer(self, failure: StudentFailure) -> None:
        """Raise `failure` at the next batch instead of sending it: a student's error met by an early round
        trip of the harness's own (switches.keep) is reported by the case whose batch it stopped before."""
        self._deferred = failure

    def sync(self) -> None:
        """Send every queued operation; fill in descriptions and plain answers. A case's end held back
        (`hold`) goes first, in the same write: two requests, two replies."""
        batch, self._pending = self._pending, []
        held, self._held = self._held, None
        if held is None:
            if batch:
                self._exchange(batch)
            return
        first = wire.dump_ops([op for op, _, _ in held[0]])
        alone = not batch or self.broken or self._deferred is not None
        gated = [] if alone else [({"o": "if_clean"}, None, batch[0][2]), *batch]
        second = b"" if alone else wire.dump_ops([op for op, _, _ in gated])
        if alone or len(first) + len(second) > PAIR_MAX_BYTES:
            self._finish(held[1], self._answered(held[0], first))  # the end alone, as before
            self._pending = self._pending + batch  # what its explanation left queued goes first
            self.sync()  # with what the finished case held in turn (its inputs read back), if anything
            return
        self._exchange_pair(held, first, gated, second)

    def hold(self, finish: Callable[[BaseException | None], None]) -> bool:
        """Hold the queued operations (the end of a case: its records and inputs read back) to be sent in
        one write with the next case's first batch, and `finish(error)` the case once they are answered
        (`error`: what their sync raised, None). False, nothing held: there is one held already, or the
        channel cannot take a second request; the caller syncs and finishes the case itself."""
        if self._held is not None or not self._pending or self.broken or self._deferred is not None:
            return False
        self._held, self._pending = (self._pending, finish), []
        return True

    def flush(self) -> None:
        """Send the held case's end alone and finish that case (a phase's last case: reported before the
        phase ends). Operations queued since (its `release`) stay queued for the next batch, as before."""
        while self._held is not None:  # a case finished may hold its inputs' read-back in turn
            held, self._held = self._held, None
            queued, self._pending = self._pending, []
            self._finish(held[1], self._answered(held[0], wire.dump_ops([op for op, _, _ in held[0]])))
            self._pending += queued

    def _finish(self, finish: Callable[[BaseException | None], None], error: BaseException | None) -> None:
        """A held case finished, in its own context: it may ask more (why a record is unset), alone."""
        context = self.context
        try:
            finish(error)
        finally:
            self.context = context

    def _answered(self, batch: list[Any], request: bytes) -> BaseException | None:
        """A batch sent alone: None, or what its answer raised (for a held case's `finish`)."""
        try:
            self._exchange(batch, request)
        except Exception as exc:
            return exc
        return None

    def _exchange_pair(
        self, held: tuple[list[Any], Any], first: bytes, gated: list[Any], second: bytes
    ) -> None:
        """A held case's end and the next batch in one write, read back in order (docs/SANDBOX.md, "A
        case's end and the next case's first batch"). The student process runs the second (its first
        operation `if_clean`) only when the first ran to its end with every record set; then the held case
        needs nothing more. The held case is finished once the second answer is in (or known lost: the
        process ended, was killed for its time, or broke the channel), before that answer is used: a skip
        must be seen before the case may ask more of its objects. Otherwise it answers the second
        `wire.SKIPPED` unrun, the held case asks what it needs of its objects (still there: the second batch
        begins with the `release` that frees them), and the second batch is sent again. Whatever the process
        answers, each answer is read as strictly as one sent alone, and an answer it should not have given
        (the second run when the first was not clean, or a skip of a clean one) only costs the grader a
        round trip, or answers the held case's questions after the next batch ran: what a process answering
        them alone could have said as well."""
        batch, finish = held
        self.round_trips += 1
        self.pairs += 1
        try:
            reply, later = self._pair(first, second)
        except StudentProcessEnded as ended:  # its answer to the case's end: the case goes unreported
            self._finish(finish, ended)
            raise
        error = self._answer(batch, reply)
        if error is not None and (self.broken or isinstance(error, StudentProcessEnded)):
            self._finish(finish, error)  # nothing more is read from this channel
            raise StudentProcessEnded("broken" if self.broken else "eof")
        try:
            answer = later()
        except StudentProcessEnded as ended:
            self._finish(finish, error)
            raise ended from None
        if answer is None:
            self._finish(finish, error)
            raise StudentProcessEnded("eof")
        if _skipped(answer):
            self._finish(finish, error)
            self._pending = self._pending + gated[1:]
            self.sync()  # with what the finished case held in turn (its inputs read back), if anything
            return
        self._finish(finish, error)
        failure = self._answer(gated, answer)
        if failure is not None:
            raise failure

    def _exchange(self, batch: list[Any], request: bytes | None = None) -> None:
        """One batch out, its answer read and checked (a student's error raised)."""
        deferred, self._deferred = self._deferred, None
        if deferred is not None:
            raise deferred  # the batch dropped, as the student process would have dropped it at that error
        self.round_trips += 1
        if self.broken:
            raise StudentProcessEnded("broken")
        error = self._answer(batch, self.transport(request or wire.dump_ops([op for op, _, _ in batch])))
        if error is not None:
            raise error

    def _answer(self, batch: Sequence[tuple[Any, Any, str]], reply: bytes | None) -> BaseException | None:
        """Fill in the batch's answers from `reply`; what the answer raises (a student's error, a protocol
        violation that breaks the channel, the channel closed), returned."""
        if reply is None:
            return StudentProcessEnded("eof")
        try:
            answer = check_keys(wire.loads(reply), _REPLY_KEYS, "the reply")
            results, err = answer.get("res"), answer.get("err")
            if not isinstance(results, list):
                raise MalformedReply("the reply has no result list")
            if len(results) > len(batch) or (err is None and len(results) != len(batch)):
                raise MalformedReply("the reply has the wrong number of results")
            if err is not None and (not isinstance(err, dict) or err.get("at") != len(results)):
                # the server answers every operation before the one that failed, and none after it: an
                # answer after it would mark as run what never ran (a deferred pass's `gate_none`)
                raise MalformedReply("the reply's results do not stop at its error")
            for (_, target, _), result in zip(batch, results, strict=False):
                if isinstance(target, Ref):
                    target._desc = _check_desc(result, self._type_names)
                elif isinstance(target, Pending):
                    target.fill(result)
            return None if err is None else self._failure(err, batch)
        except (MalformedReply, wire.WireError) as exc:
            return self.malformed(batch[0][2], exc)

    def _pair_plain(self, first: bytes, second: bytes) -> tuple[bytes | None, Callable[[], bytes | None]]:
        """Two requests over a transport that sends one at a time (the one-process runner, tests)."""
        reply = self.transport(first)
        return reply, lambda: None if reply is None else self.transport(second)

    def malformed(self, context: str, why: object) -> StudentFailure:
        """The failure for a reply not in the server's form: the student's code rewrote its process's side of
        the channel (it is the only other party), so the channel is broken and the phase ends with it."""
        self.broken = True  # what comes next on this channel cannot be trusted either
        return StudentFailure(
            "protocol_violation",
            f"{context}: the submission's process answered the grader with something it cannot read "
            f"({clean_text(why, 200)}); does the code write to file descriptor 3 or change how its process "
            "answers?",
        )

    def _failure(self, raw: Any, batch: Sequence[tuple[Any, Any, str]]) -> StudentFailure:
        """The student's error that stopped the batch, read as strictly as any other answer."""
        err = check_keys(raw, _ERR_KEYS, "an error")
        at = err.get("at")
        if type(at) is not int or not 0 <= at < len(batch):
            raise MalformedReply("an error names no operation of the batch")
        op, target, context = batch[at]
        if isinstance(target, Pending) and op.get("o") == "gate_none" and op.get("stop"):
            target.stopped = True  # only a stopping gate's answer: what tells a pass passed, a value unset
        forms = [k for k in ("failure", "error", "wire") if k in err]
        if len(forms) != 1:
            raise MalformedReply("an error is not exactly one of failure, error, wire")
        key_id = err.get("key")
        if key_id is not None and (type(key_id) is not int or key_id >= 0):
            raise MalformedReply("an error's key is not a handle of the student process")
        key = Ref(self, key_id) if key_id is not None else None
        if "failure" in err:
            failure = StudentFailure.from_dict(err["failure"])
            if failure is None:
                raise MalformedReply("an error's failure is null")
            return RemoteFailure(failure, key)
        if "error" in err:
            info = ErrorInfo.from_wire(err["error"])
            failure = from_error(info, context, book_helpers=self.book_helpers, family=self.family)
            return RemoteFailure(failure, key, info)
        if not isinstance(err["wire"], str):
            raise MalformedReply("an error's text is not a string")
        why = clean_text(err["wire"], 300)
        if why == wire.OUT_OF_MEMORY:
            return StudentFailure(
                "memory_limit",
                f"{context}: the submission's process ran out of memory answering the grader; are the values "
                "your code returns far larger than the case's inputs?",
            )
        return StudentFailure(
            "exception", f"{context}: the submission's process could not run this step ({why})"
        )

    # ------------------------------------------------------------ operations that yield objects
    def lookup(self, name: str) -> Ref:
        return self.pin(self._queue({"o": "lookup", "name": name}))

    def call(
        self,
        fn: Ref,
        *args: Any,
        extras: Mapping[str, Any] | None = None,
        within: Mapping[str, Any] | None = None,
        keywords: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Ref:
        """`keywords`: arguments by name when a name may be any of the student's (`within`, `extras`)."""
        function = {"r": fn.id} if type(fn) is Ref else self._encode(fn)
        op: dict[str, Any] = {"o": "call", "f": function, "a": self._encode(list(args))}
        if keywords:
            kwargs = {**keywords, **kwargs}
        if kwargs:
            op["kw"] = self._encode(dict(kwargs))
        if extras:
            op["extras"] = self._encode(dict(extras))
        if within is not None:
            op["within"] = {k: self._encode(v) for k, v in within.items()}
        return self._queue(op)

    def getattr(self, obj: Ref, *names: str, missing_ok: bool = False, default: Any = _NO_DEFAULT) -> Ref:
        """`obj.<first of names it has>`; `missing_ok`: a `missing` Ref instead of an AttributeError;
        `default`: that value instead (as `getattr(obj, name, default)`)."""
        held = {"r": obj.id} if type(obj) is Ref else self._encode(obj)
        op: dict[str, Any] = {"o": "getattr", "obj": held, "names": list(names)}
        if missing_ok:
            op["missing_ok"] = True
        if default is not _NO_DEFAULT:
            op["default"] = self._encode(default)
        return self._queue(op)

    def getitem(self, obj: Ref, key: Any, *, missing_ok: bool = False) -> Ref:
        return self._queue(
            {"o": "getitem", "obj": self._encode(obj), "key": self._encode(key), "missing_ok": missing_ok}
        )

    def operate(self, op: str, *operands: Any) -> Ref:
        """`a <op> b` (`<op> a` for one operand) in the student's process, as Python evaluates it; `op` is
        a name of server.OPERATORS ("add", "sub", "mul", "truediv", "pow", "neg")."""
        return self._queue({"o": "operator", "op": op, "a": self._encode(list(operands))})

    def new(self, value: Any) -> Ref:
        return self._queue({"o": "new", "value": self._encode(value)})

    def new_array(self, encoded: Mapping[str, Any]) -> Ref:
        """`new` of a float64 array already in the bytes form (`codec.encode_bytes`)."""
        return self._queue({"o": "new", "value": {"a": encoded, "dt": "f8"}})

    def listed(self, obj: Ref) -> Ref:
        """`list(obj)` in the student's process, as one handle: a sequence passed on whole needs no round
        trip (`items` reads the elements only when the harness walks them)."""
        return self._queue({"o": "list", "obj": self._encode(obj)})

    def only(self, obj: Ref, what: str) -> Ref:
        """The one output of a call that may return it alone or in a one-element list or tuple (an error
        naming `what` otherwise), without a round trip."""
        return self._queue({"o": "only", "obj": self._encode(obj), "what": what})

    def stub_consumer(self, base: Ref) -> Ref:
        return self._queue({"o": "stub", "base": self._encode(base)})

    def case_dataset(self, base: Ref, data: Ref, label: Ref) -> Ref:
        """A subclass of the student's Dataset whose `prepare` sets `data` and `label`, and the case's
        transform (server `_case_dataset`)."""
        return self._queue(
            {
                "o": "dataset",
                "base": self._encode(base),
                "data": self._encode(data),
                "label": self._encode(label),
            }
        )

    # ------------------------------------------------------------ operations without an answer
    def setattr(self, obj: Ref, name: str, value: Any) -> None:
        """Queued; one right after another of the same context joins it in one `setattrs` operation
        (MiniFlow's feeds: a quarter of a job's operations were these), which fails where the one of its
        sets that raised would have, in the same context, with the sets before it done and none after it."""
        held = {"r": obj.id} if type(obj) is Ref else self._encode(obj)
        value = self._encode(value)
        pending = self._pending
        if pending:
            last, target, context = pending[-1]
            if target is None and context == self.context and last["o"] in _SETS:
                if last["o"] == "setattr":
                    last["sets"] = [[last.pop("obj"), last.pop("name"), last.pop("value")]]
                    last["o"] = "setattrs"
                last["sets"].append([held, name, value])
                return
        pending.append(({"o": "setattr", "obj": held, "name": name, "value": value}, None, self.context))

    def enlist(self, obj: Ref, names: Sequence[str], item: Ref) -> None:
        """Append `item` to the first of `obj`'s attributes `names` that is a list, unless it is in it
        already (the same object); nothing if none is a list."""
        op = {"o": "enlist", "obj": self._encode(obj), "names": list(names), "item": self._encode(item)}
        self._pending.append((op, None, self.context))

    def setitem(self, obj: Ref, key: Any, value: Any) -> None:
        op = {
            "o": "setitem",
            "obj": self._encode(obj),
            "key": self._encode(key),
            "value": self._encode(value),
        }
        self._pending.append((op, None, self.context))

    def pin(self, ref: Ref) -> Ref:
        """Keep this handle across `release` (names and classes looked up once per process)."""
        self._pinned.add(ref.id)
        return ref

    def release(self) -> None:
        """Drop every handle but the pinned ones (between cases). Queued, sent with the next batch."""
        self._pending.append(({"o": "release", "keep": sorted(self._pinned)}, None, self.context))

    # ------------------------------------------------------------ operations with a plain answer
    def contains(self, obj: Ref, key: Any) -> bool:
        return self._plain({"o": "contains", "obj": self._encode(obj), "key": self._encode(key)}) is True

    def rejects(self, fn: Ref, *args: Any) -> bool:
        """Whether `fn(*args)` raises a TypeError in the student's process (other exceptions: a failure)."""
        return self._plain({"o": "rejects", "f": self._encode(fn), "a": self._encode(list(args))}) is True

    def index_of(self, obj: Ref, among: Sequence[Ref]) -> int:
        return next(self.indexes_of([(obj, among)]))

    def indexes_of(self, asked: Sequence[tuple[Ref, Sequence[Ref]]]) -> Iterator[int]:
        """`index_of` of each (obj, among), all asked in one round trip (queued now); each answer is checked
        only when it is read, in order, as one round trip each would have checked it (a caller that stops at
        the first False reads no further)."""
        pending = [
            (
                self._later({"o": "same", "obj": self._encode(obj), "among": self._encode(list(among))}),
                len(among),
            )
            for obj, among in asked
        ]

        def answers() -> Iterator[int]:
            for answer, size in pending:
                found = answer.value
                if type(found) is not int or not -1 <= found < size:
                    raise self.malformed(self.context, "an index out of range")
                yield found

        return answers()

    def index_later(self, obj: Ref, among: Ref) -> Pending:
        """The index of `obj` in the list `among` (a handle: `listed`), -1 if absent, queued: the answer
        is the student process's claim, read by the caller against `among`'s length."""
        return self._later({"o": "same", "obj": self._encode(obj), "among": self._encode(among)})

    def items(self, obj: Ref) -> list[Ref]:
        return self.items_read(self.items_later(obj))

    def items_later(self, obj: Ref) -> Pending:
        """The question `items` asks, queued: read the answer with `items_read`."""
        return self._later({"o": "iter", "obj": self._encode(obj)})

    def items_read(self, asked: Pending) -> list[Ref]:
        raw = asked.value
        try:
            if not isinstance(raw, list):
                raise MalformedReply("a list of items is not a list")
            if len(raw) > wire.MAX_ITEMS:  # more than the server lists: the harness queues work per item
                raise MalformedReply(f"a list of {len(raw)} items")
            return [Ref(self, *_local(item, self._type_names)) for item in raw]
        except MalformedReply as exc:
            raise self.malformed(self.context, exc) from None

    def items_or_later(self, obj: Ref, kinds: Sequence[str] = ("list", "tuple")) -> Pending:
        """Queued behind `obj`'s making: its items should its kind be one of `kinds` (as `items` answers
        them), nothing otherwise. Read with `items_or_read`: one round trip where the kind, then the items,
        took two."""
        return self._later({"o": "items_or", "obj": self._encode(obj), "kinds": list(kinds)})

    def items_or_read(
        self, obj: Ref, asked: Pending, kinds: Sequence[str] = ("list", "tuple")
    ) -> list[Ref] | None:
        """`obj`'s items when its kind is one of `kinds`, None when it is one value (`asked`: its
        `items_or_later`). The kind described decides, as it did before `items_or`: for one value the answer
        is never read (an honest process answers items there too, for a tuple whose `__class__` told
        `describe` it is no tuple); none for a list or tuple (an object whose `__class__` told `describe`
        it is one) are asked alone, as before."""
        if obj.kind not in kinds:  # the batch's answer (or the error it stopped at) arrives here
            return None
        if asked.value is None:
            return self.items(obj)
        return self.items_read(asked)

    def array_later(self, obj: Ref, what: str, *, soft: bool = False, gate: bool = False) -> Pending:
        """The value as numbers, taken at this point of the sequence (None stays None); read it later.
        `soft`: a value that cannot be read as numbers is answered as unreadable (decoding it fails here)
        instead of stopping the batch. `gate`: a value whose None the harness explains with questions of
        its own (a record left unset): the student process runs no batch sent behind this one then
        (`hold`)."""
        op = {"o": "array", "obj": self._encode(obj), "what": what, "none_ok": True}
        if soft:
            op["soft"] = True
        if gate:
            op["gate"] = True
        return self._later(op)

    def gate_none(self, objs: Sequence[Ref], *, stop: bool = False) -> Pending:
        """Queued: should any of `objs` be None or missing, the student process runs no batch sent behind
        this one (`hold`), as behind a gated record left unset. Its answer (None) tells only that the batch
        got this far. `stop`: then the batch stops there too, the error at it (`Pending.stopped`)."""
        op: dict[str, Any] = {"o": "gate_none", "obj": self._encode(list(objs))}
        if stop:
            op["stop"] = True
        return self._later(op)

    def queued(self, target: Pending) -> bool:
        """Whether `target` waits in the batch not yet sent (the next sync sends it)."""
        return any(t is target for _, t, _ in self._pending)

    def array(self, obj: Ref, what: str) -> np.ndarray:
        return self.arrays([(obj, what)])[0]

    def arrays(self, wanted: Sequence[tuple[Ref, str]]) -> list[np.ndarray]:
        """Several values as float64 arrays in one round trip."""
        pending = [
            (self._later({"o": "array", "obj": self._encode(obj), "what": what}), what)
            for obj, what in wanted
        ]
        return [decode_array(p.value, what) for p, what in pending]

    def ask_signature(self, fn: Ref, cache_key: tuple[Any, ...]) -> None:
        """Queue the parameters of `fn` ahead of the case that reads them by `cache_key` (a process's first
        batch): a function the family's driver calls (MiniFlow's forward_and_backward) whose signature was
        otherwise a round trip of its own in the first case that called it. Answered only for a plain
        function (server `signature_ahead`); anything else is asked where it is needed, as before."""
        if cache_key not in self._signatures and cache_key not in self._signatures_asked:
            asked = self._later({"o": "signature_ahead", "obj": self._encode(fn)})
            self._signatures_asked[cache_key] = (fn.id, asked)

    def signature(self, fn: Ref, cache_key: tuple[Any, ...] | None = None) -> tuple[Param, ...] | None:
        """The parameters of `fn`, or None when Python cannot tell; cached by (type id, method) if given."""
        if cache_key is not None and cache_key in self._signatures:
            return self._signatures[cache_key]
        ahead = self._signatures_asked.pop(cache_key, None) if cache_key is not None else None
        if ahead is not None and ahead[0] == fn.id and ahead[1].done and ahead[1].value is not False:
            raw = ahead[1].value  # answered with an earlier batch: read as strictly as the plain answer
        else:
            raw = self._plain({"o": "signature", "obj": self._encode(fn)})
        try:
            params = _params(raw)
        except MalformedReply as exc:
            raise self.malformed(self.context, exc) from None
        if cache_key is not None:
            self._signatures[cache_key] = params
        return params

    def method_signature(self, obj: Ref, name: str) -> tuple[Param, ...] | None:
        method = self.getattr(obj, name)
        return self.signature(method, (obj.type_id, name))

    def held_standins(self, obj: Ref) -> Pending:
        """Queue the question which of obj's own attributes hold a grader stand-in's instance (the answer,
        a claim of the student's process, is read and judged by `grader/inside/wrapped.py`)."""
        return self._later({"o": "held", "obj": self._encode(obj)})

    def ask_classinfo(self, cls: Ref) -> None:
        """Queue the description of a class (None for anything else), read later by `classinfo`: the
        classes a family builds are asked for with the first round trip of a process."""
        if cls.id not in self._classes and cls.id not in self._classes_asked:
            self._classes_asked[cls.id] = self._later({"o": "classinfo", "obj": self._encode(cls)})

    def classinfo(self, cls: Ref) -> ClassInfo | None:
        if cls.id in self._classes:
            return self._classes[cls.id]
        self.ask_classinfo(cls)
        asked = self._classes_asked.pop(cls.id)
        raw = asked.value
        if not asked.done:  # its batch stopped at an earlier failing operation: ask again
            raw = self._plain({"o": "classinfo", "obj": self._encode(cls)})
        try:
            info = None if raw is None else self._class_info(raw)
        except MalformedReply as exc:
            raise self.malformed(self.context, exc) from None
        self._classes[cls.id] = info
        return info

    def _class_info(self, raw: Any) -> ClassInfo:
        info = check_keys(raw, _CLASS_KEYS, "a class description")
        own, mro, name = info.get("own"), info.get("mro"), info.get("name")
        if not (isinstance(own, list) and all(isinstance(a, str) for a in own)):
            raise MalformedReply("a class's attributes are not a list of names")
        if len(own) > wire.MAX_OWN_ATTRS:  # more than the server lists: each is compared with __init__
            raise MalformedReply(f"a class lists {len(own)} attributes of its own")
        if not (isinstance(mro, list) and isinstance(name, str)):
            raise MalformedReply("a class description is malformed")
        if len(mro) > wire.MAX_BASES:  # more than the server lists: each is checked and pinned
            raise MalformedReply(f"a class lists {len(mro)} classes in its MRO")
        bases = tuple(self.pin(Ref(self, *_local(m, self._type_names))) for m in mro)
        init = _params(info.get("init"))
        return ClassInfo(clean_text(name, 200), tuple(clean_text(a, 100) for a in own), bases, init)

    def load(self, spec: Mapping[str, Any], ahead: Callable[[], None] = lambda: None) -> Mapping[str, Any]:
        """The student process's account of its load, its fields of the types the server writes (what they
        say is judged by the harness and the parent); `failure` and `blocked` are rebuilt as failures.

        `ahead` queues what the harness asks right after a load (the family's names): sent in the load's
        batch, where they were the next batch's first operations, one round trip a process fewer. The
        server runs them after the load either way; a student's error among them is the first case's, as it
        was (`defer`), and a load that failed answers them as missing without reading them. So is an answer
        to them the harness cannot read, once the load's own was read: the channel is broken and the phase
        ends after that case, as it did. Only a process that ends among them (its exit, a limit) takes the
        load's answer with it: that phase is told it ended while loading the submission."""
        asked = self._later({"o": "load", **spec})
        ahead()
        try:
            self.sync()
        except StudentFailure as failure:
            if not asked.done:
                raise
            self.defer(failure)  # raised by the next sync, before it sees the channel broken
        raw = asked.value
        try:
            loaded = _checked_load(check_keys(raw, _LOAD_KEYS, "the load's answer"))
            for key in ("failure", "blocked"):
                loaded[key] = StudentFailure.from_dict(loaded.get(key))
            return loaded
        except MalformedReply as exc:
            raise self.malformed(contexts.LOADING, exc) from None


_CLASS_KEYS = frozenset({"name", "own", "mro", "init"})


def _params(raw: Any) -> tuple[Param, ...] | None:
    """A signature as the server lists it ([name, kind, has_default] each), checked; None stays None."""
    if raw is None:
        return None
    if isinstance(raw, list) and len(raw) > wire.MAX_PARAMS:  # more than the server lists
        raise MalformedReply(f"a signature of {len(raw)} parameters")
    ok = isinstance(raw, list) and all(
        isinstance(p, list) and len(p) == 3 and isinstance(p[0], str) and type(p[1]) is int
        and 0 <= p[1] <= 4 and isinstance(p[2], bool)
        for p in raw
    )  # fmt: skip
    if not ok:
        raise MalformedReply("a signature is malformed")
    return tuple(Param(clean_text(p[0], 100), p[1], p[2]) for p in raw)


# The load's fields of text, as the server writes them: texts, lists of texts, maps of text to text ("near":
# to lists of texts). They go on to the parent in the "loaded" frame, so a field of another type (a number
# JSON reads as infinity, which no frame may carry) or of any size (a frame past what the worker takes from
# the harness) would be the harness's failure in appearance: refused here, or cut to what an honest load has.
_LOAD_LISTS = ("missing", "notes", "warnings", "standins", "defined")
_LOAD_MAPS = ("modules", "found", "reasons")
MAX_LOAD_ENTRIES = 200
MAX_LOAD_TEXT = 2000


def _texts(value: Any, what: str) -> list[str]:
    if not (type(value) is list and all(type(v) is str for v in value)):
        raise MalformedReply(f"the load's {what} is not a list of texts")
    return [clean_text(v, MAX_LOAD_TEXT) for v in value[:MAX_LOAD_ENTRIES]]


def _checked_load(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The load's answer with every text field of the server's types, and no larger than an honest one."""
    loaded = dict(raw)
    if not isinstance(loaded.get("type", ""), str):
        raise MalformedReply("the load's type is not a text")
    for key in _LOAD_LISTS:
        if key in loaded:
            loaded[key] = _texts(loaded[key], key)
    for key in (*_LOAD_MAPS, "near"):
        if key not in loaded:
            continue
        value = loaded[key]
        if type(value) is not dict:
            raise MalformedReply(f"the load's {key} is not a map")
        entries = list(value.items())[:MAX_LOAD_ENTRIES]
        if key == "near":
            loaded[key] = {clean_text(k, MAX_LOAD_TEXT): _texts(v, key) for k, v in entries}
        elif all(type(v) is str for _, v in entries):
            loaded[key] = {clean_text(k, MAX_LOAD_TEXT): clean_text(v, MAX_LOAD_TEXT) for k, v in entries}
        else:
            raise MalformedReply(f"the load's {key} does not map texts to texts")
    return loaded


def _local(item: Any, names: dict[int, str]) -> tuple[int, Mapping[str, Any]]:
    """A [handle, description] pair of an object the student process named itself (negative handles): its
    name read by index, never kept (no operation's own answer)."""
    if not (isinstance(item, list) and len(item) == 2 and type(item[0]) is int and item[0] < 0):
        raise MalformedReply("an item is not a handle and a description")
    return item[0], _check_desc(item[1], names, keep=False)


def decode_array(raw: Any, what: str) -> np.ndarray:
    """A value the student's process answered, as float64; more than MAX_ELEMENTS numbers (what its server
    refuses to send, grader/inside/plain.py) is the student's unreadable value like any other: the parent
    refuses a record that large, and a refusal there spoils the whole run's results, visible phase included
    (with the count in the message: a number the student's process chose after reading a hidden input)."""
    try:
        return codec.decode(raw, MAX_ELEMENTS)
    except codec.CodecError as exc:
        raise StudentFailure("exception", f"{what}: the value came back unreadable ({exc})") from None


# ------------------------------------------------------------ signature helpers


def accepts_positional(params: tuple[Param, ...] | None, n: int) -> bool:
    """Whether a callable with these parameters takes n positional arguments (unknown: assume yes)."""
    if params is None:
        return True
    if any(p.kind == 2 for p in params):  # *args
        return True
    return len([p for p in params if p.kind in (0, 1)]) >= n


def accepts_keyword(params: tuple[Param, ...] | None, name: str) -> bool:
    if params is None:
        return False
    return any(p.name == name for p in params) or any(p.kind == 4 for p in params)
