"""Which students a batch grades now: new ones, changed ones, named ones; and who is dropped.

A grade is kept only while the submission it was given for is unchanged: each journal line stores the
sha256 of the entry as it was on disk (`entries.fingerprint`), and `--resume` compares it with the entry now.
A journal line from before that field existed counts as changed (regraded, never silently kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.batch.entries import Entry, fingerprint
from grader.batch.journal import Journal
from grader.reports.escape import terminal
from grader.schema import ConfigError

_SHOWN = 10  # names listed per message line; the rest are counted


@dataclass(frozen=True)
class Plan:
    todo: tuple[Entry, ...]
    kept: int  # graded before and unchanged: their journal line stands
    changed: tuple[str, ...]  # graded before, but the submission changed since
    dropped: tuple[str, ...]  # graded before, but the submission is no longer in the folder
    only: tuple[str, ...] = ()  # named with --only

    def lines(self, out: Path) -> list[str]:
        """What the instructor is told before grading starts (nothing for a fresh batch)."""
        said = []
        if self.only:
            said.append(f"regrading {len(self.only)} named: {listed(self.only)}; keeping the rest as graded")
        elif self.kept or self.changed or self.dropped:
            new = len(self.todo) - len(self.changed)
            said.append(
                f"resuming: {self.kept} already graded and unchanged, {len(self.changed)} changed since, "
                f"{new} not graded yet: {len(self.todo)} to go"
            )
        if self.changed:
            said.append(f"changed since graded, regrading: {listed(self.changed)}")
        if self.dropped:
            said.append(
                f"no longer in the folder, dropped from the gradebook, summary and class report: "
                f"{listed(self.dropped)} (their reports stay in {terminal(out)})"
            )
        return said


def listed(students: Sequence[str]) -> str:
    """Names for a message line, escaped for the terminal: the first few, then how many more."""
    shown = ", ".join(terminal(s) for s in students[:_SHOWN])
    return shown + (f" and {len(students) - _SHOWN} more" if len(students) > _SHOWN else "")


def _match(entries: Sequence[Entry], only: Sequence[str]) -> tuple[Entry, ...]:
    """The entries named by id, file name or file name without extension; an unknown name is refused."""
    by_name: dict[str, Entry] = {}
    for e in entries:
        for name in (e.student, e.file, e.path.name, e.path.stem):
            by_name.setdefault(name, e)
    unknown = [n for n in only if n not in by_name]
    if unknown:
        raise ConfigError(
            f"--only: no submission named {', '.join(terminal(n) for n in unknown)} in the folder; name a "
            "student id (gradebook.csv's `student` column) or a file name"
        )
    chosen = {by_name[n].student: by_name[n] for n in only}
    return tuple(e for e in entries if e.student in chosen)


def plan_regrade(entries: Sequence[Entry], journal: Journal | None, only: Sequence[str] = ()) -> Plan:
    """Everyone for a fresh batch (`journal` None); on a resume, the new and the changed; with `only`, the
    named students alone (whether or not they changed)."""
    if journal is None:
        return Plan(tuple(entries), 0, (), ())
    offsets = journal.latest_offsets()
    present = {e.student for e in entries}
    dropped = tuple(s for s in sorted(offsets) if s not in present)
    if only:
        named = _match(entries, only)
        kept = sum(e.student in offsets for e in entries) - sum(e.student in offsets for e in named)
        return Plan(named, kept, (), dropped, tuple(e.student for e in named))
    todo, changed, kept = [], [], 0
    for e in entries:
        if e.student not in offsets:
            todo.append(e)
        elif journal.entry_at(offsets[e.student]).get("source_sha256") != fingerprint(e.path):
            todo.append(e)
            changed.append(e.student)
        else:
            kept += 1
    return Plan(tuple(todo), kept, tuple(changed), dropped)
