"""A Dask worker's build is read as its sandbox starts, every reply carries it, and a reply is graded from
only when its build is the client's (docs/DASK.md). No cluster: the real plugin, worker_state, grade_job and
executor on stand-ins."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from grader.batch.executors import WorkerInfo
from grader.cluster import build
from grader.cluster import executor as executor_module
from grader.cluster import plugin as plugin_module
from grader.cluster.executor import CLIENT, ClusterError, DaskExecutor
from grader.cluster.plugin import SandboxPlugin, grade_job, worker_state
from grader.cluster.wire import WorkerReply
from grader.model import Confinement, LoadInfo, RunResult

SHA = "ab" * 32
JOINED = "tcp://10.0.0.9:4001"
OTHER = "0123456789abcdef" * 4  # a digest no build of this package has


@pytest.fixture
def digests(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """`build.tree_digest` says `now["digest"]` whenever it reads the files, and nothing is read yet."""
    now = {"digest": "1" * 64}
    monkeypatch.setattr(build, "_DIGEST", None)
    monkeypatch.setattr(build, "tree_digest", lambda *roots: now["digest"])
    return now


def test_a_workers_build_is_the_one_it_started_with(digests: dict[str, str]) -> None:
    """The plugin's setup reads the digest (as the worker's pool imports the code it grades with); a grader
    installed again over it later is not what worker_state says (before, the digest was first read when the
    client asked, and said the files on disk then)."""
    worker = SimpleNamespace(address=JOINED, ip="10.0.0.9", plugins={}, state=SimpleNamespace(nthreads=1))
    plugin = SandboxPlugin("bogus")  # no pool: an isolation that does not exist fails at once
    plugin.setup(worker)  # type: ignore[arg-type]
    worker.plugins[plugin.name] = plugin
    digests["digest"] = "2" * 64  # the files on disk changed after the worker started
    build._DIGEST = None  # as a process that has not read them yet
    assert worker_state(worker)["build"] == "1" * 64  # type: ignore[arg-type]


class _Gone:
    """A client whose workers cannot be asked: the one that replied left again."""

    def run(self, function: Any, workers: Any = None) -> dict[str, Any]:
        raise OSError("Timed out trying to connect to tcp://10.0.0.9:4001")


class _Asked:
    """A client whose joined worker says `build`."""

    def __init__(self, build: str) -> None:
        self.build = build

    def run(self, function: Any, workers: Any = None) -> dict[str, Any]:
        state = {"isolation": "bwrap", "notes": [], "sandboxes": 1, "host": "10.0.0.9", "build": self.build}
        return {JOINED: state}


def _run() -> RunResult:
    return RunResult("bwrap", LoadInfo({}, {}, (), {}), {}, None, "", "", 0.1)


def _graded(
    client: Any, reply: bytes | None = None, known: tuple[str, ...] = ()
) -> tuple[RunResult, str, DaskExecutor]:
    """The executor's handling of one reply (by default this build's, from JOINED), its workers `known`
    (asked at the start); without JOINED among them, one that joined during the batch."""
    executor = object.__new__(DaskExecutor)
    executor.client, executor._workers = client, {w: WorkerInfo("bwrap", 1) for w in known}
    executor.confinement = Confinement("bwrap", ())
    ours = WorkerReply("ann", SHA, JOINED, _run(), build.source_digest()).to_bytes()
    data = ours if reply is None else reply
    future = SimpleNamespace(result=lambda: data)
    prepared = SimpleNamespace(
        student="ann", submission=SimpleNamespace(sha256=SHA), graded=lambda plan, run, worker: (run, worker)
    )
    got, worker = executor._graded(None, prepared, future, {})  # type: ignore[arg-type]
    return got, worker, executor


def test_a_reply_of_a_joined_worker_that_cannot_be_asked_is_not_graded_from() -> None:
    """A worker that joined, replied and left before its build could be asked: the submission is the
    cluster's failure (not the student's), the staff's detail says why and what to do, and the worker is not
    kept as known (before, its reply was graded from, its build never checked)."""
    run, worker, executor = _graded(_Gone())
    assert worker == CLIENT and run.process_failure is not None, run
    assert run.process_failure.message == executor_module.LOST
    assert run.process_failure.detail == executor_module.UNKNOWN_BUILD.format(JOINED)
    assert "--only" in run.process_failure.detail and JOINED not in executor.workers()


def test_control_a_joined_worker_of_this_build_is_graded_from_and_one_of_another_stops() -> None:
    """Control: the same reply from a joined worker that says this build is graded (kept as known); one that
    says another build stops the batch (ClusterError)."""
    run, worker, executor = _graded(_Asked(build.source_digest()))
    assert worker == JOINED and run.process_failure is None and JOINED in executor.workers()
    with pytest.raises(ClusterError, match="another build of the grader"):
        _graded(_Asked("0" * 64))


def test_a_reply_of_another_build_from_a_known_address_stops_the_batch_unused() -> None:
    """A worker checked at the start, restarted by its nanny on its fixed --worker-port with another grader
    installed: its address is known, so it was never asked again, and its reply was graded with the other
    build's adapters. Now each reply's own build is checked: the batch stops naming the worker, both builds
    and what to do, and the reply is not graded. Control: the same reply of this build is graded from."""
    other = WorkerReply("ann", SHA, JOINED, _run(), OTHER).to_bytes()
    with pytest.raises(ClusterError) as stopped:
        _graded(_Gone(), other, known=(JOINED,))
    said = str(stopped.value)
    assert JOINED in said and OTHER[:16] in said and build.source_digest()[:16] in said, said
    assert "restart the worker" in said, said
    run, worker, _ = _graded(_Gone(), known=(JOINED,))
    assert worker == JOINED and run.process_failure is None, run


def test_a_reply_that_names_no_build_is_a_grader_too_old_to_say() -> None:
    """A reply without the build field (a worker of a grader from before it) stops the batch as another
    build, in the TA's words, rather than costing each of that worker's submissions a malformed reply."""
    doc = json.loads(WorkerReply("ann", SHA, JOINED, _run(), OTHER).to_bytes())
    del doc["build"]
    with pytest.raises(ClusterError, match="a grader too old to say which build"):
        _graded(_Gone(), json.dumps(doc).encode(), known=(JOINED,))


def test_a_reply_says_the_build_its_worker_started_with(
    digests: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """grade_job's reply carries the build its plugin read at setup, not the files on disk when it replies
    (a grader installed again over the running one)."""
    plugin = SandboxPlugin("bogus")
    worker = SimpleNamespace(address=JOINED, ip="10.0.0.9", plugins={}, state=SimpleNamespace(nthreads=1))
    plugin.setup(worker)  # type: ignore[arg-type]
    plugin.pool = SimpleNamespace(run=lambda job: _run())  # type: ignore[assignment]
    worker.plugins[plugin.name] = plugin
    monkeypatch.setattr(plugin_module, "get_worker", lambda: worker)
    digests["digest"] = "2" * 64
    build._DIGEST = None
    reply = json.loads(grade_job(b"{}", "ann", SHA))
    assert reply["build"] == "1" * 64 and reply["worker"] == JOINED, reply
