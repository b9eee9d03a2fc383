"""The student process's server: the operations that save round trips, and the signature cache."""

from __future__ import annotations

import sys

import pytest
from inside_helpers import run_alone

from grader.inside import remote, server, standins, student, wire


def _run(s: server.Server, *ops: dict) -> dict:
    return server.execute(s, list(ops))


def _new(rid: int, value: object) -> dict:
    return {"o": "new", "id": rid, "value": value}


def test_only_unwraps_a_one_element_sequence_and_passes_anything_else() -> None:
    """`only` gives a call's single output whether it came alone, in a list or in a tuple."""
    s = server.Server("/")
    s.objects.update({1: [7], 2: (8,), 3: 9})
    out = _run(s, *({"o": "only", "id": 10 + r, "obj": {"r": r}, "what": "Add.__call__"} for r in (1, 2, 3)))
    assert out["err"] is None
    assert [s.objects[11], s.objects[12], s.objects[13]] == [7, 8, 9]


def test_only_names_the_call_and_the_count_when_there_are_several() -> None:
    """Two outputs where one is expected is the student's error, in words naming the call."""
    s = server.Server("/")
    s.objects[1] = [1, 2]
    out = _run(s, {"o": "only", "id": 2, "obj": {"r": 1}, "what": "Add.__call__"})
    assert out["err"]["failure"]["message"] == "Add.__call__ returned 2 outputs; expected 1"


def test_items_or_answers_the_items_of_the_kinds_asked_and_nothing_for_one_value() -> None:
    """`items_or` answers a list's or tuple's items as `iter` does when its kind is asked, None for anything
    else (a list when only tuples are asked: a layer's lone dx as a nested list is one value); decided by
    the type, so an object whose `__class__` claims list (read by `describe`) is answered None and its
    `__iter__` never runs (the harness then asks `iter`, as before session 30)."""
    ran: list[str] = []

    class Liar:
        @property
        def __class__(self) -> type:  # type: ignore[override]
            return list

        def __iter__(self):  # type: ignore[no-untyped-def]
            ran.append("iter")
            return iter([1])

        def __len__(self) -> int:
            return 1

    class Pair(tuple):
        pass

    s = server.Server("/")
    s.objects.update({1: [7, 8], 2: (9,), 3: 5.0, 4: None, 5: Liar(), 6: Pair((1, 2))})
    both, tuples = ["list", "tuple"], ["tuple"]
    out = _run(s, *({"o": "items_or", "obj": {"r": r}, "kinds": both} for r in range(1, 7)),
               {"o": "items_or", "obj": {"r": 1}, "kinds": tuples})  # fmt: skip
    assert out["err"] is None and ran == []
    listed, one, value, none, liar, pair, nested = out["res"]
    assert [s.objects[h] for h, _ in listed] == [7, 8] and [d["k"] for _, d in listed] == ["int", "int"]
    assert [s.objects[h] for h, _ in one] == [9] and [s.objects[h] for h, _ in pair] == [1, 2]
    assert value is None and none is None and liar is None and nested is None
    assert s.describe(s.objects[5])["k"] == "list"  # what the harness reads beside it


def test_items_or_skips_a_tuple_described_as_one_and_answers_none_for_an_iteration_that_raises() -> None:
    """Review of s30-strips: a tuple subclass whose `__class__` claims a numpy scalar is described as one
    value (`describe`: "scalar"): `items_or` answers None and never runs its `__iter__`, which `iter` never
    ran either (the harness read it as one value); a tuple whose `__iter__` raises (or exits) is answered
    None, the batch not stopped there: the harness asks `iter` alone, which raises it in its own batch, as
    before. Controls: `iter` raises for the raising tuples, and the same tuple without the lying
    `__class__` is answered its items."""
    import numpy as np

    ran: list[str] = []

    class Lying(tuple):
        @property
        def __class__(self) -> type:  # type: ignore[override]
            return np.int8

        def __iter__(self):  # type: ignore[no-untyped-def]
            ran.append("lying")
            return super().__iter__()

    class Raising(tuple):
        def __iter__(self):  # type: ignore[no-untyped-def]
            ran.append("raising")
            raise ValueError("no items")

    class Exiting(tuple):
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise SystemExit(3)

    class Honest(tuple):
        pass

    s = server.Server("/")
    s.objects.update({1: Lying((1, 2)), 2: Raising((1, 2)), 3: Exiting((1,)), 4: Honest((1, 2))})
    assert s.describe(s.objects[1])["k"] == "scalar"  # what the harness reads beside it
    both = ["list", "tuple"]
    out = _run(s, *({"o": "items_or", "obj": {"r": r}, "kinds": both} for r in range(1, 5)))
    assert out["err"] is None and out["res"][:3] == [None, None, None] and ran == ["raising"]
    assert [s.objects[h] for h, _ in out["res"][3]] == [1, 2]
    for rid in (2, 3):  # control: `iter`, asked alone, raises
        assert _run(s, {"o": "iter", "obj": {"r": rid}})["err"]["at"] == 0


