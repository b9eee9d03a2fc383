"""The harness reads a student process's replies strictly: a malformed one is the student's protocol violation
(the channel is broken), never a crash of the harness, never a failure code the student may not claim."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from grader.inside import codec, failures, program, remote, server, wire
from grader.inside.failures import ErrorInfo, Frame, MalformedReply, StudentFailure
from grader.inside.remote import Session, StudentProcessEnded

GOOD_ERROR = ErrorInfo("KeyError: 'x'", ("KeyError",), (Frame("m.py", 3, "Linear.backward", "x"),)).to_wire()


def _session(reply: Callable[[list[Any]], Any]) -> Session:
    """A session whose student process answers each batch with `reply(ops)`, as JSON."""
    return Session(lambda request: wire.dumps(reply(wire.load_ops(request))))


def _fails_with(err: Any) -> StudentFailure:
    session = _session(lambda ops: {"res": [], "err": err})
    with pytest.raises(StudentFailure) as raised:
        session.lookup("x").desc  # noqa: B018
    return raised.value


def test_a_well_formed_error_is_the_students_exception() -> None:
    """The control: the server's own form of an error is read as the student's exception, channel intact."""
    session = _session(lambda ops: {"res": [], "err": {"at": 0, "error": GOOD_ERROR}})
    with pytest.raises(StudentFailure) as raised:
        session.lookup("x").desc  # noqa: B018
    assert raised.value.code == "exception" and "KeyError" in raised.value.message
    assert not session.broken


@pytest.mark.parametrize(
    "error",
    [
        {**GOOD_ERROR, "frames": 1},  # the reproducer: an int where a list is
        {**GOOD_ERROR, "frames": [["m.py", "3", "f", "s", "m.py", 3]]},
        {**GOOD_ERROR, "frames": [["m.py", True, "f", "s", "m.py", 3]]},
        {**GOOD_ERROR, "frames": [["m.py", 3, "f", "s", "m.py", True]]},
        {**GOOD_ERROR, "frames": [["m.py", 3, "f", "s"]]},  # the raw file and line: six fields
        {**GOOD_ERROR, "kinds": "KeyError"},
        {**GOOD_ERROR, "kinds": ["NoSuchKind"]},
        {**GOOD_ERROR, "description": 5},
        {**GOOD_ERROR, "detail": ["x"]},
        {**GOOD_ERROR, "attr_name": 1},
        {**GOOD_ERROR, "extra": 1},
        [1, 2],
    ],
)
def test_a_malformed_error_breaks_the_channel(error: Any) -> None:
    """Each malformed field is a protocol violation of the student's, and nothing more is asked of it."""
    failure = _fails_with({"at": 0, "error": error})
    assert failure.code == "protocol_violation" and "not your" not in failure.message
    session = _session(lambda ops: {"res": [], "err": {"at": 0, "error": error}})
    with pytest.raises(StudentFailure):
        session.lookup("x").desc  # noqa: B018
    assert session.broken
    with pytest.raises(StudentProcessEnded) as ended:
        session.lookup("y").desc  # noqa: B018
    assert ended.value.why == "broken"


@pytest.mark.parametrize(
    "reply",
    [
        {"res": [], "err": None, "pad": [1.0]},  # an unknown key, however cheap or costly to parse
        {"res": {}, "err": None},
        {"res": [], "err": {"at": 5, "error": GOOD_ERROR}},
        {"res": [], "err": {"at": 0, "error": GOOD_ERROR, "wire": "x"}},
        {"res": [], "err": {"at": 0, "error": GOOD_ERROR, "key": 3}},
        {"res": [], "err": {"at": 0, "error": GOOD_ERROR, "surprise": 1}},
        {"res": [{"k": "int", "v": 1, "n": "int", "t": 0, "extra": 1}], "err": None},
    ],
)
def test_a_malformed_reply_is_a_protocol_violation(reply: Any) -> None:
    session = _session(lambda ops: reply)
    with pytest.raises(StudentFailure) as raised:
        session.lookup("x").desc  # noqa: B018
    assert raised.value.code == "protocol_violation" and session.broken


@pytest.mark.parametrize("code", ["crashed", "grader_error", "timeout", "protocol_violation", "nonsense"])
def test_a_student_process_cannot_claim_a_code_of_the_graders(code: str) -> None:
    """A failure sent with a code only the grader or the sandbox may set is malformed: the student's."""
    failure = _fails_with({"at": 0, "failure": {"code": code, "message": "not your code's fault"}})
    assert failure.code == "protocol_violation"


