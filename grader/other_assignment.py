"""Submissions graded against an assignment whose required names they never define: most likely the wrong
assignment was named, or the right one at another stage. `grader batch dezero` over a MiniFlow class gave
every student 0 with status `graded`, and the terminal said only "graded 4 now"; `grader grade` said so only
in each case's message.

What the code defines, and which assignment or stage it looks like, is read from its source as text
(grader/stage_scan.py, grader/infer.py), never run, and only for such submissions: nothing is added to the
path of one whose load found a name its stage requires.

Every sentence said here must be true of the code it names (review of s21-user): "none of the names ... is
defined" comes from the parent's own read of the graded files (a module that stopped at its first line, on a
data file it could not open, had defined nothing in the student's process, yet its source defines them all);
another assignment is named only when more than half the files read look like it, the graded assignment's
files voting too; and code of the graded assignment at another stage is told that stage, not asked whether the
assignment is right.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.pipeline import RunPlan
    from grader.reports.report import Report
    from grader.stages import Stage

# Submissions read to say what the class looks like: enough for a majority, cheap in a class of thousands.
GUESSED_FROM = 20


@dataclass(frozen=True)
class Guess:
    """What `votes` of the `read` files look like: another shipped `assignment`, or the graded one at
    `stage` (None: the graded one, at no other stage whose names the code all defines)."""

    assignment: str
    stage: str | None
    votes: int = 1
    read: int = 1


def defines_none_required(report: Report, plan: RunPlan, submission: Path) -> bool:
    """The submission was graded, its load found none of the names the stage requires, and its graded files
    define none of them either, as the parent reads them (aliases and case as grading takes them). The load's
    `found` alone lists only what existed when the module stopped: a file whose first line opens a data set
    found nothing, though it defines every class. One that did not load is a load failure, reported with its
    own reason. The source is read only for a submission whose load found nothing required (a set
    intersection for every other)."""
    stage = plan.graded_stage
    load = report.load
    if report.status != "graded" or load is None or not stage.requires:
        return False
    if set(stage.requires) & set(load.found):
        return False
    return not _defines_any(plan, submission)


def _defines_any(plan: RunPlan, submission: Path) -> bool:
    """Whether the graded files define a name the stage requires (True when they cannot be read: nothing
    is said of code not read)."""
    from grader.defined import program_files
    from grader.loaders import SubmissionError, load_submission
    from grader.stage_scan import family_aliases, names_in
    from grader.stages import defines, known_names

    a = plan.assignment
    try:
        files = load_submission(submission).files
        defined, _ = names_in(program_files(files, a, plan.one_of()))
    except (SubmissionError, OSError):
        return True
    aliases, known = family_aliases(a.family), known_names(a.stages)
    return any(defines(n, defined, aliases, known) for n in plan.graded_stage.requires)


def looks_like(plan: RunPlan, submissions: Iterable[tuple[Path, str | None]]) -> Guess | None:
    """What more than half of the files read look like: each votes for the shipped assignment it matches
    best (infer.best_match), the graded one included, and a file of the graded assignment for the stage its
    report says it looks like (`looks`, StageInfo.looks_like) when that is not the stage graded. None when no
    guess has a majority (a class of one chapter's files and one stray file of another assignment is no
    class of that assignment), or for an instructor's own assignment (no shipped one to compare with).
    `submissions`: (path, looks)."""
    from grader.assignments import SHIPPED, load_assignment
    from grader.infer import best_match, candidate
    from grader.loaders import SubmissionError, load_submission

    graded = plan.assignment.id
    if graded not in SHIPPED:
        return None
    candidates = [candidate(load_assignment(a, require_fixtures=False)) for a in SHIPPED]
    votes: Counter[tuple[str, str | None]] = Counter()
    read = 0
    for path, looks in submissions:
        try:
            files = load_submission(path).files
        except (SubmissionError, OSError):
            continue
        read += 1
        match = best_match(files, candidates)
        if match is None:
            continue  # votes for nothing: still one of the files read
        stage = looks if match == graded and looks != plan.graded_stage.name else None
        votes[(match, stage)] += 1
    if not votes:
        return None
    (assignment, stage), count = votes.most_common(1)[0]
    if 2 * count <= read:
        return None
    return Guess(assignment, stage, count, read)


def _none_defined(assignment_id: str, stage: Stage) -> str:
    names = ", ".join(stage.requires)
    return f"none of the names {assignment_id} stage {stage.name} requires ({names}) is defined"


def _whose(guess: Guess) -> str:
    """ "the code looks like", or how many of the files read do when not all of them."""
    if guess.votes == guess.read:
        return "the code looks like"
    return f"{guess.votes} of the {guess.read} read look like"


def wrong_assignment_line(assignment_id: str, stage: Stage, guess: Guess | None, command: str) -> str:
    """What to do about it, for the person who chose the assignment and the stage (`command`: `grader
    batch` or `grader grade`): the names missing, and the command that grades the code as what it looks like
    (another shipped assignment, or another stage of this one)."""
    said = _none_defined(assignment_id, stage)
    if guess is None:
        return f"{said}: is {assignment_id} the assignment this code was written for?"
    if guess.assignment != assignment_id:
        return (
            f"{said}; {_whose(guess)} {guess.assignment}: `{command} {guess.assignment} ...` grades it as "
            "that assignment"
        )
    if guess.stage is not None:
        return (
            f"{said}; {_whose(guess)} {assignment_id} stage {guess.stage}: `{command} {assignment_id} "
            f"--stage {guess.stage} ...` grades that stage"
        )
    return f"{said}, though it defines other names {assignment_id} grades: each report lists what is missing"


def student_note(assignment_id: str, stage: Stage, guess: Guess | None) -> str:
    """The same for a student (the pytest plugin in their course repository): the course chose the
    assignment and the stage; what the student can change is the file they hand in."""
    said = _none_defined(assignment_id, stage)
    if guess is None:
        return f"{said}: is this the file of this assignment?"
    if guess.assignment != assignment_id:
        return f"{said}; this file looks like {guess.assignment}'s code: is it this assignment's file?"
    if guess.stage is not None:
        return (
            f"{said}; this file looks like the code of {assignment_id} stage {guess.stage}: is it the file "
            f"stage {stage.name} asks for?"
        )
    return f"{said}, though it defines other names {assignment_id} grades: the items say what is missing"
