"""A case's end and the next case's first batch in one write (remote.Session.hold): two requests in flight,
and whatever the student's process does with them (answers out of order, twice, dies between them, runs
the second when it should not) is refused or attributed as when each was sent alone."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest
from inside_helpers import case, job, run_inside
from inside_helpers import students as S

from grader.inside import harness_process, remote, server, wire
from grader.inside.failures import StudentFailure
from grader.inside.remote import Pending, Session, StudentProcessEnded

# The MiniFlow quiz graph's forward (FACTS.md 1): f = Linear(X, W, b), its value recorded.
MF = {"modules": ["miniflow.py"], "required": ["Input", "Linear", "Sigmoid", "MSE"]}
QUIZ = {"X": [[-1.0, -2.0], [-1, -2]], "W": [[2.0], [3.0]], "b": [-3.0], "y": [1, 2]}
FORWARD = [
    {"do": "apply", "op": "Linear", "args": ["X", "W", "b"], "out": "f"},
    {"do": "record", "key": "f", "value_of": "f"},
]


class _Process:
    """An in-process student process (a real server.Server) whose pairs of answers a test may rewrite."""

    def __init__(self, tmp: str, rewrite: Callable[[bytes | None, bytes | None], Any] | None = None) -> None:
        self.server = server.Server(tmp)
        self.ran: list[str] = []  # every operation the server ran, in order
        self.rewrite = rewrite

    def __call__(self, request: bytes) -> bytes | None:
        ops = wire.load_ops(request)
        reply = server.execute(self.server, ops)
        self.ran.extend(str(op["o"]) for op in ops[: len(reply["res"])])
        return wire.dumps(reply)

    def pair(self, first: bytes, second: bytes) -> tuple[bytes | None, Callable[[], bytes | None]]:
        one, two = self(first), self(second)
        if self.rewrite is not None:
            one, two = self.rewrite(one, two)
        return one, lambda: two


class _Case:
    """What a held case's `finish` saw: the error its end raised, its record's answer, what it asked more."""

    def __init__(self, session: Session, record: Pending, ask_more: bool = False) -> None:
        self.session, self.record, self.ask_more = session, record, ask_more
        self.error: BaseException | None = None
        self.finished = False
        self.more: Any = None

    def __call__(self, error: BaseException | None) -> None:
        self.finished, self.error = True, error
        if isinstance(error, StudentProcessEnded):
            raise error  # program._Case.conclude: the case goes unreported
        if self.ask_more and error is None:  # an explanation asked of the finished case's objects
            self.more = self.session.new(7.0).desc.get("v")


def _held(session: Session, value: Any, *, ask_more: bool = False) -> _Case:
    """A case that made `value`, held at its end (its record read back, gated), then the next case's start."""
    obj = session.new(value)
    record = session.array_later(obj, "a record", gate=True)
    case = _Case(session, record, ask_more)
    assert session.hold(case)
    session.release()
    return case


def test_a_held_end_and_the_next_batch_are_one_round_trip(tmp_path) -> None:
    """The end is answered and finished before the next case's answers are used: one round trip for both."""
    process = _Process(str(tmp_path))
    session = Session(process)
    case = _held(session, 1.5)
    later = session.new(2.0)
    assert later.desc.get("v") == 2.0
    assert case.finished and case.error is None and case.record.value is not None
    assert (session.round_trips, session.pairs) == (1, 1)
    assert process.ran == ["new", "array", "if_clean", "release", "new"]


def test_an_unset_record_is_explained_before_the_next_batch_runs(tmp_path) -> None:
    """A record that came back None: the process refuses the batch behind it unrun, the finished case asks
    about its own objects (still there: the refused batch began with their release), then the batch is sent
    again. Control: a clean case asks nothing and the batch runs at once."""
    process = _Process(str(tmp_path))
    session = Session(process)
    case = _held(session, None, ask_more=True)
    assert session.new(2.0).desc.get("v") == 2.0
    assert case.finished and case.record.value is None and case.more == 7.0
    assert process.ran == ["new", "array", "new", "release", "new"]  # if_clean refused: nothing of it ran
    assert session.round_trips == 3  # as before: the end, the explanation, the next batch


