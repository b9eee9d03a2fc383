"""What tools leave in a checkout stays out of `git status` (issue 12: tox's `.venv` redirect file)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from install_helpers import REPO


def _ignored(path: str) -> bool:
    done = subprocess.run(
        ["git", "check-ignore", "--quiet", "--no-index", path], cwd=REPO, capture_output=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode == 0


@pytest.fixture(autouse=True)
def _git_checkout() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")


@pytest.mark.parametrize(
    "path",
    [
        ".venv",
        ".venv/bin/python",
        ".tox/tests/bin/python",
        "out/samples/miniflow/gradebook.csv",
        "dist/x.whl",
    ],
)
def test_tool_output_is_ignored(path: str) -> None:
    """install.sh's .venv (a folder) and tox's .venv redirect (a file), tox envs, outputs and wheels."""
    assert _ignored(path)


@pytest.mark.parametrize(
    "path", ["grader/cli.py", "fixtures/miniflow/manifest.json", "docs/course-template/tox.ini"]
)
def test_sources_are_not_ignored(path: str) -> None:
    """Negative control: the check says 'not ignored' for files that belong to the repository."""
    assert not _ignored(path)
