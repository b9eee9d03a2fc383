"""Values on the wire between the harness and the student's process (docs/SANDBOX.md, "The boundary").

Batches of operations (harness to student process) travel as `marshal` bytes (`dump_ops`/`load_ops`): only the
harness writes them, so the student's process reads trusted bytes, and marshal is C both ways (JSON text
was a fifth of the harness's time). Replies travel the other way as strict JSON (`dumps`/`loads`): the
harness reads them as the untrusted claims they are, and marshal is not meant for untrusted input.

JSON with a few tagged forms: `{"r": id}` a handle to an object that lives in the student's process,
`{"a": ARRAY, "dt": "f8"|"i8"}` an ndarray to build there, `{"f": "nan"|"inf"|"-inf"}` a non-finite float,
`{"t": [...]}` a tuple, `{"d": [[key, value], ...]}` a dict, `{"e": 1}` Ellipsis. Plain lists, strings, ints,
finite floats, booleans and null travel as themselves. Both sides decode strictly: anything else is refused.
"""

from __future__ import annotations

import gc
import json
import marshal
import math
from collections.abc import Callable
from typing import Any

from . import codec

# Captured at import: a submission that replaces json's functions cannot change what this module writes.
_marshal_dumps, _marshal_loads = marshal.dumps, marshal.loads
# No circular check (a third of the encoding time on these many small dicts): every message is built by
# encode() below, whose depth bound already refuses what a cycle would become, or by the server's own code.
_encode_json = json.JSONEncoder(allow_nan=False, separators=(",", ":"), check_circular=False).encode
# What the server answers for a batch it ran out of memory answering: the harness words it as the memory
# limit (remote.Session._failure). Here because both sides import this module and nothing else of each other.
OUT_OF_MEMORY = "out of memory"
MAX_DEPTH = 16
MAX_INT = 1 << 53
# How many of a class's own attributes the server lists (server._classinfo); the harness refuses a longer list
# (remote.Session._class_info): it looks for a misspelt __init__ among them before every object it builds.
MAX_OWN_ATTRS = 200
# How many items the server lists of a sequence (server._list: `iter`, `list`); the harness refuses an `iter`
# answer with more (remote.Session.items): it queues operations per item (MiniFlow's walk of the sorted nodes:
# up to five each, some 8 us apiece), and 333,000 of them, answered just before the student's deadline, kept
# it busy past the worker's margin. An honest graph of these assignments has tens of nodes.
MAX_ITEMS = 10_000
# How many parameters of a callable the server lists (server._signature); the harness refuses a longer list
# (remote.Session.signature): it builds and checks each, and 660,000 of them (9 MB, under every cap of the
# reply) took it 1.7 s of CPU, 2.5 s on a loaded machine, most of the worker's margin past the student's
# deadline. An honest method has a handful.
MAX_PARAMS = 200
# How many classes of a class's MRO the server lists (server._classinfo); the harness refuses a longer list
# (remote.Session._class_info): it checks each and keeps a handle to it for the life of the process, and
# 450,000 of them (17 MB, under every cap of a reply) took it 2.8 s of CPU and some 200 MB per class
# described (sample harness_class_mro_flood.py). An honest class of these assignments has a handful.
MAX_BASES = 64
# The fields of a description sent as a flat list (server.Server.answer), by the list's length: an object's
# (its type's name and index, a kind without a field of its own) and an array's. Most of a reply's
# descriptions; a description with a value, a length or a class's name goes as an object of these keys.
FLAT_FIELDS: dict[int, tuple[str, ...]] = {3: ("n", "t", "k"), 5: ("n", "t", "k", "shape", "dtype")}
# The kinds a three-field list may say: those whose object form has no other field.
FLAT_KINDS = frozenset({"none", "missing", "scalar", "callable", "object"})
# The same two forms go without the type's name (the first field: lists of two and four) once an operation's
# answer has carried it: the harness reads the name by the index (session 33: a reply's descriptions are
# mostly of a few types; server.execute, remote._check_desc).
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_isfinite = math.isfinite


class WireError(ValueError):
    """A message that does not follow the wire format."""


