"""Independent oracles that prove fixtures: torch autograd (`torch_oracle`) and finite differences.

Nothing is imported here on purpose: importing `grader.oracles` must not import torch (DESIGN.md rule 5).
"""
