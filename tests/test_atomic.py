"""Atomic writes: the file appears whole, and with the mode the umask asks for (not mkstemp's 0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.atomic import write_text


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


def test_a_temp_name_taken_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Debris of an earlier write under the temp name drawn first (a kill -9 mid-write) is left alone: the
    write takes the next name and the target is whole."""
    draws = iter([b"\x00" * 6, b"\x00" * 6, b"\x01" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    stale = tmp_path / ".gradebook.csv.000000000000.tmp"
    stale.write_text("half a gradebook", encoding="utf-8")
    write_text(tmp_path / "gradebook.csv", "student\n")
    assert (tmp_path / "gradebook.csv").read_text(encoding="utf-8") == "student\n"
    assert stale.read_text(encoding="utf-8") == "half a gradebook"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradebook.csv.000000000000.tmp", "gradebook.csv"]


def _fsynced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files fsynced from now on (the temp file's name, `.NAME.xxxx.tmp`)."""
    names: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        names.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return names


def test_a_write_is_fsynced_unless_asked_not_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """By default the temp file is fsynced before it replaces the target; `durable=False` (files rebuilt from
    fsynced ones, like the class report's pages) writes the same bytes atomically, without the fsync."""
    names = _fsynced(monkeypatch)
    write_text(tmp_path / "report.json", "{}\n")
    assert len(names) == 1 and names[0].startswith(".report.json.")
    write_text(tmp_path / "report.html", "<p>\n", durable=False)
    assert len(names) == 1
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "<p>\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json"]  # no temp file left


def test_a_missing_folder_is_made_and_an_existing_one_is_not_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write into missing folders makes them (one mkdir); a second write into the folder now there makes
    none (it used to call mkdir before every write); a folder that is a file still raises FileExistsError."""
    made: list[Path] = []
    real = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        made.append(self)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", mkdir)
    write_text(tmp_path / "a" / "b" / "report.json", "{}\n")
    assert made and made[0] == tmp_path / "a" / "b"  # (then its parent, by pathlib's own recursion)
    first = len(made)
    write_text(tmp_path / "a" / "b" / "report.html", "<p>\n")
    assert len(made) == first
    assert (tmp_path / "a" / "b" / "report.json").read_text(encoding="utf-8") == "{}\n"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_text(tmp_path / "file" / "report.json", "{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "file"]
