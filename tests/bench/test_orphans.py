"""bench/orphans.py: a grandchild left unreaped by its parent, as bubblewrap leaves its namespace's init,
still reaches the measuring process's rusage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The middle process forks a grandchild that spends CPU, waits for it to end without reaping it (WNOWAIT, as
# bwrap's outer process learns its init's end by a pipe) and exits: the grandchild is then an orphan.
_TREE = """
import os, sys
pid = os.fork()
if pid == 0:
    total = 0
    while os.times().user + os.times().system < 0.3:
        total += 1
    os._exit(0)
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
sys.stdout.write(open(f"/proc/{pid}/stat").read())  # the zombie's own CPU, in clock ticks
"""

_MEASURE = """
import json, os, resource, subprocess, sys
from bench.orphans import become_subreaper, reap_orphans
if sys.argv[1] == "subreaper":
    become_subreaper()
before = resource.getrusage(resource.RUSAGE_CHILDREN)
stat = subprocess.run([sys.executable, "-c", sys.argv[2]], capture_output=True, text=True, check=True).stdout
reaped = reap_orphans(grace_seconds=2.0)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
fields = stat[stat.rindex(")") + 2 :].split()
grandchild = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
children = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
print(json.dumps({"reaped": reaped, "grandchild": grandchild, "children": children}))
"""


def _measure(mode: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, mode, _TREE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_subreaper_reaps_the_orphan_and_its_cpu_counts_among_its_children():
    """As the subreaper, the measuring process reaps the one orphan, and its children's CPU holds the
    grandchild's (0.3 s, read from its /proc stat before it was reaped)."""
    measured = _measure("subreaper")
    assert measured["reaped"] == 1
    assert measured["grandchild"] >= 0.29
    assert measured["children"] >= measured["grandchild"]


def test_without_a_subreaper_the_orphans_cpu_is_lost():
    """The negative control: bench.cpu's sandbox total under bwrap before session 33 (the orphan goes to the
    machine's init, and the measuring process's children's CPU holds only the middle process's)."""
    measured = _measure("plain")
    assert measured["reaped"] == 0
    assert measured["children"] < measured["grandchild"] / 2
