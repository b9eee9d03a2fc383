"""Who the worker runs as: the privilege drop of the fallback mode run as root, and the proof read back.

The worker calls `establish()` once at start-up, before it imports numpy or the runner. What happens depends
on the isolation the parent asked for (the GRADER_ISOLATION variable of the worker's environment, removed at
once so no child inherits it) and on who the worker is:

- `rlimits`, run as root: leave the mount, IPC, UTS, network and cgroup namespaces the kernel allows; build
  a private root (rootfs.py) with a size-capped scratch where a mount namespace was had; then no
  supplementary groups, gid 65534 and the uid the pool gave this worker (GRADER_SANDBOX_UID, one of
  rootfs.SANDBOX_UIDS or of a free block of a user namespace's map, each worker its own; 65534 without one
  or where no block is mapped), every capability out of the bounding, ambient, inheritable, permitted and
  effective sets, no_new_privs. Achieved: `rlimits-root-dropped`.
  Where a container refuses namespaces (Docker's default profile does), Landlock must be available instead
  and that uid must be able to read the runtime and write the scratch.
- `rlimits`, run by an ordinary user: nothing to drop; Landlock and seccomp must both be available, since
  the child would otherwise act with every right of the grader's own user. Achieved: `rlimits-unprivileged`
  (where user namespaces are allowed, worker.main then builds the root fallback's private root in a mount
  namespace of its user namespace of its own, its scratch a tmpfs of the scratch quota: own_root.py; its
  scratch quota sizes each student process's folder, a tmpfs of its own where one can be had; else its
  scratch is a folder of the host's disk).
- `bwrap`: bubblewrap already made the worker uid 65534 with no capability but CAP_SYS_ADMIN in its innermost
  user namespace (for the student processes' PID namespaces: pid_namespace.py); the worker keeps that one,
  effective and permitted only, and that is checked.

In the rlimits modes the worker then takes the same position for the PID namespaces (`own_user_namespace`,
called by pid_namespace.start once this was checked): a user namespace of its own, where it keeps
CAP_SYS_ADMIN alone; that namespace owns nothing but the PID namespaces made from it.
- `none` (trusted code only): nothing is changed or required.

Whatever was asked, the result is read back from /proc/self/status and compared with what was required;
any difference raises `PrivilegeError` and the worker reports `{"ready": false}`: the parent refuses to grade.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import own_root, rootfs, seccomp
from .libc import ConfineError, call, checked, prctl, syscall

ISOLATION_ENV = "GRADER_ISOLATION"
SCRATCH_ENV = "GRADER_SCRATCH_MIB"  # the pool's scratch quota (grader/sandbox/layout.py sets it)
SCRATCH_MIB_RANGE = (16, 1 << 20)
UID_ENV = "GRADER_SANDBOX_UID"  # the uid a root worker drops to (grader/sandbox/layout.py sets it)
REQUESTS = ("bwrap", "rlimits", "none")
NOBODY = rootfs.SANDBOX_ID
CAP_SETS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
# Left by the worker itself when it was root (a PID namespace is no use to a fork server: its first child
# would become the namespace's init, and every later fork would fail once that child exits).
NAMESPACES = {
    "mnt": 0x00020000,
    "ipc": 0x08000000,
    "uts": 0x04000000,
    "net": 0x40000000,
    "cgroup": 0x02000000,
}

_PR_SET_KEEPCAPS, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT = 8, 24, 38, 47
_PR_SET_DUMPABLE = 4
# /proc, opened by `establish` as root before the private root hides it; `own_user_namespace` uses and
# closes it (O_PATH, close-on-exec; nothing is forked in between, and every child closes it anyway).
_proc_fd: int | None = None
_CLONE_NEWUSER = 0x10000000
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_LL_CREATE_RULESET, _LL_CREATE_RULESET_VERSION = 444, 1
SYS_ADMIN = 1 << 21  # CAP_SYS_ADMIN's bit: all a bwrap worker may hold (_keep_sys_admin_only)


class PrivilegeError(ConfineError):
    """The confinement asked for cannot be had here: the worker must not start."""


@dataclass(frozen=True)
class Privileges:
    """What the worker achieved, as the kernel reports it (sent to the parent in the `ready` message)."""

    isolation: str
    uid: tuple[int, ...]
    gid: tuple[int, ...]
    groups: tuple[int, ...]
    capabilities: Mapping[str, int]
    no_new_privs: bool
    namespaces: tuple[str, ...] = ()
    private_root: bool = False
    # The pool's scratch size where the worker keeps to it: the private root's scratch, each student process's
    # folder where one can be mounted, or what the worker lets a student process's folder on the host's disk
    # hold (worker.main, folder_usage.py); None where nothing does (isolation none).
    scratch_quota_mib: int | None = None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "isolation": self.isolation,
            "uid": list(self.uid),
            "gid": list(self.gid),
            "groups": list(self.groups),
            "capabilities": {name: f"{value:016x}" for name, value in self.capabilities.items()},
            "no_new_privs": self.no_new_privs,
            "namespaces": list(self.namespaces),
            "private_root": self.private_root,
            "scratch_quota_mib": self.scratch_quota_mib,
            "notes": list(self.notes),
        }


def parse_status(text: str) -> dict[str, str]:
    """/proc/<pid>/status as a dict of field -> raw value."""
    fields = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def _read_back(status_fd: int, isolation: str, **achieved: object) -> Privileges:
    os.lseek(status_fd, 0, os.SEEK_SET)
    fields = parse_status(os.read(status_fd, 1 << 16).decode())
    return Privileges(
        isolation=isolation,
        uid=tuple(int(x) for x in fields["Uid"].split()),
        gid=tuple(int(x) for x in fields["Gid"].split()),
        groups=tuple(int(x) for x in fields.get("Groups", "").split()),
        capabilities={name: int(fields[name], 16) for name in CAP_SETS},
        no_new_privs=fields.get("NoNewPrivs") == "1",
        **achieved,  # type: ignore[arg-type]
    )


def requirements(isolation: str, uid: int = NOBODY) -> dict[str, object]:
    """What must hold, field by field, for each achieved isolation (`None`: any value but 0); `uid` is the
    one a root worker was asked to drop to."""
    unprivileged: dict[str, object] = {
        "uid": None,
        "CapEff": 0,
        "CapPrm": 0,
        "CapAmb": 0,
        "no_new_privs": True,
    }
    return {
        "rlimits-root-dropped": {
            "uid": uid, "gid": NOBODY, "groups": (), **dict.fromkeys(CAP_SETS, 0), "no_new_privs": True,
        },
        "rlimits-unprivileged": unprivileged,
        # CAP_SYS_ADMIN in bubblewrap's innermost user namespace, or nothing (_keep_sys_admin_only)
        "bwrap": {**unprivileged, "CapEff": (0, SYS_ADMIN), "CapPrm": (0, SYS_ADMIN), "CapInh": 0},
        "none": {},
    }[isolation]  # fmt: skip


def unmet(p: Privileges, uid: int = NOBODY) -> list[str]:
    """Every requirement of `p.isolation` that `p` does not meet, in words (`uid`: the one asked for)."""
    problems = []
    for name, wanted in requirements(p.isolation, uid).items():
        if name in ("uid", "gid"):
            ids: tuple[int, ...] = getattr(p, name)
            ok = all(i != 0 for i in ids) if wanted is None else all(i == wanted for i in ids)
            shown = " ".join(map(str, ids))
            expected = "not 0" if wanted is None else str(wanted)
        elif name == "groups":
            ok, shown, expected = p.groups == (), " ".join(map(str, p.groups)), "none"
        elif name == "no_new_privs":
            ok, shown, expected = p.no_new_privs, str(p.no_new_privs), "True"
        else:
            allowed = wanted if isinstance(wanted, tuple) else (wanted,)
            ok, shown = p.capabilities[name] in allowed, f"{p.capabilities[name]:016x}"
            expected = " or ".join(f"{a:016x}" if a else "0" for a in allowed)
        if not ok:
            problems.append(f"{name} is {shown or '(empty)'} (expected {expected})")
    return problems


def _unshare_namespaces() -> tuple[str, ...]:
    done = []
    for name, flag in NAMESPACES.items():
        try:
            call("unshare", flag)
        except ConfineError:
            continue  # refused (a container without CAP_SYS_ADMIN) or unknown: reported by its absence
        done.append(name)
    if "uts" in done:
        call("sethostname", b"sandbox", 7)  # this namespace's own name, as under bwrap
    return tuple(done)


def _capset(kept: int = 0) -> None:
    """Effective and permitted: `kept` (a bit mask of capabilities); inheritable: none."""
    header = struct.pack("=Ii", _LINUX_CAPABILITY_VERSION_3, 0)
    low, high = kept & 0xFFFFFFFF, kept >> 32
    call(
        "capset", header, struct.pack("=6I", low, low, 0, high, high, 0)
    )  # effective, permitted, inheritable


def _capset_all_zero() -> None:
    _capset(0)


def drop_capabilities() -> None:
    """Every capability out of every set this process may clear, in a process forked by a worker that holds
    one (CAP_SYS_ADMIN: bubblewrap's, or in the worker's user namespace of its own): the harness, every init
    and every student process (pid_namespace.py). The bounding set only where CAP_SETPCAP allows it (the
    first refusal ends the loop: EPERM without it, EINVAL past the last capability); with no_new_privs and
    no exec it grants nothing."""
    with contextlib.suppress(ConfineError):
        for cap in range(64):
            prctl(_PR_CAPBSET_DROP, cap)
    prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    _capset_all_zero()


def _capget() -> tuple[int, int, int]:
    """This process's effective, permitted and inheritable sets, from the kernel (no /proc needed)."""
    header = struct.pack("=Ii", _LINUX_CAPABILITY_VERSION_3, 0)
    data = ctypes.create_string_buffer(24)
    checked("capget", ctypes.CDLL(None, use_errno=True).capget(header, data))
    eff_lo, prm_lo, inh_lo, eff_hi, prm_hi, inh_hi = struct.unpack("=6I", data.raw)
    return eff_lo | eff_hi << 32, prm_lo | prm_hi << 32, inh_lo | inh_hi << 32


