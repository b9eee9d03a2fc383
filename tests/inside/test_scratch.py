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


@pytest.mark.skipif(os.geteuid() != 0, reason="root makes the tree, then drops to the worker's uid 65534")
def test_a_tree_of_read_only_folders_is_removed_by_its_owner_at_once() -> None:
    """A folder moved to another parent needs write permission on itself: a 0o555 folder inside another (a
    sealed served stand-in's common/, or a student's mkdir(mode=0o555)) never moved, and remove() turned
    until MAX_ENTRIES, ~5 s of every worker's exit (found by CI after s23-standin). Run as the owner without
    root's override, as the worker runs (under /tmp: pytest's tmp_path is root's alone, so that uid could
    not even reach it); control: the tree is reachable and read-only to that uid."""
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="scratch-test-", dir="/tmp"))
    top.chmod(0o700)
    (top / "served" / "common").mkdir(parents=True)
    (top / "served" / "common" / "layers.py").write_text("x = 1\n")
    for path in (top, top / "served", top / "served" / "common", top / "served" / "common" / "layers.py"):
        os.chown(path, 65534, 65534)
    (top / "served" / "common" / "layers.py").chmod(0o444)
    (top / "served" / "common").chmod(0o555)
    (top / "served").chmod(0o555)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            os.stat(top / "served" / "common" / "layers.py")  # reachable: the control's first half
            try:
                os.unlink(top / "served" / "common" / "layers.py")
                control = "writable"
            except PermissionError:
                control = "read-only"
            gone = scratch.remove(str(top))
            os.write(write, f"{control} {gone}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    left = os.path.lexists(top)
    if left:
        scratch.remove(str(top))
    assert answer == "read-only True" and not left, (answer, left)
