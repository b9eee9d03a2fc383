"""What runs on each Dask worker: a plugin that owns the worker's sandbox pool, and the task that uses it.

Imported only on the Dask path (it imports `distributed`). A worker receives a job as JSON bytes (the files
inside it, base64: no shared file system) and never anything with expected values: judging stays on the
client. It returns `WorkerReply` bytes that the client checks like any other untrusted output.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from distributed import Worker, WorkerPlugin, get_worker

from grader.sandbox import IsolationRefused, MachineError, SandboxError, SandboxPool

from . import build
from .wire import WorkerReply

PLUGIN_NAME = "backprop-grader-sandbox"
# What a task imports lazily (the frames' parser reads a load's stand-ins and the family's spellings by them),
# imported as the worker's sandbox starts instead: a grader installed again over the running one (`pip
# install`) was read the first time a reply needed them, code of another build than the one this worker
# says it runs (build.py). tests/cluster/test_task_imports.py grades a job that reaches them and finds no
# module of the grader imported after the setup.
TASK_MODULES = ("grader.inside.standins", "grader.inside.aliases", "grader.sandbox.result")


class SandboxUnavailable(RuntimeError):
    """This worker has no sandbox pool (it failed to start): the batch stops and says why. `machine`: the line
    of a cause that is the worker's machine's (its `setup` error's, pool.MachineError or IsolationRefused),
    or "" for any other; `config`: a setting to change there rather than a resource to free; `address`: the
    worker's. Positional, so that it crosses to the client as it was raised."""

    def __init__(self, message: str, machine: str = "", config: bool = True, address: str = "") -> None:
        super().__init__(message, machine, config, address)
        self.message, self.machine, self.config, self.address = message, machine, config, address

    def __str__(self) -> str:
        return self.message


class SandboxPlugin(WorkerPlugin):
    """Starts a `SandboxPool` with one sandbox per worker thread when the worker starts (or joins later, or is
    restarted by its nanny), and closes it when the worker stops."""

    name = PLUGIN_NAME

    def __init__(self, isolation: str = "auto") -> None:
        self.isolation = isolation
        self.pool: SandboxPool | None = None
        self.error: str | None = None
        # What this worker's machine lacks or refuses (a MachineError's or a refusal's own line, which says
        # what to do), and whether it is a setting: the client says it in the TA's words, not as a fault
        self.machine = ""
        self.config = True
        self.build = ""  # which build of the grader this worker runs (build.py), read at its start

    def setup(self, worker: Worker) -> None:
        for name in TASK_MODULES:  # with the rest of the code this worker runs, before its build is read
            importlib.import_module(name)
        # Read now, as the worker's process starts with the code it imported, not when the client first asks:
        # a grader installed again over this one meanwhile would be read as this worker's build.
        self.build = build.source_digest()
        try:
            self.pool = SandboxPool(jobs=worker.state.nthreads, isolation=self.isolation)  # type: ignore[arg-type]
        except SandboxError as err:  # IsolationRefused included: said by worker_state and by every task
            self.error = f"{type(err).__name__}: {err}"
            if isinstance(err, (MachineError, IsolationRefused)):
                self.machine = str(err)
                self.config = getattr(err, "config", True)

    def teardown(self, worker: Worker) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def _plugin(worker: Worker) -> SandboxPlugin:
    plugin = worker.plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, SandboxPlugin):
        raise SandboxUnavailable("the grader's sandbox plugin is not registered on this worker")
    return plugin


def worker_state(dask_worker: Worker) -> dict[str, Any]:
    """Run on every worker by the client (`Client.run` passes `dask_worker`): what its pool runs with, or
    why it has none."""
    plugin, worker = _plugin(dask_worker), dask_worker
    pool = plugin.pool
    return {
        "isolation": pool.isolation if pool else None,
        "notes": list(pool.notes) if pool else [],
        "isolation_notes": list(pool.isolation_notes) if pool else [],
        "sandboxes": pool.jobs if pool else 0,
        "error": plugin.error,
        "machine": plugin.machine,
        "config": plugin.config,
        "host": worker.ip,
        "build": plugin.build,  # the client refuses a worker of another build (executor.py)
    }


def grade_job(job: bytes, student: str, sha256: str) -> bytes:
    """The Dask task: run one job in this worker's pool; return the run as `WorkerReply` bytes."""
    worker = get_worker()
    plugin = _plugin(worker)
    if plugin.pool is None:
        why = f"no sandbox on {worker.address}: {plugin.error}"
        raise SandboxUnavailable(why, plugin.machine, plugin.config, worker.address)
    run = plugin.pool.run(json.loads(job))
    # The build this worker's process started with, in every reply: a worker its nanny restarted on a fixed
    # --worker-port keeps its address, which the client checked once, and may run another build since
    return WorkerReply(student, sha256, worker.address, run, plugin.build).to_bytes()
