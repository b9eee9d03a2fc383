# mypy: ignore-errors
# (written in the book's own untyped style, as the modules it stands in for)
"""The grader's stand-in for the book's `common` package (used only when a submission lacks it)."""