def test_list_copies_any_iterable_into_one_handle() -> None:
    """`list` turns a generator into a list the harness can pass on whole."""
    s = server.Server("/")
    s.objects[1] = (n * n for n in range(3))
    described = _run(s, {"o": "list", "id": 2, "obj": {"r": 1}})["res"]
    assert described[0]["k"] == "list" and described[0]["len"] == 3
    assert s.objects[2] == [0, 1, 4]


def test_array_of_missing_attribute_is_none_when_asked() -> None:
    """A record of an attribute the object lacks reads as None (the harness then says it is unset)."""
    s = server.Server("/")
    s.objects[1] = object()
    out = _run(
        s,
        {"o": "getattr", "id": 2, "obj": {"r": 1}, "names": ["grad"], "missing_ok": True},
        {"o": "array", "obj": {"r": 2}, "what": "grad", "none_ok": True},
    )
    assert out["err"] is None and out["res"][1] is None


def test_signature_cached_per_function_and_per_class(monkeypatch) -> None:
    """Parameters are read once per function or class, however many bound methods or calls ask."""
    calls: list[object] = []
    real = server.read_parameters

    def counting(fn: object) -> object:
        calls.append(fn)
        return real(fn)

    monkeypatch.setattr(server, "read_parameters", counting)

    class Node:
        def __init__(self, inbound, name):
            self.name = name

        def forward(self, value):
            return value

    s = server.Server("/")
    first, second = Node([], "a"), Node([], "b")
    for obj in (first, second, first):
        assert [p.name for p in s.parameters(obj.forward) or []] == ["value"]
        assert [p.name for p in s.parameters(Node) or []] == ["inbound", "name"]
    assert len(calls) == 2


def test_signature_of_an_uninspectable_callable_is_none() -> None:
    """A builtin without a signature (max: inspect raises ValueError) gives None: nothing assumed."""
    assert server.Server("/").parameters(max) is None


def test_a_signature_asked_ahead_runs_no_code_of_the_students() -> None:
    """`signature_ahead` answers a plain function's parameters as `signature` does, and False (ask later)
    for anything whose reading could run the student's code or raise: a dict subclass as its keyword
    defaults (its __contains__ never runs), a tuple subclass as its defaults, __signature__ set, a key of a
    class of the student's in its __dict__ or keyword defaults hashed as a name looked up there (its __eq__
    never runs), a class, a builtin, a missing name. Nothing of it stops the batch: the operation after it
    still runs."""
    ran: list[str] = []

    class Kw(dict):
        def __contains__(self, key: object) -> bool:
            ran.append("contains")
            raise RuntimeError("the student's code ran")

    class Defaults(tuple):
        def __len__(self) -> int:
            ran.append("len")
            raise RuntimeError("the student's code ran")

    def plain(graph, *, training=False):
        return graph

    def kw(graph, *, training=False):
        return graph

    def defaulted(graph, training=False):
        return graph

    def marked(graph):
        return graph

    class Key:
        """Hashed as a name the reading looks up: a dict lookup of that name runs its __eq__."""

        def __init__(self, name: str) -> None:
            self.name = name

        def __hash__(self) -> int:
            return hash(self.name)

        def __eq__(self, other: object) -> bool:
            ran.append("eq " + self.name)
            raise RuntimeError("the student's code ran")

    def keyed_attr(graph):
        return graph

    def keyed_kw(graph, *, training=False):
        return graph

    kw.__kwdefaults__ = Kw(training=False)
    defaulted.__defaults__ = Defaults((False,))
    marked.__signature__ = None  # type: ignore[attr-defined]
    keyed_attr.__dict__[Key("__wrapped__")] = 1
    keyed_kw.__kwdefaults__ = {Key("training"): False}
    s = server.Server("/")
    objects = [plain, kw, defaulted, marked, keyed_attr, keyed_kw, int, max, server.MISSING]
    reply = _run(s, *(_new(i + 1, None) for i in range(len(objects))))
    for i, obj in enumerate(objects):
        s.objects[i + 1] = obj
    asked = [{"o": "signature_ahead", "obj": {"r": i + 1}} for i in range(len(objects))]
    reply = _run(s, *asked, {"o": "signature", "obj": {"r": 1}})
    assert reply["err"] is None and not ran, (reply, ran)
    assert reply["res"][0] == [["graph", 1, False], ["training", 3, True]] == reply["res"][-1]
    assert reply["res"][1:-1] == [False] * (len(objects) - 1)


