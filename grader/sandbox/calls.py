"""A call run on another thread, its outcome waited for here; and the one long-lived thread that runs calls
in turn. What the pool's start needs of concurrent.futures, without it: that package (and the logging it
imports) cost ~4 ms of CPU before a `grader check` could start its sandbox worker, which a student waits for.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Call(Generic[T]):
    """One call's outcome, set once by the thread that runs it, read by any other."""

    def __init__(self, function: Callable[[], T]) -> None:
        self._function = function
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    @classmethod
    def on_thread(cls, function: Callable[[], T], name: str) -> Call[T]:
        """`function`, started now on a thread of its own."""
        call = cls(function)
        threading.Thread(target=call.run, name=name, daemon=True).start()
        return call

    def run(self) -> None:
        try:
            self._value = self._function()
        except BaseException as err:  # raised again where the outcome is read
            self._error = err
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> T:
        """The call's value once it has returned, or its exception raised here."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class OneThread:
    """Runs each call given to `run` on one long-lived thread, in turn (started with the first call), and
    waits for it: bwrap's --die-with-parent follows the thread that started a worker, not the process."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._calls: queue.SimpleQueue[Call[object] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._shut = False

    def run(self, function: Callable[[], T]) -> T:
        call = Call(function)
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot start a call after shutdown")
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()
            self._calls.put(call)  # type: ignore[arg-type]
        return call.result()

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            call.run()

    def shutdown(self, wait: bool = True) -> None:
        """No call after this; the thread ends once the calls before it are done (waited for: `wait`)."""
        with self._lock:
            if self._shut:
                return
            self._shut = True
            thread = self._thread
            self._calls.put(None)
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join()
