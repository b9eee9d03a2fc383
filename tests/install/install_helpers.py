"""Helpers of the install tests: a clean environment, subprocess runs, the copy of the source tree.

Everything runs in temporary folders outside the checkout, with an environment stripped of what a developer's
shell or tox would leak into a new user's (PYTHONPATH, VIRTUAL_ENV, GRADER_*, TOX_*, PYTEST_*). Packages
come from the registries this machine's pip is configured for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Not part of a source tree a user would clone: build output, caches, environments, results.
JUNK = (".git", ".tox", ".venv", "out", "grader-out", "build", "dist", "*.egg-info", "__pycache__", ".*cache")
JUNK += (".hypothesis", ".benchmarks")
LEAKY = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_CONSTRAINT", "PIP_REQUIRE_VIRTUALENV")
LEAKY_PREFIXES = ("GRADER_", "TOX_", "PYTEST_", "_TOX")


def clean_env(extra: Mapping[str, str] | None = None, *, path: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LEAKY and not k.startswith(LEAKY_PREFIXES)}
    if path is not None:
        env["PATH"] = path
    return {**env, **(extra or {})}


def run(
    argv: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
    )


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"{done.args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def venv_env(venv: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a shell where VENV is activated."""
    return clean_env(
        {"VIRTUAL_ENV": str(venv), **(extra or {})}, path=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"
    )


def copy_source(dest: Path) -> Path:
    """The source tree as a clone would have it, copied to DEST."""
    shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns(*JUNK), symlinks=True)
    return dest