def _float(x: float) -> float | dict[str, str]:
    if math.isfinite(x):
        return x
    return {"f": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _plain(value: Any) -> Any:
    return None


def encode(value: Any, custom: Callable[[Any], Any] = _plain, depth: int = 0) -> Any:
    """A wire form of `value`; `custom` gives the form of what is not plain data (handles, arrays)."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    kind = type(value)
    if kind is float:  # exact plain types first: `custom` forms only objects of other types
        return value if _isfinite(value) else _float(value)
    if kind is str or kind is bool or value is None:
        return value
    special = custom(value)
    if special is not None:
        return special
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) >= MAX_INT:
            raise WireError("integer too large")
        return value
    if isinstance(value, float):
        return _float(value)
    if value is Ellipsis:
        return {"e": 1}
    if isinstance(value, list):
        return [encode(v, custom, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"t": [encode(v, custom, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"d": [[encode(k, custom, depth + 1), encode(v, custom, depth + 1)] for k, v in value.items()]}
    raise WireError(f"cannot send a {type(value).__name__}")


def array(a: Any, dtype: str = "f8") -> dict[str, Any]:
    """The wire form of a numpy array to be built in the student's process."""
    return {"a": codec.encode_bytes(a), "dt": dtype}


def decode(
    obj: Any, resolve: Callable[[int], Any], make_array: Callable[[Any, str], Any], depth: int = 0
) -> Any:
    """The value of a wire form; handles through `resolve`, arrays through `make_array`."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if obj is None or isinstance(obj, (bool, str, float)):
        return obj
    if isinstance(obj, int):
        if abs(obj) >= MAX_INT:
            raise WireError("integer too large")
        return obj
    if isinstance(obj, list):
        return [decode(v, resolve, make_array, depth + 1) for v in obj]
    if not isinstance(obj, dict) or len(obj) not in (1, 2):
        raise WireError("malformed value")
    if "r" in obj and isinstance(obj["r"], int) and len(obj) == 1:
        return resolve(obj["r"])
    if "f" in obj and obj["f"] in _NON_FINITE and len(obj) == 1:
        return _NON_FINITE[obj["f"]]
    if "t" in obj and isinstance(obj["t"], list) and len(obj) == 1:
        return tuple(decode(v, resolve, make_array, depth + 1) for v in obj["t"])
    if "d" in obj and isinstance(obj["d"], list) and len(obj) == 1:
        out = {}
        for pair in obj["d"]:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("malformed dict entry")
            out[decode(pair[0], resolve, make_array, depth + 1)] = decode(
                pair[1], resolve, make_array, depth + 1
            )
        return out
    if obj == {"e": 1}:
        return Ellipsis
    if "a" in obj and obj.get("dt") in ("f8", "i8") and len(obj) == 2:
        return make_array(obj["a"], obj["dt"])
    raise WireError("malformed value")


def _refuse_constant(name: str) -> Any:
    raise WireError(f"the JSON literal {name} is not allowed")


# What reading a reply may cost, bounded before and while it is parsed. A reply is read by the harness, and
# late (sent just before the student process's deadline) its reading runs past that deadline: the worker
# allows the harness HARNESS_MARGIN_SECONDS for it (grader/inside/worker.py), then calls it lost, which
# spoils every phase of the job, visible ones included, in the sandbox's words ("not your fault"), and
# retries the job. Under the size cap on a reply (remote.MAX_REPLY_BYTES) the cost per byte was unbounded
# enough to get there: 32 MiB of empty lists nested 500 deep took 8 s of CPU (most of it the cyclic
# collector walking the lists being built), 32 MiB of float literals slow to round (halfway cases near the
# subnormal limit) 2 s, several times that in wall-clock time on a loaded machine. An honest reply has
# few of either: a batch's descriptions, one per operation (an `iter` answers at most MAX_ITEMS
# items), arrays as base64 text, numbers a float's repr long. Counted on the bytes (brackets and commas
# inside strings count too: an honest reply's texts are short), checked before anything is parsed.
MAX_CONTAINERS = 1_000_000  # "[" and "{"
MAX_VALUES = 2_000_000  # ","
MAX_NUMBER_CHARS = 32  # of a float literal: repr(float) has at most 24


def _number(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise WireError(f"a number literal of {len(literal)} characters")
    return float(literal)


# Built once: json.loads with an option builds a decoder on every call (a tenth of reading a reply).
_decode_json = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_number).decode


def loads(data: bytes | bytearray) -> Any:
    """Strict JSON in UTF-8 (what the server writes): no NaN/Infinity literals, no more containers, values or
    digits than an honest reply has (MAX_CONTAINERS...); nesting errors become WireError. Parsed with the
    cyclic collector paused: what JSON builds is a tree, which it would only walk again and again."""
    containers = data.count(b"[") + data.count(b"{")
    if containers > MAX_CONTAINERS or data.count(b",") > MAX_VALUES:
        raise WireError(f"more lists, objects or values than any reply has ({containers} lists and objects)")
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _decode_json(str(data, "utf-8"))
    except WireError:
        raise
    except (ValueError, RecursionError, UnicodeDecodeError) as err:
        raise WireError(f"not valid JSON ({type(err).__name__})") from None
    finally:
        if collecting:
            gc.enable()


def dumps(obj: Any) -> bytes:
    return _encode_json(obj).encode("utf-8")


# The error a student process answers a batch sent behind a case's end with when that end did not run
# cleanly (server `if_clean`): the batch was not run, and the harness sends it again.
SKIPPED = "skipped: the case before this batch is not finished"
# The error a `gate_none` with `stop` answers when a value it reads is None or missing: what follows it in the
# batch (an sgd step behind a MiniFlow pass) would run on a value the harness explains first (session 29).
GATE_STOPPED = "stopped: a value the grader fed is unset"


def dump_ops(ops: list[Any]) -> bytes:
    """A batch of operations for the student's process (plain data from `encode` and the harness's own
    fields)."""
    return _marshal_dumps(ops, 4)


def load_ops(data: bytes | bytearray) -> Any:
    """A batch as the harness wrote it; bytes that are not one (a cut message) are a WireError."""
    try:
        return _marshal_loads(bytes(data))
    except (ValueError, EOFError, TypeError) as err:
        raise WireError(f"not a batch of operations ({type(err).__name__})") from None
