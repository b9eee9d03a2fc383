"""Ctrl-C while a pool's lanes run, delivered where the main thread holds no lock a lane waits for.

Python raises KeyboardInterrupt in the main thread between almost any two bytecodes, including inside a
context manager's `__enter__` after it took a lock and before the with-block that would release it
(`quiet.recorded` takes the lock every compile in the parent shares, main thread and lanes alike). The lock
then stays taken; the pool joins its lanes on the way out, a lane waits for that lock, and the grader hung
after Ctrl-C instead of exiting 130 (tests/batch/test_resume.py, about 1 run in 60 on a loaded machine).

So while a map runs, the first SIGINT only sets a flag, and the map raises KeyboardInterrupt itself where
the main thread holds nothing: at its next wait for a result (every `POLL_SECONDS` at most). A second SIGINT
before that is delivered at once, as Python would (a way out, should the lanes themselves be slow to stop),
and so is every one after an interrupt was raised.

The flag is a plain attribute, never a lock: the handler runs in the main thread and may run again inside
itself (a second signal between two of its bytecodes), where a lock it took would wait for itself.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType

POLL_SECONDS = 0.1


def _replaceable(handler: object) -> bool:
    """Python's own handler, or one a DeferredInterrupt put (an outer map's, or a stale one whose map ended
    where it could not put the previous handler back: it raises as Python's does)."""
    return handler is signal.default_int_handler or isinstance(
        getattr(handler, "__self__", None), DeferredInterrupt
    )


class DeferredInterrupt:
    """Context manager: SIGINT deferred to `check()` inside, when this is the main thread and SIGINT has
    Python's default handler (a handler of the caller's own, or an ignored SIGINT, is left as it is)."""

    def __init__(self) -> None:
        self._pending = False
        self._installed = False
        self._deferring = False  # until one interrupt is raised: any later one is raised at once
        self._previous: object = None

    def __enter__(self) -> DeferredInterrupt:
        main = threading.current_thread() is threading.main_thread()
        if main and _replaceable(signal.getsignal(signal.SIGINT)):
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = self._deferring = True
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._deferring and not self._pending:
            self._pending = True
            return
        self._pending = self._deferring = False  # raised here and now, and any later one too
        signal.default_int_handler(signum, frame)

    def check(self) -> None:
        """Raise the deferred KeyboardInterrupt, if a SIGINT came: call it where no lock is held."""
        if self._pending:
            self._pending = self._deferring = False
            raise KeyboardInterrupt

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._installed:
            return
        self._installed = self._deferring = False
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]
        if self._pending:  # came after the last check: not lost, raised by the handler put back
            self._pending = False
            signal.raise_signal(signal.SIGINT)
