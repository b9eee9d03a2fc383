"""A case frame's decoded output kept by its bytes (grader/sandbox/kept_frames.py): counted, never timed."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from grader import arrays
from grader.sandbox import kept_frames
from grader.sandbox.frames import FrameLimits, parse_frames

from .helpers import case
from .test_frames import DONE, JOB, LOADED, OK1, stream

ERROR1 = {
    "type": "case",
    "id": "c1",
    "status": "error",
    "records": {},
    "failure": {"code": "exception", "message": "m"},
}


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    kept_frames.clear()
    yield
    kept_frames.clear()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every record value the parser rebuilds from JSON."""
    seen: list[object] = []
    real = arrays.decode_value

    def counted(obj: object, **kwargs: object) -> object:
        seen.append(obj)
        return real(obj, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(arrays, "decode_value", counted)
    return seen


def fresh(raw: bytes, job: dict[str, object] = JOB, limits: FrameLimits | None = None) -> object:
    kept_frames.clear()
    parsed = parse_frames(raw, job, limits)
    kept_frames.clear()
    return parsed


def test_an_equal_case_frame_of_a_later_job_is_decoded_once_and_parsed_as_a_fresh_one(
    decodes: list[object],
) -> None:
    """Two jobs handing in the same case frame: its records are rebuilt for the first alone, and the second's
    parse equals one with nothing kept (NaN and all)."""
    raw = stream(LOADED, OK1, DONE)
    first = parse_frames(raw, JOB)
    second = parse_frames(raw, JOB)
    assert len(decodes) == 1
    assert second.outputs["c1"] is first.outputs["c1"]
    expected = fresh(raw)
    assert repr(second) == repr(expected)  # the dataclasses' reprs: every field, the arrays' values with NaN


def test_an_error_case_frame_is_kept_with_its_failure() -> None:
    raw = stream(LOADED, ERROR1, DONE)
    parse_frames(raw, JOB)
    assert kept_frames.held() == 1
    assert repr(parse_frames(raw, JOB)) == repr(fresh(raw))


def test_a_kept_outputs_arrays_are_read_only() -> None:
    parsed = parse_frames(stream(LOADED, OK1, DONE), JOB)
    dx = parsed.outputs["c1"].records["dx"]
    assert isinstance(dx, np.ndarray)
    with pytest.raises(ValueError, match="read-only"):
        dx[0] = 2.0


def _job_with(**changes: object) -> dict[str, object]:
    c1 = case("c1", "dx", "out", inputs={"x": {"shape": [], "data": [1.0]}})
    c1.update(changes)
    return {"harness": {"phases": [{"name": "visible", "cases": [c1]}]}}


@pytest.mark.parametrize(
    "job, limits",
    [
        (_job_with(steps=[{"do": "record", "key": "out"}]), None),  # dx no longer a record key
        (_job_with(inputs={"y": {"shape": [], "data": [1.0]}}), None),  # other inputs
        (JOB, FrameLimits(max_elements=1)),  # two elements over the cap now
        (JOB, FrameLimits(max_text_chars=3)),
    ],
)
def test_a_kept_frame_under_another_case_table_or_limits_is_parsed_afresh(
    job: dict[str, object], limits: FrameLimits | None, decodes: list[object]
) -> None:
    """What decoding reads besides the bytes differs: the frame goes the whole way, and is judged as a fresh
    parse judges it (a violation included)."""
    raw = stream(LOADED, OK1, DONE)
    parse_frames(raw, JOB)
    again = parse_frames(raw, job, limits)
    assert len(decodes) == 2 or again.violation is not None
    assert repr(again) == repr(fresh(raw, job, limits))


@pytest.mark.parametrize(
    "frames",
    [
        (LOADED, OK1, OK1),  # reported twice
        (OK1,),  # before 'loaded'
        (LOADED, DONE, OK1),  # after the last frame
        ({**LOADED, "phase": "hidden"}, OK1),  # outside its phase
    ],
)
def test_a_kept_frame_still_meets_the_streams_own_checks(frames: tuple[object, ...]) -> None:
    """A frame kept from an earlier job, met where the stream does not allow it: the same violation, worded
    as a fresh parse words it."""
    parse_frames(stream(LOADED, OK1, DONE), JOB)
    assert kept_frames.held() == 1
    kept = parse_frames(stream(*frames), JOB)
    assert kept.violation is not None
    assert repr(kept) == repr(fresh(stream(*frames)))


def test_at_most_max_kept_frames_and_none_over_the_size_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept_frames, "MAX_KEPT", 3)
    for i in range(5):
        record = {"dx": {"shape": [1], "data": [float(i)]}}
        parse_frames(stream(LOADED, {**OK1, "records": record}, DONE), JOB)
    assert kept_frames.held() == 3
    kept_frames.clear()
    big = {"dx": {"shape": [1000], "data": [0.1] * 1000}}  # over 4 KiB of JSON
    parse_frames(stream(LOADED, {**OK1, "records": big}, DONE), JOB)
    assert kept_frames.held() == 0
