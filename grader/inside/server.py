"""The student's process: the submission's own code and this small server, nothing else of the grader.

The harness (another process, which the student's code cannot reach) sends batches of operations on
objects that live here: import the submission, look a name up, call, read or set an attribute or item,
read a value as numbers, describe a signature or a class. Each result stays here under a handle the
harness chose and is described to it in a few plain fields. Nothing here decides anything: whatever this
process answers is the student's claim about its own objects, judged elsewhere. A batch stops at the
first operation that raises; the error is described with the student's frames only.
"""

from __future__ import annotations

import functools
import operator
import os
import sys
from collections.abc import Callable, Mapping
from types import FunctionType, MethodType
from typing import Any

import numpy as np

from . import codec, frames, guard, stable_hash, standins, student, wire
from .address import key as _key
from .failures import ErrorInfo, StudentFailure, clean_text, error_info
from .params import KEYWORD_ONLY, POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, Param, read_without_code
from .params import parameters as read_parameters
from .plain import to_array

MAX_REQUEST_BYTES = 64 << 20
MAX_ITEMS = wire.MAX_ITEMS
MAX_OWN_ATTRS = wire.MAX_OWN_ATTRS
MAX_BASES = wire.MAX_BASES
_STR_CAP = 200

_isinstance = isinstance
_issubclass = issubclass
_TypeError = TypeError
_type = type
_getattr = getattr
_MRO = type.__dict__["__mro__"]  # a type's own MRO, whatever its metaclass says
_DICT = type.__dict__["__dict__"]  # a type's own namespace, whatever its metaclass says
_NAME = type.__dict__["__name__"]
_len = len
_ndarray = np.ndarray
_generic = np.generic
_FunctionType, _MethodType = FunctionType, MethodType


class _Missing:
    """What `getattr` answers for an attribute none of the given names has, when asked not to raise."""


MISSING = _Missing()
_NO_HANDLE = _Missing()  # what `objects.get` answers for a handle it does not hold


