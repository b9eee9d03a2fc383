"""backprop-grader: grades from-scratch backpropagation code in a sandbox."""

__version__ = "0.1.0"