def test_a_student_code_with_its_message_is_taken_as_the_students_claim() -> None:
    """The control: the codes the server itself raises (a stand-in returned, two outputs) are accepted."""
    failure = _fails_with({"at": 0, "failure": {"code": "missing_name", "message": "stand-in", "detail": ""}})
    assert failure.code == "missing_name" and failure.message == "stand-in"


def test_a_load_answer_is_read_strictly() -> None:
    """The load's failure must carry a student code and the answer only the server's keys; the honest form
    (no failure) is the control."""
    honest = {"type": "loaded", "modules": {}, "found": {}, "missing": [], "near": {}, "failure": None}

    def load(answer: dict[str, Any]) -> Any:
        return _session(lambda ops: {"res": [answer], "err": None}).load({})

    assert load(honest)["failure"] is None
    forged = {**honest, "failure": {"code": "crashed", "message": "The grader itself failed"}}
    for answer in (forged, {**honest, "pad": "x" * 100}):
        with pytest.raises(StudentFailure) as raised:
            load(answer)
        assert raised.value.code == "protocol_violation"


def test_the_reply_cap_fits_a_batch_of_large_arrays_and_no_more_than_the_frames_take() -> None:
    """MAX_REPLY_BYTES holds a batch of two arrays of 902,500 elements each (each under the record cap: an
    honest Add.backward on large inputs), and not a reply larger than the parent accepts of a job's frames."""
    large = codec.encode_bytes(np.zeros(902_500))
    two = wire.dumps({"res": [large, large], "err": None})
    assert len(two) <= remote.MAX_REPLY_BYTES
    biggest = codec.encode_bytes(np.zeros(remote.MAX_ELEMENTS))
    four = wire.dumps({"res": [biggest] * 4, "err": None})
    assert len(four) > remote.MAX_REPLY_BYTES


def _factory(bug: Exception) -> Any:
    def build(*args: Any) -> Any:
        raise bug

    return build


def test_a_harness_bug_is_a_grader_error_a_student_error_is_not() -> None:
    """An exception of the harness's own code becomes `grader_error` (only the harness sets it); the control:
    the student's own exception on the same path is `exception`."""
    student = server.Server(os.path.realpath(os.getcwd()))
    session = Session(lambda request: wire.dumps(server.execute(student, wire.load_ops(request))))
    view = {"id": "c", "inputs": {}, "steps": []}
    frame = program.run_case(_factory(TypeError("a bug")), session, None, view)  # type: ignore[arg-type]
    assert frame["failure"]["code"] == failures.GRADER_ERROR and "a bug" in frame["failure"]["detail"]
    blamed = StudentFailure("exception", "Linear.backward: ValueError")
    frame = program.run_case(_factory(blamed), session, None, view)  # type: ignore[arg-type]
    assert frame["failure"]["code"] == "exception"


def test_from_dict_and_from_wire_refuse_what_to_dict_and_to_wire_never_write() -> None:
    """Round trips are exact; anything else raises MalformedReply (never TypeError or KeyError)."""
    assert ErrorInfo.from_wire(GOOD_ERROR).to_wire() == GOOD_ERROR
    sf = StudentFailure("not_implemented", "m", "d")
    assert StudentFailure.from_dict(sf.to_dict()).to_dict() == sf.to_dict()  # type: ignore[union-attr]
    for raw in (1, "x", [], {"code": "exception"}, {"code": "exception", "message": 1}):
        with pytest.raises(MalformedReply):
            StudentFailure.from_dict(raw)
    for raw in (None, 1, {}, {"description": None}):
        with pytest.raises(MalformedReply):
            ErrorInfo.from_wire(raw)


def test_a_deep_honest_traceback_is_sent_short_and_read_as_the_students(tmp_path) -> None:
    """A runaway recursion with the recursion limit raised by the student's code: the student process sends
    the outermost 5 and the innermost 20 of its thousands of frames, which the harness reads as the student's
    RecursionError, not as a malformed reply. Control: a shallow traceback keeps every frame."""
    source = tmp_path / "deep.py"
    source.write_text("def down(n):\n    return down(n + 1)\n\n\ndef shallow():\n    return 1 / 0\n")
    namespace: dict[str, Any] = {}
    exec(compile(source.read_text(), str(source), "exec"), namespace)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(5000)
    try:
        namespace["down"](0)
    except RecursionError as exc:
        deep = failures.error_info(exc, str(tmp_path))
    finally:
        sys.setrecursionlimit(limit)
    assert len(deep.frames) == 25 and all(f.function == "down" for f in deep.frames)
    read = ErrorInfo.from_wire(wire.loads(wire.dumps(deep.to_wire())))
    assert "RecursionError" in read.description and read.frames[-1].line == 2
    try:
        namespace["shallow"]()
    except ZeroDivisionError as exc:
        assert [f.function for f in failures.error_info(exc, str(tmp_path)).frames] == ["shallow"]


