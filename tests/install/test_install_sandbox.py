"""install.sh's first step, the sandbox: it looks for the bwrap the grader runs, /usr/bin/bwrap
(grader/sandbox/bwrap.py), not for one on PATH. Each run stops right after that step (PYTHON names no
interpreter), so nothing is installed; apt-get and sudo are left off PATH, so nothing could be."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from install_helpers import REPO, clean_env, run

from grader.sandbox.bwrap import BWRAP

LEFT_OFF = {"bwrap", "apt-get", "sudo"}


def _bin_without(tmp_path: Path, extra: dict[str, str] | None = None) -> str:
    """A PATH of links to /usr/bin and /bin without bwrap, apt-get and sudo, plus EXTRA scripts."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for system in ("/usr/bin", "/bin"):
        for entry in sorted(os.listdir(system)):
            if entry not in LEFT_OFF and not os.path.lexists(folder / entry):
                (folder / entry).symlink_to(Path(system) / entry)
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
        (folder / name).chmod(0o755)
    return str(folder)


def _first_step(path: str, prefix: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    env = clean_env({"PYTHON": "/nonexistent/python3"}, path=path)
    done = run([*(prefix or []), "bash", str(REPO / "install.sh")], REPO, env, timeout=60)
    assert done.returncode == 1 and "/nonexistent/python3 not found" in done.stderr, done.stderr
    return done


def test_a_bwrap_left_off_path_is_still_the_graders(tmp_path: Path) -> None:
    """/usr/bin/bwrap installed, PATH without it: install.sh said bubblewrap could not be installed (or,
    as root with apt-get, installed it again); the grader runs /usr/bin/bwrap whatever PATH holds."""
    if not os.access(BWRAP, os.X_OK):
        pytest.skip(f"{BWRAP} is not installed")
    done = _first_step(_bin_without(tmp_path))
    assert f"install: bubblewrap (the sandbox) is installed: {BWRAP}" in done.stdout, done.stdout
    assert "not installed" not in done.stderr


def test_a_bwrap_only_on_path_is_said_not_to_be_the_graders(tmp_path: Path) -> None:
    """/usr/bin/bwrap hidden (a private mount namespace, as tests/test_gradescope_kit.py does) and a bwrap
    elsewhere on PATH: install.sh said "installed: <that bwrap>" while the grader fell back to rlimits."""
    hide = ["unshare", "--mount", "--propagation", "private", "sh", "-c"]
    probe = subprocess.run(
        [*hide, f"mount --bind /dev/null {BWRAP} && ! test -x {BWRAP}"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot hide {BWRAP} here (needs root and mount namespaces)")
    path = _bin_without(tmp_path, {"bwrap": "#!/bin/sh\nexit 0\n"})
    done = _first_step(path, [*hide, f'mount --bind /dev/null {BWRAP} && exec "$0" "$@"'])
    fake = f"{path}/bwrap"
    assert f"bubblewrap is at {fake}, but the grader runs {BWRAP} only" in done.stderr, done.stderr
    assert "is installed" not in done.stdout
