"""Atomic writes: the file appears whole, and with the mode the umask asks for (not mkstemp's 0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.atomic import current_umask, write_text


@pytest.fixture
def umask() -> Iterator[None]:
    saved = os.umask(0o022)
    yield
    os.umask(saved)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600), (0o027, 0o640)])
def test_written_files_follow_the_umask(tmp_path: Path, umask: None, mask: int, mode: int) -> None:
    """A file written under umask 022 is 0644, under 002 0664, under 077 0600 (what `open()` would give)."""
    os.umask(mask)
    path = write_text(tmp_path / "gradebook.csv", "student\n")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_text(encoding="utf-8") == "student\n"


def test_current_umask_reads_without_changing(umask: None) -> None:
    """The umask is reported as set and left as it was."""
    os.umask(0o027)
    assert current_umask() == 0o027
    assert current_umask() == 0o027
    assert os.umask(0o022) == 0o027