class Server:
    """Handles and operations of one student process."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.objects: dict[int, Any] = {}
        self.names: student.Names | None = None
        self.load_failed = False
        self._types: list[type] = []  # keeps every described type alive, so its key is never reused
        self._heads: dict[int, tuple[str, int]] = {}  # key(type) -> (its name, its index in _types)
        # The type indexes whose name an operation's answer has carried to the harness (`execute`), and those
        # named in the reply being built (`serve` names them again should that reply not go out)
        self.named: set[int] = set()
        self.naming: list[int] = []
        self._standin_types: dict[int, tuple[type, bool]] = {}
        self._signatures: dict[tuple[int, bool], tuple[Any, list[Param] | None]] = {}
        self._next_local = -1
        # key(class) -> (class, name): the graded classes of the student's named like a stand-in layer
        # (set by `load`); from a case's first call of one to its release, the stand-in's layers refuse to
        # run (`_calling`)
        self.layers: dict[int, tuple[type, str]] = {}
        self.others: dict[int, tuple[type, str]] = {}  # the other graded classes (TwoLayerNet)
        # Whether the batch answered last, and the one being answered, stopped at an error; whether a value
        # a record reads (`array` with `gate`) came back None since the last `release` (in any batch of the
        # case: its explanation is asked when the case ends). `if_clean` runs a batch sent behind a case's
        # end only when neither is so.
        self.failed = False
        self.previous_failed = False
        self.unset = False

    # ------------------------------------------------------------ handles and descriptions
    def resolve(self, rid: int) -> Any:
        if rid not in self.objects:
            raise wire.WireError(f"unknown handle {rid}")
        return self.objects[rid]

    def value(self, obj: Any) -> Any:
        # Handles, alone or in a list of arguments, are most of what the harness sends: resolved here
        # without the general walk (which gives the same for them).
        # A handle is looked up here, not through `resolve` (one Python call less each, ~1,400 a job).
        kind = _type(obj)
        if kind is dict:
            rid = obj.get("r") if _len(obj) == 1 else None
            if _type(rid) is int:
                found = self.objects.get(rid, _NO_HANDLE)
                return found if found is not _NO_HANDLE else self.resolve(rid)
        elif kind is list:
            return [self._item(v) for v in obj]
        return wire.decode(obj, self.resolve, _make_array)

    def _item(self, obj: Any) -> Any:
        if _type(obj) is dict and _len(obj) == 1:
            rid = obj.get("r")
            if _type(rid) is int:
                found = self.objects.get(rid, _NO_HANDLE)
                return found if found is not _NO_HANDLE else self.resolve(rid)
        return wire.decode(obj, self.resolve, _make_array, 1)

    def local(self, obj: Any) -> int:
        """A handle chosen here (negative, so it never clashes with the harness's)."""
        rid = self._next_local
        self._next_local -= 1
        self.objects[rid] = obj
        return rid

    def parameters(self, fn: Any) -> list[Param] | None:
        """`inspect.signature(fn)`'s parameters (None: Python cannot tell), cached per function or class.

        Every call the harness makes with extras asks for them (grader/inside/params.py reads them). A bound
        method is keyed by its function (it is a new object each time); the cache holds what it keys on, so
        an id is never reused while its entry lives.
        """
        bound = _isinstance(fn, _MethodType)
        target = fn.__func__ if bound else fn
        cacheable = _isinstance(target, (_FunctionType, type))
        key = (_key(target), bound)
        if cacheable and key in self._signatures:
            return self._signatures[key][1]
        params = read_parameters(fn)
        if cacheable:
            self._signatures[key] = (target, params)
        return params

    def is_standin_type(self, cls: type) -> bool:
        """Whether instances of `cls` are the grader's stand-ins' (asked of every call's result: cached per
        type, each type kept alive by the cache so that its key names it for good)."""
        known = self._standin_types.get(_key(cls))
        if known is None:
            registry = student.standin_registry()
            known = (cls, registry is not None and registry.is_standin(cls))
            self._standin_types[_key(cls)] = known
        return known[1]

    def describe(self, obj: Any) -> dict[str, Any]:
        """`answer`'s description as a dict of its fields (the form the harness reads either way)."""
        form = self.answer(obj)
        return form if _type(form) is dict else dict(zip(wire.FLAT_FIELDS[_len(form)], form, strict=True))

    def unname(self) -> None:
        """The reply being built was not sent: its names go with their types' next answers again."""
        self.named.difference_update(self.naming)
        self.naming = []

    def answer(self, obj: Any) -> list[Any] | dict[str, Any]:
        """The description of `obj` on the wire: a type's name and index and a kind; an array's shape and
        dtype too. Those two forms (most of a reply) go as flat lists in `wire.FLAT_FIELDS`' order, cheaper
        to write, parse and check than objects; the kinds with a field of their own (a value, a length, a
        class's name) as objects."""
        cls = _type(obj)
        head = self._heads.get(_key(cls))
        if head is None:  # a type seen before stays alive in _types, so its key names it for good
            head = self._heads[_key(cls)] = (
                clean_text(_getattr(cls, "__qualname__", "?"), _STR_CAP),
                _len(self._types),
            )
            self._types.append(cls)
        name, tid = head
        if obj is None or obj is MISSING:
            return [name, tid, "none" if obj is None else "missing"]
        if _isinstance(obj, bool):
            return {"n": name, "t": tid, "k": "bool", "v": obj}
        if _isinstance(obj, int) and abs(obj) < wire.MAX_INT:
            return {"n": name, "t": tid, "k": "int", "v": int(obj)}
        if _isinstance(obj, float):
            return {"n": name, "t": tid, "k": "float", "v": wire.encode(float(obj))}
        if _isinstance(obj, str):
            return {"n": name, "t": tid, "k": "str", "v": clean_text(obj, _STR_CAP)}
        if _isinstance(obj, _ndarray):
            return [name, tid, "ndarray", [int(n) for n in obj.shape], obj.dtype.kind]
        if _isinstance(obj, _generic):
            return [name, tid, "scalar"]
        if _isinstance(obj, type):  # type's own name: no metaclass code
            return {"n": name, "t": tid, "k": "class", "name": clean_text(_NAME.__get__(obj), _STR_CAP)}
        if _isinstance(obj, (list, tuple, dict)):
            return {"n": name, "t": tid, "k": _type_kind(obj), "len": _len(obj)}
        return [name, tid, "callable" if callable(obj) else "object"]


def _type_kind(obj: Any) -> str:
    return "list" if _isinstance(obj, list) else "tuple" if _isinstance(obj, tuple) else "dict"


def _make_array(enc: Any, dtype: str) -> np.ndarray:
    a = codec.decode(enc)
    return a.astype(np.int64) if dtype == "i8" else a


# ---------------------------------------------------------------- operations
# Each takes the server and the operation's fields. Those `OPS` marks KEPT return an object kept under the
# handle the harness named; the PLAIN ones return plain JSON data.


def _lookup(s: Server, op: Mapping[str, Any]) -> Any:
    if s.names is None:
        raise wire.WireError("lookup before load")
    if s.load_failed:
        # The lookups the harness queued behind the load, in its batch: a load that failed ends the phase,
        # and none of its names is found, so none is described (a class's description can run the student's
        # code: a constructor's __signature__, test_adapter_miniflow.py's failed-load test).
        return MISSING
    found = s.names.locate(str(op["name"]))
    return MISSING if found is None else found[1]


def _call(s: Server, op: Mapping[str, Any]) -> Any:
    fn = s.value(op["f"])
    args = s.value(op.get("a", []))
    # The harness sends "kw" and "extras" only when it has some (remote.Session.call): the absent ones are a
    # fresh empty dict without the general walk, which took ~1 to 2 us a call op, ~200 a MiniFlow job.
    kwargs = s.value(op["kw"]) if "kw" in op else {}
    extras = s.value(op["extras"]) if "extras" in op else None
    if extras:
        kwargs.update(_wanted_extras(s.parameters(fn), len(args), extras))
    return _own(s, fn, _built(s, fn, _invoke(s, fn, args, kwargs, op.get("within"))))


def _built(s: Server, fn: Any, obj: Any) -> Any:
    """A graded layer class's call returns an instance of it: a `__new__` returning an object of another
    class (whose methods call the stand-in's) is graded as no layer at all (review of s20-hostile,
    i_new_returns_other.py: 29 / 29 before). `type(obj)`'s own MRO, read past any metaclass."""
    hit = s.layers.get(_key(fn))
    if hit is None or hit[0] is not fn or fn in _MRO.__get__(_type(obj)):
        return obj
    made = clean_text(_getattr(_type(obj), "__qualname__", "?"), _STR_CAP)
    raise StudentFailure(
        "missing_name",
        f"{hit[1]}(...) returned an object of {made}, not an instance of {hit[1]}: a layer's class must "
        f"build the layer itself (its __new__ returning an instance of {hit[1]}), so {hit[1]} counts as "
        "missing",
    )


def _own(s: Server, fn: Any, obj: Any) -> Any:
    """A call's result, unless it is an instance of a grader stand-in (a function of the student's returning
    `common.layers.Relu()`): nothing of a stand-in is ever graded as the student's."""
    if s.is_standin_type(_type(obj)):
        name = clean_text(_getattr(_type(obj), "__qualname__", "?"), _STR_CAP)
        called = clean_text(_getattr(fn, "__qualname__", "the call"), _STR_CAP)
        raise StudentFailure(
            "missing_name",
            f"{called}() returned an object of the grader's stand-in {name}, not of a class of your own: "
            "write the layer yourself (the stand-in only lets your other classes run)",
        )
    return obj


def _held(s: Server, op: Mapping[str, Any]) -> list[list[str]]:
    """The object's own attributes that hold an instance of a grader stand-in: [attribute, class, module].

    Only the fact: the harness decides what it means (a layer of the student's that forwards every call to
    the stand-in it holds is not the student's layer; a TwoLayerNet built from stand-in layers is).
    """
    try:
        attrs = list(vars(s.value(op["obj"])).items())[:MAX_OWN_ATTRS]
    except TypeError:  # no __dict__ (slots, a builtin): nothing held that this can see
        return []
    held = []
    for name, value in attrs:
        cls = _type(value)
        if s.is_standin_type(cls):
            module = _getattr(cls, "__module__", "?")
            qualname = _getattr(cls, "__qualname__", "?")
            held.append([clean_text(x, _STR_CAP) for x in (name, qualname, module)])
    return held


def _graded_of(s: Server, target: Any) -> tuple[str, bool] | None:
    """The graded class `target` runs code of (the class, an instance, or a method bound to one), if any:
    (its name, whether it is named like a stand-in layer)."""
    owner = _getattr(target, "__self__", target) if _isinstance(target, _MethodType) else target
    cls = owner if _isinstance(owner, type) else _type(owner)
    hit = s.layers.get(_key(cls)) or s.others.get(_key(cls))
    return (hit[1], _key(cls) in s.layers) if hit is not None and hit[0] is cls else None


def _calling(s: Server, target: Any, run: Callable[[], Any]) -> Any:
    """`run()`, a call the harness makes of the student's code, under the stand-in layers' guard
    (standins.Registry.layer_guard).

    Deny by default: from the first call of a graded layer of the student's in a case (built, a method
    called, an attribute read) to the case's `release`, the stand-in's layers refuse to run, whatever op
    runs the student's code: a lazy value (a `data` property, `__array__`) read by `array`, `getitem`,
    `operator`, `list`, `setattr` or `contains` after the call returned ran `common.layers.Affine.forward`
    unguarded (review of s20-hostile, f_lazy_standin.py: 29 / 29 before, when the guard held for the
    call only). A call of a graded class not named like a layer (TwoLayerNet on stand-in layers: what
    the stand-ins are for) runs with the guard lifted. A refusal is the op's `missing_name` (`_refusal`)."""
    registry = student.standin_registry()
    graded = _graded_of(s, target) if registry is not None else None
    if registry is None or graded is None:
        return run()
    name, layer = graded
    if layer:
        if registry.layer_call is None:
            registry.layer_call, registry.layer_refused = name, None
        return run()
    held, registry.layer_call = registry.layer_call, None
    try:
        return run()
    finally:
        registry.layer_call = held


def _refusal(s: Server) -> None:
    """The stand-in's refusal during the op just run, as its `missing_name`: the grader's words, and a
    stand-in's method name, whatever the student's code made of the exception (caught, or another
    raised)."""
    registry = student.standin_registry()
    if registry is not None and registry.layer_refused is not None:
        message, registry.layer_refused = registry.layer_refused, None
        raise StudentFailure("missing_name", message)


def _invoke(s: Server, fn: Any, args: list[Any], kwargs: dict[str, Any], within: Any) -> Any:
    return _calling(s, fn, lambda: _invoke_plain(s, fn, args, kwargs, within))


def _invoke_plain(s: Server, fn: Any, args: list[Any], kwargs: dict[str, Any], within: Any) -> Any:
    if within is None:
        return fn(*args, **kwargs)
    if "ctx" in within:
        with s.value(within["ctx"]):
            return fn(*args, **kwargs)
    holder, attr, flag = s.value(within["flag"])
    old = _getattr(holder, attr)
    setattr(holder, attr, flag)
    try:
        return fn(*args, **kwargs)
    finally:
        setattr(holder, attr, old)


def _wanted_extras(params: list[Param] | None, n_args: int, extras: Mapping[str, Any]) -> dict[str, Any]:
    """Students add `name=` to every node, `training=True` to forward_and_backward, `value` to
    Input.forward: pass an extra only where the signature has a required parameter of that name."""
    if params is None:
        return {}
    positional = [p for p in params if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]
    leftover = positional[n_args:] + [p for p in params if p.kind == KEYWORD_ONLY]
    return {p.name: extras[p.name] for p in leftover if not p.has_default and p.name in extras}


def _getattr_op(s: Server, op: Mapping[str, Any]) -> Any:
    obj = s.value(op["obj"])
    first: AttributeError | None = None
    for name in op["names"]:  # a loop, not a list comprehension first: one Python call less an op
        try:
            return _calling(s, obj, functools.partial(_getattr, obj, str(name)))  # a property runs code too
        except AttributeError as err:
            first = first or err
    if "default" in op:
        return s.value(op["default"])
    if op.get("missing_ok") or first is None:
        return MISSING
    raise first


def _getitem(s: Server, op: Mapping[str, Any]) -> Any:
    obj, key = s.value(op["obj"]), s.value(op["key"])
    if op.get("missing_ok") and (not _isinstance(obj, dict) or key not in obj):
        return MISSING
    return obj[key]


# The Python operators a case may apply to the student's objects (DeZero steps 20-22: `a * b`, `2.0 - x`,
# `-x`, `x ** 3`): run as Python runs them, so the student's reflected methods and NotImplemented count.
OPERATORS: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": operator.pow,
    "neg": operator.neg,
    # DeZero step 19: len(x), and a text as its character codes (records are numbers; the harness never
    # reads a student's string as anything but numbers).
    "len": len,
    "repr": lambda obj: _codes(repr(obj)),
    "str": lambda obj: _codes(str(obj)),
}
MAX_TEXT = 10_000


