"""The worker's privilege drop, checked from outside: this test process reads the worker's and its child's
/proc entries itself instead of trusting what the worker reports. Run as root in CI, where it matters."""

from __future__ import annotations

import ast
import base64
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from inside_helpers.small_disk import is_small_disk, small_disk

from grader.inside import folder_mounts, own_root, pid_namespace, read_only_view
from grader.inside.privileges import CAP_SETS, NOBODY, Privileges, parse_status, unmet
from grader.inside.scratch import MAX_INODES
from grader.sandbox.layout import SANDBOX_UIDS, SCRATCH_ENV, UID_ENV, host_layout, python_argv, worker_env
from grader.sandbox.pool import SandboxPool

FAKE_RUNNER = Path(__file__).resolve().parents[1] / "sandbox" / "fake_runner.py"
CONTAINER_LIKE = Path(__file__).with_name("container_like.py")
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="the privilege drop happens only when run as root")


class Worker:
    """A worker started as the pool starts it (its scratch, pylib/, work/), driven over its pipes; `wrapper`
    runs before it (container_like.py)."""

    def __init__(
        self,
        request: str,
        wrapper: tuple[str, ...] = (),
        scratch_mib: str = "512",
        uid: str | None = None,
        numpy_at: Path | None = None,
    ) -> None:
        layout = host_layout()
        self.scratch = Path(SandboxPool._make_scratch())
        for link in (self.scratch / "pylib").iterdir() if numpy_at else ():  # numpy and numpy.libs
            link.unlink()
            link.symlink_to(numpy_at / link.name)
        # As the pool does: a root worker's folder is its uid's (65534's where none is given), work-UID/.
        own = None if os.geteuid() != 0 else int(uid) if uid and uid.isdigit() else NOBODY
        pylib, self.work = self.scratch / "pylib", Path(SandboxPool._worker_dir(str(self.scratch), own))
        runtime, runner = str(layout.inside_dir), str(FAKE_RUNNER)
        argv = [*wrapper, *python_argv(layout.python, runtime, str(pylib), str(self.work), runner)]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**worker_env(request), SCRATCH_ENV: scratch_mib, **({} if uid is None else {UID_ENV: uid})},
            cwd=self.work,
        )
        self.ready = json.loads(self.blob())

    def blob(self) -> bytes:
        assert self.proc.stdout is not None
        (n,) = struct.unpack(">I", self.proc.stdout.read(4))
        return self.proc.stdout.read(n)

    def send(self, solution: str) -> tuple[dict, bytes, bytes, bytes]:
        """One job of one phase: the phase's meta (with the job's), the frames, its stdout and stderr."""
        student = {
            "files": {"solution.py": base64.b64encode(solution.encode()).decode()},
            "support_files": {},
        }
        harness = {
            "phases": [{"name": "visible", "cases": [{"id": "c1", "steps": [{"do": "record", "key": "v"}]}]}]
        }
        header = {"job_id": "j", "limits": {"wall_seconds": 10}, "phases": 1}
        assert self.proc.stdin is not None
        for part in (header, student, harness):
            data = json.dumps(part).encode()
            self.proc.stdin.write(struct.pack(">I", len(data)) + data)
        self.proc.stdin.flush()
        meta = json.loads(self.blob())
        frames = self.blob()
        outputs = [(self.blob(), self.blob()) for _ in meta["phases"]]
        (phase,) = meta["phases"]
        return {**meta, **phase}, frames, outputs[0][0], outputs[0][1]

    def status(self, pid: int | None = None) -> dict[str, str]:
        return parse_status(Path(f"/proc/{pid or self.proc.pid}/status").read_text())

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


@pytest.fixture
def start() -> Iterator[object]:
    workers: list[Worker] = []

    def _start(
        request: str,
        wrapper: tuple[str, ...] = (),
        scratch_mib: str = "512",
        uid: str | None = None,
        numpy_at: Path | None = None,
    ) -> Worker:
        workers.append(Worker(request, wrapper, scratch_mib, uid, numpy_at))
        return workers[-1]

    yield _start
    for w in workers:
        w.close()


def _ids(value: str) -> set[int]:
    return {int(x) for x in value.split()}


@root_only
def test_dropped_worker_status_as_the_kernel_shows_it(start) -> None:
    """A root-started rlimits worker is uid/gid 65534 (real, effective, saved, fs), in no group, with no
    capability but CAP_SYS_ADMIN (effective and permitted; the bounding set empty), and that one only in a
    user namespace of its own, made after the drop (its student processes' PID namespaces:
    pid_namespace.py), and no_new_privs, read from its /proc/PID/status. (What it proved before entering
    that namespace, every set empty, is `privileges.establish`'s read-back.)"""
    worker = start("rlimits")
    assert worker.ready["ready"] is True, worker.ready
    status = worker.status()
    assert _ids(status["Uid"]) == _ids(status["Gid"]) == {NOBODY}
    assert status["Groups"] == ""
    sys_admin = 1 << 21
    expected = {**dict.fromkeys(CAP_SETS, 0), "CapEff": sys_admin, "CapPrm": sys_admin}
    assert {name: int(status[name], 16) for name in CAP_SETS} == expected
    assert os.readlink(f"/proc/{worker.proc.pid}/ns/user") != os.readlink("/proc/self/ns/user")
    assert worker.ready["privileges"]["capabilities"] == dict.fromkeys(CAP_SETS, f"{0:016x}")
    assert status["NoNewPrivs"] == "1"
    assert worker.ready["privileges"]["isolation"] == "rlimits-root-dropped"
    # The control of the container-like test's note: here a PID namespace can be made, and nothing is said
    assert worker.ready["pid_namespaces"] is True
    assert pid_namespace.UNAVAILABLE not in worker.ready["capabilities"]["notes"]