_DESC = {"n": "int", "t": 0, "k": "int", "v": 1}


@pytest.mark.parametrize(
    "desc",
    [
        {**_DESC, "k": ["int"]},  # review 7: an unhashable kind raised TypeError in the harness
        {**_DESC, "k": {"int": 1}},
        {**_DESC, "n": ["int"]},
        {**_DESC, "t": "0"},
        {**_DESC, "t": True},
        {**_DESC, "k": "list", "len": 1.5},
        {**_DESC, "k": "class", "name": 7},
        {**_DESC, "k": "ndarray", "shape": [1] * 33, "dtype": "f"},  # past numpy 1.x's 32 dimensions
        {**_DESC, "k": "ndarray", "shape": [2**63], "dtype": "f"},
        {**_DESC, "k": "ndarray", "shape": [True], "dtype": "f"},
        {**_DESC, "k": "ndarray", "shape": [2], "dtype": ["f"]},
    ],
)
def test_a_description_of_the_wrong_types_is_a_protocol_violation(desc: Any) -> None:
    """Each field of a description must be of the type the server writes; the control: an honest one."""
    session = _session(lambda ops: {"res": [desc], "err": None})
    with pytest.raises(StudentFailure) as raised:
        session.lookup("x").desc  # noqa: B018
    assert raised.value.code == "protocol_violation" and session.broken
    # an array's fields alone: an "ndarray" with a value ("v") is none the server writes (review32)
    honest = {"n": "ndarray", "t": 0, "k": "ndarray", "shape": [1] * 32, "dtype": "f"}
    assert _session(lambda ops: {"res": [honest], "err": None}).lookup("x").shape == (1,) * 32


@pytest.mark.parametrize(
    "desc",
    [
        ["Linear", 3],
        ["Linear", 3, "object", None],  # four fields: no form of the server's
        ["Linear", 3, "object", [2], "f"],  # an object's kind with an array's fields
        ["Linear", 3, "int"],  # a kind whose form has a field of its own (its value) goes as an object
        ["Linear", 3, "list"],
        ["Linear", 3, "class"],
        ["Linear", 3, "thing"],
        ["Linear", True, "object"],
        ["Linear", "3", "object"],
        [["Linear"], 3, "object"],
        ["Linear", 3, ["object"]],
        ["ndarray", 0, "ndarray", [1] * 33, "f"],  # past numpy 1.x's 32 dimensions
        ["ndarray", 0, "ndarray", [2**63], "f"],
        ["ndarray", 0, "ndarray", [True], "f"],
        ["ndarray", 0, "ndarray", [2], ["f"]],
        ["ndarray", 0, "ndarray", {"d": 2}, "f"],
        ["ndarray", 0, ["ndarray"], [2], "f"],
        ["ndarray", 0.0, "ndarray", [2], "f"],
    ],
)
def test_a_flat_description_not_in_the_servers_forms_is_a_protocol_violation(desc: Any) -> None:
    """A description sent as a list (the server's form for an object's and an array's, wire.FLAT_FIELDS) has
    exactly those fields of exactly those types; the controls: the two honest forms, read as the object
    forms written out by hand."""
    session = _session(lambda ops: {"res": [desc], "err": None})
    with pytest.raises(StudentFailure) as raised:
        session.lookup("x").desc  # noqa: B018
    assert raised.value.code == "protocol_violation" and session.broken
    for flat, fields in (
        (["Linear", 3, "object"], {"n": "Linear", "t": 3, "k": "object"}),
        (["float64", 2, "scalar"], {"n": "float64", "t": 2, "k": "scalar"}),
        (["NoneType", 1, "none"], {"n": "NoneType", "t": 1, "k": "none"}),
        (["ndarray", 0, "ndarray", [1] * 32, "f"], {"n": "ndarray", "t": 0, "k": "ndarray", "shape": [1] * 32,
                                                    "dtype": "f"}),
    ):  # fmt: skip
        ref = _session(lambda ops, flat=flat: {"res": [flat], "err": None}).lookup("x")
        assert ref.desc == fields and type(ref.desc["t"]) is int


@pytest.mark.parametrize("code", [["exception"], {"exception": 1}, 1])
def test_a_failure_code_of_another_type_is_malformed(code: Any) -> None:
    """A code that cannot be looked up (a list) is malformed like a code of the grader's: not a TypeError."""
    assert _fails_with({"at": 0, "failure": {"code": code, "message": "m"}}).code == "protocol_violation"
    kinds = {**GOOD_ERROR, "kinds": [["KeyError"]]}
    assert _fails_with({"at": 0, "error": kinds}).code == "protocol_violation"


