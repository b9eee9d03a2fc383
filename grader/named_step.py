"""The course step a submission's file names claim, against the step its code reaches (`grader check`).

A student working on DeZero's step 18 often starts from a copy of step14.py saved as step18.py and hands it in
before, or instead of, the edits: `grader check step18.py` inferred stage step14 from the code, graded 14
points of step 14, and ended "all visible cases pass", while the course grades step 18 (sample
submissions/dezero/step18_named_step14_code.py). The name is the student's claim of which step this is:
when it names a later step than the code reaches, the file is graded as the step it names, and the cases
the code has not reached say "not implemented yet ... your code looks like stage step14". A name naming an
earlier step than the code (a step14.py grown into step 18) changes nothing: the later step grades the
earlier one's cases too.

Only stages named `stepNN` (DeZero's) are read this way; a step without a stage of its own (the book's
step 15, 25, 29 ...) claims the latest stage before it, and only the book's steps (1 to 60) are claims:
step99.py and step180.py are no step of the book. Only the files whose code is graded claim
(stage_scan.graded_code_files: the program's files defining a graded name): an empty step18_todo.py beside
a step14.py claimed step 18 and blamed "its code", the code of step14.py. Nor does a file named as an old
copy (choice.old_copy: `step18 (copy).py`, `step18_old.py`, with code or without). The file names and
which files define graded names are read: never what the code does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from grader import untrusted
from grader.fault import disowned
from grader.inside.choice import old_copy, stage_step
from grader.stages import Stage

# `step18.py`, `step_18.ipynb`, `dezero_step18.py`, `Step-018.py`; not `stepper.py`, not `step180.py` as 18,
# and not `hw_step20.py`: a course's own numbering of its homework is no step of the book.
_FILE = re.compile(r"(?:dezero[ _-]?)?step[ _-]?0*(\d{1,2})(?!\d)", re.IGNORECASE)
BOOK_STEPS = range(1, 61)  # "Deep Learning from Scratch 3" has steps 1 to 60
_SOURCE = (".py", ".ipynb")


@dataclass(frozen=True)
class NamedStep:
    """The stage the file names claim: `stage`, from `file`, which names step `step`."""

    stage: str
    file: str
    step: int
    code: tuple[str, ...] = ()  # the files whose code is graded (the message names them)


def _stage_steps(stages: Iterable[Stage]) -> list[tuple[int, str]]:
    out = [(int(n), s.name) for s in stages if (n := stage_step(s.name)) is not None]
    return sorted(out)


def named_step(stages: Iterable[Stage], files: Iterable[str]) -> NamedStep | None:
    """The latest step of the book the names of `files` (the files whose code is graded) name, as a stage
    (None: no file names a step of the book, or no stage comes at or before it)."""
    steps = _stage_steps(stages)
    code = tuple(files)
    best: tuple[int, str] | None = None
    for path in code:
        base = path.rsplit("/", 1)[-1]
        # a file named as an old copy (`step18_old.py`, `step18 (copy).py`, `backup/`) claims no step
        claims = base.lower().endswith(_SOURCE) and not old_copy(path)
        match = _FILE.match(base) if claims else None
        step = int(match.group(1)) if match is not None else 0
        if step in BOOK_STEPS and (best is None or step > best[0]):
            best = (step, path)
    if best is None:
        return None
    at_or_before = [name for n, name in steps if n <= best[0]]
    return NamedStep(at_or_before[-1], best[1], best[0], code) if at_or_before else None


def later(stage_names: tuple[str, ...], claimed: str, inferred: str) -> bool:
    """`claimed` comes after `inferred` in the manifest's order (a combined or unknown stage: never)."""
    if claimed not in stage_names or inferred not in stage_names:
        return False
    return stage_names.index(claimed) > stage_names.index(inferred)


def grades_past(stages: Iterable[Stage], named: NamedStep, inferred: str) -> bool:
    """The code looks like `inferred`, a stage after the step the name claims, which does not extend the
    named stage: its cases are not the named step's and more. DeZero's step60 extends step54, not step57 (the
    conv chapter is skipped), and the book's package keeps RNN and LSTM from the start: its steps/step57.py
    beside dezero/functions_conv.py was inferred step60 and its conv2d and pooling went ungraded (sample
    book_step58). Such code is inferred among the stages at or before the named step. Stages of no common
    ancestor (DeZero's step08 and step10, a step09.py) are no such branches: the later stage stands."""
    by_name = {s.name: s for s in stages}
    own = stage_step(inferred)
    if own is None or int(own) <= named.step or inferred not in by_name:
        return False
    chain = ancestors(by_name, inferred)
    # another branch of one progression only: step09.py's step08 and the inferred step10 share no stage
    return named.stage not in chain and bool(set(chain) & set(ancestors(by_name, named.stage)))


