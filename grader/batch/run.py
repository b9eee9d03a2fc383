"""Grade a class: stream results to per-student reports and the journal, then build the gradebook.

Memory stays flat: submissions are loaded as workers ask for them, each report is written and dropped as soon
as it arrives, and the gradebook and summary are built by streaming the journal.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from grader import untrusted
from grader.atomic import write_text
from grader.batch import gradescope_export, lms_groups
from grader.batch.collector import batch_pace
from grader.batch.entries import REPLACED, Entry, discover, fingerprint
from grader.batch.executors import Executor, as_executor
from grader.batch.gradescope_export import submitters_of
from grader.batch.journal import Journal
from grader.batch.progress import Progress
from grader.batch.regrade import Plan, listed, plan_regrade
from grader.batch.roster import Identity, Roster, identify
from grader.other_assignment import GUESSED_FROM, defines_none_required, looks_like, wrong_assignment_line
from grader.pipeline import RunPlan
from grader.reports import gradebook_row, summarize, write, write_gradebook_csv, write_summary_json
from grader.reports.class_report import write_class_report
from grader.reports.escape import terminal
from grader.reports.lms import LMS_FILES, LMS_WRITERS, left_out_lines
from grader.sandbox import SandboxPool
from grader.schema import ConfigError

JOURNAL = "journal.jsonl"
BATCH_META = "batch.json"


@dataclass(frozen=True)
class BatchResult:
    graded_now: int
    total: int
    gradebook: Path
    summary: Path
    skipped: tuple[Path, ...]
    flagged: int = 0  # submissions with at least one flag for staff review (summary.json lists them)
    changed: tuple[str, ...] = ()  # regraded because their submission changed since the journal's grade
    dropped: tuple[str, ...] = ()  # in the journal, but their submission is gone: left out of the class files
    index: Path | None = None  # the class report, OUT/index.html
    imports: tuple[Path, ...] = ()  # LMS gradebook imports (canvas.csv, moodle.csv)

    @property
    def flagged_line(self) -> str:
        noun = "submission" if self.flagged == 1 else "submissions"
        return f"{self.flagged} {noun} flagged for staff review ({self.summary})"


JUNIT_VIEW = "student"  # what each junit.xml of a batch shows, recorded in batch.json


def _cases_digest(plan: RunPlan) -> str:
    """What the students of a batch were graded on: each case's id, points, visibility and expected records.
    A newer grader whose cases differ (session 13's drawn copies raised dlfs-layers from 50 to 62) resumed
    an older batch and gave the students graded after it other maxima than those before."""
    record = [
        [c.id, c.points, c.visibility, c.all_or_nothing, sorted(c.expected)] for c in plan.cases
    ]  # the expected values are drawn from the seed for generated cases: the seed is checked on its own
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode("utf-8")).hexdigest()


def _meta(
    plan: RunPlan,
    formats: Sequence[str],
    imports: Sequence[str],
    roster: Path | None,
    directory: Path,
    after_due_date: bool,
) -> dict[str, object]:
    return {
        # the folder of submissions, links resolved: a resume naming another one is refused (check_directory),
        # and a link later pointed at another section's folder is not taken for this one
        "directory": str(directory.resolve()),
        # As the TA named it (made absolute): a roster reached through a link they update is read anew
        "roster": str(roster.absolute()) if roster is not None else None,
        "assignment": plan.assignment.id,
        "title": plan.assignment.title,
        "stage": plan.graded_stage.name,
        # asked or the default: a resume without --stage keeps it as the students graded before have it
        "stage_choice": plan.stage_choice,
        "seed": plan.seed,
        # what each student.json and junit.xml show: a resume that changed it kept everyone's graded before
        # as it was
        "after_due_date": after_due_date,
        # junit.xml is the student view (grader/reports/junit.py); a batch without this was written by an
        # older grader, whose junit.xml was the staff view (_check_resumable)
        "junit_view": JUNIT_VIEW,
        "formats": list(formats),
        "imports": list(imports),
        "cases_sha256": _cases_digest(plan),
        "points": sum(c.points for c in plan.cases),
        # the stage's full marks, as the LMS imports give them: the class report's mean is out of them
        "full_marks": plan.assignment.max_points(plan.graded_stage.name),
    }


def _with_json(formats: Sequence[str]) -> tuple[str, ...]:
    return ("json", *(f for f in formats if f != "json"))


@dataclass(frozen=True)
class PreviousBatch:
    """batch.json as an earlier run of the batch left it, read once when a resume starts: the seed, the
    stage, the formats, the roster, the imports and the class a resume takes from it all come from this one
    read (it was read three times, and each reader had its own idea of an unreadable file). `meta` is None
    when there is none; `unreadable` says why a file that is there cannot be used (`_check_resumable`
    refuses it; the seed and stage readers take nothing from it)."""

    meta: Mapping[str, Any] | None = None
    unreadable: str | None = None

    @classmethod
    def read(cls, out: Path) -> PreviousBatch:
        try:
            meta = json.loads((out / BATCH_META).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as err:
            return cls(unreadable=str(err))
        if not isinstance(meta, dict):
            return cls(unreadable=f"a JSON {type(meta).__name__}, not an object")
        return cls(meta)


def previous_seed(previous: PreviousBatch) -> int | None:
    """The seed a batch was started with (for --resume without --seed)."""
    try:
        return int(previous.meta["seed"]) if previous.meta is not None else None
    except (KeyError, ValueError, TypeError):
        return None


def previous_after_due_date(previous: PreviousBatch) -> bool | None:
    """Whether a batch's student-facing reports show its after_due_date cases (for --resume without
    --after-due-date); None for a batch from before it was recorded."""
    meta = previous.meta or {}
    value = meta.get("after_due_date")
    return value if isinstance(value, bool) else None


def previous_stage(previous: PreviousBatch, assignment: str, default: str) -> str | None:
    """The stage a batch of `assignment` was asked to grade (for --resume without --stage), as the
    seed is reused: without it a resume of a `--stage linear` batch graded the default stage and was refused.
    None for a batch graded at the `default` stage unasked (it stays unasked, as the reports graded before
    say: a batch from before `stage_choice` was recorded is taken as unasked at its default) and for a batch
    of another assignment (the resume is refused for its assignment)."""
    meta = previous.meta
    if meta is None:
        return None
    stage = meta.get("stage") if meta.get("assignment") == assignment else None
    if not isinstance(stage, str) or not stage:
        return None
    choice = meta.get("stage_choice")
    unasked = choice == "default" or (choice is None and stage == default)
    return None if unasked else stage


def _previous_imports(previous: Mapping[str, Any] | None, out: Path, asked: Sequence[str]) -> list[str]:
    """The LMS imports a resumed batch rebuilds: those asked for, and every one an earlier run of the batch
    wrote (batch.json's `imports`, or the file itself in OUT for a batch from before that record). A regrade
    (`--only`, `--resume`) without --format left canvas.csv and moodle.csv with the old grades beside a new
    gradebook.csv, and an import uploaded then undid the regrade."""
    before = previous.get("imports") if previous is not None else None
    written = before if isinstance(before, list) else [n for n in LMS_FILES if (out / LMS_FILES[n]).is_file()]
    return [n for n in LMS_WRITERS if n in asked or n in written]


def _previous_roster(previous: Mapping[str, Any] | None, out: Path, stream: TextIO) -> Path | None:
    """The roster a resumed batch was started with, when this run names none: rebuilt without it, moodle.csv
    lost every student whose participant id only the roster gave, and gradebook.csv its name, email and
    sis_id. Said on the terminal; a roster since moved or removed is refused, naming it."""
    if previous is None:
        return None
    recorded = previous.get("roster")
    if "roster" not in previous and _rostered(out):
        # A batch an older grader started records no roster: rebuilt without one, its LMS imports lost every
        # student and gradebook.csv its names (review of session 17)
        raise ConfigError(
            f"{out} was started by an older grader, which did not record its roster, and its gradebook or "
            "LMS imports hold the roster's names and ids: pass --roster FILE (the same class's roster) "
            "with --resume or --only"
        )
    if not isinstance(recorded, str) or not recorded:
        return None
    roster = Path(recorded)
    if not roster.is_file():
        raise ConfigError(
            f"{out} was graded with --roster {recorded}, which is gone: pass --roster FILE (the same class's "
            "roster) so that gradebook.csv and the LMS imports keep every student's name and ids"
        )
    # the last --roster given (a resume may give one a batch was not started with): batch.json's
    stream.write(f"using the batch's roster (the last --roster given, in batch.json): {terminal(recorded)}\n")
    return roster


def _rostered(out: Path) -> bool:
    """Whether a batch's files hold what only a roster gives: an LMS import, or gradebook.csv's roster
    columns."""
    if any((out / name).is_file() for name in LMS_FILES.values()):
        return True
    try:
        with (out / "gradebook.csv").open(encoding="utf-8") as fh:
            header = fh.readline().strip().split(",")
    except OSError:
        return False
    return any(column in header for column in ROSTER_COLUMNS)


def _previous_students(previous: Mapping[str, Any] | None) -> list[str] | None:
    """The students batch.json lists (None when it lists none, or is unreadable)."""
    students = previous.get("students") if previous is not None else None
    return students if isinstance(students, list) else None


def refuse_started(out: Path) -> None:
    """A new batch never grades into one already started (its journal holds a grade): --resume or a new
    --out. `grader batch` asks before it starts the executor, whose start (a Dask cluster's: seconds) the
    refusal came after."""
    journal = out / JOURNAL
    if journal.exists() and journal.stat().st_size:
        raise ConfigError(f"{out} already holds a batch (journal {journal}); use --resume or a new --out")


def check_resumable(
    out: Path,
    plan: RunPlan,
    previous: PreviousBatch,
    formats: Sequence[str],
    origin: Callable[[str], str],
    after_due_date: bool = False,
) -> None:
    """A resume's refusals (another assignment, seed, stage, after_due_date, cases or format than the
    batch's), as `run_batch` makes them: `grader batch` asks before it starts the executor, whose start (a
    Dask scheduler's connection: 30 s when it is unreachable) came first and hid the reason."""
    formats = _with_json([f for f in formats if f not in LMS_WRITERS])
    _check_resumable(out, plan, previous, formats, origin, after_due_date)


def _check_resumable(
    out: Path,
    plan: RunPlan,
    previous: PreviousBatch | None,
    formats: Sequence[str],
    origin: Callable[[str], str],
    after_due_date: bool,
) -> tuple[str, ...]:
    """The formats this run writes: on --resume, the batch's own (students graded before have exactly those
    files, so a regraded one must get them all too, never keep a stale one); a format the batch lacks is
    refused, since every student graded before would lack its file."""
    if previous is None:  # not a resume
        refuse_started(out)
        return tuple(formats)
    if previous.unreadable is not None:
        raise ConfigError(
            f"{out / BATCH_META} is unreadable ({previous.unreadable}); start a new batch with a new --out"
        )
    meta = previous.meta
    if meta is None:
        return tuple(formats)
    checked = [("assignment", plan.assignment.id), ("seed", plan.seed)]
    if "stage" in meta:  # batches started before stages existed graded the whole assignment
        checked.append(("stage", plan.graded_stage.name))
    # Batches from before it was recorded: nothing to compare. A change regraded only the new and the
    # changed, and everyone else's student.json kept showing (or withholding) the after_due_date cases.
    if "after_due_date" in meta:
        checked.append(("after_due_date", after_due_date))
    for key, now in checked:
        if meta.get(key) != now:
            # GRADER_STAGE or GRADER_SEED left set in the shell, or a grader.toml: nothing typed shows it
            raise ConfigError(
                f"--resume: {out} was graded with {key} {meta.get(key)!r}, this run has {now!r} (from "
                f"{origin(key)}); resume with the same {key} or use a new --out"
            )
    # batches started by a grader before session 13 recorded no digest: nothing to compare
    if "cases_sha256" in meta and meta["cases_sha256"] != _cases_digest(plan):
        then = str(meta.get("points", "?"))[:20]  # the batch's own record, written by the grader
        raise ConfigError(
            f"--resume: {out} was graded on other cases ({then} points then, "
            f"{sum(c.points for c in plan.cases):g} now: the grader or its fixtures changed since the batch "
            "started); finish it with the grader that started it, or grade the class into a new --out"
        )
    before = _with_json(meta.get("formats") or ())
    added = [f for f in formats if f not in before]
    if added:
        raise ConfigError(
            f"--resume: {out} was graded with --format {','.join(before)}; this run adds {','.join(added)} "
            f"(from {origin('format')}), "
            f"which the students graded before would lack: resume with --format {','.join(before)}, or grade "
            "the class again into a new --out"
        )
    # Until session 30 junit.xml was the staff view, every hidden case's message and got / expected table in
    # it: a resume wrote the student view for the students it graded and left the others' as they were, in a
    # folder whose junit.xml files docs/INSTRUCTORS.md calls the student view (review of s30-hostile).
    if "junit" in before and meta.get("junit_view") != JUNIT_VIEW:
        raise ConfigError(
            f"--resume: {out}'s junit.xml files were written by an older grader as the staff view (hidden "
            "cases' messages and tables in them), and this grader writes the student view: grade the class "
            f"again into a new --out with the batch's seed (--seed {str(meta.get('seed'))[:20]})"
        )
    return before


def check_directory(out: Path, previous: PreviousBatch | None, directory: Path) -> None:
    """A resume (or --only) grades the folder the batch was started on. Named another one (a typo, the
    other section's download), it graded that class into the batch and dropped every student of the first
    from gradebook.csv and the imports as "no longer in the folder". Refused while the recorded folder is
    still there; a folder that moved (the recorded one is gone) is taken as the class's new place. Batches
    from before the folder was recorded: nothing to compare."""
    recorded = previous.meta.get("directory") if previous is not None and previous.meta is not None else None
    if not isinstance(recorded, str) or not recorded:
        return
    before = Path(recorded)
    try:
        same = before.samefile(directory)
    except OSError:  # the recorded folder is gone: moved, renamed
        return
    if not same:
        raise ConfigError(
            f"{out} grades the submissions in {terminal(recorded)}, and this run names "
            f"{terminal(directory)}: resume with that folder (the students of that one missing from this "
            "one would be dropped from the gradebook), or grade this one into a new --out; a new download "
            "of the same class: move the old folder away (or rename it), then resume with the new one"
        )


def import_title(plan: RunPlan) -> str:
    """The LMS imports' name for the grade (canvas.csv's column, Moodle's feedback): the assignment's title,
    and the stage when it is not the assignment's default. A batch of DeZero's step22 (95 points) made a
    Canvas column "DeZero steps 1 to 18: ..." (its title then) worth 95, and two stages of one class made one
    column."""
    a, stage = plan.assignment, plan.graded_stage
    return a.title if stage.name == a.stage().name else f"{a.title} (stage {stage.name})"


def _not_a_directory(directory: Path) -> str:
    """What to do instead: a class export downloaded as one zip (Gradescope's, an LMS's) is unzipped first,
    never by the grader (a class's archive is too big to bound as a submission's is)."""
    if directory.is_file() and zipfile.is_zipfile(directory):
        archive, folder = (shlex.quote(str(p)) for p in (directory, directory.with_suffix("")))
        return (
            f"{directory} is a zip archive, not a folder: unzip it first (unzip {archive} -d {folder}) and "
            "grade the folder holding the submissions (for a Gradescope export, the one with "
            "submission_metadata.yml)"
        )
    return f"{directory} is not a directory of submissions"


def listable(directory: Path) -> None:
    """A class folder this user cannot list (a download another account owns, mode 0700) is refused naming
    it, before anything is written: it was "internal error, please report it" with a PermissionError."""
    try:
        with os.scandir(directory):
            pass
    except OSError as err:
        raise ConfigError(
            f"the class folder {directory} cannot be listed ({err.strerror or type(err).__name__}): run the "
            "batch as a user who can read it, or give this user read and execute permission on it"
        ) from None


def run_batch(
    plan: RunPlan,
    directory: Path,
    out: Path,
    pool: SandboxPool | Executor,
    *,
    formats: Sequence[str] = ("json",),
    resume: bool = False,
    only: Sequence[str] = (),
    roster: Path | None = None,
    after_due_date: bool = False,
    validate: bool = False,
    stream: TextIO | None = None,
    origin: Callable[[str], str] = lambda name: "the caller",
    previous: PreviousBatch | None = None,
) -> BatchResult:
    """Grade every entry of `directory` into `out` on `pool` (this machine's SandboxPool, or an Executor).
    `validate` schema-checks each report as it is written: off by default because it costs ~40 ms a report,
    two thirds of the parent's time per submission; always on for an executor whose results come from other
    machines (Dask).

    `resume`: keep the journal's grades of unchanged submissions, regrade changed ones (their content's
    sha256 differs), drop those whose submission is gone. `only`: regrade just these students (ids or file
    names) and keep everyone else's grade from the journal (implies `resume`). `origin(setting)` says where
    the seed or the stage came from (`--stage`, `GRADER_STAGE`, a config file, `batch.json`) when a resume
    is refused for it. `previous`: batch.json as the caller read it before choosing the seed and the stage
    (read here when not given), never read again."""
    stream = stream if stream is not None else sys.stderr
    executor = as_executor(pool)
    validate = validate or executor.validates_reports
    if not directory.is_dir():
        raise ConfigError(_not_a_directory(directory))
    listable(directory)
    resume = resume or bool(only)
    lms_formats = [f for f in formats if f in LMS_WRITERS]
    # report.json always: the journal, the class report and a later --resume read it (as `grade` does).
    formats = _with_json([f for f in formats if f not in LMS_WRITERS])
    if resume and previous is None:
        previous = PreviousBatch.read(out)
    earlier = previous.meta if resume and previous is not None else None
    if resume and roster is None:
        roster = _previous_roster(earlier, out, stream)
    known = Roster.read(roster) if roster is not None else None  # a bad roster is refused before grading
    out.mkdir(parents=True, exist_ok=True)
    formats = _check_resumable(out, plan, previous if resume else None, formats, origin, after_due_date)
    if resume:
        check_directory(out, previous, directory)
    if resume:
        lms_formats = _previous_imports(earlier, out, lms_formats)

    entries, skipped = discover(directory, exclude=out, staging=out / lms_groups.STAGING)
    submitters, unread = gradescope_export.read(directory)
    if unread:
        stream.write(f"warning: {terminal(unread)}\n")
    for path, why in skipped.items():
        stream.write(f"skipped {terminal(path.name)}: {terminal(why)}\n")
    journal = Journal(out / JOURNAL)
    # A file a later upload replaced, or graded in its LMS user's folder: still in the folder, so a student
    # of an earlier run graded from it is not "no longer in the folder".
    taken = (REPLACED, lms_groups.GROUPED)
    replaced = [untrusted.name(path.name) for path, why in skipped.items() if why.startswith(taken)]
    before = _previous_students(earlier)
    regrade: Plan = plan_regrade(entries, journal if resume else None, only, replaced, submitters, before)
    # Written once the run is accepted (an --only naming nobody is refused above), before grading (an
    # interrupted first run still records its seed), keeping the class the last finished run listed: it
    # was rewritten without it, and a refused `--only typo`, or a resume interrupted, left `grader report`
    # saying the batch came from an older grader.
    start = _meta(plan, formats, lms_formats, roster, directory, after_due_date) | (
        {"students": before} if before is not None else {}
    )
    write_text(out / BATCH_META, json.dumps(start, indent=2, sort_keys=True) + "\n")
    for line in regrade.lines(out):
        stream.write(line + "\n")
    todo: list[Entry] = list(regrade.todo)
    # Hashed before grading: a file replaced while it is graded then counts as changed at the next resume.
    sources = {e.student: {"file": e.file, "source_sha256": fingerprint(e.path)} for e in todo}
    progress = Progress(len(todo), stream)
    graded_now = 0
    # Students whose code defines none of the names the stage requires: the wrong assignment (or stage), most
    # likely. A set intersection per submission; the source is read only of one whose load found none of them.
    # Each kept with the stage its report says the code looks like, to say what they are after grading.
    strangers: dict[str, str | None] = {}
    paths = {e.student: e.path for e in todo}
    try:
        with journal, batch_pace():
            for graded in executor.grade(plan, ((e.student, e.path) for e in todo)):
                student_dir = out / graded.student
                write(graded.report, student_dir, formats, after_due_date=after_due_date, validate=validate)
                where = {"worker": graded.worker, "isolation": graded.report.isolation}
                row = gradebook_row(graded.report) | sources[graded.student] | {"student": graded.student}
                journal.append(row | where)
                if defines_none_required(graded.report, plan, paths[graded.student]):
                    stage = graded.report.stage
                    strangers[graded.student] = stage.looks_like if stage is not None else None
                graded_now += 1
                progress.advance()
    finally:
        progress.finish()

    if strangers:
        # the whole class: an --only or --resume of one student is no sign of the class's assignment
        said = _strangers_line(plan, strangers, graded_now, len(entries), paths)
        if said:
            stream.write(said)
    students = [e.student for e in entries]
    identities, unknown, absent = identify(
        ((e.student, e.file, e.path.stem) for e in entries), known, submitters
    )
    # the roster's students with no submission, for the class report (grader report reads batch.json): said
    # only on the terminal, the class page left them out, and a TA reading it took the class as complete
    meta = _meta(plan, formats, lms_formats, roster, directory, after_due_date) | {
        "students": students,
        "absent": absent,
    }
    write_text(out / BATCH_META, json.dumps(meta, indent=2, sort_keys=True) + "\n")
    if submitters is not None:
        unlisted = [e.student for e in entries if not submitters_of(submitters, e.file, e.path.stem)]
        if unlisted:
            stream.write(
                f"not in {gradescope_export.METADATA} (no submitters: no name, email or sid in the "
                f"gradebook): {listed(unlisted)}\n"
            )
    if unknown:
        # An LMS download's name still gives a name (Moodle's full name, Canvas's namekey): only the roster's
        # email and SIS id are surely missing ("no name or email" was untrue of them). A Gradescope export
        # gives all three: what the roster alone has (an LMS id) is missing.
        without = (
            "name, email and sid only from the Gradescope export, no LMS id"
            if submitters
            else "no email or SIS id in the gradebook, a name only from an LMS file name"
        )
        stream.write(f"not in the roster ({without}): {listed(unknown)}\n")
    if absent:
        stream.write(f"in the roster with no submission: {listed(absent)}\n")
    workers = {name: info.to_dict() for name, info in executor.workers().items()}
    named = known is not None or submitters is not None
    gradebook, summary = write_class_files(out, plan, students, identities if named else None, workers)
    imports = []
    full_marks = plan.assignment.max_points(plan.graded_stage.name)
    below: list[str] = []  # graded out of fewer points than the stage's: optional classes not defined
    for name in lms_formats:
        rows, people = _by_person(_journal_rows(out, students), identities)
        path, left_out = LMS_WRITERS[name](
            _noting_below(rows, full_marks, below), people, out, import_title(plan), full_marks
        )
        imports.append(path)
        shown = terminal(str(roster)) if roster is not None else None
        for line in left_out_lines(name, path.name, left_out, people, listed, shown):
            stream.write(line + "\n")
    if below:
        stream.write(BELOW_FULL_MARKS.format(full=full_marks, who=listed(list(dict.fromkeys(below)))))
    flagged = int(json.loads(summary.read_text(encoding="utf-8"))["flags"]["flagged"])
    index = write_class_report(out)
    return BatchResult(
        graded_now,
        len(entries) - len(regrade.waiting),  # the gradebook's rows: an entry --only left ungraded has none
        gradebook,
        summary,
        tuple(skipped),
        flagged,
        changed=regrade.changed,
        dropped=regrade.dropped,
        index=index,
        imports=tuple(imports),
    )


def _strangers_line(
    plan: RunPlan,
    strangers: Mapping[str, str | None],
    graded_now: int,
    students: int,
    paths: Mapping[str, Path],
) -> str:
    """The students graded now whose code defines none of the stage's required names, and what to do: said
    only when they are most of the class (every student of the batch, those an --only or --resume kept
    included). A few students' files of another chapter or assignment are their own mistakes, which their
    reports show: one file of DeZero among three of dlfs-layers named DeZero as "the code" of all four."""
    if 2 * len(strangers) <= students:
        return ""
    read = [(paths[s], looks) for s, looks in list(strangers.items())[:GUESSED_FROM]]
    why = wrong_assignment_line(plan.assignment.id, plan.graded_stage, looks_like(plan, read), "grader batch")
    of = (
        f"{graded_now} graded now"
        if graded_now == students
        else f"the {graded_now} graded now, {students} in all"
    )
    return f"{len(strangers)} of {of}: {why} ({listed(list(strangers))})\n"


def _by_person(
    rows: Iterator[dict[str, Any]], identities: dict[str, Identity]
) -> tuple[Iterator[dict[str, Any]], dict[str, dict[str, str]]]:
    """The journal rows and identities as the LMS imports take them: one per person. A group submission
    (Gradescope's several submitters) is one row of gradebook.csv but a line per member in an import, each
    with the group's grade, under `<student> (<member's name>)` (what a left-out line names)."""
    people: dict[str, dict[str, str]] = {}
    keys: dict[str, list[str]] = {}
    for student, who in identities.items():
        if not who.members:
            people[student] = who.to_dict()
            keys[student] = [student]
            continue
        keys[student] = []
        for i, member in enumerate(who.members, 1):
            key = f"{student} ({member.name or member.sis_id or member.email or i})"
            n = 0
            while key in people:  # two members of one name (or a name that is another's index): a key each
                n += 1
                key = f"{student} ({i})" if n == 1 else f"{student} ({i}.{n})"
            people[key] = member.to_dict()
            keys[student].append(key)

    def each() -> Iterator[dict[str, Any]]:
        for row in rows:
            for key in keys.get(row["student"], [row["student"]]):
                yield row | {"student": key}

    return each(), people


BELOW_FULL_MARKS = (
    "graded out of fewer than the stage's {full:g} points (their code does not define an optional class "
    "that carries points, docs/STAGES.md): the LMS imports count their score scaled to {full:g}, as "
    "gradebook.csv's percent is of their own max_score: {who}\n"
)


def _noting_below(
    rows: Iterator[dict[str, Any]], full_marks: float, below: list[str]
) -> Iterator[dict[str, Any]]:
    """The rows, as they pass noting in `below` the students whose max_score is under the full marks."""
    for row in rows:
        if float(row["max_score"]) < full_marks:
            below.append(str(row["student"]))
        yield row


def _journal_rows(out: Path, students: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The latest journal row of each of `students`, in their order, one at a time."""
    journal = Journal(out / JOURNAL)
    offsets = journal.latest_offsets()
    for student in students:
        if student in offsets:
            yield journal.entry_at(offsets[student])


ROSTER_COLUMNS = ("name", "email", "sis_id")


def write_class_files(
    out: Path,
    plan: RunPlan,
    students: Sequence[str],
    identities: dict[str, Identity] | None = None,
    workers: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[Path, Path]:
    """gradebook.csv and summary.json from the journal, in the batch directory's order of students. Only
    `students` (the entries of the batch directory now) are listed: a student whose submission is gone has a
    journal line but no row. With `identities` (a roster), gradebook.csv has ROSTER_COLUMNS too. `workers`:
    what each worker of this run runs with (Executor.workers()), merged with the journal's count of
    submissions per worker (a resumed batch also lists the earlier run's workers)."""

    def rows() -> Iterator[dict[str, Any]]:  # one entry in memory at a time, whatever the class size
        for row in _journal_rows(out, students):
            who = identities.get(row["student"]) if identities else None
            yield row | {"identity": who.to_dict()} if who else row

    case_ids = [c.id for c in plan.cases]
    columns = ROSTER_COLUMNS if identities is not None else ()
    gradebook = write_gradebook_csv(rows(), out / "gradebook.csv", case_ids, columns)
    summary = write_summary_json(summarize(rows(), workers), out / "summary.json")
    return gradebook, summary
