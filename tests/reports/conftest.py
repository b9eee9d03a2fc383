"""Fixtures for the reports tests (the report itself is built in report_builder.py)."""

from __future__ import annotations

import pytest
from report_builder import FLAGS, build_report


@pytest.fixture
def report():
    return build_report()


@pytest.fixture
def flagged_report():
    return build_report(flags=FLAGS)