@pytest.mark.parametrize(
    "shape",
    [[1] * 70, [0, 10**30], [0, 2**63], [True]],
)
def test_an_array_of_a_shape_numpy_refuses_is_unreadable(shape: list[Any]) -> None:
    """A value sent with a shape numpy cannot make is the student's unreadable value (a case error), never a
    ValueError of the harness; both encodings."""
    size = 1 if all(n == 1 for n in shape) else 0
    for raw in (
        {"shape": shape, "data": [1.0] * size},
        {"shape": shape, "b64": codec.encode_bytes(np.ones(size))["b64"]},
    ):
        with pytest.raises(codec.CodecError):
            codec.decode(raw)
        with pytest.raises(StudentFailure) as raised:
            remote.decode_array(raw, "dX")
        assert raised.value.code == "exception" and "unreadable" in raised.value.message


def test_an_integer_past_floats_range_is_unreadable() -> None:
    """JSON reads 10**400 as a Python int, which float() refuses with OverflowError: once raised through the
    harness as a grader error ("not your code's fault") on every case. The student's unreadable value; the
    control: the largest int a float holds is read."""
    assert remote.decode_array({"shape": [1], "data": [2**1023]}, "dX")[0] == 2.0**1023
    for raw in ({"shape": [1], "data": [10**400]}, {"shape": [2], "data": [1.0, -(10**400)]}):
        with pytest.raises(StudentFailure) as raised:
            remote.decode_array(raw, "dX")
        assert raised.value.code == "exception" and "too large for a float" in raised.value.message


def test_a_value_of_more_numbers_than_a_record_holds_is_unreadable() -> None:
    """A value of MAX_ELEMENTS + 1 numbers (what the parent refuses of one record, spoiling the whole run's
    results) is the student's unreadable value on that case, refused from its shape; the control: exactly
    MAX_ELEMENTS is read."""
    cap = remote.MAX_ELEMENTS
    assert remote.decode_array(codec.encode_bytes(np.zeros(cap)), "dX").size == cap
    for raw in (
        codec.encode_bytes(np.zeros(cap + 1)),
        {"shape": [cap + 1], "data": [0.0] * (cap + 1)},
        {"shape": [cap + 1, 10**12], "b64": ""},  # refused from the shape, before the bytes are read
    ):
        with pytest.raises(StudentFailure) as raised:
            remote.decode_array(raw, "dX")
        assert raised.value.code == "exception" and "more than the 1000000" in raised.value.message


_HONEST_LOAD = {"type": "loaded", "modules": {"miniflow": "miniflow.py"}, "found": {}, "missing": [],
                "near": {"Linera": ["Linear"]}, "warnings": ["w"], "failure": None}  # fmt: skip


@pytest.mark.parametrize(
    "field",
    [
        {"warnings": [math.inf]},  # review 7: 1e999 reads as infinity, which no frame may carry
        {"warnings": "w"},
        {"notes": [["n"]]},
        {"modules": {"m": 1}},
        {"modules": ["m.py"]},
        {"near": {"x": "Linear"}},
        {"reasons": {"x": None}},
        {"defined": [1]},
        {"type": 1},
    ],
)
def test_a_load_field_of_the_wrong_type_is_a_protocol_violation(field: dict[str, Any]) -> None:
    def load(answer: dict[str, Any]) -> Any:
        session = Session(lambda request: json.dumps({"res": [answer], "err": None}).encode())
        return session.load({})

    assert load(_HONEST_LOAD)["near"] == {"Linera": ["Linear"]}
    with pytest.raises(StudentFailure) as raised:
        load({**_HONEST_LOAD, **field})
    assert raised.value.code == "protocol_violation"


def test_a_load_is_cut_to_an_honest_size() -> None:
    """Pages of warnings are cut to what an honest load has, so that the "loaded" frame stays small."""
    loaded = _session(
        lambda ops: {"res": [{**_HONEST_LOAD, "warnings": ["w" * 100_000] * 10_000}], "err": None}
    ).load({})
    assert len(loaded["warnings"]) == remote.MAX_LOAD_ENTRIES
    assert all(len(w) <= remote.MAX_LOAD_TEXT for w in loaded["warnings"])


