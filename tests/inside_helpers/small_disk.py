"""A small file system of a test's own, standing for the host's disk: a tmpfs mounted (as root) in a folder of
/tmp that every user may enter, unmounted after. What fills it fills no disk of the machine's."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PREFIX = "grader-small-disk-"  # in /tmp


def is_small_disk(mount_point: str) -> bool:
    """Whether a mount point is a test's small disk: one test of the suite may mount it while another, on the
    other xdist worker, reads the host's mount table."""
    return mount_point.startswith(f"/tmp/{PREFIX}")


@contextlib.contextmanager
def small_disk(size_mib: int, inodes: int) -> Iterator[Path]:
    """A tmpfs of `size_mib` MiB and `inodes` files and folders, mode 755 (root only: skip the test else)."""
    where = Path(tempfile.mkdtemp(prefix=PREFIX, dir="/tmp"))
    where.chmod(0o755)
    options = f"size={size_mib}m,nr_inodes={inodes},mode=0755"
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        os.rmdir(where)