def test_a_second_answer_given_first_is_refused(tmp_path) -> None:
    """Answers swapped: the one read for the case's end has the next batch's shape: a protocol violation of
    the held case (the channel broken), and the next case goes unreported."""
    session = Session(_Process(str(tmp_path), rewrite=lambda one, two: (two, one)))
    case = _held(session, 1.5)
    session.new(2.0)
    with pytest.raises(StudentProcessEnded) as ended:
        session.sync()
    assert ended.value.why == "broken"
    assert isinstance(case.error, StudentFailure) and case.error.code == "protocol_violation"
    assert session.broken


def test_an_answer_given_twice_is_the_next_cases_protocol_violation(tmp_path) -> None:
    """The case's end answered twice, the second read as the next batch's: the finished case keeps its
    record; the next batch is refused as the student's protocol violation, the channel broken."""
    session = Session(_Process(str(tmp_path), rewrite=lambda one, two: (one, one)))
    case = _held(session, 1.5)
    session.new(2.0)
    with pytest.raises(StudentFailure) as raised:
        session.sync()
    assert raised.value.code == "protocol_violation"
    assert case.finished and case.error is None and case.record.value is not None
    assert session.broken


def test_a_process_that_ends_between_its_answers_keeps_the_finished_case(tmp_path) -> None:
    """Dead (or killed for its time) after answering the case's end: that case is finished with its
    records, as when its end went alone; the next case's batch ends the phase ("eof")."""
    session = Session(_Process(str(tmp_path), rewrite=lambda one, two: (one, None)))
    case = _held(session, 1.5)
    session.new(2.0)
    with pytest.raises(StudentProcessEnded) as ended:
        session.sync()
    assert ended.value.why == "eof"
    assert case.finished and case.error is None and case.record.value is not None


def test_a_process_that_ends_before_its_first_answer_loses_the_case(tmp_path) -> None:
    """Dead before answering the case's end: the case goes unreported, as when its end went alone."""
    session = Session(_Process(str(tmp_path), rewrite=lambda one, two: (None, None)))
    case = _held(session, 1.5)
    session.new(2.0)
    with pytest.raises(StudentProcessEnded) as ended:
        session.sync()
    assert ended.value.why == "eof"
    assert isinstance(case.error, StudentProcessEnded)


def test_a_skip_of_a_clean_end_costs_a_round_trip_only(tmp_path) -> None:
    """A process that refuses the batch behind a clean end: the batch is sent again and answered."""
    refused = wire.dumps({"res": [], "err": {"at": 0, "wire": wire.SKIPPED}})
    session = Session(_Process(str(tmp_path), rewrite=lambda one, two: (one, refused)))
    case = _held(session, 1.5)
    assert session.new(2.0).desc.get("v") == 2.0
    assert case.finished and case.error is None
    assert session.round_trips == 2


def test_a_batch_run_behind_an_unset_record_is_the_processs_claim(tmp_path, monkeypatch) -> None:
    """A process that runs the next batch when the end had a record unset: the case's questions go after
    it, answered or not by that process (what it could answer to them alone as well); nothing breaks."""
    original = server.execute

    def claims_clean(s: server.Server, ops: list[Any]) -> dict[str, Any]:
        s.failed = s.unset = False  # whatever the batches before answered
        return original(s, ops)

    monkeypatch.setattr(server, "execute", claims_clean)
    process = _Process(str(tmp_path))
    session = Session(process)
    case = _held(session, None, ask_more=True)
    assert session.new(2.0).desc.get("v") == 2.0
    assert case.finished and case.more == 7.0
    assert process.ran == ["new", "array", "if_clean", "release", "new", "new"]


