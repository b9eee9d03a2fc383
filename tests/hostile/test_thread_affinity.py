"""A student's threads asking for their CPUs under the sandbox's seccomp filter (grader/inside/seccomp.py).

The filter answers sched_getaffinity only about the caller (pid 0, or the process's own pid): what
os.sched_getaffinity(0) asks from any thread, and OpenBLAS and glibc at their start, work; a second thread's
own tid is refused (the filter cannot tell it from another process's pid), and the failure says what to write
instead (grader/inside/refused_calls.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hostile_harness import REPO, grade

from grader.inside.refused_calls import EXPLAINERS

_FORWARD = "    # Forward pass\n    for n in graph:\n        n.forward()\n"
# A forward pass that first asks, from a second thread, for that thread's CPUs, with ASKED's argument, and
# runs a matrix product through numpy's BLAS.
_THREADED = """
    # Forward pass, after a thread has asked for its CPUs
    box = []
    worker = threading.Thread(target=_cpus, args=(box,))
    worker.start()
    worker.join()
    if isinstance(box[0], BaseException):
        raise box[0]
    np.ones((64, 64)) @ np.ones((64, 64))
    for n in graph:
        n.forward()
"""
_ASKING = """

def _cpus(box):
    try:
        box.append(os.sched_getaffinity(ASKED))
    except OSError as err:
        box.append(err)
"""
_OWN_CLAUSE = EXPLAINERS["sched_getaffinity"]("PermissionError: [Errno 1] x", "os.sched_getaffinity(1)")


def _threaded(tmp_path: Path, asked: str, name: str) -> Path:
    source = (REPO / "submissions/miniflow/correct.py").read_text()
    assert source.count(_FORWARD) == 1
    source = source.replace(_FORWARD, _THREADED).replace(
        "import numpy as np", "import os\nimport threading\n\nimport numpy as np", 1
    )
    path = tmp_path / name
    path.write_text(source + _ASKING.replace("ASKED", asked))
    return path


def test_a_thread_asking_for_its_cpus_with_0_scores_full_marks(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """os.sched_getaffinity(0) from a second thread, and a BLAS matrix product, in every forward pass: a
    correct solution so still scores full marks in either mode."""
    graded = grade(pool, miniflow_plan, _threaded(tmp_path, "0", "threads_ask_0.py"))
    assert graded.report.score == graded.report.max_score, graded.output[:600]


def test_a_thread_asking_by_its_own_tid_is_told_to_ask_with_0(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """os.sched_getaffinity(threading.get_native_id()) from a second thread is refused (EPERM), and the
    message says to pass 0: Python's words alone ("Operation not permitted") named no reason. Control: the
    same refusal raised by a line that does not ask for CPUs gets no such clause."""
    asked = _threaded(tmp_path, "threading.get_native_id()", "threads_ask_tid.py")
    graded = grade(pool, miniflow_plan, asked)
    failed = [c for c in graded.report.cases if c.status != "passed"]
    assert failed, graded.output[:600]
    messages = {c.message for c in failed}
    assert all("Operation not permitted" in m and _OWN_CLAUSE in m for m in messages), sorted(messages)[:2]
    other = _threaded(tmp_path, "0", "threads_other_eperm.py")
    other.write_text(
        other.read_text().replace(
            "box.append(os.sched_getaffinity(0))", "raise PermissionError(1, 'Operation not permitted')"
        )
    )
    control = grade(pool, miniflow_plan, other)
    messages = {c.message for c in control.report.cases if c.status != "passed"}
    assert messages and all("Operation not permitted" in m for m in messages), sorted(messages)[:2]
    assert not any(_OWN_CLAUSE in m for m in messages)
