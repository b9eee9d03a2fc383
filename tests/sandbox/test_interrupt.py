"""Ctrl-C during a pool's map: raised where the main thread holds no lock a lane waits for (each scenario in
a throwaway subprocess: a KeyboardInterrupt that escaped would otherwise end the pytest run itself)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
HANG_GUARD_SECONDS = 120  # a hang guard, not a timing assertion


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run(body: str) -> list[str]:
    script = f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n" + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
        # A shell runs a background job (CI) with SIGINT ignored, and Python keeps an ignored SIGINT ignored:
        # the script gets the default disposition whatever started these tests, as a user's terminal gives it.
        preexec_fn=_default_sigint,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("isolation", ["bwrap", "rlimits"])
def test_ctrl_c_while_the_caller_holds_the_compile_lock_reaches_the_caller_and_the_lanes_stop(
    isolation: str,
) -> None:
    """The caller holds quiet's lock (as a KeyboardInterrupt raised inside quiet.recorded's __enter__ leaves
    it) while a lane waits for that lock to load its next job, and SIGINT comes: the caller is not interrupted
    there; the map raises KeyboardInterrupt at its next result and every lane has stopped. Before, the
    interrupt was raised in the caller's code, the lock stayed taken, and the map's join waited forever."""
    out = _run(
        f"""
        import os, signal, threading
        from grader import quiet
        from grader.sandbox import SandboxPool
        from sandbox.helpers import TRIVIAL, make_job

        held, waiting = threading.Event(), threading.Event()

        def jobs():
            for n in range(50):
                if n >= 2:  # the lane loading job 2 takes the lock only once the caller holds it
                    held.wait()
                    waiting.set()
                with quiet.recorded():
                    pass
                yield make_job(TRIVIAL, job_id=f"j{{n}}")

        results = 0
        with SandboxPool(jobs=2, isolation={isolation!r}) as pool:
            try:
                for job_id, result in pool.map(jobs()):
                    results += 1
                    if results == 1:
                        lock = quiet.recorded()
                        lock.__enter__()  # no try: as when Ctrl-C lands before the with-block's own
                        held.set()
                        waiting.wait()
                        os.kill(os.getpid(), signal.SIGINT)
                        print("caller-not-interrupted")
                        lock.__exit__(None, None, None)
            except KeyboardInterrupt:
                print("interrupted-after", results)
            print("lanes-left", sum(t.name.endswith("(lane)") for t in threading.enumerate()))
        """
    )
    assert out[0] == "caller-not-interrupted"
    assert out[1] == "interrupted-after" and 1 <= int(out[2]) < 50
    assert out[3:] == ["lanes-left", "0"]


def test_a_second_ctrl_c_is_raised_at_once_and_one_after_the_map_is_not_lost() -> None:
    """Inside: the first SIGINT waits for check(), a second is raised where it lands, and so is every later
    one (the third was deferred again, review). One that came after the last check is raised on leaving, by
    the handler put back; outside, Python's handler is back."""
    out = _run(
        """
        import os, signal
        from grader.sandbox.interrupt import DeferredInterrupt

        with DeferredInterrupt() as interrupt:
            os.kill(os.getpid(), signal.SIGINT)
            print("deferred")
            for which in ("second", "third"):
                try:
                    os.kill(os.getpid(), signal.SIGINT)
                    print(which + "-deferred")
                except KeyboardInterrupt:
                    print(which + "-raised")
            interrupt.check()
            print("nothing-pending")
        try:
            with DeferredInterrupt() as interrupt:
                os.kill(os.getpid(), signal.SIGINT)
            print("lost")
        except KeyboardInterrupt:
            print("raised-on-leaving")
        print("restored", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
        """
    )
    assert out == [
        "deferred", "second-raised", "third-raised", "nothing-pending",
        "raised-on-leaving", "restored", "True",
    ]  # fmt: skip


def test_a_handler_of_the_callers_own_is_left_alone() -> None:
    """Negative control: SIGINT ignored by the caller stays ignored inside (nothing deferred or raised)."""
    out = _run(
        """
        import os, signal
        from grader.sandbox.interrupt import DeferredInterrupt

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with DeferredInterrupt() as interrupt:
            os.kill(os.getpid(), signal.SIGINT)
            interrupt.check()
        print("ignored", signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
        """
    )
    assert out == ["ignored", "True"]


@pytest.mark.parametrize("isolation", ["bwrap", "rlimits"])
def test_ctrl_c_cuts_short_the_jobs_running_and_the_pool_serves_the_next_map(isolation: str) -> None:
    """Two students whose case sleeps 80 s (their wall limit), SIGINT once they run: KeyboardInterrupt
    reaches the caller long before that limit (the busy workers are killed, no job is retried), and the same
    pool then grades another job normally. Before, the map's join waited for both jobs to reach the limit."""
    out = _run(
        f"""
        import os, signal, threading, time
        from grader.sandbox import SandboxPool
        from sandbox.helpers import FAKE_RUNNER, TRIVIAL, make_job

        SLEEPER = "import time\\ndef run_case(case):\\n    time.sleep(80)\\n    return {{'v': 0.0}}\\n"
        with SandboxPool(jobs=2, isolation={isolation!r}, runner_file=FAKE_RUNNER) as pool:
            def interrupt_later():
                time.sleep(3)  # both students in their sleep by then (if not, still in the map)
                os.kill(os.getpid(), signal.SIGINT)

            threading.Thread(target=interrupt_later, daemon=True).start()
            started = time.monotonic()
            jobs = [make_job(SLEEPER, job_id=f"s{{n}}", wall_seconds=80.0, cpu_seconds=5.0) for n in range(2)]
            try:
                print("results", len(list(pool.map(jobs))))
            except KeyboardInterrupt:
                print("interrupted-before-the-limit", time.monotonic() - started < 40)
            print("after", [float(r.outputs["c1"].records["v"]) for _, r in pool.map([make_job(TRIVIAL)])])
            print("run-after", float(pool.run(make_job(TRIVIAL)).outputs["c1"].records["v"]))
        """
    )
    assert out[:2] == ["interrupted-before-the-limit", "True"]
    assert out[-4:] == ["after", "[1.5]", "run-after", "1.5"]  # the interrupt was that map's alone