@root_only
def test_dropped_worker_left_the_hosts_namespaces_and_root(start) -> None:
    """The dropped worker's IPC, UTS, network and mount namespaces differ from this process's; its root holds
    the system, the interpreter and the runtime, but no /home, no repo fixtures, no /proc."""
    worker = start("rlimits")
    pid = worker.proc.pid
    for ns in ("ipc", "uts", "net", "mnt"):
        assert os.readlink(f"/proc/{pid}/ns/{ns}") != os.readlink(f"/proc/self/ns/{ns}"), ns
    root = Path(f"/proc/{pid}/root")
    repo = Path(__file__).resolve().parents[2]
    seen = {p.name for p in root.iterdir()}
    assert "usr" in seen and "proc" not in seen and "home" not in seen
    assert (root / str(host_layout().inside_dir).lstrip("/") / "worker.py").is_file()
    assert not (root / str(repo).lstrip("/") / "fixtures").exists()
    assert not (root / str(repo).lstrip("/") / "reference").exists()


@root_only
def test_dropped_worker_scratch_is_a_private_capped_tmpfs(start) -> None:
    """The worker's job directory is a tmpfs of 512 MiB owned by 65534 in its own mount namespace; on the
    host the same path stays empty."""
    worker = start("rlimits")
    mounts = Path(f"/proc/{worker.proc.pid}/mountinfo").read_text().splitlines()
    line = next(m for m in mounts if m.split()[4] == str(worker.work))
    assert " - tmpfs " in line and "size=524288k" in line and "uid=65534" in line and "mode=700" in line
    assert list(worker.work.iterdir()) == []
    assert worker.ready["privileges"]["scratch_quota_mib"] == 512


@root_only
def test_the_pool_sizes_the_dropped_workers_scratch(start) -> None:
    """A pool asking for a 64 MiB scratch gets a 64 MiB tmpfs, and the worker reports that size."""
    worker = start("rlimits", scratch_mib="64")
    mounts = Path(f"/proc/{worker.proc.pid}/mountinfo").read_text().splitlines()
    line = next(m for m in mounts if m.split()[4] == str(worker.work))
    assert "size=65536k" in line, line
    assert worker.ready["privileges"]["scratch_quota_mib"] == 64


FILE_FLOOD = """\
import os, signal, time
made = 0
try:
    while made < {wanted}:
        os.close(os.open("f%d" % made, os.O_CREAT | os.O_WRONLY, 0o600))
        made += 1
except OSError:
    pass
print(made, flush=True)
time.sleep(3)  # time enough for the worker to look at its scratch
def run_case(c):
    return {{"v": 1}}
"""


@root_only
def test_the_dropped_workers_scratch_holds_a_bounded_number_of_files(start) -> None:
    """The private tmpfs takes at most MAX_INODES files and directories (nr_inodes): neither its size nor
    RLIMIT_AS counts an empty file, and each pins kernel memory; a process that fills it is stopped and
    flagged. Negative control: 500 files are made and graded as usual."""
    worker = start("rlimits", scratch_mib="64")
    mounts = Path(f"/proc/{worker.proc.pid}/mountinfo").read_text().splitlines()
    line = next(m for m in mounts if m.split()[4] == str(worker.work))
    assert f"nr_inodes={MAX_INODES}" in line, line
    meta, frames, out, _ = worker.send(FILE_FLOOD.format(wanted=MAX_INODES * 3))
    assert meta["files_exceeded"] is True and meta["signal"] == signal.SIGKILL, meta
    assert 0 < int(out) < MAX_INODES, out  # the file system refused the rest (ENOSPC)
    assert meta["scratch_ok"] is True  # and the worker removed them all after the job
    meta, frames, out, _ = worker.send(FILE_FLOOD.format(wanted=500).replace("time.sleep(3)", "pass"))
    assert meta["files_exceeded"] is False and meta["signal"] is None and b'"type":"done"' in frames, meta
    assert int(out) == 500


@pytest.mark.parametrize("size", ["8", "0x40", "-1", "64.5", "", str(1 << 30)])
def test_a_scratch_size_out_of_range_is_refused(start, size: str) -> None:
    """A size that is not a whole number of MiB from 16 to 1 TiB: the worker refuses to start and says why."""
    worker = start("rlimits", scratch_mib=size)
    assert worker.ready["ready"] is False and worker.ready["refused"] is True
    assert "GRADER_SCRATCH_MIB" in worker.ready["error"] and "16 to 1048576 MiB" in worker.ready["error"]


OUT_OF_BLOCK = ["0", "1000", "65533", "65535", str(SANDBOX_UIDS[-1] + 1), "0x70000000", "-1", ""]


@pytest.mark.parametrize("uid", OUT_OF_BLOCK)
def test_a_sandbox_uid_out_of_the_block_is_refused(start, uid: str) -> None:
    """Only 65534 or a uid from 65,536 to the end of the pool's block (a user namespace's free block lies
    there: grader/sandbox/uid_block.py): a root worker told to drop to root, or to a uid of the 16-bit range
    where system and login users live, refuses to start and says why."""
    worker = start("rlimits", uid=uid)
    assert worker.ready["ready"] is False and worker.ready["refused"] is True
    assert UID_ENV in worker.ready["error"] and "65534 or 65536 to 1879113727" in worker.ready["error"]


@root_only
def test_a_root_worker_drops_to_the_uid_the_pool_gave_it(start) -> None:
    """Read from outside: every Uid field the block's uid the pool named, every Gid field 65534; its scratch
    is that uid's, and its child, running a job there, is that uid too."""
    uid = SANDBOX_UIDS[12345]
    worker = start("rlimits", uid=str(uid))
    assert worker.ready["ready"] is True, worker.ready
    status = worker.status()
    assert _ids(status["Uid"]) == {uid} and _ids(status["Gid"]) == {NOBODY}, status
    # CAP_SYS_ADMIN only, in a user namespace of its own (pid_namespace.py); nothing in its bounding set
    assert (int(status["CapEff"], 16), int(status["CapBnd"], 16)) == (1 << 21, 0)
    solution = (
        "import time\nopen('mine.txt', 'w').write('x')\n"
        "def run_case(c):\n    time.sleep(1.5)\n    return {'v': 1}\n"
    )
    meta, seen = _child_status(worker, solution)
    assert meta["setup_ok"] is True and seen, meta
    # Read from outside: inside, its worker's user namespace of its own (privileges.own_user_namespace) maps
    # these same two ids to themselves and no other.
    assert _ids(seen["Uid"]) == {uid} and _ids(seen["Gid"]) == {NOBODY}, seen


