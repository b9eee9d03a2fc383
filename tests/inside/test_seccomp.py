"""The seccomp allow-list: its syscall numbers, and what each role's filter refuses or lets through.

Every probe runs in a throwaway subprocess (never in the pytest process) and calls the kernel directly by
the number the installed <asm/unistd_64.h> gives (not our table), with arguments that can change nothing even
where the call is allowed: an invalid length, flag or magic number, a path that does not exist, a pipe where
a socket is expected. Without the filter (the negative control) each probe reaches the kernel and gets its own
answer (EINVAL, ENOENT, ENOTSOCK, ...); with it, EPERM.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.inside import seccomp

HEADER = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
REPO = Path(__file__).resolve().parents[2]
EPERM, EINVAL, ENOSYS = 1, 22, 38

pytestmark = pytest.mark.skipif(not seccomp.supported(), reason="no seccomp table for this architecture")


def _header_numbers() -> dict[str, int]:
    if not HEADER.exists():
        pytest.skip(f"{HEADER} is not installed (Debian package linux-libc-dev)")
    return {name: int(nr) for name, nr in re.findall(r"#define __NR_(\w+) (\d+)", HEADER.read_text())}


def test_syscall_numbers_match_the_kernel_header() -> None:
    """Every number in the x86_64 table is the one the installed kernel header gives for that name."""
    header = _header_numbers()
    table = seccomp.SYSCALL_NUMBERS["x86_64"]
    assert {name: header.get(name) for name in table} == dict(table)


def test_every_role_compiles_and_checks_the_architecture_first() -> None:
    """Each role's program starts by loading seccomp_data.arch and kills on a foreign architecture."""
    for role in seccomp.POLICIES:
        program = seccomp.compile_policy(role, "x86_64").for_pid(1234)
        assert len(program) % 8 == 0 and len(program) // 8 < 4096  # the kernel's BPF_MAXINSNS
        code, _, _, k = int.from_bytes(program[0:2], "little"), program[2], program[3], program[4:8]
        assert code == 0x20 and int.from_bytes(k, "little") == 4  # BPF_LD|BPF_W|BPF_ABS of offset 4 (arch)
        assert int.from_bytes(program[16:18], "little") == 0x06  # then RET ...
        assert int.from_bytes(program[20:24], "little") == 0x80000000  # ... SECCOMP_RET_KILL_PROCESS


def test_the_own_pid_is_a_constant_of_each_program() -> None:
    """The pid signals may target is patched in per process: two pids give two programs, same length."""
    program = seccomp.compile_policy("student", "x86_64")
    a, b = program.for_pid(1111), program.for_pid(2222)
    assert len(a) == len(b) and a != b
    assert (1111).to_bytes(4, "little") in a and (2222).to_bytes(4, "little") in b


def test_an_unknown_role_or_architecture_is_refused() -> None:
    """Compiling for a role or an architecture without a table raises ConfineError naming it."""
    with pytest.raises(seccomp.ConfineError, match="aarch64"):
        seccomp.compile_policy("student", "aarch64")
    with pytest.raises(seccomp.ConfineError, match="teacher"):
        seccomp.compile_policy("teacher", "x86_64")


DENIED_BY_ABSENCE = (
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", "shmget", "shmat", "msgget",
    "semget", "fanotify_init", "inotify_init1", "mknod", "mknodat", "reboot", "sethostname", "setdomainname",
    "syslog", "sched_setscheduler", "sched_setattr", "sched_setparam", "chmod", "fchmod", "fchmodat", "chown",
    "fchown", "fchownat", "setxattr", "fsetxattr", "mount", "umount2", "ptrace", "process_vm_readv", "keyctl",
    "bpf", "perf_event_open", "io_uring_setup", "userfaultfd", "personality", "kexec_load", "init_module",
    "swapon", "acct", "quotactl", "setuid", "setresuid", "setgroups", "capset", "unshare", "setns", "fork",
    "vfork", "execve", "prctl", "pivot_root", "chroot",
)  # fmt: skip


@pytest.mark.parametrize("role", sorted(seccomp.POLICIES))
def test_no_policy_names_a_forbidden_syscall(role: str) -> None:
    """None of the syscalls the sandbox must refuse is in any role's table (they are denied by absence)."""
    assert sorted(set(DENIED_BY_ABSENCE) & set(seccomp.POLICIES[role])) == []


