"""Submissions graded against an assignment whose required names they never define: most likely the wrong
assignment was named. `grader batch dezero` over a MiniFlow class gave every student 0 with status `graded`,
and the terminal said only "graded 4 now"; `grader grade` said so only in each case's message.

Which assignment the code looks like is read from its source as text (grader/infer.py), never run, and only
for such submissions: nothing is added to the path of one that defines what its stage requires.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.reports.report import Report
    from grader.stages import Stage

# Submissions read to say what the class looks like: enough for a majority, cheap in a class of thousands.
GUESSED_FROM = 20


def defines_none_required(report: Report, stage: Stage) -> bool:
    """The submission loaded and defines none of the names `stage` requires. One that did not load is a
    load failure, reported with its own reason."""
    load = report.load
    return (
        report.status == "graded"
        and load is not None
        and bool(stage.requires)
        and not set(stage.requires) & set(load.found)
    )


def looks_like(assignment_id: str, submissions: Iterable[Path]) -> str | None:
    """The shipped assignment most of `submissions` look like, other than `assignment_id`; None when none
    matches one (an instructor's own assignment, code of no family)."""
    from grader.assignments import SHIPPED, load_assignment
    from grader.infer import best_match, candidate
    from grader.loaders import SubmissionError, load_submission

    candidates = [candidate(load_assignment(a, require_fixtures=False)) for a in SHIPPED]
    votes: Counter[str] = Counter()
    for path in submissions:
        try:
            files = load_submission(path).files
        except SubmissionError:
            continue
        guess = best_match(files, candidates)
        if guess is not None and guess != assignment_id:
            votes[guess] += 1
    return votes.most_common(1)[0][0] if votes else None


def wrong_assignment_line(assignment_id: str, stage: Stage, guess: str | None, command: str) -> str:
    """What to do about it, for the person who chose the assignment: the names missing, and, when the code
    looks like another shipped assignment, the command that grades it as that one (`command`: `grader batch`
    or `grader grade`)."""
    names = ", ".join(stage.requires)
    said = f"none of the names {assignment_id} stage {stage.name} requires ({names}) is defined"
    if guess is None:
        return f"{said}: is {assignment_id} the assignment this code was written for?"
    return f"{said}; the code looks like {guess}: `{command} {guess} ...` grades it as that assignment"
