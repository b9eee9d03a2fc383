"""How long a submission's top-level code may run while it is being loaded.

A training loop or demo at the top level of a file (MiniFlow's nn.py pasted below the classes, with no
`if __name__ == "__main__":`) runs whenever the file is imported. It used to run until the phase's wall
clock ran out, and every case then failed with a timeout although every class was defined above the loop.
The load now stops such code after `LOAD_SECONDS` (wall clock, counted from the start of the load), as a
script that needs a missing data set is stopped: the names defined before that line are graded, the ones
below it are reported as never defined (grader/inside/loading.py, `never_defined`).

The stop is an exception raised from a SIGALRM handler in the student's process, between two bytecodes of
whatever runs then. It derives from BaseException, so a training loop's `except Exception:` does not
swallow it (a bare `except:` does, and the phase's own limits then apply as before).
"""

from __future__ import annotations

import _signal
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# A share of the default 10 s wall clock of a phase (grader/model.py Limits), leaving the cases time to run
# on a loaded machine. The student process is not told its limits (server.py's load op), so a constant: under
# tighter limits (the hostile tests' 3 s) the phase's own limits stop an endless loop first, as before.
LOAD_SECONDS = 4.0
# Each later file or notebook cell still gets this long once the budget is spent: an import that is merely
# slow finishes; a loop is stopped soon.
FLOOR_SECONDS = 0.5


class LoadTooLong(BaseException):
    """Raised into the student's top-level code that is still running when the load's time is up."""


class Budget:
    """One load's time: `arm()` around each file (or notebook cell) the loader runs."""

    def __init__(self, seconds: float = LOAD_SECONDS) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    @contextmanager
    def arm(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        left = max(self.deadline - time.monotonic(), FLOOR_SECONDS)
        seconds = self.seconds
        running = [True]

        def stop(signum: int, frame: FrameType | None) -> None:
            if running[0]:  # not once the file has finished, on its way out of this block
                raise LoadTooLong(f"still running after {seconds:g} s of loading")

        # _signal's, not signal's: the wrapper makes an enum of the handler it returns, whose first
        # construction in a forked student process wrote ~12 pages of the worker's copy-on-write (session 37)
        previous = _signal.signal(_signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, left)
        try:
            yield
            running[0] = False
        finally:
            running[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            _signal.signal(_signal.SIGALRM, previous)