PROBES = r"""
import ctypes, json, os, sys, threading
sys.path.insert(0, REPO)
from grader.inside import seccomp

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR = NUMBERS

def sc(name, *args):
    wrapped = [a if isinstance(a, (bytes, type(None), ctypes.Array)) else ctypes.c_long(a) for a in args]
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(NR[name]), *wrapped)
    return ctypes.get_errno() if r == -1 else 0

def attempt(f):
    try:
        f()
        return 0
    except OSError as e:
        return e.errno

def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)

open("mine.txt", "w").close()
r, w = os.pipe()
import socket
sp = socket.socketpair()  # made before the filter: the inherited channel
buf = ctypes.create_string_buffer(64)
BAD_TIME = (ctypes.c_long * 2)(0, 2_000_000_000)  # tv_nsec past a second: refused before any sleep
SHORT_TIME = (ctypes.c_long * 2)(0, 1000)
MAIN_TID = threading.get_native_id()


def in_thread(f):
    result = []
    t = threading.Thread(target=lambda: result.append(f()))
    t.start()
    t.join()
    return result[0]


MODE = sys.argv[1]
if MODE != "none":
    seccomp.install(MODE, os.getpid())
out = {
    # sockets: none can be made; a pipe fd tells a refused call (EPERM) from one that ran (ENOTSOCK)
    "socket": sc("socket", 1, 1, 0),
    "socketpair": sc("socketpair", 1, 1, 0, buf),
    "connect": sc("connect", r, buf, 16),
    "bind": sc("bind", r, buf, 16),
    "listen": sc("listen", r, 1),
    "accept": sc("accept", r, None, None),
    # SysV IPC: lookups of keys nobody made, a size the kernel refuses
    "shmget": sc("shmget", 0, 0, 0),
    "shmat": sc("shmat", -1, None, 0),
    "msgget": sc("msgget", 0x7E57AB1E, 0),
    "semget": sc("semget", 0x7E57AB1E, 0, 0),
    "fanotify_init": sc("fanotify_init", 0xFFFFFFFF, 0),
    "inotify_init1": sc("inotify_init1", 0xFFFFFFFF),
    "mknod": sc("mknod", b"fifo", 0o10600, 0),
    "mknodat": sc("mknodat", -100, b"fifo2", 0o10600, 0),
    # bad magic, bad lengths, bad policies: refused by the kernel after its permission check
    "reboot": sc("reboot", 0, 0, 0, None),
    "sethostname": sc("sethostname", b"x", 100000),
    "setdomainname": sc("setdomainname", b"x", 100000),
    "syslog": sc("syslog", 10, None, 0),
    "sched_setscheduler": sc("sched_setscheduler", 0, 12345, buf),
    "sched_setattr": sc("sched_setattr", 0, None, 0),
    "sched_setparam": sc("sched_setparam", 0, None),
    "chmod": sc("chmod", b"mine.txt", 0o600),
    "fchmodat": sc("fchmodat", -100, b"mine.txt", 0o600),
    "chown": sc("chown", b"mine.txt", os.getuid(), os.getgid()),
    "fchownat": sc("fchownat", -100, b"mine.txt", os.getuid(), os.getgid(), 0),
    "setxattr": sc("setxattr", b"mine.txt", b"user.x", b"1", 1, 0),
    "mount": sc("mount", b"none", b"/nonexistent-mountpoint", b"tmpfs", 0, None),
    "umount2": sc("umount2", b"/nonexistent-mountpoint", 0),
    "ptrace": sc("ptrace", 16, 0, None, None),
    "process_vm_readv": sc("process_vm_readv", os.getppid(), None, 0, None, 0, 1),
    "keyctl": sc("keyctl", 0xFFFF, 0, 0, 0, 0),
    "bpf": sc("bpf", 0xFFFF, None, 0),
    "perf_event_open": sc("perf_event_open", None, 0, -1, -1, 0),
    "io_uring_setup": sc("io_uring_setup", 0, None),
    "userfaultfd": sc("userfaultfd", 0xFFFF),
    "kexec_load": sc("kexec_load", 0, 0, None, 0xFFFFFFFF),
    "init_module": sc("init_module", None, 0, None),
    "swapon": sc("swapon", b"/nonexistent-swap", 0),
    "acct": sc("acct", b"/nonexistent-dir/acct"),
    "quotactl": sc("quotactl", 0xFFFFFFFF, None, 0, None),
    "setuid": sc("setuid", os.getuid()),
    "setresuid": sc("setresuid", -1, -1, -1),
    "capset": sc("capset", None, None),
    "unshare": sc("unshare", 0),
    "setns": sc("setns", -1, 0),
    "pivot_root": sc("pivot_root", b"/nonexistent-a", b"/nonexistent-b"),
    "chroot": sc("chroot", b"/nonexistent-root"),
    "execve": sc("execve", b"/nonexistent-program", None, None),
    "prctl": sc("prctl", 0xFFFF, 0, 0, 0, 0),
    "pipe2": sc("pipe2", buf, 0),
    "fork": attempt(fork),
    "kill_parent": attempt(lambda: os.kill(os.getppid(), 0)),
    "prlimit_parent": sc("prlimit64", os.getppid(), 7, None, buf),
    # another process seen through a call that takes a pid: whether it exists, its CPU-time clock
    # (MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)); the sleep's invalid time is EINVAL in the kernel
    "affinity_parent": sc("sched_getaffinity", os.getppid(), 64, buf),
    "cpu_clock_parent": sc("clock_gettime", ((~os.getppid()) << 3) | 2, buf),
    "cpu_clock_res_parent": sc("clock_getres", ((~os.getppid()) << 3) | 2, buf),
    "cpu_clock_sleep_parent": sc("clock_nanosleep", ((~os.getppid()) << 3) | 2, 0, BAD_TIME, None),
    "fcntl_setown": sc("fcntl", r, 8, os.getppid()),
    "ioctl_tiocsti": sc("ioctl", r, 0x5412, buf),
    "clone3": sc("clone3", None, 0),
    # rare modes of allowed calls: on a pipe (ENOTSOCK) and a NULL word (EFAULT) where they reach the kernel
    "sendto_oob": sc("sendto", r, buf, 1, 1, None, 0),
    "recvfrom_oob": sc("recvfrom", r, buf, 1, 1, None, None),
    "sendmsg_oob": sc("sendmsg", r, None, 1),
    "recvmsg_oob": sc("recvmsg", r, None, 1),
    "futex_lock_pi": sc("futex", None, 6 | 128, 0, None, None, 0),
    "futex_cmp_requeue_pi": sc("futex", None, 12, 1, None, None, 0),
    "pass_fd": attempt(lambda: (socket.send_fds(sp[1], [b"x"], [r]), socket.recv_fds(sp[0], 1, 1))),
    # allowed
    "write_own_file": attempt(lambda: open("mine.txt", "w").write("x")),
    "read_own_file": attempt(lambda: open("mine.txt").read()),
    "kill_self": attempt(lambda: os.kill(os.getpid(), 0)),
    "prlimit_self": sc("prlimit64", 0, 7, None, buf),
    "affinity_self": sc("sched_getaffinity", 0, 64, buf),
    "affinity_own_pid": sc("sched_getaffinity", os.getpid(), 64, buf),
    "monotonic_clock": sc("clock_gettime", 1, buf),
    "own_cpu_clock": sc("clock_gettime", 2, buf),  # CLOCK_PROCESS_CPUTIME_ID: time.process_time()
    "own_cpu_clock_pid0": sc("clock_getres", -6, buf),  # clock_getcpuclockid(0)
    "own_thread_clock_tid0": sc("clock_gettime", -2, buf),
    "short_sleep": sc("clock_nanosleep", 1, 0, SHORT_TIME, None),
    # the caller's CPU clocks by its own ids: clock_getcpuclockid(getpid()), and time.pthread_getcpuclockid's
    # ((~tid) << 3) | 6 of the main thread, read from another thread
    "own_cpu_clock_own_pid": sc("clock_gettime", ((~os.getpid()) << 3) | 2, buf),
    "main_thread_clock_by_tid": in_thread(lambda: sc("clock_gettime", ((~MAIN_TID) << 3) | 6, buf)),
    # a thread clock of another process, or of a pid that does not exist: the kernel's EINVAL either way
    "thread_clock_parent": sc("clock_gettime", ((~os.getppid()) << 3) | 6, buf),
    "thread_clock_no_such_pid": sc("clock_gettime", ((~4_000_000) << 3) | 6, buf),
    "fcntl_getfl": sc("fcntl", r, 3, 0),
    "import_stdlib": attempt(lambda: __import__("fractions")),
    "channel": attempt(lambda: (sp[1].send(b"x"), sp[0].recv(1))),
    # what glibc's locks use: a wake with no waiter, a private bitset wait whose word has changed (EAGAIN)
    "futex_wake": sc("futex", buf, 1 | 128, 1, None, None, 0),
    "futex_wait_changed": 0 if sc("futex", buf, 9 | 128 | 256, 7, None, None, 0xFFFFFFFF) == 11 else -1,
}
box = []
t = threading.Thread(target=lambda: box.append(1))
t.start(); t.join()
out["thread"] = 0 if box == [1] else -1
print(json.dumps(out))
"""
ALLOWED = (
    "read_own_file", "kill_self", "prlimit_self", "fcntl_getfl", "import_stdlib", "channel", "thread",
    "futex_wake", "futex_wait_changed", "affinity_self", "affinity_own_pid", "monotonic_clock",
    "own_cpu_clock", "own_cpu_clock_pid0", "own_thread_clock_tid0", "short_sleep", "own_cpu_clock_own_pid",
    "main_thread_clock_by_tid",
)  # fmt: skip
# Left to the kernel, which refuses a thread clock outside the caller's process with EINVAL, existing or not.
KERNEL_EINVAL = ("thread_clock_parent", "thread_clock_no_such_pid")
# Refused in both roles: the harness's sendmsg/recvmsg carry the flag check too.
RARE_MODES = (
    "sendto_oob", "recvfrom_oob", "sendmsg_oob", "recvmsg_oob", "futex_lock_pi", "futex_cmp_requeue_pi",
)  # fmt: skip
# Probes that only reach their kernel check as root: an ordinary user gets EPERM from the kernel itself.
ROOT_ONLY = (
    "fanotify_init", "reboot", "sethostname", "setdomainname", "mount", "umount2", "kexec_load",
    "init_module", "swapon", "acct", "quotactl", "pivot_root", "chroot", "sched_setattr", "syslog",
    "perf_event_open", "bpf", "process_vm_readv", "prlimit_parent", "kill_parent", "userfaultfd",
)  # fmt: skip


