"""A case frame's decoded output, worked out once a batch instead of once a submission.

What a case frame decodes to (its JSON, the records rebuilt as float64 arrays, the names and the failure
checked and cleaned: a `CaseOutput`) is a function of the frame's bytes, the case's record keys and inputs
in the job, and the frame limits. Most of a class records the very same numbers for a case (the right
values, or one textbook mistake's: the verdicts judge/judged_once.py keeps for the same reason), so the
same bytes arrive again and again, ~19 case frames a MiniFlow job. A frame that decoded whole is kept by its
bytes with what it depended on; an equal frame of a later job whose case has the same keys and inputs under
the same limits takes the kept output, and only the stream's own checks (the parser's state, the case
reported once and in its phase) run for it. Anything else (another case table, other limits, a frame
never seen, one that did not decode) goes the whole way.

The kept output is shared by the jobs that hand in those bytes, as a kept verdict is: its arrays are made
read-only, so a reader that wrote into one would fail loudly instead of changing another student's.
Bounded: frames of at most `MAX_FRAME_BYTES`, at most `MAX_KEPT` of them, least recently used out (at most
1 MiB of frame text, and the objects it became). A failing case's frame carries its student's own text and
seldom repeats (280 of the 327 distinct frames of the bench class's 200 submissions, ~660 bytes each): kept
by the thousand, they grew the batch parent by megabytes from 200 to 2,000 submissions for nothing; at 256
the frames a class shares are met again long before they are the least recently used. Locked: two lanes
parse their jobs' frames at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from grader.model import CaseOutput

MAX_FRAME_BYTES = 4 * 1024  # the bench class's largest case frame: 1,170 bytes
MAX_KEPT = 256  # the bench class: 47 distinct "ok" case frames in 200 submissions (and 280 error ones)


class Context(NamedTuple):
    """What a case frame's decoding reads besides its bytes."""

    keys: frozenset[str]
    inputs: frozenset[str]
    max_elements: int
    max_text_chars: int


class Kept(NamedTuple):
    case_id: str  # as the frame gave it (the output's is normalised: grader/untrusted.py)
    context: Context
    output: CaseOutput


_kept: OrderedDict[bytes, Kept] = OrderedDict()
_lock = threading.Lock()


def find(body: bytes) -> Kept | None:
    """The output kept for these bytes (its context still to be compared by the caller), or None."""
    if len(body) > MAX_FRAME_BYTES:
        return None
    with _lock:
        hit = _kept.get(body)
        if hit is not None:
            _kept.move_to_end(body)
        return hit


def keep(body: bytes, case_id: str, context: Context, output: CaseOutput) -> None:
    """Keep a frame that decoded whole into `output` under `context`; its arrays become read-only."""
    if len(body) > MAX_FRAME_BYTES:
        return
    _read_only(output.records)
    with _lock:
        _kept[body] = Kept(case_id, context, output)
        _kept.move_to_end(body)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)


def clear() -> None:
    with _lock:
        _kept.clear()


def held() -> int:
    """How many frames are kept (for tests: the bound holds)."""
    with _lock:
        return len(_kept)


def _read_only(records: Mapping[str, object]) -> None:
    for value in records.values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