def test_the_server_runs_a_batch_behind_a_clean_end_only(tmp_path) -> None:
    """`if_clean`: refused after a batch that stopped at an error, or when a gated value came back None since
    the last release (in any batch of the case); run after a clean one, or one whose None is no gated
    record's."""
    s = server.Server(str(tmp_path))

    def behind(first: list[dict[str, Any]]) -> dict[str, Any]:
        server.execute(s, first)
        return server.execute(s, [{"o": "if_clean"}, {"o": "new", "id": 9, "value": 1.0}])

    skipped = {"res": [], "err": {"at": 0, "wire": wire.SKIPPED}}
    none = {"o": "new", "id": 1, "value": None}
    assert behind([none, {"o": "array", "obj": {"r": 1}, "none_ok": True, "gate": True}]) == skipped
    assert behind([{"o": "getattr", "id": 2, "obj": {"r": 404}, "names": ["x"]}]) == skipped
    ran = behind([{"o": "release", "keep": []}, none, {"o": "array", "obj": {"r": 1}, "none_ok": True}])
    assert ran["err"] is None and len(ran["res"]) == 2
    assert behind([{"o": "new", "id": 3, "value": 2.0}])["err"] is None
    # a record unset in an earlier batch of the case (explained when the case ends), its end clean: refused;
    # the case's objects released, the next case's end clean: run
    server.execute(s, [none, {"o": "array", "obj": {"r": 1}, "none_ok": True, "gate": True}])
    assert behind([{"o": "new", "id": 4, "value": 2.0}]) == skipped
    ran = behind([{"o": "release", "keep": []}, {"o": "new", "id": 5, "value": 2.0}])
    assert ran["err"] is None and len(ran["res"]) == 2


def test_the_server_refuses_a_batch_behind_a_gated_none(tmp_path) -> None:
    """`gate_none` (the Inputs' fed values, read before a MiniFlow backward pass whose sync goes with the
    case's end): any of its values None or missing, and the batch behind is refused, as behind a record left
    unset, until the next release; none of them None (or none at all): run."""
    s = server.Server(str(tmp_path))

    def behind(first: list[dict[str, Any]]) -> dict[str, Any]:
        server.execute(s, first)
        return server.execute(s, [{"o": "if_clean"}, {"o": "new", "id": 9, "value": 1.0}])

    skipped = {"res": [], "err": {"at": 0, "wire": wire.SKIPPED}}
    values = [{"o": "new", "id": 1, "value": None}, {"o": "new", "id": 2, "value": 2.0}]
    missing = {"o": "getattr", "id": 3, "obj": {"r": 2}, "names": ["nothing"], "missing_ok": True}
    assert behind([*values, {"o": "gate_none", "obj": [{"r": 2}, {"r": 1}]}]) == skipped
    server.execute(s, [{"o": "release", "keep": []}, *values, missing])
    assert behind([{"o": "gate_none", "obj": [{"r": 3}]}]) == skipped
    ran = behind([{"o": "release", "keep": []}, *values, {"o": "gate_none", "obj": [{"r": 2}]}])
    assert ran["err"] is None and len(ran["res"]) == 2
    ran = behind([{"o": "release", "keep": []}, {"o": "gate_none", "obj": []}])
    assert ran["err"] is None and len(ran["res"]) == 2


def test_a_stopping_gate_stops_its_batch_at_a_none(tmp_path) -> None:
    """`gate_none` with `stop` (a MiniFlow pass before an sgd step, session 29): a value None or missing
    stops the batch there, the error at the gate (`wire.GATE_STOPPED`), nothing after it run, and the batch
    behind refused; every value set: the batch runs on. The harness marks the gate's answer `stopped`
    (and no other): what tells it the pass passed with an Input unset."""
    s = server.Server(str(tmp_path))
    values = [{"o": "new", "id": 1, "value": None}, {"o": "new", "id": 2, "value": 2.0}]
    after = {"o": "new", "id": 4, "value": 3.0}
    gate = {"o": "gate_none", "obj": [{"r": 2}, {"r": 1}], "stop": True}
    stopped = server.execute(s, [*values, gate, after])
    assert stopped["err"] == {"at": 2, "wire": wire.GATE_STOPPED} and len(stopped["res"]) == 2
    assert 4 not in s.objects
    refused = server.execute(s, [{"o": "if_clean"}, {"o": "new", "id": 9, "value": 1.0}])
    assert refused == {"res": [], "err": {"at": 0, "wire": wire.SKIPPED}}
    ran = server.execute(s, [{"o": "release", "keep": []}, *values[1:], {"o": "gate_none", "obj": [{"r": 2}],
                                                                          "stop": True}, after])  # fmt: skip
    assert ran["err"] is None and len(ran["res"]) == 4
    process = _Process(str(tmp_path))
    session = Session(process)
    fed = [session.new(None), session.new(2.0)]
    marker = session.gate_none(fed, stop=True)
    later = session.new(3.0)
    with pytest.raises(StudentFailure, match="stopped: a value the grader fed is unset"):
        session.sync()
    assert marker.stopped and not marker.done and not later.answered and fed[0].answered