def _probe(role: str, tmp_path: Path) -> dict[str, int]:
    script = PROBES.replace("REPO", repr(str(REPO))).replace("NUMBERS", repr(_header_numbers()))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), role],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_student_filter_refuses_each_forbidden_call_with_eperm(tmp_path: Path) -> None:
    """Under the student filter every forbidden probe gets EPERM (clone3 ENOSYS, so glibc falls back)."""
    out = _probe("student", tmp_path)
    refused = {
        name: errno for name, errno in out.items() if name not in (*ALLOWED, *KERNEL_EINVAL, "write_own_file")
    }
    wanted = {name: ENOSYS if name == "clone3" else EPERM for name in refused}
    assert refused == wanted


def test_student_filter_keeps_what_the_runtime_needs(tmp_path: Path) -> None:
    """Under the student filter: own files, signals to itself, its own rlimits, threads, the inherited
    channel and imports all work."""
    out = _probe("student", tmp_path)
    assert {name: out[name] for name in (*ALLOWED, "write_own_file")} == dict.fromkeys(
        (*ALLOWED, "write_own_file"), 0
    )


@pytest.mark.parametrize("role", ["none", "student", "harness"])
def test_a_thread_clock_tells_nothing_of_another_process(role: str, tmp_path: Path) -> None:
    """A thread clock outside the caller's process is the kernel's EINVAL in every role, the same for the
    parent as for a pid that does not exist: the filter lets thread clocks through, and none tells that a
    pid exists."""
    out = _probe(role, tmp_path)
    assert {name: out[name] for name in KERNEL_EINVAL} == dict.fromkeys(KERNEL_EINVAL, EINVAL)