def test_a_lookup_after_a_failed_load_reads_nothing() -> None:
    """The harness sends the family's lookups in the load's batch: after a load that failed they answer
    missing without looking in the student's modules (a name found there is then described, which can run
    the student's code). Control: after a load that did not fail, the same lookup is located."""
    located: list[str] = []

    class Names:
        def locate(self, name: str) -> tuple[str, object]:
            located.append(name)
            return name, object()

    s = server.Server("/")
    s.names = Names()  # type: ignore[assignment]
    s.load_failed = True
    reply = _run(s, {"o": "lookup", "id": 1, "name": "Linear"})
    missing = remote._check_desc(reply["res"][0], {})["k"] == "missing"
    assert reply["err"] is None and missing and not located, reply
    s.load_failed = False
    reply = _run(s, {"o": "lookup", "id": 2, "name": "Linear"})
    assert (
        reply["err"] is None
        and remote._check_desc(reply["res"][0], {})["k"] != "missing"
        and located == ["Linear"]
    ), reply


def test_a_soft_read_of_something_unreadable_answers_instead_of_stopping_the_batch() -> None:
    """The inputs' read-back is soft: an object that is not numbers is answered as unreadable and the batch
    goes on; the same read without `soft` stops the batch at it (negative control)."""
    s = server.Server("/")
    s.objects[1] = {"not": "numbers"}
    s.objects[2] = [1.0, 2.0]
    read = {"o": "array", "obj": {"r": 1}, "what": "input x", "none_ok": True}
    soft = _run(s, {**read, "soft": True}, {"o": "array", "obj": {"r": 2}, "what": "input y"})
    assert soft["err"] is None and "unreadable" in soft["res"][0] and soft["res"][1]["shape"] == [2]
    hard = _run(s, read, {"o": "array", "obj": {"r": 2}, "what": "input y"})
    assert hard["err"] is not None and hard["err"]["at"] == 0 and hard["res"] == []


class _StandinRelu:
    """Plays a stand-in's class (the registry below says so)."""


class _Registry:
    """standins.Registry's answers the server reads: no layer call guarded, nothing refused."""

    layer_call: str | None = None
    layer_refused: str | None = None

    def is_standin(self, cls: object) -> bool:
        return cls is _StandinRelu


def test_held_reports_the_attributes_holding_a_standin_instance(monkeypatch) -> None:
    """`held` names each own attribute that holds a stand-in's instance (attribute, class, module); the
    student's own helper object, a stand-in class object and plain values are not reported."""
    monkeypatch.setattr(server.student, "standin_registry", lambda: _Registry())

    class Helper:
        pass

    class Relu:
        def __init__(self) -> None:
            self.inner = _StandinRelu()
            self.helper = Helper()
            self.cls = _StandinRelu
            self.mask = None

    s = server.Server("/")
    s.objects[1] = Relu()
    out = _run(s, {"o": "held", "obj": {"r": 1}})
    assert out["err"] is None
    assert out["res"] == [[["inner", "_StandinRelu", __name__]]]
    s.objects[2] = Helper()
    s.objects[3] = 7  # no __dict__: nothing it could hold that `held` sees
    assert _run(s, {"o": "held", "obj": {"r": 2}}, {"o": "held", "obj": {"r": 3}})["res"] == [[], []]


