"""grader/reports/jsonio.py: the indented text is exactly the standard library's, whatever the document."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
from report_builder import build_report

from grader.reports.jsonio import dumps
from grader.reports.views import student_view


def _oracle(document: object, ensure_ascii: bool = False) -> str:
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=ensure_ascii, allow_nan=False) + "\n"


def _nested(depth: int) -> object:
    document: object = "deep"
    for _ in range(depth):
        document = [1, {"k": document}]
    return document


TEXTS = ["", "plain", 'quote " and \\ back', "tab\tnew\nline", "é ü 中 \u2028", "\x00\x1f"]


def _random_document(rng: random.Random, depth: int = 0) -> object:
    leaves = [
        lambda: rng.choice(TEXTS),
        lambda: rng.uniform(-1e6, 1e6),
        lambda: rng.choice([0.1, -0.0, 1e-310, 5e-324, 1.7976931348623157e308, 1e16, 123456789.0]),
        lambda: rng.randint(-(10**20), 10**20),
        lambda: rng.choice([True, False, None]),
    ]
    if depth >= 4 or rng.random() < 0.4:
        return rng.choice(leaves)()
    if rng.random() < 0.5:
        return [_random_document(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["b", "a", "B", "ä", "10", "9", "", "key with space"]
    return {k: _random_document(rng, depth + 1) for k in rng.sample(keys, rng.randint(0, 5))}


@pytest.mark.parametrize("seed", range(200))
def test_random_documents_are_written_as_json_writes_them(seed):
    document = _random_document(random.Random(seed))
    assert dumps(document) == _oracle(document)


def test_a_real_report_and_its_student_view_are_written_as_json_writes_them():
    report = build_report()
    for document in (report.to_dict(), student_view(report, after_due_date=False)):
        assert dumps(document) == _oracle(document)


@pytest.mark.parametrize(
    "document",
    [
        {1: "an int key", "a": 2},  # json turns keys into strings (and cannot sort mixed ones)
        {"tuple": (1, 2.5)},
        {"numpy float": np.float64(0.1), "numpy int": 3},
        {"int subclass": type("N", (int,), {})(7), "str subclass": type("S", (str,), {})("s")},
        {type("S", (str,), {})("b"): 1, "a": 2},  # a str subclass among the keys: every key's type tested
        {1: "only an int key"},
        {None: 1, "a": 2},
        _nested(40),
    ],
)
def test_what_the_fast_path_leaves_to_json_comes_out_as_json_writes_it(document):
    try:
        expected = _oracle(document)
    except TypeError:
        with pytest.raises(TypeError):
            dumps(document)
        return
    assert dumps(document) == expected


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_loudly(bad):
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps({"score": [1.0, bad]})


def test_a_lone_surrogate_is_escaped_instead_of_breaking_the_write():
    text = dumps({"name": "bad \udcff name", "ok": "é"})
    assert text == _oracle({"name": "bad \udcff name", "ok": "é"}, ensure_ascii=True)
    text.encode("utf-8")


def test_a_string_value_is_escaped_in_place_without_a_call_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three in five of a report's values are strings: each is escaped where its container writes it, so the
    writer is called once a container and once a value of another type (counted), the text unchanged."""
    from grader.reports import jsonio

    calls: list[object] = []
    real = jsonio._indented

    def counted(value: object, pad: str) -> str:
        calls.append(value)
        return real(value, pad)

    monkeypatch.setattr(jsonio, "_indented", counted)
    document = {"a": "x", "b": ["y", "z", None], "c": 1.0, "d": {"e": "\u00e9\n"}}
    assert dumps(document) == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert len(calls) == 5  # the document, the list, None, 1.0, the inner dict: none of the four strings