def test_harness_filter_reads_but_never_writes_files_and_may_pass_descriptors(tmp_path: Path) -> None:
    """The harness opens files read-only (O_WRONLY gets EPERM) and may pass a descriptor over its channel
    (SCM_RIGHTS), which the student may not."""
    out = _probe("harness", tmp_path)
    assert out["write_own_file"] == EPERM and out["read_own_file"] == 0
    assert out["pass_fd"] == 0
    assert out["socket"] == EPERM and out["fork"] == EPERM and out["thread"] == 0


def test_harness_filter_refuses_the_rare_modes_and_keeps_its_locks(tmp_path: Path) -> None:
    """The harness, too, gets EPERM for MSG_OOB on its channels and for PI futexes, and keeps glibc's."""
    out = _probe("harness", tmp_path)
    assert {name: out[name] for name in RARE_MODES} == dict.fromkeys(RARE_MODES, EPERM)
    assert out["futex_wake"] == 0 and out["futex_wait_changed"] == 0


def test_without_a_filter_every_probe_reaches_the_kernel(tmp_path: Path) -> None:
    """Negative control: unfiltered, no probe gets EPERM (run as root; as another user the probes that need
    a capability are left out, the kernel itself refuses them)."""
    out = _probe("none", tmp_path)
    skipped = set(ROOT_ONLY) if os.geteuid() != 0 else set()
    assert {name for name, errno in out.items() if errno == EPERM and name not in skipped} == set()
    assert out["socket"] == 0 and out["connect"] == 88  # ENOTSOCK: the call ran
    assert {name: out[name] for name in ("sendto_oob", "recvfrom_oob", "sendmsg_oob", "recvmsg_oob")} == (
        dict.fromkeys(("sendto_oob", "recvfrom_oob", "sendmsg_oob", "recvmsg_oob"), 88)
    )
    assert out["futex_lock_pi"] == 14 and out["futex_cmp_requeue_pi"] in (14, 22)  # EFAULT / EINVAL: they ran
