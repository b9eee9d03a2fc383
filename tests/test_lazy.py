"""Names imported on first use (grader/lazy.py), as grader.flags, grader.reports and grader.sandbox export."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grader.lazy import exports


def test_a_name_is_imported_from_its_home_only_when_asked_for():
    """grader.reports.write_junit is the junit module's function, and that module is imported by the access:
    a fresh interpreter that only imports grader.reports has not imported it (the control)."""
    code = (
        "import sys, grader.reports as r; before = 'grader.reports.junit' in sys.modules; "
        "f = r.write_junit; print(before, 'grader.reports.junit' in sys.modules, f.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "True", "grader.reports.junit"], done.stderr


def test_an_unknown_name_is_an_attribute_error_naming_the_package():
    """A name the package does not export raises AttributeError, as a module's missing attribute does."""
    getattr_ = exports("grader.reports", {"write_junit": "junit"})
    with pytest.raises(AttributeError, match=r"module 'grader\.reports' has no attribute 'nope'"):
        getattr_("nope")
