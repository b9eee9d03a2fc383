"""The parent's caps on a worker's replies are the worker's own numbers, and its names the worker's names."""

from __future__ import annotations

from grader.inside import privileges, worker
from grader.sandbox import caps, layout


def test_the_parent_caps_equal_the_workers() -> None:
    """MAX_HEADER_BYTES and RESULT_CAP_BYTES in grader/sandbox/caps.py equal grader/inside/worker.py's: a
    parent with smaller caps would call a worker's honest reply a protocol violation."""
    assert caps.MAX_HEADER_BYTES == worker.MAX_HEADER_BYTES
    assert caps.RESULT_CAP_BYTES == worker.RESULT_CAP_BYTES


def test_the_isolation_variable_is_the_one_the_worker_reads() -> None:
    """A worker started with another variable than the one privileges.establish() reads would fall back to
    its default isolation whatever the pool asked for."""
    assert layout.ISOLATION_ENV == privileges.ISOLATION_ENV
    assert layout.worker_env("bwrap")[privileges.ISOLATION_ENV] == "bwrap"


def test_the_scratch_size_is_the_one_the_worker_reads() -> None:
    """The pool's scratch size reaches the worker under the name privileges.establish() reads, with the same
    default and range: otherwise a pool asking for a smaller scratch would still get rootfs's default."""
    from grader.inside import rootfs

    assert layout.SCRATCH_ENV == privileges.SCRATCH_ENV
    assert layout.SCRATCH_MIB == rootfs.SCRATCH_QUOTA_MIB
    assert layout.SCRATCH_MIB_RANGE == privileges.SCRATCH_MIB_RANGE
    assert layout.worker_env("rlimits", 64)[privileges.SCRATCH_ENV] == "64"


def test_the_sandbox_uid_is_the_one_the_worker_reads() -> None:
    """The pool's uids reach the worker under the name privileges.establish() reads, from the block it
    accepts: otherwise every root worker would refuse to start, or drop to one shared uid."""
    from grader.inside import rootfs

    assert layout.UID_ENV == privileges.UID_ENV
    assert layout.SANDBOX_UIDS == rootfs.SANDBOX_UIDS
    assert layout.FIRST_POOL_UID == rootfs.FIRST_POOL_UID == 65536
    assert rootfs.SANDBOX_ID not in rootfs.SANDBOX_UIDS and rootfs.SANDBOX_UIDS[-1] < 1 << 31
    assert layout.worker_env("rlimits", uid=layout.SANDBOX_UIDS[7])[privileges.UID_ENV] == "1879048199"
    assert privileges.UID_ENV not in layout.worker_env("rlimits")


def test_the_harness_reply_cap_follows_the_parents_frame_caps() -> None:
    """The harness's cap on a student process's reply is derived from what the parent accepts of a job's
    frames (FrameLimits.max_total_bytes) and of one record (max_elements): a larger honest reply could never
    be graded anyway."""
    from grader.inside import harness_process, remote

    limits = caps.FrameLimits()
    assert limits.max_elements == remote.MAX_ELEMENTS
    assert limits.max_total_bytes == remote.MAX_FRAMES_BYTES
    assert harness_process.MAX_REPLY_BYTES == remote.MAX_REPLY_BYTES < limits.max_total_bytes + (2 << 20)
    assert caps.MAX_REPLY_BYTES == remote.MAX_REPLY_BYTES  # what the parent's message says was too much


def test_the_harness_sends_no_frame_the_parent_or_the_worker_refuses() -> None:
    """The harness's frame cap is the parent's (a larger frame is refused whole) and under what the worker
    takes of one harness message (a larger one and the worker calls its harness lost: the sandbox's fault)."""
    from grader.inside import harness_process

    assert caps.FrameLimits().max_frame_bytes == harness_process.MAX_FRAME_BYTES
    assert harness_process.MAX_FRAME_BYTES < worker.MAX_HARNESS_MESSAGE
