"""Limits the worker enforces that the parent names in its messages, in a module both import cheaply (the
confinement code builds its seccomp program when imported: a `grader check` must not pay for it)."""

from __future__ import annotations

NPROC_LIMIT = 1024  # threads count too; fork is stopped by seccomp, not by this (see DESIGN.md)
# Signals queued with their information (sigqueue, and any real-time signal) at once, per uid: inherited, it
# was the machine's (96,367 here), and under bubblewrap, whose uid maps to root, each counted against root's
# own quota on the host: a student process queued 96,360 to itself, every one root had left, each a kernel
# struct sigqueue RLIMIT_AS does not count (sample signals_pending_flood.py). An ordinary signal is
# delivered whatever this limit (its information alone is dropped), and no honest submission queues any.
SIGPENDING_LIMIT = 64