def own_user_namespace() -> None:
    """rlimits modes: the worker (single-threaded, dropped already) enters a user namespace of its own and
    keeps CAP_SYS_ADMIN alone there, effective and permitted, with an empty bounding set (so every process it
    forks, once it dropped that one, holds nothing in any set); checked with capget.
    That namespace owns no network, IPC or UTS namespace (all made before it, by root or not at all): its
    capability reaches only the PID namespaces made from it (pid_namespace.py) and the mount namespace the
    worker makes next, where it mounts its student processes' folders: folder_mounts.own_mount_namespace's
    (a private root: the root fallback's, or own_root.enter's for an ordinary user) or proc_view.hide's
    (rlimits-unprivileged without one). The worker's own uid and gid,
    mapped to themselves there alone (`_map_own_ids`), are the only ids a tmpfs accepts. Raises ConfineError
    where user namespaces are refused."""
    global _proc_fd
    proc, _proc_fd = _proc_fd, None
    ids = os.geteuid(), os.getegid()  # the kernel's: once in the new namespace, they read 65534
    try:
        call("unshare", _CLONE_NEWUSER)
        try:
            if proc is not None:
                _map_own_ids(proc, *ids)
            for cap in range(64):  # a new user namespace gives every capability, the bounding set's included
                with contextlib.suppress(ConfineError):  # EINVAL past the kernel's last capability
                    prctl(_PR_CAPBSET_DROP, cap)  # CAP_SYS_ADMIN too: the bounding set limits execve only
            prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
            _capset(SYS_ADMIN)
            if _capget() != (SYS_ADMIN, SYS_ADMIN, 0):
                raise PrivilegeError(f"a user namespace of the worker's own kept capabilities {_capget()}")
        except BaseException:
            # No way back out of the namespace: the caller goes on without PID namespaces, holding nothing
            # here.
            with contextlib.suppress(ConfineError):
                _capset_all_zero()
            raise
    finally:
        if proc is not None:
            os.close(proc)