@pytest.mark.parametrize(
    ("asked", "marked"),
    [
        (lambda s, v: s.gate_none([v], stop=True), True),
        (lambda s, v: s.gate_none([v]), False),
        (lambda s, v: s.array_later(v, "a record", gate=True), False),
        (lambda s, v: s.items_later(v), False),
    ],
    ids=["stopping-gate", "gate-without-stop", "record", "items"],
)
def test_only_a_stopping_gate_is_marked_stopped(
    asked: Callable[[Session, Any], Pending], marked: bool
) -> None:
    """An error at a plain answer marks it `stopped` only when it is a `gate_none` with `stop`: a process
    answering `wire.GATE_STOPPED` at a record, the items of a list or a gate that does not stop has its
    error told as an error there, never read as a pass that passed with an Input unset (session 30; before,
    any answer the error named was marked)."""
    stopped = wire.dumps({"res": [{"n": "float", "t": 0, "k": "float", "v": 1.0}],
                          "err": {"at": 1, "wire": wire.GATE_STOPPED}})  # fmt: skip
    session = Session(lambda request: stopped)
    target = asked(session, session.new(1.0))
    with pytest.raises(StudentFailure, match="stopped: a value the grader fed is unset"):
        session.sync()
    assert target.stopped is marked and not target.done and not session.broken


@pytest.mark.parametrize("cap", [remote.PAIR_MAX_BYTES, 1 << 30])
def test_a_pair_over_the_cap_goes_as_two_round_trips(tmp_path, monkeypatch, cap: int) -> None:
    """A next batch that would take the pair over PAIR_MAX_BYTES (here ~100 KB: a case's inputs): the held
    end goes alone and is finished, then the batch, without `if_clean` (the harness's write of both could
    outgrow the socket's buffer while the process writes a large first answer: each waits on the other).
    Control: with the cap lifted the same two go as one pair (review of s27-ssand: nothing tested the cap)."""
    monkeypatch.setattr(remote, "PAIR_MAX_BYTES", cap)
    process = _Process(str(tmp_path))
    session = Session(process)
    case = _held(session, 1.5)
    big = session.new([0.25] * 20000)
    assert big.length == 20000 and case.finished and case.error is None
    if cap == 1 << 30:
        assert (session.round_trips, session.pairs) == (1, 1)
        assert process.ran == ["new", "array", "if_clean", "release", "new"]
    else:
        assert (session.round_trips, session.pairs) == (2, 0)
        assert process.ran == ["new", "array", "release", "new"]


