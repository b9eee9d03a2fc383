"""Two students graded at the same time on two workers of one pool: what one does to the machine's per-uid
counts must not reach the other.

RLIMIT_NPROC counts a uid's tasks machine-wide. Every worker of the fallback run as root dropped to uid
65534, so a student holding threads up to the limit left the student graded at the same time on the other
worker unable to start one: an honest helper thread at import failed ("can't start new thread"), load_failed,
0 / 43 blamed on that student's code (session 25). Each worker now drops to a uid of its own. (Control: with
every worker's uid 65534 again, the honest student's load fails beside the hog.)
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hostile_harness import HOSTILE_DIR, REPO, grade
from proc_tree import descendants

HOG = HOSTILE_DIR / "threads_starve_other_lane.py"
# Put after the correct sample's imports: an honest helper thread at import, started and joined, before the
# classes (a failure after them would leave every class defined, and the grade whole).
HELPER_THREAD = """
import threading
import time

print("load from %.6f" % time.monotonic(), flush=True)


def _warm_up():
    return np.zeros(1)


_helper = threading.Thread(target=_warm_up)
_helper.start()
_helper.join()
print("load to %.6f" % time.monotonic(), flush=True)

"""
NUMPY = "import numpy as np\n"
# The hog holds its threads for two seconds from some 0.4 s after its grade starts (the job built, the
# process forked), taking again any slot of its uid given back. The honest student's grade starts once the
# hold is seen from outside (a process below the pool's workers with that many threads), and both print
# when (CLOCK_MONOTONIC is the machine's): the test checks that the hold covered the honest load, so that a
# slow machine fails it rather than passing it untested.
HOG_THREADS_SEEN = 1000  # the limit, 1,024 tasks of the uid, less the worker's and the harness's
HOG_WAIT_SECONDS = 10.0
HOG_TRIES = 3


def _stamp(output: str, what: str) -> float:
    found = re.search(rf"{what} (\d+\.\d+)", output)
    assert found, f"no '{what}' in {output[:300]!r}"
    return float(found.group(1))


def _threads(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return int(next(x for x in f if x.startswith("Threads:")).split()[1])
    except (OSError, StopIteration):
        return 0


def _wait_for_the_hold(workers: list[int]) -> bool:
    """Whether a process below `workers` held HOG_THREADS_SEEN threads within HOG_WAIT_SECONDS."""
    deadline = time.monotonic() + HOG_WAIT_SECONDS
    while time.monotonic() < deadline:
        if any(_threads(p) > HOG_THREADS_SEEN for p in descendants(*workers)):
            return True
        time.sleep(0.01)
    return False


def _held(output: str) -> int:
    found = re.search(r"held (\d+) threads", output)
    return int(found.group(1)) if found else 0


@pytest.mark.slow
def test_threads_held_on_one_worker_leave_the_others_students_theirs(
    pool: Any, miniflow_plan: Any, tmp_path: Path
) -> None:
    """The honest student with a helper thread scores the same with the hog holding every thread its uid may
    start on the other worker as alone."""
    from grader.sandbox import SandboxPool

    honest = tmp_path / "helper_thread.py"
    correct = (REPO / "submissions" / "miniflow" / "correct.py").read_text()
    assert correct.count(NUMPY) == 1
    honest.write_text(correct.replace(NUMPY, NUMPY + HELPER_THREAD))
    request = "bwrap" if pool.isolation == "bwrap" else "rlimits"
    with SandboxPool(2, isolation=request) as two, concurrent.futures.ThreadPoolExecutor(2) as lanes:
        # Both workers started and idle (graded alone, twice at once), so that no start delays a lane.
        alone = list(lanes.map(lambda _: grade(two, miniflow_plan, honest), range(2)))
        workers = [w.proc.pid for w in two._idle]
        for _ in range(HOG_TRIES):  # a loaded machine may end the hold before the honest load: tried again
            hog = lanes.submit(grade, two, miniflow_plan, HOG)
            seen = _wait_for_the_hold(workers)
            beside = grade(two, miniflow_plan, honest)
            hogged = hog.result()
            assert not beside.failure_codes(), (beside.failure_codes(), beside.output[:600])
            score, best = beside.report.score, beside.report.max_score
            assert score == best, f"{score} beside the hog, {best} alone: {beside.output[:600]!r}"
            if two.isolation == "bwrap" or _covered(hogged.output, beside.output):
                break
    assert two.workers_started == 2, "each lane on a worker of its own"
    for g in alone:
        assert g.report.score == g.report.max_score, g.report.score
    if two.isolation != "bwrap":  # under bubblewrap the watch stops the hog past 1,024 threads before it says
        assert seen, "the hog's hold was never seen from outside"
        assert _held(hogged.output) > 900, f"the hog must have held its threads: {hogged.output[:300]!r}"
        held_from, held_to = _stamp(hogged.output, "threads at"), _stamp(hogged.output, "released at")
        load_from, load_to = _stamp(beside.output, "load from"), _stamp(beside.output, "load to")
        # the honest load inside the hold, in one of the tries: too slow a machine tests nothing
        assert held_from <= load_from, f"the honest load ({load_from}) began before the hold ({held_from})"
        assert load_to <= held_to, f"the hold ended ({held_to:.3f}) before the honest load ({load_to:.3f})"


def _covered(hog_output: str, honest_output: str) -> bool:
    """Whether the hog's hold covered the honest student's load (both print when, CLOCK_MONOTONIC)."""
    try:
        held = _stamp(hog_output, "threads at"), _stamp(hog_output, "released at")
        load = _stamp(honest_output, "load from"), _stamp(honest_output, "load to")
    except AssertionError:
        return False
    return held[0] <= load[0] and load[1] <= held[1]


@pytest.mark.skipif(os.geteuid() != 0, reason="only the fallback run as root drops its workers' uids")
def test_each_worker_of_the_root_fallback_runs_as_a_uid_of_its_own() -> None:
    """Read from outside in /proc: two workers of one pool, and a worker started after them, three uids."""
    from grader.sandbox import SandboxPool
    from grader.sandbox.layout import SANDBOX_UIDS

    def uid(pid: int) -> int:
        with open(f"/proc/{pid}/status") as f:
            line = next(x for x in f if x.startswith("Uid:"))
        ids = {int(x) for x in line.split()[1:]}
        assert len(ids) == 1, line
        return ids.pop()

    with SandboxPool(2, isolation="rlimits") as two:
        workers = [two._acquire() for _ in range(3)]
        try:
            uids = [uid(w.proc.pid) for w in workers]
        finally:
            for w in workers:
                two._release(w)
        dirs = {u: os.stat(os.path.join(str(two._scratch), f"work-{u}")) for u in uids}
    assert len(set(uids)) == 3 and all(u in SANDBOX_UIDS for u in uids), uids
    for u, st in dirs.items():  # each worker's job directories out of the others' reach
        assert (st.st_uid, st.st_mode & 0o777) == (u, 0o700), (u, st)
