"""A case's verdict on the same output, worked out once a batch instead of once a submission.

`judge_case` is a function of the case, its output's content, the failure beside it, the family, the classes
cleared by the unit cases and, for a wrong record alone, the submission's support of the known mistakes
(grader/judge/support.py). A batch's cases are one set of objects, their inputs drawn once (one seed), and
most of a class hands in code that records the very same numbers for a case: the right values, or one
textbook mistake's. So the verdict on an output is kept on the case (as `per_case` keeps its answers: it dies
with the case), keyed by the output's exact content: each record's type, dtype, shape and bytes (a NaN's
payload and -0.0 apart from 0.0: stricter than any comparison), its mutated, packed and handed names and its
failure. A verdict that read the support is kept with what it read (each name asked for and its count, or the
whole support when the judge went through it) and reused only under a support holding the same for each; one
that never read it (every record right, or none compared) holds whatever the support is. The
verdict is a frozen CaseResult whose checks are frozen too: one object shared by the submissions that earn it,
as `score._passing` shares a passing record's check.

Kept only for small outputs (`MAX_KEY_BYTES` of records and failure text, the process failure's too), at
most `MAX_KEPT` verdicts a case over all its outputs and supports (the first ones seen): the memory is bounded
whatever a class hands in, and a batch of all-different outputs is judged as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from grader.judge.results import CaseResult
from grader.model import Case, CaseOutput, Failure

MAX_KEPT = 32  # verdicts a case: a class's right answer and its commonest mistakes
MAX_KEY_BYTES = 4 * 1024  # an output's records and failure text, in bytes: at most MAX_KEPT * 4 KiB of keys
_MEMO = "_judged_once"

Judge = Callable[[Mapping[str, int]], CaseResult]


_ABSENT = object()  # a name the support does not hold, as read


class _Watched(Mapping[str, int]):
    """The support as the judge reads it, noting what it read: each name asked for and what it held, or the
    whole of it (iterated, counted). The judge is a function of those reads: under a support that holds the
    same for each of them it reads the same and gives the same verdict."""

    def __init__(self, support: Mapping[str, int]) -> None:
        self.support = support
        self.names: dict[str, Any] = {}
        self.whole = False

    def _read(self, name: object) -> Any:
        value = self.support.get(name, _ABSENT) if isinstance(name, str) else _ABSENT
        if isinstance(name, str):
            self.names.setdefault(name, value)
        return value

    def __getitem__(self, name: str) -> int:
        value = self._read(name)
        if value is _ABSENT:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return self._read(name) is not _ABSENT

    def get(self, name: str, default: Any = None) -> Any:
        value = self._read(name)
        return default if value is _ABSENT else value

    def __iter__(self) -> Iterator[str]:
        self.whole = True
        return iter(self.support)

    def __len__(self) -> int:
        self.whole = True
        return len(self.support)

    def seen(self) -> _Seen:
        """What the judge read: None (nothing), the names read with their values, or the whole support."""
        if self.whole:
            return (True, tuple(dict(self.support).items()))
        return (False, tuple(self.names.items())) if self.names else None


_Seen = tuple[bool, tuple[tuple[str, Any], ...]] | None


def _holds(seen: _Seen, support: Mapping[str, int]) -> bool:
    """Whether `support` holds what a kept verdict read of its own (so the judge would read the same)."""
    if seen is None:
        return True
    whole, items = seen
    if whole:
        return tuple(dict(support).items()) == items  # in order: an iteration reads it so
    return all(support.get(name, _ABSENT) == value for name, value in items)


def _record_key(value: Any) -> tuple[Any, ...] | None:
    kind = type(value)
    if kind is np.ndarray:
        return (kind, value.dtype.str, value.shape, value.tobytes())
    if value is None or kind is bool:
        return (kind, value)
    return None  # a value the frames never give: judged afresh


def _text_bytes(failure: Failure | None) -> int:
    """The memory a failure's text holds (the student's process wrote it: up to 4,000 + 20,000 characters
    of up to 4 bytes each), counted with the records: uncounted, 32 such failures a case were kept as keys,
    3 MB a case, 187 MB over a run of 63 cases from 32 submissions whatever the records' bound said."""
    return 0 if failure is None else sys.getsizeof(failure.message) + sys.getsizeof(failure.detail)


def output_key(output: CaseOutput | None) -> tuple[Any, ...] | None:
    """The exact content of an output the judge reads, or None when it is too large to keep as a key."""
    if output is None:
        return (None,)
    records: list[tuple[Any, ...]] = []
    size = 0
    for name, value in output.records.items():
        key = _record_key(value)
        if key is None:
            return None
        size += len(key[3]) if len(key) == 4 else 1
        if size > MAX_KEY_BYTES:
            return None
        records.append((name, key))
    if size + _text_bytes(output.failure) > MAX_KEY_BYTES:
        return None
    return (
        output.case_id,
        output.status,
        tuple(records),
        output.mutated,
        output.failure,
        output.packed,
        output.handed,
    )


def judged_once(
    case: Case,
    output: CaseOutput | None,
    process_failure: Failure | None,
    family: str,
    cleared: frozenset[str],
    support: Mapping[str, int],
    judge: Judge,
) -> CaseResult:
    """`judge(support)` for this case and output, or the verdict an earlier submission's equal output earned
    under the same family, cleared classes and process failure (and support, when that verdict read it)."""
    content = output_key(output)
    if content is None or _text_bytes(process_failure) > MAX_KEY_BYTES:
        return judge(support)
    memo: dict[tuple[Any, ...], list[tuple[_Seen, CaseResult]]] | None
    memo = case.__dict__.get(_MEMO)
    if memo is None:
        memo = case.__dict__.setdefault(_MEMO, {})  # two threads: one dict, equal verdicts
    key = (content, process_failure, family, cleared)
    kept = memo.get(key, [])
    for seen, verdict in kept:
        if _holds(seen, support):
            return verdict
    watched = _Watched(support)
    verdict = judge(watched)
    # MAX_KEPT verdicts a case in all, whatever mix of outputs and supports: each output under another
    # support was kept beside the others, 32 outputs * 32 supports (each a copy of the whole support)
    if sum(map(len, memo.values())) < MAX_KEPT:
        memo.setdefault(key, []).append((watched.seen(), verdict))
    return verdict


def kept_outputs(case: Case) -> int:
    """How many outputs' verdicts this case keeps (for tests)."""
    return len(case.__dict__.get(_MEMO, {}))


def kept_verdicts(case: Case) -> int:
    """How many verdicts this case keeps, over all its outputs and supports (for tests)."""
    return sum(map(len, case.__dict__.get(_MEMO, {}).values()))
