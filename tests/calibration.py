"""How much of a CPU a busy process gets on this machine right now, for limits that must hold under load.

A test whose claim is about CPU time (a loop killed at its CPU limit) or about no time at all (what a flood
does to a phase) failed on a loaded 2-core machine when its wall limit came first: six busy processes leave a
student process about a third of a core, and 1 s of CPU took over 3 s of wall. Such a test scales its wall
limit by the share measured here, just before it runs; its CPU limits, and what it proves, stay as they are.
"""

from __future__ import annotations

import subprocess
import sys

# A busy loop of `seconds` of wall time that prints the CPU time it got meanwhile (its start excluded).
_BUSY = """
import time
cpu, end = time.process_time(), time.monotonic() + {seconds}
while time.monotonic() < end:
    pass
print(time.process_time() - cpu)
"""
MIN_SHARE = 0.05  # below this the machine is thrashing, not running tests: a wall 20 times the CPU at most
# A guard that only catches a hang is stretched by the share too, but at most this many times: stretched by
# MIN_SHARE, the samples test's 300 s guard became 6000 s, and a hung CI run waited 100 minutes to fail. Four
# times covers a share of a quarter of a core (seven busy processes on two cores), where a run that is slow,
# not hung, still ends inside its guard.
MAX_HANG_STRETCH = 4.0


def cpu_share(seconds: float = 0.5) -> float:
    """The fraction of one CPU a busy child process got over `seconds` of wall time (at most 1)."""
    program = _BUSY.format(seconds=seconds)
    done = subprocess.run([sys.executable, "-S", "-c", program], capture_output=True, text=True, check=True)
    return min(1.0, max(MIN_SHARE, float(done.stdout) / seconds))


def wall_for(cpu_seconds: float, *, margin: float = 2.0) -> float:
    """A wall limit in which a busy process gets `cpu_seconds` of CPU at the share measured now, `margin`
    times over: on an idle machine, `cpu_seconds * margin`."""
    return cpu_seconds * margin / cpu_share()


def hang_guard(seconds: float) -> float:
    """A time limit that only catches a hang: `seconds` at a whole CPU, scaled to the share measured now, at
    most MAX_HANG_STRETCH times over, so that a hung run fails within `seconds * MAX_HANG_STRETCH`."""
    return seconds / max(cpu_share(), 1 / MAX_HANG_STRETCH)
