"""The client side of a Dask batch: submit jobs as bytes, take results back as they complete, check them.

Imported only for `--executor dask` / `dask-local` (it imports `distributed`). The client loads and scans
each submission, keeps the expected values (judging happens here, never on a worker), and keeps at most
`window` jobs in flight, so its memory does not grow with the class. A worker that dies mid-batch loses
nothing: the scheduler runs its tasks again elsewhere. Each reply names its student and the sha256 of the
files that were sent; a reply for a job no longer waited for (a duplicate) is ignored, and a reply that does
not match its job is not used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from distributed import Client, Future, LocalCluster, as_completed
from distributed.scheduler import KilledWorker

from grader.batch.executors import WorkerInfo
from grader.inside.loader_keys import recorded_keys
from grader.model import Confinement, Failure, RunResult
from grader.pipeline import Graded, Prepared, RunPlan, prepare
from grader.reports.escape import terminal
from grader.sandbox import MachineError, SandboxError
from grader.sandbox.machine import on_workers

from . import build
from .plugin import PLUGIN_NAME, SandboxPlugin, SandboxUnavailable, grade_job, worker_state
from .wire import WireError, accept

TASK_RETRIES = 1  # an exception on a worker (not its death: the scheduler retries those) is tried once more
IN_FLIGHT_PER_SANDBOX = 2
CLIENT = "client"  # the worker name of a submission reported without a worker's result (refused, lost)
LOST = "The grader's cluster could not grade this submission (not your code's fault); staff have the details."


class ClusterError(SandboxError):
    """The cluster cannot grade: no workers, or a worker without a sandbox. The batch stops and says why."""


class DaskExecutor:
    """`grader batch --executor dask --scheduler tcp://HOST:PORT`, or with `cluster` a LocalCluster."""

    validates_reports = True  # results come from other machines: every report is schema-checked

    def __init__(
        self, client: Client, *, isolation: str, cluster: LocalCluster | None = None, name: str = "dask"
    ) -> None:
        self.name = name
        self.client, self._cluster = client, cluster
        try:
            client.register_plugin(SandboxPlugin(isolation), name=PLUGIN_NAME)
            self._workers = self._ask_workers()
        except BaseException:
            self.close()
            raise
        self.confinement = self._confinement(self._workers.values())

    @classmethod
    def connect(cls, scheduler: str, *, isolation: str) -> DaskExecutor:
        # Dask's own connect timeout (30 s unless the TA's Dask config, e.g. the environment variable
        # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT, says otherwise): a fixed 30 s here overrode that config.
        return cls(Client(scheduler), isolation=isolation)

    @classmethod
    def local(cls, workers: int, sandboxes_per_worker: int, *, isolation: str) -> DaskExecutor:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=sandboxes_per_worker,
            processes=True,
            # None still serves HTTP on :8787 (and warns when a second cluster finds it taken): any free
            # port on the loopback instead.
            dashboard_address="127.0.0.1:0",
        )
        return cls(Client(cluster), isolation=isolation, cluster=cluster, name="dask-local")

    def _ask_workers(self) -> dict[str, WorkerInfo]:
        states: Mapping[str, Mapping[str, Any]] = self.client.run(worker_state)
        if not states:
            raise ClusterError("the Dask scheduler has no workers: start some with `dask worker SCHEDULER`")
        broken = {addr: s["error"] for addr, s in states.items() if s["error"]}
        machine = {addr: str(s.get("machine") or "") for addr, s in states.items() if s["error"]}
        if broken and all(machine.values()):  # each worker's machine's to fix: said once, in the TA's words
            config = all(bool(states[addr].get("config", True)) for addr in machine)
            raise MachineError(on_workers(machine), config=config)
        if broken:
            lines = "; ".join(f"{addr}: {why}" for addr, why in sorted(broken.items()))
            raise ClusterError(f"Dask workers without a working sandbox: {lines}")
        for addr, state in sorted(states.items()):
            _same_build(addr, state)
        return {addr: self._info(s) for addr, s in sorted(states.items())}

    @staticmethod
    def _info(state: Mapping[str, Any]) -> WorkerInfo:
        notes = tuple(str(n) for n in state["notes"])
        shared = tuple(str(n) for n in state.get("isolation_notes", ()))  # a worker of an older grader: none
        return WorkerInfo(str(state["isolation"]), int(state["sandboxes"]), notes, str(state["host"]), shared)

    @staticmethod
    def _confinement(workers: Iterable[WorkerInfo]) -> Confinement:
        """What a report states of a run no worker reported (refused, unbuilt, lost with its worker): the
        first worker's isolation, and the notes of every worker with it, any of which may have run it."""
        infos = list(workers)
        isolation = infos[0].isolation
        notes = (note for info in infos if info.isolation == isolation for note in info.isolation_notes)
        return Confinement(isolation, tuple(dict.fromkeys(notes)))

    def workers(self) -> Mapping[str, WorkerInfo]:
        return dict(self._workers)

    def _window(self) -> int:
        return IN_FLIGHT_PER_SANDBOX * max(1, sum(w.sandboxes for w in self._workers.values()))

    # ------------------------------------------------------------ grading

    def grade(self, plan: RunPlan, entries: Iterable[tuple[str, Path]]) -> Iterator[Graded]:
        record_keys = {c.id: recorded_keys(c.steps) for c in plan.cases}
        source = iter(entries)
        inflight: dict[str, Prepared] = {}  # future key -> the submission it grades
        completed = as_completed()
        refused: list[Graded] = []

        def top_up() -> None:
            while len(inflight) < self._window():
                entry = next(source, None)
                if entry is None:
                    return
                prepared = prepare(plan, *entry, self.confinement)
                if isinstance(prepared, Graded):
                    refused.append(prepared)
                    continue
                try:
                    job = json.dumps(prepared.job(plan)).encode()
                except Exception:  # a job-building bug costs this one submission, never the batch
                    refused.append(prepared.unbuilt(plan, self.confinement))
                    continue
                future = self._submit(prepared, job)
                inflight[str(future.key)] = prepared
                completed.add(future)

        top_up()
        while refused or inflight:
            while refused:
                yield replace(refused.pop(0), worker=CLIENT)
            if not inflight:
                top_up()
                continue
            future = next(completed)
            prepared = inflight.pop(str(future.key), None)
            if prepared is not None:  # else a duplicate of a result already written: ignored
                yield self._graded(plan, prepared, future, record_keys)
            future.release()
            top_up()

    def _submit(self, prepared: Prepared, job: bytes) -> Future:
        sha = prepared.submission.sha256
        key = f"grade-{prepared.student}-{sha[:16]}"
        return self.client.submit(
            grade_job, job, prepared.student, sha, key=key, pure=False, retries=TASK_RETRIES
        )

    def _graded(
        self, plan: RunPlan, prepared: Prepared, future: Future, record_keys: Mapping[str, set[str]]
    ) -> Graded:
        try:
            data = future.result()
        except KilledWorker as err:  # the task took down worker after worker: report it, go on
            return prepared.graded(plan, _lost(self.confinement, f"KilledWorker: {err}"), CLIENT)
        except SandboxUnavailable as err:  # a worker that joined later without a sandbox
            if not err.machine:
                raise ClusterError(f"a Dask worker failed on {prepared.student}: {err}") from err
            raise MachineError(on_workers({err.address: err.machine}), config=err.config) from None
        except Exception as err:  # no sandbox on a worker, or an error of the grader itself: stop, say why
            why = f"{type(err).__name__}: {err}"
            raise ClusterError(f"a Dask worker failed on {prepared.student}: {why}") from err
        try:
            reply = accept(data, prepared.student, prepared.submission.sha256, record_keys)
        except WireError as err:
            why = f"malformed reply from a Dask worker: {err}"
            return prepared.graded(plan, _lost(self.confinement, why), CLIENT)
        # Each reply's own build, not only its worker's when first seen: a worker restarted by its nanny on a
        # fixed --worker-port keeps its address and may run another build (the batch stops, reply unused)
        _same_build(reply.worker, {"build": reply.build})
        if reply.worker not in self._workers:
            joined = self._joined(reply.worker)
            if joined is None:
                return prepared.graded(
                    plan, _lost(self.confinement, UNKNOWN_BUILD.format(reply.worker)), CLIENT
                )
            self._workers[reply.worker] = joined
        return prepared.graded(plan, reply.run, reply.worker)

    def _joined(self, worker: str) -> WorkerInfo | None:
        """A worker that joined after the start (or was restarted by its nanny): ask it what it runs with.
        None when it cannot be asked (gone again already): which build of the grader it runs is unknown, and
        its reply is not graded from."""
        try:
            state = self.client.run(worker_state, workers=[worker])[worker]
        except Exception:
            return None
        _same_build(worker, state)  # a worker of another build joined: the batch stops
        return self._info(state)

    def describe(self, stream: TextIO) -> None:
        for address, info in self.workers().items():
            where = f"worker {terminal(address)}"
            stream.write(f"{where}: isolation {info.isolation}, {info.sandboxes} sandboxes\n")
            for note in info.notes:
                stream.write(f"WARNING: {where}: {terminal(note)}\n")

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


