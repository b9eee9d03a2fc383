"""grader/inside/scratch.py: the worker's private directories, made without tempfile."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from grader.inside import scratch


def test_a_made_directory_is_new_private_and_named_by_its_prefix(tmp_path: Path) -> None:
    first, second = scratch.make(str(tmp_path), "job-"), scratch.make(str(tmp_path), "job-")
    assert first != second
    for made in (first, second):
        path = Path(made)
        assert path.parent == tmp_path and path.name.startswith("job-") and len(path.name) > len("job-")
        assert path.is_dir() and not any(path.iterdir())
        assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_a_taken_name_is_never_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names come from os.urandom; one already in the folder (another worker's, or a student's file) is
    skipped, never entered; when every try meets a taken name, it says so instead of sharing one."""
    taken = tmp_path / f"job-{'00' * 6}"
    taken.mkdir()
    (taken / "theirs").write_text("x")
    draws = iter([b"\0" * 6, b"\1" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    made = Path(scratch.make(str(tmp_path), "job-"))
    assert made.name == f"job-{'01' * 6}" and made.is_dir()
    assert [p.name for p in taken.iterdir()] == ["theirs"]
    monkeypatch.setattr(os, "urandom", lambda n: b"\0" * n)
    with pytest.raises(FileExistsError, match="job-"):
        scratch.make(str(tmp_path), "job-")
