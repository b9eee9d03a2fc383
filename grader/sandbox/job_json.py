"""The harness part of a job as JSON text, with what every job of a run shares encoded once.

Every job of a run carries the same cases (RunPlan.job_phases: one tuple, ~30 KB of inputs and steps, about
0.3 ms of `json.dumps` a job, a tenth of the pool's share of the parent's CPU). Its text is kept here by the
tuple's identity, with the tuple itself held so that its id cannot be reused while kept; a job built by hand
(a list of phases) is encoded whole, as before. The shared tuple's dicts are the plan's, never changed after
it is made (as its case views always were, shared by every job).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

KEPT = 4  # runs whose cases are kept: a process grades one run at a time, tests a few

_lock = threading.Lock()
_encoded: OrderedDict[int, tuple[tuple[Any, ...], str]] = OrderedDict()


def _phases_text(phases: tuple[Any, ...]) -> str:
    with _lock:
        hit = _encoded.get(id(phases))
        if hit is not None and hit[0] is phases:
            _encoded.move_to_end(id(phases))
            return hit[1]
    text = json.dumps(phases)
    with _lock:
        _encoded[id(phases)] = (phases, text)
        while len(_encoded) > KEPT:
            _encoded.popitem(last=False)
    return text


def harness_json(harness: Mapping[str, Any]) -> bytes:
    """`json.dumps(harness)` as bytes, but for where "phases" goes (last) and that its text is reused."""
    phases = harness.get("phases")
    if not isinstance(phases, tuple):
        return json.dumps(harness).encode()
    rest = json.dumps({k: v for k, v in harness.items() if k != "phases"})
    joint = ", " if len(rest) > 2 else ""
    return f'{rest[:-1]}{joint}"phases": {_phases_text(phases)}}}'.encode()
