"""A Dask worker whose sandbox cannot start for want of something on its machine (bwrap missing, no user
namespaces): said once, in one line for the TA, naming the workers and what to do, with the local pool's
words (grader/sandbox/machine.py), never as the grader's fault. No cluster: the real plugin and worker_state
on stand-in workers, the real executor on a stand-in client."""

from __future__ import annotations

import io
import pickle
from contextlib import redirect_stderr
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from batch.students import MINIFLOW_CORRECT, write_class

import grader.sandbox.pool as pool_module
from grader import cli
from grader.cluster import executor as executor_module
from grader.cluster.executor import ClusterError, DaskExecutor
from grader.cluster.plugin import SandboxPlugin, SandboxUnavailable, worker_state
from grader.sandbox import MachineError

WORKERS = ("tcp://10.0.0.7:4001", "tcp://10.0.0.8:4001")


def _worker(address: str, isolation: str) -> Any:
    """A stand-in Dask worker whose plugin was set up for real (its SandboxPool started, or failing)."""
    worker = SimpleNamespace(address=address, ip=address.split("//")[1].split(":")[0], plugins={})
    worker.state = SimpleNamespace(nthreads=1)
    plugin = SandboxPlugin(isolation)
    plugin.setup(worker)  # type: ignore[arg-type]
    worker.plugins[plugin.name] = plugin
    return worker


class _Client:
    """What DaskExecutor asks of a client before grading: the plugin registered, each worker's state."""

    def __init__(self, states: dict[str, Any]) -> None:
        self.states = states

    def register_plugin(self, plugin: Any, name: str) -> None:
        pass

    def run(self, function: Any, workers: Any = None) -> dict[str, Any]:
        return self.states

    def close(self) -> None:
        pass


def _states(isolation: str) -> dict[str, Any]:
    return {address: worker_state(_worker(address, isolation)) for address in WORKERS}  # type: ignore[arg-type]


@pytest.fixture
def no_bwrap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    missing = str(tmp_path / "bin" / "bwrap")
    monkeypatch.setattr(pool_module, "BWRAP", missing)
    return missing


def test_workers_without_bwrap_are_said_once_in_the_tas_words(no_bwrap: str) -> None:
    """Two workers asked for bwrap, neither has it: one MachineError (a setting: exit 2), one line naming
    both workers, the local pool's advice once, and no class name of ours in it."""
    with pytest.raises(MachineError) as raised:
        DaskExecutor(_Client(_states("bwrap")), isolation="bwrap")  # type: ignore[arg-type]
    said = str(raised.value)
    assert raised.value.config and not isinstance(raised.value, ClusterError)
    assert said.startswith(f"the sandbox cannot start on Dask workers {WORKERS[0]}, {WORKERS[1]}: ")
    assert said.count(f"bubblewrap is not installed here (no {no_bwrap})") == 1
    assert "apt-get install bubblewrap" in said and "\n" not in said and "MachineError" not in said


def test_the_command_says_it_in_one_line_not_as_the_graders_fault(
    no_bwrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`grader batch --executor dask` on such workers: exit 2 and, below the class line, one line "grader
    batch: the sandbox cannot start on Dask workers ...", without "the sandbox failed" (cli.SANDBOX_FAILED)
    or "Dask workers without a working sandbox" (each worker's reason, its class name, said again)."""
    states = _states("bwrap")
    monkeypatch.setattr(
        DaskExecutor,
        "connect",
        classmethod(lambda cls, scheduler, *, isolation: cls(_Client(states), isolation=isolation)),
    )
    directory = write_class(tmp_path / "class", {"ann": MINIFLOW_CORRECT})
    argv = ["batch", "miniflow", str(directory), "--out", str(tmp_path / "out"), "--isolation", "bwrap"]
    stderr = io.StringIO()
    with redirect_stderr(stderr):
        code = cli.main([*argv, "--executor", "dask", "--scheduler", "tcp://10.0.0.1:8786"])
    lines = [line for line in stderr.getvalue().splitlines() if not line.startswith("grading ")]
    assert code == cli.EXIT_USAGE, lines
    expected = f"the sandbox cannot start on Dask workers {', '.join(WORKERS)}: "
    assert lines == [f"grader batch: {expected}{pool_module.machine.INSTALL_BWRAP.format(path=no_bwrap)}"]
    assert cli.SANDBOX_FAILED not in stderr.getvalue()


def test_control_a_worker_failing_for_another_reason_stays_a_cluster_error() -> None:
    """Control: a pool that fails on a worker for no machine's reason (an isolation that does not exist)
    is still a ClusterError naming each worker and its error, as the grader's to look into."""
    with pytest.raises(ClusterError, match=r"without a working sandbox: tcp://.*unknown isolation 'bogus'"):
        DaskExecutor(_Client(_states("bogus")), isolation="bogus")  # type: ignore[arg-type]


def test_a_worker_that_joined_without_bwrap_stops_the_batch_with_the_same_line(no_bwrap: str) -> None:
    """A worker that joined later (or came back from its nanny) without a sandbox: its task's
    SandboxUnavailable, pickled to the client as Dask does, becomes the same one line (MachineError); one
    without a machine's cause stays the ClusterError it was (the control)."""
    worker = _worker(WORKERS[0], "bwrap")
    plugin = worker.plugins[SandboxPlugin.name]
    raised = SandboxUnavailable("no sandbox on X: Y", plugin.machine, plugin.config, worker.address)
    executor = object.__new__(DaskExecutor)
    prepared = SimpleNamespace(student="ann")
    for error, kind in ((raised, MachineError), (SandboxUnavailable("no sandbox on X: Z"), ClusterError)):
        future = SimpleNamespace(
            result=lambda error=error: (_ for _ in ()).throw(pickle.loads(pickle.dumps(error)))
        )
        with pytest.raises(kind) as stopped:
            executor._graded(None, prepared, future, {})  # type: ignore[arg-type]
        if kind is MachineError:
            assert not isinstance(stopped.value, ClusterError)
            assert str(stopped.value) == (
                f"the sandbox cannot start on Dask worker {WORKERS[0]}: "
                + pool_module.machine.INSTALL_BWRAP.format(path=no_bwrap)
            )
    assert executor_module.SandboxUnavailable is SandboxUnavailable