def _map_own_ids(proc: int, uid: int, gid: int) -> None:
    """In the user namespace just made (every capability held there still): the worker's own uid and gid
    mapped to themselves, as `unshare -r` maps them (one line each, its own ids: what the kernel lets an
    ordinary user write too), through `proc` (the /proc `establish` kept: the private root has none). A
    tmpfs mounted in a mount namespace of this user namespace refuses every new file to ids it does not map
    (EOVERFLOW, measured): each student process's folder needs them (folder_mounts.make_mounted,
    docs/SANDBOX.md "The inode counter"). /proc/self/*_map are root's while the worker is not dumpable, so it
    is dumpable for these three writes alone (single-threaded, nothing forked yet). A refusal leaves the ids
    unmapped: `folder_mounts.can_mount` then says no, and the worker's ready message carries NOT_MOUNTED."""
    try:
        prctl(_PR_SET_DUMPABLE, 1)
        for name, text in (
            ("setgroups", "deny"),
            ("uid_map", f"{uid} {uid} 1"),
            ("gid_map", f"{gid} {gid} 1"),
        ):
            fd = os.open(f"self/{name}", os.O_WRONLY | os.O_CLOEXEC, dir_fd=proc)
            try:
                os.write(fd, text.encode())
            finally:
                os.close(fd)
    except (ConfineError, OSError):
        pass
    finally:
        prctl(_PR_SET_DUMPABLE, 0)


