"""Benchmarks that print figures, their targets and ratios against baselines measured in the same run.

Run from the repository root:

    python -m bench.throughput      # batch grading: fork-server workers vs one fresh process per submission
    python -m bench.check_latency   # cold `grader check`, median of fresh processes
    python -m bench.gradcheck       # vectorised finite differences vs torch.autograd.gradcheck (slow mode)

Every benchmark takes `--json PATH` to write its figures for machines (the smoke tests read it). Figures are
measured, never asserted: the tests check structure, not speed. See docs/BENCHMARKS.md.
"""