def _codes(text: Any) -> list[int]:
    if not _isinstance(text, str):
        raise TypeError(f"__repr__/__str__ returned {_type(text).__name__}, not str")
    return [ord(c) for c in text[:MAX_TEXT]]


def _operator(s: Server, op: Mapping[str, Any]) -> Any:
    """`a <op> b` (or `<op> a`) on handles and plain values."""
    fn = OPERATORS.get(str(op.get("op")))
    if fn is None:
        raise wire.WireError(f"unknown operator {op.get('op')!r}")
    return fn(*s.value(op["a"]))


def _new(s: Server, op: Mapping[str, Any]) -> Any:
    return s.value(op["value"])


def _only(s: Server, op: Mapping[str, Any]) -> Any:
    """A call's one output: itself, or the single element of the list or tuple it came in."""
    obj = s.value(op["obj"])
    if not _isinstance(obj, (list, tuple)):
        return obj
    if _len(obj) != 1:
        what = clean_text(op.get("what", "the call"), _STR_CAP)
        raise StudentFailure("exception", f"{what} returned {_len(obj)} outputs; expected 1")
    return obj[0]


def _list(s: Server, op: Mapping[str, Any]) -> list[Any]:
    out: list[Any] = []
    for item in s.value(op["obj"]):
        if _len(out) >= MAX_ITEMS:
            raise ValueError(f"more than {MAX_ITEMS} items")
        out.append(item)
    return out


