"""Plots of the training runs (not graded)."""


def title(step):
    return f"step {step}"
