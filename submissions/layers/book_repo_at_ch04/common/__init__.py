"""Support helpers shipped beside DLFS layer submissions (the grader's own implementations, numpy only)."""
