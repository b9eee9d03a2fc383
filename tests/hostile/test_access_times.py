"""Access times as a channel between students: a read moves a file's atime (relatime: the first read after a
write, or in 24 hours), and any later process may stat it, which Landlock does not guard. What a student
process reads must live where no read of its moves one: a read-only mount (bubblewrap, the root fallback's
private root, and the worker's read-only binds of the runtime in rlimits-unprivileged:
grader/inside/read_only_view.py), or a folder whose times the worker sets back (the served stand-in:
tests/hostile/test_standin_source_copy.py). Run this module as uid 1001 too for rlimits-unprivileged."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hostile_harness import BREACH, REPO, grade, make_plan

LAYERS = REPO / "submissions" / "layers"
SAMPLE = LAYERS / "runtime_atime_pair.py"
# The file the sample reads and stats: one of numpy's that nothing imports, owned by whoever installed numpy
# (this test's user, root's pyenv or uid 1001's venv), so that its access time can be set back.
UNREAD = Path(np.__file__).parent / "__init__.pxd"


@pytest.fixture(scope="module")
def layers_plan() -> Any:
    return make_plan("dlfs-layers")


@pytest.fixture
def unread_numpy_file() -> Path:
    """numpy's __init__.pxd with its access time at its modification time, as installed: the first read
    moves it (relatime), the state a sample finds on a host where nothing read it for a day."""
    if not os.access(UNREAD, os.W_OK):
        pytest.skip(f"{UNREAD} is not this user's: its access time cannot be set back")
    mtime = UNREAD.stat().st_mtime_ns
    os.utime(UNREAD, ns=(mtime, mtime))
    return UNREAD


def test_the_sample_reads_its_bit_where_a_read_moves_the_access_time(unread_numpy_file: Path) -> None:
    """Control, outside the sandbox: the file's atime is at its mtime (no bit); a plain read moves it past
    (the bit the sample leaves), on this host's disk (a file system mounted noatime would skip this test)."""
    st = unread_numpy_file.stat()
    assert st.st_atime_ns == st.st_mtime_ns
    unread_numpy_file.read_bytes()
    moved = unread_numpy_file.stat()
    if moved.st_atime_ns == moved.st_mtime_ns:
        pytest.skip("this host's disk moves no access time on a read (noatime): no channel to close")
    assert moved.st_atime_ns > moved.st_mtime_ns


def test_a_runtime_file_s_access_time_carries_no_bit_to_the_next_student(
    pool: Any, layers_plan: Any, unread_numpy_file: Path
) -> None:
    """runtime_atime_pair.py graded twice in turn on one worker: its Relu is right only if numpy's
    __init__.pxd has an atime past its mtime when it starts, and it reads the file. No breach line, and both
    runs score what relu_mask_from_dout.py scores. (Without read_only_view, as uid 1001: 58.3, then 62 / 62
    with the breach line.)"""
    first, second = grade(pool, layers_plan, SAMPLE), grade(pool, layers_plan, SAMPLE)
    honest = grade(pool, layers_plan, LAYERS / "relu_mask_from_dout.py")
    assert BREACH not in first.output + second.output, second.output[:600]
    assert first.report.score == second.report.score == honest.report.score < honest.report.max_score
    st = unread_numpy_file.stat()
    assert st.st_atime_ns == st.st_mtime_ns  # no student process's read reached the host's inode