def test_a_case_frame_past_the_frame_cap_is_sent_as_the_students_error() -> None:
    """Review 7: a case whose records are a million long floats each (honest numbers, 25 MB of JSON) is sent
    as the student's error of a few hundred bytes, never whole (the worker would call its harness lost); the
    control: a small frame goes as it is."""
    import socket

    from grader.inside import harness_process

    ours, theirs = socket.socketpair()
    try:
        link = harness_process._Link(ours)
        record = codec.encode(np.full(700_000, -1.2345678901234567e-300))
        link.emit({"type": "case", "id": "c", "status": "ok", "records": {"dX": record}, "mutated": ["X"]})
        link.emit({"type": "case", "id": "d", "status": "ok", "records": {}, "mutated": []})
        big, small = (json.loads(f[1:]) for f in link._frames)
        assert len(link._frames[0]) < 1000
        assert big["status"] == "error" and big["failure"]["code"] == "exception" and big["id"] == "c"
        assert big["records"] == {} and big["mutated"] == ["X"] and "MiB" in big["failure"]["message"]
        assert small == {"type": "case", "id": "d", "status": "ok", "records": {}, "mutated": []}
    finally:
        ours.close()
        theirs.close()


def test_a_batch_the_server_ran_out_of_memory_answering_is_the_memory_limit() -> None:
    """A MemoryError while the server built its answer (a huge value) has no message of its own: the server
    says "out of memory" and the harness words it as the memory limit, not "could not run this step ()".
    Another unanswerable batch (the control) keeps the general wording, with the error's name at least."""
    assert server._wire_text(MemoryError()) == wire.OUT_OF_MEMORY
    memory = _fails_with({"at": 0, "wire": server._wire_text(MemoryError())})
    assert memory.code == "memory_limit" and "ran out of memory" in memory.message
    other = _fails_with({"at": 0, "wire": server._wire_text(OverflowError())})
    assert other.code == "exception" and "(OverflowError)" in other.message


def test_a_class_listing_more_attributes_than_the_server_does_is_a_protocol_violation() -> None:
    """A class description is searched for a misspelt __init__ before every object the harness builds: one
    listing 200,000 names close to it (and no __init__) kept the harness at difflib for seconds per object,
    until the worker called it lost (sample harness_class_attributes_flood.py). More than the server lists is
    the student's protocol violation; as many is read."""
    own = [f"__inity{i}__" for i in range(wire.MAX_OWN_ATTRS + 1)]
    answer = {"name": "Linear", "own": own, "mro": []}
    session = _session(
        lambda ops: {"res": [{"n": "type", "t": 0, "k": "class", "name": "Linear"}, answer], "err": None}
    )
    with pytest.raises(StudentFailure) as raised:
        session.classinfo(session.lookup("Linear"))
    assert raised.value.code == "protocol_violation" and session.broken
    fits = {**answer, "own": own[:-1]}
    session = _session(
        lambda ops: {"res": [{"n": "type", "t": 0, "k": "class", "name": "Linear"}, fits], "err": None}
    )
    info = session.classinfo(session.lookup("Linear"))
    assert info is not None and len(info.own) == wire.MAX_OWN_ATTRS and not session.broken


def test_a_list_of_more_items_than_the_server_sends_is_a_protocol_violation() -> None:
    """The harness queues operations per item of a walked list (MiniFlow's sorted nodes): 333,000 items
    answered just before the deadline kept it busy past the worker's margin, which called it lost (sample
    harness_node_list_flood.py). More than the server lists (wire.MAX_ITEMS) is the student's protocol
    violation; as many are read."""
    desc = {"n": "Linear", "t": 3, "k": "object"}

    def listing(n: int) -> Session:
        items = [[-i, desc] for i in range(1, n + 1)]
        return _session(lambda ops: {"res": [desc, items][-len(ops) :], "err": None})

    session = listing(wire.MAX_ITEMS + 1)
    with pytest.raises(StudentFailure) as raised:
        session.items(session.lookup("graph"))
    assert raised.value.code == "protocol_violation" and session.broken
    session = listing(wire.MAX_ITEMS)
    assert len(session.items(session.lookup("graph"))) == wire.MAX_ITEMS and not session.broken


def _refused_over_the_cap(
    answering: Callable[[int], Session], ask: Callable[[Session], Any], cap: int
) -> Any:
    """`ask` of a process answering `cap + 1` entries is the student's protocol violation (the channel is
    broken); of one answering `cap`, what it reads."""
    session = answering(cap + 1)
    with pytest.raises(StudentFailure) as raised:
        ask(session)
    assert raised.value.code == "protocol_violation" and session.broken
    session = answering(cap)
    read = ask(session)
    assert not session.broken
    return read


def test_a_signature_of_more_parameters_than_the_server_lists_is_a_protocol_violation() -> None:
    """The harness builds and checks every parameter of a signature answer: 660,000 of them (9 MB, under
    every cap of a reply) took it 1.7 s of CPU, past the student's deadline if sent just before it, most of
    the worker's margin before it calls the harness lost (the sandbox's fault, a retry). More than the server
    lists (wire.MAX_PARAMS) is the student's protocol violation; as many are read."""

    def answering(n: int) -> Session:
        params = [[f"p{i}", 1, False] for i in range(n)]
        desc = {"n": "function", "t": 1, "k": "callable"}
        return _session(lambda ops: {"res": [desc, params], "err": None})

    params = _refused_over_the_cap(
        answering, lambda s: s.signature(s.lookup("forward_pass")), wire.MAX_PARAMS
    )
    assert params is not None and len(params) == wire.MAX_PARAMS


