"""A type's name crosses the wire once a student process: an operation's later answers of that type carry its
index alone (wire.FLAT_FIELDS less the name), which the harness reads by the names it kept, strictly."""

from __future__ import annotations

import socket
import threading
from typing import Any

import numpy as np
import pytest

from grader.inside import codec, frames, remote, server, wire
from grader.inside.failures import MalformedReply, StudentFailure
from grader.inside.remote import Session, _check_desc

ARRAY = {"a": codec.encode_bytes(np.zeros(2)), "dt": "f8"}


def _new(rid: int, value: Any) -> dict[str, Any]:
    return {"o": "new", "id": rid, "value": value}


def test_a_types_later_answers_carry_its_index_alone() -> None:
    """The first answer of a type names it; the later ones, in that batch or a later one, are the flat forms
    less the name; a value's own form (an int) and the descriptions inside an `iter` answer keep theirs."""
    s = server.Server("/")
    first = server.execute(s, [_new(1, None), _new(2, None), _new(3, ARRAY), _new(4, ARRAY), _new(5, 3)])
    assert first == {
        "res": [
            ["NoneType", 0, "none"],
            [0, "none"],
            ["ndarray", 1, "ndarray", [2], "f"],
            [1, "ndarray", [2], "f"],
            {"n": "int", "t": 2, "k": "int", "v": 3},
        ],
        "err": None,
    }
    later = server.execute(s, [_new(6, None), _new(7, 4), _new(8, [None]), {"o": "iter", "obj": {"r": 8}}])
    assert later == {
        "res": [[0, "none"], {"n": "int", "t": 2, "k": "int", "v": 4},
                {"n": "list", "t": 3, "k": "list", "len": 1}, [[-1, ["NoneType", 0, "none"]]]],
        "err": None,
    }  # fmt: skip


def test_the_harness_reads_the_server_by_the_names_it_kept() -> None:
    """Through a session on the server itself, batch after batch: every answer read as its full form."""
    s = server.Server("/")
    session = Session(lambda request: wire.dumps(server.execute(s, wire.load_ops(request))))
    seen = []
    for _ in range(2):
        refs = [session.new(None), session.new(np.zeros((1, 2))), session.new(None)]
        session.sync()
        seen.append([dict(r.desc) for r in refs])
    none = {"n": "NoneType", "t": 0, "k": "none"}
    array = {"n": "ndarray", "t": 1, "k": "ndarray", "shape": [1, 2], "dtype": "f"}
    assert seen == [[none, array, none]] * 2 and not session.broken


def test_a_reply_not_sent_names_its_types_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reply that could not be written (the server answers "out of memory" instead) took its names with
    it: the next answer of the type carries the name again, or the harness could not read it."""
    real, failures = wire.dumps, [MemoryError()]

    def dumps_failing_once(obj: Any) -> bytes:
        if failures and obj.get("res"):
            raise failures.pop()
        return real(obj)

    monkeypatch.setattr(wire, "dumps", dumps_failing_once)
    ours, theirs = socket.socketpair()
    serving = threading.Thread(target=server.serve, args=(theirs.fileno(), "/"), daemon=True)
    serving.start()
    replies = []
    try:
        for batch in ([_new(1, None)], [_new(2, None)], [_new(3, None)]):
            frames.write_blob(ours.fileno(), wire.dump_ops(batch))
            replies.append(wire.loads(frames.read_blob(ours.fileno(), 1 << 20) or b"null"))
    finally:
        ours.close()
        serving.join(10)
        theirs.close()
    assert replies == [
        {"res": [], "err": {"at": 0, "wire": wire.OUT_OF_MEMORY}},
        {"res": [["NoneType", 0, "none"]], "err": None},
        {"res": [[0, "none"]], "err": None},
    ]


# Named first by the process (the reply before): index 0 "ndarray", 1 "NoneType", 3 "Linear".
NAMING = [["ndarray", 0, "ndarray", [2], "f"], ["NoneType", 1, "none"], ["Linear", 3, "object"]]


@pytest.mark.parametrize(
    "desc",
    [
        [4, "object"],  # an index never named
        [2, "none"],
        [True, "none"],  # a bool is no index, though True == 1
        ["3", "object"],
        [None, "object"],
        [3.0, "object"],
        [3, "widget"],
        [3, "int"],  # a kind with a field of its own never goes without it
        [3, ["object"]],
        [3],
        [],
        [0, "object", [2], "f"],
        [0, "ndarray", [-1], "f"],
        [0, "ndarray", [2.0], "f"],
        [0, "ndarray", "2", "f"],
        [0, "ndarray", [2], 1],
        [0, "ndarray", [2], "f", 1],  # six fields
        ["Other", 3, "object"],  # a named index renamed
        ["Other", 0, "ndarray", [2], "f"],
    ],
)
def test_a_description_by_index_not_in_the_servers_forms_is_a_protocol_violation(desc: Any) -> None:
    """A description without its name is an index the process named before, with a flat form's other fields
    of their types; a name is an index's for good. The controls: the honest forms read as the full ones."""
    replies = iter([NAMING, [desc]])
    session = Session(lambda request: wire.dumps({"res": next(replies), "err": None}))
    for _ in NAMING:
        session.new(None)
    session.sync()
    with pytest.raises(StudentFailure) as raised:
        session.new(None).desc  # noqa: B018
    assert raised.value.code == "protocol_violation" and session.broken
    names = {0: "ndarray", 1: "NoneType", 3: "Linear"}
    with pytest.raises(MalformedReply):
        _check_desc(desc, dict(names))
    for short, full in (
        ([3, "object"], {"n": "Linear", "t": 3, "k": "object"}),
        ([1, "none"], {"n": "NoneType", "t": 1, "k": "none"}),
        ([0, "ndarray", [2, 3], "f"], {"n": "ndarray", "t": 0, "k": "ndarray", "shape": [2, 3],
                                        "dtype": "f"}),
        (["Linear", 3, "callable"], {"n": "Linear", "t": 3, "k": "callable"}),  # named again alike: as before
    ):  # fmt: skip
        assert _check_desc(short, dict(names)) == full


