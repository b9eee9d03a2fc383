"""What the judge reads of a case alone, worked out once a run instead of once a submission.

A run's cases (grader/cases.py `cases_for_run`) are the same objects for every submission of a batch, and
much of what the judge wants of each is a function of the case alone: the order of its records with their
labels, methods and tolerances, the ops it applies, its upstream gradients' names. Each was rebuilt for every
case of every submission (~90 records a MiniFlow submission). `per_case` keeps a function's answer in the
case's own `__dict__` (as `functools.cached_property` does on the frozen dataclass), so it dies with the
case and a case rebuilt by `dataclasses.replace` starts afresh. Only for functions of the case and hashable
arguments whose answers callers read and never change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from grader.model import Case

T = TypeVar("T")

_MEMO = "_judge_per_case"


def per_case(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn(case, *args)` worked out once for each case and arguments."""

    @functools.wraps(fn)
    def once(case: Case, *args: Any) -> T:
        memo = case.__dict__.get(_MEMO)
        if memo is None:
            memo = case.__dict__.setdefault(_MEMO, {})  # two threads: one dict, equal answers
        key = (fn, *args)
        if key in memo:
            return memo[key]
        answer = memo[key] = fn(case, *args)
        return answer

    return once
