"""grader/sandbox/calls.py: a call's outcome read on another thread, and the one thread workers start from."""

from __future__ import annotations

import threading

import pytest

from grader.sandbox.calls import Call, OneThread


def test_a_call_on_a_thread_gives_its_value_or_raises_its_error_where_it_is_read() -> None:
    """The value once it returned; its exception raised by `result`, not lost on the other thread."""
    assert Call.on_thread(lambda: 41 + 1, "t").result() == 42
    failing = Call.on_thread(lambda: 1 // 0, "t")
    with pytest.raises(ZeroDivisionError):
        failing.result()
    assert failing.done()


def test_one_thread_runs_every_call_on_the_same_long_lived_thread() -> None:
    """bwrap's --die-with-parent follows the thread that started a worker: every call on one thread, not
    the caller's (control: the caller's own thread is another)."""
    spawner = OneThread("spawn")
    seen = {spawner.run(threading.get_ident) for _ in range(3)}
    assert len(seen) == 1 and threading.get_ident() not in seen
    with pytest.raises(KeyError):
        spawner.run(lambda: {}["missing"])
    spawner.shutdown()
    with pytest.raises(RuntimeError, match="after shutdown"):
        spawner.run(threading.get_ident)
    spawner.shutdown()  # twice: nothing more