def test_the_handler_takes_no_lock_and_a_flood_of_sigint_ends_in_keyboard_interrupt() -> None:
    """The handler may run again inside itself (a second signal between two of its bytecodes): it keeps its
    flag in plain attributes, never a lock it would wait for (a threading.Event deadlocked there, review).
    And a flood of SIGINT from another process ends in KeyboardInterrupt, never a hang or a RecursionError."""
    out = _run(
        """
        import os, signal, subprocess, sys, threading
        from grader.sandbox.interrupt import DeferredInterrupt

        interrupt = DeferredInterrupt()
        locks = (type(threading.Lock()), threading.Event, threading.Condition)
        print("no-lock", not any(isinstance(v, locks) for v in vars(interrupt).values()))
        flood = f"import os, signal\\nfor _ in range(5000):\\n    os.kill({os.getpid()}, signal.SIGINT)\\n"
        try:
            with interrupt:
                subprocess.run([sys.executable, "-c", flood], check=True)
                while True:
                    interrupt.check()
        except KeyboardInterrupt:
            # What is asserted is the first KeyboardInterrupt. The flood's last SIGINT may still be pending
            # and be handled at the interpreter's exit, which then dies of SIGINT (CI, once): ignored now.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            print("interrupted")
        """
    )
    assert out == ["no-lock", "True", "interrupted"]


@pytest.mark.parametrize("isolation", ["bwrap", "rlimits"])
def test_a_caller_that_stops_early_or_a_nested_map_cut_short_the_jobs_running(isolation: str) -> None:
    """A caller that stops reading a map early (a second Ctrl-C raised in its own code closes the map the
    same way) does not wait for the other job to reach its wall limit; a map run inside another map's loop
    body gets the Ctrl-C itself. Before, closing waited the 80 s out, and the inner map ignored the signal."""
    out = _run(
        f"""
        import os, signal, threading, time
        from grader.sandbox import SandboxPool
        from sandbox.helpers import FAKE_RUNNER, TRIVIAL, make_job

        SLEEPER = "import time\\ndef run_case(case):\\n    time.sleep(80)\\n    return {{'v': 0.0}}\\n"
        sleeper = lambda name: make_job(SLEEPER, job_id=name, wall_seconds=80.0, cpu_seconds=5.0)
        with SandboxPool(jobs=2, isolation={isolation!r}, runner_file=FAKE_RUNNER) as pool:
            started = time.monotonic()
            results = pool.map([make_job(TRIVIAL, job_id="quick"), sleeper("slow")])
            print("first", next(results)[0])
            results.close()
            print("closed-before-the-limit", time.monotonic() - started < 40)
            started = time.monotonic()
            try:
                for _ in pool.map([make_job(TRIVIAL, job_id="outer")]):
                    threading.Timer(3, os.kill, (os.getpid(), signal.SIGINT)).start()
                    list(pool.map([sleeper("inner")]))
                    print("inner-not-interrupted")
            except KeyboardInterrupt:
                print("nested-interrupted-before-the-limit", time.monotonic() - started < 40)
        """
    )
    assert out == [
        "first", "quick", "closed-before-the-limit", "True", "nested-interrupted-before-the-limit", "True"
    ]  # fmt: skip


def test_ctrl_c_while_the_next_job_is_built_does_not_wait_for_that_build() -> None:
    """SIGINT while one job runs and the generator builds the next (here waiting for an event the caller
    sets only afterwards: a large submission read, or a lock the caller holds): KeyboardInterrupt reaches the
    caller at once, and the build, once it ends, sends nothing and its thread leaves. Before, the map joined
    the builder and Ctrl-C waited for the build (review of s22-speed, 7)."""
    out = _run(
        """
        import os, signal, threading, time
        from grader.sandbox import SandboxPool
        from sandbox.helpers import FAKE_RUNNER, TRIVIAL, make_job

        SLEEPER = "import time\\ndef run_case(case):\\n    time.sleep(2)\\n    return {'v': 2.5}\\n"
        release, building = threading.Event(), threading.Event()
        built = []

        def jobs():
            yield make_job(SLEEPER, job_id="slow", wall_seconds=30.0)
            building.set()
            release.wait(30)
            built.append("next")
            yield make_job(TRIVIAL, job_id="next")

        with SandboxPool(jobs=1, isolation="rlimits", runner_file=FAKE_RUNNER) as pool:
            threads = threading.active_count()
            threading.Thread(target=lambda: building.wait() and os.kill(os.getpid(), signal.SIGINT)).start()
            try:
                print("results", len(list(pool.map(jobs()))))
            except KeyboardInterrupt:  # ordered, not timed: the build still waits for `release`
                print("interrupted-before-the-build-ended", built == [])
            release.set()
            deadline = time.monotonic() + 10
            while threading.active_count() > threads and time.monotonic() < deadline:
                time.sleep(0.05)
            print("threads-left", threading.active_count() - threads)
            print("after", [float(r.outputs["c1"].records["v"]) for _, r in pool.map([make_job(TRIVIAL)])])
        """
    )
    assert out == ["interrupted-before-the-build-ended", "True", "threads-left", "0", "after", "[1.5]"]