def test_the_server_lists_at_most_max_params_parameters() -> None:
    """The server's side of the cap: a function of more parameters is described by its first MAX_PARAMS
    (its positional ones first: enough to tell how it is called), so an honest answer is never refused."""
    names = [f"a{i}" for i in range(wire.MAX_PARAMS + 50)]
    namespace: dict[str, Any] = {}
    exec(f"def many({', '.join(names)}): pass", namespace)
    s = server.Server("/")
    s.objects[1] = namespace["many"]
    answer = server._signature(s, {"obj": {"r": 1}})
    assert [p[0] for p in answer] == names[: wire.MAX_PARAMS]
    s.objects[2] = max  # the control: a builtin Python cannot describe stays None
    assert server._signature(s, {"obj": {"r": 2}}) is None


def test_a_class_listing_more_bases_than_the_server_does_is_a_protocol_violation() -> None:
    """The harness checks every class of a class description's MRO and pins a handle to each for the life of
    the process: 450,000 of them (17 MB, under every cap of a reply) took it 2.8 s of CPU and some 200 MB
    per class described (sample harness_class_mro_flood.py). More than the server lists (wire.MAX_BASES) is
    the student's protocol violation; as many are read."""

    def describing(n: int) -> Session:
        mro = [[-i, {"n": "type", "t": 0, "k": "class", "name": f"C{i}"}] for i in range(1, n + 1)]
        answer = {"name": "Linear", "own": ["__init__"], "mro": mro}
        return _session(
            lambda ops: {"res": [{"n": "type", "t": 0, "k": "class", "name": "Linear"}, answer], "err": None}
        )

    info = _refused_over_the_cap(describing, lambda s: s.classinfo(s.lookup("Linear")), wire.MAX_BASES)
    assert info is not None and len(info.mro) == wire.MAX_BASES


def test_the_server_lists_at_most_max_bases_classes_of_an_mro() -> None:
    """The server's side of the cap: a deeper class is described by the first classes of its MRO and its
    last two (its root class and object, which MiniFlow's adapter reads), so an honest answer is never
    refused."""
    chain: list[type] = [object]
    for i in range(wire.MAX_BASES + 10):
        chain.append(type(f"C{i}", (chain[-1],), {}))
    s = server.Server("/")
    s.objects[1] = chain[-1]
    answer = server._classinfo(s, {"obj": {"r": 1}})
    names = [s.objects[rid].__name__ for rid, _ in answer["mro"]]
    expected = [c.__name__ for c in chain[-1].__mro__]
    assert len(names) == wire.MAX_BASES
    assert names[: wire.MAX_BASES - 2] == expected[: wire.MAX_BASES - 2] and names[-2:] == ["C0", "object"]
    s.objects[2] = int  # the control: a shallow class is listed whole
    assert [s.objects[rid] for rid, _ in server._classinfo(s, {"obj": {"r": 2}})["mro"]] == [int, object]


def test_a_class_description_lists_its_constructors_parameters_read_without_running_code() -> None:
    """MiniFlow's adapter reads how a node takes its inbound nodes from the description (no round trip of
    its own): the __init__ its MRO's dicts hold, inherited too; None for object's own. A metaclass whose
    __getattribute__ raises is never asked (the dicts are read)."""

    class Node:
        def __init__(self, inbound_nodes=[]):  # noqa: B006 (the course's own default)
            self.inbound_nodes = inbound_nodes

    class Linear(Node):
        pass

    class Loud(type):
        def __getattribute__(cls, name: str) -> object:
            if name == "__init__":
                raise RuntimeError("read through the metaclass")
            return super().__getattribute__(name)

    class Quiet(metaclass=Loud):
        def __init__(self, x, y):
            pass

    s = server.Server("/")
    for rid, cls in enumerate((Linear, Quiet, int), start=1):
        s.objects[rid] = cls
    assert server._classinfo(s, {"obj": {"r": 1}})["init"] == [["self", 1, False], ["inbound_nodes", 1, True]]
    assert [p[0] for p in server._classinfo(s, {"obj": {"r": 2}})["init"]] == ["self", "x", "y"]
    assert server._classinfo(s, {"obj": {"r": 3}})["init"] is None  # int: object's __init__, not read