def _keep_sys_admin_only(status_fd: int) -> None:
    """bwrap: of what bubblewrap gave (`--cap-add CAP_SYS_ADMIN`), the worker keeps CAP_SYS_ADMIN alone,
    effective and permitted, in bubblewrap's innermost user namespace (which owns nothing but what is made
    from it): its PID namespace maker makes, and it joins, each student process's PID namespace
    (pid_namespace.py)."""
    prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    _capset(_read_back(status_fd, "bwrap").capabilities["CapPrm"] & SYS_ADMIN)


def _drop_to_nobody(last_cap: int, uid: int) -> None:
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    for cap in range(last_cap + 1):
        prctl(_PR_CAPBSET_DROP, cap)
    prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    prctl(_PR_SET_KEEPCAPS, 0)
    os.setresuid(uid, uid, uid)  # clears the permitted and effective sets (no keep-caps)
    _capset_all_zero()  # and the inheritable one
    prctl(_PR_SET_NO_NEW_PRIVS, 1)


def _require_walls(isolation: str, need_landlock: bool) -> None:
    if not seccomp.supported():
        raise PrivilegeError(
            f"no seccomp allow-list for this architecture ({os.uname().machine}; only x86_64 has one), "
            f"so isolation {isolation} cannot stop forks, signals and sockets"
        )
    if need_landlock and syscall(_LL_CREATE_RULESET, None, 0, 1) <= 0:
        who = "this user" if isolation == "rlimits-unprivileged" else "the sandbox's uid with no private root"
        raise PrivilegeError(
            f"Landlock is unavailable in this kernel: a child run as {who} could read the fixtures and "
            "other submissions like any file of the host"
        )


def _runtime(paths: Iterable[str]) -> dict[str, str]:
    """`paths` and the links in them (pylib/numpy, pylib/numpy.libs), each with where it really is, found
    while root may follow them all: pylib/ itself is readable wherever numpy is."""
    found = {}
    for path in paths:
        found[path] = os.path.realpath(path)
        if os.path.isdir(path):
            for entry in sorted(os.listdir(path)):
                linked = os.path.join(path, entry)
                if os.path.islink(linked):
                    found[linked] = os.path.realpath(linked)
    return found


def _closed_folder(*paths: str) -> str | None:
    """The first folder above or at one of `paths` this process may not enter (the one to open up)."""
    for path in paths:
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            folder = "/" + "/".join(parts[:i])
            if os.path.isdir(folder) and not os.access(folder, os.X_OK):
                return folder
    return None


def _unreadable(path: str, real: str, err: OSError, uid: int) -> str:
    """What `uid` cannot read (where it really is), why, and what to change: the folder that shuts it out,
    found on the real path or on the link's own way there, or else where to install."""
    closed = _closed_folder(real, os.path.realpath(path))
    where = ""
    if closed is not None:
        with contextlib.suppress(OSError):
            where = f"; other users may not enter {closed} (mode {os.stat(closed).st_mode & 0o777:o})"
    change = f"let every user enter {closed} (chmod o+x {closed}) or " if closed else ""
    named = path if real == path else f"{path}, a link to {real}"
    return (
        f"uid {uid} cannot read {named} ({err.strerror}{where}): with no private root to rebuild its view, "
        "the interpreter, numpy and the grader's runtime must be readable by every user: "
        f"{change}install the grader and its Python where every user can read them (a virtual environment "
        "under /opt, say)"
    )


def _require_readable(paths: Mapping[str, str], scratch: str, uid: int) -> None:
    """After the drop, without a private root: the runtime must still be readable and the scratch writable
    by the uid dropped to (a Python under /root, mode 700, is not; nor numpy in tox's venv, .tox/ of mode
    700). Each path is read as the worker will read it, through pylib's links: before session 36 pylib/ alone
    was, and the worker failed later, "No module named 'numpy'"."""
    for path, real in paths.items():
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                os.close(os.open(path, os.O_RDONLY | os.O_CLOEXEC))
        except OSError as err:
            raise PrivilegeError(_unreadable(path, real, err, uid)) from None
    if not os.access(scratch, os.W_OK | os.X_OK):
        raise PrivilegeError(f"uid {uid} cannot write its scratch {scratch}")