class _Reflected:
    """A stand-in for a student's Variable with only the reflected subtraction."""

    def __rsub__(self, other: float) -> tuple[str, float]:
        return ("rsub", other)


def test_operator_runs_pythons_operator_so_reflected_methods_answer() -> None:
    """`2.0 - obj` reaches obj.__rsub__(2.0), as in the student's own code (DeZero step 22)."""
    s = server.Server("/")
    s.objects[1] = _Reflected()
    out = _run(s, {"o": "operator", "id": 2, "op": "sub", "a": [2.0, {"r": 1}]})
    assert out["err"] is None and s.objects[2] == ("rsub", 2.0)


def test_operator_without_the_reflected_method_is_pythons_type_error() -> None:
    """Negative control: `2.0 + obj` with no __radd__ is the TypeError a student would see."""
    s = server.Server("/")
    s.objects[1] = _Reflected()
    out = _run(s, {"o": "operator", "id": 2, "op": "add", "a": [2.0, {"r": 1}]})
    assert out["err"]["error"]["description"].startswith("TypeError: unsupported operand type(s) for +")


def test_an_unknown_operator_is_refused_as_a_wire_error() -> None:
    """Only the listed operators run: anything else is the grader's mistake, never a student's error."""
    s = server.Server("/")
    out = _run(s, {"o": "operator", "id": 2, "op": "__import__", "a": ["os"]})
    assert "unknown operator" in out["err"]["wire"]


def test_repr_and_len_come_back_as_numbers() -> None:
    """repr(obj) as its character codes (records are numbers) and len(obj) as an int."""
    s = server.Server("/")
    s.objects[1] = [1, 2, 3]
    _run(s, {"o": "operator", "id": 2, "op": "repr", "a": [{"r": 1}]})
    _run(s, {"o": "operator", "id": 3, "op": "len", "a": [{"r": 1}]})
    assert "".join(map(chr, s.objects[2])) == "[1, 2, 3]" and s.objects[3] == 3


_FORMS = [
    {"r": 1},
    [{"r": 1}, {"r": 2}],
    [{"r": 2}, 3, "text", None, {"t": [{"r": 1}, 1.5]}, [{"r": 2}]],
    {"r": True},  # a bool is an int to the general walk: the fast path must not differ on it
    [{"r": True}, {"r": 1, "x": 2}],
    {"d": [["k", {"r": 2}]]},
    {"a": {"shape": [2], "data": [1.0, 2.0]}, "dt": "f8"},
    [{"a": {"shape": [1], "data": [3.0]}, "dt": "i8"}],
    {"f": "nan"},
    [],
    {},
]


@pytest.mark.parametrize("form", _FORMS, ids=range(len(_FORMS)))
def test_values_are_what_the_general_wire_walk_gives(form) -> None:
    """Server.value takes handles and lists of handles directly: wire.decode, the general walk, is the
    oracle for every form, the malformed and the odd ones included (the same value or the same error)."""
    s = server.Server("/")
    s.objects.update({1: ["one"], 2: {"two": 2}})

    def outcome(decode):
        try:
            return ("value", decode(form))
        except Exception as err:  # the error itself is compared
            return ("error", type(err), str(err))

    got = outcome(s.value)
    expected = outcome(lambda f: wire.decode(f, s.resolve, server._make_array))
    assert repr(got) == repr(expected)


def test_a_call_without_keywords_or_extras_gets_a_fresh_dict_without_the_general_walk(monkeypatch) -> None:
    """The harness sends "kw" and "extras" only when it has some: a call without them gets the same call as
    with their empty forms (a fresh dict of keywords each time, which the student's function may keep and
    change) and never walks an absent field with wire.decode, ~200 call ops a MiniFlow job (session 25)."""
    kept: list[dict] = []

    def f(*args, **kwargs):
        kwargs["mine"] = len(kept)
        kept.append(kwargs)
        return len(args)

    s = server.Server("/")
    s.objects.update({1: f, 2: 2.5})
    walked: list[object] = []
    real = wire.decode

    def counted(obj, *args, **kwargs):
        walked.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(wire, "decode", counted)
    bare = [{"o": "call", "id": 10 + i, "f": {"r": 1}, "a": [{"r": 2}]} for i in range(2)]
    assert _run(s, *bare)["err"] is None
    assert walked == []
    assert kept == [{"mine": 0}, {"mine": 1}] and kept[0] is not kept[1]
    empty = {"o": "call", "id": 20, "f": {"r": 1}, "a": [{"r": 2}], "kw": {"d": []}, "extras": {"d": []}}
    assert _run(s, empty)["err"] is None
    assert walked == [{"d": []}, {"d": []}] and kept[2] == {"mine": 2}
    assert [s.objects[10], s.objects[11], s.objects[20]] == [1, 1, 1]