FIRST_FILE = """
import os
for n in range({extra}):
    open("f%d" % n, "w").close()
open("mine", "w").close()
print(os.stat("mine").st_ino, flush=True)
def run_case(c):
    return {{"v": 1}}
"""


def _first_inode_numbers(worker: Any) -> list[int]:
    """The inode number of the first file of its own each of three jobs in turn made, the second after 700
    others."""
    firsts = []
    for extra in (0, 700, 0):
        meta, _, out, _ = worker.send(FIRST_FILE.format(extra=extra))
        assert meta["exit_code"] == 0 and meta["scratch_ok"] is True, meta
        firsts.append(int(out))
    return firsts


@root_only
def test_each_student_process_of_a_dropped_worker_numbers_its_inodes_alone(start) -> None:
    """The root fallback mounts each student process's folder as a tmpfs of its own, as under bubblewrap
    (folder_mounts.own_mount_namespace, in the worker's user namespace of its own): after a job that made 700
    files, the next one's first file reads the same number as the job's before that, which its own few
    files set. On the worker's one shared scratch (the mount skipped) each read more than the one before."""
    worker = start("rlimits")
    assert folder_mounts.NOT_MOUNTED not in worker.ready["capabilities"]["notes"], worker.ready
    firsts = _first_inode_numbers(worker)
    assert firsts[0] == firsts[2] < 50 and firsts[1] == firsts[0] + 700, firsts