def test_two_requests_in_one_write_are_answered_in_order_over_a_socket(tmp_path) -> None:
    """The harness's transport writes both requests at once; the student process's server reads and answers
    them one after the other."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    serving = threading.Thread(target=server.serve, args=(theirs.fileno(), str(tmp_path)), daemon=True)
    serving.start()
    try:
        send = harness_process.transport(ours.fileno())
        first = wire.dump_ops([{"o": "new", "id": 1, "value": 1.0}])
        second = wire.dump_ops([{"o": "if_clean"}, {"o": "new", "id": 2, "value": 2.0}])
        one, two = send.pair(first, second)  # type: ignore[attr-defined]
        assert wire.loads(one)["res"][0]["v"] == 1.0
        assert wire.loads(two())["res"][1]["v"] == 2.0
    finally:
        ours.shutdown(socket.SHUT_RDWR)
        serving.join(5)
        ours.close()
        theirs.close()
    assert not serving.is_alive()
    assert os.path.isdir(tmp_path)


def test_a_case_that_fails_before_its_first_round_trip_is_reported_after_the_case_before_it() -> None:
    """A case the grader cannot start (an input it cannot decode: no round trip of its own) while the case
    before it is held (its end rides with the next batch): the held case is finished first, and the frames
    come in the cases' order (review of s27-ssand: c2 was emitted before c1)."""
    cases = [case(c, QUIZ, FORWARD) for c in ("c1", "c2", "c3")]
    cases[1]["inputs"]["X"] = {"not": "an array"}
    ran = run_inside({"miniflow.py": S.MINIFLOW}, job("miniflow", cases, **MF))
    assert [f["id"] for f in ran.frames if f["type"] == "case"] == ["c1", "c2", "c3"]
    assert ran.case("c2")["status"] == "error" and ran.case("c2")["failure"]["code"] == "grader_error"
    assert ran.record("f", "c1").tolist() == ran.record("f", "c3").tolist() == [[-11.0], [-11.0]]


def _second(edit: Callable[[dict[str, Any]], Any]) -> Callable[[bytes | None, bytes | None], Any]:
    """A rewrite of the pair's second answer (the next batch's), as the process's JSON."""
    return lambda one, two: (one, None if two is None else wire.dumps(edit(wire.loads(two))))


# the next batch's answers: if_clean, release, the tuple's description, its items
@pytest.mark.parametrize(
    ("rewrite", "outcome"),
    [
        (None, "items"),
        (lambda one, two: (two, one), "held case broken"),  # swapped
        (lambda one, two: (one, one), "violation"),  # the end's answer twice
        (lambda one, two: (one, None), "eof"),  # exit between its answers
        (_second(lambda r: {**r, "res": [*r["res"][:3], r["res"][2]]}), "violation"),  # a description's shape
        (_second(lambda r: {**r, "res": r["res"][:3]}), "violation"),  # one answer short
        (_second(lambda r: {"res": r["res"], "err": {"at": 3, "wire": "x"}}), "violation"),  # past its error
        (_second(lambda r: {**r, "res": [*r["res"][:3], None]}), "asked alone"),  # no items for a tuple
    ],
    ids=["honest", "swapped", "twice", "exit", "other-shape", "short", "past-error", "none"],
)
def test_items_or_behind_a_held_end_is_read_as_strictly_as_alone(
    tmp_path, rewrite: Any, outcome: str
) -> None:
    """`items_or` (session 30) in the batch that rides with a held end: whatever the process does with the
    two answers, the held case and the items are refused or attributed as any answer sent alone."""
    process = _Process(str(tmp_path), rewrite=rewrite)
    session = Session(process)
    case = _held(session, 1.5)
    obj = session.new((1.0, 2.0))
    asked = session.items_or_later(obj)
    if outcome in ("items", "asked alone"):
        items = session.items_or_read(obj, asked)
        assert items is not None and [i.desc.get("v") for i in items] == [1.0, 2.0]
        assert case.finished and case.error is None and not session.broken
        assert session.round_trips == (1 if outcome == "items" else 2)
        return
    with pytest.raises((StudentFailure, StudentProcessEnded)) as raised:
        session.items_or_read(obj, asked)
    if outcome == "eof":
        assert isinstance(raised.value, StudentProcessEnded) and raised.value.why == "eof"
        assert case.finished and case.error is None
        return
    assert session.broken
    if outcome == "held case broken":
        assert isinstance(case.error, StudentFailure) and case.error.code == "protocol_violation"
    else:
        assert isinstance(raised.value, StudentFailure) and raised.value.code == "protocol_violation"
        assert case.finished and case.error is None