def test_a_malformed_constructor_signature_in_a_class_description_is_a_protocol_violation() -> None:
    """The description's `init` is checked as a signature reply is; a well-formed one is read."""
    answer = {"name": "Linear", "own": [], "mro": [], "init": [["self", 9, False]]}
    session = _session(
        lambda ops: {"res": [{"n": "type", "t": 0, "k": "class", "name": "Linear"}, answer], "err": None}
    )
    with pytest.raises(StudentFailure) as raised:
        session.classinfo(session.lookup("Linear"))
    assert raised.value.code == "protocol_violation" and session.broken
    fits = {**answer, "init": [["self", 1, False], ["inbound_nodes", 1, False]]}
    session = _session(
        lambda ops: {"res": [{"n": "type", "t": 0, "k": "class", "name": "Linear"}, fits], "err": None}
    )
    info = session.classinfo(session.lookup("Linear"))
    assert info is not None and [p.name for p in info.init or ()] == ["self", "inbound_nodes"]


_SHAPES: list[Any] = [
    [],
    [0],
    [2, 3],
    [1] * remote.MAX_DIMS,
    [1] * (remote.MAX_DIMS + 1),
    [-1, 2],
    [2, wire.MAX_INT - 1],
    [2, wire.MAX_INT],
    [True, 2],
    [2.0, 3],
    ["2"],
    [None],
    [[2]],
    [2, 3, -0],
]


@pytest.mark.parametrize("shape", _SHAPES, ids=range(len(_SHAPES)))
def test_a_described_shape_is_checked_as_the_rule_says(shape: Any) -> None:
    """A description's shape: at most MAX_DIMS exact ints, each in [0, MAX_INT). The rule written as one
    expression is the oracle of the loop that replaced it (session 25); a bool, a float, a negative or a
    too-large size, one dimension too many, each fails it."""
    rule = len(shape) <= remote.MAX_DIMS and all(type(n) is int and 0 <= n < wire.MAX_INT for n in shape)
    desc = {"n": "ndarray", "t": 0, "k": "ndarray", "shape": shape, "dtype": "f"}
    if rule:
        assert remote._check_desc(desc, {}) is desc
    else:
        with pytest.raises(MalformedReply):
            remote._check_desc(desc, {})
    assert remote._is_shape(shape) is rule


class _Text(str):
    """A str subclass: the general walk sends it as it is."""


def _typed(form: Any) -> Any:
    """A wire form with every value's exact type beside it, floats by their bits (repr keeps -0.0's sign)."""
    if isinstance(form, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in form.items()])
    if isinstance(form, (list, tuple)):
        return (type(form).__name__, [_typed(v) for v in form])
    return (type(form).__name__, repr(form))


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        None,
        "name",
        {"name": "f"},
        {"name": "f", "of": None},
        {"name": 1},
        {1: "f"},
        {"a": [1, 2]},
        {"a": 1.5, "b": "x"},
        {"a": float("nan")},
        {"a": (1, 2)},
        [1, 2],
        [1.0, float("nan")],
        (1, "a"),
        True,
        7,
        float("inf"),
        np.array([1.0, 2.0]),
        {"a": True},  # a bool is not the int 1 to the student's code
        -0.0,
        {"a": -0.0},
        _Text("t"),  # a str subclass
        {_Text("k"): "v"},
        {"k": _Text("v")},
        {None: "v"},
        {("t", 1): "v"},
    ],
)
def test_a_sessions_values_take_the_general_walks_form(value: Any) -> None:
    """Handles, lists and dicts of them, texts and None are formed without the general walk, in its form;
    everything else is walked (`wire.encode` with the session's handles and arrays is the oracle), compared
    type for type and bit for bit (`==` takes True for 1 and -0.0 for 0.0)."""
    session = Session(lambda request: None)
    refs = [remote.Ref(session, n) for n in (3, 4)]
    for shaped in (value, [refs[0], value], {"k": value, "r": refs[1]}):
        assert _typed(session._encode(shaped)) == _typed(wire.encode(shaped, Session._special)), shaped
    assert session._encode(refs) == [{"r": 3}, {"r": 4}]
    assert session._encode({"name": refs[0], "x": "y"}) == {"d": [["name", {"r": 3}], ["x", "y"]]}


_TUPLE = {"n": "tuple", "t": 1, "k": "tuple", "len": 1}
_FLOAT = {"n": "float", "t": 2, "k": "float", "v": 1.0}
_ITEM = [[-1, _FLOAT]]


