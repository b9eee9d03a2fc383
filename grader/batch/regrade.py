"""Which students a batch grades now: new ones, changed ones, named ones; and who is dropped.

A grade is kept only while the submission it was given for is unchanged: each journal line stores the
sha256 of the entry as it was on disk (`entries.fingerprint`), and `--resume` compares it with the entry now.
A journal line from before that field existed counts as changed (regraded, never silently kept).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.batch.entries import Entry, fingerprint
from grader.batch.gradescope_export import Submitter, submitters_of
from grader.batch.journal import Journal
from grader.batch.roster import parse_lms_name
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
    # Of `dropped`, those whose file is still in the folder but was replaced by the same LMS user's later
    # upload (of that file, or of the same work as .py or .ipynb: entries.superseded) or is graded in its
    # LMS user's folder (lms_groups): "no longer in the folder" would be untrue.
    replaced: tuple[str, ...] = ()
    # With --only, of the students not named: changed since graded (their old grade stays), and never graded
    # (no row until a --resume): both were said nowhere, and "N in total" counted the second.
    stale: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()

    def lines(self, out: Path) -> list[str]:
        """What the instructor is told before grading starts (nothing for a fresh batch)."""
        said = []
        if self.only:
            said.append(f"regrading {len(self.only)} named: {listed(self.only)}; {self._rest()}")
        elif self.kept or self.changed or self.dropped:
            new = len(self.todo) - len(self.changed)
            said.append(
                f"resuming: {self.kept} already graded and unchanged, {len(self.changed)} changed since, "
                f"{new} not graded yet: {len(self.todo)} to go"
            )
        if self.changed:
            said.append(f"changed since graded, regrading: {listed(self.changed)}")
        if self.stale:
            said.append(
                "changed since graded but not named by --only, their old grade kept (--resume regrades "
                f"them): {listed(self.stale)}"
            )
        if self.waiting:
            said.append(
                "not graded yet and not named by --only, not in the gradebook (--resume grades them): "
                f"{listed(self.waiting)}"
            )
        gone = [s for s in self.dropped if s not in self.replaced]
        if gone:
            said.append(
                f"no longer in the folder, dropped from the gradebook, summary and class report: "
                f"{listed(gone)} (their reports stay in {terminal(out)})"
            )
        if self.replaced:
            said.append(
                f"replaced by the same user's later upload or graded with their other files (skipped above, "
                f"saying which), dropped from the gradebook, summary and class report: "
                f"{listed(self.replaced)} (their reports stay in {terminal(out)})"
            )
        return said

    def _rest(self) -> str:
        """What becomes of the students --only did not name. A first run with --only has nobody to keep
        ("keeping the rest as graded" was untrue), and naming everyone leaves nobody else at all ("nobody
        else has a grade yet" was untrue when all had one). Every unnamed student is kept (their grade
        stands, `stale` among them) or waiting (no grade yet)."""
        if self.kept:
            return "keeping the rest as graded"
        if self.waiting:
            return "nobody else has a grade yet"
        return "that is every student in the folder"


def listed(students: Sequence[str]) -> str:
    """Names for a message line, escaped for the terminal: the first few, then how many more. Separated by
    `; ` when a name holds a comma: a Canvas roster's `Tanaka, Yu` and `Nobody, Ned` read as four names."""
    names = [terminal(s) for s in students[:_SHOWN]]
    shown = ("; " if any("," in n for n in names) else ", ").join(names)
    return shown + (f" and {len(students) - _SHOWN} more" if len(students) > _SHOWN else "")


def _keys(e: Entry, people: Sequence[Submitter] = ()) -> set[str]:
    """What a TA may type to name an entry: its id, its file name with or without extension, and for an LMS
    download the LMS user id (Canvas user, Moodle participant) and the student's name as the LMS wrote it
    (Moodle's full name, Canvas's namekey `garciajose`), compared loosely (`_loose`); for a Gradescope
    export's folder, each submitter's sid, email and name (`people`). All in NFC: a name typed on macOS, or
    a folder unzipped there, is NFD, and `José` typed matched no `José` on disk."""
    exact = {_nfc(n) for n in (e.student, e.file, e.path.name, e.path.stem)}
    for p in people:
        exact |= {_nfc(p.sid), _nfc(p.email), _loose(p.name)}
    lms = parse_lms_name(e.path.name)
    if lms is None:
        return exact - {""}
    return (exact | {_nfc(lms.user), _loose(lms.name)}) - {""}


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _loose(name: str) -> str:
    """A person's name without case, accents, spaces or punctuation (`José Núñez` -> `josenunez`), tagged
    so that it never equals an id or a file name."""
    decomposed = unicodedata.normalize("NFD", name.casefold())
    letters = "".join(ch for ch in decomposed if ch.isalpha() and not unicodedata.combining(ch))
    return f"name:{letters}" if letters else ""  # "": no name, dropped from the keys


