"""grader/inside/read_only_view.py: which folders are bound read-only (the mounts themselves are exercised by
tests/inside/test_privileges.py's ordinary user's worker, emulated as root, and by
tests/hostile/test_access_times.py as uid 1001)."""

from __future__ import annotations

from pathlib import Path

from grader.inside import read_only_view


def test_tops_keeps_one_path_per_tree_and_drops_what_does_not_exist(tmp_path: Path) -> None:
    """The stdlib folder and its entries give the folder alone; a sibling whose name starts like it stays; a
    symbolic link counts as where it points; a missing path is dropped."""
    stdlib, sibling, elsewhere = tmp_path / "lib", tmp_path / "lib-dynload", tmp_path / "numpy"
    for folder in (stdlib / "json", sibling, elsewhere):
        folder.mkdir(parents=True)
    (stdlib / "os.py").write_text("")
    (stdlib / "linked").symlink_to(elsewhere)
    paths = [stdlib / "json", stdlib, stdlib / "os.py", sibling, stdlib / "linked", tmp_path / "missing"]
    assert read_only_view.tops(map(str, paths)) == [str(stdlib), str(sibling), str(elsewhere)]


def test_a_refused_bind_is_a_note_not_an_error(tmp_path: Path, monkeypatch) -> None:
    """Where the kernel refuses the mount (no mount namespace of the worker's own), the worker is told why in
    a note naming the channel, and grades on."""

    def refused(*_args: object) -> int:
        raise read_only_view.ConfineError("mount: Operation not permitted")

    monkeypatch.setattr(read_only_view, "call", refused)
    note = read_only_view.bind_read_only([str(tmp_path)])
    assert note is not None and "Operation not permitted" in note and "access times" in note