def _iter(s: Server, op: Mapping[str, Any]) -> list[Any]:
    return [[s.local(item), s.answer(item)] for item in _list(s, op)]


def _items_or(s: Server, op: Mapping[str, Any]) -> list[Any] | None:
    """The items of a list or tuple, as `iter` answers them, or None for anything else (one value): what a
    result is read as (DeZero's and the layers' backward returns) in the batch that makes it, where its kind
    and then its items were two round trips. `kinds`: which of "list" and "tuple" are read as several.
    Iterated only when the object's type (never its `__class__`, student code) is a list or tuple of a kind
    asked and `describe` gives it a kind asked, as it did when the call was answered: a tuple whose
    `__class__` says it is a numpy scalar is one value, its `__iter__` never run, as before session 30.
    Should the iteration raise (a subclass's `__iter__`, an item `describe` cannot read), None too: the
    harness then asks `iter` alone, which raises it in a batch of its own, as before."""
    obj, kinds = s.value(op["obj"]), op["kinds"]
    cls = _type(obj)
    if not (("list" in kinds and _issubclass(cls, list)) or ("tuple" in kinds and _issubclass(cls, tuple))):
        return None
    try:
        return _iter(s, op) if s.describe(obj)["k"] in kinds else None
    except BaseException:  # the student's code may raise anything, SystemExit included (`execute`)
        return None