class _Traced:
    """A decorator's object standing for __init__ (review of s22-real's traced_init.py): inspect reads its
    __signature__, which raises."""

    def __init__(self, f):
        self.f = f

    def __get__(self, obj, cls=None):
        return self if obj is None else (lambda *a, **k: self.f(obj, *a, **k))

    def __call__(self, *a, **k):
        return self.f(*a, **k)

    @property
    def __signature__(self):
        raise RuntimeError("signature not available")


class _Lying(type):
    """A metaclass whose __getattribute__ raises for the class's __mro__, __dict__ and __name__."""

    def __getattribute__(cls, name):
        if name in ("__mro__", "__dict__", "__name__"):
            raise RuntimeError(f"no {name}")
        return super().__getattribute__(name)


def test_a_class_description_runs_no_code_of_the_students_that_can_break_it() -> None:
    """The description every called class gets (with its constructor's parameters: review of s22-real,
    finding 5) reads __mro__, __dict__ and __name__ through `type`'s own descriptors, never a metaclass's
    __getattribute__, and an __init__ whose parameters cannot be read without the student's code raising
    is "cannot tell" (init None), not a failure of the batch. Control: a plain __init__'s parameters."""

    class Node(metaclass=_Lying):
        @_Traced
        def __init__(self, inbound_nodes=()):
            self.inbound_nodes = list(inbound_nodes)

    class Linear(Node):
        pass

    class Plain:
        def __init__(self, X, W, b=None):
            pass

    with pytest.raises(RuntimeError):
        Linear.__mro__  # noqa: B018  (the metaclass does raise: the test's premise)
    s = server.Server("/")
    s.objects.update({1: Linear, 2: Plain})
    out = _run(s, {"o": "classinfo", "obj": {"r": 1}}, {"o": "classinfo", "obj": {"r": 2}})
    assert out["err"] is None, out
    linear, plain = out["res"]
    assert (
        linear["name"] == "Linear" and linear["init"] is None and linear["own"] == ["__module__", "__doc__"]
    )
    assert len(linear["mro"]) == 3
    assert plain["init"] == [["self", 1, False], ["X", 1, False], ["W", 1, False], ["b", 1, True]]


# Run in a throwaway interpreter: an audit hook cannot be removed. A student process runs the grader's own
# hook (audit.py, Python) on every audit event, so each event the server raises per operation is a Python
# call of the hook (grader/inside/address.py).
SERVER_EVENTS = """
import json, sys
from grader.inside import remote, server, standins, student

class Linear:
    def __init__(self, n):
        self.n = n

    def forward(self, x):
        return [x] * self.n

s = server.Server("/")
s.layers = {server._key(Linear): (Linear, "Linear")}
s.objects[1] = Linear
student._REGISTRY = standins.Registry("/nonexistent-root")  # set by every job's load: the stand-in guard runs
events = []
sys.addaudithook(lambda event, args: events.append(event))
batches = []
names = {}  # the harness's, kept across the batches
for at in (0, 10):  # the second batch: the same types again, their descriptions and stand-in checks cached
    out = server.execute(s, [
        {"o": "call", "id": at + 2, "f": {"r": 1}, "a": [2]},
        {"o": "getattr", "id": at + 3, "obj": {"r": at + 2}, "names": ["forward"]},
        {"o": "call", "id": at + 4, "f": {"r": at + 3}, "a": [1.5]},
        {"o": "getattr", "id": at + 5, "obj": {"r": at + 2}, "names": ["n"]},
    ])
    kinds = [remote._check_desc(r, names)["k"] for r in out["res"]]
    batches.append({"err": out["err"], "res": kinds, "events": events[:]})
    events.clear()
print(json.dumps(batches))
"""


