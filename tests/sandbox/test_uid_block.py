"""The uids the root fallback's workers drop to, in a user namespace that does not map the usual block.

The block at 1,879,048,192 is outside the map of every container with a user namespace (rootless Podman and
Docker, userns-remap and Kubernetes' hostUsers: false map 65,536 ids, LXD 1,000,000,000): the pool's chown
to it failed with EINVAL, a raw traceback, and the scratch was left behind (review of s25-huntbox).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox import uid_block
from grader.sandbox.layout import SANDBOX_UIDS

USERNS_LIKE = Path(__file__).with_name("userns_like.py")
REPO = Path(__file__).resolve().parents[2]
BLOCK = 65536
# Documented maps (user_namespaces(7)'s format: inside, outside, count): the host's; Kubernetes' hostUsers:
# false and Docker's userns-remap; rootless Podman (root onto the user, 1.. onto its /etc/subuid range); LXD.
HOST = "         0          0 4294967295\n"
K8S = "0 1879048192 65536\n"
PODMAN = "0 1000 1\n1 100000 65536\n"
LXD = "0 1000000 1000000000\n"


def test_a_map_that_holds_the_block_keeps_it() -> None:
    """A host's (or a plain root container's) whole map: the usual block, no note."""
    assert uid_block.choose(uid_block.parse_map(HOST), []) == uid_block.UidChoice(SANDBOX_UIDS)


@pytest.mark.parametrize("text", [K8S, PODMAN], ids=["65536-ids", "rootless-podman"])
def test_a_map_of_65536_ids_leaves_every_worker_65534(text: str) -> None:
    """No block of 65,536 at or above 65,536: every worker is 65534, and the note says what that costs."""
    choice = uid_block.choose(uid_block.parse_map(text), [])
    assert choice.uids == range(65534, 65535)
    assert choice.note is not None and "uid 65534" in choice.note and "RLIMIT_NPROC" in choice.note


def test_lxds_map_gives_its_top_block() -> None:
    """0 to 999,999,999 mapped: the top 65,536 of them."""
    choice = uid_block.choose(uid_block.parse_map(LXD), [])
    assert choice.uids == range(1_000_000_000 - BLOCK, 1_000_000_000)
    assert choice.note is not None and "999934464 to 999999999" in choice.note


def test_the_block_skips_subordinate_ranges_and_users() -> None:
    """A subuid range at the top of the map and a user below it push the block down past both."""
    taken = [
        *uid_block.parse_subordinate("ubuntu:999900000:100000\n# comment\nbad:line\n"),
        range(999_899_000, 999_899_001),  # a passwd uid
    ]
    assert uid_block.choose(uid_block.parse_map(LXD), taken).uids == range(999_899_000 - BLOCK, 999_899_000)


def test_a_map_too_small_past_the_users_gives_65534() -> None:
    """65,536 to 100,000 mapped but a subuid range from 70,000: no whole block free above the 16-bit ids."""
    text = "0 0 100000\n"
    taken = uid_block.parse_subordinate("u:70000:65536\n")
    assert uid_block.choose(uid_block.parse_map(text), taken).uids == range(65534, 65535)


def test_adjacent_extents_merge_and_minus_one_is_never_mapped() -> None:
    """Two touching extents read as one; (uid_t)-1 is no one's id even where the count reaches it."""
    assert uid_block.parse_map("0 0 10\n10 50 10\n100 0 5\n") == (range(0, 20), range(100, 105))
    assert uid_block.parse_map(HOST) == (range(0, (1 << 32) - 1),)


# ------------------------------------------------------------ in a user namespace

POOL_PROGRAM = """
import json, os, sys
from grader.sandbox import SandboxPool, SandboxError, uid_block
from grader.sandbox.layout import SANDBOX_UIDS
if sys.argv[1] == "force-block":  # what the pool did before it read the map
    uid_block.for_this_process = lambda: uid_block.UidChoice(SANDBOX_UIDS)
def uid(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(x for x in f if x.startswith("Uid:")).split()[1])
try:
    with SandboxPool(2, isolation="rlimits") as two:
        workers = [two._acquire() for _ in range(2)]
        uids = [uid(w.proc.pid) for w in workers]
        for w in workers:
            two._release(w)
        print(json.dumps({"uids": uids, "notes": list(two.notes)}))
except SandboxError as err:
    print(json.dumps({"refused": str(err)}))
"""


def _in_userns(ids: int, argv: list[str], tmpdir: str) -> subprocess.CompletedProcess[str]:
    if os.geteuid() != 0:
        pytest.skip("only root makes a user namespace with a map of its choosing")
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": tmpdir}
    done = subprocess.run(
        [sys.executable, str(USERNS_LIKE), str(ids), "--", *argv],
        capture_output=True, text=True, env=env, cwd=tmpdir, timeout=300,
    )  # fmt: skip
    if done.returncode == 77:
        pytest.skip("this kernel refuses a user namespace")
    return done


@pytest.mark.parametrize(
    ("ids", "expected"),
    [(65536, [65534, 65534]), (1_000_000_000, range(1_000_000_000 - BLOCK, 1_000_000_000))],
    ids=["65536-ids", "lxd"],
)
def test_the_root_fallback_starts_its_workers_in_a_user_namespace(
    ids: int, expected: object, tmpdir_for_workers: str
) -> None:
    """Two workers start as the namespace's root would have them: 65534 both where 65,536 ids are mapped,
    two uids of the map's top block under LXD's map; the pool leaves nothing behind."""
    done = _in_userns(ids, [sys.executable, "-c", POOL_PROGRAM, "chosen"], tmpdir_for_workers)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert "uids" in seen, seen
    if isinstance(expected, list):
        assert seen["uids"] == expected
    else:
        assert len(set(seen["uids"])) == 2 and all(u in expected for u in seen["uids"]), seen["uids"]
    assert any("user namespace" in n for n in seen["notes"]), seen["notes"]
    assert os.listdir(tmpdir_for_workers) == []


def test_an_unmapped_uid_is_a_refusal_and_the_scratch_is_removed(tmpdir_for_workers: str) -> None:
    """The block forced where it is not mapped: a SandboxError naming the scratch, not an OSError's
    traceback, and no grader-sandbox-* left in TMPDIR."""
    done = _in_userns(65536, [sys.executable, "-c", POOL_PROGRAM, "force-block"], tmpdir_for_workers)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert "could not be made" in seen.get("refused", ""), seen
    assert "Invalid argument" in seen["refused"], seen
    assert os.listdir(tmpdir_for_workers) == []


@pytest.mark.slow
def test_grade_in_a_container_of_65536_ids_scores_full_marks(tmpdir_for_workers: str) -> None:
    """The reviewer's reproduction: `grader grade` of the correct MiniFlow sample as root of a namespace
    mapping 65,536 ids, full marks and the 65534 note (was: OSError, exit 1, a traceback)."""
    sample = REPO / "submissions" / "miniflow" / "correct.py"
    argv = [sys.executable, "-m", "grader", "grade", "miniflow", str(sample), "--isolation", "rlimits"]
    argv.append("--staff-view")  # a TA's terminal: every case's points (the student view: 40 / 40)
    done = _in_userns(65536, [*argv, "--seed", "1"], tmpdir_for_workers)
    assert done.returncode == 0, (done.stdout[-1000:], done.stderr[-2000:])
    assert "score 43 / 43" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert "every worker drops to uid 65534" in done.stdout + done.stderr