def test_only_an_operations_own_answer_keeps_its_types_name() -> None:
    """The names kept by index live as long as the student process: an `iter` answer's items and a class's
    MRO (never sent later without their names) are read, not kept, so 10,000 new indexes a reply leave
    nothing behind; an operation's own answer keeps its name, which its index alone reads later. Control:
    a name-less item of an index only an item named is no server's form."""
    fresh = iter(range(100, 1_000_000))

    def reply(request: bytes) -> bytes:
        answers: list[Any] = []
        for op in wire.load_ops(request):
            if op["o"] == "iter":
                answers.append([[-1 - i, ["Item", next(fresh), "object"]] for i in range(10_000)])
            else:
                answers.append(["Graph", 7, "object"] if op["value"] is None else [7, "object"])
        return wire.dumps({"res": answers, "err": None})

    session = Session(reply)
    graph = session.new(None)
    for _ in range(3):
        assert len(session.items(graph)) == 10_000
    assert session._type_names == {7: "Graph"}
    assert dict(session.new(1).desc) == {"n": "Graph", "t": 7, "k": "object"}
    named_by_an_item = Session(
        lambda request: wire.dumps({"res": [[[-1, ["Item", 8, "object"]]]], "err": None})
    )
    named_by_an_item.items_read(named_by_an_item._later({"o": "iter", "obj": None}))
    with pytest.raises(MalformedReply):
        _check_desc([8, "object"], named_by_an_item._type_names)


def test_a_kept_name_longer_than_the_server_writes_is_a_protocol_violation() -> None:
    """An operation's answer naming a type in a million characters (kept for the life of the process, one
    per round trip) is no server's: the server caps a type's name at `server._STR_CAP`. Controls: a name of
    that length is kept; a class whose qualname is longer reaches the harness through the real server
    capped, and its later answers read by index."""
    assert remote.MAX_TYPE_NAME == server._STR_CAP
    for size, broken in ((remote.MAX_TYPE_NAME, False), (1_000_000, True)):
        session = Session(lambda request: wire.dumps({"res": [["N" * size, 3, "object"]], "err": None}))  # noqa: B023
        ref = session.new(None)
        if broken:
            with pytest.raises(StudentFailure) as raised:
                ref.desc  # noqa: B018
            assert raised.value.code == "protocol_violation" and session.broken
        else:
            assert ref.desc["n"] == "N" * size and not session.broken
    long_named = type("L" * 500, (), {})
    s = server.Server("/")
    session = Session(lambda request: wire.dumps(server.execute(s, wire.load_ops(request))))
    held = session.new([None])
    session.sync()
    s.objects[held.id] = [long_named(), long_named()]
    first, second = session.getitem(held, 0), session.getitem(held, 1)
    assert first.type_name == second.type_name == "L" * 197 + "..." and not session.broken


@pytest.mark.parametrize(
    "desc",
    [
        ["Linear", -1, "object"],  # -1 is Ref.type_id's "no index"
        ["Linear", -7, "object"],
        ["ndarray", 1 << 53, "ndarray", [2], "f"],  # past wire.MAX_INT: no count of the server's types
        {"n": "Linear", "t": -1, "k": "object"},
        {"n": "Linear", "t": 10**300, "k": "object"},
        {"n": "list", "t": -2, "k": "list", "len": 1},
    ],
)
def test_a_type_index_that_is_no_count_of_the_servers_types_is_a_protocol_violation(desc: Any) -> None:
    """The server's type index is its place in its list of types (server._types), from 0: a negative one or
    one past wire.MAX_INT is refused, in each form, and never kept as a name's index. The control: the same
    descriptions with the index 3 are read."""
    names: dict[int, str] = {}
    with pytest.raises(MalformedReply):
        _check_desc(desc, names)
    assert names == {}
    honest = [desc[0], 3, *desc[2:]] if isinstance(desc, list) else {**desc, "t": 3}
    assert _check_desc(honest, names)["t"] == 3
