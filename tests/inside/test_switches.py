"""Module-level switches kept at load (grader/inside/switches.py)."""

from __future__ import annotations

from typing import Any

import pytest

from grader.inside import switches, wire
from grader.inside.failures import ErrorInfo, Frame, StudentFailure
from grader.inside.remote import Ref, Session

GOOD_ERROR = ErrorInfo("KeyError: 'x'", ("KeyError",), (Frame("m.py", 3, "Exp.__mro__", "x"),)).to_wire()
_DESC = {"n": "int", "t": 0, "k": "int", "v": 1}
_MISSING = {"n": "_Missing", "t": 1, "k": "missing"}


class _NoNames:
    def ask(self, names: Any) -> None:
        raise AssertionError(f"asked for {names!r} with no switch wanted")

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

    def ask(self, names: Any) -> None:
        pass

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
    # the holder's lookup, then its attribute and its item (either may hold the switch), then the next case
    replies = iter([{"res": [_DESC, _DESC, _MISSING], "err": None}, {"res": [_DESC], "err": None}])
    session = Session(lambda request: wire.dumps(next(replies)))
    kept = switches.keep(session, _Names(session), (("Config", "enable_backprop"),))  # type: ignore[arg-type]
    assert [k.attr for k in kept] == ["enable_backprop"]
    assert session.lookup("square").desc["v"] == 1


def test_a_dict_holding_the_switch_is_kept_and_put_back_by_key() -> None:
    """A student's `CONFIG = {'enable_backprop': True}`: the attribute is missing, the item is there, so the
    switch is kept by key and put back with `CONFIG['enable_backprop'] = ...` before each case (a using_config
    that never restores it cost 17 of 53 points: sample step18_dict_config_no_restore.py). Control: a holder
    with neither keeps nothing."""
    sent: list[list[Any]] = []
    replies = iter([{"res": [_DESC, _MISSING, _DESC], "err": None}, {"res": [None], "err": None}])

    def transport(request: bytes) -> bytes:
        sent.append(wire.load_ops(request))
        return wire.dumps(next(replies))

    session = Session(transport)
    kept = switches.keep(session, _Names(session), (("CONFIG", "enable_backprop"),))  # type: ignore[arg-type]
    assert [(k.attr, k.keyed, k.shown()) for k in kept] == [
        ("enable_backprop", True, "CONFIG['enable_backprop']")
    ]
    switches.restore(session, kept)
    session.sync()
    assert [op["o"] for op in sent[-1]] == ["setitem"], sent[-1]
    replies = iter([{"res": [_DESC, _MISSING, _MISSING], "err": None}])
    session = Session(lambda request: wire.dumps(next(replies)))
    assert switches.keep(session, _Names(session), (("CONFIG", "enable_backprop"),)) == ()  # type: ignore[arg-type]


def test_a_bare_module_global_is_kept_through_the_globals_of_function_call() -> None:
    """A student's `enable_backprop = True` at module level, set by `global enable_backprop` in no_grad: the
    holder is the dict of globals Function.__call__ reads it from (`Function.__call__.__globals__`), reached
    by attribute from the looked-up name in the same round trip, and put back by key (a no_grad that never
    restores it cost 17 of 53 points: sample step18_global_flag_no_restore.py). Control: a Function whose
    `__call__` has no `__globals__` (a builtin's slot wrapper) keeps nothing."""
    sent: list[list[Any]] = []
    replies = iter(
        [{"res": [_DESC, _DESC, _DESC, _MISSING, _DESC], "err": None}, {"res": [None], "err": None}]
    )

    def transport(request: bytes) -> bytes:
        sent.append(wire.load_ops(request))
        return wire.dumps(next(replies))

    session = Session(transport)
    wanted = (("Function.__call__.__globals__", "enable_backprop"),)
    kept = switches.keep(session, _Names(session), wanted)  # type: ignore[arg-type]
    assert [op["o"] for op in sent[0]] == ["lookup", "getattr", "getattr", "getattr", "getitem"], sent[0]
    assert [op["names"] for op in sent[0][1:3]] == [["__call__"], ["__globals__"]]
    assert [(k.attr, k.keyed, k.shown()) for k in kept] == [
        ("enable_backprop", True, "the global enable_backprop")
    ]
    switches.restore(session, kept)
    session.sync()
    assert [op["o"] for op in sent[-1]] == ["setitem"], sent[-1]
    replies = iter([{"res": [_DESC, _DESC, _MISSING, _MISSING, _MISSING], "err": None}])
    session = Session(lambda request: wire.dumps(next(replies)))
    assert switches.keep(session, _Names(session), wanted) == ()  # type: ignore[arg-type]


_FALSE = {"n": "bool", "t": 2, "k": "bool", "v": False}
_TRUE = {"n": "bool", "t": 2, "k": "bool", "v": True}


def test_a_switch_every_case_needs_on_loaded_off_is_put_back_true_and_said() -> None:
    """Config.enable_backprop False once the load ended (a demo at import whose backward or no_grad never set
    it back: sample book_step33_backprop_left_off/): kept as True, so each case starts with graphs on, and a
    warning says the code at import left it off. Controls: loaded True it is kept as loaded (a handle) with
    no warning; a switch not in `on` loaded False is kept False."""
    sent: list[list[Any]] = []
    replies = iter([{"res": [_DESC, _FALSE, _MISSING], "err": None}, {"res": [None], "err": None}])

    def transport(request: bytes) -> bytes:
        sent.append(wire.load_ops(request))
        return wire.dumps(next(replies))

    session = Session(transport)
    wanted = (("Config", "enable_backprop"),)
    kept = switches.keep(session, _Names(session), wanted, frozenset({"enable_backprop"}))  # type: ignore[arg-type]
    assert [(k.value, k.left_off) for k in kept] == [(True, True)]
    [warning] = switches.left_off_warnings(kept)
    assert warning.startswith("Config.enable_backprop was False once your code had loaded")
    switches.restore(session, kept)
    session.sync()
    [op] = sent[-1]
    assert op["o"] == "setattr" and op["value"] is True, op
    for loaded, on in ((_TRUE, frozenset({"enable_backprop"})), (_FALSE, frozenset[str]())):
        answers = iter([{"res": [_DESC, loaded, _MISSING], "err": None}])
        session = Session(lambda request, answers=answers: wire.dumps(next(answers)))
        kept = switches.keep(session, _Names(session), wanted, on)  # type: ignore[arg-type]
        assert [k.left_off for k in kept] == [False] and switches.left_off_warnings(kept) == []
        assert kept[0].value is not True


def test_a_global_left_off_through_two_holders_is_said_once_and_not_as_the_books_config() -> None:
    """A bare module global reached through Function.__call__'s globals and no_grad's (one dict: sample
    global_flag_demo) is said once, without "as the book's Config sets it" (the student has no Config);
    Config's own switch still says it."""
    session = Session(lambda request: b"")
    holder = Ref(session, 1)
    names = ("Function.__call__.__globals__", "no_grad.__wrapped__.__globals__")
    kept = [switches.Switch(holder, "enable_backprop", True, n, keyed=True, left_off=True) for n in names]
    [warning] = switches.left_off_warnings(kept)
    assert warning.startswith("the global enable_backprop was False") and "Config" not in warning
    config = switches.Switch(holder, "enable_backprop", True, "Config", left_off=True)
    [said] = switches.left_off_warnings([config])
    assert "as the book's Config sets it" in said