def _enlist(s: Server, op: Mapping[str, Any]) -> None:
    obj, item = s.value(op["obj"]), s.value(op["item"])
    for name in [str(n) for n in op["names"]]:
        found: Any = _getattr(obj, name, None)
        if _isinstance(found, list):
            if not any(x is item for x in found):
                found.append(item)
            return


def _setattr(s: Server, op: Mapping[str, Any]) -> None:
    setattr(s.value(op["obj"]), str(op["name"]), s.value(op["value"]))


def _setattrs(s: Server, op: Mapping[str, Any]) -> None:
    """A run of `setattr`s the harness queued one after another (MiniFlow's feeds: every Input's value, set
    and unset around each consumer's construction), in order, as one operation: each one's stand-in refusal
    is checked before the next runs, as between operations (`execute`)."""
    for obj, name, value in op["sets"]:
        setattr(s.value(obj), str(name), s.value(value))
        _refusal(s)


def _setitem(s: Server, op: Mapping[str, Any]) -> None:
    obj = s.value(op["obj"])
    obj[s.value(op["key"])] = s.value(op["value"])


def _rejects(s: Server, op: Mapping[str, Any]) -> bool:
    """Whether calling `f` with `a` raises a TypeError (DeZero step 9's `Variable(1.0)`); any other exception
    is the student's failure as usual, a return is False."""
    fn, args = s.value(op["f"]), s.value(op.get("a", []))
    try:
        fn(*args)
    except _TypeError:
        return True
    return False


def _contains(s: Server, op: Mapping[str, Any]) -> bool:
    return bool(s.value(op["key"]) in s.value(op["obj"]))


def _same(s: Server, op: Mapping[str, Any]) -> int:
    """The index of the first of `among` that *is* `obj`, -1 when none is."""
    obj = s.value(op["obj"])
    return next((i for i, other in enumerate(s.value(op["among"])) if other is obj), -1)


