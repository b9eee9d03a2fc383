"""Confinement primitives, each exercised in a throwaway subprocess (never in the pytest process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from grader.inside import confine

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _run(body: str, tmp_path) -> dict:
    """Run in tmp_path/work; OUTSIDE names tmp_path/outside, the one place out of its own dir a script may
    try to write (the negative controls, unconfined, really write there: never the host's /tmp)."""
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    script = f"import json, os, sys\nfrom grader.inside import confine\nOUTSIDE = {str(outside)!r}\n"
    script += textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=work, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


LANDLOCK = """
confine.apply_landlock(confine.landlock_abi(), confine.runtime_read_paths(), [os.getcwd()])
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return e.errno
def write_here():
    open("here.txt", "w").write("x")
out = {
    "repo": attempt(lambda: os.listdir(REPO)),
    "etc_passwd": attempt(lambda: open("/etc/passwd").read()),
    "write_here": attempt(write_here),
    "write_outside": attempt(lambda: open(OUTSIDE + "/landlock-escape", "w")),
    "stdlib": attempt(lambda: __import__("fractions")),
    "dist_packages": attempt(lambda: os.listdir(DIST)),
}
print(json.dumps(out))
"""
DIST = "/usr/lib/python3/dist-packages"


@pytest.mark.skipif(confine.landlock_abi() == 0, reason="Landlock is not available in this kernel")
@pytest.mark.skipif(not os.path.isdir(DIST), reason=f"{DIST} does not exist here")
def test_landlock_leaves_only_runtime_and_own_dir(tmp_path) -> None:
    """Under Landlock the repo, /etc/passwd and the system's dist-packages are unreadable, /tmp unwritable;
    own dir and stdlib work."""
    out = _run(f"REPO = {REPO!r}\nDIST = {DIST!r}\n" + LANDLOCK, tmp_path)
    assert out == {"repo": 13, "etc_passwd": 13, "write_here": "ok", "write_outside": 13, "stdlib": "ok",
                   "dist_packages": 13}  # fmt: skip


def test_without_landlock_the_same_paths_are_readable(tmp_path) -> None:
    """Negative control: without the ruleset the repo and dist-packages are listed, /etc/passwd is read, a
    file is written outside the script's own dir (in the test's own folder)."""
    script = f"REPO = {REPO!r}\nDIST = {DIST!r}\n" + LANDLOCK.replace("confine.apply_landlock(", "(")
    out = _run(script, tmp_path)
    assert out["repo"] == out["etc_passwd"] == out["write_outside"] == "ok"
    assert (tmp_path / "outside" / "landlock-escape").is_file()
    assert out["dist_packages"] == ("ok" if os.path.isdir(DIST) else 2)


READ_RULES = """
reads = confine.ReadRules.open(confine.landlock_abi(), confine.runtime_read_paths())
fds = reads.fds
reads.apply([os.getcwd()])
reads.close()
def closed(fd):
    try:
        os.fstat(fd)
        return False
    except OSError:
        return True
""" + LANDLOCK.split("\n", 2)[2].replace(
    "print(json.dumps(out))",
    """
out["rules"] = len(fds) > 50 and min(fds) >= 5
out["closed"] = all(closed(fd) for fd in fds)
print(json.dumps(out))""",
)


@pytest.mark.skipif(confine.landlock_abi() == 0, reason="Landlock is not available in this kernel")
@pytest.mark.skipif(not os.path.isdir(DIST), reason=f"{DIST} does not exist here")
def test_read_rules_opened_once_make_the_same_walls(tmp_path) -> None:
    """The worker's pre-opened rules (ReadRules) give a child exactly apply_landlock's walls, from
    descriptors above the child's own 0-4, all closed afterwards."""
    out = _run(f"REPO = {REPO!r}\nDIST = {DIST!r}\n" + READ_RULES, tmp_path)
    assert out == {"repo": 13, "etc_passwd": 13, "write_here": "ok", "write_outside": 13, "stdlib": "ok",
                   "dist_packages": 13, "rules": True, "closed": True}  # fmt: skip


def test_setup_fds_keeps_only_the_standard_fds_and_what_it_is_asked_to_keep(tmp_path) -> None:
    """Every fd above the set-up pipe is closed except `keep`; a kept fd survives at its number."""
    out = _run(
        """
        import fcntl
        pipes = [os.pipe() for _ in range(4)]
        kept = fcntl.fcntl(os.open(".", os.O_PATH), fcntl.F_DUPFD, 300)
        other = fcntl.fcntl(os.open(".", os.O_PATH), fcntl.F_DUPFD, 310)
        real = fcntl.fcntl(1, fcntl.F_DUPFD, 320)  # the test's own stdout, to report through
        confine.setup_fds(*(w for _, w in pipes), keep=[kept, real])
        def is_open(fd):
            try:
                os.fstat(fd)
                return True
            except OSError:
                return False
        out = {"kept": is_open(kept), "other": is_open(other), "low": [is_open(fd) for fd in range(5)],
               "stray": [fd for fd in range(5, 1024) if fd not in (kept, real) and is_open(fd)]}
        os.write(real, (json.dumps(out) + "\\n").encode())
        """,
        tmp_path,
    )
    assert out == {"kept": True, "other": False, "low": [True] * 5, "stray": []}


def test_read_paths_hold_no_python_package_directory() -> None:
    """No path the child may read is, or contains, a site-packages or dist-packages directory: Landlock
    grants whole subtrees, so /usr/lib would have granted /usr/lib/python3/dist-packages."""
    read = [os.path.realpath(p) for p in confine.runtime_read_paths()]
    packages = ["/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages"]
    packages += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    inside = [(r, p) for r in read for p in packages if p == r or p.startswith(r.rstrip("/") + "/")]
    assert inside == []


CONFINE_MANY_RULES = """
import resource
extra = os.path.join(os.path.dirname(OUTSIDE), "extra")
os.mkdir(extra)
files = [os.path.join(extra, f"{i}.txt") for i in range(confine.NOFILE_LIMIT + 16)]
for name in files:  # rules enough to fill every descriptor below the limit, whatever the stdlib's count
    open(name, "w").close()
paths = confine.runtime_read_paths() + files
reads = confine.ReadRules.open(confine.landlock_abi(), paths)
while os.open(os.devnull, os.O_RDONLY) < confine.SETUP_FD:  # the channel and set-up pipe of a real child
    pass
caps = confine.Capabilities(landlock_abi=confine.landlock_abi(), seccomp=False, notes=())
try:
    confine.confine(caps, os.getcwd(), {"cpu_seconds": 5, "memory_mib": 512, "output_kib": 64}, reads)
except Exception as e:
    print(json.dumps({"confined": repr(e)}))
    raise SystemExit(0)
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return e.errno
print(json.dumps({"confined": True, "rules": len(reads.fds) > confine.NOFILE_LIMIT,
                  "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
                  "write_outside": attempt(lambda: open(OUTSIDE + "/escape", "w")),
                  "write_here": attempt(lambda: open("here.txt", "w").close())}))
"""


@pytest.mark.skipif(confine.landlock_abi() == 0, reason="Landlock is not available in this kernel")
def test_confine_with_more_read_rules_than_the_descriptor_limit(tmp_path) -> None:
    """A student process whose worker opened more read rules than RLIMIT_NOFILE's 64 (rlimits-unprivileged
    lists the stdlib entry by entry: some 210) still confines itself: Landlock's ruleset descriptor was
    refused (EMFILE) when the rlimits came first, and every submission was a set-up failure."""
    out = _run(CONFINE_MANY_RULES, tmp_path)
    assert out == {"confined": True, "rules": True, "nofile": confine.NOFILE_LIMIT, "write_outside": 13,
                   "write_here": "ok"}  # fmt: skip


HARNESS_MANY_RULES = """
import resource
extra = os.path.join(os.path.dirname(OUTSIDE), "extra")
os.mkdir(extra)
files = [os.path.join(extra, f"{i}.txt") for i in range(confine.HARNESS_NOFILE + 16)]
for name in files:  # read paths enough to fill every descriptor below its limit, whatever the stdlib's count
    open(name, "w").close()
paths = confine.runtime_read_paths() + files[1:]
caps = confine.Capabilities(landlock_abi=confine.landlock_abi(), seccomp=False, notes=())
try:
    confine.confine_harness(caps, paths, 512)
except Exception as e:
    print(json.dumps({"confined": repr(e)}))
    raise SystemExit(0)
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return e.errno
print(json.dumps({"confined": True, "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
                  "read_granted": attempt(lambda: open(files[-1]).close()),
                  "read_other": attempt(lambda: open(files[0]).close()),
                  "write_here": attempt(lambda: open("here.txt", "w").close())}))
"""


@pytest.mark.skipif(confine.landlock_abi() == 0, reason="Landlock is not available in this kernel")
def test_the_harness_confines_itself_with_more_read_paths_than_its_descriptor_limit(tmp_path) -> None:
    """The harness's walls hold with more read paths than its RLIMIT_NOFILE (an ordinary user without
    bubblewrap lists the stdlib entry by entry: a Python whose stdlib folder held 244 entries or more started
    no worker at all, "the harness did not start: None", when its rlimits came before Landlock). Controls: a
    granted path reads, a file beside it that was not granted does not, and nothing is written anywhere."""
    out = _run(HARNESS_MANY_RULES, tmp_path)
    assert out == {"confined": True, "nofile": confine.HARNESS_NOFILE, "read_granted": "ok", "read_other": 13,
                   "write_here": 13}  # fmt: skip


def test_rlimits_are_set(tmp_path) -> None:
    """set_rlimits puts CPU soft/hard at limit/limit+1, AS at memory_mib, CORE at 0."""
    out = _run(
        """
        import resource
        confine.set_rlimits({"cpu_seconds": 3, "memory_mib": 300, "output_kib": 4})
        print(json.dumps({n: resource.getrlimit(getattr(resource, n)) for n in ("RLIMIT_CPU", "RLIMIT_AS",
              "RLIMIT_CORE", "RLIMIT_NOFILE")}))
        """,
        tmp_path,
    )
    assert out == {"RLIMIT_CPU": [3, 4], "RLIMIT_AS": [300 << 20, 300 << 20], "RLIMIT_CORE": [0, 0],
                   "RLIMIT_NOFILE": [confine.NOFILE_LIMIT, confine.NOFILE_LIMIT]}  # fmt: skip


@pytest.mark.parametrize("bad", ["/etc/passwd", "../up.py", "a//b.py", "", "a/./b.py"])
def test_unsafe_relative_paths_are_refused_before_anything_is_written(bad: str, tmp_path) -> None:
    """File names that could leave the child's directory are refused (by the loader's own check) and
    nothing is written."""
    with pytest.raises(ValueError):
        confine.write_files(str(tmp_path), {bad: "eA=="})
    assert list(tmp_path.iterdir()) == []


def test_safe_nested_path_is_written(tmp_path) -> None:
    """Negative control: an ordinary nested path is written where it says."""
    confine.write_files(str(tmp_path), {"common/functions.py": "eA=="})
    assert (tmp_path / "common" / "functions.py").read_bytes() == b"x"


def _stdlib(tmp_path, site_packages: dict[str, bytes] | None, link: bool = False):
    stdlib = tmp_path / "python3.11"
    (stdlib / "json").mkdir(parents=True)
    (stdlib / "os.py").write_text("")
    if link:
        (tmp_path / "elsewhere").mkdir()
        (stdlib / "site-packages").symlink_to(tmp_path / "elsewhere")
    elif site_packages is not None:
        (stdlib / "site-packages").mkdir()
        for name, data in site_packages.items():
            (stdlib / "site-packages" / name).write_bytes(data)
    return stdlib


def test_a_private_view_whose_package_folders_are_masked_empty_reads_the_stdlib_by_one_rule(tmp_path) -> None:
    """Under bubblewrap and the worker's own root, site-packages is an empty tmpfs: the whole stdlib is one
    rule (the same reach, ~200 fewer landlock_add_rule calls in every student process)."""
    stdlib = _stdlib(tmp_path, {})
    assert confine._stdlib_read_paths(str(stdlib), private_view=True) == [str(stdlib)]
    # The negative control: the same tree seen without a private view (no masks: packages could be
    # installed there while the worker lives) is granted entry by entry.
    assert sorted(confine._stdlib_read_paths(str(stdlib))) == [str(stdlib / "json"), str(stdlib / "os.py")]


def test_a_masked_folder_holding_only_granted_paths_is_one_read_rule_too(tmp_path) -> None:
    """The worker's own root mounts numpy back at its path inside the masked site-packages: a path granted
    by its own rule anyway. Anything else there keeps the stdlib entry by entry."""
    stdlib = _stdlib(tmp_path, {})
    numpy = stdlib / "site-packages" / "numpy"
    numpy.mkdir()
    assert confine._stdlib_read_paths(str(stdlib), [str(numpy)], private_view=True) == [str(stdlib)]
    (stdlib / "site-packages" / "requests").mkdir()
    assert confine._stdlib_read_paths(str(stdlib), [str(numpy)], private_view=True) != [str(stdlib)]


@pytest.mark.parametrize(
    ("site_packages", "link"),
    [({"evil.py": b"x = 1"}, False), (None, True)],
    ids=["site-packages holds a package", "site-packages is a link"],
)
def test_a_stdlib_with_reachable_packages_is_granted_entry_by_entry(tmp_path, site_packages, link) -> None:
    """Where site-packages holds anything not granted anyway, or is a link that could lead anywhere, every
    entry but it is its own rule, private view or not."""
    stdlib = _stdlib(tmp_path, site_packages, link)
    expected = [str(stdlib / "json"), str(stdlib / "os.py")]
    assert sorted(confine._stdlib_read_paths(str(stdlib), private_view=True)) == expected


def test_a_package_folder_that_cannot_be_listed_keeps_the_stdlib_entry_by_entry(
    tmp_path, monkeypatch
) -> None:
    """Crossable but not listable (mode 0711): what it holds is unknown, so nothing is assumed of it."""
    stdlib = _stdlib(tmp_path, {})
    real_listdir = os.listdir

    def listdir(path):
        if str(path).endswith("site-packages"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    expected = [str(stdlib / "json"), str(stdlib / "os.py")]
    assert sorted(confine._stdlib_read_paths(str(stdlib), private_view=True)) == expected


def test_a_linked_stdlib_entry_keeps_a_rule_of_its_own_beside_the_folders(tmp_path) -> None:
    """A folder's rule does not follow a link out of it; the entry's own rule does (O_PATH opens the
    target), as it did when every entry had one."""
    stdlib = _stdlib(tmp_path, {})
    (tmp_path / "real_module.py").write_text("")
    (stdlib / "linked.py").symlink_to(tmp_path / "real_module.py")
    assert confine._stdlib_read_paths(str(stdlib), private_view=True) == [
        str(stdlib),
        str(stdlib / "linked.py"),
    ]


def test_bytecode_is_written_where_it_can_be_and_never_fails_the_set_up(tmp_path) -> None:
    """A pyc is a speed-up: one the sandbox's path check refuses, one that is not base64, one whose folder
    is a file: each is skipped (and nothing torn is left), the others are written."""
    import base64

    (tmp_path / "clash").write_text("a file where a folder would go")
    good = base64.b64encode(b"pyc bytes").decode()
    confine.write_bytecode(
        str(tmp_path),
        {
            "__pycache__/ok.cpython-311.pyc": good,
            "../outside.cpython-311.pyc": good,
            "__pycache__/garbled.cpython-311.pyc": "not base64!",
            "clash/__pycache__/m.cpython-311.pyc": good,
        },
    )
    assert (tmp_path / "__pycache__/ok.cpython-311.pyc").read_bytes() == b"pyc bytes"
    assert sorted(p.name for p in (tmp_path / "__pycache__").iterdir()) == ["ok.cpython-311.pyc"]
    assert not (tmp_path.parent / "outside.cpython-311.pyc").exists()


def test_bytecode_is_never_written_over_a_file_of_the_job(tmp_path) -> None:
    import base64

    taken = tmp_path / "__pycache__" / "m.cpython-311.pyc"
    taken.parent.mkdir()
    taken.write_bytes(b"the student's own file")
    pyc = base64.b64encode(b"pyc").decode()
    confine.write_bytecode(str(tmp_path), {"__pycache__/m.cpython-311.pyc": pyc})
    assert taken.read_bytes() == b"the student's own file"


def test_unread_sets_every_access_time_back_to_the_modification_time(tmp_path) -> None:
    """A served folder whose file and folders were read later than written (atime 5 s past mtime): after
    confine.unread of its modification times each atime equals its mtime again, sealed (0o444 / 0o555) as
    the worker leaves it."""
    common = tmp_path / "served" / "common"
    common.mkdir(parents=True)
    (common / "layers.py").write_text("# the served stand-in\n")
    paths = [tmp_path / "served", common, common / "layers.py"]
    for path in paths:
        mtime = path.stat().st_mtime_ns
        os.utime(path, ns=(mtime + 5_000_000_000, mtime))
    confine.seal(str(tmp_path / "served"))
    times = confine.modification_times(str(tmp_path / "served"))
    assert sorted(path for path, _ in times) == sorted(map(str, paths))
    assert all(p.stat().st_atime_ns > p.stat().st_mtime_ns for p in paths)  # the bit a reader leaves
    confine.unread(times)
    assert [p.stat().st_atime_ns for p in paths] == [p.stat().st_mtime_ns for p in paths]
