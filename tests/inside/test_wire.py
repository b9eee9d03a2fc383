"""The wire format between the harness and a student process (grader/inside/wire.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.inside import codec, wire


def _round_trip(value: object) -> object:
    text = wire.dumps(wire.encode(value))
    return wire.decode(wire.loads(text), resolve=lambda rid: ("handle", rid), make_array=lambda a, dt: a)


def test_plain_values_tuples_dicts_and_non_finite_floats_come_back_as_sent():
    """Tuples, dicts with non-string keys, Ellipsis and inf/nan survive a trip through JSON text."""
    value = [1, 2.5, "x", None, True, (1, (2, ...)), {3: [4.0, -math.inf]}]
    assert _round_trip(value) == value
    assert math.isnan(_round_trip(math.nan))  # type: ignore[arg-type]


def test_handles_and_arrays_go_through_the_callers_resolvers():
    """`{"r": id}` is resolved by the caller; an array's bytes reach make_array untouched."""
    sent = [{"r": 7}, wire.array(np.array([[1.0, 2.0]]))]
    text = wire.dumps(sent)
    got = wire.decode(wire.loads(text), lambda rid: rid * 10, lambda a, dt: codec.decode(a))
    assert got[0] == 70
    np.testing.assert_array_equal(got[1], [[1.0, 2.0]])


def test_a_cycle_is_refused_by_the_depth_bound_not_by_the_json_encoder():
    """The encoder runs without a circular check: encode()'s depth bound is what refuses a cycle."""
    looped: list[object] = []
    looped.append(looped)
    with pytest.raises(wire.WireError, match="nested too deeply"):
        wire.encode(looped)


@pytest.mark.parametrize(
    "text",
    [b"NaN", b"[Infinity]", b"{", b"\xff", b"[" * 100_000 + b"]" * 100_000],
    ids=["nan-literal", "infinity-literal", "truncated", "not-utf8", "too-deep"],
)
def test_loads_refuses_what_is_not_strict_json(text: bytes):
    """Non-finite literals, bad text and absurd nesting are WireErrors, never other exceptions."""
    with pytest.raises(wire.WireError):
        wire.loads(text)


_NEST = b"[" * 500 + b"]" * 500
# a halfway case near the subnormal limit, slow to round (submissions/hostile/harness_slow_reply.py)
_SLOW_FLOAT = b"2.4703282292062327208828439643411068618252990130716238221279284125033775363510e-324"


@pytest.mark.parametrize(
    "text",
    [
        b"[" + b",".join([_NEST] * 2001) + b"]",  # a million lists and more
        b"[" + b",".join([b"0"] * 2_000_002) + b"]",  # two million values and more
        b'{"v":[' + _SLOW_FLOAT + b"]}",
    ],
    ids=["nested-lists", "values", "long-float-literal"],
)
def test_loads_refuses_a_reply_dearer_to_parse_than_any_honest_one(text: bytes):
    """A reply under the size cap could take seconds to parse (32 MiB of nested empty lists: 8 s of CPU), long
    enough, sent just before the student's deadline, for the worker to call the harness lost: more lists,
    objects, values or float digits than an honest reply has are refused before they are parsed."""
    with pytest.raises(wire.WireError):
        wire.loads(text)


def test_loads_reads_the_largest_honest_replies_and_restores_the_collector():
    """An `iter` answer of server.MAX_ITEMS described items and a float's longest repr are read; the cyclic
    collector, paused while parsing, is on again afterwards (also after a refusal)."""
    import gc

    from grader.inside import server

    item = {"n": "Linear", "t": 3, "k": "ndarray", "shape": [4, 3], "dtype": "f"}
    reply = {"res": [[[-i, item] for i in range(1, server.MAX_ITEMS + 1)], {"v": -2.2250738585072014e-308}]}
    assert wire.loads(wire.dumps(reply)) == reply
    assert gc.isenabled()
    with pytest.raises(wire.WireError):
        wire.loads(b"[" + _SLOW_FLOAT + b"]")
    assert gc.isenabled()


@pytest.mark.parametrize(
    "form",
    [{"r": "1"}, {"x": 1}, {"f": "nan", "extra": 1}, {"a": "AAAA", "dt": "c16"}, {"d": [[1]]}, 2**60],
    ids=["string-handle", "unknown-tag", "extra-key", "bad-dtype", "short-pair", "huge-int"],
)
def test_decode_refuses_malformed_forms(form: object):
    """Every tagged form is checked whole: a wrong field, tag, dtype or int size is refused."""
    with pytest.raises(wire.WireError):
        wire.decode(form, resolve=lambda rid: rid, make_array=lambda a, dt: a)


def test_dumps_writes_compact_ascii_and_refuses_nan():
    """Messages are compact ASCII JSON; a raw NaN (not encoded as {"f": "nan"}) is a bug and raises."""
    assert wire.dumps({"k": ["é", 1]}) == b'{"k":["\\u00e9",1]}'
    with pytest.raises(ValueError):
        wire.dumps([math.nan])


def test_a_batch_of_operations_round_trips_as_marshal_bytes():
    """A batch the harness writes (plain data: nested dicts and lists, strings, ints, floats, None, bools)
    comes back equal; cut or foreign bytes are a WireError, never another exception."""
    ops = [
        {"o": "call", "f": {"r": 2}, "a": [{"r": 17}, wire.array(np.array([1.5, -2.0]))], "id": 3},
        {"o": "setattr", "obj": {"r": 3}, "name": "value", "value": {"t": [None, True, {"f": "nan"}]}},
    ]
    data = wire.dump_ops(ops)
    assert wire.load_ops(data) == ops
    for bad in (data[: len(data) // 2], b"", b"\x00not marshal"):
        with pytest.raises(wire.WireError):
            wire.load_ops(bad)