def _array(s: Server, op: Mapping[str, Any]) -> Any:
    obj = s.value(op["obj"])
    if (obj is None or obj is MISSING) and op.get("none_ok"):
        if op.get("gate"):  # a record left unset: the harness explains it with questions of its own
            s.unset = True
        return None
    try:
        return codec.encode_bytes(to_array(obj, str(op.get("what", "a value"))))
    except Exception as exc:  # the student's object may raise anything while it is read
        if op.get("soft"):  # not an array: decoding it in the harness fails, and says so
            return {"unreadable": clean_text(getattr(exc, "message", exc), _STR_CAP)}
        raise


def _signature(s: Server, op: Mapping[str, Any]) -> Any:
    return _params_reply(s.parameters(s.value(op["obj"])))


def _signature_ahead(s: Server, op: Mapping[str, Any]) -> Any:
    """A signature asked with a process's first batch, before any case needs it: answered only for a plain
    function read without any of the student's code running (nothing to raise, nothing to stop the batch);
    False for anything else, which the harness asks with `signature` where it needs it, as before."""
    fn = s.value(op["obj"])
    return _params_reply(s.parameters(fn)) if read_without_code(fn) else False


def _params_reply(params: list[Param] | None) -> Any:
    if params is None:
        return None
    return [[clean_text(p.name, 100), p.kind, p.has_default] for p in params[: wire.MAX_PARAMS]]


def _init_of(cls: type) -> Any:
    """The __init__ a class's instances are built with, read from its MRO's own dicts through `type`'s own
    descriptors (a metaclass's __getattribute__ is never asked for __mro__ or __dict__), or None for
    object's own. The __init__ found may be any object of the student's: reading its parameters
    (`_init_params`) may run their code."""
    for c in _MRO.__get__(cls):
        init = _DICT.__get__(c).get("__init__")
        if init is not None:
            return None if c is object else init
    return None


def _init_params(s: Server, cls: type) -> Any:
    """The constructor's parameters for the class description, or None (Python cannot tell). An __init__
    that is no plain function (a decorator's object) is read by inspect, which asks for its __signature__ and
    more: their code may raise anything, and the description is asked for every class a case calls, so a
    raise here broke a case that never needed it ("loading the submission: RuntimeError"; review of
    s22-real, finding 5). Its constructor then says "cannot tell", as one inspect refuses does."""
    try:
        return _params_reply(s.parameters(_init_of(cls)))
    except Exception:  # the student's descriptor, property or metaclass code: anything
        return None


def _classinfo(s: Server, op: Mapping[str, Any]) -> Any:
    cls = s.value(op["obj"])
    if not _isinstance(cls, type):
        return None
    namespace = _DICT.__get__(cls)
    # the grader's hash (stable_hash.py) is nothing the student wrote
    written = [a for a in list(namespace) if not stable_hash.is_ours(namespace[a])]
    own = [clean_text(a, 100) for a in written[:MAX_OWN_ATTRS]]
    bases = _MRO.__get__(cls)
    if _len(bases) > MAX_BASES:  # the class itself first, the root and object last (what the harness reads)
        bases = bases[: MAX_BASES - 2] + bases[-2:]
    mro = [[s.local(c), s.answer(c)] for c in bases]
    # its constructor's parameters, with the description the first round trip of a process asks for: how a
    # MiniFlow node takes its inbound nodes (one list, or one by one) costs no round trip of its own
    init = _init_params(s, cls)
    return {"name": clean_text(_NAME.__get__(cls), _STR_CAP), "own": own, "mro": mro, "init": init}