def test_the_servers_operations_raise_no_audit_event(tmp_path) -> None:
    """A batch of calls and attribute reads on the student's objects raises no audit event of the server's
    own: it keyed its caches by `id()`, whose "builtins.id" ran the grader's audit hook several times an
    operation. The stand-in registry is set, as a load sets it in every job, so that the stand-in guard's
    graded-class lookup (`_graded_of`) and the registry's own (`Registry._known`) run too: without it either
    could key by `id()` again unseen (review of s28-sstud)."""
    first, again = run_alone(SERVER_EVENTS, tmp_path)
    for batch in (first, again):
        assert batch["err"] is None and batch["res"] == ["object", "callable", "list", "int"]
    # a type's first stand-in check reads its methods' `__code__` (an event each, once a type, cached)
    assert set(first["events"]) <= {"object.__getattr__"}, first["events"]
    assert again["events"] == []


def test_an_operation_costs_the_server_few_python_calls(monkeypatch) -> None:
    """An attribute read of a float in a job runs eight Python functions of the server's (the op, the handle,
    the stand-in guard, its registry and its graded-class lookup, the refusal's registry, the description and
    the float's encoding): the op's wrapper, its refusal check, the handle's lookup and the names' list were a
    Python call each (twelve an op), and a job sends ~1,300 operations. The stand-in registry is set, as every
    job's load sets it (review of s28-sstud: without it the count was of a path no job takes, and a registry
    left set by an earlier test would have failed it)."""

    class Plain:
        x = 1.5

    monkeypatch.setattr(student, "_REGISTRY", standins.Registry("/nonexistent-root"))
    s = server.Server("/")
    s.objects[1] = Plain()
    ops = [{"o": "getattr", "id": 10 + i, "obj": {"r": 1}, "names": ["x"]} for i in range(50)]
    called: list[str] = []

    def count(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "call":
            called.append(frame.f_code.co_name)

    sys.setprofile(count)
    try:
        out = server.execute(s, ops)
    finally:
        sys.setprofile(None)
    assert out["err"] is None and [r["v"] for r in out["res"]] == [1.5] * 50
    # eight an op, `execute` itself and the type's name read once
    assert len(called) <= 8 * len(ops) + 2, sorted(set(called))


def test_an_objects_and_an_arrays_descriptions_travel_as_flat_lists() -> None:
    """Most of a reply's descriptions (an object's, a callable's, None's, an array's) go as lists of the
    fields' values, not objects of their names (cheaper for both sides: session 31); each reads on the
    harness's side as the object form written out here; a value, a length or a class's name keep theirs."""
    import numpy as np

    class Linear:
        pass

    s = server.Server("/")
    s.objects.update({1: Linear(), 2: np.zeros((2, 3)), 3: len, 4: None, 5: np.float32(1.0), 6: 7, 7: [1, 2]})
    out = server.execute(s, [{"o": "new", "id": 10 + h, "value": {"r": h}} for h in range(1, 8)])
    assert out["err"] is None, out
    res = wire.loads(wire.dumps(out))["res"]
    assert [type(r) for r in res] == [list] * 5 + [dict] * 2, res
    index = s._types.index  # a type's index: its place in the server's own list of the types it described
    assert [remote._check_desc(r, {}) for r in res] == [
        {"n": "test_an_objects_and_an_arrays_descriptions_travel_as_flat_lists.<locals>.Linear",
         "t": index(Linear), "k": "object"},
        {"n": "ndarray", "t": index(np.ndarray), "k": "ndarray", "shape": [2, 3], "dtype": "f"},
        {"n": "builtin_function_or_method", "t": index(type(len)), "k": "callable"},
        {"n": "NoneType", "t": index(type(None)), "k": "none"},
        {"n": "float32", "t": index(np.float32), "k": "scalar"},
        {"n": "int", "t": index(int), "k": "int", "v": 7},
        {"n": "list", "t": index(list), "k": "list", "len": 2},
    ]  # fmt: skip
    assert sorted(remote._check_desc(r, {})["t"] for r in res) == list(range(7))  # seven types, each its own
    assert [s.describe(s.objects[h]) for h in range(1, 8)] == [remote._check_desc(r, {}) for r in res]