# What a TA reads when a worker runs another build of the grader than the client's.
OTHER_BUILD = (
    "the Dask worker {worker} runs another build of the grader ({theirs}) than this client's "
    "(source digest {ours}): its adapters would grade with other code than this one. Install the same "
    "grader on it as here (the same commit or wheel: `pip install` it again), restart the worker (`dask "
    "worker ...`), and run the batch again"
)


# Staff's detail of a submission whose worker joined during the batch and left before it could be asked: its
# isolation and sandboxes are unknown (before session 35 its reply was graded from, its build never checked;
# since session 36 every reply says its build, checked before this).
UNKNOWN_BUILD = (
    "the Dask worker {} joined during the batch and could not be asked what it runs with (gone again): its "
    "reply was not used; grade this submission again (`grader batch ... --only` it)"
)


def _same_build(worker: str, state: Mapping[str, Any]) -> None:
    """Refuse a worker whose `worker_state` names another build of the grader than this process's (or none:
    a grader from before session 34)."""
    theirs, ours = state.get("build"), build.source_digest()
    if theirs != ours:
        said = f"source digest {str(theirs)[:16]}" if theirs else "a grader too old to say which build"
        raise ClusterError(OTHER_BUILD.format(worker=worker, theirs=said, ours=ours[:16]))


def _lost(where: Confinement, why: str) -> RunResult:
    return where.unrun(Failure("crashed", LOST, why))