def _stub_consumer(s: Server, op: Mapping[str, Any]) -> Any:
    """A MiniFlow node class deriving from the student's base, that only hands `upstream` to its input."""

    def forward(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    def backward(self: Any, *args: Any, **kwargs: Any) -> None:
        self.gradients = {self._grader_of: self._grader_upstream}

    return type("UpstreamStub", (s.value(op["base"]),), {"forward": forward, "backward": backward})


def _case_dataset(s: Server, op: Mapping[str, Any]) -> Any:
    """DeZero step 49: a Dataset subclass of the student's base, as the book's Spiral is one: its `prepare`
    sets the case's `data` and `label` (held by the class, so the base's __init__ finds them when it calls
    prepare). With it, the case's transform `lambda x: x * 2`, which the harness hands to the constructor: the
    pair (class, transform)."""
    data, label = s.value(op["data"]), s.value(op["label"])

    def prepare(self: Any) -> None:
        self.data, self.label = data, label

    def double(x: Any) -> Any:
        return x * 2

    return (_type("CaseDataset", (s.value(op["base"]),), {"prepare": prepare}), double)


def _gate_none(s: Server, op: Mapping[str, Any]) -> None:
    """Values the harness explains should any be None or missing (the Inputs' values a MiniFlow sort fed,
    read before a backward pass whose sync goes with the case's end): `if_clean` then refuses the batch
    behind, as it does behind a record left unset. `stop`: the batch stops there too (an sgd step behind the
    pass would run on that value, as it never did when the pass had its own round trip)."""
    for obj in s.value(op["obj"]):
        if obj is None or obj is MISSING:
            s.unset = True
            if op.get("stop"):
                raise wire.WireError(wire.GATE_STOPPED)


def _if_clean(s: Server, op: Mapping[str, Any]) -> None:
    """The first operation of a batch the harness sent in one write behind a case's end (docs/SANDBOX.md,
    "A case's end and the next case's first batch"): that batch runs only when the case's end ran to its
    end and every record the case read was set. Otherwise the harness still has questions about the case's
    objects
    (why a record is unset, which step failed), which the next case's first operation (`release`) would
    free: the batch is refused unread, and sent again once they are answered."""
    if s.previous_failed or s.unset:
        raise wire.WireError(wire.SKIPPED)


def _release(s: Server, op: Mapping[str, Any]) -> None:
    """Forget every handle but `keep` (the names looked up): a finished case's objects are freed."""
    keep = {int(k) for k in op.get("keep", [])}
    for rid in [r for r in s.objects if r not in keep]:
        del s.objects[rid]
    stable_hash.restart()
    s.unset = False  # the next case's records from here on
    registry = student.standin_registry()
    if registry is not None:  # the case is over: the stand-in's layers serve again (TwoLayerNet's cases)
        registry.layer_call = registry.layer_refused = None


def _load(s: Server, op: Mapping[str, Any]) -> Any:
    guard.install(op.get("forbidden_imports") or ())
    loaded = student.load(
        s.root,
        preferred=list(op.get("modules") or ()),
        required=list(op.get("required") or ()),
        optional=list(op.get("optional") or ()),
        aliases={str(k): tuple(v) for k, v in dict(op.get("aliases") or {}).items()},
        exclude=list(op.get("support_files") or ()),
        one_of=[[str(n) for n in g] for g in list(op.get("one_of") or ()) if isinstance(g, list)],
        copies={str(k): str(v) for k, v in dict(op.get("copies") or {}).items()},
        copy_reasons={str(k): str(v) for k, v in dict(op.get("copy_reasons") or {}).items()},
        stage_step=str(op["stage_step"]) if op.get("stage_step") is not None else None,
        family=str(op.get("family") or ""),
        pickle_defs={
            str(k): [str(n) for n in v]
            for k, v in dict(op.get("pickle_defs") or {}).items()
            if isinstance(v, list)
        },
    )
    s.names = loaded.names
    s.load_failed = loaded.failure is not None
    s.layers, s.others = {}, {}
    for name in loaded.found:
        cls = loaded.names.get(name)
        if _isinstance(cls, type):
            (s.layers if name in standins.BOOK_LAYERS else s.others)[_key(cls)] = (cls, name)
    blocked = loaded.names.blocked
    return {
        **loaded.frame(),
        "failure": loaded.failure.to_dict() if loaded.failure else None,
        "defined": loaded.names.defined()[:MAX_OWN_ATTRS],
        "blocked": blocked.to_dict() if blocked else None,
        "reasons": dict(loaded.reasons),
    }


def _error(s: Server, exc: BaseException, at: int) -> dict[str, Any]:
    if isinstance(exc, StudentFailure):
        return {"at": at, "failure": exc.to_dict()}
    if _isinstance(exc, wire.WireError):
        return {"at": at, "wire": clean_text(exc, 300)}
    info: ErrorInfo = error_info(exc, s.root)
    out: dict[str, Any] = {"at": at, "error": info.to_wire()}
    if _isinstance(exc, KeyError) and exc.args:
        out["key"] = s.local(exc.args[0])  # which object was missing: the harness asks which node it is
    return out


# name -> (the operation, whether its result is kept under a handle the harness named and described: KEPT;
# PLAIN data otherwise): the one registry, one lookup an operation
KEPT, PLAIN = True, False
OPS: dict[str, tuple[Callable[[Server, Mapping[str, Any]], Any], bool]] = {
    "lookup": (_lookup, KEPT),
    "call": (_call, KEPT),
    "getattr": (_getattr_op, KEPT),
    "getitem": (_getitem, KEPT),
    "new": (_new, KEPT),
    "operator": (_operator, KEPT),
    "list": (_list, KEPT),
    "only": (_only, KEPT),
    "stub": (_stub_consumer, KEPT),
    "dataset": (_case_dataset, KEPT),
    "setattr": (_setattr, PLAIN),
    "setattrs": (_setattrs, PLAIN),
    "enlist": (_enlist, PLAIN),
    "setitem": (_setitem, PLAIN),
    "contains": (_contains, PLAIN),
    "rejects": (_rejects, PLAIN),
    "same": (_same, PLAIN),
    "iter": (_iter, PLAIN),
    "items_or": (_items_or, PLAIN),
    "array": (_array, PLAIN),
    "signature": (_signature, PLAIN),
    "signature_ahead": (_signature_ahead, PLAIN),
    "classinfo": (_classinfo, PLAIN),
    "held": (_held, PLAIN),
    "release": (_release, PLAIN),
    "load": (_load, PLAIN),
    "if_clean": (_if_clean, PLAIN),
    "gate_none": (_gate_none, PLAIN),
}


def execute(s: Server, ops: list[Any]) -> dict[str, Any]:
    """The batch's reply. The type names its answers carry first are in `s.naming` (`Server.named`)."""
    s.previous_failed, s.failed = s.failed, False
    s.naming = []
    results: list[Any] = []
    for i, op in enumerate(ops):
        try:
            name = op["o"]
            entry = OPS.get(name) if _type(name) is str else None
            if entry is None:
                raise wire.WireError(f"unknown operation {name!r}")
            run, kept = entry
            # The stand-in's refusal during the op (if any) is raised in place of whatever it returned or
            # raised (`_refusal`, checked here rather than in a wrapper: two Python calls less an op).
            try:
                result = run(s, op)
            finally:
                registry = student.standin_registry()
                if registry is not None and registry.layer_refused is not None:
                    _refusal(s)
            if kept:
                s.objects[int(op["id"])] = result
                result = s.answer(result)
                # A flat answer without its type's name once an earlier answer carried it (wire.FLAT_FIELDS
                # less the name): the harness keeps every operation's answer's name by index. Only an
                # operation's own answer: those inside another (`iter`'s items, a class's MRO) are read by the
                # harness only when it needs them, and carry their names always. Here, not in a method: a
                # Python call an op less.
                if _type(result) is list:
                    tid = result[1]
                    if tid in s.named:
                        result = result[1:]
                    else:
                        s.named.add(tid)
                        s.naming.append(tid)
            results.append(result)
        except BaseException as exc:  # the student's code may raise anything, SystemExit included
            s.failed = True
            try:
                return {"res": results, "err": _error(s, exc, i)}
            except BaseException:
                return {"res": results, "err": {"at": i, "wire": "an error that could not be described"}}
    return {"res": results, "err": None}


def serve(fd: int, root: str) -> None:
    """Answer batches on `fd` until the harness closes it."""
    server = Server(os.path.realpath(root))
    while True:
        request = frames.read_blob(fd, MAX_REQUEST_BYTES)
        if request is None:
            return
        try:
            ops = wire.load_ops(request)
            reply = execute(server, ops if _isinstance(ops, list) else [])
            data = wire.dumps(reply)
        except BaseException as exc:
            server.failed = True
            server.unname()
            data = wire.dumps({"res": [], "err": {"at": 0, "wire": _wire_text(exc)}})
        _flush()  # what the student printed is captured even if this process is killed later
        frames.write_blob(fd, data)


def _wire_text(exc: BaseException) -> str:
    """Why a batch could not be answered at all, in a few words: a MemoryError (building a huge answer) has
    no message of its own, and "could not run this step ()" told a student nothing."""
    if _isinstance(exc, MemoryError):
        return wire.OUT_OF_MEMORY
    return clean_text(exc, 300) or clean_text(_getattr(_type(exc), "__name__", "an error"), 100)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BaseException:  # the student may have closed or replaced them
            pass
