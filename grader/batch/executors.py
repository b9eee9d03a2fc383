"""Where a batch's submissions are run: this machine's sandbox pool, or a Dask cluster (grader/cluster).

Every executor yields `Graded` results as they arrive; the batch driver alone writes reports, journal and
gradebook, so `--resume` means the same whatever ran the sandboxes. Registry: `EXECUTORS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from grader.model import Confinement
from grader.pipeline import Graded, RunPlan, grade_paths
from grader.sandbox import SandboxPool

LOCAL_WORKER = "local"


@dataclass(frozen=True)
class WorkerInfo:
    """What one worker's sandbox pool runs with (docs/SANDBOX.md), for summary.json and the terminal."""

    isolation: str
    sandboxes: int
    notes: tuple[str, ...] = ()
    host: str = "localhost"
    isolation_notes: tuple[str, ...] = ()  # those of `notes` every report of its runs carries

    def to_dict(self) -> dict[str, object]:
        return {"isolation": self.isolation, "sandboxes": self.sandboxes, "notes": list(self.notes)}


@runtime_checkable
class Executor(Protocol):
    name: str
    validates_reports: bool  # schema-check every report before it is written (results from other machines)

    @property
    def confinement(self) -> Confinement:
        """Given to entries the loader refuses (never sandboxed) and runs lost: the isolation the batch would
        have used, with its notes."""

    def workers(self) -> Mapping[str, WorkerInfo]: ...

    def grade(self, plan: RunPlan, entries: Iterable[tuple[str, Path]]) -> Iterator[Graded]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """This machine's `SandboxPool` (the default): `grade_paths` as before, one worker named `local`."""

    name = "local"
    validates_reports = False

    def __init__(self, pool: SandboxPool) -> None:
        self.pool = pool

    @property
    def confinement(self) -> Confinement:
        return self.pool.confinement

    def workers(self) -> Mapping[str, WorkerInfo]:
        return {LOCAL_WORKER: WorkerInfo(self.pool.isolation, self.pool.jobs, self.pool.notes)}

    def grade(self, plan: RunPlan, entries: Iterable[tuple[str, Path]]) -> Iterator[Graded]:
        return grade_paths(plan, entries, self.pool)

    def close(self) -> None:
        self.pool.close()


def as_executor(runner: SandboxPool | Executor) -> Executor:
    return LocalExecutor(runner) if isinstance(runner, SandboxPool) else runner
