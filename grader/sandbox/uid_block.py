"""The uids the workers of the fallback run as root drop to, one each: layout.SANDBOX_UIDS where this
process's user namespace maps every one of them (a host, a plain root container), else a free block of the
same size inside the map (LXD/Incus map 0 to 999,999,999), else 65534 for every worker (rootless Podman
and Docker, userns-remap and Kubernetes' hostUsers: false map only 65,536 ids).

An id outside the map cannot be chowned to, set, or given to a tmpfs (EINVAL): the block at 1,879,048,192
made every such container refuse to grade. A free block must hold nobody's files or processes, since its
uids share their RLIMIT_NPROC and their files' rights: it lies at or above 65,536 (below are the system and
login users, systemd's homed and dynamic users, and nobody), it is taken from the top of the map down, and
it skips every uid of the passwd database and every range /etc/subuid or /etc/subgid hands to rootless
containers.
"""

from __future__ import annotations

import pwd
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .bwrap import SANDBOX_UID as SANDBOX_ID
from .layout import FIRST_POOL_UID, SANDBOX_UIDS

UID_MAP = "/proc/self/uid_map"
SUBORDINATE_FILES = ("/etc/subuid", "/etc/subgid")
NO_ID = (1 << 32) - 1  # (uid_t)-1: "leave unchanged" to setresuid and chown, never anyone's


# A named tuple, not a dataclass: nothing before the sandbox worker's Popen imports dataclasses (with inspect,
# dis and ast: ~28 million instructions of a `grader check`'s serial start, session 37).
class UidChoice(NamedTuple):
    """The uids the pool's workers take in turn, and what the TA is told when they are not the usual block."""

    uids: range
    note: str | None = None


def parse_map(text: str) -> tuple[range, ...]:
    """The ids a /proc/PID/uid_map or gid_map maps, seen from inside (its first column), merged and sorted."""
    extents = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 3 and all(f.isascii() and f.isdigit() for f in fields):
            start, count = int(fields[0]), int(fields[2])
            extents.append(range(start, min(start + count, NO_ID)))
    merged: list[range] = []
    for extent in sorted(extents, key=lambda r: r.start):
        if merged and extent.start <= merged[-1].stop:
            merged[-1] = range(merged[-1].start, max(merged[-1].stop, extent.stop))
        else:
            merged.append(extent)
    return tuple(merged)


def parse_subordinate(text: str) -> list[range]:
    """The ranges of an /etc/subuid or /etc/subgid file (`name:start:count` lines)."""
    ranges = []
    for line in text.splitlines():
        fields = line.strip().split(":")
        if len(fields) == 3 and all(f.isascii() and f.isdigit() for f in fields[1:]):
            ranges.append(range(int(fields[1]), int(fields[1]) + int(fields[2])))
    return ranges


def _covered(block: range, mapped: Sequence[range]) -> bool:
    return any(extent.start <= block.start and block.stop <= extent.stop for extent in mapped)


def _highest_free(extent: range, taken: Sequence[range], size: int) -> range | None:
    """The highest `size` ids of `extent`, at or above FIRST_POOL_UID, that meet no range of `taken`."""
    top = extent.stop
    while top - size >= max(extent.start, FIRST_POOL_UID):
        block = range(top - size, top)
        clashes = [t for t in taken if t.start < block.stop and block.start < t.stop]
        if not clashes:
            return block
        top = min(t.start for t in clashes)
    return None


def choose(uid_map: Sequence[range], taken: Sequence[range]) -> UidChoice:
    """The workers' uids given this namespace's uid map and the ids in use (`taken`); see the module doc.
    (Their group is 65534 whatever the choice, and every map holds it: the gid map has nothing to choose.)"""
    if _covered(SANDBOX_UIDS, uid_map):
        return UidChoice(SANDBOX_UIDS)
    for extent in sorted(uid_map, key=lambda r: r.stop, reverse=True):
        block = _highest_free(extent, taken, len(SANDBOX_UIDS))
        if block is not None:
            return UidChoice(
                block,
                f"this user namespace does not map the sandbox's uids {SANDBOX_UIDS[0]} to "
                f"{SANDBOX_UIDS[-1]}: the workers drop to uids {block[0]} to {block[-1]} instead, the top of "
                "its map held by no user of the passwd database and no /etc/subuid or /etc/subgid range.",
            )
    mapped = ", ".join(f"{r.start} to {r.stop - 1}" for r in uid_map) or "none"
    return UidChoice(
        range(SANDBOX_ID, SANDBOX_ID + 1),
        f"this user namespace maps only uids {mapped}, with no free block of {len(SANDBOX_UIDS):,} at or "
        f"above {FIRST_POOL_UID:,}: every worker drops to uid {SANDBOX_ID}, so the students graded at the "
        "same time share one thread limit (RLIMIT_NPROC): one holding threads can leave another none.",
    )


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read(1 << 20)
    except OSError:
        return ""


def _ids_in_use() -> list[range]:
    taken = [r for path in SUBORDINATE_FILES for r in parse_subordinate(_read(path))]
    try:
        users: Iterable[pwd.struct_passwd] = pwd.getpwall()
    except OSError:
        users = ()
    taken.extend(range(u.pw_uid, u.pw_uid + 1) for u in users)
    return taken


def for_this_process() -> UidChoice:
    """choose() for this process's user namespace, users and subordinate ranges (a map that cannot be read:
    65534 for every worker, which every map holds)."""
    uid_map = parse_map(_read(UID_MAP))
    if _covered(SANDBOX_UIDS, uid_map):  # a host's: no need to read the passwd database (NSS may be slow)
        return UidChoice(SANDBOX_UIDS)
    return choose(uid_map, _ids_in_use())