def _drop_root(scratch: str, keep: list[str], status_fd: int, scratch_mib: int, uid: int) -> Privileges:
    """rlimits as root: namespaces, a private root where the kernel allows one, the drop, the checks."""
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last_cap = int(f.read())
    runtime = _runtime([os.path.dirname(os.__file__), *keep])  # what `uid` must read with no private root
    namespaces = _unshare_namespaces()
    notes: list[str] = []
    private_root = False
    if "mnt" in namespaces:
        try:
            rootfs.enter(rootfs.plan(keep, scratch, scratch_mib, owner=uid), scratch)
            private_root = True
        except rootfs.RootNotBuilt as err:  # the view an ordinary user's worker has without one: said alike
            notes.append(own_root.NO_PRIVATE_ROOT.format(err))
    else:
        notes.append(own_root.NO_PRIVATE_ROOT.format("no mount namespace: refused here"))
    os.chdir(scratch)
    _require_walls("rlimits-root-dropped", need_landlock=not private_root)
    _drop_to_nobody(last_cap, uid)
    if not private_root:
        _require_readable(runtime, scratch, uid)
    return _read_back(
        status_fd,
        "rlimits-root-dropped",
        namespaces=namespaces,
        private_root=private_root,
        scratch_quota_mib=scratch_mib,  # without a private root, held by the worker's count (worker.main)
        notes=tuple(notes),
    )


def _keep_proc() -> None:
    """/proc for `own_user_namespace` (`_map_own_ids`), kept before a private root hides it."""
    global _proc_fd
    with contextlib.suppress(OSError):  # no /proc: the ids stay unmapped (`_map_own_ids`)
        _proc_fd = os.open("/proc", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)


def _requested() -> str:
    requested = os.environ.pop(ISOLATION_ENV, "rlimits")
    if requested not in REQUESTS:
        raise PrivilegeError(
            f"unknown isolation {requested!r} in {ISOLATION_ENV}: one of {', '.join(REQUESTS)}"
        )
    return requested


def _scratch_mib() -> int:
    text = os.environ.pop(SCRATCH_ENV, str(rootfs.SCRATCH_QUOTA_MIB))
    low, high = SCRATCH_MIB_RANGE
    if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
        raise PrivilegeError(f"{SCRATCH_ENV}={text!r}: the scratch size must be {low} to {high} MiB")
    return int(text)


def _sandbox_uid() -> int:
    """The uid a root worker drops to: the pool's (rootfs.SANDBOX_UIDS, or in a user namespace that does not
    map them a free block of its map at or above rootfs.FIRST_POOL_UID), or 65534 when none is given."""
    text = os.environ.pop(UID_ENV, str(NOBODY))
    allowed = range(rootfs.FIRST_POOL_UID, rootfs.SANDBOX_UIDS.stop)
    if not (text.isascii() and text.isdigit() and (int(text) == NOBODY or int(text) in allowed)):
        first, last = allowed[0], allowed[-1]
        raise PrivilegeError(f"{UID_ENV}={text!r}: the sandbox's uid must be {NOBODY} or {first} to {last}")
    return int(text)


def establish(scratch: str, keep: Iterable[str] = ()) -> Privileges:
    """Drop or check privileges as the parent asked (see the module doc); raise PrivilegeError when the
    result is not what was required. `scratch` is the worker's job directory (root: made a private tmpfs);
    `keep` are paths it must still read after a private root is built (pylib, the runtime, a test runner).
    """
    requested = _requested()
    scratch_mib = _scratch_mib()
    uid = _sandbox_uid()
    status_fd = os.open("/proc/self/status", os.O_RDONLY | os.O_CLOEXEC)  # /proc is gone after the pivot
    try:
        if requested == "none":
            return _read_back(status_fd, "none")
        if os.geteuid() != 0:
            isolation = "bwrap" if requested == "bwrap" else "rlimits-unprivileged"
            quota = None
            if requested != "bwrap":
                _require_walls(isolation, need_landlock=True)
                _keep_proc()  # its ids mapped in its user namespace of its own, for its folders' tmpfs
                quota = scratch_mib  # each student process's folder's (worker.main), on the host's disk
            else:
                _keep_sys_admin_only(status_fd)
            prctl(_PR_SET_NO_NEW_PRIVS, 1)
            achieved = _read_back(status_fd, isolation, scratch_quota_mib=quota)
        elif requested == "bwrap":
            raise PrivilegeError("the bwrap worker runs as uid 0: bubblewrap did not switch to uid 65534")
        else:
            _keep_proc()
            achieved = _drop_root(scratch, list(keep), status_fd, scratch_mib, uid)
    except PrivilegeError:
        raise
    except (ConfineError, OSError) as err:  # a step of the drop itself failed: as much a refusal
        raise PrivilegeError(f"the privilege drop failed: {err}") from err
    finally:
        os.close(status_fd)
    problems = unmet(achieved, uid)
    if problems:
        raise PrivilegeError(f"isolation {achieved.isolation} not achieved: {'; '.join(problems)}")
    return achieved