@pytest.mark.parametrize(
    ("desc", "answer", "outcome"),
    [
        (_TUPLE, _ITEM, "items"),
        (_FLOAT, None, "one"),
        (_FLOAT, _ITEM, "one"),  # items for a value described as one: never read (a __class__ that lied)
        (_FLOAT, [], "one"),
        (_FLOAT, {"r": 1}, "one"),
        (_TUPLE, {"r": 1}, "violation"),  # not a list of items: as `iter`'s answer
        (_TUPLE, [[-1, {"k": "nonsense"}]], "violation"),
        (_TUPLE, None, "asked alone"),  # a type whose __class__ told `describe` tuple: `iter`, as before
    ],
)
def test_items_or_is_read_against_the_kind_described_beside_it(desc: Any, answer: Any, outcome: str) -> None:
    """`items_or`'s answer is read by the description of the value beside it: for one value it is never read
    (an honest server answers items there for a tuple subclass whose `__class__` told `describe` otherwise;
    review of s30-strips: that was a protocol violation); for a list or tuple it is read as `iter`'s answer,
    or the channel is broken; none for a list or tuple asks `iter` alone, which an honest server answers for
    an object whose `__class__` lied (session 30)."""
    batches: list[list[str]] = []

    def reply(ops: list[Any]) -> Any:
        batches.append([op["o"] for op in ops])
        if ops[-1]["o"] == "iter":
            return {"res": [_ITEM], "err": None}
        return {"res": [desc, answer], "err": None}

    session = _session(reply)
    obj = session.new(1.0)
    asked = session.items_or_later(obj)
    if outcome == "violation":
        with pytest.raises(StudentFailure) as raised:
            session.items_or_read(obj, asked)
        assert raised.value.code == "protocol_violation" and session.broken
        return
    items = session.items_or_read(obj, asked)
    assert not session.broken
    if outcome == "one":
        assert items is None and batches == [["new", "items_or"]]
        return
    assert items is not None and [(i.id, i.kind) for i in items] == [(-1, "float")]
    assert batches == [["new", "items_or"], *([["iter"]] if outcome == "asked alone" else [])]


def _server_descriptions() -> list[Any]:
    """What the server writes for an object of every kind it describes (server.Server.answer), in its wire
    form and, for a flat list, in the object form the harness reads it as."""
    from grader.inside import server

    answer = server.Server("/").answer
    objects = [None, server.MISSING, True, 3, 2.5, float("nan"), "s", np.zeros((2, 3)), np.int32(1), int]
    objects += [[1], (1,), {}, len, object()]
    written = [answer(o) for o in objects]
    assert {(d[2] if type(d) is list else d["k"]) for d in written} == set(remote._KIND_FIELDS)
    flat = [dict(zip(wire.FLAT_FIELDS[len(d)], d, strict=True)) for d in written if type(d) is list]
    return [*written, *flat]


# An object form of a kind the server never writes so: a kind without the field it has, with another kind's
# field, or unknown; a value of another kind's type
_OFF_KIND: list[dict[str, Any]] = [
    {"n": "int", "t": 0, "k": "int"},
    {"n": "tuple", "t": 0, "k": "tuple"},
    {"n": "type", "t": 0, "k": "class"},
    {"n": "ndarray", "t": 0, "k": "ndarray"},
    {"n": "int", "t": 0, "k": "int", "len": 3},
    {"n": "ndarray", "t": 0, "k": "ndarray", "v": 1},
    {"n": "ndarray", "t": 0, "k": "list", "shape": [2], "dtype": "f"},
    {"n": "list", "t": 0, "k": "list", "len": 1, "v": 2},
    {"n": "Linear", "t": 0, "k": "widget"},
    {"n": "Linear", "t": 0, "k": "widget", "len": 1},
    {"n": "int", "t": 0, "k": "int", "v": "3"},
    {"n": "bool", "t": 0, "k": "bool", "v": 1},
    {"n": "str", "t": 0, "k": "str", "v": None},
    {"t": 0, "k": "object"},
]


def test_an_object_description_is_of_a_kind_the_server_writes_so() -> None:
    """Every description the server writes passes, in either form; an object form with a kind the
    protocol does not describe so (its fields another kind's, a field missing, a kind unknown, a value of
    another type) is the student process's protocol violation. Review32: the object form took any of the
    kinds with any fields, and the harness read those it lacked as absent (a length 0, a value None)."""
    for desc in _server_descriptions():
        assert remote._check_desc(desc, {}) is not None, desc
    for desc in _OFF_KIND:
        with pytest.raises(MalformedReply):
            remote._check_desc(desc, {})
    session = _session(lambda ops: {"res": [{"n": "int", "t": 0, "k": "int"}], "err": None})
    with pytest.raises(StudentFailure) as said:
        session.lookup("x").desc  # noqa: B018
    assert "answered the grader with something it cannot read" in said.value.message, said.value.message
