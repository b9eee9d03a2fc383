"""A run of `setattr`s queued one after another in one context goes as one `setattrs` operation
(remote.Session.setattr; MiniFlow's feeds), and does and fails exactly as the separate operations did."""

from __future__ import annotations

import types
from typing import Any

import pytest

from grader.inside import server, wire
from grader.inside.remote import Ref, RemoteFailure, Session


class _Process:
    """An in-process student process (a real server.Server) holding the objects a test puts in it (under
    handles past the few the session numbers itself)."""

    def __init__(self, tmp: str, objects: dict[int, Any]) -> None:
        self.server = server.Server(tmp)
        self.server.objects.update(objects)
        self.sent: list[list[dict[str, Any]]] = []

    def __call__(self, request: bytes) -> bytes:
        ops = wire.load_ops(request)
        self.sent.append(ops)
        return wire.dumps(server.execute(self.server, ops))


def test_a_run_of_setattrs_in_one_context_is_one_operation(tmp_path) -> None:
    """Three sets in a row are one operation; a set in another context, or after an operation with an
    answer, starts its own; every object gets its value, in order."""
    a, b = types.SimpleNamespace(), types.SimpleNamespace()
    process = _Process(str(tmp_path), {101: a, 102: b})
    session = Session(process)
    session.context = "feeding X"
    session.setattr(Ref(session, 101), "value", 1.5)
    session.setattr(Ref(session, 102), "value", None)
    session.setattr(Ref(session, 101), "grad", [Ref(session, 102)])
    session.context = "feeding W"
    session.setattr(Ref(session, 102), "value", "w")
    session.new(3.0)
    session.setattr(Ref(session, 101), "value", 2.5)
    session.sync()
    [ops] = process.sent
    assert [op["o"] for op in ops] == ["setattrs", "setattr", "new", "setattr"], ops
    assert len(ops[0]["sets"]) == 3
    assert (a.value, a.grad, b.value) == (2.5, [b], "w")


def test_a_set_that_raises_fails_the_run_where_the_separate_operation_would(tmp_path) -> None:
    """The second of three sets raises: the first is done, the third is not, and the student's error (in
    the run's context) is the one the same sets sent as separate operations give."""

    def objects() -> dict[int, Any]:
        return {1: types.SimpleNamespace(), 2: {}, 3: types.SimpleNamespace()}

    process = _Process(str(tmp_path), objects())
    session = Session(process)
    session.context = "feeding the Inputs"
    for rid in (1, 2, 3):
        session.setattr(Ref(session, rid), "value", rid)
    with pytest.raises(RemoteFailure) as raised:
        session.sync()
    [ops] = process.sent
    assert [op["o"] for op in ops] == ["setattrs"]
    held = process.server.objects
    assert held[1].value == 1 and not hasattr(held[3], "value")
    assert raised.value.message.startswith("feeding the Inputs")

    alone = server.Server(str(tmp_path))
    alone.objects.update(objects())
    sets = [{"o": "setattr", "obj": {"r": rid}, "name": "value", "value": rid} for rid in (1, 2, 3)]
    reply = server.execute(alone, sets)
    assert reply["err"]["at"] == 1 and not hasattr(alone.objects[3], "value")
    together = server.Server(str(tmp_path))
    together.objects.update(objects())
    reply_joined = server.execute(together, ops)
    assert reply_joined["err"]["at"] == 0
    assert {**reply_joined["err"], "at": 1} == reply["err"]
