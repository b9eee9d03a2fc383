"""Grade a class: stream results to per-student reports and the journal, then build the gradebook.

Memory stays flat: submissions are loaded as workers ask for them, each report is written and dropped as soon
as it arrives, and the gradebook and summary are built by streaming the journal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from grader.atomic import write_text
from grader.batch.entries import Entry, discover, pending, skip_reason
from grader.batch.journal import Journal
from grader.batch.progress import Progress
from grader.pipeline import RunPlan, grade_paths
from grader.reports import gradebook_row, summarize, write, write_gradebook_csv, write_summary_json
from grader.reports.escape import terminal
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

    @property
    def flagged_line(self) -> str:
        noun = "submission" if self.flagged == 1 else "submissions"
        return f"{self.flagged} {noun} flagged for staff review ({self.summary})"


def _meta(plan: RunPlan, formats: Sequence[str]) -> dict[str, object]:
    return {
        "assignment": plan.assignment.id,
        "stage": plan.graded_stage.name,
        "seed": plan.seed,
        "formats": list(formats),
    }


def previous_seed(out: Path) -> int | None:
    """The seed a batch in `out` was started with (for --resume without --seed)."""
    try:
        return int(json.loads((out / BATCH_META).read_text(encoding="utf-8"))["seed"])
    except (FileNotFoundError, KeyError, ValueError, TypeError):
        return None


def _check_resumable(out: Path, plan: RunPlan, resume: bool) -> None:
    journal = out / JOURNAL
    if not resume:
        if journal.exists() and journal.stat().st_size:
            raise ConfigError(f"{out} already holds a batch (journal {journal}); use --resume or a new --out")
        return
    try:
        meta = json.loads((out / BATCH_META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except ValueError as err:
        raise ConfigError(
            f"{out / BATCH_META} is unreadable ({err}); start a new batch with a new --out"
        ) from None
    checked = [("assignment", plan.assignment.id), ("seed", plan.seed)]
    if "stage" in meta:  # batches started before stages existed graded the whole assignment
        checked.append(("stage", plan.graded_stage.name))
    for key, now in checked:
        if meta.get(key) != now:
            raise ConfigError(
                f"--resume: {out} was graded with {key} {meta.get(key)!r}, this run has {now!r}; "
                f"resume with the same {key} or use a new --out"
            )


def run_batch(
    plan: RunPlan,
    directory: Path,
    out: Path,
    pool: SandboxPool,
    *,
    formats: Sequence[str] = ("json",),
    resume: bool = False,
    after_due_date: bool = False,
    validate: bool = False,
    stream: TextIO | None = None,
) -> BatchResult:
    """Grade every entry of `directory` into `out`. `validate` schema-checks each report as it is written:
    off by default because it costs ~40 ms a report, two thirds of the parent's time per submission."""
    stream = stream if stream is not None else sys.stderr
    if not directory.is_dir():
        raise ConfigError(f"{directory} is not a directory of submissions")
    out.mkdir(parents=True, exist_ok=True)
    _check_resumable(out, plan, resume)
    write_text(out / BATCH_META, json.dumps(_meta(plan, formats), indent=2, sort_keys=True) + "\n")

    entries, skipped = discover(directory, exclude=out)
    for path in skipped:
        stream.write(f"skipped {terminal(path.name)}: {skip_reason(path)}\n")
    journal = Journal(out / JOURNAL)
    done = set(journal.latest_offsets()) if resume else set()
    todo: list[Entry] = list(pending(entries, done))
    if done:
        stream.write(f"resuming: {len(done)} already graded, {len(todo)} to go\n")
    progress = Progress(len(todo), stream)
    graded_now = 0
    try:
        with journal:
            for graded in grade_paths(plan, ((e.student, e.path) for e in todo), pool):
                student_dir = out / graded.student
                write(graded.report, student_dir, formats, after_due_date=after_due_date, validate=validate)
                journal.append(gradebook_row(graded.report) | {"student": graded.student})
                graded_now += 1
                progress.advance()
    finally:
        progress.finish()

    gradebook, summary = write_class_files(out, plan, [e.student for e in entries])
    flagged = int(json.loads(summary.read_text(encoding="utf-8"))["flags"]["flagged"])
    return BatchResult(graded_now, len(entries), gradebook, summary, tuple(skipped), flagged)


def write_class_files(out: Path, plan: RunPlan, students: Sequence[str]) -> tuple[Path, Path]:
    """gradebook.csv and summary.json from the journal, in the batch directory's order of students."""
    journal = Journal(out / JOURNAL)
    order = {s: i for i, s in enumerate(students)}

    offsets = journal.latest_offsets()
    ordered = sorted(offsets, key=lambda s: (order.get(s, len(order)), s))

    def rows() -> Iterator[dict[str, Any]]:  # one entry in memory at a time, whatever the class size
        for student in ordered:
            yield journal.entry_at(offsets[student])

    case_ids = [c.id for c in plan.cases]
    gradebook = write_gradebook_csv(rows(), out / "gradebook.csv", case_ids)
    summary = write_summary_json(summarize(rows()), out / "summary.json")
    return gradebook, summary