@root_only
def test_the_child_running_student_code_is_dropped_and_filtered(start) -> None:
    """While a job runs, its child (found from outside as the worker's child) is uid 65534 with no
    capabilities, no_new_privs and a seccomp filter."""
    worker = start("rlimits")
    meta, seen = _child_status(
        worker, "import time\ndef run_case(c):\n    time.sleep(1.5)\n    return {'v': 1}\n"
    )
    assert meta["exit_code"] == 0 and seen, "the child was never seen running under its filter"
    assert _ids(seen["Uid"]) == {NOBODY} and seen["NoNewPrivs"] == "1"
    # No capability in any set: it drops the CAP_SYS_ADMIN its worker keeps (bounding set already empty).
    assert all(int(seen[name], 16) == 0 for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")), seen
    assert seen["NSpid"].split()[-1] == "2", seen  # pid 2 of a PID namespace of its own (its init is 1)


def _child_status(worker: Any, solution: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The job's meta, and the /proc status of its student process read from outside while it runs (found
    as a child of the worker running under its seccomp filter), with its mount table (`mountinfo`) and this
    process's at the same moment (`host_mountinfo`)."""
    seen: dict[str, str] = {}

    def watch() -> None:
        deadline = time.monotonic() + 10
        children = Path(f"/proc/{worker.proc.pid}/task/{worker.proc.pid}/children")
        while time.monotonic() < deadline and not seen:
            for pid in children.read_text().split():
                if int(pid) == worker.ready["harness_pid"]:
                    continue  # the harness is filtered too; the student process is the one to check
                status = worker.status(int(pid))
                if status.get("Seccomp") == "2":
                    mounts = {"mountinfo": Path(f"/proc/{pid}/mountinfo").read_text()}
                    seen.update(status, **mounts, host_mountinfo=Path("/proc/self/mountinfo").read_text())
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    meta, _, _, _ = worker.send(solution)
    watcher.join()
    return meta, seen


@root_only
def test_isolation_none_child_keeps_uid_0(start) -> None:
    """Control: with isolation none nothing is dropped: run as root, the child reports uid 0 and the worker
    keeps its capabilities."""
    worker = start("none")
    assert worker.ready["privileges"]["isolation"] == "none"
    assert int(worker.status()["CapEff"], 16) != 0
    solution = "import os\nprint('uid', os.getuid())\ndef run_case(c):\n    return {'v': 1}\n"
    _, frames, out, _ = worker.send(solution)
    assert out == b"uid 0\n" and b'"type":"done"' in frames


@root_only
def test_a_root_worker_that_did_not_drop_is_refused(start) -> None:
    """A worker told it runs under bwrap but started as root (the drop did not happen) refuses to start,
    flagged `refused` so that the parent says why instead of reporting a crash."""
    worker = start("bwrap")
    assert worker.ready["ready"] is False and worker.ready["refused"] is True
    assert "runs as uid 0" in worker.ready["error"]


def test_an_unknown_isolation_request_is_refused(start) -> None:
    """A worker asked for an isolation it does not know refuses to start and names the valid ones."""
    worker = start("docker")
    assert worker.ready["ready"] is False and worker.ready["refused"] is True
    assert "'docker'" in worker.ready["error"] and "bwrap, rlimits, none" in worker.ready["error"]


def _privileges(isolation: str, uid: int, caps: int, **kw: object) -> Privileges:
    return Privileges(
        isolation=isolation,
        uid=(uid,) * 4,
        gid=(uid,) * 4,
        groups=(),
        capabilities=dict.fromkeys(CAP_SETS, caps),
        no_new_privs=True,
        **kw,  # type: ignore[arg-type]
    )


def test_requirements_name_each_unmet_field() -> None:
    """A "dropped" worker still uid 0 with a full bounding set is told uid, gid and every capability set;
    a real drop meets every requirement (the negative control)."""
    problems = unmet(_privileges("rlimits-root-dropped", 0, 0x1FF))
    assert problems[:2] == ["uid is 0 0 0 0 (expected 65534)", "gid is 0 0 0 0 (expected 65534)"]
    assert {p.split()[0] for p in problems[2:]} == set(CAP_SETS)
    assert unmet(_privileges("rlimits-root-dropped", NOBODY, 0)) == []


def test_unprivileged_needs_no_bounding_set_drop_but_no_effective_capability() -> None:
    """An ordinary user keeps a full bounding set (only root could drop it) but no effective capability."""
    plain = _privileges("rlimits-unprivileged", 1000, 0)
    full_bounding = Privileges(**{**plain.__dict__, "capabilities": {**plain.capabilities, "CapBnd": 0x1FF}})
    assert unmet(full_bounding) == []
    with_eff = Privileges(**{**plain.__dict__, "capabilities": {**plain.capabilities, "CapEff": 0x1}})
    assert unmet(with_eff) == ["CapEff is 0000000000000001 (expected 0)"]
    assert unmet(_privileges("none", 0, 0x1FF)) == []


def _container_like(
    readable: bool, as_user: int | None = None, namespaces_allowed: bool = False
) -> tuple[str, ...]:
    flags = ("--world-readable-python",) if readable else ()
    user = ("--as-user", str(as_user)) if as_user is not None else ()
    allowed = ("--namespaces-allowed",) if namespaces_allowed else ()
    return (sys.executable, str(CONTAINER_LIKE), *flags, *user, *allowed, "--")


PROBE = """
import os
def _denied(f):
    try:
        f()
    except OSError:
        return True
    return False
def run_case(c):
    hidden = _denied(lambda: os.listdir(REPO)) and _denied(lambda: os.listdir("/"))
    return {"v": os.getuid() == UID and hidden}
"""


@root_only
@pytest.mark.parametrize("uid", [NOBODY, SANDBOX_UIDS[3]], ids=["65534", "the pool's"])
def test_without_namespaces_the_drop_still_holds(start, uid: int) -> None:
    """In a root container that refuses namespaces (emulated: container_like.py), the worker still drops to
    uid 65534, or the uid the pool gave it, with no capabilities, says it has no private root, and its child
    is held by Landlock, writing its files in the worker's own folder (work-UID/ for the pool's uid)."""
    worker = start("rlimits", _container_like(readable=True), uid=None if uid == NOBODY else str(uid))
    assert worker.ready["ready"] is True, worker.ready
    privileges = worker.ready["privileges"]
    assert privileges["isolation"] == "rlimits-root-dropped"
    achieved = (privileges["namespaces"], privileges["private_root"], privileges["scratch_quota_mib"])
    # the pool's quota, held by the worker's count of each folder (..._one_student_fills_no_disk)
    assert achieved == ([], False, 512)
    assert any("no mount namespace" in note for note in privileges["notes"])
    # what that leaves open said too (before: "Landlock's alone", no word of the stat of any host path)
    assert _says_stat_is_open(privileges["notes"]), privileges["notes"]
    # No PID namespace either (unshare refused): said, and the jobs still run (pid_namespace.UNAVAILABLE)
    assert worker.ready["pid_namespaces"] is False
    assert pid_namespace.UNAVAILABLE in worker.ready["capabilities"]["notes"], worker.ready["capabilities"]
    # nor a folder of its own for each student process: said too (its inode counter is the scratch's)
    assert folder_mounts.NOT_MOUNTED in worker.ready["capabilities"]["notes"], worker.ready["capabilities"]
    status = worker.status()
    assert _ids(status["Uid"]) == {uid} and int(status["CapEff"], 16) == int(status["CapBnd"], 16) == 0
    repo = str(Path(__file__).resolve().parents[2])
    meta, frames, _, stderr = worker.send(f"REPO = {repo!r}\nUID = {uid}\n" + PROBE)
    assert meta["exit_code"] == 0, stderr
    assert b'"v":true' in frames.replace(b" ", b""), frames


# Student A of test_without_namespaces_one_student_fills_no_disk: files (16 MiB each, RLIMIT_FSIZE's) or
# empty files until the disk refuses one, then says so on stdout (a pipe: no disk needed to say it).
DISK_FILLER = """
import os
def run_case(c):
    made = 0
    try:
        while True:
            if KIND == "bytes":
                with open("fill-%d" % made, "wb") as f:
                    for _ in range(16):
                        f.write(b"\\1" * (1 << 20))
            else:
                open("e%d" % made, "w").close()
            made += 1
    except OSError as err:
        print("HOSTILE-BREACH: the disk is full (%s) after %d" % (err, made), flush=True)
    return {"v": made}
"""
# Student B: what an honest job writes (a saved array of 4 MiB), read back.
DISK_USER = """
import numpy as np
def run_case(c):
    np.save("weights.npy", np.ones(1 << 19))
    return {"v": float(np.load("weights.npy").sum())}
"""


@root_only
@pytest.mark.parametrize(
    ("kind", "flag", "as_user"),
    [
        ("bytes", "bytes_exceeded", None),
        ("files", "files_exceeded", None),
        ("bytes", "bytes_exceeded", NOBODY),
    ],
    ids=["root, bytes", "root, files", "ordinary user, bytes"],
)
def test_without_namespaces_one_student_fills_no_disk(
    start, monkeypatch: pytest.MonkeyPatch, kind: str, flag: str, as_user: int | None
) -> None:
    """In a root container that refuses namespaces (container_like.py) the scratch is a folder of the host's
    disk (here a tmpfs of the test's own, 128 MiB and 30,000 files, standing for it) with no file system of
    its own: student A wrote 16 MiB files, or empty files, until the disk was full (on main: the breach on
    its stdout, every byte or file of the disk taken, the other lane's student and the reports left none).
    Now its worker counts its folder against the pool's quota (16 MiB here) and scratch.MAX_INODES and stops
    it (output_limit's flags) long before the disk is full, and student B, next on the same worker, saves
    and loads its array as it does alone. The same for an ordinary user where user namespaces are refused
    (rlimits-unprivileged, emulated as uid 65534)."""
    with small_disk(128, 30_000) as disk:
        monkeypatch.setattr(tempfile, "tempdir", str(disk))
        worker = start("rlimits", _container_like(readable=True, as_user=as_user), scratch_mib="16")
        assert worker.ready["ready"] is True, worker.ready
        assert worker.ready["privileges"]["private_root"] is False  # the host's disk: no tmpfs of its own
        meta, _, stdout, stderr = worker.send(f"KIND = {kind!r}\n" + DISK_FILLER)
        assert b"HOSTILE-BREACH" not in stdout, stdout
        assert meta[flag] and meta["signal"] == signal.SIGKILL, (meta, stderr)
        assert meta["scratch_ok"] is True
        alone, frames, _, stderr = worker.send(DISK_USER)
        assert alone["exit_code"] == 0, stderr
        assert b'"v":{"shape":[],"data":[524288.0]}' in frames.replace(b" ", b""), frames
        assert not any(disk.glob("*/work-*/worker-*/*")), "a job's folder was left behind"


@root_only
@pytest.mark.skipif(
    all(os.stat(p).st_mode & 0o001 for p in Path(sys.base_prefix).resolve().parents),
    reason="the interpreter is readable by every user here",
)
def test_without_namespaces_an_interpreter_nobody_can_read_is_refused(start) -> None:
    """Without namespaces and with the interpreter under a directory other users cannot enter (/root here),
    the dropped worker cannot read its runtime: it refuses, naming the path."""
    worker = start("rlimits", _container_like(readable=False))
    assert worker.ready["ready"] is False and worker.ready["refused"] is True
    error = worker.ready["error"]
    assert "uid 65534 cannot read" in error and "readable by every user" in error


@pytest.fixture
def closed_folder() -> Iterator[Path]:
    """A folder only root may enter (mkdtemp's mode 700), as tox's .tox/ is, or /root."""
    folder = Path(tempfile.mkdtemp(prefix="grader-closed-"))
    yield folder
    shutil.rmtree(folder)


@root_only
@pytest.mark.parametrize("how", ["installed there", "linked through it"])
def test_without_namespaces_a_numpy_nobody_can_reach_is_refused_naming_its_folder(
    start, closed_folder: Path, how: str
) -> None:
    """In a root container that refuses namespaces (container_like.py), numpy installed in a folder other
    users cannot enter (tox's venv, .tox/ mode 700; a venv under /root), or reached through a link in one: the
    dropped worker refuses, naming the folder, its mode and what to change. Before: its check read pylib/,
    whose links to numpy it never followed, and it failed later with "No module named 'numpy'", told as a
    fault of the grader (exit 1): all 13 tests of this file that emulate it were skipped under tox."""
    layout = host_layout()
    binds: list[str] = []
    for real in filter(None, (layout.numpy_dir, layout.numpy_libs)):
        if how == "installed there":
            (closed_folder / real.name).mkdir()
            binds += ["--bind", str(real), str(closed_folder / real.name)]
        else:
            (closed_folder / real.name).symlink_to(real)
    wrapper = (sys.executable, str(CONTAINER_LIKE), "--world-readable-python", *binds, "--")
    worker = start("rlimits", wrapper, numpy_at=closed_folder)
    assert worker.ready["ready"] is False and worker.ready["refused"] is True, worker.ready
    error = worker.ready["error"]
    assert f"uid {NOBODY} cannot read " in error and "readable by every user" in error, error
    assert f"may not enter {closed_folder} (mode 700)" in error, error
    assert f"chmod o+x {closed_folder}" in error, error


@root_only
def test_an_ordinary_user_gets_rlimits_unprivileged_and_landlock_holds(start) -> None:
    """Started by an ordinary user (emulated: uid 65534 from the start, the interpreter made readable), the
    worker drops nothing, says rlimits-unprivileged, has no effective capability, and its child still cannot
    list the repo (world-readable: only Landlock stops it). Namespaces are refused there: its notes say that
    no PID namespace and no folder of its own can be had."""
    worker = start("rlimits", _container_like(readable=True, as_user=NOBODY))
    assert worker.ready["ready"] is True, worker.ready
    privileges = worker.ready["privileges"]
    assert privileges["isolation"] == "rlimits-unprivileged" and privileges["no_new_privs"] is True
    assert int(privileges["capabilities"]["CapEff"], 16) == 0
    assert worker.ready["pid_namespaces"] is False  # unshare refused there too
    assert pid_namespace.UNAVAILABLE in worker.ready["capabilities"]["notes"]
    # nor a private root (own_root.py): said, a student process may stat any path of the host
    assert privileges["private_root"] is False
    unrooted = own_root.NO_PRIVATE_ROOT.format("no user namespace of the worker's own")
    assert unrooted in worker.ready["capabilities"]["notes"], worker.ready["capabilities"]
    # nor a folder of its own for each student process: said too; the worker's count holds the pool's quota
    assert folder_mounts.NOT_MOUNTED in worker.ready["capabilities"]["notes"]
    assert privileges["scratch_quota_mib"] == 512
    repo = Path(__file__).resolve().parents[2]
    assert repo.stat().st_mode & 0o005 == 0o005  # the control: file permissions would let uid 65534 in
    meta, frames, _, stderr = worker.send(f"REPO = {str(repo)!r}\nUID = {NOBODY}\n" + PROBE)
    assert meta["exit_code"] == 0, stderr
    assert b'"v":true' in frames.replace(b" ", b""), frames


# A file of the repo (a folder of its path is in a private root too: the runtime's parent, made to bind it)
STAT_PROBE = """
import os
def run_case(c):
    try:
        os.stat(os.path.join(REPO, "submissions", "hostile", "expected.json"))
        seen = 1
    except OSError:
        seen = 0
    return {"v": [os.getpid(), seen]}
"""


PROC_SELF_PROBE = """
import os
def run_case(c):
    try:
        named = os.readlink("/proc/self")
    except OSError:
        named = None
    return {"v": [os.getpid(), named is None]}
"""


@root_only
def test_an_ordinary_user_where_namespaces_are_allowed_hides_proc_from_its_child(start) -> None:
    """Started by an ordinary user on a machine that allows user namespaces (a student's laptop; emulated:
    uid 65534 from the start, the interpreter made readable, nothing refused), the worker says
    rlimits-unprivileged with PID namespaces and no note, and its child is pid 2 whose /proc/self names
    nothing: the host's /proc named its pid in the host's namespace, a counter of every process the machine
    started, which an earlier student moves for the next (sample proc_self_pid_counter.py read 2752, the bit
    an earlier run left, as such a user before the fix; the child read its pid there, as under bubblewrap
    before proc_view.hide)."""
    worker = start("rlimits", _container_like(readable=True, as_user=NOBODY, namespaces_allowed=True))
    assert worker.ready["ready"] is True, worker.ready
    assert worker.ready["privileges"]["isolation"] == "rlimits-unprivileged"
    assert worker.ready["pid_namespaces"] is True
    assert worker.ready["capabilities"]["notes"] == [], worker.ready["capabilities"]
    meta, frames, _, stderr = worker.send(PROC_SELF_PROBE)
    assert meta["exit_code"] == 0, stderr
    assert b'"v":{"shape":[2],"data":[2.0,1.0]}' in frames.replace(b" ", b""), frames


# Whether the student process's folder is on the file system of the folder holding it (no tmpfs of its own)
SAME_DEVICE = """
import os
def run_case(c):
    return {"v": int(os.stat(".").st_dev == os.stat("..").st_dev)}
"""


@root_only
def test_without_a_private_root_no_folder_is_a_tmpfs_the_size_of_the_hosts_disk(start) -> None:
    """Root with namespaces but no private root (emulated: pivot_root refused, container_like.py): the
    scratch is a folder of the host's disk, and each student process's folder stays on it. Review32: the
    worker mounted each one as a tmpfs of the disk's size (size=252 GiB on this 23 GiB machine), memory a
    student could fill 16 MiB a file; the control is the private root's own tmpfs a folder
    (test_each_student_process_of_a_dropped_worker_numbers_its_inodes_alone)."""
    wrapper = (sys.executable, str(CONTAINER_LIKE), "--world-readable-python", "--pivot-root-refused", "--")
    worker = start("rlimits", wrapper)
    assert worker.ready["ready"] is True, worker.ready
    privileges = worker.ready["privileges"]
    assert privileges["isolation"] == "rlimits-root-dropped" and privileges["private_root"] is False
    assert "mnt" in privileges["namespaces"], privileges
    # said, as wherever no folder of its own is had (before fixinode: mounted nothing, and said nothing)
    assert folder_mounts.NOT_MOUNTED in worker.ready["capabilities"]["notes"], worker.ready["capabilities"]
    meta, frames, _, stderr = worker.send(SAME_DEVICE)
    assert meta["exit_code"] == 0 and meta["scratch_ok"] is True, stderr
    assert b'"v":{"shape":[],"data":[1.0]}' in frames.replace(b" ", b""), frames
    mounted = Path(f"/proc/{worker.proc.pid}/mountinfo").read_text()
    assert " - tmpfs " not in "".join(line for line in mounted.splitlines(True) if "/job-" in line)


def _says_stat_is_open(notes: list[str]) -> bool:
    """Whether one of `notes` is own_root.NO_PRIVATE_ROOT's: a student process may stat any host path."""
    before, after = own_root.NO_PRIVATE_ROOT.split("{}")
    return any(note.startswith(before) and note.endswith(after) for note in notes)


@root_only
def test_the_root_fallback_without_a_private_root_says_a_host_path_may_be_stat(start) -> None:
    """Root with namespaces but pivot_root refused (container_like.py): its child, uid 65534, stats a file of
    the repo (Landlock guards no stat), and the worker's notes say so as an ordinary user's do
    (own_root.NO_PRIVATE_ROOT; before: "the child's view of the file system is Landlock's alone", no word of
    it)."""
    wrapper = (sys.executable, str(CONTAINER_LIKE), "--world-readable-python", "--pivot-root-refused", "--")
    worker = start("rlimits", wrapper)
    assert worker.ready["ready"] is True, worker.ready
    privileges = worker.ready["privileges"]
    assert privileges["isolation"] == "rlimits-root-dropped" and privileges["private_root"] is False
    assert _says_stat_is_open(privileges["notes"]), privileges["notes"]
    assert "pivot_root" in " ".join(privileges["notes"]), privileges["notes"]
    repo = str(Path(__file__).resolve().parents[2])
    meta, frames, _, stderr = worker.send(f"REPO = {repo!r}\n" + STAT_PROBE)
    assert meta["exit_code"] == 0, stderr
    assert b'"v":{"shape":[2],"data":[2.0,1.0]}' in frames.replace(b" ", b""), frames


def _unread_stdlib_file() -> tuple[Path, bool]:
    """The stdlib's this.py (nothing imports it) with its access time set back to its modification time, the
    state a read moves on this host's relatime disk, and whether a read moves it here: not on a disk mounted
    noatime, nor where this user may not set it back (not root), and then only the read-only bind is shown."""
    unread = Path(os.path.dirname(os.__file__)) / "this.py"
    if not os.access(unread, os.W_OK):
        return unread, False
    mtime = unread.stat().st_mtime_ns
    os.utime(unread, ns=(mtime, mtime))
    unread.read_bytes()
    moves = unread.stat().st_atime_ns != mtime  # the control: this process's own read moves it
    os.utime(unread, ns=(mtime, mtime))
    return unread, moves


def _read_only_at(mountinfo: str, path: str) -> bool:
    """Whether the mount `path` is on in this table (the top one of the longest mount point above it) is
    read-only: the kernel moves no access time there, whatever the disk's own mount options."""
    above = [line.split() for line in mountinfo.splitlines()]
    above = [m for m in above if path == m[4] or path.startswith(m[4].rstrip("/") + "/")]
    longest = max(len(m[4]) for m in above)
    options = [m[5] for m in above if len(m[4]) == longest][-1]
    return "ro" in options.split(",")


def _mount_points(mountinfo: str) -> set[str]:
    return {line.split()[4] for line in mountinfo.splitlines()}


def _host_mount_points() -> set[str]:
    """The host's mount points but the small disks other tests mount meanwhile (CI: the other xdist worker's
    test_without_namespaces_one_student_fills_no_disk came and went during this test's run)."""
    return {p for p in _mount_points(Path("/proc/1/mountinfo").read_text()) if not is_small_disk(p)}


@root_only
def test_the_root_fallback_without_a_private_root_moves_no_access_time_of_the_runtime(start) -> None:
    """Root with namespaces but pivot_root refused (container_like.py): a student process's read of a stdlib
    file leaves its access time where it was, because the worker binds the runtime read-only in its own
    mount namespace (read_only_view.bind_read_only), as an ordinary user's worker does. (Before: bound in
    rlimits-unprivileged only; the read moved it past its modification time, a bit the next student's
    process could stat: docs/SANDBOX.md, "Access times".) The binds are the worker's alone: the stdlib's
    folder is a mount point in the worker's table, in neither the host's (/proc/1) nor this process's, and
    the mount its files are on there is read-only: what the claim rests on, shown on a host whose disk
    moves no access time (noatime) too, where the read itself could not fail the test."""
    unread, moves = _unread_stdlib_file()
    stdlib = os.path.realpath(os.path.dirname(os.__file__))
    host_before = _host_mount_points()
    wrapper = (sys.executable, str(CONTAINER_LIKE), "--world-readable-python", "--pivot-root-refused", "--")
    worker = start("rlimits", wrapper)
    assert worker.ready["ready"] is True, worker.ready
    privileges = worker.ready["privileges"]
    assert privileges["isolation"] == "rlimits-root-dropped" and privileges["private_root"] is False
    meta, _, _, stderr = worker.send(RUNTIME_READ)
    assert meta["exit_code"] == 0, stderr
    table = Path(f"/proc/{worker.proc.pid}/mountinfo").read_text()
    assert stdlib in _mount_points(table) and _read_only_at(table, str(unread)), table
    if moves:
        assert unread.stat().st_atime_ns == unread.stat().st_mtime_ns
    for table in (Path("/proc/1/mountinfo"), Path("/proc/self/mountinfo")):
        assert stdlib not in _mount_points(table.read_text()), table
    assert _host_mount_points() == host_before


@root_only
def test_the_root_fallback_without_a_mount_namespace_says_the_runtime_is_not_read_only(start) -> None:
    """In a root container that refuses namespaces (container_like.py), no read-only bind of the runtime can
    be had: the worker's notes, which every report carries, say that a read moves the access times a later
    student's process can stat (read_only_view.NOT_READ_ONLY; before: no word of it)."""
    worker = start("rlimits", _container_like(readable=True))
    assert worker.ready["ready"] is True, worker.ready
    assert worker.ready["privileges"]["private_root"] is False
    before, after = read_only_view.NOT_READ_ONLY.split("{}")
    notes = worker.ready["capabilities"]["notes"]
    assert any(note.startswith(before) and note.endswith(after) for note in notes), notes


def _ordinary_users_worker(start: Any, scratch_mib: str) -> tuple[Any, int]:
    """A worker started by an ordinary user where user namespaces are allowed, and that user's uid: the test's
    own user when it runs as one; as root, emulated (uid 65534 from the start, the interpreter made readable,
    nothing refused: container_like.py)."""
    if os.geteuid() != 0:
        return start("rlimits", scratch_mib=scratch_mib), os.geteuid()
    wrapper = _container_like(readable=True, as_user=NOBODY, namespaces_allowed=True)
    return start("rlimits", wrapper, scratch_mib), NOBODY


FOLDER_PROBE = """
import errno, os, time
written = 0
try:
    while written < 64:
        with open("fill%d" % written, "wb") as f:
            f.write(bytes(1 << 20))
        written += 1
except OSError as err:
    written = (written, errno.errorcode[err.errno])
print(repr((written, os.getuid(), os.getcwd())), flush=True)
time.sleep(1.5)  # time enough to be read from outside
def run_case(c):
    return {"v": 1}
"""


def test_an_ordinary_users_student_process_gets_a_folder_of_its_own_of_the_pools_size(start) -> None:
    """rlimits-unprivileged, where user namespaces are allowed: each student process's folder is a tmpfs of
    its own (folder_mounts.make_mounted, in the mount namespace of the worker's user namespace of its own,
    which maps the worker's own ids to themselves and no other), of the pool's scratch size (16 MiB: a 1 MiB
    file past it is refused, ENOSPC) and at most MAX_INODES files, seen in the student process's mount table
    and not in this process's; the student process is that user, with no capability in any set, its
    bounding set included. (Before: a folder of the host's disk, where 64 files of 1 MiB were written, the
    scratch quota unused.) Its worker has the root fallback's private root (own_root.py)."""
    worker, uid = _ordinary_users_worker(start, scratch_mib="16")
    assert worker.ready["privileges"]["isolation"] == "rlimits-unprivileged", worker.ready
    assert worker.ready["capabilities"]["notes"] == [], worker.ready["capabilities"]
    assert worker.ready["privileges"]["scratch_quota_mib"] == 16
    assert worker.ready["privileges"]["private_root"] is True
    assert worker.ready["privileges"]["namespaces"] == ["user", "mnt"]  # before session 34: [], untrue
    assert Path(f"/proc/{worker.proc.pid}/uid_map").read_text().split() == [str(uid), str(uid), "1"]
    meta, seen = _child_status(worker, FOLDER_PROBE)
    assert meta["exit_code"] == 0 and meta["scratch_ok"] is True and seen, meta
    assert all(int(seen[name], 16) == 0 for name in CAP_SETS), seen
    assert _ids(seen["Uid"]) == {uid} and seen["NoNewPrivs"] == "1" and seen["NSpid"].split()[-1] == "2", seen
    work = str(worker.work)
    mounts = [line.split() for line in seen["mountinfo"].splitlines()]
    # Its worker's private root (own_root.py: a tmpfs at /, its scratch a tmpfs of the pool's size), and
    # below the scratch the student process's folder.
    assert [m[4] for m in mounts if m[4] == "/" and "tmpfs" in m], seen["mountinfo"]
    mounted = [" ".join(m) for m in mounts if m[4].startswith(work + "/")]
    assert len(mounted) == 1 and " - tmpfs " in mounted[0], seen["mountinfo"]
    assert "size=16384k" in mounted[0] and f"nr_inodes={MAX_INODES}" in mounted[0], mounted
    assert work not in seen["host_mountinfo"]  # in the worker's namespace alone
    for _ in range(2):  # each job's folder as large and as empty as the first
        meta, _, out, _ = worker.send(FOLDER_PROBE)
        assert meta["exit_code"] == 0 and meta["scratch_ok"] is True, meta
        written, inside_uid, folder = ast.literal_eval(out.decode())
        assert 12 <= written[0] < 16 and written[1] == "ENOSPC" and inside_uid == uid, out
        assert Path(folder).parent.parent == worker.work, out


def test_each_student_process_of_an_ordinary_users_worker_numbers_its_inodes_alone(start) -> None:
    """rlimits-unprivileged, where user namespaces are allowed: after a job that made 700 files, the next
    one's first file reads the same number as the job's before that, as in the root fallback (its folder a
    tmpfs of its own). On a scratch that numbers inodes in turn (the host's /tmp where it is a tmpfs) each
    read more than the one before; on a disk file system, whatever that one hands out."""
    worker, _ = _ordinary_users_worker(start, scratch_mib="64")
    firsts = _first_inode_numbers(worker)
    assert firsts[0] == firsts[2] < 50 and firsts[1] == firsts[0] + 700, firsts


# Reads a stdlib file that nothing imports, as a student's process may (Landlock grants the stdlib).
RUNTIME_READ = """
import os
with open(os.path.join(os.path.dirname(os.__file__), "this.py"), "rb") as f:
    f.read()
def run_case(c):
    return {"v": 1}
"""


def test_an_ordinary_users_student_process_cannot_stat_a_file_of_the_repo(start) -> None:
    """rlimits-unprivileged where user namespaces are allowed (as root: emulated, container_like.py): in its
    worker's private root (own_root.py) a student process's stat of a file of the repo, which holds every
    fixture and submission, is ENOENT. The control is the refused path's child, which stats it
    (test_an_ordinary_user_whose_private_root_is_refused_says_so_and_still_grades); tests/hostile/
    test_host_stat.py shows the same only when run as an ordinary user."""
    worker, _ = _ordinary_users_worker(start, scratch_mib="16")
    assert worker.ready["privileges"]["private_root"] is True, worker.ready
    repo = str(Path(__file__).resolve().parents[2])
    meta, frames, _, stderr = worker.send(f"REPO = {repo!r}\n" + STAT_PROBE)
    assert meta["exit_code"] == 0, stderr
    assert b'"v":{"shape":[2],"data":[2.0,0.0]}' in frames.replace(b" ", b""), frames


def test_an_ordinary_users_student_process_moves_no_access_time_of_the_runtime(start) -> None:
    """rlimits-unprivileged, where user namespaces are allowed: a student process's read of a stdlib file
    leaves its access time where it was, because the worker binds the runtime read-only in its own mount
    namespace (read_only_view.bind_read_only). On the host's relatime disk a read moved it past its
    modification time, a bit every later student's process could stat (docs/SANDBOX.md, "Access times").
    The control: the same read by this process moves it. The mount the file is on in the worker's table is
    read-only: shown where the read cannot move it anyway (a disk mounted noatime; a user who may not set the
    access time back), where the read alone could not fail the test."""
    unread, moves = _unread_stdlib_file()
    mtime = unread.stat().st_mtime_ns
    worker, _ = _ordinary_users_worker(start, scratch_mib="16")
    assert worker.ready["privileges"]["isolation"] == "rlimits-unprivileged", worker.ready
    meta, _, _, stderr = worker.send(RUNTIME_READ)
    assert meta["exit_code"] == 0, stderr
    table = Path(f"/proc/{worker.proc.pid}/mountinfo").read_text()
    assert _read_only_at(table, str(unread)), table
    if moves:
        assert unread.stat().st_atime_ns == mtime


@root_only
def test_an_ordinary_user_whose_private_root_is_refused_says_so_and_still_grades(start) -> None:
    """An ordinary user where user namespaces are allowed but pivot_root is refused (emulated:
    container_like.py --pivot-root-refused --as-user): own_root.enter's refused path, run by no other test.
    The worker still starts, rlimits-unprivileged without a private root, and says so
    (own_root.NO_PRIVATE_ROOT) in the notes a report carries; its child is pid 2 of its own namespace and
    stats a host file (one of the repo: what the note says it may), which in the private root it cannot
    (test_an_ordinary_users_student_process_cannot_stat_a_file_of_the_repo)."""
    wrapper = (sys.executable, str(CONTAINER_LIKE), "--world-readable-python", "--pivot-root-refused")
    worker = start("rlimits", (*wrapper, "--as-user", str(NOBODY), "--"))
    assert worker.ready["ready"] is True, worker.ready
    privileges = worker.ready["privileges"]
    assert privileges["isolation"] == "rlimits-unprivileged" and privileges["private_root"] is False
    assert privileges["namespaces"] == ["user", "mnt"]  # proc_view.hide's mount namespace
    assert worker.ready["pid_namespaces"] is True
    notes = worker.ready["capabilities"]["notes"]
    refused = [note for note in notes if _says_stat_is_open([note])]
    assert len(refused) == 1 and "pivot_root" in refused[0], notes
    repo = str(Path(__file__).resolve().parents[2])
    meta, frames, _, stderr = worker.send(f"REPO = {repo!r}\n" + STAT_PROBE)
    assert meta["exit_code"] == 0, stderr
    assert b'"v":{"shape":[2],"data":[2.0,1.0]}' in frames.replace(b" ", b""), frames


def test_own_root_says_no_private_root_where_proc_cannot_be_opened(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """own_root.enter opened /proc outside its try: a host without /proc (or one it may not open) crashed the
    worker's start instead of going on without a private root, which its notes say (own_root.NO_PRIVATE_ROOT).
    The unshare is stubbed: this test process keeps its own mount namespace."""
    monkeypatch.setattr(own_root, "call", lambda *args: 0)

    def no_proc(path: str, *args: object) -> int:
        raise FileNotFoundError(2, "No such file or directory", path)

    monkeypatch.setattr(own_root.os, "open", no_proc)
    note = own_root.enter([], "/nonexistent-scratch", 16)
    assert note is not None and _says_stat_is_open([note]) and "/proc" in note, note