_CODE_FILES_SHOWN = 3  # files named as "the code of ...", then a count


def _shown(path: str) -> str:
    """A file name as the notes quote it: the student's choice, cleaned as every parent note cleans a path
    (`steps/step60\x1b[2J (not your code's fault).py` cleared the terminal and read as the grader's own)."""
    return disowned(path, untrusted.PATH)


def _whose_code(named: NamedStep) -> str:
    """ "its code" when the named file is the only one graded, else the files the stage was inferred from."""
    if named.code in ((), (named.file,)):
        return "its code"
    shown = ", ".join(_shown(f) for f in named.code[:_CODE_FILES_SHOWN])
    more = len(named.code) - _CODE_FILES_SHOWN
    return f"the code of {shown}" + (f" and {more} more" if more > 0 else "")


def _which_stage(named: NamedStep) -> str:
    own = stage_step(named.stage)
    if own is not None and int(own) == named.step:
        return "the step the name claims"
    return f"the latest stage at or before step {named.step}"


def reason(named: NamedStep, inferred: str, inferred_reason: str) -> str:
    """The stage line's reason when the name wins."""
    file = _shown(named.file)
    return (
        f"your file {file} is named for step {named.step}, but {_whose_code(named)} looks like stage "
        f"{inferred} ({inferred_reason}): graded as {named.stage}, {_which_stage(named)}, so what {inferred} "
        f"does not have yet shows as not implemented (--stage {inferred} grades the code as {inferred})"
    )


def past_an_unwritten_subject(
    stages: Iterable[Stage],
    named: NamedStep,
    mentioned: Iterable[str],
    spellings: Mapping[str, tuple[str, ...]],
) -> tuple[str, ...]:
    """The names of `named.stage`'s own subject (what it requires beyond the stage it extends) when the file
    names a step after every stage's (DeZero's steps/step60.py, past stage step57) and the code mentions
    none of them, in any spelling the grading accepts (im2col, conv2d, conv2d_simple, pooling); else ().

    Such a file does not claim that stage: students skip the conv chapter, and steps 58 to 60 (VGG, RNN,
    LSTM) need none of it; the code is graded at the stage it reaches (decided in the review of s30-realdz).
    A file named for the stage's own step (steps/step57.py) still claims it: its subject is that step's."""
    by_name = {s.name: s for s in stages}
    own = stage_step(named.stage)
    stage = by_name.get(named.stage)
    if stage is None or own is None or not _past_its_branch(by_name, named):
        return ()
    base = by_name.get(stage.extends or "")
    subject = tuple(n for n in stage.requires if base is None or n not in base.requires)
    words = {w.lower() for n in subject for w in (n, *spellings.get(n, ()))}
    if not subject or any(m.lower() in words for m in mentioned):
        return ()
    return subject


def ancestors(by_name: Mapping[str, Stage], name: str | None) -> list[str]:
    """`name` and the stages it extends, nearest first."""
    out: list[str] = []
    while name is not None and name in by_name and name not in out:
        out.append(name)
        name = by_name[name].extends
    return out


def _past_its_branch(by_name: Mapping[str, Stage], named: NamedStep) -> bool:
    """The file names a step after its stage's own, and no stage there grades that stage's cases: past every
    stage (step 61 would be), or before the next stage of another branch of the same course (DeZero's
    step58.py: stage step57, the conv chapter, is extended by none; step59 extends step54). Not before an
    unrelated stage (step04.py, stage step03, before step06) nor one that extends it (step15.py)."""
    own = stage_step(named.stage)
    if own is None or named.step <= int(own):
        return False
    later = sorted((int(n), s) for s in by_name if (n := stage_step(s)) is not None and int(n) > named.step)
    if not later:
        return True
    extended = any(named.stage in ancestors(by_name, by_name[s].extends) for s in by_name)
    shared = set(ancestors(by_name, later[0][1])) & set(ancestors(by_name, named.stage))
    return not extended and bool(shared)


def subject_note(stages: Iterable[Stage], named: NamedStep, subject: tuple[str, ...], graded_at: str) -> str:
    """The stage line's note for `past_an_unwritten_subject`: which stage is not graded, and why."""
    stage = {s.name: s for s in stages}[named.stage]
    steps = stage.title.split(":", 1)[0].lower() if ":" in stage.title else f"step {stage_step(stage.name)}"
    listed = ", ".join(subject[:-1]) + f" or {subject[-1]}" if len(subject) > 1 else subject[0]
    file = _shown(named.file)
    return (
        f"; stage {stage.name} ({steps}) is not graded: your code has no {listed}, and your file "
        f"{file}, named for step {named.step}, needs none of it, so it is graded at {graded_at}, the "
        f"latest stage its code reaches (--stage {stage.name} grades it there)"
    )
