"""grader/inside/folder_usage.py: a student process's folder on the host's disk, counted by its worker.

Oracles: coreutils' `du` (bytes on disk, each hard-linked file once) and `find` (entries), never the walk's
own arithmetic."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from inside_helpers.as_nobody import said_as_nobody
from inside_helpers.small_disk import small_disk

from grader.inside import folder_usage

pytestmark = pytest.mark.skipif(shutil.which("du") is None, reason="coreutils' du is the oracle")


def _du_bytes(path: Path) -> int:
    out = subprocess.run(["du", "-s", "-B1", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0])


def _find_entries(path: Path) -> int:
    out = subprocess.run(["find", str(path)], capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def _job_like(top: Path) -> Path:
    """A folder as a job leaves it: files, a package, bytecode, a saved array, a hard link, a symlink out."""
    (top / "common" / "__pycache__").mkdir(parents=True)
    for i in range(12):
        (top / f"step{i}.py").write_text("x = 1\n" * (200 * i + 1))
    for name in ("layers", "functions"):
        (top / "common" / f"{name}.py").write_text("import numpy as np\n" * 300)
        (top / "common" / "__pycache__" / f"{name}.cpython-311.pyc").write_bytes(b"\0" * 9000)
    (top / "weights.npy").write_bytes(os.urandom(300_000))
    os.link(top / "weights.npy", top / "common" / "weights_again.npy")
    (top / "outside").symlink_to("/usr")  # never followed: /usr's files are no job's
    return top


def test_a_jobs_folder_is_counted_as_du_and_find_count_it(tmp_path: Path) -> None:
    """Within every limit: the bytes du reports (a hard-linked file once, a symlink never followed) and
    one entry per name find lists, less the second name of the hard-linked file."""
    top = _job_like(tmp_path / "job")
    usage = folder_usage.measure(str(top), 20_000, 512 << 20)
    assert usage == folder_usage.Usage(_find_entries(top) - 1, _du_bytes(top), "")


def test_a_sparse_file_counts_what_the_disk_holds(tmp_path: Path) -> None:
    """A 1 GiB file of one written byte holds a block, as du says (not its 1 GiB length)."""
    with open(tmp_path / "sparse.bin", "wb") as f:
        f.seek((1 << 30) - 1)
        f.write(b"x")
    usage = folder_usage.measure(str(tmp_path), 20_000, 1 << 20)
    assert usage.over == "" and usage.bytes == _du_bytes(tmp_path) < 1 << 20


@pytest.mark.parametrize(
    ("limit", "entries", "max_bytes"), [("files", 50, 512 << 20), ("bytes", 20_000, 100_000)]
)
def test_the_count_stops_at_the_first_limit_passed(
    tmp_path: Path, limit: str, entries: int, max_bytes: int
) -> None:
    """200 files of 4 KiB (800 KiB and 201 entries as du and find count them): over 50 entries, or over
    100,000 bytes, the walk says which limit and stops just past it."""
    for i in range(200):
        (tmp_path / f"f{i}").write_bytes(b"\1" * 4096)
    assert _find_entries(tmp_path) == 201 and _du_bytes(tmp_path) > 100_000  # the control: past both
    usage = folder_usage.measure(str(tmp_path), entries, max_bytes)
    assert usage.over == limit
    assert (
        usage.entries <= entries + 1 and usage.bytes <= max_bytes + 4096 + os.stat(tmp_path).st_blocks * 512
    )


def test_without_bytes_each_name_is_an_entry_and_no_file_is_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting a flood of empty files stats none of them (os.DirEntry.stat made to raise): each name one
    entry, as find lists them, a hard link's second name too."""
    top = _job_like(tmp_path / "job")
    expected = _find_entries(top)

    def refused(entry: object) -> None:
        raise AssertionError("stat'ed")

    with pytest.raises(AssertionError, match="stat'ed"):  # the control: counting bytes stats them
        monkeypatch.setattr(folder_usage, "_stat_entry", refused)
        folder_usage.measure(str(top), 20_000, 512 << 20)
    assert folder_usage.measure(str(top), 20_000, None) == folder_usage.Usage(expected, 0, "")
    assert folder_usage.measure(str(top), 10, None).over == "files"


def test_folders_nested_deeper_than_the_count_goes_stop_it(tmp_path: Path) -> None:
    """A chain of folders one deeper than MAX_DEPTH is over ("depth"): its bottom would go uncounted;
    one exactly MAX_DEPTH deep is counted whole."""
    chain = tmp_path / "ok"
    deep = chain
    for _ in range(folder_usage.MAX_DEPTH):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "bottom.bin").write_bytes(b"\1" * 8192)
    assert folder_usage.measure(str(chain), 20_000, 512 << 20) == folder_usage.Usage(
        _find_entries(chain), _du_bytes(chain), ""
    )
    (deep / "d").mkdir()
    assert folder_usage.measure(str(chain), 20_000, 512 << 20).over == "depth"


@pytest.mark.skipif(os.geteuid() != 0, reason="root makes the folder, then counts as its owner uid 65534")
def test_a_folder_its_owner_may_not_list_is_opened_up_and_counted(tmp_path: Path) -> None:
    """mkdir(mode=0o300) (write and search, no read): its owner, the worker's uid, could not list the
    files a student wrote in it; the count opens it up (the student may not chmod: seccomp) and counts
    them. Counted by that uid without root's override, in a child; control: the uid cannot list it."""
    top = Path(os.path.realpath("/tmp")) / f"usage-test-{os.getpid()}"
    top.mkdir(mode=0o700)
    try:
        (top / "hidden").mkdir()
        (top / "hidden" / "big.bin").write_bytes(b"\1" * 200_000)
        for path in (top, top / "hidden", top / "hidden" / "big.bin"):
            os.chown(path, 65534, 65534)
        (top / "hidden").chmod(0o300)
        expected = _du_bytes(top)

        def act() -> str:
            try:
                os.listdir(top / "hidden")
                control = "listed"
            except PermissionError:
                control = "refused"
            usage = folder_usage.measure(str(top), 20_000, 512 << 20)
            return f"{control} {usage.entries} {usage.bytes} {usage.over!r}"

        said = said_as_nobody(act)
        assert said == f"refused 3 {expected} ''", said
    finally:
        shutil.rmtree(top)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small file system of the test's own")
def test_the_mark_says_whether_the_disk_lost_more_than_the_limits() -> None:
    """On a disk of its own (the host's shares its changes with every other process): nothing written, not
    grown; 300 KB written, grown past 100 KB and not past 100 MB; 40 files made, grown past 20 files."""
    with small_disk(16, 1000) as disk:
        mark = folder_usage.Mark.of(str(disk))
        assert mark.grown(str(disk), 20, 100_000) == ""
        (disk / "a.bin").write_bytes(os.urandom(300_000))
        assert mark.grown(str(disk), 20_000, 100_000) == "bytes"
        assert mark.grown(str(disk), 20_000, 100 << 20) == ""
        for i in range(40):
            (disk / f"e{i}").touch()
        assert mark.grown(str(disk), 20, 100 << 20) == "files"
