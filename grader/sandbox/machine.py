"""What this machine lacks or ran out of to start a sandbox worker, said in one line with what to do
(pool.MachineError carries it).

Not the grader's fault and not a refusal of the isolation: bubblewrap asked for by name and not installed, an
executable missing, no memory or no process left for a worker's `Popen`. Before, `--isolation bwrap` without
bwrap was printed as "the sandbox failed ... a fault of the grader", and an OSError raised by a worker's
Popen as the grader's own traceback (docs/SANDBOX.md, "Refusal").
"""

from __future__ import annotations

import errno
import os

# bwrap stopped before the worker's Python ran, and said why on its stderr ("bwrap: ..."): the kernel allows
# no unprivileged user namespace (a container's default, a sysctl, an LSM): the machine's setting.
BWRAP_REFUSED = (
    "bubblewrap cannot make a sandbox here ({why}): allow unprivileged user namespaces (sysctl "
    "kernel.unprivileged_userns_clone=1 and user.max_user_namespaces above 0, or a container started with "
    "them), or choose --isolation auto (GRADER_ISOLATION=auto)"
)
INSTALL_BWRAP = (
    "isolation 'bwrap' was requested but bubblewrap is not installed here (no {path}): install it "
    "(apt-get install bubblewrap) or choose --isolation auto (GRADER_ISOLATION=auto)"
)

# errno -> (what happened to the program, what to do, a setting to change rather than a resource to free)
_OTHER = "or choose another --isolation"
# Said by every command, and only batch and samples have --jobs (`check --jobs 1` is a usage error)
_FEWER = "lower --jobs where the command has it (batch, samples), then run again"
_ADVICE: dict[int, tuple[str, str, bool]] = {
    errno.ENOENT: ("is missing", f"reinstall it, {_OTHER}", True),
    errno.EACCES: ("cannot be run by this user", f"check its permissions, {_OTHER}", True),
    errno.ENOEXEC: ("is not a program this machine runs", f"reinstall it, {_OTHER}", True),
    errno.ENOMEM: ("could not start: out of memory", f"free memory or {_FEWER}", False),
    errno.EAGAIN: (
        "could not start: no process left for this user",
        f"end other programs or {_FEWER}",
        False,
    ),
}
_UNKNOWN = ("could not start", "fix what the error says, then run again", False)


def popen_failure(program: str, err: OSError) -> tuple[str, bool]:
    """A worker whose Popen of `program` raised `err`: the line to print, and whether it is a setting to
    change (True) rather than a resource to free."""
    if err.errno == errno.ENOENT and os.path.basename(program) == "bwrap":
        return INSTALL_BWRAP.format(path=program), True
    what, todo, config = _ADVICE.get(err.errno or 0, _UNKNOWN)
    return f"a sandbox worker's program {program} {what} ({err.strerror or err}): {todo}", config


# What bwrap's own first line says when the kernel gives it no user namespace: "No permissions to creating
# new namespace" (Debian's sysctl), "Creating new namespace failed: ..." (user.max_user_namespaces = 0),
# "setting up uid map: Permission denied" (an AppArmor or LSM restriction). Any other "bwrap: ..." line (a
# source path to bind that is missing, a program it cannot exec) is no namespace setting: the advice to allow
# them would be untrue, so it stays the sandbox's failure with bwrap's stderr.
_NO_NAMESPACE = ("namespace", "uid map", "gid map", "setgroups")


def bwrap_refusal(program: str, stderr: str) -> str | None:
    """What bwrap said when it stopped before the worker's Python ran for want of a user namespace (its first
    line, "bwrap: ..."), or None when the worker that did not start is not bwrap, bwrap ran it (a Python
    traceback is the grader's), or bwrap stopped for another reason."""
    lines = stderr.strip().splitlines()
    if os.path.basename(program) != "bwrap" or not lines or not lines[0].startswith("bwrap:"):
        return None
    first = lines[0].lower()
    return lines[0] if any(word in first for word in _NO_NAMESPACE) else None


def on_workers(reasons: dict[str, str]) -> str:
    """One line for what stops the sandbox on Dask workers (address -> the machine's line): each reason said
    once, with the workers it stops."""
    workers: dict[str, list[str]] = {}
    for address, reason in sorted(reasons.items()):
        workers.setdefault(reason, []).append(address)
    return "; ".join(
        f"the sandbox cannot start on Dask worker{'s' if len(a) > 1 else ''} {', '.join(a)}: {reason}"
        for reason, a in workers.items()
    )