def _wanted(typed: str) -> set[str]:
    """The keys a typed name may be: itself, or a person's name in either order (Canvas's namekey is
    `lastfirst`, a TA types `José García` or `García, José`)."""
    words = typed.replace(",", " ").split()
    return {_nfc(typed), _loose(typed), _loose("".join(words[-1:] + words[:-1]))} - {""}


def _match(
    entries: Sequence[Entry], only: Sequence[str], submitters: Mapping[str, Sequence[Submitter]]
) -> tuple[Entry, ...]:
    """The entries named by id, file name (with or without extension), LMS user id or LMS name, or a
    Gradescope submitter's sid, email or name; a name may select several entries (one student's two
    uploads); an unknown name is refused."""
    by_key: dict[str, list[Entry]] = {}
    for e in entries:
        for key in _keys(e, submitters_of(submitters, e.file, e.path.stem)):
            by_key.setdefault(key, []).append(e)
    chosen: set[str] = set()
    unknown = []
    for typed in only:
        found = [e for key in _wanted(typed) for e in by_key.get(key, [])]
        if not found:
            unknown.append(typed)
        chosen.update(e.student for e in found)
    if unknown:
        raise ConfigError(
            f"--only: no submission named {', '.join(terminal(n) for n in unknown)} in the folder; name a "
            "student id (gradebook.csv's `student` column), a file name, an LMS user id or name, or a "
            "Gradescope submitter's sid, email or name"
        )
    return tuple(e for e in entries if e.student in chosen)


def plan_regrade(
    entries: Sequence[Entry],
    journal: Journal | None,
    only: Sequence[str] = (),
    replaced: Collection[str] = (),
    submitters: Mapping[str, Sequence[Submitter]] | None = None,
    listed: Collection[str] | None = None,
) -> Plan:
    """Everyone for a fresh batch (`journal` None); on a resume, the new and the changed; with `only`, the
    named students alone (whether or not they changed). `replaced`: the names of the files in the folder
    that a later upload replaced (they are no entry), to say so of a student dropped for that reason.
    `submitters`: a Gradescope export's (folder -> its submitters), by whom `only` may name its folders.
    `listed`: the students of the gradebook the last finished run wrote (batch.json; None: unknown), the
    only ones a run can drop: the journal keeps a dropped student's lines, and every later resume said
    again that they were dropped."""
    if journal is None:
        return Plan(tuple(entries), 0, (), ())
    offsets = journal.latest_offsets()
    present = {e.student for e in entries}
    was = set(offsets) if listed is None else set(listed)
    dropped = tuple(s for s in sorted(offsets) if s not in present and s in was)
    gone = set(replaced)
    superseded = tuple(s for s in dropped if journal.entry_at(offsets[s]).get("file") in gone)
    if only:
        named = _match(entries, only, submitters or {})
        kept = sum(e.student in offsets for e in entries) - sum(e.student in offsets for e in named)
        ids = tuple(e.student for e in named)
        chosen = frozenset(ids)
        rest = [e for e in entries if e.student not in chosen]
        stale = tuple(e.student for e in rest if e.student in offsets and _changed(journal, offsets, e))
        waiting = tuple(e.student for e in rest if e.student not in offsets)
        return Plan(named, kept, (), dropped, ids, superseded, stale=stale, waiting=waiting)
    todo, changed, kept = [], [], 0
    for e in entries:
        if e.student not in offsets:
            todo.append(e)
        elif _changed(journal, offsets, e):
            todo.append(e)
            changed.append(e.student)
        else:
            kept += 1
    return Plan(tuple(todo), kept, tuple(changed), dropped, replaced=superseded)


def _changed(journal: Journal, offsets: Mapping[str, int], e: Entry) -> bool:
    """Whether the entry on disk is not what its journal line was graded from (no fingerprint: changed)."""
    return journal.entry_at(offsets[e.student]).get("source_sha256") != fingerprint(e.path)
