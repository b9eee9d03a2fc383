"""Module-level switches kept at load (grader/inside/switches.py)."""

from __future__ import annotations

from typing import Any

import pytest

from grader.inside import switches, wire
from grader.inside.failures import ErrorInfo, Frame, StudentFailure
from grader.inside.remote import Session

GOOD_ERROR = ErrorInfo("KeyError: 'x'", ("KeyError",), (Frame("m.py", 3, "Exp.__mro__", "x"),)).to_wire()
_DESC = {"n": "int", "t": 0, "k": "int", "v": 1}


class _NoNames:
    def get(self, name: str) -> Any:
        raise AssertionError(f"asked for {name!r} with no switch wanted")


def test_nothing_wanted_sends_nothing() -> None:
    """A family without switches (MiniFlow, DLFS) leaves the load's queued lookups queued: they go with the
    first case, which reports a student's error among them (sample harness_unanswered_lookup.py)."""
    sent: list[bytes] = []

    def transport(request: bytes) -> bytes | None:
        sent.append(request)
        return None

    session = Session(transport)
    queued = session.lookup("Add")
    assert switches.keep(session, _NoNames(), ()) == ()  # type: ignore[arg-type]
    assert sent == [] and not queued.answered


class _Names:
    """Names whose every lookup is a handle the session already has."""

    def __init__(self, session: Session) -> None:
        self.ref = session.lookup("Config")

    def get(self, name: str) -> Any:
        return self.ref


def test_a_students_error_met_while_keeping_switches_is_reported_by_the_first_case() -> None:
    """DeZero keeps Config.enable_backprop: that round trip also carries the load's queued lookups, and a
    student's error among them (a class that raises when described) was swallowed, so no case reported it
    (a full score where MiniFlow's first case says the error). It is raised by the next batch instead, which
    is dropped unsent as the student process would have dropped it; the batch after that goes out."""
    error = {"at": 0, "error": GOOD_ERROR}
    replies = iter([{"res": [], "err": error}, {"res": [_DESC], "err": None}])
    sent: list[list[Any]] = []

    def transport(request: bytes) -> bytes:
        sent.append(wire.load_ops(request))
        return wire.dumps(next(replies))

    session = Session(transport)
    assert switches.keep(session, _Names(session), (("Config", "enable_backprop"),)) == ()  # type: ignore[arg-type]
    assert len(sent) == 1
    first_case = session.lookup("square")
    with pytest.raises(StudentFailure) as raised:
        first_case.desc  # noqa: B018
    assert "KeyError" in raised.value.message and len(sent) == 1  # raised, nothing sent
    assert session.lookup("square").desc["v"] == 1  # the next case's batch is sent and answered
    assert len(sent) == 2


def test_switches_read_without_error_defer_nothing() -> None:
    """The control: an answered keep leaves the next batch to go out as usual."""
    replies = iter([{"res": [_DESC, _DESC], "err": None}, {"res": [_DESC], "err": None}])
    session = Session(lambda request: wire.dumps(next(replies)))
    kept = switches.keep(session, _Names(session), (("Config", "enable_backprop"),))  # type: ignore[arg-type]
    assert [k.attr for k in kept] == ["enable_backprop"]
    assert session.lookup("square").desc["v"] == 1
