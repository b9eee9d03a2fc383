"""Which known mistake explains a submission best: support counted over all its cases.

One wrong record often matches several known mistakes: `add(x, x)` giving 1 is what an Add.backward returning
one gradient produces, and also what `x.grad = gx` (no accumulation) produces. The cases of one submission
tell them apart: the mistake the student made explains wrong records in other cases too, and the one the
student did not make predicts wrong values where the student is right. A mistake's *support* is the number of
wrong records, over the cases of the submission, whose value it reproduces, minus the number of right records
it would have changed; the judge counts it over a case's own phase and the phases before it
(grader/judge/score.py), so that a hidden case's records never choose the hint of a case a student reads. The
judge tries the mistakes that fit a record in order of support, then of registry order
(reference/mutations.py): a tie goes to the mistake listed first. The records against each mistake are also
counted apart (`contradicted`): a record is told the first mistake that fits it and that no record
contradicts, else the smallest of those that fit (grader/judge/diagnose.py, `Evidence.best_known`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from grader.judge.compare import values_match
from grader.model import Case, RecordValue


def case_support(case: Case, records: Mapping[str, Any]) -> dict[str, int]:
    """One case's share of `mistake_support`: what its records say for and against each known mistake."""
    support: dict[str, int] = {}
    for key, expected in case.expected.items():
        if key not in records:
            continue
        tol = case.tolerance_of(key)
        right = values_match(records[key], expected, tol)
        # the mistakes that change this record; any other leaves it as it should be: no evidence either way
        changing = case.mistakes_changing[key]
        known = case.known_mistakes
        fits = set() if right else {n for n in changing if values_match(records[key], known[n][key], tol)}
        for name in changing:
            if right:
                support[name] = support.get(name, 0) - 1
            elif name in fits:
                support[name] = support.get(name, 0) + 1
                if case.kind == "unit" and fits == {name}:
                    support[PROVEN + name] = support.get(PROVEN + name, 0) + 1
                continue
            # Against it, kept apart so the ranking is unchanged: a right record it changes, or a wrong one
            # it gets wrong another way (arith_no_sum_to on a graph of Sub, where only Mul lacks sum_to).
            support[AGAINST + name] = support.get(AGAINST + name, 0) + 1
            if fits:  # a wrong record another mistake reproduces: a second mistake may have made it
                support[EXCUSED + name] = support.get(EXCUSED + name, 0) + 1
    return support


# Prefixes of support keys (no mutation name has them): the records against a mistake (`contradicted`);
# of those, the wrong ones another known mistake reproduces; the wrong records of a unit case it alone
# reproduces.
AGAINST = "\0against:"
EXCUSED = "\0excused:"
PROVEN = "\0proven:"


def contradicted(support: Mapping[str, int], names: Iterable[str]) -> frozenset[str]:
    """The mistakes among `names` that some record of the counted cases contradicts: a right record they
    would change, or a wrong record they would make wrong in another way. A mistake a unit case proves (a
    wrong record of it that this mistake alone reproduces) is not contradicted by the wrong records another
    known mistake reproduces: the student made two mistakes. utils.sum_to without the leading axes (its own
    unit case failing so) beside a Linear.backward with gb = gy, which no longer calls it, was contradicted by
    the network's db, and every broadcast record was told another mistake (sample
    book_step43_sum_to_no_lead_linear_gb_gy/)."""

    def against(name: str) -> int:
        excused = support.get(EXCUSED + name, 0) if support.get(PROVEN + name, 0) > 0 else 0
        return support.get(AGAINST + name, 0) - excused

    return frozenset(name for name in names if against(name) > 0)


def mistake_support(
    pairs: Iterable[tuple[Case, Mapping[str, Any]]], shares: dict[str, dict[str, int]] | None = None
) -> dict[str, int]:
    """Known-mistake key -> the wrong records it reproduces minus the right records it would have changed.
    `shares`: each case's `case_support` by case id, filled as computed; the judge shares it between the
    phases of one submission, whose supports count the same early cases again (a visible case is in all
    four), so that each case's records are compared with its known mistakes once."""
    support: Counter[str] = Counter()
    for case, records in pairs:
        share = shares.get(case.id) if shares is not None else None
        if share is None:
            share = case_support(case, records)
            if shares is not None:
                shares[case.id] = share
        support.update(share)  # adds, keeping zero and negative counts, in first-seen order
    return dict(support)


class LazySupport(Mapping[str, int]):
    """`mistake_support(pairs)`, counted on first read: only a wrong record is ranked, so a submission whose
    records are all right never computes the cases' known mistakes (grader/cases.py, `KnownMistakes`).
    `shares`: as in `mistake_support`, one dict for the supports of one submission's phases."""

    def __init__(
        self, pairs: Iterable[tuple[Case, Mapping[str, Any]]], shares: dict[str, dict[str, int]] | None = None
    ) -> None:
        self._pairs: list[tuple[Case, Mapping[str, Any]]] | None = list(pairs)
        self._shares = shares
        self._support: dict[str, int] = {}

    def _get(self) -> dict[str, int]:
        if self._pairs is not None:
            self._support, self._pairs = mistake_support(self._pairs, self._shares), None
        return self._support

    def __getitem__(self, name: str) -> int:
        return self._get()[name]

    # The dict's own lookups: Mapping's `get` goes through __getitem__ and a KeyError for every absent name,
    # and `ranked` and `contradicted` ask mostly for names no record supports (~125 a bench submission).
    def __contains__(self, name: object) -> bool:
        return name in self._get()

    def get(self, name: str, default: Any = None) -> Any:
        return self._get().get(name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def ranked(known: Mapping[str, RecordValue], support: Mapping[str, int]) -> dict[str, RecordValue]:
    """`known` reordered by support (highest first); ties keep their order (the registry's)."""
    order = {name: i for i, name in enumerate(known)}
    return {name: known[name] for name in sorted(known, key=lambda n: (-support.get(n, 0), order[n]))}
