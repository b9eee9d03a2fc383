"""grader/inside/scratch.py: the worker's private directories, made without tempfile."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from inside_helpers.as_nobody import said_as_nobody

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

    def act() -> str:
        os.stat(top / "served" / "common" / "layers.py")  # reachable: the control's first half
        try:
            os.unlink(top / "served" / "common" / "layers.py")
            control = "writable"
        except PermissionError:
            control = "read-only"
        return f"{control} {scratch.remove(str(top))}"

    answer = said_as_nobody(act)
    left = os.path.lexists(top)
    if left:
        scratch.remove(str(top))
    assert answer == "read-only True" and not left, (answer, left)


# In a mount namespace of its own (the worker's stand-in): two folders, each a tmpfs of its own; the first
# fills its own with files, the second's first file reads its number; then the removals, a plain removal of a
# mounted folder (the control: it must fail, the mount left in place) and a flood past MAX_INODES.
MOUNTED_SCRIPT = """
import errno, os, sys
from grader.inside import folder_mounts, libc, scratch
libc.call("unshare", 0x00020000)
libc.call("mount", b"none", b"/", None, 16384 | (1 << 18), None)  # private: nothing reaches the host
parent = sys.argv[1]
def first_file(folder, extra):
    for n in range(extra):
        open(os.path.join(folder, f"f{n}"), "w").close()
    open(os.path.join(folder, "mine"), "w").close()
    return os.stat(os.path.join(folder, "mine")).st_ino
a = folder_mounts.make_mounted(parent, "job-", 1 << 20)
b_ = folder_mounts.make_mounted(parent, "job-", 1 << 20)
inos = (first_file(a, 700), first_file(b_, 0))
mode = oct(os.stat(a).st_mode & 0o777)
plain_removal = scratch.remove(b_)  # not let go: the tmpfs stays, so the folder does
still = os.path.ismount(b_)
flood = 0
try:
    while True:
        open(os.path.join(a, f"x{flood}"), "w").close()
        flood += 1
except OSError as err:
    full = err.errno == errno.ENOSPC
removed = (folder_mounts.remove(a), folder_mounts.remove(b_))
print(repr((inos, mode, plain_removal, still, full, flood + 701 + 1 <= scratch.MAX_INODES, removed,
            os.listdir(parent))))
"""


def _python(script: str, *args: str) -> object:
    """What `script` prints (a Python literal), run by a fresh interpreter that imports this grader."""
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )
    assert out.returncode == 0, out.stderr
    return ast.literal_eval(out.stdout)


@pytest.mark.skipif(os.geteuid() != 0, reason="a mount namespace of its own needs CAP_SYS_ADMIN")
def test_a_mounted_folder_numbers_its_inodes_alone_is_bounded_and_let_go(tmp_path: Path) -> None:
    """Each make_mounted folder is a tmpfs of its own: the second's first file reads 2 however many files the
    first made (on one shared file system it read 700 more: docs/SANDBOX.md "The inode counter"); it is its
    owner's alone; it holds at most MAX_INODES files and directories (ENOSPC past that); folder_mounts.remove
    lets it go and removes it, while a plain remove leaves a mounted folder (and says so)."""
    said = _python(MOUNTED_SCRIPT, str(tmp_path))
    assert isinstance(said, tuple)
    inos, mode, plain_removal, still, full, bounded, removed, left = said
    assert inos == (702, 2)
    assert mode == "0o700"
    assert plain_removal is False and still is True
    assert full and bounded
    assert removed == (True, True) and left == []


@pytest.mark.skipif(os.geteuid() != 0, reason="the control drops from root to nobody")
def test_without_cap_sys_admin_can_mount_says_no_and_leaves_no_probe() -> None:
    """can_mount, as a dropped worker (nobody, no capability): False, and the probe's folder removed again;
    as root in a mount namespace of its own: True, nothing left either; and never for a size of 0 bytes,
    which tmpfs would read as no limit (a scratch whose statvfs says 0 blocks). Dropped to nobody, then in a
    user and a mount namespace of its own, as a rlimits worker would mount: the mount succeeds, but with its
    ids unmapped tmpfs refuses every file (EOVERFLOW), so False (it said True before it made a file); with
    its own ids mapped to themselves, True."""
    script = (
        "import os, sys\nfrom grader.inside import folder_mounts, libc\n"
        "if sys.argv[2] != 'root':\n"
        "    os.setgroups([]); os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)\n"
        "if sys.argv[2].startswith('userns'):  # a rlimits worker's own user namespace (own_user_namespace)\n"
        "    libc.prctl(4, 1)  # dumpable again (the drop cleared it): else /proc/self/*_map are root's\n"
        "    libc.call('unshare', 0x10000000)\n"
        "    if sys.argv[2] == 'userns-mapped':  # its own ids mapped to themselves, as `unshare -r` does\n"
        "        for name in ('setgroups', 'uid_map', 'gid_map'):\n"
        "            with open(f'/proc/self/{name}', 'w') as f:\n"
        "                f.write('deny' if name == 'setgroups' else '65534 65534 1')\n"
        "if sys.argv[2] != 'nobody':\n"
        "    libc.call('unshare', 0x00020000)\n"
        "    libc.call('mount', b'none', b'/', None, 16384 | (1 << 18), None)\n"
        "unlimited = folder_mounts.can_mount(sys.argv[1], 0)\n"
        "print(repr((folder_mounts.can_mount(sys.argv[1], 1 << 20), unlimited, os.listdir(sys.argv[1]))))\n"
    )
    shared = Path(tempfile.mkdtemp(prefix="can-mount-", dir="/tmp"))  # pytest's tmp_path is root's alone
    shared.chmod(0o777)
    said = {who: _python(script, str(shared), who) for who in ("nobody", "root", "userns", "userns-mapped")}
    shared.rmdir()
    assert said == {
        "nobody": (False, False, []),
        "root": (True, False, []),
        "userns": (False, False, []),
        "userns-mapped": (True, False, []),
    }
