"""A Dask worker of another build of the grader is refused before any job is sent: its adapters, which drive
the student's code, would grade with other code than the client's (docs/DASK.md)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import cloudpickle
import pytest
from distributed import Client, LocalCluster, WorkerPlugin

from grader.cluster import build
from grader.cluster.executor import ClusterError, DaskExecutor

pytestmark = pytest.mark.slow
OTHER = "0123456789abcdef" * 4  # a digest no build of this package has
cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module


class OtherBuild(WorkerPlugin):
    """Makes the worker's process say another build's digest, as a worker installed from another commit."""

    name = "test-other-build"

    def setup(self, worker: object) -> None:
        from grader.cluster import build as worker_build

        worker_build._DIGEST = OTHER


def test_the_digest_is_the_packages_source_once_a_process() -> None:
    """64 hex digits, the same when asked again (computed once), and none of the faked one."""
    digest = build.source_digest()
    assert len(digest) == 64 and int(digest, 16) >= 0 and build.source_digest() == digest != OTHER


def test_a_worker_of_another_build_is_refused_naming_it_and_what_to_do() -> None:
    """A LocalCluster worker whose plugin fakes another build's digest: DaskExecutor refuses the cluster with
    a ClusterError naming the worker, both builds and what to do (before session 34 nothing checked it, and
    the batch graded on it). Control: the same cluster without the plugin grades
    (tests/cluster/test_executor.py's batches)."""
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0")
    client = Client(cluster)
    client.register_plugin(OtherBuild(), name=OtherBuild.name)
    (address,) = client.scheduler_info()["workers"]
    with pytest.raises(ClusterError) as refused:
        DaskExecutor(client, isolation="auto", cluster=cluster)
    said = str(refused.value)
    assert address in said and OTHER[:16] in said and build.source_digest()[:16] in said, said
    assert "Install the same grader" in said and "restart the worker" in said, said


def _wheel_layout(root: Path) -> tuple[Path, Path, Path]:
    """This checkout's grader, reference and fixtures copied as a wheel lays them out (setup.py): the
    fixtures inside the package at grader/fixtures/."""
    repo = build.PACKAGE.parent
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(repo / "grader", root / "grader", ignore=ignore)
    shutil.copytree(repo / "reference", root / "reference", ignore=ignore)
    shutil.copytree(repo / "fixtures", root / "grader" / "fixtures", ignore=ignore)
    return root / "grader", root / "reference", root / "grader" / "fixtures"


def test_a_checkout_and_a_wheel_of_one_commit_are_one_build(tmp_path: Path) -> None:
    """The client installed from the checkout (install.sh: `pip install -e .`) and workers from the wheel
    (docs/DASK.md) run one build: the digests agree (before, the wheel's grader/fixtures/*.py made every batch
    "another build"). Control: one changed line of the reference engine, or of an ops module, is another."""
    repo = build.PACKAGE.parent
    checkout = build.tree_digest(repo / "grader", repo / "reference", repo / "fixtures")
    package, reference, fixtures = _wheel_layout(tmp_path)
    assert build.tree_digest(package, reference, fixtures) == checkout
    mutations = reference / "mutations.py"
    mutations.write_bytes(mutations.read_bytes() + b"\n# another build\n")
    assert build.tree_digest(package, reference, fixtures) != checkout
    mutations.write_bytes(mutations.read_bytes()[: -len(b"\n# another build\n")])
    assert build.tree_digest(package, reference, fixtures) == checkout
    ops = fixtures / "dlfs-layers" / "ops.py"
    ops.write_bytes(ops.read_bytes() + b"\n")
    assert build.tree_digest(package, reference, fixtures) != checkout
