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
step 15, 25, 29 ...) claims the latest stage before it. The parsed file names only: never the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from grader.stages import Stage

_STAGE = re.compile(r"step0*(\d+)")
# `step18.py`, `step_18.ipynb`, `dezero_step18.py`, `Step-018.py`; not `stepper.py`, not `step180.py` as 18,
# and not `hw_step20.py`: a course's own numbering of its homework is no step of the book.
_FILE = re.compile(r"(?:dezero[ _-]?)?step[ _-]?0*(\d{1,3})(?!\d)", re.IGNORECASE)
_SOURCE = (".py", ".ipynb")


@dataclass(frozen=True)
class NamedStep:
    """The stage the file names claim: `stage`, from `file`, which names step `step`."""

    stage: str
    file: str
    step: int


def _stage_steps(stages: Iterable[Stage]) -> list[tuple[int, str]]:
    out = [(int(m.group(1)), s.name) for s in stages if (m := _STAGE.fullmatch(s.name))]
    return sorted(out)


def named_step(stages: Iterable[Stage], files: Iterable[str]) -> NamedStep | None:
    """The latest step the submission's file names name, as a stage (None: no file names a step, or no stage
    comes at or before it)."""
    steps = _stage_steps(stages)
    best: tuple[int, str] | None = None
    for path in files:
        base = path.rsplit("/", 1)[-1]
        match = _FILE.match(base) if base.lower().endswith(_SOURCE) else None
        if match is not None and (best is None or int(match.group(1)) > best[0]):
            best = (int(match.group(1)), path)
    if best is None:
        return None
    at_or_before = [name for n, name in steps if n <= best[0]]
    return NamedStep(at_or_before[-1], best[1], best[0]) if at_or_before else None


def later(stage_names: tuple[str, ...], claimed: str, inferred: str) -> bool:
    """`claimed` comes after `inferred` in the manifest's order (a combined or unknown stage: never)."""
    if claimed not in stage_names or inferred not in stage_names:
        return False
    return stage_names.index(claimed) > stage_names.index(inferred)


def reason(named: NamedStep, inferred: str, inferred_reason: str) -> str:
    """The stage line's reason when the name wins."""
    return (
        f"your file {named.file} is named for step {named.step}, but its code looks like stage {inferred} "
        f"({inferred_reason}): graded as {named.stage}, the step the name claims, so what {inferred} does "
        f"not have yet shows as not implemented (--stage {inferred} grades the code as {inferred})"
    )
